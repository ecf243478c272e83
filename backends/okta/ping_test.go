package okta_test

import (
	"crypto"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPing: Ping takes each credential the org accepts, refuses a wrong
// one as Unauthenticated in one request, and tells an org it cannot reach
// and a host that is not an org from one that works.
func TestPing(t *testing.T) {
	ctx := t.Context()
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken, Middleware: openapicheck.Middleware(t, "okta", schemaOptions),
		ServiceApps: map[string]crypto.PublicKey{"0oa-svc": backendtest.KeyFor(testToken).Public()}})
	notOkta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>a sign-in page</html>"))
	}))
	defer notOkta.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	cases := []struct {
		name, url, credential, secret string
		want                          identity.Code
		provider                      string
		requests                      int // to the org's API, the token endpoint apart
	}{
		{"token", srv.URL, "APIToken", testToken, identity.Unknown, "", 1},
		{"service app", srv.URL, "ServiceApp", testToken, identity.Unknown, "", 1},
		{"wrong token", srv.URL, "APIToken", "00wrong", identity.Unauthenticated, "E0000011", 1},
		{"wrong key", srv.URL, "ServiceApp", "another seed", identity.Unauthenticated, "invalid_client", 0},
		{"unreachable", gone.URL, "APIToken", testToken, identity.Unavailable, "", 0},
		{"not an org", notOkta.URL, "APIToken", testToken, identity.Unavailable, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, err := okta.New(ctx, options(backendtest.Config{URL: c.url, Credential: c.credential, Secret: c.secret,
				HTTP: identity.HTTPOptions{MaxAttempts: 1}}))
			require.NoError(t, err)
			before := srv.Requests()
			err = dir.Ping(ctx)
			assert.Equal(t, c.want, identity.CodeOf(err), "%v", err)
			assert.Equal(t, c.requests, srv.Requests()-before, "requests to the API")
			var e *identity.Error
			if err != nil && assert.ErrorAs(t, err, &e) {
				assert.Equal(t, "Ping", e.Op)
				if e.Code == identity.Unauthenticated {
					assert.Contains(t, e.Message, "; check ", "says what to check")
				}
				assert.Equal(t, okta.Scheme, e.Backend)
				assert.Equal(t, c.provider, e.ProviderCode)
				assert.NotContains(t, err.Error(), c.secret)
			}
		})
	}
}
