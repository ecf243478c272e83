// Package conformance is the test suite every identity backend runs, so
// that they all behave the same behind *identity.Directory.
//
// A backend's test calls [Run] with a [Harness] that makes a fresh
// directory for each subtest:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, harness{})
//	}
//
// The suite covers every operation and every error code a caller can meet.
// What a backend does not support is not skipped: the suite checks that it
// answers Unsupported, as its Capabilities declare. Tests that need several
// users isolate them with a unique tag, so the suite also runs against a
// live tenant that holds other users; wrap such a directory with
// [WithCleanup].
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Harness makes directories for the suite.
type Harness interface {
	// MakeDirectory returns a directory for one subtest. It should be
	// empty (a new emulator or memory store); a shared live tenant is
	// fine too, since tests tag what they create (Tag(ctx) is the tag).
	// The suite closes it when the subtest ends; anything else to
	// release, register with t.Cleanup.
	MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error)
	// Capabilities is what the backend must declare: the suite checks
	// that the directory reports exactly this, and gates its tests on it.
	Capabilities() identity.Capabilities
}

// RequestCounter is an optional Harness method for backends that talk to a
// server: Requests returns how many requests dir, a directory
// MakeDirectory returned, has sent so far. With it, the suite checks that
// what a capability turns off, and input it refuses, are answered before
// any request is sent.
type RequestCounter interface {
	Requests(dir *identity.Directory) int
}

// Usernamer is an optional Harness method for backends whose usernames
// must have a particular shape (Okta logins are email addresses by
// default): it maps the suite's plain usernames (a letter, then letters,
// digits and '_') onto that shape, the same way every time.
type Usernamer interface {
	Username(base string) string
}

// Timeout bounds each subtest.
const Timeout = 2 * time.Minute

// Run runs the whole suite as subtests of t.
func Run(t *testing.T, h Harness) {
	groups := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Capabilities", testCapabilities},
		{"Gates", testGates},
		{"Create", testCreate},
		{"Get", testGet},
		{"Update", testUpdate},
		{"Delete", testDelete},
		{"List", testList},
		{"Lifecycle", testLifecycle},
		{"Roles", testRoles},
		{"Passwords", testPasswords},
		{"BadInput", testBadInput},
		{"Constraints", testConstraints},
		{"Concurrency", testConcurrency},
		{"Organizations", testOrganizations},
		{"Sessions", testSessions},
		{"Factors", testFactors},
		{"Identities", testIdentities},
		{"Deprovision", testDeprovision},
		{"SetRoles", testSetRoles},
		{"PasswordResets", testPasswordResets},
		{"HasPassword", testHasPassword},
		{"PasswordHashes", testPasswordHashes},
		{"Context", testContext},
		{"Errors", testErrors},
		{"NotFound", testNotFound},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.fn(t, h) })
	}
}

// env is what one subtest works with.
type env struct {
	t    *testing.T
	ctx  context.Context
	dir  *identity.Directory
	caps identity.Capabilities
	h    Harness
	tag  string

	mu     sync.Mutex
	picked map[string]string // role names chosen from a fixed catalogue
}

func newEnv(t *testing.T, h Harness) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	t.Cleanup(cancel)
	tag := randTag()
	dir, err := h.MakeDirectory(context.WithValue(ctx, tagKey{}, tag), t)
	require.NoError(t, err, "MakeDirectory")
	require.NotNil(t, dir, "MakeDirectory returned no directory")
	t.Cleanup(func() { _ = dir.Close() })
	return &env{t: t, ctx: ctx, dir: dir, caps: h.Capabilities(), h: h, tag: tag}
}

type tagKey struct{}

// Tag returns the tag of the subtest whose MakeDirectory call ctx is, or
// "" for any other context. Every username, email, role and organization
// name the subtest makes contains it (a user made with a phone alone has
// none to carry it), so that a harness on a shared tenant can tell the
// subtest's own from the rest.
func Tag(ctx context.Context) string {
	s, _ := ctx.Value(tagKey{}).(string)
	return s
}

