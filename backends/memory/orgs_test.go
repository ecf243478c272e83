package memory_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
)

func newDir(t *testing.T) *identity.Directory {
	t.Helper()
	dir, err := memory.New(context.Background(), cheap)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dir.Close() })
	return dir
}

// users creates n users and returns their ids.
func users(t *testing.T, dir *identity.Directory, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		u, err := dir.CreateUser(context.Background(), identity.NewUser{Email: fmt.Sprintf("%s-%d@example.com", t.Name(), i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

func org(t *testing.T, dir *identity.Directory, name string) string {
	t.Helper()
	o, err := dir.CreateOrganization(context.Background(), identity.NewOrganization{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func orgRole(t *testing.T, dir *identity.Directory, name string, perms ...string) {
	t.Helper()
	if _, err := dir.CreateOrganizationRole(context.Background(), identity.OrganizationRole{Name: name, Permissions: perms}); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func memberIDs(t *testing.T, dir *identity.Directory, orgID string) []string {
	t.Helper()
	var ids []string
	for u, err := range dir.ListMembers(context.Background(), orgID, identity.MemberListOptions{}) {
		must(t, err)
		ids = append(ids, u.ID)
	}
	return ids
}

func roleNames(t *testing.T, dir *identity.Directory, orgID, userID string) []string {
	t.Helper()
	rs, err := dir.ListMemberRoles(context.Background(), orgID, userID)
	must(t, err)
	names := []string{}
	for _, r := range rs {
		names = append(names, r.Name)
	}
	return names
}

// wantError checks err's code and, when not empty, its Field and UserID.
func wantError(t *testing.T, err error, code identity.Code, field, userID string) {
	t.Helper()
	var e *identity.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want an *identity.Error with code %v", err, code)
	}
	if e.Code != code || (field != "" && e.Field != field) || (userID != "" && e.UserID != userID) {
		t.Fatalf("error %v: code %v, Field %q, UserID %q; want %v, %q, %q", err, e.Code, e.Field, e.UserID, code, field, userID)
	}
}

func TestOrganizationCascades(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// act deletes something; u0 and u1 are members of o1 and o2, u0
		// holding "admin" and "editor" in both.
		act   func(dir *identity.Directory, o1, o2, u0, u1 string) error
		check func(t *testing.T, dir *identity.Directory, o1, o2, u0, u1 string)
	}{
		{
			name: "DeleteUser",
			act:  func(dir *identity.Directory, _, _, u0, _ string) error { return dir.DeleteUser(ctx, u0) },
			check: func(t *testing.T, dir *identity.Directory, o1, o2, _, u1 string) {
				for _, o := range []string{o1, o2} {
					if got := memberIDs(t, dir, o); !slices.Equal(got, []string{u1}) {
						t.Errorf("members of %s: %v, want only %s", o, got, u1)
					}
				}
			},
		},
		{
			name: "DeleteOrganization",
			act:  func(dir *identity.Directory, o1, _, _, _ string) error { return dir.DeleteOrganization(ctx, o1) },
			check: func(t *testing.T, dir *identity.Directory, o1, o2, u0, _ string) {
				os, err := dir.ListUserOrganizations(ctx, u0)
				must(t, err)
				if len(os) != 1 || os[0].ID != o2 {
					t.Errorf("organizations of u0: %v, want only %s", os, o2)
				}
				_, err = dir.ListMemberRoles(ctx, o1, u0)
				wantError(t, err, identity.NotFound, "organization", "")
				if got := roleNames(t, dir, o2, u0); !slices.Equal(got, []string{"admin", "editor"}) {
					t.Errorf("roles in the other organization: %v", got)
				}
			},
		},
		{
			name: "DeleteOrganizationRole",
			act: func(dir *identity.Directory, _, _, _, _ string) error {
				return dir.DeleteOrganizationRole(ctx, "admin")
			},
			check: func(t *testing.T, dir *identity.Directory, o1, o2, u0, _ string) {
				for _, o := range []string{o1, o2} {
					if got := roleNames(t, dir, o, u0); !slices.Equal(got, []string{"editor"}) {
						t.Errorf("roles in %s: %v, want [editor]", o, got)
					}
				}
				// A new role of the same name starts with no assignments.
				orgRole(t, dir, "admin")
				if got := roleNames(t, dir, o1, u0); !slices.Equal(got, []string{"editor"}) {
					t.Errorf("roles after re-creating admin: %v", got)
				}
			},
		},
		{
			name: "RemoveMember",
			act:  func(dir *identity.Directory, o1, _, u0, _ string) error { return dir.RemoveMember(ctx, o1, u0) },
			check: func(t *testing.T, dir *identity.Directory, o1, o2, u0, _ string) {
				_, err := dir.ListMemberRoles(ctx, o1, u0)
				wantError(t, err, identity.FailedPrecondition, "membership", "")
				// Joining again starts with no roles.
				must(t, dir.AddMembers(ctx, o1, u0))
				if got := roleNames(t, dir, o1, u0); len(got) != 0 {
					t.Errorf("roles after joining again: %v, want none", got)
				}
				if got := roleNames(t, dir, o2, u0); len(got) != 2 {
					t.Errorf("roles in the other organization: %v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDir(t)
			ids := users(t, dir, 2)
			o1, o2 := org(t, dir, "one"), org(t, dir, "two")
			orgRole(t, dir, "admin", "a")
			orgRole(t, dir, "editor", "e")
			for _, o := range []string{o1, o2} {
				must(t, dir.AddMembers(ctx, o, ids...))
				must(t, dir.SetMemberRoles(ctx, o, ids[0], "admin", "editor"))
			}
			must(t, tt.act(dir, o1, o2, ids[0], ids[1]))
			tt.check(t, dir, o1, o2, ids[0], ids[1])
		})
	}
}

func TestAddMembersAllOrNothing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		org    func(real string) string
		ids    func(real []string) []string
		field  string
		userID func(real []string) string
	}{
		{
			name:   "MissingUser",
			org:    func(o string) string { return o },
			ids:    func(u []string) []string { return []string{u[0], "unobody", u[1]} },
			field:  "user",
			userID: func([]string) string { return "unobody" },
		},
		{
			name:   "MissingOrganization",
			org:    func(string) string { return "onowhere" },
			ids:    func(u []string) []string { return u },
			field:  "organization",
			userID: func([]string) string { return "" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDir(t)
			ids := users(t, dir, 2)
			o := org(t, dir, "acme")
			err := dir.AddMembers(ctx, tt.org(o), tt.ids(ids)...)
			wantError(t, err, identity.NotFound, tt.field, tt.userID(ids))
			if got := memberIDs(t, dir, o); len(got) != 0 {
				t.Errorf("members after a failed AddMembers: %v, want none", got)
			}
		})
	}
}

func TestAddMembersIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	ids := users(t, dir, 3)
	o := org(t, dir, "acme")
	orgRole(t, dir, "admin")
	// One call adds in no particular order, so one user a call.
	must(t, dir.AddMembers(ctx, o, ids[0]))
	must(t, dir.AddMembers(ctx, o, ids[1]))
	must(t, dir.AssignOrganizationRole(ctx, o, ids[0], "admin"))
	must(t, dir.AddMembers(ctx, o, ids[2], ids[0], ids[0]))
	if got, want := memberIDs(t, dir, o), ids; !slices.Equal(got, want) {
		t.Errorf("members %v, want %v in the order they joined", got, want)
	}
	if got := roleNames(t, dir, o, ids[0]); !slices.Equal(got, []string{"admin"}) {
		t.Errorf("adding a member again changed its roles: %v", got)
	}
}

func TestMemberRoleErrors(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	ids := users(t, dir, 2)
	o := org(t, dir, "acme")
	orgRole(t, dir, "admin")
	orgRole(t, dir, "editor")
	must(t, dir.AddMembers(ctx, o, ids[0]))
	must(t, dir.SetMemberRoles(ctx, o, ids[0], "admin"))

	tests := []struct {
		name  string
		call  func() error
		code  identity.Code
		field string
	}{
		{"SetMissingRole", func() error { return dir.SetMemberRoles(ctx, o, ids[0], "editor", "ghost") }, identity.NotFound, "role"},
		{"SetMissingOrganization", func() error { return dir.SetMemberRoles(ctx, "onowhere", ids[0], "editor") }, identity.NotFound, "organization"},
		{"SetMissingUser", func() error { return dir.SetMemberRoles(ctx, o, "unobody", "editor") }, identity.NotFound, "user"},
		{"SetNotMember", func() error { return dir.SetMemberRoles(ctx, o, ids[1], "editor") }, identity.FailedPrecondition, "membership"},
		{"AssignMissingRole", func() error { return dir.AssignOrganizationRole(ctx, o, ids[0], "ghost") }, identity.NotFound, "role"},
		{"AssignNotMember", func() error { return dir.AssignOrganizationRole(ctx, o, ids[1], "admin") }, identity.FailedPrecondition, "membership"},
		{"RevokeNotMember", func() error { return dir.RevokeOrganizationRole(ctx, o, ids[1], "admin") }, identity.FailedPrecondition, "membership"},
		{"RemoveMissingUser", func() error { return dir.RemoveMember(ctx, o, "unobody") }, identity.NotFound, "user"},
		{"PermissionsNotMember", func() error { _, err := dir.ListMemberPermissions(ctx, o, ids[1]); return err }, identity.FailedPrecondition, "membership"},
		{"CaseSensitiveRole", func() error { return dir.AssignOrganizationRole(ctx, o, ids[0], "Admin") }, identity.NotFound, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.call(), tt.code, tt.field, "")
			// Nothing changed: the member still holds exactly admin.
			if got := roleNames(t, dir, o, ids[0]); !slices.Equal(got, []string{"admin"}) {
				t.Errorf("roles after the failed call: %v, want [admin]", got)
			}
		})
	}
}

func TestIdempotentMemberCalls(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	ids := users(t, dir, 2)
	o := org(t, dir, "acme")
	orgRole(t, dir, "admin")
	must(t, dir.AddMembers(ctx, o, ids[0]))
	for _, step := range []struct {
		name string
		call func() error
	}{
		{"AssignTwice", func() error { return dir.AssignOrganizationRole(ctx, o, ids[0], "admin") }},
		{"AssignTwice", func() error { return dir.AssignOrganizationRole(ctx, o, ids[0], "admin") }},
		{"RevokeTwice", func() error { return dir.RevokeOrganizationRole(ctx, o, ids[0], "admin") }},
		{"RevokeTwice", func() error { return dir.RevokeOrganizationRole(ctx, o, ids[0], "admin") }},
		{"RemoveNonMember", func() error { return dir.RemoveMember(ctx, o, ids[1]) }},
		{"RemoveNonMember", func() error { return dir.RemoveMember(ctx, o, ids[1]) }},
	} {
		if err := step.call(); err != nil {
			t.Errorf("%s: %v", step.name, err)
		}
	}
}

func TestMemberPermissions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		roles []string
		want  []string
	}{
		{"None", nil, []string{}},
		{"One", []string{"reader"}, []string{"read"}},
		{"Union", []string{"reader", "writer", "empty"}, []string{"read", "write"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDir(t)
			ids := users(t, dir, 1)
			o, other := org(t, dir, "acme"), org(t, dir, "other")
			orgRole(t, dir, "reader", "read")
			orgRole(t, dir, "writer", "read", "write")
			orgRole(t, dir, "empty")
			orgRole(t, dir, "owner", "delete")
			must(t, dir.AddMembers(ctx, o, ids[0]))
			must(t, dir.AddMembers(ctx, other, ids[0]))
			// A role held in another organization grants nothing here.
			must(t, dir.AssignOrganizationRole(ctx, other, ids[0], "owner"))
			must(t, dir.SetMemberRoles(ctx, o, ids[0], tt.roles...))
			got, err := dir.ListMemberPermissions(ctx, o, ids[0])
			must(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("permissions %v, want %v", got, tt.want)
			}
		})
	}
}

// TestListMembersStable changes the membership while a listing is under
// way and checks that the listing holds no user twice and every user who
// was a member throughout.
func TestListMembersStable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// during runs after the i-th member listed.
		during func(t *testing.T, dir *identity.Directory, o string, listed string, fresh string)
	}{
		{"Add", func(t *testing.T, dir *identity.Directory, o, _, fresh string) {
			must(t, dir.AddMembers(ctx, o, fresh))
		}},
		{"RemoveAndAddAgain", func(t *testing.T, dir *identity.Directory, o, listed, fresh string) {
			must(t, dir.RemoveMember(ctx, o, listed))
			must(t, dir.AddMembers(ctx, o, listed, fresh))
		}},
		{"DeleteListed", func(t *testing.T, dir *identity.Directory, o, listed, fresh string) {
			must(t, dir.DeleteUser(ctx, listed))
			must(t, dir.AddMembers(ctx, o, fresh))
		}},
	}
	const initial = 130 // more than two default pages
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDir(t)
			ids := users(t, dir, 2*initial)
			o := org(t, dir, "acme")
			for _, id := range ids[:initial] {
				must(t, dir.AddMembers(ctx, o, id))
			}
			seen := map[string]bool{}
			i := 0
			for u, err := range dir.ListMembers(ctx, o, identity.MemberListOptions{}) {
				must(t, err)
				if seen[u.ID] {
					t.Fatalf("user %s listed twice", u.ID)
				}
				seen[u.ID] = true
				if i < initial {
					tt.during(t, dir, o, u.ID, ids[initial+i])
				}
				i++
			}
			for _, id := range ids[:initial] {
				if !seen[id] {
					t.Errorf("member %s missing from the listing", id)
				}
			}
		})
	}
}

