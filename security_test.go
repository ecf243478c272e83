package identity_test

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secure implements every account-security group over counting, with
// roles held in maps so that SetRoles by difference can be watched.
type secure struct {
	counting
	mu        sync.Mutex
	catalogue map[string]bool
	held      map[string]bool
	log       []string // role changes, in order
	reset     *identity.PasswordReset
	opts      identity.ResetOptions // what ResetPassword was given
}

func newSecure(caps identity.Capabilities) *secure {
	return &secure{
		counting:  counting{caps: caps},
		catalogue: map[string]bool{"a": true, "b": true, "c": true},
		held:      map[string]bool{"a": true, "b": true},
		reset:     &identity.PasswordReset{Kind: identity.ResetLink, Link: "https://example.com/reset/xyz"},
	}
}

func (s *secure) ListRoles(context.Context) ([]*identity.Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*identity.Role
	for n := range s.catalogue {
		out = append(out, &identity.Role{Name: n})
	}
	return out, s.hit()
}

func (s *secure) ListUserRoles(context.Context, string) ([]*identity.Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*identity.Role
	for n := range s.held {
		out = append(out, &identity.Role{Name: n})
	}
	return out, s.hit()
}

func (s *secure) AssignRole(_ context.Context, _, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held[role] = true
	s.log = append(s.log, "+"+role)
	return s.hit()
}

func (s *secure) RevokeRole(_ context.Context, _, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.held, role)
	s.log = append(s.log, "-"+role)
	return s.hit()
}

func (s *secure) heldRoles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.held))
	for n := range s.held {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *secure) RevokeSessions(context.Context, string) error { return s.hit() }
func (s *secure) ListFactors(context.Context, string) ([]*identity.Factor, error) {
	return []*identity.Factor{
		{ID: "f2", Kind: "smoke-signal"},
		nil,
		{ID: "f1", Kind: identity.FactorTOTP},
	}, s.hit()
}
func (s *secure) DeleteFactor(context.Context, string, string) error { return s.hit() }
func (s *secure) ResetFactors(context.Context, string) error         { return s.hit() }
func (s *secure) ListIdentities(context.Context, string) ([]*identity.LinkedIdentity, error) {
	return []*identity.LinkedIdentity{{Provider: "google", Subject: "2"}, {Provider: "apple", Subject: "9"}, {Provider: "google", Subject: "1"}}, s.hit()
}
func (s *secure) UnlinkIdentity(context.Context, string, string) error { return s.hit() }
func (s *secure) DeprovisionUser(context.Context, string) error        { return s.hit() }
func (s *secure) HasPassword(context.Context, string) (bool, error)    { return true, s.hit() }
func (s *secure) ResetPassword(_ context.Context, _ string, o identity.ResetOptions) (*identity.PasswordReset, error) {
	s.opts = o
	return s.reset, s.hit()
}

// withRoleSets replaces roles in one call, as Logto does.
type withRoleSets struct {
	*secure
	set []string
}

func (w *withRoleSets) SetRoles(_ context.Context, _ string, names []string) error {
	w.set = names
	return w.hit()
}

var allSecurity = func() identity.Capabilities {
	c := all
	c.Statuses = append(slices.Clone(all.Statuses), identity.StatusDeprovisioned)
	c.RevokeSessions, c.Factors, c.Identities, c.UnlinkIdentity = true, true, true, true
	c.Deprovision, c.HasPassword, c.ResetPasswordLink, c.ResetPasswordTemporary = true, true, true, true
	return c
}()

