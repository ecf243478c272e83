package conformance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// missingOrgID is well-formed for every backend and names no organization.
const missingOrgID = "zz0000notanorg0000zz"

// orgName returns an organization name unique to this subtest, so that
// listing by a Query of the tag finds this subtest's organizations only.
func (e *env) orgName(name string) string { return "org-" + name + "-" + e.tag }

// orgRoleName returns an organization role name unique to this subtest.
func (e *env) orgRoleName(name string) string { return "orgrole-" + name + "-" + e.tag }

func (e *env) createOrg(name string) *identity.Organization {
	e.t.Helper()
	o, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName(name)})
	require.NoError(e.t, err, "CreateOrganization")
	require.NotNil(e.t, o)
	require.NotEmpty(e.t, o.ID, "created organization has no ID")
	require.Equal(e.t, e.orgName(name), o.Name)
	return o
}

func (e *env) getOrg(id string) *identity.Organization {
	e.t.Helper()
	o, err := e.dir.GetOrganization(e.ctx, id)
	require.NoError(e.t, err, "GetOrganization")
	return o
}

func (e *env) createOrgRole(name string, perms ...string) string {
	e.t.Helper()
	r, err := e.dir.CreateOrganizationRole(e.ctx, identity.OrganizationRole{
		Name: e.orgRoleName(name), Description: "conformance " + name, Permissions: perms,
	})
	require.NoError(e.t, err, "CreateOrganizationRole")
	require.Equal(e.t, e.orgRoleName(name), r.Name)
	return r.Name
}

// orgWithMember creates an organization and a user "u" who is its one
// member, the start of most membership subtests.
func (e *env) orgWithMember(name string) (*identity.Organization, *identity.User) {
	e.t.Helper()
	o := e.createOrg(name)
	u := e.create(e.newUser("u"))
	e.addMembers(o.ID, u.ID)
	return o, u
}

func (e *env) addMembers(orgID string, userIDs ...string) {
	e.t.Helper()
	require.NoError(e.t, e.dir.AddMembers(e.ctx, orgID, userIDs...), "AddMembers")
}

// members returns the ids of the organization's members, sorted.
func (e *env) members(orgID string) []string {
	e.t.Helper()
	var out []string
	for u, err := range e.dir.ListMembers(e.ctx, orgID, identity.MemberListOptions{}) {
		require.NoError(e.t, err, "ListMembers")
		out = append(out, u.ID)
	}
	slices.Sort(out)
	return out
}

// userOrgs returns the ids of the organizations the user is a member of,
// in the order listed.
func (e *env) userOrgs(userID string) []string {
	e.t.Helper()
	os, err := e.dir.ListUserOrganizations(e.ctx, userID)
	require.NoError(e.t, err, "ListUserOrganizations")
	out := make([]string, 0, len(os))
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

// memberRoles returns the names of the member's roles in the
// organization, in the order listed.
func (e *env) memberRoles(orgID, userID string) []string {
	e.t.Helper()
	rs, err := e.dir.ListMemberRoles(e.ctx, orgID, userID)
	require.NoError(e.t, err, "ListMemberRoles")
	return orgRoleNames(rs)
}

func orgRoleNames(rs []*identity.OrganizationRole) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// orgRolesWithTag keeps the organization roles this subtest made, in the
// order given: a live tenant's catalogue holds others.
func (e *env) orgRolesWithTag(rs []*identity.OrganizationRole) []*identity.OrganizationRole {
	var out []*identity.OrganizationRole
	for _, r := range rs {
		if strings.HasSuffix(r.Name, "-"+e.tag) {
			out = append(out, r)
		}
	}
	return out
}

// orgsWithTag lists, with ListOrganizationsPage, the organizations whose
// name holds this subtest's tag, page by page at pageSize, and returns
// them and the number of pages.
func (e *env) orgsWithTag(pageSize int) ([]*identity.Organization, int) {
	e.t.Helper()
	opts := identity.OrganizationListOptions{Query: e.tag, PageSize: pageSize}
	var out []*identity.Organization
	cursor, pages := "", 0
	for {
		pg, err := e.dir.ListOrganizationsPage(e.ctx, opts, cursor)
		require.NoError(e.t, err, "ListOrganizationsPage")
		if pageSize > 0 {
			require.LessOrEqual(e.t, len(pg.Organizations), pageSize, "page larger than PageSize")
		}
		pages++
		require.Less(e.t, pages, 100, "pagination does not end")
		out = append(out, pg.Organizations...)
		if pg.NextCursor == "" {
			return out, pages
		}
		require.NotEqual(e.t, cursor, pg.NextCursor, "the cursor does not move")
		cursor = pg.NextCursor
	}
}

func orgIDs(os []*identity.Organization) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	slices.Sort(out)
	return out
}

// requireMissing checks err is NotFound naming what is missing (field:
// "organization", "user" or "role") and the organization called on.
func requireMissing(t *testing.T, err error, field, orgID string, msgAndArgs ...any) {
	t.Helper()
	requireCode(t, err, identity.NotFound, msgAndArgs...)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, field, ie.Field, "Error.Field names what is missing: %v", err)
	if orgID != "" {
		assert.Equal(t, orgID, ie.Organization, "Error.Organization names the organization called on: %v", err)
	}
}

// requireUnsupported checks err is Unsupported naming what, the
// operation or the field the backend cannot carry.
func requireUnsupported(t *testing.T, err error, op, what string) {
	t.Helper()
	requireCode(t, err, identity.Unsupported, op)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, what, ie.Field, "the error names what is unsupported")
	assert.Equal(t, op, ie.Op)
}

// firstErr returns the first error an iterator yields, or nil.
func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// orgIfAny is an organization of this subtest that has u as a member
// where on, the capability of the call it is for, holds; and a
// well-formed id of none where it does not, since the call is then
// refused unseen and making an organization would send requests.
func (e *env) orgIfAny(on func(identity.Capabilities) bool, u *identity.User) string {
	e.t.Helper()
	if !on(e.caps) {
		return missingOrgID
	}
	o := e.createOrg("gate")
	e.addMembers(o.ID, u.ID)
	return o.ID
}