// TestListMembersConcurrent lists while other goroutines add, remove and
// delete members, for the race detector and for duplicates.
func TestListMembersConcurrent(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	ids := users(t, dir, 300)
	o := org(t, dir, "acme")
	stable, churn := ids[:100], ids[100:]
	must(t, dir.AddMembers(ctx, o, stable...))

	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i, id := range churn {
				if i%3 != w {
					continue
				}
				_ = dir.AddMembers(ctx, o, id)
				if i%2 == 0 {
					_ = dir.RemoveMember(ctx, o, id)
				}
				if i%7 == 0 {
					_ = dir.DeleteUser(ctx, id)
				}
			}
		})
	}
	for range 10 {
		seen := map[string]bool{}
		for u, err := range dir.ListMembers(ctx, o, identity.MemberListOptions{}) {
			must(t, err)
			if seen[u.ID] {
				t.Fatalf("user %s listed twice", u.ID)
			}
			seen[u.ID] = true
		}
		for _, id := range stable {
			if !seen[id] {
				t.Fatalf("member %s missing from the listing", id)
			}
		}
	}
	wg.Wait()
}

func TestRemovedMemberKeepsPlace(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	ids := users(t, dir, 3)
	o := org(t, dir, "acme")
	must(t, dir.AddMembers(ctx, o, ids[0]))
	must(t, dir.AddMembers(ctx, o, ids[1]))
	must(t, dir.AddMembers(ctx, o, ids[2]))
	must(t, dir.RemoveMember(ctx, o, ids[0]))
	if got, want := memberIDs(t, dir, o), ids[1:]; !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	must(t, dir.AddMembers(ctx, o, ids[0]))
	if got := memberIDs(t, dir, o); !slices.Equal(got, ids) {
		t.Errorf("members %v, want %v: the first place kept", got, ids)
	}
}

