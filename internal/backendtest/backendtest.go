// Package backendtest is the test kit every HTTP backend shares: the
// transport, path, recovery and secret checks, the conformance, chaos and
// live harnesses, and the bodies of the fuzz targets, each written once
// and run for every backend that describes itself in a [Backend].
//
// A backend's tests are then a few lines:
//
//	var kit = &backendtest.Backend{Name: "logto", ...}
//
//	func TestKit(t *testing.T)         { backendtest.Run(t, kit) }
//	func TestConformance(t *testing.T) { backendtest.Conformance(t, kit, "") }
//	func TestChaos(t *testing.T)       { backendtest.Chaos(t, kit) }
//	func FuzzServerResponses(f *testing.F) {
//		backendtest.FuzzServerResponses(f, kit, seeds)
//	}
//
// What stays in a backend's own tests is its provider's: the rows of its
// error table (which [ErrorTable] checks), token and rate-limit
// specifics, role modes, emulator fidelity.
package backendtest

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/idport/identity/internal/secrettest"
)

// Backend describes one HTTP backend to the kit. Every function field
// must be safe to call from parallel tests. Fields marked optional may be
// left zero; the checks that need them are then skipped.
type Backend struct {
	// Name is the backend's URL scheme, which is also the name of its
	// OpenAPI document for openapicheck.
	Name string
	// Credentials are the ways the backend can authenticate; the first
	// is the default. Tests that concern credentials run for each.
	Credentials []Credential
	// Modes are the backend's configurations that change its
	// capabilities (role modes, say); the first is the default.
	Modes []Mode

	// Emulator returns a new, empty emulator of the provider, accepting
	// o.Secret for every credential in Credentials.
	Emulator func(o EmulatorOptions) Emulator
	// Schema is how the emulator's traffic is checked against the
	// provider's OpenAPI document.
	Schema openapicheck.Options
	// Open opens a directory with c on the server at c.URL, its root as
	// httptest gives it.
	Open func(ctx context.Context, c Config) (*identity.Directory, error)
	// Raw returns the driver Open would wrap, on c.URL through
	// c.HTTP.HTTPClient, with one attempt per request, no wait of more
	// than a millisecond between attempts, and responses capped at
	// maxResponse bytes, so that fuzz inputs run fast. Optional: without
	// it there is no FuzzServerResponses.
	Raw func(tb testing.TB, c Config, maxResponse int) driver.Directory

	// URLField is the Options field that names the server, which a
	// refused base URL is reported against.
	URLField string
	// URLs are configuration URLs for identity.Open and whether each
	// opens, with the backend's credentials in the environment or the
	// opener; Opener opens them.
	URLs   map[string]bool
	Opener identity.URLOpener

	// APIPrefix is the path prefix of every API request, such as "/api/".
	APIPrefix string
	// RedirectPaths are path prefixes, besides APIPrefix and the token
	// endpoints, whose requests carry a credential (a sign-in API, say).
	RedirectPaths []string
	// MissingID is a well-formed id of no user.
	MissingID string
	// Routes are every path the backend may send to. A "{user}" segment
	// is a user id; any other "{...}" segment holds a regular expression
	// that an id the server made must match.
	Routes []string
	// Hostile are the backend's own ids and names meant to steer a
	// request elsewhere, added to the shared list (its own path words,
	// say), and Sent those of them a valid id can spell, which must be
	// sent escaped rather than refused.
	Hostile, Sent []string
	// RoleNames are the backend's own role names to try, besides the
	// hostile ones: search syntax, say.
	RoleNames []string
	// RoleQuery, if its Path is set, is where the backend looks a role up
	// by name: every GET there must carry the name as the one value of
	// Param, and no parameter but Allowed.
	RoleQuery RoleQuery
	// Query describes the listing requests lookups and searches make.
	Query Query
	// Refusals are configurations only the provider refuses. Optional.
	Refusals []Refusal
	// Waits are the backend's own answers that a client waits out, each
	// made when a call meets it: a 429 whose rate-limit headers ask for
	// an hour, say, or an answer saying the quota is spent until a reset,
	// which holds the next request back. Optional.
	Waits map[string]func() []hostiletest.Answer
	// ServerIDs are the calls that put ids the server made into paths.
	// Optional, with Raw.
	ServerIDs []ServerID

	// Actor, if set, acts at emu, an emulator Emulator made, as the
	// provider's users would (see Actor), so that the conformance
	// sections on sessions, factors and linked identities have something
	// to list and undo. Optional: without it those subtests skip, saying
	// why.
	Actor func(emu Emulator) Actor

	// Lost is what the lost-create tests need.
	Lost Lost
	// Leaks is what the secrets test needs.
	Leaks Leaks
	// Live is the live mode's configuration.
	Live Live
	// Fuzz is what FuzzServerResponses needs.
	Fuzz Fuzz
}

