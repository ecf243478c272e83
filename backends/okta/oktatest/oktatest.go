// Package oktatest is an in-process emulator of the Okta Management API's
// users, lifecycle, credentials, app links, groups and admin-role
// endpoints, a user's factors, sessions, linked IdPs and consent grants,
// the IdP users API's read and unlink of one user's account, of the
// Authentication API's primary authentication
// (/api/v1/authn), and of the org authorization server's token endpoint
// for OAuth service apps, for testing code that talks to Okta without an
// org:
//
//	srv := oktatest.NewServer(t, oktatest.Options{APIToken: "token"})
//	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: "token"})
//
// It follows Okta's documented behaviour: create answers 200, lifecycle
// calls 200 with an empty body, delete 204 and deletion in two steps
// (deactivate, then delete); errors carry errorCode, errorSummary,
// errorLink, errorId and errorCauses; lists page with Link headers and
// opaque after cursors; the lifecycle state machine refuses the
// transitions Okta refuses, with Okta's codes; every response has
// X-Okta-Request-Id, X-Rate-Limit-Limit, -Remaining and -Reset, and a
// Date; an exhausted quota answers 429 E0000047; GET of a user sends an
// ETag and updates honour If-Match.
//
// A password given as credentials.password.hash (BCRYPT, SHA-512,
// SHA-256, SHA-1, MD5, PBKDF2 with an HMAC-SHA-256 or -512 PRF) is kept
// as the hash and checked at primary authentication and change_password,
// where Okta checks it; the password policy does not apply to it, and an
// update may import one only into a STAGED user. A hash object the
// document's rules refuse is 400 E0000001.
//
// What a user does itself, outside the admin API (enrolling a factor at
// the sign-in widget, federating through an IdP, signing in, consenting
// to an app), a test does with EnrollFactor, AddIdP and LinkIdentity,
// SignIn and AddGrant; Sessions and RefreshTokens say what is left after
// a revocation.
//
// Where Okta's behaviour is not published, the emulator makes a choice and
// marks it "Unpublished" in the doc comment concerned.
package oktatest

