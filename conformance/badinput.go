package conformance

import (
	"strings"
	"testing"

	"github.com/idport/identity"
)

var (
	long = strings.Repeat("a", 10<<10)

	badIDs = map[string]string{
		"empty":       "",
		"slash":       "abc/def",
		"dotdot":      "..",
		"traversal":   "../../admin",
		"question":    "abc?x=1",
		"hash":        "abc#frag",
		"percent":     "abc%2Fdef",
		"space":       "abc def",
		"nul":         "abc\x00def",
		"newline":     "abc\ndef",
		"unicode":     "abcdé",
		"10KB":        long,
		"embeddeddot": "a..b",
	}
	badEmails = map[string]string{
		"plain":        "plainaddress",
		"noLocal":      "@example.com",
		"noDomain":     "user@",
		"noDot":        "user@localhost",
		"twoAts":       "a@b@example.com",
		"space":        "a b@example.com",
		"doubleDot":    "a..b@example.com",
		"leadingDot":   ".a@example.com",
		"domainDash":   "a@-example.com",
		"control":      "a\x01@example.com",
		"10KB":         long + "@example.com",
		"displayName":  "Alice <alice@example.com>",
		"trailingDot":  "a@example.com.",
		"emptyLabel":   "a@example..com",
		"unicodeLocal": "josé@example.com",
	}
	badRoleNames = map[string]string{
		"empty":    "",
		"spaces":   "   ",
		"padded":   " admin ",
		"control":  "ad\x00min",
		"newline":  "ad\nmin",
		"10KB":     long,
		"badUTF-8": "ad\xffmin",
	}
)

