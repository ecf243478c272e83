package backendtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/chaostest"
)

// Live is a backend's live mode: the conformance suite against the real
// provider, configured from the environment.
type Live struct {
	// Env are the environment variables that must all be set; Optional
	// names others, for the skip message.
	Env, Optional []string
	// Ready, if set, reports whether the environment, as env reads it,
	// is set, where Env alone cannot say (one credential or another).
	Ready func(env func(string) string) bool
	// Open opens the directory from the environment, as env reads it,
	// with ho as its transport settings.
	Open func(ctx context.Context, env func(string) string, ho identity.HTTPOptions) (*identity.Directory, error)
	// URLs are the variables among Env and Optional that hold the
	// server's root URLs, such as "KRATOS_ADMIN_URL". With
	// IDENTITY_CHAOS_RATE set, the suite runs with the fault proxy in
	// front of each (see ConformanceLive).
	URLs []string
	// Mode is the mode whose capabilities the real provider is held to.
	Mode string
	// Username, if set, shapes the suite's usernames as the tenant
	// requires (see conformance.Usernamer).
	Username func(base string) string
	// Note, if set, is added to the skip message: what the tenant must
	// be set up with.
	Note string
}

// harness is the conformance harness of one mode of a backend, on a
// schema-checked emulator per subtest. It counts each directory's
// requests, so that the suite proves refused input and operations the
// capabilities turn off send nothing.
type harness struct {
	b     *Backend
	m     Mode
	chaos *chaostest.Run
	count *counters
	// sites maps each directory MakeDirectory returned to its emulator,
	// for the Actor.
	sites sync.Map
}

// Actor acts at one emulator as the provider's users would, outside the
// admin API the backend calls: what conformance.Actor asks of a harness,
// for the directory on that emulator. Each method may return an error
// whose Code is Unsupported for what the emulator cannot do (a factor kind
// the provider lacks, say); the subtests that need it then skip, saying
// why.
type Actor interface {
	// AddFactor enrols a factor of kind for the user and returns its id
	// as the backend's ListFactors reports it.
	AddFactor(ctx context.Context, userID string, kind identity.FactorKind) (factorID string, err error)
	// LinkIdentity links the user's account subject at the connector the
	// suite calls provider ("google", "github"), and returns the
	// Provider the backend's ListIdentities reports for it.
	LinkIdentity(ctx context.Context, userID, provider, subject string) (string, error)
	// SignIn starts a session of the user, with a refresh token where
	// the provider issues them.
	SignIn(ctx context.Context, userID string) error
	// Sessions returns how many sessions (or refresh tokens, where the
	// provider's sessions are those) of the user are live.
	Sessions(ctx context.Context, userID string) (int, error)
}

func (h *harness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	var outer []func(http.Handler) http.Handler
	if h.chaos != nil {
		f := h.chaos.Faults(t)
		outer = append(outer, f.Wrap)
		s := start(t, h.b, siteOptions{outer: outer, schema: true, mode: h.m.Name})
		hc, file := h.count.client()
		dir, err := h.b.Open(ctx, s.config("", identity.HTTPOptions{HTTPClient: hc,
			Timeout: chaostest.Timeout, MaxAttempts: chaostest.MaxAttempts, RetryBaseDelay: chaostest.RetryBaseDelay}))
		if err != nil {
			return nil, err
		}
		clean, err := h.b.Open(ctx, s.config("", identity.HTTPOptions{}))
		if err != nil {
			return nil, err
		}
		tracked := h.chaos.Track(t, dir, f, clean)
		file(tracked)
		h.file(t, tracked, s)
		return tracked, nil
	}
	s := start(t, h.b, siteOptions{schema: true, mode: h.m.Name})
	hc, file := h.count.client()
	dir, err := h.b.Open(ctx, s.config("", identity.HTTPOptions{HTTPClient: hc}))
	if err == nil {
		file(dir)
		h.file(t, dir, s)
	}
	return dir, err
}

// file keeps dir's site for the Actor until t ends.
func (h *harness) file(t *testing.T, dir *identity.Directory, s *site) {
	h.sites.Store(dir, s)
	t.Cleanup(func() { h.sites.Delete(dir) })
}

// actor returns the kit's Actor on dir's emulator.
func (h *harness) actor(dir *identity.Directory) (Actor, error) {
	if h.b.Actor == nil {
		return nil, &identity.Error{Code: identity.Unsupported, Field: "Actor",
			Message: "the " + h.b.Name + " kit sets no Backend.Actor to act at its emulator as a user"}
	}
	s, ok := h.sites.Load(dir)
	if !ok {
		return nil, &identity.Error{Code: identity.Internal, Message: "a directory this harness did not make"}
	}
	return h.b.Actor(s.(*site).emu), nil
}

