package okta_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupNames lists the names of the org's groups whose names start with
// prefix, through the directory's own client.
func groupNames(t *testing.T, dir *identity.Directory, prefix string) []string {
	t.Helper()
	var c *okta.Client
	require.True(t, dir.As(&c))
	var gs []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	}
	require.NoError(t, c.Do(t.Context(), "GET", "/api/v1/groups?q="+url.QueryEscape(prefix), nil, &gs))
	var out []string
	for _, g := range gs {
		out = append(out, g.Profile.Name)
	}
	return out
}

func roleNames(rs []*identity.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func orgNames(os []*identity.Organization) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name)
	}
	return out
}

func listOrgs(t *testing.T, ctx context.Context, dir *identity.Directory) []*identity.Organization {
	t.Helper()
	var out []*identity.Organization
	for o, err := range dir.ListOrganizations(ctx, identity.OrganizationListOptions{}) {
		require.NoError(t, err)
		out = append(out, o)
	}
	return out
}

// TestOrganizationsApartFromRoles: a group that is a role is no
// organization and an organization's group is no role, whichever way
// they are reached, in group mode with the default and another prefix.
func TestOrganizationsApartFromRoles(t *testing.T) {
	for _, tc := range []struct {
		name, prefix, group string
	}{
		{"default prefix", "", "org:acme"},
		{"own prefix", "tenant-", "tenant-acme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{OrganizationPrefix: tc.prefix})
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
			require.NoError(t, err)
			_, err = dir.CreateRole(ctx, identity.Role{Name: "editor"})
			require.NoError(t, err)
			o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme", Description: "Acme Inc."})
			require.NoError(t, err)
			assert.Equal(t, "acme", o.Name)
			assert.Equal(t, "Acme Inc.", o.Description)
			require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
			require.NoError(t, dir.AddMembers(ctx, o.ID, u.ID))
			assert.Contains(t, groupNames(t, dir, tc.group), tc.group, "the organization is a group named with the prefix")

			roles, err := dir.ListRoles(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"editor"}, roleNames(roles))
			roles, err = dir.ListUserRoles(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"editor"}, roleNames(roles))
			assert.Equal(t, []string{"acme"}, orgNames(listOrgs(t, ctx, dir)))
			os, err := dir.ListUserOrganizations(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"acme"}, orgNames(os))

			// The organization's group name is no role's.
			assert.ErrorIs(t, dir.AssignRole(ctx, u.ID, tc.group), identity.ErrNotFound)
			assert.ErrorIs(t, dir.RevokeRole(ctx, u.ID, tc.group), identity.ErrNotFound)
			assert.ErrorIs(t, dir.DeleteRole(ctx, tc.group), identity.ErrNotFound)
			_, err = dir.GetOrganization(ctx, o.ID)
			require.NoError(t, err, "DeleteRole left the organization alone")
		})
	}
}

// TestOrganizationCallsRefuseRoleGroups: an organization call given the
// id of a role's group is NotFound naming the organization, and leaves
// the group as it was.
func TestOrganizationCallsRefuseRoleGroups(t *testing.T) {
	ctx := t.Context()
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
	var c *okta.Client
	require.True(t, dir.As(&c))
	var gs []struct {
		ID string `json:"id"`
	}
	require.NoError(t, c.Do(ctx, "GET", "/api/v1/groups?q=editor", nil, &gs))
	require.Len(t, gs, 1)
	gid := gs[0].ID

	desc := "x"
	for name, call := range map[string]func() error{
		"GetOrganization": func() error { _, err := dir.GetOrganization(ctx, gid); return err },
		"UpdateOrganization": func() error {
			_, err := dir.UpdateOrganization(ctx, gid, identity.OrganizationUpdate{Description: &desc})
			return err
		},
		"DeleteOrganization": func() error { return dir.DeleteOrganization(ctx, gid) },
		"AddMembers":         func() error { return dir.AddMembers(ctx, gid, u.ID) },
		"RemoveMember":       func() error { return dir.RemoveMember(ctx, gid, u.ID) },
		"ListMembers": func() error {
			for _, err := range dir.ListMembers(ctx, gid, identity.MemberListOptions{}) {
				return err
			}
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, identity.ErrNotFound)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "organization", ie.Field)
		})
	}
	roles, err := dir.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"editor"}, roleNames(roles), "the role's group and membership are untouched")
}