// orgRoleIfAny is an organization role of this subtest where the backend
// has them, and a well-formed name where it has not.
func (e *env) orgRoleIfAny(name string) string {
	if e.caps.OrganizationRoles {
		return e.createOrgRole(name)
	}
	return e.orgRoleName(name)
}

func hasOrgs(c identity.Capabilities) bool     { return c.Organizations }
func hasOrgRoles(c identity.Capabilities) bool { return c.OrganizationRoles }
func hasOrgPerms(c identity.Capabilities) bool { return c.OrganizationPermissions }

// orgGates are the organization operations, for Gates and for the
// Unsupported subtests of Organizations: each makes a well-formed call
// that must succeed where its capability is on.
var orgGates = []gate{
	{"CreateOrganization", hasOrgs, func(e *env, _ *identity.User) error {
		_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("gate")})
		return err
	}},
	{"GetOrganization", hasOrgs, func(e *env, u *identity.User) error {
		_, err := e.dir.GetOrganization(e.ctx, e.orgIfAny(hasOrgs, u))
		return err
	}},
	{"ListOrganizationsPage", hasOrgs, func(e *env, _ *identity.User) error {
		_, err := e.dir.ListOrganizationsPage(e.ctx, identity.OrganizationListOptions{Query: e.tag}, "")
		return err
	}},
	{"ListOrganizations", hasOrgs, func(e *env, _ *identity.User) error {
		return firstErr(e.dir.ListOrganizations(e.ctx, identity.OrganizationListOptions{Query: e.tag}))
	}},
	{"UpdateOrganization", hasOrgs, func(e *env, u *identity.User) error {
		_, err := e.dir.UpdateOrganization(e.ctx, e.orgIfAny(hasOrgs, u), identity.OrganizationUpdate{Description: ptr("gate")})
		return err
	}},
	{"DeleteOrganization", hasOrgs, func(e *env, u *identity.User) error {
		return e.dir.DeleteOrganization(e.ctx, e.orgIfAny(hasOrgs, u))
	}},
	{"AddMembers", hasOrgs, func(e *env, u *identity.User) error {
		return e.dir.AddMembers(e.ctx, e.orgIfAny(hasOrgs, u), u.ID)
	}},
	{"RemoveMember", hasOrgs, func(e *env, u *identity.User) error {
		return e.dir.RemoveMember(e.ctx, e.orgIfAny(hasOrgs, u), u.ID)
	}},
	{"ListMembers", hasOrgs, func(e *env, u *identity.User) error {
		return firstErr(e.dir.ListMembers(e.ctx, e.orgIfAny(hasOrgs, u), identity.MemberListOptions{}))
	}},
	{"ListUserOrganizations", hasOrgs, func(e *env, u *identity.User) error {
		_, err := e.dir.ListUserOrganizations(e.ctx, u.ID)
		return err
	}},
	{"CreateOrganizationRole", hasOrgRoles, func(e *env, _ *identity.User) error {
		_, err := e.dir.CreateOrganizationRole(e.ctx, identity.OrganizationRole{Name: e.orgRoleName("gate")})
		return err
	}},
	{"ListOrganizationRoles", hasOrgRoles, func(e *env, _ *identity.User) error {
		_, err := e.dir.ListOrganizationRoles(e.ctx)
		return err
	}},
	{"DeleteOrganizationRole", hasOrgRoles, func(e *env, _ *identity.User) error {
		return e.dir.DeleteOrganizationRole(e.ctx, e.orgRoleIfAny("gone"))
	}},
	{"AssignOrganizationRole", hasOrgRoles, func(e *env, u *identity.User) error {
		return e.dir.AssignOrganizationRole(e.ctx, e.orgIfAny(hasOrgRoles, u), u.ID, e.orgRoleIfAny("gate"))
	}},
	{"RevokeOrganizationRole", hasOrgRoles, func(e *env, u *identity.User) error {
		return e.dir.RevokeOrganizationRole(e.ctx, e.orgIfAny(hasOrgRoles, u), u.ID, e.orgRoleIfAny("gate"))
	}},
	{"ListMemberRoles", hasOrgRoles, func(e *env, u *identity.User) error {
		_, err := e.dir.ListMemberRoles(e.ctx, e.orgIfAny(hasOrgRoles, u), u.ID)
		return err
	}},
	{"SetMemberRoles", hasOrgRoles, func(e *env, u *identity.User) error {
		return e.dir.SetMemberRoles(e.ctx, e.orgIfAny(hasOrgRoles, u), u.ID, e.orgRoleIfAny("gate"))
	}},
	{"ListMemberPermissions", hasOrgPerms, func(e *env, u *identity.User) error {
		_, err := e.dir.ListMemberPermissions(e.ctx, e.orgIfAny(hasOrgPerms, u), u.ID)
		return err
	}},
}

// testUnsupportedOrgGates checks, in one subtest, that every operation of
// orgGates that off selects is Unsupported naming it, with no request.
func testUnsupportedOrgGates(t *testing.T, h Harness, off func(identity.Capabilities) bool) {
	e := newEnv(t, h)
	u := e.create(e.newUser("unsup"))
	n := 0
	for _, g := range orgGates {
		if g.on(e.caps) || !off(e.caps) {
			continue
		}
		n++
		err := e.requireNoRequest(g.op, func() error { return g.call(e, u) })
		requireUnsupported(t, err, g.op, g.op)
	}
	require.NotZero(t, n, "no operation to check")
}

