package backendtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// password is a password every provider's default policy accepts.
const password identity.Secret = "Sw0rdfish-Tuesday-42"

// tlsVerifiedByDefault: a directory built without an HTTPClient refuses
// a server whose certificate it cannot verify, before the server sees any
// request (a token request included), and the same server is reachable
// with a client that trusts it.
func tlsVerifiedByDefault(t *testing.T, b *Backend) {
	var reached atomic.Int32
	s := start(t, b, siteOptions{tls: true, outer: []func(http.Handler) http.Handler{func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1); h.ServeHTTP(w, r) })
	}}})
	ctx := context.Background()
	for _, cred := range b.Credentials {
		reached.Store(0)
		dir := s.open(t, cred.Name, identity.HTTPOptions{RetryBaseDelay: time.Millisecond})
		_, err := dir.GetUser(ctx, b.MissingID)
		require.ErrorIs(t, err, identity.ErrUnavailable, cred.Name)
		assert.Contains(t, err.Error(), "certificate", cred.Name)
		assert.Zero(t, reached.Load(), "%s: no request got past the handshake", cred.Name)

		dir = s.open(t, cred.Name, identity.HTTPOptions{HTTPClient: s.srv.Client()})
		_, err = dir.GetUser(ctx, b.MissingID)
		require.ErrorIs(t, err, identity.ErrNotFound, cred.Name)
		assert.Positive(t, reached.Load(), cred.Name)
	}
}

// serverURLs are server roots and whether a directory may be opened on
// each without AllowInsecureHTTP: plain http only to a loopback host.
var serverURLs = map[string]bool{
	"http://127.0.0.1:3001":             true,
	"http://localhost:3001":             true,
	"http://LOCALHOST":                  true,
	"http://[::1]:3001":                 true,
	"https://auth.example.com":          true,
	"https://auth.example.com/":         true,
	"http://auth.example.com":           false,
	"http://127.0.0.1.nip.io":           false,
	"http://localhost.example.com":      false,
	"http://0.0.0.0:3001":               false,
	"http://10.0.0.1":                   false,
	"http://192.168.1.10":               false,
	"http://[::ffff:93.184.216.34]":     false,
	"http://auth.example.com:443/x/":    false,
	"http://auth.example.com:443/x/..":  false,
	"http://auth.example.com@127.0.0.1": false,
	"https://user:pw@auth.example.com":  false,
	"ftp://auth.example.com":            false,
	"gopher://auth.example.com:70/_x":   false,
	"file:///etc/passwd":                false,
	"//auth.example.com":                false,
	"auth.example.com":                  false,
}

// plainHTTPOnlyToLoopback: an http server URL is accepted for loopback
// hosts only, for every credential (a token request is held to the same
// rule), unless the caller opts in; a refusal is InvalidArgument naming
// the URL's field. The backend's configuration URLs follow the same rule,
// with insecure_http=true as the opt-in.
func plainHTTPOnlyToLoopback(t *testing.T, b *Backend) {
	ctx := context.Background()
	for _, cred := range b.Credentials {
		for u, ok := range serverURLs {
			dir, err := b.Open(ctx, Config{URL: u, Credential: cred.Name, Secret: secret})
			label := cred.Name + " " + u
			if !ok {
				var ie *identity.Error
				if assert.ErrorAs(t, err, &ie, label) {
					assert.Equal(t, identity.InvalidArgument, ie.Code, label)
					assert.Equal(t, b.URLField, ie.Field, label)
				}
				continue
			}
			if assert.NoError(t, err, label) {
				_ = dir.Close()
			}
		}
		dir, err := b.Open(ctx, Config{URL: "http://auth.example.com", Credential: cred.Name, Secret: secret, HTTP: identity.HTTPOptions{AllowInsecureHTTP: true}})
		if assert.NoError(t, err, "%s: the explicit opt-in", cred.Name) {
			_ = dir.Close()
		}
	}
	require.NotEmpty(t, b.URLs, "the backend lists configuration URLs")
	for s, ok := range b.URLs {
		u, err := url.Parse(s)
		require.NoError(t, err, s)
		dir, err := b.Opener.OpenDirectoryURL(ctx, u)
		if ok {
			if assert.NoError(t, err, s) {
				_ = dir.Close()
			}
		} else {
			assert.ErrorIs(t, err, identity.ErrInvalidArgument, s)
		}
	}
}

