package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSetRoles checks SetRoles: the user is left with exactly the roles
// named, duplicates counting once and none clearing them; setting the
// same set twice changes nothing; an unknown role is NotFound naming it
// and changes nothing; a missing user is NotFound naming the user; bad
// input is refused unsent.
func testSetRoles(t *testing.T, h Harness) {
	if !h.Capabilities().Roles {
		t.Run("Unsupported", func(t *testing.T) { requireUnsupportedOps(t, h, gatesOf("SetRoles")) })
		return
	}
	userRoles := func(e *env, id string) []string {
		e.t.Helper()
		rs, err := e.dir.ListUserRoles(e.ctx, id)
		require.NoError(e.t, err, "ListUserRoles")
		return roleNames(rs)
	}
	t.Run("Replace", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("replace"))
		a, b, c := e.role("a"), e.role("b"), e.role("c")
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, a))
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, b))
		require.NoError(t, e.dir.SetRoles(e.ctx, u.ID, b, c))
		assert.ElementsMatch(t, []string{b, c}, userRoles(e, u.ID))
	})
	t.Run("Duplicates", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("dup"))
		a := e.role("a")
		require.NoError(t, e.dir.SetRoles(e.ctx, u.ID, a, a), "a name given twice counts once")
		assert.Equal(t, []string{a}, userRoles(e, u.ID))
	})
	t.Run("Clear", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("clear"))
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, e.role("a")))
		require.NoError(t, e.dir.SetRoles(e.ctx, u.ID), "no names clears the roles")
		assert.Empty(t, userRoles(e, u.ID))
	})
	t.Run("Idempotent", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("same"))
		a, b := e.role("a"), e.role("b")
		require.NoError(t, e.dir.SetRoles(e.ctx, u.ID, a, b))
		require.NoError(t, e.dir.SetRoles(e.ctx, u.ID, b, a))
		assert.ElementsMatch(t, []string{a, b}, userRoles(e, u.ID))
	})
	t.Run("OnlyThatUser", func(t *testing.T) {
		e := newEnv(t, h)
		u, other := e.create(e.newUser("u")), e.create(e.newUser("other"))
		a := e.role("a")
		require.NoError(t, e.dir.AssignRole(e.ctx, other.ID, a))
		require.NoError(t, e.dir.SetRoles(e.ctx, u.ID))
		assert.Equal(t, []string{a}, userRoles(e, other.ID))
	})
	t.Run("UnknownRole", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("unknown"))
		a := e.role("a")
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, a))
		missing := e.roleName("missing")
		err := e.dir.SetRoles(e.ctx, u.ID, e.role("b"), missing)
		requireMissing(t, err, "role", "")
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, missing, ie.Role, "Error.Role names the missing role")
		assert.Equal(t, []string{a}, userRoles(e, u.ID), "nothing changed")
	})
	t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "SetRoles") })
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.create(e.newUser("victim"))
		existing := e.role("existing")
		require.NoError(t, e.dir.AssignRole(e.ctx, victim.ID, existing))
		t.Run("IDs", func(t *testing.T) { e.sub(t).refuses(t, victim.ID, userIDCalls(e.caps, "SetRoles"), badIDs) })
		t.Run("RoleNames", func(t *testing.T) {
			e.sub(t).refuses(t, victim.ID, []badCall{
				{"SetRoles", func(e *env, victim, v string) error { return e.dir.SetRoles(e.ctx, victim, v) }, identity.InvalidArgument},
				{"SetRoles/among", func(e *env, victim, v string) error {
					return e.dir.SetRoles(e.ctx, victim, existing, v)
				}, identity.InvalidArgument},
			}, badRoleNames)
		})
	})
}