func testOrganizations(t *testing.T, h Harness) {
	c := h.Capabilities()
	if !c.Organizations {
		t.Run("Unsupported", func(t *testing.T) {
			testUnsupportedOrgGates(t, h, func(c identity.Capabilities) bool { return !c.Organizations })
		})
		return
	}
	testOrgCRUD(t, h)
	testOrgList(t, h)
	testOrgMembers(t, h)
	testOrgBadInput(t, h)
	testOrgConcurrency(t, h)
	if !c.OrganizationRoles {
		t.Run("RolesUnsupported", func(t *testing.T) {
			testUnsupportedOrgGates(t, h, func(c identity.Capabilities) bool { return !c.OrganizationRoles })
		})
		return
	}
	testOrgRoles(t, h)
	testOrgRoleConcurrency(t, h)
	if !c.OrganizationPermissions {
		t.Run("PermissionsUnsupported", func(t *testing.T) {
			testUnsupportedOrgGates(t, h, func(c identity.Capabilities) bool { return !c.OrganizationPermissions })
			e := newEnv(t, h)
			r := identity.OrganizationRole{Name: e.orgRoleName("perms"), Permissions: []string{"read"}}
			err := e.requireNoRequest("CreateOrganizationRole with permissions", func() error {
				_, err := e.dir.CreateOrganizationRole(e.ctx, r)
				return err
			})
			requireUnsupported(t, err, "CreateOrganizationRole", "OrganizationRole.Permissions")
			rs, err := e.dir.ListOrganizationRoles(e.ctx)
			require.NoError(t, err)
			assert.NotContains(t, orgRoleNames(rs), r.Name, "the refused role was not created")
		})
		return
	}
	testOrgPermissions(t, h)
}

func testOrgCRUD(t *testing.T, h Harness) {
	t.Run("Create", func(t *testing.T) {
		e := newEnv(t, h)
		no := identity.NewOrganization{Name: e.orgName("acme"), Description: "Acme Corporation"}
		if e.caps.OrganizationMetadata {
			no.Metadata = map[string]any{"plan": "pro", "seats": float64(3), "beta": true}
		}
		o, err := e.dir.CreateOrganization(e.ctx, no)
		require.NoError(t, err)
		require.NotEmpty(t, o.ID)
		assert.Equal(t, no.Name, o.Name)
		assert.Equal(t, no.Description, o.Description)
		assert.Equal(t, normalize(no.Metadata), normalize(o.Metadata))
		assert.False(t, o.CreatedAt.IsZero(), "CreatedAt")
		got := e.getOrg(o.ID)
		assert.Equal(t, o.ID, got.ID)
		assert.Equal(t, no.Name, got.Name)
		assert.Equal(t, no.Description, got.Description)
		assert.Equal(t, normalize(no.Metadata), normalize(got.Metadata))
		assert.True(t, o.CreatedAt.Equal(got.CreatedAt), "CreatedAt: created %v, got %v", o.CreatedAt, got.CreatedAt)
	})
	t.Run("CreateNameOnly", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("plain")
		got := e.getOrg(o.ID)
		assert.Empty(t, got.Description)
		assert.Empty(t, got.Metadata)
	})
	t.Run("CreateDoesNotKeepCallersMap", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.OrganizationMetadata {
			t.Skip("organizations carry no metadata here: MetadataUnsupported checks Unsupported")
		}
		md := map[string]any{"plan": "free"}
		o, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("alias"), Metadata: md})
		require.NoError(t, err)
		md["plan"] = "changed after the call"
		assert.Equal(t, "free", e.getOrg(o.ID).Metadata["plan"], "the directory kept the caller's map")
	})
	t.Run("MetadataUnsupported", func(t *testing.T) {
		e := newEnv(t, h)
		if e.caps.OrganizationMetadata {
			t.Skip("organizations carry metadata here: Create and UpdateMetadataMerge check it")
		}
		md := map[string]any{"plan": "free"}
		err := e.requireNoRequest("CreateOrganization with metadata", func() error {
			_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("md"), Metadata: md})
			return err
		})
		requireUnsupported(t, err, "CreateOrganization", "NewOrganization.Metadata")
		o := e.createOrg("plain")
		err = e.requireNoRequest("UpdateOrganization with metadata", func() error {
			_, err := e.dir.UpdateOrganization(e.ctx, o.ID, identity.OrganizationUpdate{Metadata: md})
			return err
		})
		requireUnsupported(t, err, "UpdateOrganization", "OrganizationUpdate.Metadata")
		orgs, _ := e.orgsWithTag(0)
		assert.Equal(t, []string{o.ID}, orgIDs(orgs), "the refused create made nothing")
	})
	t.Run("GetNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.GetOrganization(e.ctx, missingOrgID)
		requireMissing(t, err, "organization", missingOrgID)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "GetOrganization", ie.Op)
		assert.NotEmpty(t, ie.Backend)
	})
	t.Run("Update", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			u    func(e *env) identity.OrganizationUpdate
			want func(e *env, o *identity.Organization)
		}{
			{"Name", func(e *env) identity.OrganizationUpdate {
				return identity.OrganizationUpdate{Name: ptr(e.orgName("renamed"))}
			}, func(e *env, o *identity.Organization) { o.Name = e.orgName("renamed") }},
			{"Description", func(*env) identity.OrganizationUpdate {
				return identity.OrganizationUpdate{Description: ptr("new words")}
			}, func(_ *env, o *identity.Organization) { o.Description = "new words" }},
			{"ClearDescription", func(*env) identity.OrganizationUpdate {
				return identity.OrganizationUpdate{Description: ptr("")}
			}, func(_ *env, o *identity.Organization) { o.Description = "" }},
			{"Both", func(e *env) identity.OrganizationUpdate {
				return identity.OrganizationUpdate{Name: ptr(e.orgName("both")), Description: ptr("both")}
			}, func(e *env, o *identity.Organization) { o.Name, o.Description = e.orgName("both"), "both" }},
			{"Nothing", func(*env) identity.OrganizationUpdate { return identity.OrganizationUpdate{} },
				func(*env, *identity.Organization) {}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, h)
				no := identity.NewOrganization{Name: e.orgName("upd"), Description: "old words"}
				if e.caps.OrganizationMetadata {
					no.Metadata = map[string]any{"plan": "free"}
				}
				o, err := e.dir.CreateOrganization(e.ctx, no)
				require.NoError(t, err)
				want := *o
				tc.want(e, &want)
				got, err := e.dir.UpdateOrganization(e.ctx, o.ID, tc.u(e))
				require.NoError(t, err)
				for what, g := range map[string]*identity.Organization{"returned": got, "stored": e.getOrg(o.ID)} {
					assert.Equal(t, want.ID, g.ID, what)
					assert.Equal(t, want.Name, g.Name, "%s Name", what)
					assert.Equal(t, want.Description, g.Description, "%s Description", what)
					assert.Equal(t, normalize(want.Metadata), normalize(g.Metadata), "%s Metadata: other fields stay", what)
				}
			})
		}
	})
	t.Run("UpdateMetadataMerge", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.OrganizationMetadata {
			t.Skip("organizations carry no metadata here: MetadataUnsupported checks Unsupported")
		}
		o, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{
			Name: e.orgName("md"), Metadata: map[string]any{"plan": "free", "seats": float64(3), "region": "eu"},
		})
		require.NoError(t, err)
		got, err := e.dir.UpdateOrganization(e.ctx, o.ID, identity.OrganizationUpdate{
			Metadata: map[string]any{"plan": "pro", "seats": nil, "beta": true},
		})
		require.NoError(t, err)
		want := map[string]any{"plan": "pro", "region": "eu", "beta": true}
		assert.Equal(t, want, got.Metadata, "changed, removed, kept and added key by key")
		assert.Equal(t, want, e.getOrg(o.ID).Metadata)
		_, err = e.dir.UpdateOrganization(e.ctx, o.ID, identity.OrganizationUpdate{Metadata: map[string]any{"absent": nil}})
		require.NoError(t, err, "removing a key that is not there")
		assert.Equal(t, want, e.getOrg(o.ID).Metadata)
	})
	t.Run("UpdateNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.UpdateOrganization(e.ctx, missingOrgID, identity.OrganizationUpdate{Description: ptr("x")})
		requireMissing(t, err, "organization", missingOrgID)
		_, err = e.dir.UpdateOrganization(e.ctx, missingOrgID, identity.OrganizationUpdate{})
		requireMissing(t, err, "organization", missingOrgID, "an empty update of no organization")
	})
	t.Run("Delete", func(t *testing.T) {
		e := newEnv(t, h)
		keep, gone := e.createOrg("keep"), e.createOrg("gone")
		require.NoError(t, e.dir.DeleteOrganization(e.ctx, gone.ID))
		_, err := e.dir.GetOrganization(e.ctx, gone.ID)
		requireMissing(t, err, "organization", gone.ID)
		requireMissing(t, e.dir.DeleteOrganization(e.ctx, gone.ID), "organization", gone.ID, "deleting twice")
		orgs, _ := e.orgsWithTag(0)
		assert.Equal(t, []string{keep.ID}, orgIDs(orgs), "only the deleted organization is gone")
	})
	t.Run("DeleteNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		requireMissing(t, e.dir.DeleteOrganization(e.ctx, missingOrgID), "organization", missingOrgID)
	})
	t.Run("DuplicateName", func(t *testing.T) {
		e := newEnv(t, h)
		first := e.createOrg("dup")
		_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("dup")})
		if e.caps.UniqueOrganizationName {
			requireCode(t, err, identity.AlreadyExists, "a taken organization name")
			orgs, _ := e.orgsWithTag(0)
			assert.Equal(t, []string{first.ID}, orgIDs(orgs), "the refused create made nothing")
			return
		}
		require.NoError(t, err, "organization names need not be unique here (UniqueOrganizationName is false)")
		orgs, _ := e.orgsWithTag(0)
		require.Len(t, orgs, 2, "both organizations of the same name are listed")
		assert.NotEqual(t, orgs[0].ID, orgs[1].ID)
	})
	t.Run("RenameToTakenName", func(t *testing.T) {
		e := newEnv(t, h)
		a, b := e.createOrg("a"), e.createOrg("b")
		_, err := e.dir.UpdateOrganization(e.ctx, b.ID, identity.OrganizationUpdate{Name: &a.Name, Description: ptr("moved")})
		if !e.caps.UniqueOrganizationName {
			require.NoError(t, err, "organization names need not be unique here")
			assert.Equal(t, a.Name, e.getOrg(b.ID).Name)
			return
		}
		requireCode(t, err, identity.AlreadyExists)
		got := e.getOrg(b.ID)
		assert.Equal(t, b.Name, got.Name, "the refused rename changed nothing")
		assert.Empty(t, got.Description, "the refused rename changed nothing")
	})
	t.Run("RenameToOwnName", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("self")
		// An organization does not share a name with itself.
		got, err := e.dir.UpdateOrganization(e.ctx, o.ID, identity.OrganizationUpdate{Name: &o.Name, Description: ptr("same")})
		require.NoError(t, err)
		assert.Equal(t, o.Name, got.Name)
		assert.Equal(t, "same", got.Description)
	})
	t.Run("NameFreedByDelete", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("reuse")
		require.NoError(t, e.dir.DeleteOrganization(e.ctx, o.ID))
		again := e.createOrg("reuse")
		assert.NotEqual(t, o.ID, again.ID, "a new organization has a new id")
	})
}

