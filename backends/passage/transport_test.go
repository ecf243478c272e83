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

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
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
// allow_insecure_http=true in the URL.
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
	_, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "k", BaseURL: "http://api.example.com/v1", AllowInsecureHTTP: true})
	assert.NoError(t, err, "the explicit opt-in")

	o := passage.URLOpener{Options: passage.Options{APIKey: "k"}}
	for s, ok := range map[string]bool{
		"passage://app1?base_url=http://127.0.0.1:8080/v1":                            true,
		"passage://app1?base_url=http://api.example.com/v1":                           false,
		"passage://app1?base_url=http://api.example.com/v1&allow_insecure_http=true":  true,
		"passage://app1?base_url=http://api.example.com/v1&allow_insecure_http=false": false,
	} {
		u, err := url.Parse(s)
		require.NoError(t, err)
		_, err = o.OpenUserDirectoryURL(ctx, u)
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
	dir, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1", HTTPClient: srv.Client()})
	require.NoError(t, err)
	_, err = dir.GetUser(ctx, "abc")
	assert.ErrorIs(t, err, identity.ErrInternal)
	_, err = dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com"})
	assert.Error(t, err)
	assert.Zero(t, reached.Load())
}