// AddFactor implements conformance.Actor through the kit's Actor.
func (h *harness) AddFactor(ctx context.Context, dir *identity.Directory, userID string, kind identity.FactorKind) (string, error) {
	a, err := h.actor(dir)
	if err != nil {
		return "", err
	}
	return a.AddFactor(ctx, userID, kind)
}

// LinkIdentity implements conformance.Actor through the kit's Actor.
func (h *harness) LinkIdentity(ctx context.Context, dir *identity.Directory, userID, provider, subject string) (string, error) {
	a, err := h.actor(dir)
	if err != nil {
		return "", err
	}
	return a.LinkIdentity(ctx, userID, provider, subject)
}

// SignIn implements conformance.Actor through the kit's Actor.
func (h *harness) SignIn(ctx context.Context, dir *identity.Directory, userID string) error {
	a, err := h.actor(dir)
	if err != nil {
		return err
	}
	return a.SignIn(ctx, userID)
}

// Sessions implements conformance.Actor through the kit's Actor.
func (h *harness) Sessions(ctx context.Context, dir *identity.Directory, userID string) (int, error) {
	a, err := h.actor(dir)
	if err != nil {
		return 0, err
	}
	return a.Sessions(ctx, userID)
}

var _ conformance.Actor = (*harness)(nil)

func (h *harness) Capabilities() identity.Capabilities { return h.m.Capabilities }

// Requests implements conformance.RequestCounter.
func (h *harness) Requests(dir *identity.Directory) int { return h.count.requests(dir) }

// usernamed is a harness whose mode shapes usernames.
type usernamed struct{ *harness }

func (u usernamed) Username(base string) string { return u.m.Username(base) }

// suite returns the conformance harness of h's mode.
func suite(h *harness) conformance.Harness {
	if h.m.Username != nil {
		return usernamed{h}
	}
	return h
}

// Conformance runs the conformance suite against b's emulator in mode.
func Conformance(t *testing.T, b *Backend, mode string) {
	conformance.Run(t, suite(&harness{b: b, m: b.mode(mode), count: &counters{}}))
}

// Chaos runs the conformance suite in b's default mode with a fifth of
// the requests, token requests included, meeting transient faults
// between the backend and the schema-checked emulator, and checks after
// each subtest that the emulator holds no duplicate and lost no write.
func Chaos(t *testing.T, b *Backend) {
	run := chaostest.New(b.Name)
	run.LocalRoles = b.Modes[0].LocalCatalog
	conformance.Run(t, suite(&harness{b: b, m: b.Modes[0], chaos: run, count: &counters{}}))
	run.Report(t)
}

// live is the harness of the live mode; with chaos set, each subtest's
// directory reaches the server through a fault proxy.
type live struct {
	b     *Backend
	m     Mode
	chaos *chaostest.Run
}

func (l live) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	if l.chaos == nil {
		dir, err := l.b.Live.Open(ctx, os.Getenv, identity.HTTPOptions{})
		if err != nil {
			return nil, err
		}
		return conformance.WithCleanup(t, dir), nil
	}
	tag := conformance.Tag(ctx)
	t.Cleanup(func() { noneLeft(t, l.b, tag) }) // runs last, after the deletes
	f := l.chaos.Faults(t)
	proxied := map[string]string{}
	for _, name := range l.b.Live.URLs {
		if target := os.Getenv(name); target != "" {
			p, err := faultinject.Proxy(target, f)
			if err != nil {
				return nil, err
			}
			srv := httptest.NewServer(p)
			t.Cleanup(srv.Close)
			proxied[name] = srv.URL
		}
	}
	env := func(k string) string {
		if u, ok := proxied[k]; ok {
			return u
		}
		return os.Getenv(k)
	}
	dir, err := l.b.Live.Open(ctx, env, identity.HTTPOptions{
		Timeout: liveChaosTimeout, MaxAttempts: chaostest.MaxAttempts, RetryBaseDelay: chaostest.RetryBaseDelay})
	if err != nil {
		return nil, err
	}
	clean, err := l.b.Live.Open(ctx, os.Getenv, identity.HTTPOptions{})
	if err != nil {
		return nil, err
	}
	// The suite's Close deletes what the subtest made, through the faults;
	// the check then compares the server with what every call, the
	// deletes included, reported.
	return conformance.WithCleanup(t, l.chaos.TrackTagged(t, dir, f, clean, tag)), nil
}