func testOrgList(t *testing.T, h Harness) {
	t.Run("ListPages", func(t *testing.T) {
		e := newEnv(t, h)
		var want []string
		for i := range 7 {
			want = append(want, e.createOrg(fmt.Sprintf("page%d", i)).ID)
		}
		got, pages := e.orgsWithTag(2)
		assert.GreaterOrEqual(t, pages, 4, "7 organizations at 2 a page take at least 4 pages")
		assert.Len(t, got, len(want), "each organization exactly once")
		slices.Sort(want)
		assert.Equal(t, want, orgIDs(got), "no gap, no repeat")
	})
	t.Run("ListIterator", func(t *testing.T) {
		e := newEnv(t, h)
		var want []string
		for i := range 5 {
			want = append(want, e.createOrg(fmt.Sprintf("it%d", i)).ID)
		}
		var got []string
		for o, err := range e.dir.ListOrganizations(e.ctx, identity.OrganizationListOptions{Query: e.tag, PageSize: 2}) {
			require.NoError(t, err)
			require.NotNil(t, o)
			got = append(got, o.ID)
		}
		assert.ElementsMatch(t, want, got)
	})
	t.Run("ListIteratorStopEarly", func(t *testing.T) {
		e := newEnv(t, h)
		for i := range 5 {
			e.createOrg(fmt.Sprintf("stop%d", i))
		}
		n := 0
		for o, err := range e.dir.ListOrganizations(e.ctx, identity.OrganizationListOptions{Query: e.tag, PageSize: 2}) {
			require.NoError(t, err)
			require.NotNil(t, o)
			if n++; n == 3 {
				break
			}
		}
		assert.Equal(t, 3, n)
	})
	t.Run("ListQuery", func(t *testing.T) {
		e := newEnv(t, h)
		alpha := e.createOrg("alpha")
		e.createOrg("beta")
		var got []string
		// The query matches a part of the name, ignoring case.
		for o, err := range e.dir.ListOrganizations(e.ctx, identity.OrganizationListOptions{Query: strings.ToUpper("alpha-" + e.tag)}) {
			require.NoError(t, err)
			got = append(got, o.ID)
		}
		assert.Equal(t, []string{alpha.ID}, got)
	})
	t.Run("ListForeignCursor", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.ListOrganizationsPage(e.ctx, identity.OrganizationListOptions{}, "zz-not-a-cursor-of-this-backend")
		requireCode(t, err, identity.InvalidArgument)
	})
}

