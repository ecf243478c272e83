package logto_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMachineRolesAreNotRoles checks that a machine-to-machine role, which
// ListRoles leaves out, is answered as a missing role by every call that
// names a role, from a cold cache and a warm one, while a User role of
// the same tenant works; and that none of the calls touches it.
func TestMachineRolesAreNotRoles(t *testing.T) {
	ctx := context.Background()
	c, dir, _ := logtoClient(t, logtotest.Options{AppID: "m2m", AppSecret: "fidelity-secret"}, nil)
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "ada"})
	require.NoError(t, err)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	var m2m struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	require.NoError(t, c.Do(ctx, "POST", "/api/roles", map[string]string{"name": "robots", "description": "apps only", "type": "MachineToMachine"}, &m2m))
	require.Equal(t, "MachineToMachine", m2m.Type)

	roles, err := dir.ListRoles(ctx)
	require.NoError(t, err)
	require.Len(t, roles, 1)
	assert.Equal(t, "editor", roles[0].Name)

	calls := []struct {
		name string
		call func(role string) error
	}{
		{"AssignRole", func(role string) error { return dir.AssignRole(ctx, u.ID, role) }},
		{"RevokeRole", func(role string) error { return dir.RevokeRole(ctx, u.ID, role) }},
		{"DeleteRole", func(role string) error { return dir.DeleteRole(ctx, role) }},
	}
	for _, cache := range []string{"cold", "warm"} {
		for _, tc := range calls {
			t.Run(cache+"/"+tc.name, func(t *testing.T) {
				if cache == "warm" {
					require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"), "resolving a User role fills the cache")
				}
				err := tc.call("robots")
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, identity.NotFound, ie.Code, "%v", err)
				assert.Equal(t, "robots", ie.Role)
				assert.Equal(t, tc.name, ie.Op)
			})
		}
	}
	mine, err := dir.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, "editor", mine[0].Name)
	var still struct {
		Type string `json:"type"`
	}
	require.NoError(t, c.Do(ctx, "GET", "/api/roles/"+m2m.ID, nil, &still), "the machine role was left alone")
	assert.Equal(t, "MachineToMachine", still.Type)
	assert.NoError(t, dir.RevokeRole(ctx, u.ID, "editor"), "a User role still works")
}
