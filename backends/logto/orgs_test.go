package logto_test

import (
	"context"
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireMissing checks that err is NotFound naming field, and userID
// when it is set.
func requireMissing(t *testing.T, err error, field, userID string) {
	t.Helper()
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.NotFound, ie.Code, "%v", err)
	assert.Equal(t, field, ie.Field, "Field names what is missing: %v", err)
	if userID != "" {
		assert.Equal(t, userID, ie.UserID, "%v", err)
	}
}

// TestMissingParents: Logto answers a missing organization or user under
// the organization endpoints with a foreign-key error, require_membership,
// a 404 shared with a non-member, or an empty list; each call names what
// is missing.
func TestMissingParents(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme"})
	require.NoError(t, err)
	ada, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	grace, err := dir.CreateUser(ctx, identity.NewUser{Email: "grace@example.com"})
	require.NoError(t, err)
	_, err = dir.CreateOrganizationRole(ctx, identity.OrganizationRole{Name: "admin"})
	require.NoError(t, err)
	const missing = "abc123def456"

	for _, c := range []struct {
		name, field, user string
		call              func() error
	}{
		{"AddMembers, organization", "organization", "", func() error { return dir.AddMembers(ctx, missing, ada.ID) }},
		{"AddMembers, one user of several", "user", missing, func() error { return dir.AddMembers(ctx, o.ID, ada.ID, missing, grace.ID) }},
		{"RemoveMember, organization", "organization", "", func() error { return dir.RemoveMember(ctx, missing, ada.ID) }},
		{"RemoveMember, user", "user", "", func() error { return dir.RemoveMember(ctx, o.ID, missing) }},
		{"ListMembers, organization", "organization", "", func() error {
			for _, err := range dir.ListMembers(ctx, missing, identity.MemberListOptions{}) {
				return err
			}
			return nil
		}},
		{"ListUserOrganizations, user", "user", "", func() error { _, err := dir.ListUserOrganizations(ctx, missing); return err }},
		{"AssignOrganizationRole, organization", "organization", "", func() error { return dir.AssignOrganizationRole(ctx, missing, ada.ID, "admin") }},
		{"AssignOrganizationRole, user", "user", "", func() error { return dir.AssignOrganizationRole(ctx, o.ID, missing, "admin") }},
		{"ListMemberPermissions, organization", "organization", "", func() error { _, err := dir.ListMemberPermissions(ctx, missing, ada.ID); return err }},
		{"UpdateOrganization, organization", "organization", "", func() error {
			_, err := dir.UpdateOrganization(ctx, missing, identity.OrganizationUpdate{Name: new("x")})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) { requireMissing(t, c.call(), c.field, c.user) })
	}
	members := 0
	for _, err := range dir.ListMembers(ctx, o.ID, identity.MemberListOptions{}) {
		require.NoError(t, err)
		members++
	}
	assert.Zero(t, members, "a refused AddMembers adds none")
	require.NoError(t, dir.RemoveMember(ctx, o.ID, ada.ID), "removing a non-member of an organization that exists succeeds")
	err = dir.AssignOrganizationRole(ctx, o.ID, ada.ID, "admin")
	assert.ErrorIs(t, err, identity.ErrFailedPrecondition, "a user who exists but is no member")
}

// TestMachineToMachineOrganizationRole: an organization role of type
// MachineToMachine is no role of users; every call treats its name as a
// name no role has.
func TestMachineToMachineOrganizationRole(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	var c *logto.Client
	require.True(t, dir.As(&c))
	require.NoError(t, c.Do(ctx, "POST", "/api/organization-roles", map[string]any{
		"name": "machines", "type": "MachineToMachine", "organizationScopeIds": []string{}, "resourceScopeIds": []string{},
	}, nil))
	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme"})
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	require.NoError(t, dir.AddMembers(ctx, o.ID, u.ID))

	roles, err := dir.ListOrganizationRoles(ctx)
	require.NoError(t, err)
	assert.Empty(t, roles, "machine roles are left out")
	for name, call := range map[string]func() error{
		"AssignOrganizationRole": func() error { return dir.AssignOrganizationRole(ctx, o.ID, u.ID, "machines") },
		"RevokeOrganizationRole": func() error { return dir.RevokeOrganizationRole(ctx, o.ID, u.ID, "machines") },
		"SetMemberRoles":         func() error { return dir.SetMemberRoles(ctx, o.ID, u.ID, "machines") },
		"DeleteOrganizationRole": func() error { return dir.DeleteOrganizationRole(ctx, "machines") },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			requireMissing(t, err, "role", "")
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "machines", ie.Role)
		})
	}
}

