// Package chaostest runs a backend's conformance suite against its
// emulator with transient faults injected into a fifth of the requests,
// and proves afterwards, from the emulator's state, that nothing was
// duplicated or lost. A backend's chaos test is a harness whose
// MakeDirectory starts the emulator with [Run.Faults] in front of its
// schema checker and hands the directory to [Run.Track]:
//
//	var run = chaostest.New("logto")
//
//	func (chaosHarness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
//		f := run.Faults(t)
//		srv := logtotest.NewServer(t, logtotest.Options{...,
//			Middleware: func(h http.Handler) http.Handler { return f.Wrap(check(h)) }})
//		dir, _ := logto.New(ctx, logto.Options{..., Timeout: chaostest.Timeout,
//			MaxAttempts: chaostest.MaxAttempts, RetryBaseDelay: chaostest.RetryBaseDelay})
//		clean, _ := logto.New(ctx, logto.Options{...}) // reads the state with faults off
//		return run.Track(t, dir, f, clean), nil
//	}
//
//	func TestChaos(t *testing.T) {
//		conformance.Run(t, chaosHarness{})
//		run.Report(t)
//	}
//
// Track records what every call told its caller: the users and roles it
// created, changed and deleted. When the subtest ends, it turns injection
// off and lists the emulator's users and roles through a directory
// without faults, and fails the subtest for any duplicate (two users with
// one email, username or phone; a user no caller was told about, which a
// create that failed to its caller made anyway; a role name twice) and
// any lost write (a user or role a caller was told exists that does not,
// or does with other identifiers; one a caller was told was deleted that
// still exists).
package chaostest

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/wrap"
)

// Settings a chaos harness gives its backend's Options and faults.
const (
	// Rate is the share of requests that meet a fault.
	Rate = 0.2
	// Timeout is the client's per-attempt timeout: short, so that a Slow
	// fault costs little, and long enough for a loaded CI machine.
	Timeout = 300 * time.Millisecond
	// MaxAttempts leaves room for runs of faults. 429s come in bursts of
	// three, and a burst can follow a burst, so that one request may meet
	// nine 429s in a row (seen with ten attempts); sixteen attempts all
	// failing has odds below one in a million per request.
	MaxAttempts = 16
	// RetryBaseDelay keeps backoff short: the emulator is not overloaded,
	// it only pretends to be.
	RetryBaseDelay = time.Millisecond
	// Seed is the base seed; CHAOS_SEED overrides it to replay a run.
	Seed = 20260116
)

// Run collects what the subtests of one chaos run found.
type Run struct {
	// Rate is the share of requests that meet a fault; New sets it to
	// the constant Rate.
	Rate float64
	// RetryAfter is the Retry-After of the 429s injected; New sets it to
	// "0": the httpx tests prove on a fake clock that it is honoured, and
	// against an emulator a real second per 429 would only slow the run.
	// Against a real server, "1" is what its limiter would say.
	RetryAfter string
	// LocalRoles means the backend keeps its role catalogue in the
	// process (see internal/metaroles): the provider holds no roles to
	// check, and a clean directory has a catalogue of its own.
	LocalRoles bool

	backend string
	seed    uint64

	mu        sync.Mutex
	subtests  int
	requests  int
	inScope   int
	faults    map[faultinject.Fault]int
	creates   int // CreateUser calls
	created   int // of which succeeded
	dups      int
	orphans   int
	lost      int
	problems  []string
	roleCheck bool
}

// New returns a Run for backend, named in the report.
func New(backend string) *Run {
	seed := uint64(Seed)
	if s := os.Getenv("CHAOS_SEED"); s != "" {
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			seed = n
		}
	}
	return &Run{Rate: Rate, RetryAfter: "0", backend: backend, seed: seed, faults: map[faultinject.Fault]int{}}
}

// Faults returns the fault middleware for one subtest's emulator: Rate of
// all requests, token endpoints included, meet one of
// faultinject.TransientFaults. The seed is the run's, mixed with the
// subtest's name, so that a subtest meets the same faults on every run
// (as far as its requests come in the same order).
func (r *Run) Faults(t *testing.T) *faultinject.Faults {
	h := fnv.New64a()
	_, _ = h.Write([]byte(t.Name()))
	return faultinject.New(faultinject.Options{
		Seed: r.seed ^ h.Sum64(), Rate: r.Rate, Kinds: faultinject.TransientFaults,
		// Held until the client gives up, at Timeout.
		SlowDelay:  time.Minute,
		RetryAfter: r.RetryAfter, RateLimitReset: time.Second,
	})
}