func testOrgMembers(t *testing.T, h Harness) {
	t.Run("AddAndList", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("acme")
		a, b := e.create(e.newUser("ada")), e.create(e.newUser("bob"))
		outsider := e.create(e.newUser("out"))
		e.addMembers(o.ID, a.ID, b.ID)
		assert.Equal(t, ids([]*identity.User{a, b}), e.members(o.ID))
		assert.Equal(t, []string{o.ID}, e.userOrgs(a.ID))
		assert.Empty(t, e.userOrgs(outsider.ID), "a user added nowhere is in no organization")
		for m, err := range e.dir.ListMembers(e.ctx, o.ID, identity.MemberListOptions{}) {
			require.NoError(t, err)
			if m.ID == a.ID {
				assertSameUser(t, a, m)
			}
		}
	})
	t.Run("NewOrganizationHasNoMembers", func(t *testing.T) {
		e := newEnv(t, h)
		assert.Empty(t, e.members(e.createOrg("empty").ID))
	})
	t.Run("AddIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("idem")
		a, b := e.create(e.newUser("a")), e.create(e.newUser("b"))
		e.addMembers(o.ID, a.ID)
		e.addMembers(o.ID, a.ID)
		e.addMembers(o.ID, a.ID, b.ID, b.ID)
		assert.Equal(t, ids([]*identity.User{a, b}), e.members(o.ID), "each member once")
		assert.Equal(t, []string{o.ID}, e.userOrgs(b.ID))
	})
	t.Run("RemoveMember", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("rm")
		a, b := e.create(e.newUser("a")), e.create(e.newUser("b"))
		e.addMembers(o.ID, a.ID, b.ID)
		require.NoError(t, e.dir.RemoveMember(e.ctx, o.ID, a.ID))
		assert.Equal(t, []string{b.ID}, e.members(o.ID))
		assert.Empty(t, e.userOrgs(a.ID))
		require.NoError(t, e.dir.RemoveMember(e.ctx, o.ID, a.ID), "removing one who is not a member succeeds")
		assert.Equal(t, []string{b.ID}, e.members(o.ID))
		e.get(a.ID) // the user outlives the membership
	})
	t.Run("MembersNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("nf")
		for _, tc := range []struct {
			name, field, org string
			call             func() error
		}{
			{"AddMembers/organization", "organization", missingOrgID, func() error { return e.dir.AddMembers(e.ctx, missingOrgID, u.ID) }},
			{"AddMembers/user", "user", o.ID, func() error { return e.dir.AddMembers(e.ctx, o.ID, missingID) }},
			{"RemoveMember/organization", "organization", missingOrgID, func() error { return e.dir.RemoveMember(e.ctx, missingOrgID, u.ID) }},
			{"RemoveMember/user", "user", o.ID, func() error { return e.dir.RemoveMember(e.ctx, o.ID, missingID) }},
			{"ListMembers/organization", "organization", missingOrgID, func() error { return firstErr(e.dir.ListMembers(e.ctx, missingOrgID, identity.MemberListOptions{})) }},
			{"ListUserOrganizations/user", "user", "", func() error { _, err := e.dir.ListUserOrganizations(e.ctx, missingID); return err }},
		} {
			t.Run(tc.name, func(t *testing.T) { requireMissing(t, tc.call(), tc.field, tc.org) })
		}
		assert.Equal(t, []string{u.ID}, e.members(o.ID), "the refused calls changed nothing")
	})
	t.Run("AddMembersOneMissing", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("partial")
		a, b := e.create(e.newUser("a")), e.create(e.newUser("b"))
		requireMissing(t, e.dir.AddMembers(e.ctx, o.ID, a.ID, missingID, b.ID), "user", o.ID)
		// All or none is what a provider does where it can, not a
		// promise; what was added is at most what was asked for.
		got := e.members(o.ID)
		assert.Subset(t, []string{a.ID, b.ID}, got, "only users asked for were added")
		e.addMembers(o.ID, a.ID, b.ID)
		assert.Equal(t, ids([]*identity.User{a, b}), e.members(o.ID), "the call again without the missing user adds the rest")
	})
	t.Run("ListMembersPages", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("many")
		// Four pages of ten, the last one short, added in two calls.
		const n, pageSize = 31, 10
		created := make([]string, n)
		errs := make([]error, n)
		parallel(8, func(w int) {
			for i := w; i < n; i += 8 {
				u, err := e.dir.CreateUser(e.ctx, e.newUser(fmt.Sprintf("m%d", i)))
				if errs[i] = err; err == nil {
					created[i] = u.ID
				}
			}
		})
		for i, err := range errs {
			require.NoError(t, err, "create %d", i)
		}
		e.addMembers(o.ID, created[:20]...)
		e.addMembers(o.ID, created[20:]...)
		var got []string
		for u, err := range e.dir.ListMembers(e.ctx, o.ID, identity.MemberListOptions{PageSize: pageSize}) {
			require.NoError(t, err)
			got = append(got, u.ID)
		}
		assert.Len(t, got, n, "each member exactly once")
		assert.ElementsMatch(t, created, got, "no gap, no repeat")
	})
	t.Run("ListUserOrganizations", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("multi"))
		b, a, c := e.createOrg("b"), e.createOrg("a"), e.createOrg("c")
		e.createOrg("other")
		for _, o := range []*identity.Organization{b, a, c} {
			e.addMembers(o.ID, u.ID)
		}
		assert.Equal(t, []string{a.ID, b.ID, c.ID}, e.userOrgs(u.ID), "the user's organizations, ordered by name")
		os, err := e.dir.ListUserOrganizations(e.ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, a.Name, os[0].Name, "listed with their names")
	})
	t.Run("DeleteOrganizationRemovesMemberships", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("u"))
		keep, gone := e.createOrg("keep"), e.createOrg("gone")
		e.addMembers(keep.ID, u.ID)
		e.addMembers(gone.ID, u.ID)
		require.NoError(t, e.dir.DeleteOrganization(e.ctx, gone.ID))
		assert.Equal(t, []string{keep.ID}, e.userOrgs(u.ID))
		assert.Equal(t, []string{u.ID}, e.members(keep.ID))
		e.get(u.ID) // the member outlives the organization
	})
	t.Run("DeleteUserLeavesOrganizations", func(t *testing.T) {
		e := newEnv(t, h)
		a, b := e.createOrg("a"), e.createOrg("b")
		gone, stay := e.create(e.newUser("gone")), e.create(e.newUser("stay"))
		e.addMembers(a.ID, gone.ID, stay.ID)
		e.addMembers(b.ID, gone.ID)
		require.NoError(t, e.dir.DeleteUser(e.ctx, gone.ID))
		assert.Equal(t, []string{stay.ID}, e.members(a.ID), "a deleted user is no member")
		assert.Empty(t, e.members(b.ID), "a deleted user is no member")
		_, err := e.dir.ListUserOrganizations(e.ctx, gone.ID)
		requireMissing(t, err, "user", "")
	})
}

