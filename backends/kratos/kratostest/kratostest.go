// Package kratostest is an in-process emulator of the Ory Kratos v1.3.1
// Admin API's identity, session and recovery endpoints and of the public
// API's native (api) login flow, for testing code that talks to Kratos
// without a real server:
//
//	srv := kratostest.NewServer(t, kratostest.Options{})
//	// admin and public APIs are both at srv.URL
//	resp, err := http.Post(srv.URL+"/admin/identities", "application/json", body)
//
// It serves:
//
//   - POST, GET (list), and GET/PUT/PATCH/DELETE by id of
//     /admin/identities, with Kratos's status codes, its error body
//     ({"error":{"code","status","reason"?,"details"?,"message"}}), trait
//     validation against the identity schema with the validator's own
//     "I[#/traits/...] S[#/properties/traits/...] ..." reason text,
//     case-insensitive identifier uniqueness (409), passwords set (as
//     bcrypt) or imported as hashes in the formats Kratos's comparator
//     reads, checked at login as it checks them (crypt(3)'s formats are
//     taken and never match) and re-hashed as bcrypt at the first login
//     that matches, keyset paging (page_size, page_token, the Link
//     header) and the legacy page/per_page paging;
//   - the RFC 6902 JSON Patch of PATCH as Kratos applies it (see patch.go):
//     add, remove and replace only, replace as add, missing parents
//     created, the /credentials quirk;
//   - DELETE /admin/identities/{id}/credentials/{type} for the credential
//     types a user enrolls (totp, lookup_secret, webauthn, passkey, oidc),
//     which Enroll adds as the user's settings flows would, with the
//     config include_credential shows;
//   - /admin/identities/{id}/sessions, /admin/sessions/{id},
//     /admin/recovery/code and /admin/recovery/link, as on a server whose
//     link method is on (the configuration of scripts/kratos.sh);
//   - GET /self-service/login/api, POST /self-service/login?flow= with the
//     password method, DELETE /self-service/logout/api, GET
//     /sessions/whoami, and the health checks.
//
// Every behaviour was observed on a real Kratos v1.3.1 (SQLite, the
// configuration of scripts/kratos.sh) or read from its source; where the
// emulator had to choose, the doc comment concerned says so, marked
// "Unobserved". Orders that Kratos leaves to Go's map iteration (the
// causes in a validation reason, the identifiers of a credential) are
// the schema's order here.
package kratostest

import (
	_ "embed"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// PersonSchema is the test identity schema: traits email, username and
// phone (each a password identifier; email also for verification and
// recovery), name.first, name.last and display_name. scripts/kratos.sh
// gives the same file to the real server.
//
//go:embed person.schema.json
var PersonSchema []byte

// Options configures an Emulator.
type Options struct {
	// Schema is the identity schema of schema id "default"; nil means
	// PersonSchema. New panics on a schema it cannot read.
	Schema []byte
	// APIKey, if set, is required of every /admin/ request as
	// "Authorization: Bearer <APIKey>", as Ory Network does; a missing or
	// wrong key answers 401 in Kratos's error body (Unobserved: the exact
	// reason text). "" means none, as OSS Kratos.
	APIKey string
	// DefaultPageSize is the page size of a list without page_size;
	// default 250, as Kratos.
	DefaultPageSize int
	// Latency is added before each request is handled.
	Latency time.Duration
	// Middleware wraps the API handler; the project's tests use it to
	// check traffic against the published schema.
	Middleware func(http.Handler) http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Emulator is an http.Handler serving the emulated admin and public APIs.
// It is safe for concurrent use.
type Emulator struct {
	router  *emulate.Router
	opts    Options
	handler http.Handler
	schema  *schema

	mu         sync.Mutex
	identities map[string]*identity
	sessions   map[string]*session // by id
	tokens     map[string]*session // by session token
	flows      map[string]*flow
}

// New returns an emulator with no identities.
func New(opts Options) *Emulator {
	if opts.Schema == nil {
		opts.Schema = PersonSchema
	}
	emulate.Default(&opts.DefaultPageSize, 250)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s, err := compileSchema(opts.Schema)
	if err != nil {
		panic(fmt.Sprintf("kratostest: reading Options.Schema: %v", err))
	}
	e := &Emulator{
		opts: opts, schema: s,
		identities: map[string]*identity{}, sessions: map[string]*session{},
		tokens: map[string]*session{}, flows: map[string]*flow{},
	}
	e.router = e.newRouter()
	e.handler = emulate.Chain(http.HandlerFunc(e.serve), opts.Middleware, opts.Latency)
	return e
}

// ServeHTTP serves the APIs.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.handler.ServeHTTP(w, r) }

// UserCount returns how many identities exist.
func (e *Emulator) UserCount() int {
	return emulate.Locked(&e.mu, func() int { return len(e.identities) })
}

// Requests returns how many requests each route received, keyed like
// "POST /admin/identities" or "GET /admin/identities/{id}"; requests
// refused for a bad API key are not counted.
func (e *Emulator) Requests() map[string]int { return e.router.Requests() }

// Sessions returns how many active sessions the identity has: neither
// revoked nor expired (a session of an inactive identity still counts,
// as Kratos keeps it and honours it again after reactivation).
func (e *Emulator) Sessions(identityID string) int {
	return emulate.Locked(&e.mu, func() int {
		n := 0
		now := e.now()
		for _, s := range e.sessions {
			if s.identityID == identityID && s.active && now.Before(s.expiresAt) {
				n++
			}
		}
		return n
	})
}

// SignIn makes a session for the identity as a password login would, and
// returns its session token; it reports false when there is no such
// identity or it is inactive.
func (e *Emulator) SignIn(identityID string) (sessionToken string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, found := e.identities[identityID]
	if !found || i.state != stateActive {
		return "", false
	}
	s := e.newSession(i, "127.0.0.1", "kratostest")
	return s.token, true
}

// Server is an emulator listening on a loopback address.
type Server struct {
	*Emulator
	// URL is the server's root; the admin API (/admin/...) and the public
	// API are both served there, as their paths do not collide.
	URL string
}

// NewServer starts an emulator on a loopback port and stops it when tb
// ends.
func NewServer(tb testing.TB, opts Options) *Server {
	e := New(opts)
	return &Server{Emulator: e, URL: emulate.Listen(tb, e)}
}

func (e *Emulator) now() time.Time { return e.opts.Now().UTC() }