func TestOrganizationNames(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	acme := org(t, dir, "Acme")
	other := org(t, dir, "Other")
	rename := func(id, name string) error {
		_, err := dir.UpdateOrganization(ctx, id, identity.OrganizationUpdate{Name: &name})
		return err
	}
	tests := []struct {
		name string
		call func() error
		code identity.Code // 0 for success
	}{
		{"CreateTakenIgnoringCase", func() error {
			_, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "ACME"})
			return err
		}, identity.AlreadyExists},
		{"RenameToTakenIgnoringCase", func() error { return rename(other, "acme") }, identity.AlreadyExists},
		{"RenameOwnCase", func() error { return rename(acme, "ACME") }, 0},
		{"OldNameFreed", func() error { return rename(other, "Other2") }, 0},
		{"CreateWithFreedName", func() error {
			_, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "other"})
			return err
		}, 0},
		{"DeleteFreesName", func() error {
			if err := dir.DeleteOrganization(ctx, acme); err != nil {
				return err
			}
			_, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme"})
			return err
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.code == 0 {
				must(t, err)
				return
			}
			wantError(t, err, tt.code, "", "")
		})
	}
}

func TestOrganizationRoleNamesCaseSensitive(t *testing.T) {
	dir := newDir(t)
	orgRole(t, dir, "admin")
	orgRole(t, dir, "Admin")
	_, err := dir.CreateOrganizationRole(context.Background(), identity.OrganizationRole{Name: "admin"})
	wantError(t, err, identity.AlreadyExists, "", "")
}

