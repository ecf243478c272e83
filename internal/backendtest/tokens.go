package backendtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wrongCredentialIsUnauthenticated: a directory opened with a secret the
// provider does not accept is told so, for every credential: the call is
// Unauthenticated, keeps the provider's code and the 401, issues no
// token, and no form of the error or the directory shows the secret or
// anything derived from it.
func wrongCredentialIsUnauthenticated(t *testing.T, b *Backend) {
	s := start(t, b, siteOptions{schema: true})
	for _, cred := range b.Credentials {
		c := secrettest.New(t)
		cfg := s.config(cred.Name, identity.HTTPOptions{RetryBaseDelay: time.Millisecond})
		cfg.Secret = c.Make("wrong-secret")
		b.canaries(c, cred, cfg.Secret)
		dir, err := b.Open(context.Background(), cfg)
		require.NoError(t, err, cred.Name)
		t.Cleanup(func() { _ = dir.Close() })
		_, err = dir.GetUser(context.Background(), b.MissingID)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, cred.Name)
		assert.Equal(t, identity.Unauthenticated, ie.Code, cred.Name)
		assert.Equal(t, http.StatusUnauthorized, ie.HTTPStatus, cred.Name)
		assert.Equal(t, cred.Refused, ie.ProviderCode, cred.Name)
		if cred.RequestID {
			assert.NotEmpty(t, ie.RequestID, "%s: the provider's request id is kept", cred.Name)
		}
		c.Check(t, cred.Name+": the refusal", err, ie, dir)
		if te, ok := s.emu.(TokenEmulator); ok && cred.TokenPath != "" {
			assert.Zero(t, te.TokenRequests(), "%s: no token for a refused client", cred.Name)
		}
	}
}

// Refusal is a configuration that opens but that the provider refuses
// at the first call: an API resource the app may not reach, say, or an
// app the key is not for.
type Refusal struct {
	Name string
	// Open opens the refused directory from the Config of a good one.
	Open func(ctx context.Context, c Config) (*identity.Directory, error)
	// Code, ProviderCode and Field are what the refusal must carry.
	Code                identity.Code
	ProviderCode, Field string
}

// refusedConfigurations: each of the backend's Refusals opens, and its
// first call fails with the portable code, the provider's code and the
// field the refusal names.
func refusedConfigurations(t *testing.T, b *Backend) {
	if len(b.Refusals) == 0 {
		t.Skip(b.Name + " has no configuration only the provider refuses")
	}
	s := start(t, b, siteOptions{schema: true})
	for _, r := range b.Refusals {
		dir, err := r.Open(context.Background(), s.config("", identity.HTTPOptions{RetryBaseDelay: time.Millisecond}))
		require.NoError(t, err, r.Name)
		t.Cleanup(func() { _ = dir.Close() })
		_, err = dir.GetUser(context.Background(), b.MissingID)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, r.Name)
		assert.Equal(t, r.Code, ie.Code, r.Name)
		assert.Equal(t, r.ProviderCode, ie.ProviderCode, r.Name)
		assert.Equal(t, r.Field, ie.Field, r.Name)
	}
}

// tokensAreCachedAndReplaced, for every credential exchanged for access
// tokens: many goroutines calling at once cause one token request; a
// token the server refuses is replaced once and the call retried once;
// and a transient fault at the token endpoint is retried, the call going
// on with the token fetched again.
func tokensAreCachedAndReplaced(t *testing.T, b *Backend) {
	n := 0
	for _, cred := range b.Credentials {
		if cred.TokenPath == "" {
			continue
		}
		n++
		t.Run(cred.Name+"/OneTokenForManyGoroutines", func(t *testing.T) { t.Parallel(); oneToken(t, b, cred) })
		t.Run(cred.Name+"/RefusedTokenIsReplacedOnce", func(t *testing.T) { t.Parallel(); refusedToken(t, b, cred) })
		for _, k := range faultinject.TransientFaults {
			t.Run(cred.Name+"/TokenEndpointFaults/"+string(k), func(t *testing.T) { t.Parallel(); tokenFault(t, b, cred, k) })
		}
	}
	if n == 0 {
		t.Skip(b.Name + " sends its credential as is: there are no tokens")
	}
}

