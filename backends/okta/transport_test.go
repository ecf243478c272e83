package okta_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const transportToken = "okta-transport-token"

// serviceAppKey returns a P-256 key and the emulator options that accept
// it for the app "0oa-svc".
func serviceAppKey(t *testing.T) (*ecdsa.PrivateKey, oktatest.Options) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return key, oktatest.Options{APIToken: transportToken, NamesOptional: true, ServiceApps: map[string]crypto.PublicKey{"0oa-svc": key.Public()}}
}

// TestTLSVerifiedByDefault: a directory built without an HTTPClient
// refuses a server whose certificate it cannot verify, before the server
// sees any request (the token request included, for a service app), and
// the same server is reachable with a client that trusts it.
func TestTLSVerifiedByDefault(t *testing.T) {
	key, eo := serviceAppKey(t)
	var reached atomic.Int32
	em := oktatest.New(eo)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		em.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for name, opts := range map[string]okta.Options{
		"api token":   {OrgURL: srv.URL, APIToken: transportToken, HTTPOptions: identity.HTTPOptions{RetryBaseDelay: time.Millisecond}},
		"service app": {OrgURL: srv.URL, ClientID: "0oa-svc", PrivateKey: key, HTTPOptions: identity.HTTPOptions{RetryBaseDelay: time.Millisecond}},
	} {
		reached.Store(0)
		dir, err := okta.New(ctx, opts)
		require.NoError(t, err, name)
		_, err = dir.GetUser(ctx, "00u0000000000000000")
		require.ErrorIs(t, err, identity.ErrUnavailable, name)
		assert.Contains(t, err.Error(), "certificate", name)
		assert.Zero(t, reached.Load(), "%s: no request got past the handshake", name)

		opts.HTTPClient = srv.Client()
		dir, err = okta.New(ctx, opts)
		require.NoError(t, err, name)
		_, err = dir.GetUser(ctx, "00u0000000000000000")
		require.ErrorIs(t, err, identity.ErrNotFound, name)
		assert.Positive(t, reached.Load(), name)
	}
}

// TestPlainHTTPOnlyToLoopback: an http org URL is accepted for loopback
// hosts only, unless the caller opts in, in code or with the URL's
// insecure_http=true, which also switches the scheme. A refusal names
// OrgURL.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	ctx := context.Background()
	for org, ok := range map[string]bool{
		"http://127.0.0.1:8080":           true,
		"http://localhost:8080":           true,
		"http://LOCALHOST":                true,
		"http://[::1]:8080":               true,
		"https://dev-1.okta.com":          true,
		"https://dev-1.okta.com/":         true,
		"http://dev-1.okta.com":           false,
		"http://127.0.0.1.nip.io":         false,
		"http://localhost.example.com":    false,
		"http://0.0.0.0:8080":             false,
		"http://10.0.0.1":                 false,
		"http://[::ffff:93.184.216.34]":   false,
		"ftp://dev-1.okta.com":            false,
		"https://user:pw@dev-1.okta.com":  false,
		"//dev-1.okta.com":                false,
		"dev-1.okta.com":                  false,
		"http://dev-1.okta.com:443/x/":    false,
		"http://dev-1.okta.com@127.0.0.1": false,
	} {
		_, err := okta.New(ctx, okta.Options{OrgURL: org, APIToken: "t"})
		if ok {
			assert.NoError(t, err, org)
			continue
		}
		var ie *identity.Error
		if assert.ErrorAs(t, err, &ie, org) {
			assert.Equal(t, identity.InvalidArgument, ie.Code, org)
			assert.Equal(t, "OrgURL", ie.Field, org)
		}
	}
	_, err := okta.New(ctx, okta.Options{OrgURL: "http://okta.internal", APIToken: "t", HTTPOptions: identity.HTTPOptions{AllowInsecureHTTP: true}})
	assert.NoError(t, err, "the explicit opt-in")

	key, _ := serviceAppKey(t)
	_, err = okta.New(ctx, okta.Options{OrgURL: "http://dev-1.okta.com", ClientID: "0oa-svc", PrivateKey: key})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument, "a service app's token request is held to the same rule")

	o := okta.URLOpener{Options: okta.Options{APIToken: "t"}}
	for s, ok := range map[string]bool{
		"okta://localhost:8080?insecure_http=true":  true,
		"okta://127.0.0.1:8080?insecure_http=true":  true,
		"okta://dev-1.okta.com?insecure_http=true":  true,
		"okta://dev-1.okta.com?insecure_http=false": true,
		"okta://dev-1.okta.com":                     true,
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

// TestRedirectsCarryNoCredentials: an https Okta whose API, token
// endpoint or Authentication API redirects to plain http on the same
// host name, which Go's client would follow with the Authorization
// header (the API token or access token) or, for a 307 or 308, with the
// body (the client assertion, or the password being verified), gets an
// error instead, and the plain server is never asked.
func TestRedirectsCarryNoCredentials(t *testing.T) {
	var reached atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(plain.Close)
	key, eo := serviceAppKey(t)
	em := oktatest.New(eo)
	var redirected atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == redirected.Load().(string) || redirected.Load() == "/api/" && r.URL.Path != "/oauth2/v1/token" {
			http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	apiToken := okta.Options{OrgURL: srv.URL, APIToken: transportToken, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), RetryBaseDelay: time.Millisecond}}
	app := okta.Options{OrgURL: srv.URL, ClientID: "0oa-svc", PrivateKey: key, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), RetryBaseDelay: time.Millisecond}}

	redirected.Store("")
	dir, err := okta.New(ctx, apiToken)
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "redirect@example.com", Password: pw})
	require.NoError(t, err)

	for _, c := range []struct {
		name, path string
		opts       okta.Options
		call       func(*identity.Directory) error
	}{
		{"API, api token", "/api/", apiToken, func(d *identity.Directory) error { _, err := d.GetUser(ctx, u.ID); return err }},
		{"API create, api token", "/api/", apiToken, func(d *identity.Directory) error {
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "other@example.com", Password: pw})
			return err
		}},
		{"API, service app", "/api/", app, func(d *identity.Directory) error { _, err := d.GetUser(ctx, u.ID); return err }},
		{"token endpoint", "/oauth2/v1/token", app, func(d *identity.Directory) error { _, err := d.GetUser(ctx, u.ID); return err }},
		{"Authentication API", "/api/v1/authn", apiToken, func(d *identity.Directory) error { return d.VerifyPassword(ctx, u.ID, pw) }},
	} {
		redirected.Store(c.path)
		reached.Store(0)
		d, err := okta.New(ctx, c.opts)
		require.NoError(t, err, c.name)
		var ie *identity.Error
		if assert.ErrorAs(t, c.call(d), &ie, c.name) {
			assert.Equal(t, http.StatusTemporaryRedirect, ie.HTTPStatus, "%s: the redirect is the answer", c.name)
		}
		assert.Zero(t, reached.Load(), "%s: the plain server was asked", c.name)
	}
}

