package conformance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/require"
)

var (
	// badOrgNames are refused as an organization's name. Unlike a role
	// name, a name with spaces around it is fine.
	badOrgNames = map[string]string{
		"empty":    "",
		"spaces":   "   ",
		"control":  "Acme\x07",
		"newline":  "Ac\nme",
		"tooLong":  strings.Repeat("a", identity.MaxNameLen+1),
		"10KB":     long,
		"badUTF-8": "Ac\xffme",
	}
	badDescriptions = map[string]string{
		"control":  "a\x00b",
		"tooLong":  strings.Repeat("d", identity.MaxDescriptionLen+1),
		"badUTF-8": "d\xffe",
	}
)

// testOrgBadInput checks that malformed input to the organization calls
// gives InvalidArgument before any request, and changes nothing.
func testOrgBadInput(t *testing.T, h Harness) {
	c := h.Capabilities()
	type call struct {
		name string
		fn   func(e *env, orgID, userID, v string) error
		want identity.Code
	}
	roles, perms := gated(c.OrganizationRoles), gated(c.OrganizationPermissions)
	orgIDCalls := []call{
		{"GetOrganization", func(e *env, _, _, v string) error { _, err := e.dir.GetOrganization(e.ctx, v); return err }, identity.InvalidArgument},
		{"UpdateOrganization", func(e *env, _, _, v string) error {
			_, err := e.dir.UpdateOrganization(e.ctx, v, identity.OrganizationUpdate{Description: ptr("x")})
			return err
		}, identity.InvalidArgument},
		{"DeleteOrganization", func(e *env, _, _, v string) error { return e.dir.DeleteOrganization(e.ctx, v) }, identity.InvalidArgument},
		{"AddMembers", func(e *env, _, u, v string) error { return e.dir.AddMembers(e.ctx, v, u) }, identity.InvalidArgument},
		{"RemoveMember", func(e *env, _, u, v string) error { return e.dir.RemoveMember(e.ctx, v, u) }, identity.InvalidArgument},
		{"ListMembers", func(e *env, _, _, v string) error {
			return firstErr(e.dir.ListMembers(e.ctx, v, identity.MemberListOptions{}))
		}, identity.InvalidArgument},
		{"AssignOrganizationRole", func(e *env, _, u, v string) error {
			return e.dir.AssignOrganizationRole(e.ctx, v, u, e.orgRoleName("existing"))
		}, roles},
		{"RevokeOrganizationRole", func(e *env, _, u, v string) error {
			return e.dir.RevokeOrganizationRole(e.ctx, v, u, e.orgRoleName("existing"))
		}, roles},
		{"ListMemberRoles", func(e *env, _, u, v string) error { _, err := e.dir.ListMemberRoles(e.ctx, v, u); return err }, roles},
		{"SetMemberRoles", func(e *env, _, u, v string) error { return e.dir.SetMemberRoles(e.ctx, v, u) }, roles},
		{"ListMemberPermissions", func(e *env, _, u, v string) error { _, err := e.dir.ListMemberPermissions(e.ctx, v, u); return err }, perms},
	}
	userIDCalls := []call{
		{"AddMembers", func(e *env, o, _, v string) error { return e.dir.AddMembers(e.ctx, o, v) }, identity.InvalidArgument},
		{"AddMembers/among", func(e *env, o, u, v string) error { return e.dir.AddMembers(e.ctx, o, u, v) }, identity.InvalidArgument},
		{"RemoveMember", func(e *env, o, _, v string) error { return e.dir.RemoveMember(e.ctx, o, v) }, identity.InvalidArgument},
		{"ListUserOrganizations", func(e *env, _, _, v string) error { _, err := e.dir.ListUserOrganizations(e.ctx, v); return err }, identity.InvalidArgument},
		{"AssignOrganizationRole", func(e *env, o, _, v string) error {
			return e.dir.AssignOrganizationRole(e.ctx, o, v, e.orgRoleName("existing"))
		}, roles},
		{"RevokeOrganizationRole", func(e *env, o, _, v string) error {
			return e.dir.RevokeOrganizationRole(e.ctx, o, v, e.orgRoleName("existing"))
		}, roles},
		{"ListMemberRoles", func(e *env, o, _, v string) error { _, err := e.dir.ListMemberRoles(e.ctx, o, v); return err }, roles},
		{"SetMemberRoles", func(e *env, o, _, v string) error { return e.dir.SetMemberRoles(e.ctx, o, v) }, roles},
		{"ListMemberPermissions", func(e *env, o, _, v string) error { _, err := e.dir.ListMemberPermissions(e.ctx, o, v); return err }, perms},
	}
	roleNameCalls := []call{
		{"CreateOrganizationRole", func(e *env, _, _, v string) error {
			_, err := e.dir.CreateOrganizationRole(e.ctx, identity.OrganizationRole{Name: v})
			return err
		}, roles},
		{"CreateOrganizationRole/permission", func(e *env, _, _, v string) error {
			_, err := e.dir.CreateOrganizationRole(e.ctx, identity.OrganizationRole{Name: e.orgRoleName("p"), Permissions: []string{v}})
			return err
		}, roles},
		{"DeleteOrganizationRole", func(e *env, _, _, v string) error { return e.dir.DeleteOrganizationRole(e.ctx, v) }, roles},
		{"AssignOrganizationRole", func(e *env, o, u, v string) error { return e.dir.AssignOrganizationRole(e.ctx, o, u, v) }, roles},
		{"RevokeOrganizationRole", func(e *env, o, u, v string) error { return e.dir.RevokeOrganizationRole(e.ctx, o, u, v) }, roles},
		{"SetMemberRoles", func(e *env, o, u, v string) error {
			return e.dir.SetMemberRoles(e.ctx, o, u, e.orgRoleName("existing"), v)
		}, roles},
	}
	nameCalls := []call{
		{"CreateOrganization", func(e *env, _, _, v string) error {
			_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: v})
			return err
		}, identity.InvalidArgument},
		{"UpdateOrganization", func(e *env, o, _, v string) error {
			_, err := e.dir.UpdateOrganization(e.ctx, o, identity.OrganizationUpdate{Name: &v})
			return err
		}, identity.InvalidArgument},
	}
	descriptionCalls := []call{
		{"CreateOrganization", func(e *env, _, _, v string) error {
			_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("d"), Description: v})
			return err
		}, identity.InvalidArgument},
		{"UpdateOrganization", func(e *env, o, _, v string) error {
			_, err := e.dir.UpdateOrganization(e.ctx, o, identity.OrganizationUpdate{Description: &v})
			return err
		}, identity.InvalidArgument},
		{"CreateOrganizationRole", func(e *env, _, _, v string) error {
			_, err := e.dir.CreateOrganizationRole(e.ctx, identity.OrganizationRole{Name: e.orgRoleName("d"), Description: v})
			return err
		}, roles},
	}
	tooMany := make([]string, identity.MaxMembersPerCall+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("u%d", i)
	}
	// other covers single fields that are not ids, names or descriptions.
	other := map[string]func(e *env, orgID, userID string) error{
		"AddMembers/noIDs": func(e *env, o, _ string) error { return e.dir.AddMembers(e.ctx, o) },
		"AddMembers/tooMany": func(e *env, o, _ string) error {
			return e.dir.AddMembers(e.ctx, o, tooMany...)
		},
		"CreateOrganization/nilMetadataValue": func(e *env, _, _ string) error {
			// Nothing to remove at creation: a nil value is a mistake,
			// whether or not organizations carry metadata.
			_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("nil"), Metadata: map[string]any{"plan": nil}})
			return err
		},
		"CreateOrganization/emptyMetadataKey": func(e *env, _, _ string) error {
			_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("k"), Metadata: map[string]any{"": "x"}})
			return err
		},
		"CreateOrganization/unencodableMetadata": func(e *env, _, _ string) error {
			_, err := e.dir.CreateOrganization(e.ctx, identity.NewOrganization{Name: e.orgName("f"), Metadata: map[string]any{"plan": func() {}}})
			return err
		},
		"UpdateOrganization/emptyMetadataKey": func(e *env, o, _ string) error {
			_, err := e.dir.UpdateOrganization(e.ctx, o, identity.OrganizationUpdate{Metadata: map[string]any{"": "x"}})
			return err
		},
		"ListOrganizationsPage/negativePageSize": func(e *env, _, _ string) error {
			_, err := e.dir.ListOrganizationsPage(e.ctx, identity.OrganizationListOptions{PageSize: -1}, "")
			return err
		},
		"ListOrganizationsPage/controlInQuery": func(e *env, _, _ string) error {
			_, err := e.dir.ListOrganizationsPage(e.ctx, identity.OrganizationListOptions{Query: "a\nb"}, "")
			return err
		},
		"ListOrganizationsPage/10KBQuery": func(e *env, _, _ string) error {
			_, err := e.dir.ListOrganizationsPage(e.ctx, identity.OrganizationListOptions{Query: long}, "")
			return err
		},
		"ListOrganizationsPage/cursorWithSpace": func(e *env, _, _ string) error {
			_, err := e.dir.ListOrganizationsPage(e.ctx, identity.OrganizationListOptions{}, "abc def")
			return err
		},
		"ListOrganizations/negativePageSize": func(e *env, _, _ string) error {
			return firstErr(e.dir.ListOrganizations(e.ctx, identity.OrganizationListOptions{PageSize: -1}))
		},
	}

	t.Run("BadInput", func(t *testing.T) {
		// One directory, organization and member serve the whole table:
		// every call must leave them as they were.
		e := newEnv(t, h)
		no := identity.NewOrganization{Name: e.orgName("victim"), Description: "unchanged"}
		if c.OrganizationMetadata {
			no.Metadata = map[string]any{"plan": "free"}
		}
		victim, err := e.dir.CreateOrganization(e.ctx, no)
		require.NoError(t, err, "CreateOrganization")
		member := e.create(e.newUser("member"))
		e.addMembers(victim.ID, member.ID)
		if c.OrganizationRoles {
			r := e.createOrgRole("existing")
			require.NoError(t, e.dir.AssignOrganizationRole(e.ctx, victim.ID, member.ID, r), "AssignOrganizationRole")
		}
		before := e.snapshot()

		run := func(t *testing.T, calls []call, values map[string]string) {
			for _, cl := range calls {
				for name, v := range values {
					t.Run(cl.name+"/"+name, func(t *testing.T) {
						sub := e.sub(t)
						err := sub.requireNoRequest(cl.name, func() error { return cl.fn(sub, victim.ID, member.ID, v) })
						requireCode(t, err, cl.want)
					})
				}
			}
		}
		t.Run("OrgIDs", func(t *testing.T) { run(t, orgIDCalls, badIDs) })
		t.Run("UserIDs", func(t *testing.T) { run(t, userIDCalls, badIDs) })
		t.Run("RoleNames", func(t *testing.T) { run(t, roleNameCalls, badRoleNames) })
		t.Run("Names", func(t *testing.T) { run(t, nameCalls, badOrgNames) })
		t.Run("Descriptions", func(t *testing.T) { run(t, descriptionCalls, badDescriptions) })
		t.Run("Fields", func(t *testing.T) {
			for name, fn := range other {
				t.Run(name, func(t *testing.T) {
					sub := e.sub(t)
					err := sub.requireNoRequest(name, func() error { return fn(sub, victim.ID, member.ID) })
					requireCode(t, err, identity.InvalidArgument)
				})
			}
		})
		t.Run("Unchanged", func(t *testing.T) {
			e.sub(t).requireUnchanged(before, "bad organization input")
		})
	})
}
