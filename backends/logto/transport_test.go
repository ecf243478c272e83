package logto_test

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
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTLSVerifiedByDefault: a directory built without an HTTPClient
// refuses a server whose certificate it cannot verify, before the server
// sees any request, and the same server is reachable with a client that
// trusts it.
func TestTLSVerifiedByDefault(t *testing.T) {
	var reached atomic.Int32
	em := logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: "s3cret"})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		em.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	opts := logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"}
	dir, err := logto.New(ctx, opts)
	require.NoError(t, err)
	_, err = dir.GetUser(ctx, "abc123def456")
	require.ErrorIs(t, err, identity.ErrUnavailable)
	assert.Contains(t, err.Error(), "certificate")
	assert.Zero(t, reached.Load(), "no request got past the handshake")

	opts.HTTPClient = srv.Client()
	dir, err = logto.New(ctx, opts)
	require.NoError(t, err)
	_, err = dir.GetUser(ctx, "abc123def456")
	require.ErrorIs(t, err, identity.ErrNotFound)
	assert.Positive(t, reached.Load())
}

// TestPlainHTTPOnlyToLoopback: an http endpoint is accepted for loopback
// hosts only, unless the caller opts in, in code; the URL's insecure_http
// switches the scheme but not the rule.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	ctx := context.Background()
	for endpoint, ok := range map[string]bool{
		"http://127.0.0.1:3001":          true,
		"http://localhost:3001":          true,
		"http://LOCALHOST":               true,
		"http://[::1]:3001":              true,
		"http://auth.example.com":        false,
		"http://127.0.0.1.nip.io":        false,
		"http://localhost.example.com":   false,
		"http://0.0.0.0:3001":            false,
		"http://10.0.0.1":                false,
		"http://[::ffff:93.184.216.34]":  false,
		"https://auth.example.com":       true,
		"ftp://auth.example.com":         false,
		"https://user:pw@auth.example.":  false,
		"//auth.example.com":             false,
		"http://auth.example.com:443/x/": false,
	} {
		_, err := logto.New(ctx, logto.Options{Endpoint: endpoint, AppID: "m2m", AppSecret: "s3cret"})
		if ok {
			assert.NoError(t, err, endpoint)
		} else {
			assert.ErrorIs(t, err, identity.ErrInvalidArgument, endpoint)
		}
	}
	_, err := logto.New(ctx, logto.Options{Endpoint: "http://auth.example.com", AppID: "m2m", AppSecret: "s3cret", AllowInsecureHTTP: true})
	assert.NoError(t, err, "the explicit opt-in")

	o := logto.URLOpener{Options: logto.Options{AppID: "m2m", AppSecret: "s3cret"}}
	for s, ok := range map[string]bool{
		"logto://localhost:3001?insecure_http=true":   true,
		"logto://auth.example.com?insecure_http=true": false,
		"logto://auth.example.com":                    true,
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

// TestRedirectsCarryNoCredentials: an https Logto whose API or token
// endpoint redirects to plain http on the same host name, which Go's
// client would follow with the Authorization header (the bearer token, or
// the app secret in Basic), gets an error instead, and the plain server
// is never asked.
func TestRedirectsCarryNoCredentials(t *testing.T) {
	var reached atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(plain.Close)
	em := logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: "s3cret"})
	redirectToken := atomic.Bool{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oidc/token" || redirectToken.Load() {
			http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, token := range []bool{false, true} {
		redirectToken.Store(token)
		dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret", HTTPClient: srv.Client()})
		require.NoError(t, err)
		_, err = dir.GetUser(ctx, "abc123def456")
		assert.Error(t, err, "token redirected: %v", token)
		assert.Zero(t, reached.Load(), "token redirected: %v", token)
	}
}