func TestSecurityCapabilitiesFollowWhatTheBackendImplements(t *testing.T) {
	off := func(c *identity.Capabilities) {
		c.RevokeSessions, c.Factors, c.Identities, c.UnlinkIdentity = false, false, false, false
		c.Deprovision, c.HasPassword, c.ResetPasswordLink, c.ResetPasswordTemporary = false, false, false, false
	}
	cases := []struct {
		name string
		d    driver.Directory
		want func(c *identity.Capabilities)
	}{
		{"implemented and declared", newSecure(allSecurity), func(*identity.Capabilities) {}},
		{"declared, not implemented", &counting{caps: allSecurity}, off},
		{"deprovision without the status", newSecure(func() identity.Capabilities {
			c := allSecurity
			c.Statuses = all.Statuses
			return c
		}()), func(c *identity.Capabilities) { c.Statuses, c.Deprovision = all.Statuses, false }},
		{"unlink without identities", newSecure(func() identity.Capabilities {
			c := allSecurity
			c.Identities = false
			return c
		}()), func(c *identity.Capabilities) { c.Identities, c.UnlinkIdentity = false, false }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := allSecurity
			want.Statuses = slices.Clone(allSecurity.Statuses)
			c.want(&want)
			assert.Equal(t, want, identity.NewDirectory("test", c.d).Capabilities())
		})
	}
}

// securityCalls makes a well-formed call of each account-security
// operation on dir.
func securityCalls(ctx context.Context, dir *identity.Directory) map[string]func() error {
	return map[string]func() error{
		"RevokeSessions": func() error { return dir.RevokeSessions(ctx, "u1") },
		"ListFactors":    func() error { _, err := dir.ListFactors(ctx, "u1"); return err },
		"DeleteFactor":   func() error { return dir.DeleteFactor(ctx, "u1", "f1") },
		"ResetFactors":   func() error { return dir.ResetFactors(ctx, "u1") },
		"ListIdentities": func() error { _, err := dir.ListIdentities(ctx, "u1"); return err },
		"UnlinkIdentity": func() error { return dir.UnlinkIdentity(ctx, "u1", "google") },
		"DeprovisionUser": func() error {
			return dir.DeprovisionUser(ctx, "u1")
		},
		"HasPassword":   func() error { _, err := dir.HasPassword(ctx, "u1"); return err },
		"SetRoles":      func() error { return dir.SetRoles(ctx, "u1", "a") },
		"ResetPassword": func() error { _, err := dir.ResetPassword(ctx, "u1", identity.ResetOptions{}); return err },
	}
}

func TestSecurityOffIsUnsupportedAndNeverCalled(t *testing.T) {
	ctx := context.Background()
	// The embedded driver.Directory is nil: a call that reached it would
	// panic.
	dir := identity.NewDirectory("test", &usersOnly{caps: allSecurity})
	for op, call := range securityCalls(ctx, dir) {
		t.Run(op, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, identity.ErrUnsupported)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, op, ie.Field)
			assert.Equal(t, op, ie.Op)
		})
	}
}

func TestSecurityOnReachesTheDriver(t *testing.T) {
	ctx := context.Background()
	s := newSecure(allSecurity)
	dir := identity.NewDirectory("test", s)
	for op, call := range securityCalls(ctx, dir) {
		t.Run(op, func(t *testing.T) {
			before := s.calls.Load()
			require.NoError(t, call())
			assert.Greater(t, s.calls.Load(), before, "the call reached the driver")
		})
	}
}