// TestOrganizationMapping: what Logto stores where, the client-side name
// filter over Logto's ILIKE, and the metadata merge over a PATCH that
// replaces customData.
func TestOrganizationMapping(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "a_c", Description: "d", Metadata: map[string]any{"plan": "pro", "seats": 3}})
	require.NoError(t, err)
	assert.Equal(t, "d", o.Description)
	assert.False(t, o.CreatedAt.IsZero())
	assert.Contains(t, string(o.Raw), `"customData"`)
	other, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "abc"})
	require.NoError(t, err)
	same, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "a_c"})
	require.NoError(t, err, "Logto allows duplicate names")
	assert.NotEqual(t, o.ID, same.ID)

	names := func(q string) []string {
		var out []string
		for got, err := range dir.ListOrganizations(ctx, identity.OrganizationListOptions{Query: q}) {
			require.NoError(t, err)
			out = append(out, got.ID)
		}
		slices.Sort(out)
		return out
	}
	want := []string{o.ID, same.ID}
	slices.Sort(want)
	for q, want := range map[string][]string{
		"a_c":    want, // Logto's '_' matches any character: "abc" is filtered out here
		"A_C":    want,
		other.ID: nil, // Logto matches ids too; the query is on names
	} {
		assert.Equal(t, want, names(q), "query %q", q)
	}

	got, err := dir.UpdateOrganization(ctx, o.ID, identity.OrganizationUpdate{Description: new(""), Metadata: map[string]any{"seats": nil, "region": "eu"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"plan": "pro", "region": "eu"}, got.Metadata, "the keys not named are kept")
	assert.Empty(t, got.Description)
}

// TestOrganizationRolePermissions: permissions become organization
// scopes, made once by name and shared between roles.
func TestOrganizationRolePermissions(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	_, err := dir.CreateOrganizationRole(ctx, identity.OrganizationRole{Name: "admin", Permissions: []string{"read", "write"}})
	require.NoError(t, err)
	_, err = dir.CreateOrganizationRole(ctx, identity.OrganizationRole{Name: "viewer", Description: "reads", Permissions: []string{"read"}})
	require.NoError(t, err)
	var c *logto.Client
	require.True(t, dir.As(&c))
	var scopes []struct{ Name string }
	require.NoError(t, c.Do(ctx, "GET", "/api/organization-scopes", nil, &scopes))
	assert.Len(t, scopes, 2, "one scope per permission name")

	roles, err := dir.ListOrganizationRoles(ctx)
	require.NoError(t, err)
	require.Len(t, roles, 2)
	assert.Equal(t, identity.OrganizationRole{Name: "admin", Permissions: []string{"read", "write"}}, *roles[0])
	assert.Equal(t, identity.OrganizationRole{Name: "viewer", Description: "reads", Permissions: []string{"read"}}, *roles[1])

	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme"})
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	require.NoError(t, dir.AddMembers(ctx, o.ID, u.ID))
	require.NoError(t, dir.SetMemberRoles(ctx, o.ID, u.ID, "viewer", "admin"))
	perms, err := dir.ListMemberPermissions(ctx, o.ID, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"read", "write"}, perms)
	held, err := dir.ListMemberRoles(ctx, o.ID, u.ID)
	require.NoError(t, err)
	require.Len(t, held, 2)
	assert.Equal(t, []string{"read", "write"}, held[0].Permissions, "a member's roles carry their permissions")
}
