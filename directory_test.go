package identity_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counting is a driver that counts the calls that reach it and answers
// with what the test sets.
type counting struct {
	caps  identity.Capabilities
	calls atomic.Int64
	err   error // returned by every call when set
	user  *identity.User
	page  func(cursor string) *identity.UserPage
}

func (c *counting) hit() error { c.calls.Add(1); return c.err }

func (c *counting) Capabilities() identity.Capabilities { return c.caps }
func (c *counting) CreateUser(context.Context, identity.NewUser) (*identity.User, error) {
	return c.user, c.hit()
}
func (c *counting) GetUser(context.Context, string) (*identity.User, error) { return c.user, c.hit() }
func (c *counting) FindUser(context.Context, driver.Identifier, string) (*identity.User, error) {
	return c.user, c.hit()
}
func (c *counting) UpdateUser(context.Context, string, identity.UserUpdate) (*identity.User, error) {
	return c.user, c.hit()
}
func (c *counting) DeleteUser(context.Context, string) error { return c.hit() }
func (c *counting) ListUsers(_ context.Context, _ identity.ListOptions, cursor string) (*identity.UserPage, error) {
	if err := c.hit(); err != nil {
		return nil, err
	}
	if c.page != nil {
		return c.page(cursor), nil
	}
	return &identity.UserPage{}, nil
}
func (c *counting) SuspendUser(context.Context, string) error  { return c.hit() }
func (c *counting) ActivateUser(context.Context, string) error { return c.hit() }
func (c *counting) CreateRole(_ context.Context, r identity.Role) (*identity.Role, error) {
	return &r, c.hit()
}
func (c *counting) ListRoles(context.Context) ([]*identity.Role, error) { return nil, c.hit() }
func (c *counting) DeleteRole(context.Context, string) error            { return c.hit() }
func (c *counting) ListUserRoles(context.Context, string) ([]*identity.Role, error) {
	return nil, c.hit()
}
func (c *counting) AssignRole(context.Context, string, string) error              { return c.hit() }
func (c *counting) RevokeRole(context.Context, string, string) error              { return c.hit() }
func (c *counting) SetPassword(context.Context, string, identity.Secret) error    { return c.hit() }
func (c *counting) VerifyPassword(context.Context, string, identity.Secret) error { return c.hit() }
func (c *counting) ChangePassword(context.Context, string, identity.Secret, identity.Secret) error {
	return c.hit()
}
func (c *counting) ExpirePassword(context.Context, string) error { return c.hit() }
func (c *counting) Close() error                                 { return c.hit() }

var all = identity.Capabilities{
	Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
	PendingCreate: true, Roles: true, RoleCatalog: true, UniqueEmail: true, UniquePhone: true,
	SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
	Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended, identity.StatusPending},
}

