package passage_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTLSVerifiedByDefault: a directory built without an HTTPClient
// refuses a server whose certificate it cannot verify, before the server
// sees any request, and the same server is reachable with a client that
// trusts it.
func TestTLSVerifiedByDefault(t *testing.T) {
	var reached atomic.Int32
	em := passagetest.New(passagetest.Options{AppID: "app1", APIKey: "test-key"})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		em.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	opts := passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1"}
	dir, err := passage.New(ctx, opts)
	require.NoError(t, err)
	_, err = dir.GetUser(ctx, "abc")
	require.ErrorIs(t, err, identity.ErrUnavailable)
	assert.Contains(t, err.Error(), "certificate")
	assert.Zero(t, reached.Load(), "no request got past the handshake")

	opts.HTTPClient = srv.Client()
	dir, err = passage.New(ctx, opts)
	require.NoError(t, err)
	_, err = dir.GetUser(ctx, "abc")
	require.ErrorIs(t, err, identity.ErrNotFound)
	assert.Positive(t, reached.Load())
}

// TestPlainHTTPOnlyToLoopback: an http BaseURL is accepted for loopback
// hosts only, unless the caller opts in, in code or with
// insecure_http=true in the URL.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	ctx := context.Background()
	for base, ok := range map[string]bool{
		"http://127.0.0.1:8080/v1":         true,
		"http://localhost/v1":              true,
		"http://[::1]:8080/v1":             true,
		"http://api.example.com/v1":        false,
		"http://127.0.0.1.nip.io/v1":       false,
		"http://localhost.example.com/v1":  false,
		"http://0.0.0.0/v1":                false,
		"http://192.168.1.10/v1":           false,
		"https://api.example.com/v1":       true,
		"file:///etc/passwd":               false,
		"//api.example.com/v1":             false,
		"https://u:p@api.example.com/v1":   false,
		"gopher://api.example.com:70/_x":   false,
		"http://api.example.com:443/v1/..": false,
	} {
		_, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "k", BaseURL: base})
		if ok {
			assert.NoError(t, err, base)
		} else {
			assert.ErrorIs(t, err, identity.ErrInvalidArgument, base)
		}
	}
	_, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "k", BaseURL: "http://api.example.com/v1", HTTPOptions: identity.HTTPOptions{AllowInsecureHTTP: true}})
	assert.NoError(t, err, "the explicit opt-in")

	o := passage.URLOpener{Options: passage.Options{APIKey: "k"}}
	for s, ok := range map[string]bool{
		"passage://app1?base_url=http://127.0.0.1:8080/v1":                      true,
		"passage://app1?base_url=http://api.example.com/v1":                     false,
		"passage://app1?base_url=http://api.example.com/v1&insecure_http=true":  true,
		"passage://app1?base_url=http://api.example.com/v1&insecure_http=false": false,
	} {
		u, err := url.Parse(s)
		require.NoError(t, err)
		_, err = o.OpenDirectoryURL(ctx, u)
		if ok {
			assert.NoError(t, err, s)
		} else {
			assert.ErrorIs(t, err, identity.ErrInvalidArgument, s)
		}
	}
}

// TestRedirectsCarryNoCredentials: an https server that redirects to plain
// http on the same host name, which Go's client would follow with the API
// key, gets an error instead, and the plain server is never asked.
func TestRedirectsCarryNoCredentials(t *testing.T) {
	var reached atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(plain.Close)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusPermanentRedirect)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	dir, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1", HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client()}})
	require.NoError(t, err)
	_, err = dir.GetUser(ctx, "abc")
	assert.ErrorIs(t, err, identity.ErrInternal)
	_, err = dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com"})
	assert.Error(t, err)
	assert.Zero(t, reached.Load())
}

// TestContextEndsEveryWait: a call whose context ends while the server
// holds the answer, or while the client waits out a 429's Retry-After,
// returns the context's own error, as it is.
func TestContextEndsEveryWait(t *testing.T) {
	var held atomic.Bool
	script := &hostiletest.Script{}
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "test-key",
		Middleware: func(h http.Handler) http.Handler {
			return script.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if held.Load() {
					// Only with the body read does the server notice the
					// client hanging up, and end r's context.
					_, _ = io.Copy(io.Discard, r.Body)
					select {
					case <-r.Context().Done():
					case <-time.After(10 * time.Second):
					}
					return
				}
				h.ServeHTTP(w, r)
			}))
		}})
	dir, err := passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1"})
	require.NoError(t, err)
	for name, call := range map[string]func(context.Context) error{
		"server holds the answer": func(ctx context.Context) error {
			held.Store(true)
			defer held.Store(false)
			_, err := dir.GetUser(ctx, "abc")
			return err
		},
		"server holds a create": func(ctx context.Context) error {
			held.Store(true)
			defer held.Store(false)
			_, err := dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com"})
			return err
		},
		"429 asks for an hour": func(ctx context.Context) error {
			script.Next("/v1/", hostiletest.JSON(429, `{}`, "Retry-After", "3600"))
			defer script.Reset()
			_, err := dir.GetUser(ctx, "abc")
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := call(ctx)
		cancel()
		assert.Equal(t, context.DeadlineExceeded, err, name)
	}
}