func testOrgRoles(t *testing.T, h Harness) {
	t.Run("RoleCreateAndList", func(t *testing.T) {
		e := newEnv(t, h)
		b := e.createOrgRole("beta")
		a := e.createOrgRole("alpha")
		rs, err := e.dir.ListOrganizationRoles(e.ctx)
		require.NoError(t, err)
		mine := e.orgRolesWithTag(rs)
		assert.Equal(t, []string{a, b}, orgRoleNames(mine), "organization roles listed by name")
		for _, r := range mine {
			if r.Name == a {
				assert.Equal(t, "conformance alpha", r.Description)
				assert.Empty(t, r.Permissions)
			}
		}
	})
	t.Run("RoleDuplicate", func(t *testing.T) {
		e := newEnv(t, h)
		n := e.createOrgRole("dup")
		_, err := e.dir.CreateOrganizationRole(e.ctx, identity.OrganizationRole{Name: n, Description: "again"})
		requireCode(t, err, identity.AlreadyExists)
		rs, err := e.dir.ListOrganizationRoles(e.ctx)
		require.NoError(t, err)
		mine := e.orgRolesWithTag(rs)
		require.Len(t, mine, 1)
		assert.Equal(t, "conformance dup", mine[0].Description, "the refused create changed nothing")
	})
	t.Run("RoleDelete", func(t *testing.T) {
		e := newEnv(t, h)
		keep, gone := e.createOrgRole("keep"), e.createOrgRole("gone")
		require.NoError(t, e.dir.DeleteOrganizationRole(e.ctx, gone))
		rs, err := e.dir.ListOrganizationRoles(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{keep}, orgRoleNames(e.orgRolesWithTag(rs)))
		requireMissing(t, e.dir.DeleteOrganizationRole(e.ctx, gone), "role", "", "deleting twice")
	})
	t.Run("RoleDeleteNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		err := e.dir.DeleteOrganizationRole(e.ctx, e.orgRoleName("none"))
		requireMissing(t, err, "role", "")
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, e.orgRoleName("none"), ie.Role)
	})
	t.Run("AssignListRevoke", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("acme")
		u := e.create(e.newUser("ada"))
		e.addMembers(o.ID, u.ID)
		b, a := e.createOrgRole("b"), e.createOrgRole("a")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, b))
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, a))
		assert.Equal(t, []string{a, b}, e.memberRoles(o.ID, u.ID), "a member's roles listed by name")
		require.NoError(t, e.dir.RevokeOrganizationRole(e.ctx, o.ID, u.ID, a))
		assert.Equal(t, []string{b}, e.memberRoles(o.ID, u.ID))
	})
	t.Run("NewMemberHasNoRoles", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("fresh")
		u := e.create(e.newUser("u"))
		e.createOrgRole("unused")
		e.addMembers(o.ID, u.ID)
		assert.Empty(t, e.memberRoles(o.ID, u.ID))
	})
	t.Run("AssignIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("twice")
		r := e.createOrgRole("twice")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r))
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r), "assigning again succeeds")
		assert.Equal(t, []string{r}, e.memberRoles(o.ID, u.ID))
	})
	t.Run("AddMembersKeepsRoles", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("stay")
		u, v := e.create(e.newUser("u")), e.create(e.newUser("v"))
		e.addMembers(o.ID, u.ID)
		r := e.createOrgRole("r")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r))
		// A member added again stays one, and so keeps what it holds.
		e.addMembers(o.ID, u.ID, v.ID)
		assert.Equal(t, []string{r}, e.memberRoles(o.ID, u.ID))
		assert.Empty(t, e.memberRoles(o.ID, v.ID))
	})
	t.Run("RevokeIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("rev")
		r := e.createOrgRole("rev")
		require.NoError(t, e.dir.RevokeOrganizationRole(e.ctx, o.ID, u.ID, r), "revoking a role the member lacks succeeds")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r))
		require.NoError(t, e.dir.RevokeOrganizationRole(e.ctx, o.ID, u.ID, r))
		require.NoError(t, e.dir.RevokeOrganizationRole(e.ctx, o.ID, u.ID, r))
		assert.Empty(t, e.memberRoles(o.ID, u.ID))
	})
	t.Run("NotAMember", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("closed")
		u := e.create(e.newUser("outsider"))
		r := e.createOrgRole("r")
		for name, call := range map[string]func() error{
			"AssignOrganizationRole": func() error { return e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r) },
			"RevokeOrganizationRole": func() error { return e.dir.RevokeOrganizationRole(e.ctx, o.ID, u.ID, r) },
			"ListMemberRoles":        func() error { _, err := e.dir.ListMemberRoles(e.ctx, o.ID, u.ID); return err },
			"SetMemberRoles":         func() error { return e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, r) },
			"SetMemberRoles/none":    func() error { return e.dir.SetMemberRoles(e.ctx, o.ID, u.ID) },
		} {
			t.Run(name, func(t *testing.T) { requireCode(t, call(), identity.FailedPrecondition, "the user is not a member") })
		}
		assert.Empty(t, e.members(o.ID), "a refused assignment makes no member")
		assert.Empty(t, e.userOrgs(u.ID))
	})
	t.Run("RolesNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("nf")
		r := e.createOrgRole("r")
		missing := e.orgRoleName("missing")
		type call func(org, user, role string) error
		calls := map[string]call{
			"AssignOrganizationRole": func(org, user, role string) error { return e.dir.AssignOrganizationRole(e.ctx, org, user, role) },
			"RevokeOrganizationRole": func(org, user, role string) error { return e.dir.RevokeOrganizationRole(e.ctx, org, user, role) },
			"SetMemberRoles":         func(org, user, role string) error { return e.dir.SetMemberRoles(e.ctx, org, user, role) },
			"ListMemberRoles": func(org, user, _ string) error {
				_, err := e.dir.ListMemberRoles(e.ctx, org, user)
				return err
			},
		}
		for name, fn := range calls {
			t.Run(name+"/organization", func(t *testing.T) {
				requireMissing(t, fn(missingOrgID, u.ID, r), "organization", missingOrgID)
			})
			t.Run(name+"/user", func(t *testing.T) { requireMissing(t, fn(o.ID, missingID, r), "user", o.ID) })
			if name != "ListMemberRoles" {
				t.Run(name+"/role", func(t *testing.T) { requireMissing(t, fn(o.ID, u.ID, missing), "role", o.ID) })
			}
		}
		assert.Empty(t, e.memberRoles(o.ID, u.ID), "the refused calls assigned nothing")
	})
	t.Run("SetMemberRoles", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("set")
		a, b, c := e.createOrgRole("a"), e.createOrgRole("b"), e.createOrgRole("c")
		require.NoError(t, e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, b, a))
		assert.Equal(t, []string{a, b}, e.memberRoles(o.ID, u.ID))
		require.NoError(t, e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, c, b, c), "a name given twice counts once")
		assert.Equal(t, []string{b, c}, e.memberRoles(o.ID, u.ID), "replaced, not merged")
		require.NoError(t, e.dir.SetMemberRoles(e.ctx, o.ID, u.ID))
		assert.Empty(t, e.memberRoles(o.ID, u.ID), "none clears them")
		assert.Equal(t, []string{u.ID}, e.members(o.ID), "clearing the roles keeps the member")
	})
	t.Run("SetMemberRolesUnknownRole", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("setnf")
		a, b := e.createOrgRole("a"), e.createOrgRole("b")
		require.NoError(t, e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, a))
		err := e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, b, e.orgRoleName("missing"))
		requireMissing(t, err, "role", o.ID)
		assert.Equal(t, []string{a}, e.memberRoles(o.ID, u.ID), "NotFound changed nothing")
	})
	t.Run("RemoveMemberDropsRoles", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("rejoin")
		r := e.createOrgRole("r")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r))
		require.NoError(t, e.dir.RemoveMember(e.ctx, o.ID, u.ID))
		e.addMembers(o.ID, u.ID)
		assert.Empty(t, e.memberRoles(o.ID, u.ID), "a member who left and came back has no roles")
	})
	t.Run("DeleteRoleRemovesAssignments", func(t *testing.T) {
		e := newEnv(t, h)
		acme, globex := e.createOrg("acme"), e.createOrg("globex")
		u := e.create(e.newUser("u"))
		e.addMembers(acme.ID, u.ID)
		e.addMembers(globex.ID, u.ID)
		keep, gone := e.createOrgRole("keep"), e.createOrgRole("gone")
		for _, o := range []string{acme.ID, globex.ID} {
			require.NoError(t, e.dir.SetMemberRoles(e.ctx, o, u.ID, keep, gone))
		}
		require.NoError(t, e.dir.DeleteOrganizationRole(e.ctx, gone))
		assert.Equal(t, []string{keep}, e.memberRoles(acme.ID, u.ID))
		assert.Equal(t, []string{keep}, e.memberRoles(globex.ID, u.ID))
		// A role made again under the name is a new role, held by no one.
		e.createOrgRole("gone")
		assert.Equal(t, []string{keep}, e.memberRoles(acme.ID, u.ID))
	})
	t.Run("RolesPerOrganization", func(t *testing.T) {
		e := newEnv(t, h)
		acme, globex := e.createOrg("acme"), e.createOrg("globex")
		ada, grace := e.create(e.newUser("ada")), e.create(e.newUser("grace"))
		e.addMembers(acme.ID, ada.ID, grace.ID)
		e.addMembers(globex.ID, ada.ID, grace.ID)
		admin, viewer := e.createOrgRole("admin"), e.createOrgRole("viewer")
		// Ada is admin of Acme and viewer of Globex.
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, acme.ID, ada.ID, admin))
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, globex.ID, ada.ID, viewer))
		assert.Equal(t, []string{admin}, e.memberRoles(acme.ID, ada.ID))
		assert.Equal(t, []string{viewer}, e.memberRoles(globex.ID, ada.ID))
		assert.Empty(t, e.memberRoles(acme.ID, grace.ID), "Ada's roles are not Grace's")
		require.NoError(t, e.dir.RevokeOrganizationRole(e.ctx, globex.ID, ada.ID, admin), "revoking in Globex what she holds in Acme")
		assert.Equal(t, []string{admin}, e.memberRoles(acme.ID, ada.ID), "revoking in one organization keeps the other's")
		require.NoError(t, e.dir.RemoveMember(e.ctx, globex.ID, ada.ID))
		assert.Equal(t, []string{admin}, e.memberRoles(acme.ID, ada.ID), "leaving Globex keeps Acme's roles")
		require.NoError(t, e.dir.DeleteOrganization(e.ctx, globex.ID))
		assert.Equal(t, []string{admin}, e.memberRoles(acme.ID, ada.ID), "deleting Globex keeps Acme's roles")
	})
	t.Run("DeleteOrganizationThenRecreate", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("old")
		r := e.createOrgRole("r")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, r))
		require.NoError(t, e.dir.DeleteOrganization(e.ctx, o.ID))
		_, err := e.dir.ListMemberRoles(e.ctx, o.ID, u.ID)
		requireMissing(t, err, "organization", o.ID)
		// The same name again is a new organization: nothing carries over.
		again := e.createOrg("old")
		assert.Empty(t, e.members(again.ID))
	})
}

