package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roleName returns a role name unique to this subtest.
func (e *env) roleName(name string) string { return "role-" + name + "-" + e.tag }

func (e *env) createRole(name string) string {
	e.t.Helper()
	r, err := e.dir.CreateRole(e.ctx, identity.Role{Name: e.roleName(name), Description: "conformance " + name})
	require.NoError(e.t, err, "CreateRole")
	require.Equal(e.t, e.roleName(name), r.Name)
	return r.Name
}

func roleNames(rs []*identity.Role) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// role returns a role this subtest can assign: one it creates where the
// backend has a role catalogue, and otherwise one of the fixed catalogue
// no other call of role in this subtest returned.
func (e *env) role(name string) string {
	e.t.Helper()
	if e.caps.RoleCatalog {
		return e.createRole(name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.picked[name]; ok {
		return r
	}
	rs, err := e.dir.ListRoles(e.ctx)
	require.NoError(e.t, err, "ListRoles")
	taken := map[string]bool{}
	for _, r := range e.picked {
		taken[r] = true
	}
	for _, r := range rs {
		if !taken[r.Name] {
			if e.picked == nil {
				e.picked = map[string]string{}
			}
			e.picked[name] = r.Name
			return r.Name
		}
	}
	e.t.Fatalf("the fixed role catalogue has %d roles; the subtest needs more", len(rs))
	return ""
}

// rolesWithTag keeps the roles this subtest made or picked, in the order
// given.
func (e *env) rolesWithTag(rs []*identity.Role) []string {
	e.mu.Lock()
	mine := map[string]bool{}
	for _, r := range e.picked {
		mine[r] = true
	}
	e.mu.Unlock()
	var out []string
	for _, n := range roleNames(rs) {
		if mine[n] || len(n) > len(e.tag) && n[len(n)-len(e.tag):] == e.tag {
			out = append(out, n)
		}
	}
	return out
}

// needCatalog skips a subtest that creates or deletes roles on a backend
// whose catalogue is fixed; Gates checks those calls are Unsupported.
func (e *env) needCatalog() {
	e.t.Helper()
	if !e.caps.RoleCatalog {
		e.t.Skip("the role catalogue is fixed: Gates checks that CreateRole and DeleteRole are Unsupported")
	}
}

func testRoles(t *testing.T, h Harness) {
	if !h.Capabilities().Roles {
		t.Run("Unsupported", func(t *testing.T) {
			e := newEnv(t, h)
			u := e.create(e.newUser("r"))
			_, err := e.dir.CreateRole(e.ctx, identity.Role{Name: "admin"})
			requireCode(t, err, identity.Unsupported, "CreateRole")
			_, err = e.dir.ListRoles(e.ctx)
			requireCode(t, err, identity.Unsupported, "ListRoles")
			requireCode(t, e.dir.DeleteRole(e.ctx, "admin"), identity.Unsupported, "DeleteRole")
			_, err = e.dir.ListUserRoles(e.ctx, u.ID)
			requireCode(t, err, identity.Unsupported, "ListUserRoles")
			requireCode(t, e.dir.AssignRole(e.ctx, u.ID, "admin"), identity.Unsupported, "AssignRole")
			requireCode(t, e.dir.RevokeRole(e.ctx, u.ID, "admin"), identity.Unsupported, "RevokeRole")
		})
		return
	}
	t.Run("CreateAndList", func(t *testing.T) {
		e := newEnv(t, h)
		e.needCatalog()
		b := e.createRole("beta")
		a := e.createRole("alpha")
		rs, err := e.dir.ListRoles(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{a, b}, e.rolesWithTag(rs), "roles listed by name")
		for _, r := range rs {
			if r.Name == a {
				assert.Equal(t, "conformance alpha", r.Description)
			}
		}
	})
	t.Run("Duplicate", func(t *testing.T) {
		e := newEnv(t, h)
		e.needCatalog()
		n := e.createRole("dup")
		_, err := e.dir.CreateRole(e.ctx, identity.Role{Name: n, Description: "again"})
		requireCode(t, err, identity.AlreadyExists)
	})
	t.Run("Delete", func(t *testing.T) {
		e := newEnv(t, h)
		e.needCatalog()
		n := e.createRole("del")
		require.NoError(t, e.dir.DeleteRole(e.ctx, n))
		rs, err := e.dir.ListRoles(e.ctx)
		require.NoError(t, err)
		assert.NotContains(t, roleNames(rs), n)
		requireCode(t, e.dir.DeleteRole(e.ctx, n), identity.NotFound, "deleting twice")
	})
	t.Run("DeleteNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		e.needCatalog()
		requireCode(t, e.dir.DeleteRole(e.ctx, e.roleName("none")), identity.NotFound)
	})
	t.Run("AssignListRevoke", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("member"))
		a, b := e.role("a"), e.role("b")
		if b < a {
			a, b = b, a
		}
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, b))
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, a))
		rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{a, b}, e.rolesWithTag(rs), "a user's roles listed by name")
		require.NoError(t, e.dir.RevokeRole(e.ctx, u.ID, a))
		rs, err = e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{b}, e.rolesWithTag(rs))
	})
	t.Run("AssignIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("twice"))
		r := e.role("twice")
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, r))
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, r), "assigning again succeeds")
		rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{r}, e.rolesWithTag(rs))
	})
	t.Run("RevokeIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("rev"))
		r := e.role("rev")
		require.NoError(t, e.dir.RevokeRole(e.ctx, u.ID, r), "revoking a role the user lacks succeeds")
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, r))
		require.NoError(t, e.dir.RevokeRole(e.ctx, u.ID, r))
		require.NoError(t, e.dir.RevokeRole(e.ctx, u.ID, r))
		rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Empty(t, e.rolesWithTag(rs))
	})
	t.Run("UnknownRole", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("ur"))
		requireCode(t, e.dir.AssignRole(e.ctx, u.ID, e.roleName("missing")), identity.NotFound, "AssignRole")
		requireCode(t, e.dir.RevokeRole(e.ctx, u.ID, e.roleName("missing")), identity.NotFound, "RevokeRole")
	})
	t.Run("UnknownUser", func(t *testing.T) {
		e := newEnv(t, h)
		r := e.role("uu")
		requireCode(t, e.dir.AssignRole(e.ctx, missingID, r), identity.NotFound, "AssignRole")
		requireCode(t, e.dir.RevokeRole(e.ctx, missingID, r), identity.NotFound, "RevokeRole")
		_, err := e.dir.ListUserRoles(e.ctx, missingID)
		requireCode(t, err, identity.NotFound, "ListUserRoles")
	})
	t.Run("DeleteRemovesAssignments", func(t *testing.T) {
		e := newEnv(t, h)
		e.needCatalog()
		u := e.create(e.newUser("dra"))
		keep, gone := e.createRole("keep"), e.createRole("gone")
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, keep))
		require.NoError(t, e.dir.AssignRole(e.ctx, u.ID, gone))
		require.NoError(t, e.dir.DeleteRole(e.ctx, gone))
		rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{keep}, e.rolesWithTag(rs))
	})
	t.Run("NewUserHasNone", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("none"))
		rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Empty(t, e.rolesWithTag(rs))
	})
}