// Credential is one way a backend authenticates.
type Credential struct {
	// Name names the credential in test names, and in Config.
	Name string
	// TokenPath is the path of the token endpoint the credential is
	// exchanged at for access tokens; "" for a credential sent as is.
	TokenPath string
	// BasicUser, if set, is the client id the secret is sent with as
	// HTTP Basic credentials, whose encoding is then a canary too.
	BasicUser string
	// Refused is the provider code a wrong secret is answered with.
	Refused string
	// RequestID means the provider names its request in the refusal,
	// and the error must keep it.
	RequestID bool
}

// Mode is one configuration of a backend.
type Mode struct {
	// Name names the mode in Config; the default mode's is "".
	Name string
	// Capabilities are the capabilities the backend declares in it.
	Capabilities identity.Capabilities
	// Role is a role every directory in the mode has without creating
	// it, for backends whose roles are a fixed set; "" means roles are
	// created.
	Role string
	// LocalCatalog means the backend keeps the role catalogue itself, so
	// that creating a role sends no request.
	LocalCatalog bool
	// Username, if set, maps the conformance suite's usernames onto the
	// shape the mode's emulator requires (see conformance.Usernamer).
	Username func(base string) string
}

// EmulatorOptions configure one emulator.
type EmulatorOptions struct {
	// Secret is the credential the emulator accepts.
	Secret string
	// Mode is the Mode.Name of the directories that will use it.
	Mode string
	// Middleware, if set, wraps the emulator's routes.
	Middleware func(http.Handler) http.Handler
	// Canaries, if set, is the secrets test's: an emulator that sees
	// credentials travel outside the Authorization header (in a form, a
	// response) adds them to it.
	Canaries *secrettest.Canaries
}

// Emulator is a provider's emulator as the kit uses it.
type Emulator interface {
	http.Handler
	// UserCount returns how many users the emulator holds.
	UserCount() int
}

// TokenEmulator is an Emulator that issues access tokens.
type TokenEmulator interface {
	Emulator
	// RevokeTokens makes every token issued so far invalid.
	RevokeTokens()
	// TokenRequests returns how many tokens the emulator has issued.
	TokenRequests() int
}

// Config is what Open and Raw are given.
type Config struct {
	// URL is the server's root URL.
	URL string
	// Credential is a Credential.Name; "" means the first.
	Credential string
	// Secret is the credential's secret (the API key, app secret, or
	// token), or the seed from which the backend derives it.
	Secret string
	// Mode is a Mode.Name.
	Mode string
	// HTTP are the transport options.
	HTTP identity.HTTPOptions
}

// Query describes what a backend's lookups send to its listing route.
type Query struct {
	// Path is the listing route.
	Path string
	// Allowed are the query parameters the backend may send there.
	Allowed []string
	// Email and Username are the parameters an email and a username
	// lookup put the value in, and Value what the value becomes there
	// (lower-cased, say); Username is "" for a backend without usernames.
	Email, Username string
	Value           func(v string) string
	// Search is the parameter a free-text search puts the text in, and
	// SearchValue what the text becomes.
	Search      string
	SearchValue func(q string) string
}

// RoleQuery is where a backend looks roles up by name.
type RoleQuery struct {
	Path, Param string
	Allowed     []string
}

// secret is the credential the kit's emulators accept outside the
// secrets test.
const secret = "kit-secret-0f3c"

// mode returns the mode named name.
func (b *Backend) mode(name string) Mode {
	for _, m := range b.Modes {
		if m.Name == name {
			return m
		}
	}
	panic("backendtest: " + b.Name + " has no mode " + name)
}

// site is one running emulator.
type site struct {
	b    *Backend
	emu  Emulator
	URL  string
	srv  *httptest.Server
	mode string
	sec  string
}

// siteOptions configure start.
type siteOptions struct {
	// outer wrap the schema checker, outermost first.
	outer    []func(http.Handler) http.Handler
	schema   bool
	tls      bool
	mode     string
	secret   string
	canaries *secrettest.Canaries
}

// start starts an emulator for t, with o's middleware in front of the
// schema checker when o.schema is set.
func start(t *testing.T, b *Backend, o siteOptions) *site {
	t.Helper()
	if o.secret == "" {
		o.secret = secret
	}
	var check func(http.Handler) http.Handler
	if o.schema {
		check = openapicheck.Middleware(t, b.Name, b.Schema)
	}
	mw := func(h http.Handler) http.Handler {
		if check != nil {
			h = check(h)
		}
		for i := len(o.outer) - 1; i >= 0; i-- {
			h = o.outer[i](h)
		}
		if o.canaries != nil {
			h = clientCanaries(b, o.canaries, h)
		}
		return h
	}
	emu := b.Emulator(EmulatorOptions{Secret: o.secret, Mode: o.mode, Middleware: mw, Canaries: o.canaries})
	s := &site{b: b, emu: emu, mode: o.mode, sec: o.secret}
	if o.tls {
		s.srv = httptest.NewUnstartedServer(emu)
		s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what TLS tests cause
		s.srv.StartTLS()
	} else {
		s.srv = httptest.NewServer(emu)
	}
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	return s
}