// redirectsCarryNoCredentials: an https server whose API, token endpoint
// or any other path the backend names redirects to plain http on the
// same host name, which Go's client would follow with the Authorization
// header or, for a 307, with the body (a password, a client assertion),
// gets an error whose status is the redirect's, and the plain server is
// never asked.
func redirectsCarryNoCredentials(t *testing.T, b *Backend) {
	var reached atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(plain.Close)
	tokenPaths := map[string]bool{}
	for _, c := range b.Credentials {
		if c.TokenPath != "" {
			tokenPaths[c.TokenPath] = true
		}
	}
	var redirected atomic.Value
	redirected.Store("")
	s := start(t, b, siteOptions{tls: true, outer: []func(http.Handler) http.Handler{func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := redirected.Load().(string)
			if p != "" && strings.HasPrefix(r.URL.Path, p) && (tokenPaths[p] || !tokenPaths[r.URL.Path]) {
				http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
				return
			}
			h.ServeHTTP(w, r)
		})
	}}})
	ctx := context.Background()
	caps := b.Modes[0].Capabilities
	nu := identity.NewUser{Email: "redirect@example.com"}
	if caps.SetPassword {
		nu.Password = password
	}
	u, err := s.open(t, "", identity.HTTPOptions{HTTPClient: s.srv.Client()}).CreateUser(ctx, nu)
	require.NoError(t, err)

	created := 0
	calls := map[string]func(*identity.Directory) error{
		"GetUser": func(d *identity.Directory) error { _, err := d.GetUser(ctx, u.ID); return err },
		"CreateUser": func(d *identity.Directory) error {
			// A new email each time, since a create that meets no
			// redirect makes its user.
			created++
			other := nu
			other.Email = fmt.Sprintf("other%d@example.com", created)
			_, err := d.CreateUser(ctx, other)
			return err
		},
	}
	if caps.VerifyPassword {
		calls["VerifyPassword"] = func(d *identity.Directory) error { return d.VerifyPassword(ctx, u.ID, password) }
	}
	for _, cred := range b.Credentials {
		paths := append([]string{b.APIPrefix}, b.RedirectPaths...)
		if cred.TokenPath != "" {
			paths = append(paths, cred.TokenPath)
		}
		for _, p := range paths {
			redirected.Store(p)
			refused := 0
			for name, call := range calls {
				label := cred.Name + ", " + p + " redirected: " + name
				reached.Store(0)
				d := s.open(t, cred.Name, identity.HTTPOptions{HTTPClient: s.srv.Client(), RetryBaseDelay: time.Millisecond})
				if err := call(d); err != nil {
					refused++
					var ie *identity.Error
					if assert.ErrorAs(t, err, &ie, label) {
						assert.Equal(t, http.StatusTemporaryRedirect, ie.HTTPStatus, "%s: the redirect is the answer", label)
					}
				}
				assert.Zero(t, reached.Load(), "%s: the plain server was asked", label)
			}
			assert.Positive(t, refused, "%s, %s redirected: some call meets the redirect", cred.Name, p)
			redirected.Store("")
		}
	}
}

// contextEndsEveryWait: a call whose context ends while the server holds
// the answer to a read or a create, while a token endpoint holds the
// token, while the client waits out a 429's Retry-After of an hour, or
// while it waits out one of the backend's own Waits, returns the
// context's own error, as it is.
func contextEndsEveryWait(t *testing.T, b *Backend) {
	h := &hold{}
	script := &hostiletest.Script{}
	s := start(t, b, siteOptions{outer: []func(http.Handler) http.Handler{script.Wrap, h.wrap}})
	// An attempt timeout well past the calls' deadlines, so that it is
	// the context that ends each wait, and short enough that a token
	// fetch left behind does not hold the server's shutdown long.
	ho := identity.HTTPOptions{Timeout: 500 * time.Millisecond}
	warm := func(cred string) *identity.Directory {
		d := s.open(t, cred, ho)
		_, err := d.GetUser(context.Background(), b.MissingID)
		require.ErrorIs(t, err, identity.ErrNotFound, "the token, if any, is fetched and cached")
		return d
	}
	dir := warm("")
	type call struct {
		name string
		run  func(context.Context) error
	}
	calls := []call{
		{"server holds the answer", func(ctx context.Context) error {
			h.set(b.APIPrefix)
			defer h.set("")
			_, err := dir.GetUser(ctx, b.MissingID)
			return err
		}},
		{"server holds a create", func(ctx context.Context) error {
			h.set(b.APIPrefix)
			defer h.set("")
			_, err := dir.CreateUser(ctx, identity.NewUser{Email: "held@example.com"})
			return err
		}},
		{"429 asks for an hour", func(ctx context.Context) error {
			script.Next(b.APIPrefix, hostiletest.JSON(429, `{}`, "Retry-After", "3600"))
			defer script.Reset()
			_, err := dir.GetUser(ctx, b.MissingID)
			return err
		}},
	}
	for _, cred := range b.Credentials {
		if cred.TokenPath == "" {
			continue
		}
		calls = append(calls, call{cred.Name + ": the token endpoint holds the token", func(ctx context.Context) error {
			h.set(cred.TokenPath)
			defer h.set("")
			_, err := s.open(t, cred.Name, ho).GetUser(ctx, b.MissingID)
			return err
		}})
	}
	for name, answers := range b.Waits {
		calls = append(calls, call{name, func(ctx context.Context) error {
			// A directory of its own, since pacing remembers the windows
			// it was told of.
			d := s.open(t, "", ho)
			script.Next(b.APIPrefix, answers()...)
			defer script.Reset()
			_, err := d.GetUser(ctx, b.MissingID)
			if errors.Is(err, identity.ErrNotFound) {
				// The answer came back, and it is the next request that
				// is held.
				_, err = d.GetUser(ctx, b.MissingID)
			}
			return err
		}})
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := c.run(ctx)
		cancel()
		assert.Equal(t, context.DeadlineExceeded, err, c.name)
	}
}