func testOrgPermissions(t *testing.T, h Harness) {
	t.Run("RoleWithPermissions", func(t *testing.T) {
		e := newEnv(t, h)
		n := e.createOrgRole("editor", "write", "read", "write")
		rs, err := e.dir.ListOrganizationRoles(e.ctx)
		require.NoError(t, err)
		mine := e.orgRolesWithTag(rs)
		require.Len(t, mine, 1)
		assert.Equal(t, n, mine[0].Name)
		assert.Equal(t, []string{"read", "write"}, mine[0].Permissions, "permissions sorted, each once")
	})
	t.Run("MemberPermissionsUnion", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("perm")
		editor := e.createOrgRole("editor", "read", "write")
		owner := e.createOrgRole("owner", "write", "billing")
		e.createOrgRole("unheld", "delete")
		got, err := e.dir.ListMemberPermissions(e.ctx, o.ID, u.ID)
		require.NoError(t, err)
		assert.Empty(t, got, "a member with no roles holds no permission")
		require.NoError(t, e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, editor, owner))
		got, err = e.dir.ListMemberPermissions(e.ctx, o.ID, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"billing", "read", "write"}, got, "the union of the roles', sorted, each once")
		require.NoError(t, e.dir.RevokeOrganizationRole(e.ctx, o.ID, u.ID, owner))
		got, err = e.dir.ListMemberPermissions(e.ctx, o.ID, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"read", "write"}, got)
	})
	t.Run("PermissionsPerOrganization", func(t *testing.T) {
		e := newEnv(t, h)
		acme, globex := e.createOrg("acme"), e.createOrg("globex")
		u := e.create(e.newUser("ada"))
		e.addMembers(acme.ID, u.ID)
		e.addMembers(globex.ID, u.ID)
		admin, viewer := e.createOrgRole("admin", "manage", "read"), e.createOrgRole("viewer", "read")
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, acme.ID, u.ID, admin))
		require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, globex.ID, u.ID, viewer))
		for org, want := range map[string][]string{acme.ID: {"manage", "read"}, globex.ID: {"read"}} {
			got, err := e.dir.ListMemberPermissions(e.ctx, org, u.ID)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
	})
	t.Run("PermissionsErrors", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("perr")
		member, outsider := e.create(e.newUser("in")), e.create(e.newUser("out"))
		e.addMembers(o.ID, member.ID)
		_, err := e.dir.ListMemberPermissions(e.ctx, missingOrgID, member.ID)
		requireMissing(t, err, "organization", missingOrgID)
		_, err = e.dir.ListMemberPermissions(e.ctx, o.ID, missingID)
		requireMissing(t, err, "user", o.ID)
		_, err = e.dir.ListMemberPermissions(e.ctx, o.ID, outsider.ID)
		requireCode(t, err, identity.FailedPrecondition, "the user is not a member")
	})
	t.Run("DeleteRoleDropsPermissions", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("drop")
		keep, gone := e.createOrgRole("keep", "read"), e.createOrgRole("gone", "read", "write")
		require.NoError(t, e.dir.SetMemberRoles(e.ctx, o.ID, u.ID, keep, gone))
		require.NoError(t, e.dir.DeleteOrganizationRole(e.ctx, gone))
		got, err := e.dir.ListMemberPermissions(e.ctx, o.ID, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"read"}, got)
	})
}

