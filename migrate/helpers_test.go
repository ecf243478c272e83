package migrate_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/wrap"
	"github.com/idport/identity/migrate"
)

// cheap keeps the memory backend's argon2id light, so that passwords
// cost nothing in tests.
var cheap = memory.Options{Hash: memory.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}}

func newMemory(t *testing.T) *identity.Directory {
	t.Helper()
	dir, err := memory.New(context.Background(), cheap)
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	return dir
}

// faulty is a memory directory whose calls a test can watch, fail, or
// follow with an action, and whose capabilities it can narrow.
type faulty struct {
	wrap.Backend
	caps func(*identity.Capabilities)

	mu    sync.Mutex
	calls map[string]int
	ok    map[string]int
	// fail, when set, is asked before each call: a non-nil error is
	// returned instead of making it. n counts the calls of op from 1.
	fail func(op string, n int) error
	// after, when set, runs after each call that succeeded.
	after func(op string, n int)
	// spoil, when set, runs after each call that succeeded, and a
	// non-nil error it returns replaces the answer: the call took
	// effect, and the caller cannot know.
	spoil func(op string, n int) error
	// okta makes ListUsers leave deprovisioned users out unless asked
	// for them by status, as Okta's listing does.
	okta bool
	// refuse, when set, is asked before each CreateUser and UpdateUser
	// with what it would create or change.
	refuse func(nu *identity.NewUser, uu *identity.UserUpdate) error
}

// newFaulty wraps inner; caps, when given, narrows the capabilities,
// which the portable layer reads once, here.
func newFaulty(t *testing.T, inner *identity.Directory, caps ...func(*identity.Capabilities)) (*faulty, *identity.Directory) {
	t.Helper()
	f := &faulty{Backend: wrap.Backend{Dir: inner}, calls: map[string]int{}, ok: map[string]int{}}
	if len(caps) > 0 {
		f.caps = caps[0]
	}
	return f, identity.NewDirectory(inner.Backend(), f)
}

func (f *faulty) Capabilities() identity.Capabilities {
	c := f.Backend.Capabilities()
	if f.caps != nil {
		f.caps(&c)
	}
	return c
}

func (f *faulty) enter(op string) (int, error) {
	f.mu.Lock()
	f.calls[op]++
	n := f.calls[op]
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		if err := fail(op, n); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (f *faulty) leave(op string, n int, err error) error {
	if err == nil {
		f.mu.Lock()
		f.ok[op]++
		f.mu.Unlock()
	}
	if err == nil && f.after != nil {
		f.after(op, n)
	}
	if err == nil && f.spoil != nil {
		return f.spoil(op, n)
	}
	return err
}

func (f *faulty) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// succeeded counts the calls of op that the inner directory made.
func (f *faulty) succeeded(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ok[op]
}

// writes counts every call that changes something.
func (f *faulty) writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for op, c := range f.calls {
		if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && op != "FindUser" {
			n += c
		}
	}
	return n
}

func call[T any](f *faulty, op string, do func() (T, error)) (T, error) {
	var zero T
	n, err := f.enter(op)
	if err != nil {
		return zero, err
	}
	v, err := do()
	if err = f.leave(op, n, err); err != nil {
		return zero, err
	}
	return v, nil
}

func call0(f *faulty, op string, do func() error) error {
	_, err := call(f, op, func() (struct{}, error) { return struct{}{}, do() })
	return err
}

func (f *faulty) CreateUser(ctx context.Context, u identity.NewUser) (*identity.User, error) {
	if f.refuse != nil {
		if err := f.refuse(&u, nil); err != nil {
			return nil, err
		}
	}
	return call(f, "CreateUser", func() (*identity.User, error) { return f.Backend.CreateUser(ctx, u) })
}

func (f *faulty) GetUser(ctx context.Context, id string) (*identity.User, error) {
	return call(f, "GetUser", func() (*identity.User, error) { return f.Backend.GetUser(ctx, id) })
}

func (f *faulty) ListUsers(ctx context.Context, opts identity.ListOptions, cursor string) (*identity.UserPage, error) {
	pg, err := f.Backend.ListUsers(ctx, opts, cursor)
	if err != nil || !f.okta || opts.Status != "" {
		return pg, err
	}
	kept := &identity.UserPage{NextCursor: pg.NextCursor}
	for _, u := range pg.Users {
		if u.Status != identity.StatusDeprovisioned {
			kept.Users = append(kept.Users, u)
		}
	}
	return kept, nil
}

func (f *faulty) UpdateUser(ctx context.Context, id string, u identity.UserUpdate) (*identity.User, error) {
	if f.refuse != nil {
		if err := f.refuse(nil, &u); err != nil {
			return nil, err
		}
	}
	return call(f, "UpdateUser", func() (*identity.User, error) { return f.Backend.UpdateUser(ctx, id, u) })
}

func (f *faulty) DeleteUser(ctx context.Context, id string) error {
	return call0(f, "DeleteUser", func() error { return f.Backend.DeleteUser(ctx, id) })
}

func (f *faulty) SuspendUser(ctx context.Context, id string) error {
	return call0(f, "SuspendUser", func() error { return f.Backend.SuspendUser(ctx, id) })
}

func (f *faulty) ActivateUser(ctx context.Context, id string) error {
	return call0(f, "ActivateUser", func() error { return f.Backend.ActivateUser(ctx, id) })
}

