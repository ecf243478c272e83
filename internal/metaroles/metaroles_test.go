package metaroles

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// store is a Store in memory that counts its writes and, like a
// provider, has no guard against concurrent read-modify-writes: two
// changes of one user that interleave lose one of them unless the caller
// serializes them.
type store struct {
	mu     sync.Mutex
	users  map[string][]string
	writes int
}

func (s *store) UserRoles(_ context.Context, id string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, ok := s.users[id]
	if !ok {
		return nil, driver.Errorf(identity.NotFound, "no such user")
	}
	return slices.Clone(names), nil
}

func (s *store) SetUserRoles(_ context.Context, id string, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		return driver.Errorf(identity.NotFound, "no such user")
	}
	s.users[id] = slices.Clone(names)
	s.writes++
	return nil
}

func (s *store) EachUser(_ context.Context, fn func(string, []string) error) error {
	s.mu.Lock()
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		names, _ := s.UserRoles(context.Background(), id)
		if err := fn(id, names); err != nil {
			return err
		}
	}
	return nil
}

func noComma(name string) error {
	if strings.Contains(name, ",") {
		return driver.InvalidArgumentError("role", "no commas")
	}
	return nil
}

func newRoles(t *testing.T, users map[string][]string, seed ...string) (*Roles, *store) {
	t.Helper()
	s := &store{users: users}
	var roles []identity.Role
	for _, n := range seed {
		roles = append(roles, identity.Role{Name: n})
	}
	r, err := New(s, roles, noComma)
	require.NoError(t, err)
	return r, s
}

func TestChange(t *testing.T) {
	for _, c := range []struct {
		names   []string
		role    string
		add     bool
		want    []string
		changed bool
	}{
		{nil, "a", true, []string{"a"}, true},
		{[]string{"a"}, "a", true, []string{"a"}, false},
		{[]string{"b", "a"}, "c", true, []string{"a", "b", "c"}, true},
		{[]string{"a", "b"}, "a", false, []string{"b"}, true},
		{[]string{"a"}, "z", false, []string{"a"}, false},
		{[]string{"a", "a"}, "a", true, []string{"a"}, true},
		{[]string{"b", "a"}, "a", true, []string{"a", "b"}, true}, // sorted on the way
		{nil, "a", false, nil, false},
	} {
		got, changed := Change(c.names, c.role, c.add)
		assert.Equal(t, c.want, got, "%v %q %v", c.names, c.role, c.add)
		assert.Equal(t, c.changed, changed, "%v %q %v", c.names, c.role, c.add)
	}
}

func TestAssignAndRevoke(t *testing.T) {
	ctx := context.Background()
	r, s := newRoles(t, map[string][]string{"u1": nil}, "admin", "editor")

	require.NoError(t, r.AssignRole(ctx, "u1", "editor"))
	require.NoError(t, r.AssignRole(ctx, "u1", "editor"), "idempotent")
	require.NoError(t, r.AssignRole(ctx, "u1", "admin"))
	assert.Equal(t, []string{"admin", "editor"}, s.users["u1"])
	assert.Equal(t, 2, s.writes, "a role the user has is not written again")

	require.NoError(t, r.RevokeRole(ctx, "u1", "admin"))
	require.NoError(t, r.RevokeRole(ctx, "u1", "admin"), "idempotent")
	assert.Equal(t, []string{"editor"}, s.users["u1"])
	assert.Equal(t, 3, s.writes)

	got, err := r.ListUserRoles(ctx, "u1")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "editor", got[0].Name)
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	r, s := newRoles(t, map[string][]string{"u1": {"gone"}}, "admin")
	for name, err := range map[string]error{
		"assign to a missing user":       r.AssignRole(ctx, "nobody", "admin"),
		"assign a missing role":          r.AssignRole(ctx, "u1", "nope"),
		"revoke a missing role":          r.RevokeRole(ctx, "u1", "nope"),
		"revoke from a missing user":     r.RevokeRole(ctx, "nobody", "admin"),
		"list a missing user's roles":    func() error { _, err := r.ListUserRoles(ctx, "nobody"); return err }(),
		"delete a role there is none of": r.DeleteRole(ctx, "nope"),
	} {
		assert.ErrorIs(t, err, identity.ErrNotFound, name)
	}
	var e *identity.Error
	require.ErrorAs(t, r.AssignRole(ctx, "u1", "nope"), &e)
	assert.Equal(t, "nope", e.Role, "a missing role is named")
	require.ErrorAs(t, r.AssignRole(ctx, "nobody", "nope"), &e)
	assert.Empty(t, e.Role, "a missing user is reported before the role")

	// A name the catalogue no longer has is not listed, but can still
	// be revoked.
	got, err := r.ListUserRoles(ctx, "u1")
	require.NoError(t, err)
	assert.Empty(t, got)
	require.NoError(t, r.RevokeRole(ctx, "u1", "gone"))
	assert.Empty(t, s.users["u1"])
	assert.ErrorIs(t, r.AssignRole(ctx, "u1", "a,b"), identity.ErrInvalidArgument)
}

func TestCatalog(t *testing.T) {
	ctx := context.Background()
	r, s := newRoles(t, map[string][]string{"u1": {"admin", "editor"}, "u2": {"editor"}, "u3": nil}, "admin", "editor")
	_, err := r.CreateRole(ctx, identity.Role{Name: "admin"})
	assert.ErrorIs(t, err, identity.ErrAlreadyExists)
	_, err = r.CreateRole(ctx, identity.Role{Name: "x,y"})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
	role, err := r.CreateRole(ctx, identity.Role{Name: "viewer", Description: "reads"})
	require.NoError(t, err)
	assert.Equal(t, "reads", role.Description)
	list, err := r.ListRoles(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 3)

	require.NoError(t, r.DeleteRole(ctx, "editor"))
	assert.Equal(t, map[string][]string{"u1": {"admin"}, "u2": {}, "u3": nil}, s.users, "the role is taken from everyone, and no one else is written")
	assert.Equal(t, 2, s.writes)
	assert.ErrorIs(t, r.AssignRole(ctx, "u1", "editor"), identity.ErrNotFound)
}

func TestSeedIsChecked(t *testing.T) {
	_, err := New(&store{}, []identity.Role{{Name: "ok"}, {Name: "a,b"}}, noComma)
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.InvalidArgument, e.Code)
	assert.Equal(t, "a,b", e.Role)
}

// TestConcurrentChangesOfOneUser: the store would lose interleaved
// read-modify-writes; Lock keeps every one.
func TestConcurrentChangesOfOneUser(t *testing.T) {
	ctx := context.Background()
	const n = 32
	var seed []string
	for i := range n {
		seed = append(seed, fmt.Sprintf("r%02d", i))
	}
	r, s := newRoles(t, map[string][]string{"u1": nil}, seed...)
	var wg sync.WaitGroup
	for _, name := range seed {
		wg.Go(func() { assert.NoError(t, r.AssignRole(ctx, "u1", name)) })
	}
	wg.Wait()
	assert.Equal(t, seed, s.users["u1"])
}