import (
	"crypto"
	"crypto/rand"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// Options configures an Emulator.
type Options struct {
	// APIToken is the SSWS token accepted; default "okta-test-token".
	APIToken string
	// ServiceApps maps OAuth service app client ids to the public keys
	// (*rsa.PublicKey or *ecdsa.PublicKey) that verify their
	// private_key_jwt client assertions.
	ServiceApps map[string]crypto.PublicKey
	// TokenLifetime is an access token's life; default one hour, as Okta's.
	TokenLifetime time.Duration
	// RateLimit is the number of /api requests allowed per RateWindow;
	// 0 means 10,000. Beyond it, requests get 429 E0000047 until the
	// window ends.
	RateLimit int
	// RateWindow is the rate-limit window; default one minute. Okta
	// reports the reset in whole epoch seconds.
	RateWindow time.Duration
	// MaxPageSize caps limit on user lists; default 200.
	MaxPageSize int
	// EmailLogins makes logins follow Okta's default pattern, an email
	// address; by default any login without white space is accepted.
	EmailLogins bool
	// NamesOptional lets users be created without firstName and lastName,
	// as an org can configure in its Profile Editor; by default both are
	// required, as in Okta's default user profile.
	NamesOptional bool
	// LockoutAttempts locks a user out (LOCKED_OUT) after that many
	// consecutive failed primary authentications, as a password policy's
	// lockout rule does; 0 never locks.
	LockoutAttempts int
	// HideLockoutFailures makes primary authentication of a locked-out
	// user answer 401 E0000004 instead of 200 {"status":"LOCKED_OUT"}, as
	// a password policy that hides lockout failures does.
	HideLockoutFailures bool
	// MFARequired makes a correct password answer MFA_REQUIRED instead of
	// SUCCESS or PASSWORD_EXPIRED, as a sign-on policy requiring a second
	// factor does.
	MFARequired bool
	// Latency is added before each request is handled.
	Latency time.Duration
	// Middleware wraps the handler; the project's tests use it to check
	// traffic against the published schema.
	Middleware func(http.Handler) http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Emulator is an http.Handler serving the emulated API. It is safe for
// concurrent use.
type Emulator struct {
	opts    Options
	handler http.Handler
	router  *emulate.Router
	tokens  emulate.Tokens[token]
	// cursorKey signs the after cursors, so that a cursor the emulator did
	// not make is refused rather than misread.
	cursorKey []byte
	// typeID is the id of the org's one user type, the default one.
	typeID string

	mu          sync.Mutex
	seq         int64
	users       map[string]*user
	logins      map[string]string // lower-cased login -> user id
	groups      map[string]*group
	idps        map[string]*idp
	everyone    string               // the BUILT_IN group's id
	assertions  map[string]time.Time // jti of client assertions seen -> exp
	windowEnd   time.Time
	used        int
	rateLimited int
	requests    int
}

// New returns an emulator with no users and the built-in Everyone group.
func New(opts Options) *Emulator {
	emulate.Default(&opts.APIToken, "okta-test-token")
	emulate.Default(&opts.TokenLifetime, time.Hour)
	emulate.Default(&opts.RateLimit, 10000)
	emulate.Default(&opts.RateWindow, time.Minute)
	emulate.Default(&opts.MaxPageSize, 200)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{
		opts: opts, cursorKey: make([]byte, 32), typeID: "oty" + emulate.ID(emulate.Base62, 17),
		users: map[string]*user{}, logins: map[string]string{}, groups: map[string]*group{}, idps: map[string]*idp{},
		assertions: map[string]time.Time{},
	}
	_, _ = rand.Read(e.cursorKey)
	now := opts.Now()
	g := &group{
		id: "00g" + emulate.ID(emulate.Base62, 17), typ: "BUILT_IN", created: now, lastUpdated: now, lastMembershipUpdated: now,
		profile: map[string]any{"name": "Everyone", "description": "All users in your organization"}, members: map[string]bool{},
	}
	e.groups[g.id], e.everyone = g, g.id
	e.router = e.newRouter()
	e.handler = emulate.Chain(http.HandlerFunc(e.serve), opts.Middleware, opts.Latency)
	return e
}

// ServeHTTP serves the API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.handler.ServeHTTP(w, r) }

// UserCount returns how many users exist, deactivated ones included.
func (e *Emulator) UserCount() int { return emulate.Locked(&e.mu, func() int { return len(e.users) }) }

// TokenRequests returns how many OAuth access tokens were issued.
func (e *Emulator) TokenRequests() int { return e.tokens.Issued() }

// RateLimited returns how many requests were answered 429.
func (e *Emulator) RateLimited() int {
	return emulate.Locked(&e.mu, func() int { return e.rateLimited })
}

// Requests returns how many /api requests arrived, those answered 429
// included, so that a test can tell how many calls an operation made.
func (e *Emulator) Requests() int { return emulate.Locked(&e.mu, func() int { return e.requests }) }

// RevokeTokens makes every access token issued so far fail with 401
// E0000011, as when an admin revokes a service app's tokens.
func (e *Emulator) RevokeTokens() { e.tokens.RevokeAll() }

// UserStatus returns the status of the user with this id or login, and
// whether there is one.
func (e *Emulator) UserStatus(idOrLogin string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.findUser(idOrLogin); u != nil {
		return u.status, true
	}
	return "", false
}

// SetStatus forces a user into status, as Okta's policies would (for
// example LOCKED_OUT after failed sign-ins, or PASSWORD_EXPIRED when a
// password ages out). It reports whether the user exists and status is
// one of Okta's eight.
func (e *Emulator) SetStatus(id, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(id)
	if u == nil || !slices.Contains(statuses, status) {
		return false
	}
	e.setStatus(u, status)
	return true
}

// Server is an emulator listening on a loopback address.
type Server struct {
	*Emulator
	// URL is the org URL.
	URL string
}

// NewServer starts an emulator on a loopback port and stops it when tb
// ends.
func NewServer(tb testing.TB, opts Options) *Server {
	e := New(opts)
	return &Server{Emulator: e, URL: emulate.Listen(tb, e)}
}