func TestBadInputNeverReachesTheDriver(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", 10<<10)
	cases := map[string]func(d *identity.Directory) error{
		"GetUser/empty":        func(d *identity.Directory) error { _, err := d.GetUser(ctx, ""); return err },
		"GetUser/slash":        func(d *identity.Directory) error { _, err := d.GetUser(ctx, "a/b"); return err },
		"GetUser/dotdot":       func(d *identity.Directory) error { _, err := d.GetUser(ctx, ".."); return err },
		"GetUser/query":        func(d *identity.Directory) error { _, err := d.GetUser(ctx, "a?b"); return err },
		"GetUser/fragment":     func(d *identity.Directory) error { _, err := d.GetUser(ctx, "a#b"); return err },
		"GetUser/percent":      func(d *identity.Directory) error { _, err := d.GetUser(ctx, "a%2Fb"); return err },
		"GetUser/control":      func(d *identity.Directory) error { _, err := d.GetUser(ctx, "a\x7fb"); return err },
		"GetUser/10KB":         func(d *identity.Directory) error { _, err := d.GetUser(ctx, long); return err },
		"DeleteUser/traversal": func(d *identity.Directory) error { return d.DeleteUser(ctx, "../x") },
		"SuspendUser/empty":    func(d *identity.Directory) error { return d.SuspendUser(ctx, "") },
		"ActivateUser/space":   func(d *identity.Directory) error { return d.ActivateUser(ctx, "a b") },
		"CreateUser/noIdent":   func(d *identity.Directory) error { _, err := d.CreateUser(ctx, identity.NewUser{}); return err },
		"CreateUser/badEmail": func(d *identity.Directory) error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b"})
			return err
		},
		"CreateUser/nilMeta": func(d *identity.Directory) error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Metadata: map[string]any{"k": nil}})
			return err
		},
		"CreateUser/longPass": func(d *identity.Directory) error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Password: identity.Secret(long)})
			return err
		},
		"UpdateUser/badPhone": func(d *identity.Directory) error {
			_, err := d.UpdateUser(ctx, "u1", identity.UserUpdate{Phone: new("0123")})
			return err
		},
		"UpdateUser/bigMeta": func(d *identity.Directory) error {
			_, err := d.UpdateUser(ctx, "u1", identity.UserUpdate{Metadata: map[string]any{"k": strings.Repeat(long, 8)}})
			return err
		},
		"GetUserByEmail/blank": func(d *identity.Directory) error { _, err := d.GetUserByEmail(ctx, ""); return err },
		"GetUserByUsername/sp": func(d *identity.Directory) error { _, err := d.GetUserByUsername(ctx, "a b"); return err },
		"ListUsersPage/cursor": func(d *identity.Directory) error {
			_, err := d.ListUsersPage(ctx, identity.ListOptions{}, "a\x00")
			return err
		},
		"ListUsersPage/size": func(d *identity.Directory) error {
			_, err := d.ListUsersPage(ctx, identity.ListOptions{PageSize: -5}, "")
			return err
		},
		"CreateRole/empty": func(d *identity.Directory) error { _, err := d.CreateRole(ctx, identity.Role{}); return err },
		"CreateRole/longDesc": func(d *identity.Directory) error {
			_, err := d.CreateRole(ctx, identity.Role{Name: "r", Description: long})
			return err
		},
		"AssignRole/badRole":    func(d *identity.Directory) error { return d.AssignRole(ctx, "u1", "\n") },
		"RevokeRole/badUser":    func(d *identity.Directory) error { return d.RevokeRole(ctx, "u/1", "r") },
		"SetPassword/empty":     func(d *identity.Directory) error { return d.SetPassword(ctx, "u1", "") },
		"ChangePassword/badNew": func(d *identity.Directory) error { return d.ChangePassword(ctx, "u1", "old", "") },
		"VerifyPassword/badUTF": func(d *identity.Directory) error { return d.VerifyPassword(ctx, "u1", "\xff") },
		"ListUsers/iterator": func(d *identity.Directory) error {
			for _, err := range d.ListUsers(ctx, identity.ListOptions{Status: "bogus"}) {
				return err
			}
			return nil
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			c := &counting{caps: all, user: &identity.User{ID: "u1"}}
			err := call(identity.NewDirectory("test", c))
			require.Equal(t, identity.InvalidArgument, identity.CodeOf(err), "got %v", err)
			require.Zero(t, c.calls.Load(), "a bad-input call reached the driver")
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			require.NotEmpty(t, ie.Field, "InvalidArgument names the field")
			require.NotEmpty(t, ie.Op)
			require.Equal(t, "test", ie.Backend)
			require.Less(t, len(err.Error()), 400, "the message does not echo a huge value")
		})
	}
}

func TestUnsupportedNeverReachesTheDriver(t *testing.T) {
	ctx := context.Background()
	c := &counting{caps: identity.Capabilities{Statuses: []identity.Status{identity.StatusActive}}}
	d := identity.NewDirectory("bare", c)
	calls := map[string]func() error{
		"Username": func() error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Username: "a"})
			return err
		},
		"Phone": func() error {
			_, err := d.UpdateUser(ctx, "u1", identity.UserUpdate{Phone: new("+14155550100")})
			return err
		},
		"GivenName": func() error { _, err := d.UpdateUser(ctx, "u1", identity.UserUpdate{GivenName: new("A")}); return err },
		"Metadata": func() error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Metadata: map[string]any{"a": 1}})
			return err
		},
		"Password": func() error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Password: "pw"})
			return err
		},
		"Status": func() error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Status: identity.StatusPending})
			return err
		},
		"GetUserByUsername": func() error { _, err := d.GetUserByUsername(ctx, "bob"); return err },
		"AssignRole":        func() error { return d.AssignRole(ctx, "u1", "r") },
		"ListRoles":         func() error { _, err := d.ListRoles(ctx); return err },
		"SetPassword":       func() error { return d.SetPassword(ctx, "u1", "pw") },
		"ExpirePassword":    func() error { return d.ExpirePassword(ctx, "u1") },
		"ListOptions.Username": func() error {
			_, err := d.ListUsersPage(ctx, identity.ListOptions{Username: "bob"}, "")
			return err
		},
	}
	for what, call := range calls {
		t.Run(what, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, identity.ErrUnsupported)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, what, ie.Field)
		})
	}
	require.Zero(t, c.calls.Load())

	_, err := d.CreateUser(ctx, identity.NewUser{Email: "a@b.co", Status: identity.StatusPending})
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "creating a user in Status pending is not supported by this backend", ie.Message)
}