// Track wraps dir so that what its calls report is recorded, and checks
// the emulator's state against it when t ends, reading it through clean,
// a directory on the same emulator that f does not touch once it is
// turned off. Call it after starting the emulator, so that the check runs
// before the emulator stops.
func (r *Run) Track(t *testing.T, dir *identity.Directory, f *faultinject.Faults, clean *identity.Directory) *identity.Directory {
	return r.TrackTagged(t, dir, f, clean, "")
}

// TrackTagged is Track on a server that others share (a live tenant):
// the check looks only at the users and roles whose identifiers or names
// contain tag (see conformance.Tag), and at the users the calls made.
func (r *Run) TrackTagged(t *testing.T, dir *identity.Directory, f *faultinject.Faults, clean *identity.Directory, tag string) *identity.Directory {
	rec := &recorder{Backend: wrap.Backend{Dir: dir}, users: map[string]*ids{}, deleted: map[string]bool{}, roles: map[string]bool{}, tag: tag}
	t.Cleanup(func() {
		f.Enable(false)
		defer clean.Close()
		r.check(t, rec, f, clean)
	})
	return identity.NewDirectory(dir.Backend(), rec)
}

// ids are a user's identifiers, as the calls reported them.
type ids struct{ username, email, phone string }

func idsOf(u *identity.User) *ids {
	return &ids{username: u.Username, email: strings.ToLower(u.Email), phone: u.Phone}
}

// recorder records what the directory's calls told their callers.
type recorder struct {
	wrap.Backend
	mu      sync.Mutex
	users   map[string]*ids // created and not known deleted
	deleted map[string]bool
	roles   map[string]bool // name -> exists, as last reported
	tag     string          // "" for every user and role
	creates int
	created int
}

func (c *recorder) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
	u, err := c.Backend.CreateUser(ctx, nu)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creates++
	if err == nil && u != nil {
		c.created++
		c.users[u.ID] = idsOf(u)
	}
	return u, err
}

func (c *recorder) UpdateUser(ctx context.Context, id string, up identity.UserUpdate) (*identity.User, error) {
	u, err := c.Backend.UpdateUser(ctx, id, up)
	if err == nil && u != nil {
		c.mu.Lock()
		if _, ok := c.users[u.ID]; ok {
			c.users[u.ID] = idsOf(u)
		}
		c.mu.Unlock()
	}
	return u, err
}

func (c *recorder) DeleteUser(ctx context.Context, id string) error {
	err := c.Backend.DeleteUser(ctx, id)
	if err == nil {
		c.mu.Lock()
		delete(c.users, id)
		c.deleted[id] = true
		c.mu.Unlock()
	}
	return err
}

func (c *recorder) CreateRole(ctx context.Context, role identity.Role) (*identity.Role, error) {
	got, err := c.Backend.CreateRole(ctx, role)
	if err == nil && got != nil {
		c.mu.Lock()
		c.roles[got.Name] = true
		c.mu.Unlock()
	}
	return got, err
}

func (c *recorder) DeleteRole(ctx context.Context, name string) error {
	err := c.Backend.DeleteRole(ctx, name)
	if err == nil {
		c.mu.Lock()
		c.roles[name] = false
		c.mu.Unlock()
	}
	return err
}