// tokenSite starts a schema-checked emulator with outer in front of the
// checker, and returns it as the TokenEmulator it must be.
func tokenSite(t *testing.T, b *Backend, outer ...func(http.Handler) http.Handler) (*site, TokenEmulator) {
	t.Helper()
	s := start(t, b, siteOptions{outer: outer, schema: true})
	te, ok := s.emu.(TokenEmulator)
	require.True(t, ok, "the emulator of a backend with a token endpoint issues tokens")
	return s, te
}

func oneToken(t *testing.T, b *Backend, cred Credential) {
	s, te := tokenSite(t, b)
	dir := s.open(t, cred.Name, identity.HTTPOptions{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range errs {
		wg.Go(func() {
			nu := identity.NewUser{Email: fmt.Sprintf("many%d@example.com", i)}
			if b.Modes[0].Capabilities.SetPassword {
				nu.Password = password
			}
			u, err := dir.CreateUser(ctx, nu)
			if err == nil {
				_, err = dir.GetUser(ctx, u.ID)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, te.TokenRequests(), "64 goroutines share one token")
	assert.Equal(t, 64, s.emu.UserCount())
}

func refusedToken(t *testing.T, b *Backend, cred Credential) {
	var api atomic.Int64
	s, te := tokenSite(t, b, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, b.APIPrefix) {
				api.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	dir := s.open(t, cred.Name, identity.HTTPOptions{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "rotated@example.com"})
	require.NoError(t, err)
	require.Equal(t, 1, te.TokenRequests())
	before := api.Load()
	_, err = dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	one := api.Load() - before // the requests a GetUser makes

	te.RevokeTokens()
	before = api.Load()
	_, err = dir.GetUser(ctx, u.ID)
	require.NoError(t, err, "a revoked token is replaced and the call retried")
	assert.Equal(t, 2, te.TokenRequests(), "one new token")
	assert.Equal(t, one+1, api.Load()-before, "the refused request is sent again once")
}

func tokenFault(t *testing.T, b *Backend, cred Credential, k faultinject.Fault) {
	f := faultinject.New(faultinject.Options{Include: []string{cred.TokenPath}, RetryAfter: "0", SlowDelay: time.Minute})
	s, te := tokenSite(t, b, f.Wrap)
	dir := s.open(t, cred.Name, identity.HTTPOptions{Timeout: faultTimeout, RetryBaseDelay: time.Millisecond})
	f.Next(k)
	_, err := dir.GetUser(context.Background(), b.MissingID)
	require.ErrorIs(t, err, identity.ErrNotFound, "the token was fetched again and the call went on")
	assert.Equal(t, 1, f.Injected())
	assert.LessOrEqual(t, te.TokenRequests(), 2)
}

// roleRecreatedElsewhere: a role another directory deletes and creates
// again under the same name, behind the back of one that cached its id,
// is found by name afresh; once deleted for good it is NotFound. It runs
// in the first mode whose role catalogue the provider keeps.
func roleRecreatedElsewhere(t *testing.T, b *Backend) {
	var m *Mode
	for i := range b.Modes {
		if c := b.Modes[i].Capabilities; c.RoleCatalog && !b.Modes[i].LocalCatalog {
			m = &b.Modes[i]
			break
		}
	}
	if m == nil {
		t.Skip(b.Name + " keeps no role catalogue on the server")
	}
	s := start(t, b, siteOptions{schema: true, mode: m.Name})
	// Two directories on one provider, as two processes would be.
	a, other := s.open(t, "", identity.HTTPOptions{}), s.open(t, "", identity.HTTPOptions{})
	ctx := context.Background()
	u, err := a.CreateUser(ctx, identity.NewUser{Email: "recreated@example.com"})
	require.NoError(t, err)
	_, err = a.CreateRole(ctx, identity.Role{Name: "editors"})
	require.NoError(t, err)
	require.NoError(t, a.AssignRole(ctx, u.ID, "editors")) // a caches the id
	require.NoError(t, other.DeleteRole(ctx, "editors"))
	_, err = other.CreateRole(ctx, identity.Role{Name: "editors", Description: "again"})
	require.NoError(t, err)
	require.NoError(t, a.AssignRole(ctx, u.ID, "editors"), "the stale id is dropped and the name resolved again")
	rs, err := other.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "again", rs[0].Description, "the new role is the one assigned")
	require.NoError(t, other.DeleteRole(ctx, "editors"))
	require.ErrorIs(t, a.AssignRole(ctx, u.ID, "editors"), identity.ErrNotFound)
}