// testBadInput checks that malformed input gives InvalidArgument before any
// call reaches the backend, and changes nothing.
func testBadInput(t *testing.T, h Harness) {
	c := h.Capabilities()
	type call struct {
		name string
		fn   func(e *env, userID, v string) error
		want identity.Code
	}
	idCalls := []call{
		{"GetUser", func(e *env, _, v string) error { _, err := e.dir.GetUser(e.ctx, v); return err }, identity.InvalidArgument},
		{"UpdateUser", func(e *env, _, v string) error {
			_, err := e.dir.UpdateUser(e.ctx, v, identity.UserUpdate{Email: ptr(e.email("x"))})
			return err
		}, identity.InvalidArgument},
		{"DeleteUser", func(e *env, _, v string) error { return e.dir.DeleteUser(e.ctx, v) }, identity.InvalidArgument},
		{"SuspendUser", func(e *env, _, v string) error { return e.dir.SuspendUser(e.ctx, v) }, identity.InvalidArgument},
		{"ActivateUser", func(e *env, _, v string) error { return e.dir.ActivateUser(e.ctx, v) }, identity.InvalidArgument},
		{"ListUserRoles", func(e *env, _, v string) error { _, err := e.dir.ListUserRoles(e.ctx, v); return err }, gated(c.Roles)},
		{"AssignRole", func(e *env, _, v string) error { return e.dir.AssignRole(e.ctx, v, "r") }, gated(c.Roles)},
		{"RevokeRole", func(e *env, _, v string) error { return e.dir.RevokeRole(e.ctx, v, "r") }, gated(c.Roles)},
		{"SetPassword", func(e *env, _, v string) error { return e.dir.SetPassword(e.ctx, v, password) }, gated(c.SetPassword)},
		{"VerifyPassword", func(e *env, _, v string) error { return e.dir.VerifyPassword(e.ctx, v, password) }, gated(c.VerifyPassword)},
	}
	emailCalls := []call{
		{"CreateUser", func(e *env, _, v string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: v})
			return err
		}, identity.InvalidArgument},
		{"GetUserByEmail", func(e *env, _, v string) error { _, err := e.dir.GetUserByEmail(e.ctx, v); return err }, identity.InvalidArgument},
		{"UpdateUser", func(e *env, id, v string) error {
			_, err := e.dir.UpdateUser(e.ctx, id, identity.UserUpdate{Email: &v})
			return err
		}, identity.InvalidArgument},
		{"ListUsersPage", func(e *env, _, v string) error {
			_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{Email: v}, "")
			return err
		}, identity.InvalidArgument},
	}
	roleCalls := []call{
		{"CreateRole", func(e *env, _, v string) error { _, err := e.dir.CreateRole(e.ctx, identity.Role{Name: v}); return err }, gated(c.RoleCatalog)},
		{"DeleteRole", func(e *env, _, v string) error { return e.dir.DeleteRole(e.ctx, v) }, gated(c.RoleCatalog)},
		{"AssignRole", func(e *env, id, v string) error { return e.dir.AssignRole(e.ctx, id, v) }, gated(c.Roles)},
		{"RevokeRole", func(e *env, id, v string) error { return e.dir.RevokeRole(e.ctx, id, v) }, gated(c.Roles)},
	}
	// other covers single fields that are not ids, emails or role names.
	other := map[string]func(e *env, id string) error{
		"CreateUser/controlInName": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), DisplayName: "a\x07b"})
			return err
		},
		"CreateUser/10KBName": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), GivenName: long})
			return err
		},
		"CreateUser/badPhone": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), Phone: "555-1234"})
			return err
		},
		"CreateUser/badUsername": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), Username: "bad name/../x"})
			return err
		},
		"CreateUser/badStatus": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), Status: identity.StatusSuspended})
			return err
		},
		"CreateUser/emptyMetadataKey": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), Metadata: map[string]any{"": "x"}})
			return err
		},
		"CreateUser/unencodableMetadata": func(e *env, _ string) error {
			_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("c"), Metadata: map[string]any{"plan": func() {}}})
			return err
		},
		"UpdateUser/badPhone": func(e *env, id string) error {
			_, err := e.dir.UpdateUser(e.ctx, id, identity.UserUpdate{Phone: ptr("12345")})
			return err
		},
		"GetUserByUsername/slash": func(e *env, _ string) error {
			_, err := e.dir.GetUserByUsername(e.ctx, "a/b")
			return err
		},
		"ListUsers/negativePageSize": func(e *env, _ string) error {
			_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{PageSize: -1}, "")
			return err
		},
		"ListUsers/unknownStatus": func(e *env, _ string) error {
			_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{Status: "sleeping"}, "")
			return err
		},
		"ListUsers/controlInQuery": func(e *env, _ string) error {
			_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{Query: "a\nb"}, "")
			return err
		},
		"ListUsers/cursorWithSpace": func(e *env, _ string) error {
			_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{}, "abc def")
			return err
		},
		"ListUsers/iteratorBadEmail": func(e *env, _ string) error {
			for _, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Email: "nope"}) {
				return err
			}
			return nil
		},
	}
	if c.SetPassword {
		other["SetPassword/empty"] = func(e *env, id string) error { return e.dir.SetPassword(e.ctx, id, "") }
		other["SetPassword/tooLong"] = func(e *env, id string) error { return e.dir.SetPassword(e.ctx, id, identity.Secret(long)) }
	}

	// One directory and one user serve the whole table: every call must
	// leave them as they were.
	e := newEnv(t, h)
	nu := e.newUser("victim")
	if c.Metadata {
		nu.Metadata = map[string]any{"plan": "free"}
	}
	victim := e.create(nu)
	if c.Roles {
		e.role("existing")
	}
	before := e.snapshot()

	run := func(t *testing.T, calls []call, values map[string]string) {
		for _, cl := range calls {
			for name, v := range values {
				t.Run(cl.name+"/"+name, func(t *testing.T) {
					sub := e.sub(t)
					requireCode(t, sub.requireNoRequest(cl.name, func() error { return cl.fn(sub, victim.ID, v) }), cl.want)
				})
			}
		}
	}
	t.Run("IDs", func(t *testing.T) { run(t, idCalls, badIDs) })
	t.Run("Emails", func(t *testing.T) { run(t, emailCalls, badEmails) })
	t.Run("RoleNames", func(t *testing.T) { run(t, roleCalls, badRoleNames) })
	t.Run("Fields", func(t *testing.T) {
		for name, fn := range other {
			t.Run(name, func(t *testing.T) {
				sub := e.sub(t)
				requireCode(t, sub.requireNoRequest(name, func() error { return fn(sub, victim.ID) }), identity.InvalidArgument)
			})
		}
	})
	t.Run("Unchanged", func(t *testing.T) {
		e.sub(t).requireUnchanged(before, "bad input")
	})
}

// gated is the code a bad-input call gets: InvalidArgument where the
// operation is supported, Unsupported where it is not (the capability is
// checked first, since no input could make the call work).
func gated(supported bool) identity.Code {
	if supported {
		return identity.InvalidArgument
	}
	return identity.Unsupported
}