func TestSecurityBadInputNeverReachesTheDriver(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", 10<<10)
	type call = func(d *identity.Directory) error
	cases := map[string]struct {
		call call
		code identity.Code
		// field is what the error names.
		field string
	}{
		"RevokeSessions/slash": {func(d *identity.Directory) error { return d.RevokeSessions(ctx, "a/b") }, identity.InvalidArgument, "userID"},
		"ListFactors/empty":    {func(d *identity.Directory) error { _, err := d.ListFactors(ctx, ""); return err }, identity.InvalidArgument, "userID"},
		"DeleteFactor/user":    {func(d *identity.Directory) error { return d.DeleteFactor(ctx, "..", "f1") }, identity.InvalidArgument, "userID"},
		"DeleteFactor/empty":   {func(d *identity.Directory) error { return d.DeleteFactor(ctx, "u1", "") }, identity.InvalidArgument, "factorID"},
		"DeleteFactor/path":    {func(d *identity.Directory) error { return d.DeleteFactor(ctx, "u1", "../../admin") }, identity.InvalidArgument, "factorID"},
		"DeleteFactor/control": {func(d *identity.Directory) error { return d.DeleteFactor(ctx, "u1", "f\n1") }, identity.InvalidArgument, "factorID"},
		"DeleteFactor/10KB":    {func(d *identity.Directory) error { return d.DeleteFactor(ctx, "u1", long) }, identity.InvalidArgument, "factorID"},
		"ResetFactors/query":   {func(d *identity.Directory) error { return d.ResetFactors(ctx, "a?b") }, identity.InvalidArgument, "userID"},
		"ListIdentities/space": {func(d *identity.Directory) error { _, err := d.ListIdentities(ctx, "a b"); return err }, identity.InvalidArgument, "userID"},
		"UnlinkIdentity/empty": {func(d *identity.Directory) error { return d.UnlinkIdentity(ctx, "u1", "") }, identity.InvalidArgument, "provider"},
		"UnlinkIdentity/slash": {func(d *identity.Directory) error { return d.UnlinkIdentity(ctx, "u1", "google/../x") }, identity.InvalidArgument, "provider"},
		"UnlinkIdentity/nul":   {func(d *identity.Directory) error { return d.UnlinkIdentity(ctx, "u1", "goo\x00gle") }, identity.InvalidArgument, "provider"},
		"DeprovisionUser/hash": {func(d *identity.Directory) error { return d.DeprovisionUser(ctx, "a#b") }, identity.InvalidArgument, "id"},
		"HasPassword/percent":  {func(d *identity.Directory) error { _, err := d.HasPassword(ctx, "a%2F"); return err }, identity.InvalidArgument, "userID"},
		"SetRoles/user":        {func(d *identity.Directory) error { return d.SetRoles(ctx, "", "a") }, identity.InvalidArgument, "userID"},
		"SetRoles/blank":       {func(d *identity.Directory) error { return d.SetRoles(ctx, "u1", "a", " ") }, identity.InvalidArgument, "roles"},
		"SetRoles/padded":      {func(d *identity.Directory) error { return d.SetRoles(ctx, "u1", " a") }, identity.InvalidArgument, "roles"},
		"ResetPassword/user": {func(d *identity.Directory) error {
			_, err := d.ResetPassword(ctx, "u\x001", identity.ResetOptions{})
			return err
		}, identity.InvalidArgument, "userID"},
		"ResetPassword/unknown": {func(d *identity.Directory) error {
			_, err := d.ResetPassword(ctx, "u1", identity.ResetOptions{Kind: "carrier_pigeon"})
			return err
		}, identity.InvalidArgument, "ResetOptions.Kind"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := newSecure(allSecurity)
			err := c.call(identity.NewDirectory("test", s))
			require.Equal(t, c.code, identity.CodeOf(err), "got %v", err)
			require.Zero(t, s.calls.Load(), "a bad-input call reached the driver")
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, c.field, ie.Field)
			assert.NotEmpty(t, ie.Op)
			assert.Less(t, len(err.Error()), 400, "the message does not echo a huge value")
		})
	}
}