func TestErrorsAreWrapped(t *testing.T) {
	ctx := context.Background()
	c := &counting{caps: all, err: &identity.Error{Code: identity.NotFound, HTTPStatus: 404, ProviderCode: "E0000007", RequestID: "req-1"}}
	d := identity.NewDirectory("okta", c)
	_, err := d.GetUser(ctx, "00u1")
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "GetUser", ie.Op)
	assert.Equal(t, "okta", ie.Backend)
	assert.Equal(t, "00u1", ie.UserID)
	assert.Equal(t, "E0000007", ie.ProviderCode)
	assert.Equal(t, "okta: GetUser: NotFound user \"00u1\" [http 404 E0000007 request req-1]", err.Error())
	assert.NotSame(t, c.err, err, "the driver's error value is not mutated")
	assert.Empty(t, c.err.(*identity.Error).Op)

	c.err = errors.New("boom")
	err = d.DeleteUser(ctx, "u2")
	assert.Equal(t, identity.Internal, identity.CodeOf(err))
	assert.ErrorContains(t, err, "boom")
}

func TestContextErrorsPassThrough(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &counting{caps: all}
	d := identity.NewDirectory("test", c)
	_, err := d.GetUser(ctx, "u1")
	assert.Equal(t, context.Canceled, err)
	assert.Zero(t, c.calls.Load(), "no call starts on a done context")

	// A driver that fails because the context ended mid-call: the caller
	// sees the context's error, not the transport's rendering of it.
	ctx2, cancel2 := context.WithCancel(context.Background())
	c2 := &counting{caps: all, err: fmt.Errorf("read tcp: %w", context.Canceled)}
	d2 := identity.NewDirectory("test", c2)
	c2.page = nil
	cancel2()
	err = d2.DeleteUser(ctx2, "u1")
	assert.Equal(t, context.Canceled, err)
}

// lifecycleDriver refuses a transition and reports the user's status.
type lifecycleDriver struct {
	counting
	status identity.Status
}

func (l *lifecycleDriver) SuspendUser(context.Context, string) error {
	return &identity.Error{Code: identity.FailedPrecondition, ProviderCode: "E0000001"}
}
func (l *lifecycleDriver) GetUser(context.Context, string) (*identity.User, error) {
	return &identity.User{ID: "u1", Status: l.status}, nil
}

func TestLifecycleIdempotence(t *testing.T) {
	ctx := context.Background()
	l := &lifecycleDriver{counting: counting{caps: all}, status: identity.StatusSuspended}
	d := identity.NewDirectory("test", l)
	require.NoError(t, d.SuspendUser(ctx, "u1"), "already suspended counts as success")

	l.status = identity.StatusPending
	err := d.SuspendUser(ctx, "u1")
	require.ErrorIs(t, err, identity.ErrFailedPrecondition, "a real refusal is reported")
}

func TestIteratorPages(t *testing.T) {
	ctx := context.Background()
	c := &counting{caps: all, page: func(cursor string) *identity.UserPage {
		switch cursor {
		case "":
			return &identity.UserPage{Users: []*identity.User{{ID: "a"}, {ID: "b"}}, NextCursor: "p2"}
		case "p2":
			return &identity.UserPage{Users: []*identity.User{{ID: "c"}}, NextCursor: "p3"}
		default:
			return &identity.UserPage{}
		}
	}}
	d := identity.NewDirectory("test", c)
	var got []string
	for u, err := range d.ListUsers(ctx, identity.ListOptions{}) {
		require.NoError(t, err)
		got = append(got, u.ID)
	}
	assert.Equal(t, []string{"a", "b", "c"}, got)
	assert.EqualValues(t, 3, c.calls.Load(), "one call per page")

	c.page = func(string) *identity.UserPage {
		return &identity.UserPage{Users: []*identity.User{{ID: "x"}}, NextCursor: "same"}
	}
	var last error
	n := 0
	for _, err := range d.ListUsers(ctx, identity.ListOptions{}) {
		n++
		last = err
		require.Less(t, n, 10, "a stuck cursor must not loop for ever")
	}
	assert.Equal(t, identity.Internal, identity.CodeOf(last))

	c.page = func(string) *identity.UserPage { return &identity.UserPage{Users: []*identity.User{nil}} }
	_, err := d.ListUsersPage(ctx, identity.ListOptions{}, "")
	assert.Equal(t, identity.Internal, identity.CodeOf(err), "a nil user is a backend bug, not a panic later")
}