// check compares the emulator's state with what rec's callers were told.
func (r *Run) check(t *testing.T, rec *recorder, f *faultinject.Faults, clean *identity.Directory) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var problems []string
	var dups, orphans, lost int
	bad := func(counter *int, format string, args ...any) {
		*counter++
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	actual := map[string]*identity.User{}
	holders := map[string][]string{} // identifier -> user ids
	listings := []identity.ListOptions{{PageSize: 100}}
	if clean.Capabilities().HasStatus(identity.StatusDeprovisioned) {
		// Okta's listing leaves deprovisioned users out unless asked for
		// them by status.
		listings = append(listings, identity.ListOptions{PageSize: 100, Status: identity.StatusDeprovisioned})
	}
	for _, lo := range listings {
		for u, err := range clean.ListUsers(ctx, lo) {
			if err != nil {
				t.Errorf("chaos check: listing the emulator's users: %v", err)
				return
			}
			if _, dup := actual[u.ID]; dup {
				continue
			}
			if _, made := rec.users[u.ID]; rec.tag != "" && !made && !rec.deleted[u.ID] &&
				!strings.Contains(strings.ToLower(u.Email), rec.tag) && !strings.Contains(u.Username, rec.tag) {
				continue // another subtest's, or the tenant's own
			}
			actual[u.ID] = u
			for _, k := range []string{"username:" + u.Username, "email:" + strings.ToLower(u.Email), "phone:" + u.Phone} {
				if !strings.HasSuffix(k, ":") {
					holders[k] = append(holders[k], u.ID)
				}
			}
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for k, us := range holders {
		if len(us) > 1 {
			bad(&dups, "duplicate: %s is held by %d users %v", k, len(us), us)
		}
	}
	for id, u := range actual {
		if _, told := rec.users[id]; !told {
			bad(&orphans, "duplicate: user %s (%s) exists but no caller was told it was created", id, u.Email)
		}
	}
	for id, want := range rec.users {
		u, ok := actual[id]
		switch {
		case !ok:
			bad(&lost, "lost write: user %s (%s) was created and not deleted, but is gone", id, want.email)
		case *idsOf(u) != *want:
			bad(&lost, "lost write: user %s has identifiers %+v, callers were told %+v", id, *idsOf(u), *want)
		}
	}
	for id := range rec.deleted {
		if _, ok := actual[id]; ok {
			bad(&lost, "lost write: user %s was deleted, but exists", id)
		}
	}
	roleCheck := false
	var rs []*identity.Role
	err := identity.ErrUnsupported
	if !r.LocalRoles { // else the provider has no roles to check
		rs, err = clean.ListRoles(ctx)
	}
	if err == nil {
		roleCheck = true
		names := map[string]int{}
		for _, ro := range rs {
			if rec.tag == "" || strings.Contains(ro.Name, rec.tag) {
				names[ro.Name]++
			}
		}
		for n, c := range names {
			if c > 1 {
				bad(&dups, "duplicate: role %q exists %d times", n, c)
			}
		}
		for n, exists := range rec.roles {
			if exists != (names[n] > 0) {
				bad(&lost, "lost write: role %q exists=%v, callers were told exists=%v", n, names[n] > 0, exists)
			}
		}
	} else if identity.CodeOf(err) != identity.Unsupported {
		t.Errorf("chaos check: listing the emulator's roles: %v", err)
	}
	for _, p := range problems {
		t.Error(p)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.subtests++
	r.requests += f.Requests()
	r.inScope += f.InScope()
	for k, n := range f.Counts() {
		r.faults[k] += n
	}
	r.creates += rec.creates
	r.created += rec.created
	r.dups += dups
	r.orphans += orphans
	r.lost += lost
	r.roleCheck = r.roleCheck || roleCheck
	for _, p := range problems {
		r.problems = append(r.problems, t.Name()+": "+p)
	}
}

// Report logs the run's counts, and fails t if anything was duplicated or
// lost, or if far fewer requests met a fault than Rate says.
func (r *Run) Report(t *testing.T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	injected := 0
	kinds := make([]string, 0, len(r.faults))
	for k, n := range r.faults {
		injected += n
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	share := 0.0
	if r.requests > 0 {
		share = float64(injected) / float64(r.requests)
	}
	t.Logf("chaos run %s (seed %d): %d subtests checked; %d requests, %d faults injected (%.1f%%): %s; "+
		"CreateUser calls %d, users created %d; duplicates %d, users no caller was told of %d, lost writes %d; roles checked: %v",
		r.backend, r.seed, r.subtests, r.requests, injected, 100*share, strings.Join(kinds, " "),
		r.creates, r.created, r.dups, r.orphans, r.lost, r.roleCheck)
	if r.dups+r.orphans+r.lost > 0 {
		t.Errorf("chaos run %s: %d duplicates, %d users no caller was told of, %d lost writes:\n%s",
			r.backend, r.dups, r.orphans, r.lost, strings.Join(r.problems, "\n"))
	}
	if r.subtests == 0 {
		t.Error("no subtest was checked: is Track called?")
		return
	}
	// Whether every kind came up is left to chance: a run of a few
	// hundred requests can miss one of thirteen, and each kind has its
	// own test against every backend (recovery_test.go) and in httpx.
	if share < r.Rate/2 {
		t.Errorf("only %.1f%% of requests met a fault, for a rate of %.0f%%", 100*share, 100*r.Rate)
	}
}
