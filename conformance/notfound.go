package conformance

import (
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testNotFound checks that a NotFound says what is missing, in fields a
// program reads: Field "user" with UserID for a missing user, whatever
// the call; Field "role" with Role for a missing role; for AssignRole and
// RevokeRole which of the two it is, the user when both are, with Role
// set only for the role. The message says nothing twice.
func testNotFound(t *testing.T, h Harness) {
	t.Run("User", func(t *testing.T) {
		e := newEnv(t, h)
		calls := map[string]func() error{
			"GetUser": func() error { _, err := e.dir.GetUser(e.ctx, missingID); return err },
			"UpdateUser": func() error {
				_, err := e.dir.UpdateUser(e.ctx, missingID, identity.UserUpdate{Metadata: map[string]any{"plan": "pro"}})
				return err
			},
			"DeleteUser":   func() error { return e.dir.DeleteUser(e.ctx, missingID) },
			"SuspendUser":  func() error { return e.dir.SuspendUser(e.ctx, missingID) },
			"ActivateUser": func() error { return e.dir.ActivateUser(e.ctx, missingID) },
		}
		if !e.caps.Metadata {
			calls["UpdateUser"] = func() error {
				_, err := e.dir.UpdateUser(e.ctx, missingID, identity.UserUpdate{Email: new(e.email("nobody"))})
				return err
			}
		}
		if e.caps.Roles {
			calls["ListUserRoles"] = func() error { _, err := e.dir.ListUserRoles(e.ctx, missingID); return err }
		}
		if e.caps.SetPassword {
			calls["SetPassword"] = func() error { return e.dir.SetPassword(e.ctx, missingID, password) }
		}
		if e.caps.VerifyPassword {
			calls["VerifyPassword"] = func() error { return e.dir.VerifyPassword(e.ctx, missingID, password) }
		}
		for op, call := range calls {
			t.Run(op, func(t *testing.T) { requireMissingTarget(t, call(), "user", missingID, "") })
		}
		t.Run("GetUserByEmail", func(t *testing.T) {
			_, err := e.dir.GetUserByEmail(e.ctx, e.email("nobody"))
			requireMissingTarget(t, err, "user", "", "")
		})
	})
	t.Run("Role", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Roles {
			t.Skip("no roles: AssignRole and RevokeRole are Unsupported, which Gates checks")
		}
		u := e.create(e.newUser("nf"))
		r := e.role("nf")
		gone := e.roleName("missing")
		for _, c := range []struct {
			name, user, role string
			field, wantRole  string
			wantUser         string
		}{
			{"MissingRole", u.ID, gone, "role", gone, u.ID},
			{"MissingUser", missingID, r, "user", "", missingID},
			{"BothMissing", missingID, gone, "user", "", missingID},
		} {
			t.Run(c.name, func(t *testing.T) {
				requireMissingTarget(t, e.dir.AssignRole(e.ctx, c.user, c.role), c.field, c.wantUser, c.wantRole)
				requireMissingTarget(t, e.dir.RevokeRole(e.ctx, c.user, c.role), c.field, c.wantUser, c.wantRole)
			})
		}
		t.Run("DeleteRole", func(t *testing.T) {
			if !e.caps.RoleCatalog {
				t.Skip("no role catalogue: DeleteRole is Unsupported, which Gates checks")
			}
			requireMissingTarget(t, e.dir.DeleteRole(e.ctx, gone), "role", "", gone)
		})
	})
}

// requireMissingTarget checks err is NotFound with Field naming what is
// missing, UserID and Role as given, and a message that says no part of
// itself twice in a row ("login: login:").
func requireMissingTarget(t *testing.T, err error, field, userID, role string) {
	t.Helper()
	requireCode(t, err, identity.NotFound)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, field, ie.Field, "Error.Field names what is missing: %v", err)
	assert.Equal(t, userID, ie.UserID, "Error.UserID: %v", err)
	assert.Equal(t, role, ie.Role, "Error.Role is set only for a missing role: %v", err)
	parts := strings.Split(err.Error(), ": ")
	for i := 1; i < len(parts); i++ {
		assert.NotEqual(t, parts[i-1], parts[i], "the message says %q twice: %v", parts[i], err)
	}
}