func TestListOrganizations(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	var all []string
	for i := range 12 {
		all = append(all, org(t, dir, fmt.Sprintf("Team %02d", i)))
	}
	must(t, dir.DeleteOrganization(ctx, all[3]))
	all = slices.Delete(all, 3, 4)
	tests := []struct {
		name  string
		query string
		size  int
		want  []string
	}{
		{"All", "", 0, all},
		{"SmallPages", "", 5, all},
		{"QueryIgnoresCase", "team 1", 2, all[9:]},
		{"QuerySubstring", "M 0", 0, all[:9]},
		{"NoMatch", "nope", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			cursor, pages := "", 0
			for {
				pg, err := dir.ListOrganizationsPage(ctx, identity.OrganizationListOptions{Query: tt.query, PageSize: tt.size}, cursor)
				must(t, err)
				if tt.size > 0 && len(pg.Organizations) > tt.size {
					t.Fatalf("page of %d, want at most %d", len(pg.Organizations), tt.size)
				}
				for _, o := range pg.Organizations {
					got = append(got, o.ID)
				}
				pages++
				if cursor = pg.NextCursor; cursor == "" {
					break
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("listed %v, want %v", got, tt.want)
			}
			if tt.size > 0 && len(tt.want) > 0 && pages != (len(tt.want)+tt.size-1)/tt.size {
				t.Errorf("%d pages, want no empty last page", pages)
			}
		})
	}
	t.Run("ForeignCursor", func(t *testing.T) {
		users := users(t, dir, 2)
		pg, err := dir.ListUsersPage(ctx, identity.ListOptions{PageSize: 1}, "")
		must(t, err)
		if pg.NextCursor == "" || len(users) != 2 {
			t.Fatal("want a user cursor")
		}
		_, err = dir.ListOrganizationsPage(ctx, identity.OrganizationListOptions{}, pg.NextCursor)
		wantError(t, err, identity.InvalidArgument, "cursor", "")
	})
}

