package logto

import "github.com/idport/identity"

// Constraints declares Logto's rules that a caller can break: a username
// is a letter or '_', then letters, digits and '_' (the guard's
// usernameRegEx in @logto/core-kit, /^[A-Z_a-z]\w*$/; 400
// guard.invalid_input otherwise). Logto lists users newest first
// (created_at desc). Its other limits (128 characters of role name and
// description) are the portable layer's own.
func (d *directory) Constraints() identity.Constraints { return logtoConstraints() }

func logtoConstraints() identity.Constraints {
	return identity.Constraints{
		Username: identity.TextRule{Pattern: `[A-Za-z_][A-Za-z0-9_]*`,
			Describe: "a letter or '_', then letters, digits and '_'"},
		Order: identity.OrderNewestFirst,
	}
}
