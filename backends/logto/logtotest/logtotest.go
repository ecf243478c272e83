// Package logtotest is an in-process emulator of the Logto Management API
// (users, passwords, suspension, global roles, organizations with their
// members, roles and scopes, and a user's MFA verifications, social
// identities and personal access tokens) and of the OIDC token
// endpoint a machine-to-machine app uses to reach it, for testing code
// that talks to Logto without a Logto server:
//
//	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret"})
//	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
//
// It follows what a Logto 1.37 server was observed to do: 200 on user
// creation, 204 on delete and on a matching password, 422 for taken
// identifiers and wrong passwords, newest-first listings with Total-Number
// and Link headers whose URLs leave out the /api prefix, 12-character
// lowercase user ids, and Logto's error body {code, message, data?,
// details?}. Tokens are JWT-shaped, signed by the emulator, and expire.
//
// Passwords are kept as Logto keeps them: one set in plain as an Argon2i
// PHC string (see Options.LogtoArgon2), a passwordDigest given at
// creation as sent, under its passwordAlgorithm, and verified as Logto
// 1.37 verifies each: the Argon2 and bcrypt strings as hash-wasm reads
// them, SHA1, SHA256 and MD5 as lowercase hex, Legacy's JSON arrays with
// node:crypto's digests and PBKDF2. A digest that matches is replaced by
// an Argon2i hash of the password, as Logto migrates it. GET
// /api/users/{id} and GET /api/users hand out passwordDigest and
// passwordAlgorithm with includePasswordHash=true, as Logto does since
// that parameter came, after 1.37.1.
//
// What only a user can do at Logto, outside the Management API, the
// emulator does through exported methods: AddMFAVerification enrols a
// factor (WebAuthn included, which the Management API cannot), and
// LinkSocialIdentity links an account at a social connector, as a
// user's sign-in with it would.
package logtotest

import (
	"crypto/rand"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// DefaultResource is the Management API indicator of Logto OSS.
const DefaultResource = "https://default.logto.app/api"

// Options configures an Emulator.
type Options struct {
	// AppID and AppSecret are the machine-to-machine app's credentials.
	// Defaults "m2m-app" and "m2m-secret".
	AppID, AppSecret string
	// Resource is the Management API indicator tokens must be asked for.
	// Default DefaultResource.
	Resource string
	// TokenLifetime is how long an access token lives; default one hour.
	TokenLifetime time.Duration
	// MaxPageSize caps page_size; default 100, as Logto does.
	MaxPageSize int
	// Latency is added before each request is handled.
	Latency time.Duration
	// Middleware wraps the handler; the project's tests use it to check
	// traffic against the published schema.
	Middleware func(http.Handler) http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// LogtoArgon2 hashes passwords set in plain with Logto's own Argon2i
	// parameters (8 MiB, 8 passes, one lane), each hash taking tens of
	// milliseconds. By default the emulator uses passhash.New's light
	// ones (1 MiB, one pass), so that suites creating thousands of users
	// stay fast; either way the stored digest is an Argon2i PHC string
	// with a 16-byte salt and a 32-byte hash, as Logto's is.
	LogtoArgon2 bool
}

// Emulator is an http.Handler serving the emulated API. It is safe for
// concurrent use.
type Emulator struct {
	opts    Options
	key     []byte
	handler http.Handler
	router  *emulate.Router
	tokens  emulate.Tokens[time.Time] // issued access token -> expiry

	mu    sync.Mutex
	users map[string]*user
	roles map[string]*role
	seq   int64

	orgs map[string]*organization
	// members maps an organization id to its members' ids, each to the
	// ids of the organization roles the member holds there.
	members   map[string]map[string]map[string]bool
	orgRoles  map[string]*orgRole
	orgScopes map[string]*orgScope

	// verifying holds a lock per user id, taken while a password is
	// checked against the user's digest (see verifyPassword).
	verifying map[string]*sync.Mutex
}

// New returns an emulator with no users, roles or organizations.
func New(opts Options) *Emulator {
	emulate.Default(&opts.AppID, "m2m-app")
	emulate.Default(&opts.AppSecret, "m2m-secret")
	emulate.Default(&opts.Resource, DefaultResource)
	emulate.Default(&opts.TokenLifetime, time.Hour)
	emulate.Default(&opts.MaxPageSize, 100)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{opts: opts, key: make([]byte, 32), users: map[string]*user{}, roles: map[string]*role{},
		orgs: map[string]*organization{}, members: map[string]map[string]map[string]bool{},
		orgRoles: map[string]*orgRole{}, orgScopes: map[string]*orgScope{}, verifying: map[string]*sync.Mutex{}}
	_, _ = rand.Read(e.key)
	e.router = e.newRouter()
	e.handler = emulate.Chain(e.router, opts.Middleware, opts.Latency)
	return e
}

// ServeHTTP serves the API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.handler.ServeHTTP(w, r) }

// TokenRequests returns how many token requests succeeded.
func (e *Emulator) TokenRequests() int { return e.tokens.Issued() }

// RevokeTokens makes every token issued so far fail with 401
// auth.unauthorized, as after a key rotation.
func (e *Emulator) RevokeTokens() { e.tokens.RevokeAll() }

// UserCount returns how many users exist.
func (e *Emulator) UserCount() int { return emulate.Locked(&e.mu, func() int { return len(e.users) }) }

// Server is an emulator listening on a loopback address.
type Server struct {
	*Emulator
	// URL is the Logto endpoint: the API is under URL+"/api", the token
	// endpoint at URL+"/oidc/token".
	URL string
}

// NewServer starts an emulator on a loopback port and stops it when tb
// ends.
func NewServer(tb testing.TB, opts Options) *Server {
	e := New(opts)
	return &Server{Emulator: e, URL: emulate.Listen(tb, e)}
}

// Requests returns how many requests each route received, keyed like
// "GET /api/users/{id}", those refused for want of a valid token included.
func (e *Emulator) Requests() map[string]int { return e.router.Requests() }