func randTag() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requests returns how many requests the directory has sent, or -1 when
// the harness does not count them.
func (e *env) requests() int {
	if c, ok := e.h.(RequestCounter); ok {
		return c.Requests(e.dir)
	}
	return -1
}

// requireNoRequest runs call and fails if it sent a request, where the
// harness counts them.
func (e *env) requireNoRequest(what string, call func() error) error {
	e.t.Helper()
	before := e.requests()
	err := call()
	if before >= 0 {
		require.Equal(e.t, before, e.requests(), "%s sent a request", what)
	}
	return err
}

// sub is e for a subtest of e's own: same directory, same tag.
func (e *env) sub(t *testing.T) *env {
	return &env{t: t, ctx: e.ctx, dir: e.dir, caps: e.caps, h: e.h, tag: e.tag, picked: e.picked}
}

// email returns an address unique to this subtest.
func (e *env) email(name string) string { return fmt.Sprintf("%s.%s@example.com", name, e.tag) }

// username returns a username unique to this subtest, shaped by the
// harness if it asks.
func (e *env) username(name string) string {
	base := "u_" + name + "_" + e.tag
	if u, ok := e.h.(Usernamer); ok {
		return u.Username(base)
	}
	return base
}

// phone returns an E.164 number unique to this subtest and n, and one a
// phone validator accepts: a North American exchange cannot begin with 0
// or 1, and Kratos's "tel" format, for one, refuses such a number.
func (e *env) phone(n int) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("+1415%03d%04d", 200+int(b[0]), (int(b[1])<<8|int(b[2])+n)%10000)
}

const password identity.Secret = "Corr3ct-Horse-Battery-Staple!"

// createdStatus is the status a user created Active has on this backend.
func (e *env) createdStatus(withPassword bool) identity.Status {
	if e.caps.PendingUntilPassword && !withPassword {
		return identity.StatusPending
	}
	return identity.StatusActive
}

// newUser returns a NewUser with an email and, where the backend needs one
// to be Active, a password.
func (e *env) newUser(name string) identity.NewUser {
	nu := identity.NewUser{Email: e.email(name)}
	if e.caps.PendingUntilPassword && e.caps.SetPassword {
		nu.Password = password
	}
	return nu
}

// create creates the user and fails the test on error.
func (e *env) create(nu identity.NewUser) *identity.User {
	e.t.Helper()
	u, err := e.dir.CreateUser(e.ctx, nu)
	require.NoError(e.t, err, "CreateUser")
	require.NotNil(e.t, u)
	require.NotEmpty(e.t, u.ID, "created user has no ID")
	return u
}

// activeUser creates a user that is StatusActive.
func (e *env) activeUser(name string) *identity.User {
	e.t.Helper()
	u := e.create(e.newUser(name))
	require.Equal(e.t, identity.StatusActive, u.Status, "a new user should be active")
	return u
}

func (e *env) get(id string) *identity.User {
	e.t.Helper()
	u, err := e.dir.GetUser(e.ctx, id)
	require.NoError(e.t, err, "GetUser")
	return u
}

// missingID is well-formed for every backend and names no user.
const missingID = "zz0000notauser0000zz"

// requireCode fails unless err carries code.
func requireCode(t *testing.T, err error, code identity.Code, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Equalf(t, code, identity.CodeOf(err), "want %v, got error: %v", code, err)
	require.True(t, errors.Is(err, sentinelFor(code)), "errors.Is(err, sentinel) is false for %v", err)
}

func sentinelFor(c identity.Code) error {
	return map[identity.Code]error{
		identity.NotFound:           identity.ErrNotFound,
		identity.AlreadyExists:      identity.ErrAlreadyExists,
		identity.InvalidArgument:    identity.ErrInvalidArgument,
		identity.FailedPrecondition: identity.ErrFailedPrecondition,
		identity.InvalidCredentials: identity.ErrInvalidCredentials,
		identity.Unauthenticated:    identity.ErrUnauthenticated,
		identity.PermissionDenied:   identity.ErrPermissionDenied,
		identity.RateLimited:        identity.ErrRateLimited,
		identity.Unavailable:        identity.ErrUnavailable,
		identity.Unsupported:        identity.ErrUnsupported,
		identity.Internal:           identity.ErrInternal,
	}[c]
}