// TestCreateRoleRefusesOrganizationPrefix: a role name that starts with
// the prefix, in any case, would be an organization's group.
func TestCreateRoleRefusesOrganizationPrefix(t *testing.T) {
	for _, tc := range []struct {
		prefix, role string
		refused      bool
	}{
		{"", "org:acme", true},
		{"", "ORG:acme", true},
		{"", "org:", true},
		{"", "org-acme", false},
		{"", "organizer", false},
		{"t_", "T_acme", true},
		{"t_", "org:acme", false},
	} {
		t.Run(tc.prefix+" "+tc.role, func(t *testing.T) {
			dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{OrganizationPrefix: tc.prefix})
			_, err := dir.CreateRole(t.Context(), identity.Role{Name: tc.role})
			if !tc.refused {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, identity.InvalidArgument)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "Role.Name", ie.Field)
			assert.Empty(t, groupNames(t, dir, tc.role), "no group was made")
		})
	}
}

// TestOrganizationPrefixOption: what New accepts as
// Options.OrganizationPrefix.
func TestOrganizationPrefixOption(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		ok     bool
	}{
		{"", true}, // the default
		{"org:", true},
		{"tenant-", true},
		{"[org]", true},
		{strings.Repeat("p", okta.MaxOrganizationPrefixLen), true},
		{strings.Repeat("p", okta.MaxOrganizationPrefixLen+1), false},
		{"org ", false},
		{"a\tb", false},
		{"\x00", false},
		{"org\x7f", false},
		{"örg:", false},
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			_, err := okta.New(t.Context(), okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t", OrganizationPrefix: tc.prefix})
			if tc.ok {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, identity.InvalidArgument)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "OrganizationPrefix", ie.Field)
		})
	}
}

// TestOrganizationPrefixURL: org_prefix sets the prefix, and an empty or
// malformed one is refused.
func TestOrganizationPrefixURL(t *testing.T) {
	ctx := t.Context()
	_, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	host := strings.TrimPrefix(srv.URL, "http://")
	mux := new(identity.URLMux)
	mux.Register(okta.Scheme, &okta.URLOpener{Options: okta.Options{APIToken: testToken}})
	for _, tc := range []struct {
		query string
		ok    bool
	}{
		{"org_prefix=tenant-", true},
		{"org_prefix=", false},
		{"org_prefix=a%20b", false},
	} {
		t.Run(tc.query, func(t *testing.T) {
			dir, err := mux.Open(ctx, "okta://"+host+"?insecure_http=true&"+tc.query)
			if !tc.ok {
				requireCode(t, err, identity.InvalidArgument)
				return
			}
			require.NoError(t, err)
			_, err = dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme"})
			require.NoError(t, err)
			assert.Equal(t, []string{"tenant-acme"}, groupNames(t, dir, "tenant-"))
		})
	}
}

// TestAddMembersMissingUserAddsNobody: Okta adds one member per call, so
// every user is checked before any is added.
func TestAddMembersMissingUserAddsNobody(t *testing.T) {
	ctx := t.Context()
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	var ids []string
	for _, e := range []string{"ada@example.com", "bob@example.com"} {
		u, err := dir.CreateUser(ctx, identity.NewUser{Email: e})
		require.NoError(t, err)
		ids = append(ids, u.ID)
	}
	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme"})
	require.NoError(t, err)
	const missingUser = "00u0000000000000000"
	err = dir.AddMembers(ctx, o.ID, ids[0], missingUser, ids[1])
	require.ErrorIs(t, err, identity.ErrNotFound)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "user", ie.Field)
	assert.Equal(t, missingUser, ie.UserID)
	for u, err := range dir.ListMembers(ctx, o.ID, identity.MemberListOptions{}) {
		require.NoError(t, err)
		t.Errorf("%s was added", u.ID)
	}
	require.NoError(t, dir.AddMembers(ctx, o.ID, ids...))
	var got []string
	for u, err := range dir.ListMembers(ctx, o.ID, identity.MemberListOptions{}) {
		require.NoError(t, err)
		got = append(got, u.ID)
	}
	slices.Sort(got)
	slices.Sort(ids)
	assert.Equal(t, ids, got)
}