func TestSetRolesByDifference(t *testing.T) {
	ctx := context.Background()
	t.Run("RevokesThenAssigns", func(t *testing.T) {
		s := newSecure(allSecurity)
		require.NoError(t, identity.NewDirectory("test", s).SetRoles(ctx, "u1", "c", "a", "c"))
		assert.Equal(t, []string{"a", "c"}, s.heldRoles())
		assert.Equal(t, []string{"-b", "+c"}, s.log, "extra roles go before missing ones come")
	})
	t.Run("None", func(t *testing.T) {
		s := newSecure(allSecurity)
		require.NoError(t, identity.NewDirectory("test", s).SetRoles(ctx, "u1"))
		assert.Empty(t, s.heldRoles())
	})
	t.Run("Same", func(t *testing.T) {
		s := newSecure(allSecurity)
		require.NoError(t, identity.NewDirectory("test", s).SetRoles(ctx, "u1", "b", "a"))
		assert.Empty(t, s.log, "nothing to change")
		assert.EqualValues(t, 1, s.calls.Load(), "one read, and no catalogue needed")
	})
	t.Run("UnknownRoleChangesNothing", func(t *testing.T) {
		s := newSecure(allSecurity)
		err := identity.NewDirectory("test", s).SetRoles(ctx, "u1", "a", "nope")
		require.ErrorIs(t, err, identity.ErrNotFound)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "role", ie.Field)
		assert.Equal(t, "nope", ie.Role)
		assert.Equal(t, "u1", ie.UserID)
		assert.Equal(t, "SetRoles", ie.Op)
		assert.Empty(t, s.log)
		assert.Equal(t, []string{"a", "b"}, s.heldRoles())
	})
	t.Run("MissingUser", func(t *testing.T) {
		s := newSecure(allSecurity)
		s.err = &identity.Error{Code: identity.NotFound, Message: "no such user"}
		err := identity.NewDirectory("test", s).SetRoles(ctx, "u1", "a")
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.NotFound, ie.Code)
		assert.Equal(t, "user", ie.Field)
		assert.Empty(t, s.log)
	})
	t.Run("OneCallWhereTheProviderHasIt", func(t *testing.T) {
		w := &withRoleSets{secure: newSecure(allSecurity)}
		require.NoError(t, identity.NewDirectory("test", w).SetRoles(ctx, "u1", "c", "a", "c"))
		assert.Equal(t, []string{"a", "c"}, w.set, "sorted and distinct")
		assert.EqualValues(t, 1, w.calls.Load())
		assert.Empty(t, w.log)
		require.NoError(t, identity.NewDirectory("test", w).SetRoles(ctx, "u1"))
		assert.NotNil(t, w.set, "none is an empty set, not nil")
		assert.Empty(t, w.set)
	})
}

func TestResetPasswordKind(t *testing.T) {
	ctx := context.Background()
	link := &identity.PasswordReset{Kind: identity.ResetLink, Link: "https://example.com/r/1"}
	temp := &identity.PasswordReset{Kind: identity.ResetTemporaryPassword, TemporaryPassword: "Tmp-123456"}
	onlyTemp := allSecurity
	onlyTemp.ResetPasswordLink = false
	cases := []struct {
		name     string
		caps     identity.Capabilities
		kind     identity.ResetKind
		answer   *identity.PasswordReset
		sent     identity.ResetKind // what the backend must be asked for
		code     identity.Code
		field    string
		notAsked bool
	}{
		{name: "default is a link", caps: allSecurity, answer: link, sent: identity.ResetLink},
		{name: "default without links", caps: onlyTemp, answer: temp, sent: identity.ResetTemporaryPassword},
		{name: "temporary", caps: allSecurity, kind: identity.ResetTemporaryPassword, answer: temp, sent: identity.ResetTemporaryPassword},
		{name: "link unsupported", caps: onlyTemp, kind: identity.ResetLink, code: identity.Unsupported, field: "ResetOptions.Kind", notAsked: true},
		{name: "wrong kind back", caps: allSecurity, kind: identity.ResetLink, answer: temp, sent: identity.ResetLink, code: identity.Internal},
		{name: "no link back", caps: allSecurity, answer: &identity.PasswordReset{Kind: identity.ResetLink}, sent: identity.ResetLink, code: identity.Internal},
		{name: "both back", caps: allSecurity, answer: &identity.PasswordReset{Kind: identity.ResetLink, Link: "x", TemporaryPassword: "y"}, sent: identity.ResetLink, code: identity.Internal},
		{name: "nothing back", caps: allSecurity, sent: identity.ResetLink, code: identity.Internal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSecure(c.caps)
			s.reset = c.answer
			got, err := identity.NewDirectory("test", s).ResetPassword(ctx, "u1", identity.ResetOptions{Kind: c.kind})
			if c.notAsked {
				assert.Zero(t, s.calls.Load())
			} else {
				assert.Equal(t, c.sent, s.opts.Kind)
			}
			if c.code != identity.Unknown {
				require.Equal(t, c.code, identity.CodeOf(err), "got %v", err)
				assert.Nil(t, got)
				if c.field != "" {
					var ie *identity.Error
					require.ErrorAs(t, err, &ie)
					assert.Equal(t, c.field, ie.Field)
				}
				return
			}
			require.NoError(t, err)
			assert.Same(t, c.answer, got)
		})
	}
}