func (f *faulty) DeprovisionUser(ctx context.Context, id string) error {
	return call0(f, "DeprovisionUser", func() error { return f.Backend.DeprovisionUser(ctx, id) })
}

func (f *faulty) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	return call(f, "CreateRole", func() (*identity.Role, error) { return f.Backend.CreateRole(ctx, r) })
}

func (f *faulty) AssignRole(ctx context.Context, userID, role string) error {
	return call0(f, "AssignRole", func() error { return f.Backend.AssignRole(ctx, userID, role) })
}

func (f *faulty) SetRoles(ctx context.Context, userID string, names []string) error {
	return call0(f, "SetRoles", func() error { return f.Backend.SetRoles(ctx, userID, names) })
}

func (f *faulty) CreateOrganization(ctx context.Context, o identity.NewOrganization) (*identity.Organization, error) {
	return call(f, "CreateOrganization", func() (*identity.Organization, error) { return f.Backend.CreateOrganization(ctx, o) })
}

func (f *faulty) AddMembers(ctx context.Context, orgID string, userIDs []string) error {
	return call0(f, "AddMembers", func() error { return f.Backend.AddMembers(ctx, orgID, userIDs) })
}

func (f *faulty) CreateOrganizationRole(ctx context.Context, r identity.OrganizationRole) (*identity.OrganizationRole, error) {
	return call(f, "CreateOrganizationRole", func() (*identity.OrganizationRole, error) { return f.Backend.CreateOrganizationRole(ctx, r) })
}

func (f *faulty) SetMemberRoles(ctx context.Context, orgID, userID string, roles []string) error {
	return call0(f, "SetMemberRoles", func() error { return f.Backend.SetMemberRoles(ctx, orgID, userID, roles) })
}

// snapshot is a directory's users, roles and organizations as the
// portable API shows them, for comparing two directories field by field.
type snapshot struct {
	Users     []snapUser
	Roles     []identity.Role
	Orgs      []snapOrg
	OrgRoles  []identity.OrganizationRole
	UserCount int
}

type snapUser struct {
	Username, Email, Phone, GivenName, FamilyName, DisplayName string
	EmailVerified                                              bool
	Status                                                     identity.Status
	Metadata                                                   map[string]any
	Roles                                                      []string
	Orgs                                                       map[string][]string
}

type snapOrg struct {
	Name, Description string
	Metadata          map[string]any
}

func snap(t *testing.T, dir *identity.Directory) snapshot {
	t.Helper()
	ctx := context.Background()
	caps := dir.Capabilities()
	var s snapshot
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{}) {
		require.NoError(t, err)
		su := snapUser{Username: u.Username, Email: u.Email, Phone: u.Phone, GivenName: u.GivenName, FamilyName: u.FamilyName,
			DisplayName: u.DisplayName, EmailVerified: u.EmailVerified, Status: u.Status, Metadata: u.Metadata, Orgs: map[string][]string{}}
		if caps.Roles {
			rs, err := dir.ListUserRoles(ctx, u.ID)
			require.NoError(t, err)
			for _, r := range rs {
				su.Roles = append(su.Roles, r.Name)
			}
		}
		if caps.Organizations {
			os, err := dir.ListUserOrganizations(ctx, u.ID)
			require.NoError(t, err)
			for _, o := range os {
				var names []string
				if caps.OrganizationRoles {
					rs, err := dir.ListMemberRoles(ctx, o.ID, u.ID)
					require.NoError(t, err)
					for _, r := range rs {
						names = append(names, r.Name)
					}
				}
				su.Orgs[o.Name] = names
			}
		}
		s.Users = append(s.Users, su)
	}
	s.UserCount = len(s.Users)
	sort.Slice(s.Users, func(i, j int) bool {
		return s.Users[i].Email+s.Users[i].Username < s.Users[j].Email+s.Users[j].Username
	})
	if caps.Roles {
		rs, err := dir.ListRoles(ctx)
		require.NoError(t, err)
		for _, r := range rs {
			s.Roles = append(s.Roles, *r)
		}
	}
	if caps.Organizations {
		for o, err := range dir.ListOrganizations(ctx, identity.OrganizationListOptions{}) {
			require.NoError(t, err)
			s.Orgs = append(s.Orgs, snapOrg{Name: o.Name, Description: o.Description, Metadata: o.Metadata})
		}
		slices.SortFunc(s.Orgs, func(a, b snapOrg) int { return strings.Compare(a.Name, b.Name) })
	}
	if caps.OrganizationRoles {
		rs, err := dir.ListOrganizationRoles(ctx)
		require.NoError(t, err)
		for _, r := range rs {
			s.OrgRoles = append(s.OrgRoles, *r)
		}
	}
	return s
}

// fields lists the loss fields of a report for one source id ("" for
// every one), sorted.
func lossFields(rep *migrate.Report, id string) []string {
	var out []string
	for _, l := range rep.Losses {
		if id == "" || l.SourceID == id {
			out = append(out, l.Field)
		}
	}
	slices.Sort(out)
	return out
}

func result(t *testing.T, rep *migrate.Report, id string) migrate.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.SourceID == id {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", id, rep.Results)
	return migrate.Result{}
}

// idsWithLoss is the set of source ids with a loss of field.
func idsWithLoss(rep *migrate.Report, field string) map[string]bool {
	out := map[string]bool{}
	for _, l := range rep.Losses {
		if l.Field == field {
			out[l.SourceID] = true
		}
	}
	return out
}