func TestOrganizationMetadataIsolation(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	in := map[string]any{"plan": "pro", "limits": map[string]any{"seats": 5.0}, "tags": []any{"a"}}
	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme", Metadata: in})
	must(t, err)
	want := map[string]any{"plan": "pro", "limits": map[string]any{"seats": 5.0}, "tags": []any{"a"}}

	tests := []struct {
		name   string
		mutate func(t *testing.T)
	}{
		{"Input", func(*testing.T) {
			in["plan"] = "free"
			in["limits"].(map[string]any)["seats"] = 1.0
			in["tags"].([]any)[0] = "z"
		}},
		{"Created", func(*testing.T) {
			o.Metadata["limits"].(map[string]any)["seats"] = 2.0
			o.Metadata["tags"].([]any)[0] = "y"
		}},
		{"Got", func(t *testing.T) {
			got, err := dir.GetOrganization(ctx, o.ID)
			must(t, err)
			got.Metadata["limits"].(map[string]any)["seats"] = 3.0
			delete(got.Metadata, "plan")
		}},
		{"Listed", func(t *testing.T) {
			for got, err := range dir.ListOrganizations(ctx, identity.OrganizationListOptions{}) {
				must(t, err)
				got.Metadata["tags"].([]any)[0] = "x"
			}
		}},
		{"UpdateInput", func(t *testing.T) {
			u := map[string]any{"limits": map[string]any{"seats": 5.0}}
			_, err := dir.UpdateOrganization(ctx, o.ID, identity.OrganizationUpdate{Metadata: u})
			must(t, err)
			u["limits"].(map[string]any)["seats"] = 4.0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.mutate(t)
			got, err := dir.GetOrganization(ctx, o.ID)
			must(t, err)
			if !reflect.DeepEqual(got.Metadata, want) {
				t.Errorf("stored metadata %v, want %v", got.Metadata, want)
			}
		})
	}
}

func TestUpdateOrganizationMergesMetadata(t *testing.T) {
	ctx := context.Background()
	dir := newDir(t)
	o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "acme", Description: "d",
		Metadata: map[string]any{"keep": 1.0, "drop": true, "change": "old"}})
	must(t, err)
	got, err := dir.UpdateOrganization(ctx, o.ID, identity.OrganizationUpdate{
		Metadata: map[string]any{"drop": nil, "change": "new", "add": "x"}})
	must(t, err)
	want := map[string]any{"keep": 1.0, "change": "new", "add": "x"}
	if !reflect.DeepEqual(got.Metadata, want) || got.Name != "acme" || got.Description != "d" {
		t.Errorf("updated %+v, want metadata %v and name and description kept", got, want)
	}
}
