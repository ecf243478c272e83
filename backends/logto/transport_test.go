package logto_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
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
// hosts only, unless the caller opts in, in code or with the URL's
// insecure_http=true, which also switches the scheme.
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
	_, err := logto.New(ctx, logto.Options{Endpoint: "http://auth.example.com", AppID: "m2m", AppSecret: "s3cret", HTTPOptions: identity.HTTPOptions{AllowInsecureHTTP: true}})
	assert.NoError(t, err, "the explicit opt-in")

	o := logto.URLOpener{Options: logto.Options{AppID: "m2m", AppSecret: "s3cret"}}
	for s, ok := range map[string]bool{
		"logto://localhost:3001?insecure_http=true":   true,
		"logto://auth.example.com?insecure_http=true": true,
		"logto://auth.example.com":                    true,
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
		dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret", HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client()}})
		require.NoError(t, err)
		_, err = dir.GetUser(ctx, "abc123def456")
		assert.Error(t, err, "token redirected: %v", token)
		assert.Zero(t, reached.Load(), "token redirected: %v", token)
	}
}

// TestContextEndsEveryWait: a call whose context ends while the server
// holds the answer, while the token endpoint holds the token, or while the
// client waits out a 429's Retry-After, returns the context's own error,
// as it is.
func TestContextEndsEveryWait(t *testing.T) {
	var hold atomic.Value // the path prefix whose requests are held
	hold.Store("none")
	script := &hostiletest.Script{}
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret",
		Middleware: func(h http.Handler) http.Handler {
			return script.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, hold.Load().(string)) {
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
	// A client timeout well past the calls' deadlines, so that it is the
	// context that ends each wait, and short enough that the fetch left
	// behind does not hold the server's shutdown long.
	hc := &http.Client{Timeout: 500 * time.Millisecond}
	open := func() *identity.Directory {
		dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret", HTTPOptions: identity.HTTPOptions{HTTPClient: hc}})
		require.NoError(t, err)
		return dir
	}
	dir := open()
	_, err := dir.GetUser(context.Background(), "abc123def456")
	require.ErrorIs(t, err, identity.ErrNotFound, "the token is fetched and cached")

	for name, call := range map[string]func(context.Context) error{
		"server holds the answer": func(ctx context.Context) error {
			hold.Store("/api/")
			defer hold.Store("none")
			_, err := dir.GetUser(ctx, "abc123def456")
			return err
		},
		"token endpoint holds the token": func(ctx context.Context) error {
			hold.Store("/oidc/token")
			defer hold.Store("none")
			_, err := open().GetUser(ctx, "abc123def456")
			return err
		},
		"429 asks for an hour": func(ctx context.Context) error {
			script.Next("/api/", hostiletest.JSON(429, `{}`, "Retry-After", "3600"))
			defer script.Reset()
			_, err := dir.GetUser(ctx, "abc123def456")
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := call(ctx)
		cancel()
		assert.Equal(t, context.DeadlineExceeded, err, name)
	}
}