// TestContextEndsEveryWait: a call whose context ends while the server
// or the token endpoint holds the answer, while the client waits out a
// 429 until
// X-Rate-Limit-Reset, or while it holds a request back because the last
// answer said the quota is spent, returns the context's own error, as it
// is.
func TestContextEndsEveryWait(t *testing.T) {
	script := &hostiletest.Script{}
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: transportToken, NamesOptional: true, Middleware: script.Wrap})
	// Each case has its own directory, since a directory's pacing
	// remembers the windows it was told of.
	fresh := func() *identity.Directory {
		dir, err := okta.New(context.Background(), okta.Options{OrgURL: srv.URL, APIToken: transportToken})
		require.NoError(t, err)
		return dir
	}
	held := oktatest.NewServer(t, oktatest.Options{APIToken: transportToken, Latency: time.Hour})
	slow, err := okta.New(context.Background(), okta.Options{OrgURL: held.URL, APIToken: transportToken})
	require.NoError(t, err)
	// A token endpoint that answers only once the test is over. The token
	// fetch takes no context of its own, so the call must stop waiting
	// for it when its context ends.
	key, eo := serviceAppKey(t)
	em := oktatest.New(eo)
	release := make(chan struct{})
	tokenHeld := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/v1/token" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(tokenHeld.Close)
	t.Cleanup(func() { close(release) })
	// Timeout bounds how long a client that waited for the fetch anyway
	// would hold this test up.
	app, err := okta.New(context.Background(), okta.Options{OrgURL: tokenHeld.URL, ClientID: "0oa-svc", PrivateKey: key, HTTPOptions: identity.HTTPOptions{Timeout: 5 * time.Second, MaxAttempts: 1}})
	require.NoError(t, err)
	reset := func() string { return strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) }
	now := func() string { return time.Now().UTC().Format(http.TimeFormat) }

	for _, c := range []struct {
		name string
		call func(context.Context) error
	}{
		{"server holds the answer", func(ctx context.Context) error { _, err := slow.GetUser(ctx, "00u0000000000000000"); return err }},
		{"the token endpoint holds the answer", func(ctx context.Context) error { _, err := app.GetUser(ctx, "00u0000000000000000"); return err }},
		{"429 until the reset, an hour away", func(ctx context.Context) error {
			script.Next("/api/", hostiletest.JSON(429, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`,
				"X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", reset(), "Date", now()))
			_, err := fresh().GetUser(ctx, "00u0000000000000000")
			return err
		}},
		{"the quota is spent until the reset", func(ctx context.Context) error {
			script.Next("/api/", hostiletest.JSON(404, `{"errorCode":"E0000007","errorSummary":"Not found"}`,
				"X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(10*time.Second).Unix(), 10), "Date", now()))
			dir := fresh()
			_, err := dir.GetUser(context.Background(), "00u0000000000000000")
			require.ErrorIs(t, err, identity.ErrNotFound)
			_, err = dir.GetUser(ctx, "00u0000000000000000")
			return err
		}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := c.call(ctx)
		cancel()
		assert.Equal(t, context.DeadlineExceeded, err, c.name)
		script.Reset()
	}
}
