// Package passagetest is an in-process emulator of the Passage by
// 1Password Management API's user endpoints (v1, the last published
// version; the service stopped in January 2026), for testing code that
// talks to it without the real service:
//
//	srv := passagetest.NewServer(t, passagetest.Options{
//		AppID: "app1", APIKey: "key",
//		MetadataFields: map[string]passagetest.FieldType{"plan": passagetest.String},
//	})
//	dir, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "key", BaseURL: srv.URL + "/v1"})
//
// It serves /v1/apps/{app_id}/users and the paths below it with Passage's
// status codes, envelopes and error bodies ({"code", "error"}), checks the
// bearer API key (401 invalid_access_token) and the app id (404
// app_not_found), enforces the app's user_metadata schema (404
// metadata_field_not_found), and lists with page/limit, created_before
// anchoring, order_by and the operator-prefixed filters.
//
// Where Passage's behaviour was never published, the emulator makes a
// choice and says so in the doc comment of the option or handler
// concerned; those points are marked "Unpublished".
package passagetest

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// FieldType is the type of a user_metadata field defined for the app.
type FieldType string

// The field types the emulator checks values against.
const (
	String  FieldType = "string"
	Boolean FieldType = "boolean"
	Integer FieldType = "integer"
	Email   FieldType = "email"
	Phone   FieldType = "phone"
	Date    FieldType = "date" // "2006-01-02"
)

// Options configures an Emulator.
type Options struct {
	// AppID is the one app the emulator serves; other ids get 404
	// app_not_found. Default "app".
	AppID string
	// APIKey is the bearer key it accepts. Default "passage-test-key".
	APIKey string
	// MetadataFields defines the app's user_metadata schema: a key not
	// listed gives 404 metadata_field_not_found.
	MetadataFields map[string]FieldType
	// MaxPageSize caps limit; default 500, Passage's documented maximum.
	MaxPageSize int
	// DefaultPageSize applies when limit is absent. Unpublished; default 20.
	DefaultPageSize int
	// Latency is added before each request is handled.
	Latency time.Duration
	// Middleware wraps the API handler; the project's tests use it to
	// check traffic against the published schema.
	Middleware func(http.Handler) http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Emulator is an http.Handler serving the emulated API. It is safe for
// concurrent use.
type Emulator struct {
	router  *emulate.Router
	opts    Options
	handler http.Handler

	mu    sync.Mutex
	users map[string]*user
	seq   int64
}

// New returns an emulator with no users.
func New(opts Options) *Emulator {
	emulate.Default(&opts.AppID, "app")
	emulate.Default(&opts.APIKey, "passage-test-key")
	emulate.Default(&opts.MaxPageSize, 500)
	emulate.Default(&opts.DefaultPageSize, 20)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{opts: opts, users: map[string]*user{}}
	e.router = e.newRouter()
	e.handler = emulate.Chain(http.HandlerFunc(e.serve), opts.Middleware, opts.Latency)
	return e
}

// ServeHTTP serves the API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.handler.ServeHTTP(w, r) }

// UserCount returns how many users exist.
func (e *Emulator) UserCount() int { return emulate.Locked(&e.mu, func() int { return len(e.users) }) }

// Requests returns how many requests each route received, keyed like
// "POST /users" (the /v1/apps/{app_id} prefix left out); requests refused
// for a bad key or app are not counted.
func (e *Emulator) Requests() map[string]int { return e.router.Requests() }

// Device is a WebAuthn device to register for a user with AddDevice.
type Device struct {
	// FriendlyName is the name the user gave the device.
	FriendlyName string
	// Type is "passkey", "security_key" or "platform"; default "passkey".
	Type string
}

// AddDevice registers a device for the user with id, as a passkey
// registration in the user's browser would, and returns the device's id.
// It reports false, adding nothing, when there is no such user or Type is
// not one of Passage's three.
func (e *Emulator) AddDevice(userID string, d Device) (string, bool) {
	if d.Type == "" {
		d.Type = "passkey"
	}
	if d.Type != "passkey" && d.Type != "security_key" && d.Type != "platform" {
		return "", false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok {
		return "", false
	}
	now := e.opts.Now().UTC()
	dev := &device{id: newID(), credID: emulate.ID(emulate.Base62, 43), name: d.FriendlyName, typ: d.Type, created: now}
	u.devices = append(u.devices, dev)
	u.updated = now
	return dev.id, true
}

// SignIn issues a refresh token to the user, as a passkey or magic-link
// sign-in in the user's app would, and returns it. It reports false when
// there is no such user or the user is not active.
func (e *Emulator) SignIn(userID string) (refreshToken string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, found := e.users[userID]
	if !found || u.status != "active" {
		return "", false
	}
	tok := emulate.ID(emulate.Base62, 32)
	u.refreshTokens = append(u.refreshTokens, tok)
	return tok, true
}

// RefreshTokens returns how many refresh tokens the user holds that have
// not been revoked; 0 for no such user.
func (e *Emulator) RefreshTokens(userID string) int {
	return emulate.Locked(&e.mu, func() int {
		if u, ok := e.users[userID]; ok {
			return len(u.refreshTokens)
		}
		return 0
	})
}

// Server is an emulator listening on a loopback address.
type Server struct {
	*Emulator
	// URL is the server's root; the API is under URL + "/v1".
	URL string
}

// NewServer starts an emulator on a loopback port and stops it when tb
// ends.
func NewServer(tb testing.TB, opts Options) *Server {
	e := New(opts)
	return &Server{Emulator: e, URL: emulate.Listen(tb, e)}
}
