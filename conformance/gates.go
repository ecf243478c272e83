package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gate is one operation a capability turns on or off.
type gate struct {
	op string
	on func(identity.Capabilities) bool
	// call makes a well-formed call on u, a user of this subtest. Where
	// the capability is on it must succeed; where it is off it must be
	// Unsupported, naming op, before any request.
	call func(e *env, u *identity.User) error
}

var gates = append([]gate{
	{"GetUserByUsername", func(c identity.Capabilities) bool { return c.Username }, func(e *env, u *identity.User) error {
		if !e.caps.Username {
			_, err := e.dir.GetUserByUsername(e.ctx, "someone")
			return err
		}
		got, err := e.dir.GetUserByUsername(e.ctx, u.Username)
		if err == nil && got.ID != u.ID {
			e.t.Errorf("GetUserByUsername found %s, want %s", got.ID, u.ID)
		}
		return err
	}},
	{"ListRoles", func(c identity.Capabilities) bool { return c.Roles }, func(e *env, _ *identity.User) error {
		_, err := e.dir.ListRoles(e.ctx)
		return err
	}},
	{"ListUserRoles", func(c identity.Capabilities) bool { return c.Roles }, func(e *env, u *identity.User) error {
		_, err := e.dir.ListUserRoles(e.ctx, u.ID)
		return err
	}},
	{"AssignRole", func(c identity.Capabilities) bool { return c.Roles }, func(e *env, u *identity.User) error {
		return e.dir.AssignRole(e.ctx, u.ID, e.roleIfAny("gate"))
	}},
	{"RevokeRole", func(c identity.Capabilities) bool { return c.Roles }, func(e *env, u *identity.User) error {
		return e.dir.RevokeRole(e.ctx, u.ID, e.roleIfAny("gate"))
	}},
	{"CreateRole", func(c identity.Capabilities) bool { return c.RoleCatalog }, func(e *env, _ *identity.User) error {
		_, err := e.dir.CreateRole(e.ctx, identity.Role{Name: e.roleName("gate"), Description: "gate"})
		return err
	}},
	{"DeleteRole", func(c identity.Capabilities) bool { return c.RoleCatalog }, func(e *env, _ *identity.User) error {
		if e.caps.RoleCatalog {
			e.createRole("gone")
		}
		return e.dir.DeleteRole(e.ctx, e.roleName("gone"))
	}},
	{"SetPassword", func(c identity.Capabilities) bool { return c.SetPassword }, func(e *env, u *identity.User) error {
		return e.dir.SetPassword(e.ctx, u.ID, newPassword)
	}},
	{"VerifyPassword", func(c identity.Capabilities) bool { return c.VerifyPassword }, func(e *env, u *identity.User) error {
		return e.dir.VerifyPassword(e.ctx, u.ID, password)
	}},
	{"ChangePassword", func(c identity.Capabilities) bool { return c.ChangePassword }, func(e *env, u *identity.User) error {
		return e.dir.ChangePassword(e.ctx, u.ID, password, newPassword)
	}},
	{"ExpirePassword", func(c identity.Capabilities) bool { return c.ExpirePassword }, func(e *env, u *identity.User) error {
		return e.dir.ExpirePassword(e.ctx, u.ID)
	}},
}, append(orgGates, securityGates...)...)

// roleIfAny is a role to assign where the backend has roles, and any
// well-formed name where it has none (the call is refused unseen).
func (e *env) roleIfAny(name string) string {
	if e.caps.Roles {
		return e.role(name)
	}
	return e.roleName(name)
}

// testGates checks every operation a capability governs: where the
// capability is off, the call is Unsupported naming the operation and
// sends no request; where it is on, a well-formed call succeeds.
func testGates(t *testing.T, h Harness) {
	caps := h.Capabilities()
	for _, g := range gates {
		state := "On"
		if !g.on(caps) {
			state = "Off"
		}
		t.Run(g.op+"/"+state, func(t *testing.T) {
			e := newEnv(t, h)
			nu := e.newUser("gate")
			if e.caps.Username {
				nu.Username = e.username("gate")
			}
			if e.caps.SetPassword {
				nu.Password = password
			}
			u := e.create(nu)
			if g.on(caps) {
				require.NoError(t, g.call(e, u), "%s is declared, and a well-formed call must work", g.op)
				return
			}
			err := e.requireNoRequest(g.op, func() error { return g.call(e, u) })
			requireCode(t, err, identity.Unsupported, g.op)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, g.op, ie.Field, "the error names the operation")
			assert.Equal(t, g.op, ie.Op)
		})
	}
	t.Run("CreatePending", func(t *testing.T) {
		e := newEnv(t, h)
		nu := e.newUser("pending")
		nu.Status, nu.Password = identity.StatusPending, ""
		if caps.PendingCreate {
			u, err := e.dir.CreateUser(e.ctx, nu)
			require.NoError(t, err)
			assert.Equal(t, identity.StatusPending, u.Status)
			return
		}
		err := e.requireNoRequest("CreateUser pending", func() error { _, err := e.dir.CreateUser(e.ctx, nu); return err })
		requireCode(t, err, identity.Unsupported)
	})
	t.Run("ListByUsername", func(t *testing.T) {
		e := newEnv(t, h)
		opts := identity.ListOptions{Username: "someone"}
		list := func() error { _, err := e.dir.ListUsersPage(e.ctx, opts, ""); return err }
		if caps.Username {
			require.NoError(t, list())
			return
		}
		requireCode(t, e.requireNoRequest("ListUsersPage by username", list), identity.Unsupported)
	})
}