func testOrgConcurrency(t *testing.T, h Harness) {
	t.Run("ConcurrentAddMembers", func(t *testing.T) {
		e := newEnv(t, h)
		o := e.createOrg("crowd")
		users := make([]string, Goroutines)
		for i := range Goroutines {
			users[i] = e.create(e.newUser(fmt.Sprintf("c%d", i))).ID
		}
		errs := make([]error, Goroutines)
		parallel(Goroutines, func(i int) { errs[i] = e.dir.AddMembers(e.ctx, o.ID, users[i]) })
		for i, err := range errs {
			require.NoError(t, err, "add %d", i)
		}
		assert.ElementsMatch(t, users, e.members(o.ID), "no member lost, none doubled")
	})
	t.Run("ConcurrentCreateSameName", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.UniqueOrganizationName {
			t.Skip("organization names need not be unique here (UniqueOrganizationName is false)")
		}
		const n = 8
		errs := make([]error, n)
		parallel(n, func(i int) {
			_, errs[i] = e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("race")})
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.True(t, errors.Is(err, identity.ErrAlreadyExists), "a losing create is AlreadyExists, not %v", err)
		}
		assert.Equal(t, 1, won, "exactly one create of the same name wins")
		orgs, _ := e.orgsWithTag(0)
		assert.Len(t, orgs, 1)
	})
}

func testOrgRoleConcurrency(t *testing.T, h Harness) {
	t.Run("ConcurrentAssignRoles", func(t *testing.T) {
		e := newEnv(t, h)
		o, u := e.orgWithMember("busy")
		names := make([]string, Goroutines)
		for i := range Goroutines {
			names[i] = e.createOrgRole(fmt.Sprintf("r%02d", i))
		}
		errs := make([]error, Goroutines)
		parallel(Goroutines, func(i int) { errs[i] = e.dir.AssignOrganizationRole(e.ctx, o.ID, u.ID, names[i]) })
		for i, err := range errs {
			require.NoError(t, err, "assign %d", i)
		}
		assert.Equal(t, names, e.memberRoles(o.ID, u.ID), "no role lost")
	})
}