// clientCanaries makes a canary of the client credential every token
// request's form carries (a client assertion, and its signature on its
// own), which secrettest's Middleware, watching the Authorization header,
// does not see.
func clientCanaries(b *Backend, c *secrettest.Canaries, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, cred := range b.Credentials {
			if cred.TokenPath != "" && r.URL.Path == cred.TokenPath {
				addClientCanaries(c, hostiletest.ClientCredential(r))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// addClientCanaries adds a client credential, and a JWT's signature.
func addClientCanaries(c *secrettest.Canaries, v string) {
	c.Add("client-credential", v)
	if i := strings.LastIndexByte(v, '.'); i >= 0 {
		c.Add("client-credential-signature", v[i+1:])
	}
}

// config returns the Config of a directory on s.
func (s *site) config(cred string, ho identity.HTTPOptions) Config {
	return Config{URL: s.URL, Credential: cred, Secret: s.sec, Mode: s.mode, HTTP: ho}
}

// open opens a directory on s, failing t if it cannot.
func (s *site) open(t *testing.T, cred string, ho identity.HTTPOptions) *identity.Directory {
	t.Helper()
	dir, err := s.b.Open(context.Background(), s.config(cred, ho))
	if err != nil {
		t.Fatalf("opening a %s directory: %v", s.b.Name, err)
	}
	t.Cleanup(func() { _ = dir.Close() })
	return dir
}

// Run runs every shared test for b, each as a subtest named as the test
// function it replaces.
func Run(t *testing.T, b *Backend) {
	for _, c := range []struct {
		name string
		test func(*testing.T, *Backend)
	}{
		{"TLSVerifiedByDefault", tlsVerifiedByDefault},
		{"PlainHTTPOnlyToLoopback", plainHTTPOnlyToLoopback},
		{"RedirectsCarryNoCredentials", redirectsCarryNoCredentials},
		{"ContextEndsEveryWait", contextEndsEveryWait},
		{"HostileIDsStayInOneSegment", hostileIDsStayInOneSegment},
		{"HostileRoleNamesNeverReachAPath", hostileRoleNamesNeverReachAPath},
		{"ServerIDsStayInTheirSegment", serverIDsStayInTheirSegment},
		{"QueryValuesStayValues", queryValuesStayValues},
		{"CreateUserSettlesLostAnswers", createUserSettlesLostAnswers},
		{"WritesRideOutFaults", writesRideOutFaults},
		{"NoSecretLeaks", noSecretLeaks},
		{"WrongCredentialIsUnauthenticated", wrongCredentialIsUnauthenticated},
		{"RefusedConfigurations", refusedConfigurations},
		{"TokensAreCachedAndReplaced", tokensAreCachedAndReplaced},
		{"RoleRecreatedElsewhere", roleRecreatedElsewhere},
		{"TelemetryCarriesNoSecrets", telemetryCarriesNoSecrets},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, b)
		})
	}
}

// hold is a middleware that, while its prefix is set, keeps every request
// whose path starts with it waiting until the client hangs up.
type hold struct{ prefix atomic.Value }

func (h *hold) set(prefix string) { h.prefix.Store(prefix) }

func (h *hold) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, _ := h.prefix.Load().(string); p != "" && strings.HasPrefix(r.URL.Path, p) {
			// Only with the body read does the server notice the client
			// hanging up, and end r's context.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Counting is an http.RoundTripper that counts the requests through it
// to Next, for a test that a call sent nothing. It is safe for
// concurrent use.
type Counting struct {
	Next http.RoundTripper
	n    atomic.Int64
}

// RoundTrip counts r and sends it through Next.
func (c *Counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.Next.RoundTrip(r)
}

// Requests returns how many requests went through c.
func (c *Counting) Requests() int { return int(c.n.Load()) }

// counters maps directories to the request counters of their clients.
type counters struct{ m sync.Map }

// client returns a client whose requests are counted, and the function
// that files the count under the directory made with it.
func (cs *counters) client() (*http.Client, func(*identity.Directory)) {
	c := &Counting{Next: http.DefaultTransport}
	return &http.Client{Transport: c}, func(d *identity.Directory) { cs.m.Store(d, c) }
}

// requests returns how many requests d has sent, or -1 for a directory
// the counters do not know.
func (cs *counters) requests(d *identity.Directory) int {
	if c, ok := cs.m.Load(d); ok {
		return c.(*Counting).Requests()
	}
	return -1
}

// faulty starts a schema-checked emulator in mode with f in front of the
// checker, and opens a directory on it with a short timeout and backoff.
func faulty(t *testing.T, b *Backend, mode string, f *faultinject.Faults) (*identity.Directory, *site) {
	t.Helper()
	s := start(t, b, siteOptions{outer: []func(http.Handler) http.Handler{f.Wrap}, schema: true, mode: mode})
	return s.open(t, "", identity.HTTPOptions{Timeout: faultTimeout, RetryBaseDelay: time.Millisecond}), s
}

// faultTimeout is the per-attempt timeout under injected faults: a Slow
// fault costs that much.
const faultTimeout = 500 * time.Millisecond