func TestStatusTheBackendCannotHaveListsNothing(t *testing.T) {
	c := &counting{caps: all}
	d := identity.NewDirectory("test", c)
	pg, err := d.ListUsersPage(context.Background(), identity.ListOptions{Status: identity.StatusDeprovisioned}, "")
	require.NoError(t, err)
	assert.Empty(t, pg.Users)
	assert.Zero(t, c.calls.Load())
}

func TestNilResultsAreInternal(t *testing.T) {
	c := &counting{caps: all}
	d := identity.NewDirectory("test", c)
	_, err := d.GetUser(context.Background(), "u1")
	assert.Equal(t, identity.Internal, identity.CodeOf(err))
}

func TestMetadataIsCopied(t *testing.T) {
	var seen map[string]any
	c := &recordingCreate{counting: counting{caps: all}, seen: &seen}
	d := identity.NewDirectory("test", c)
	md := map[string]any{"a": map[string]any{"b": "c"}}
	_, err := d.CreateUser(context.Background(), identity.NewUser{Email: "a@b.co", Metadata: md})
	require.NoError(t, err)
	md["a"].(map[string]any)["b"] = "changed"
	assert.Equal(t, "c", seen["a"].(map[string]any)["b"], "the backend got its own copy")
}

type recordingCreate struct {
	counting
	seen *map[string]any
}

func (r *recordingCreate) CreateUser(_ context.Context, u identity.NewUser) (*identity.User, error) {
	*r.seen = u.Metadata
	return &identity.User{ID: "u1"}, nil
}

func TestClose(t *testing.T) {
	c := &counting{caps: all}
	d := identity.NewDirectory("test", c)
	require.NoError(t, d.Close())
	require.NoError(t, d.Close())
	assert.EqualValues(t, 1, c.calls.Load(), "the driver is closed once")
	_, err := d.GetUser(context.Background(), "u1")
	assert.ErrorIs(t, err, identity.ErrFailedPrecondition)
}

// usersOnly is a backend with the user core alone: none of the optional
// groups, whatever it declares.
type usersOnly struct {
	driver.Directory
	caps identity.Capabilities
}

func (u *usersOnly) Capabilities() identity.Capabilities { return u.caps }

// withOrgs implements the organization groups; the embedded interfaces
// are nil, since only the capabilities are read.
type withOrgs struct {
	counting
	driver.Organizations
	driver.OrganizationRoles
	driver.OrganizationPermissions
}

// rolesOnly assigns roles but has no catalogue, as Okta's admin roles.
type rolesOnly struct {
	usersOnly
	driver.Roles
}

func TestCapabilitiesFollowWhatTheBackendImplements(t *testing.T) {
	cases := []struct {
		name string
		d    driver.Directory
		want func(c *identity.Capabilities)
	}{
		{"all groups", &counting{caps: all}, func(*identity.Capabilities) {}},
		{"no groups", &usersOnly{caps: all}, func(c *identity.Capabilities) {
			c.Roles, c.RoleCatalog = false, false
			c.SetPassword, c.VerifyPassword, c.ChangePassword, c.ExpirePassword = false, false, false, false
		}},
		{"roles without catalogue", &rolesOnly{usersOnly: usersOnly{caps: all}}, func(c *identity.Capabilities) {
			c.RoleCatalog = false
			c.SetPassword, c.VerifyPassword, c.ChangePassword, c.ExpirePassword = false, false, false, false
		}},
		{"catalogue declared without roles", &counting{caps: func() identity.Capabilities { c := all; c.Roles = false; return c }()},
			func(c *identity.Capabilities) { c.Roles, c.RoleCatalog = false, false }},
		{"organizations declared, not implemented", &counting{caps: func() identity.Capabilities {
			c := all
			c.Organizations, c.OrganizationMetadata, c.UniqueOrganizationName, c.OrganizationRoles, c.OrganizationPermissions = true, true, true, true, true
			return c
		}()}, func(*identity.Capabilities) {}},
		{"organization roles declared without organizations", &withOrgs{counting: counting{caps: func() identity.Capabilities {
			c := all
			c.OrganizationRoles, c.OrganizationPermissions = true, true
			return c
		}()}}, func(*identity.Capabilities) {}},
		{"organizations implemented and declared", &withOrgs{counting: counting{caps: func() identity.Capabilities {
			c := all
			c.Organizations, c.OrganizationRoles, c.OrganizationPermissions = true, true, true
			return c
		}()}}, func(c *identity.Capabilities) {
			c.Organizations, c.OrganizationRoles, c.OrganizationPermissions = true, true, true
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := all
			want.Statuses = slices.Clone(all.Statuses)
			c.want(&want)
			assert.Equal(t, want, identity.NewDirectory("test", c.d).Capabilities())
		})
	}
}