func TestSecurityListsAreOrdered(t *testing.T) {
	ctx := context.Background()
	dir := identity.NewDirectory("test", newSecure(allSecurity))
	fs, err := dir.ListFactors(ctx, "u1")
	require.NoError(t, err)
	require.Len(t, fs, 2, "a nil factor is dropped")
	assert.Equal(t, "f1", fs[0].ID)
	assert.Equal(t, identity.FactorOther, fs[1].Kind, "a kind the portable model lacks reads other")
	ls, err := dir.ListIdentities(ctx, "u1")
	require.NoError(t, err)
	var got []string
	for _, l := range ls {
		got = append(got, l.Provider+"/"+l.Subject)
	}
	assert.Equal(t, []string{"apple/9", "google/1", "google/2"}, got)
}

func TestSecurityNotFoundSaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	s := newSecure(allSecurity)
	dir := identity.NewDirectory("test", s)
	s.err = &identity.Error{Code: identity.NotFound, Message: "no such user"}
	for op, call := range securityCalls(ctx, dir) {
		if op == "DeleteFactor" || op == "UnlinkIdentity" || op == "DeprovisionUser" {
			continue // two targets, or the lifecycle's own path: the backend says
		}
		t.Run(op, func(t *testing.T) {
			var ie *identity.Error
			require.ErrorAs(t, call(), &ie)
			assert.Equal(t, identity.NotFound, ie.Code)
			assert.Equal(t, "user", ie.Field)
			assert.Equal(t, "u1", ie.UserID)
		})
	}
	s.err = &identity.Error{Code: identity.NotFound, Field: "factor", Message: "no such factor"}
	var ie *identity.Error
	require.ErrorAs(t, dir.DeleteFactor(ctx, "u1", "f9"), &ie)
	assert.Equal(t, "factor", ie.Field, "the backend's word on what is missing stays")
	assert.Equal(t, "DeleteFactor", ie.Op)
}

// deprovisioned refuses the transition of a user already deprovisioned,
// as Okta's deactivate does.
type deprovisioned struct{ *secure }

func (d deprovisioned) DeprovisionUser(context.Context, string) error {
	return &identity.Error{Code: identity.FailedPrecondition, Message: "already deprovisioned"}
}
func (d deprovisioned) GetUser(context.Context, string) (*identity.User, error) {
	return &identity.User{ID: "u1", Status: identity.StatusDeprovisioned}, nil
}

func TestDeprovisionIsIdempotent(t *testing.T) {
	require.NoError(t, identity.NewDirectory("test", deprovisioned{newSecure(allSecurity)}).DeprovisionUser(context.Background(), "u1"))
}

// TestUserDirectoryIsFrozen keeps the v1 core interface as it shipped:
// a method added to it would break every implementation outside this
// module. New groups of operations are methods of *Directory only.
func TestUserDirectoryIsFrozen(t *testing.T) {
	typ := reflect.TypeFor[identity.UserDirectory]()
	var got []string
	for i := range typ.NumMethod() {
		got = append(got, typ.Method(i).Name)
	}
	assert.Equal(t, []string{
		"ActivateUser", "AssignRole", "Capabilities", "ChangePassword", "Close", "CreateRole", "CreateUser",
		"DeleteRole", "DeleteUser", "ExpirePassword", "GetUser", "GetUserByEmail", "GetUserByUsername",
		"ListRoles", "ListUserRoles", "ListUsers", "ListUsersPage", "RevokeRole", "SetPassword",
		"SuspendUser", "UpdateUser", "VerifyPassword",
	}, got)
}