// listTagged lists the users whose email or username contains this
// subtest's tag.
func (e *env) listTagged(opts identity.ListOptions) []*identity.User {
	e.t.Helper()
	opts.Query = e.tag
	var out []*identity.User
	for u, err := range e.dir.ListUsers(e.ctx, opts) {
		require.NoError(e.t, err, "ListUsers")
		out = append(out, u)
	}
	return out
}

func ids(us []*identity.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	sort.Strings(out)
	return out
}

// snapshot is the observable state of the directory, for checking that a
// refused call changed nothing.
type snapshot struct {
	users    []identity.User
	roles    []identity.Role
	orgs     []orgState
	orgRoles []identity.OrganizationRole
	// security holds each user's factors, identities, password state and
	// roles, as far as the backend can list them.
	security []userSecurity
}

// orgState is an organization of the subtest as a snapshot sees it.
type orgState struct {
	org     identity.Organization
	members []string
	// roles holds each member's roles, where the backend has them.
	roles map[string][]string
}

func (e *env) snapshot() snapshot {
	e.t.Helper()
	var s snapshot
	for u, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Query: e.tag}) {
		require.NoError(e.t, err)
		c := *u
		c.Raw = nil
		s.users = append(s.users, c)
	}
	slices.SortFunc(s.users, func(a, b identity.User) int { return strings.Compare(a.ID, b.ID) })
	s.security = e.security(s.users)
	if e.caps.Roles {
		rs, err := e.dir.ListRoles(e.ctx)
		require.NoError(e.t, err)
		for _, r := range rs {
			s.roles = append(s.roles, *r)
		}
	}
	if e.caps.Organizations {
		os, _ := e.orgsWithTag(0)
		for _, o := range os {
			st := orgState{org: *o, members: e.members(o.ID)}
			st.org.Raw = nil
			if e.caps.OrganizationRoles {
				st.roles = map[string][]string{}
				for _, m := range st.members {
					st.roles[m] = e.memberRoles(o.ID, m)
				}
			}
			s.orgs = append(s.orgs, st)
		}
		slices.SortFunc(s.orgs, func(a, b orgState) int { return strings.Compare(a.org.ID, b.org.ID) })
	}
	if e.caps.OrganizationRoles {
		rs, err := e.dir.ListOrganizationRoles(e.ctx)
		require.NoError(e.t, err)
		for _, r := range rs {
			s.orgRoles = append(s.orgRoles, *r)
		}
	}
	return s
}

func (e *env) requireUnchanged(before snapshot, what string) {
	e.t.Helper()
	after := e.snapshot()
	if !reflect.DeepEqual(before, after) {
		e.t.Fatalf("%s changed the directory:\nbefore: %+v\nafter:  %+v", what, before, after)
	}
}

// parallel runs n functions at once and waits for all.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}

// assertSameUser checks the fields a caller set survive a round trip.
func assertSameUser(t *testing.T, want, got *identity.User) {
	t.Helper()
	assert.Equal(t, want.ID, got.ID, "ID")
	assert.Equal(t, want.Username, got.Username, "Username")
	assert.True(t, strings.EqualFold(want.Email, got.Email), "Email: want %q, got %q", want.Email, got.Email)
	assert.Equal(t, want.Phone, got.Phone, "Phone")
	assert.Equal(t, want.GivenName, got.GivenName, "GivenName")
	assert.Equal(t, want.FamilyName, got.FamilyName, "FamilyName")
	assert.Equal(t, want.DisplayName, got.DisplayName, "DisplayName")
	assert.Equal(t, want.Status, got.Status, "Status")
	assert.Equal(t, normalize(want.Metadata), normalize(got.Metadata), "Metadata")
}

// normalize makes an empty and a nil metadata map compare equal.
func normalize(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}