func TestOptionalGroupsOffAreUnsupportedAndNeverCalled(t *testing.T) {
	ctx := context.Background()
	for name, d := range map[string]driver.Directory{
		"no groups":               &usersOnly{caps: all},
		"roles without catalogue": &rolesOnly{usersOnly: usersOnly{caps: all}},
	} {
		t.Run(name, func(t *testing.T) {
			// The embedded interfaces are nil: any call that reached
			// them would panic.
			dir := identity.NewDirectory("test", d)
			calls := map[string]func() error{
				"CreateRole":     func() error { _, err := dir.CreateRole(ctx, identity.Role{Name: "r"}); return err },
				"DeleteRole":     func() error { return dir.DeleteRole(ctx, "r") },
				"SetPassword":    func() error { return dir.SetPassword(ctx, "u1", "pw") },
				"VerifyPassword": func() error { return dir.VerifyPassword(ctx, "u1", "pw") },
				"ChangePassword": func() error { return dir.ChangePassword(ctx, "u1", "a", "b") },
				"ExpirePassword": func() error { return dir.ExpirePassword(ctx, "u1") },
			}
			if name == "no groups" {
				calls["AssignRole"] = func() error { return dir.AssignRole(ctx, "u1", "r") }
				calls["RevokeRole"] = func() error { return dir.RevokeRole(ctx, "u1", "r") }
				calls["ListRoles"] = func() error { _, err := dir.ListRoles(ctx); return err }
				calls["ListUserRoles"] = func() error { _, err := dir.ListUserRoles(ctx, "u1"); return err }
			}
			for op, call := range calls {
				err := call()
				require.ErrorIs(t, err, identity.ErrUnsupported, op)
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, op, ie.Field)
				assert.Equal(t, op, ie.Op)
			}
		})
	}
}

// client is what a backend's As hands out in this test.
type client struct{ name string }

type withAs struct {
	counting
	c *client
}

func (w *withAs) As(target any) bool {
	if p, ok := target.(**client); ok {
		*p = w.c
		return true
	}
	return false
}

func TestAsHandsOutWhatTheBackendDocuments(t *testing.T) {
	dir := identity.NewDirectory("test", &withAs{counting: counting{caps: all}, c: &client{name: "api"}})
	var c *client
	require.True(t, dir.As(&c))
	assert.Equal(t, "api", c.name)
	var s *string
	assert.False(t, dir.As(&s), "a type the backend does not hand out")
	assert.False(t, dir.As(nil))
	assert.False(t, identity.NewDirectory("test", &counting{caps: all}).As(&c), "a backend without As")
}

// apiError stands for a provider's decoded error body; errors.As needs
// its target to be an error.
type apiError struct{ Summary string }

func (e *apiError) Error() string { return e.Summary }

type otherError struct{}

func (otherError) Error() string { return "other" }

func TestErrorAsReachesTheProviderBody(t *testing.T) {
	body := &apiError{Summary: "Not found: Resource not found: u1 (User)"}
	c := &counting{caps: all, err: &identity.Error{Code: identity.NotFound, ProviderError: body}}
	_, err := identity.NewDirectory("test", c).GetUser(context.Background(), "u1")
	var got *apiError
	require.ErrorAs(t, fmt.Errorf("wrapped: %w", err), &got)
	assert.Same(t, body, got)
	var other otherError
	assert.False(t, errors.As(err, &other))
	assert.NotContains(t, err.Error(), "Resource not found", "Error() does not print the body")
	var plain *identity.Error
	require.ErrorAs(t, err, &plain)
	assert.False(t, plain.As(nil))
	assert.False(t, (&identity.Error{}).As(&got))
}