// liveChaosTimeout is the per-attempt timeout against a real server
// under faults: a Slow fault costs that much, and a real server on
// loopback answers well inside it.
const liveChaosTimeout = 2 * time.Second

// noneLeft fails t if the server still holds a user or role of the
// subtest's tag once its cleanup has run.
func noneLeft(t *testing.T, b *Backend, tag string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := b.Live.Open(ctx, os.Getenv, identity.HTTPOptions{})
	if err != nil {
		t.Errorf("checking for left-over users: %v", err)
		return
	}
	defer dir.Close()
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{Query: tag}) {
		if err != nil {
			t.Errorf("checking for left-over users: %v", err)
			return
		}
		t.Errorf("left over: user %s (%s) outlived its subtest", u.ID, u.Email)
	}
}

func (l live) Capabilities() identity.Capabilities { return l.m.Capabilities }

// errLiveActor is what the live harness's conformance.Actor answers: a
// real tenant's users sign in, enrol factors and link accounts
// themselves, through pages and devices the suite does not have.
var errLiveActor = &identity.Error{Code: identity.Unsupported, Field: "Actor",
	Message: "a live tenant cannot be acted on as its users: sign-ins, factors and linked accounts need the user's own browser and devices"}

// AddFactor implements conformance.Actor: Unsupported, live.
func (live) AddFactor(context.Context, *identity.Directory, string, identity.FactorKind) (string, error) {
	return "", errLiveActor
}

// LinkIdentity implements conformance.Actor: Unsupported, live.
func (live) LinkIdentity(context.Context, *identity.Directory, string, string, string) (string, error) {
	return "", errLiveActor
}

// SignIn implements conformance.Actor: Unsupported, live.
func (live) SignIn(context.Context, *identity.Directory, string) error { return errLiveActor }

// Sessions implements conformance.Actor: Unsupported, live.
func (live) Sessions(context.Context, *identity.Directory, string) (int, error) {
	return 0, errLiveActor
}

var _ conformance.Actor = live{}

type liveUsernamed struct{ live }

func (l liveUsernamed) Username(base string) string { return l.b.Live.Username(base) }

// EnvChaosRate is the environment variable that runs the live suite
// under faults: a share of requests, from 0 to 1, such as 0.2.
const EnvChaosRate = "IDENTITY_CHAOS_RATE"

// ConformanceLive runs the suite against the real provider when b's live
// environment is set, and skips otherwise. Every user and role it creates
// is deleted when each subtest ends, pass or fail.
//
// With IDENTITY_CHAOS_RATE set, each subtest reaches the server through
// a fault proxy (faultinject.Proxy) in front of each of b.Live.URLs, at
// that rate, with production-like 429s (Retry-After: 1), and is checked
// as the emulator chaos runs are (see Chaos), through a directory that
// bypasses the proxy and looks only at what carries the subtest's tag:
// no duplicate, no lost write, and no user left over once the subtest
// has deleted what it made. CHAOS_SEED replays a run.
func ConformanceLive(t *testing.T, b *Backend) {
	ready := b.Live.Ready
	if ready == nil {
		ready = func(func(string) string) bool {
			for _, k := range b.Live.Env {
				if os.Getenv(k) == "" {
					return false
				}
			}
			return true
		}
	}
	if !ready(os.Getenv) {
		msg := "set " + strings.Join(b.Live.Env, ", ")
		if len(b.Live.Optional) > 0 {
			msg += " (optionally " + strings.Join(b.Live.Optional, ", ") + ")"
		}
		t.Skip(msg + " to run the suite against a real " + b.Name + b.Live.Note)
	}
	l := live{b: b, m: b.mode(b.Live.Mode)}
	if v := os.Getenv(EnvChaosRate); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate <= 0 || rate > 1 {
			t.Fatalf("%s=%q: want a share of requests above 0 and at most 1", EnvChaosRate, v)
		}
		if len(b.Live.URLs) == 0 {
			t.Fatalf("%s is set, but the %s kit names no URL variables to put the proxy in front of", EnvChaosRate, b.Name)
		}
		l.chaos = chaostest.New(b.Name + " live")
		l.chaos.Rate, l.chaos.RetryAfter, l.chaos.LocalRoles = rate, "1", l.m.LocalCatalog
		defer l.chaos.Report(t)
	}
	if b.Live.Username != nil {
		conformance.Run(t, liveUsernamed{l})
		return
	}
	conformance.Run(t, l)
}
