package logto_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPing: Ping fetches a token and lists one user; a wrong app secret
// is the token endpoint's invalid_client, Unauthenticated, with no
// request to the Management API; an endpoint that is gone is
// Unavailable.
func TestPing(t *testing.T) {
	ctx := t.Context()
	const secret = "m2m-ping-secret"
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: secret, Middleware: openapicheck.Middleware(t, "logto", schemaOptions)})
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	for _, c := range []struct {
		name, url, secret string
		want              identity.Code
		provider          string
		listed            int
	}{
		{"right secret", srv.URL, secret, identity.Unknown, "", 1},
		{"wrong secret", srv.URL, "not the secret", identity.Unauthenticated, "invalid_client", 0},
		{"unreachable", gone.URL, secret, identity.Unavailable, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, err := logto.New(ctx, options(backendtest.Config{URL: c.url, Secret: c.secret, HTTP: identity.HTTPOptions{MaxAttempts: 1}}))
			require.NoError(t, err)
			before := srv.Requests()["GET /api/users"]
			err = dir.Ping(ctx)
			assert.Equal(t, c.want, identity.CodeOf(err), "%v", err)
			assert.Equal(t, c.listed, srv.Requests()["GET /api/users"]-before, "users listed")
			var e *identity.Error
			if err != nil && assert.ErrorAs(t, err, &e) {
				assert.Equal(t, "Ping", e.Op)
				if e.Code == identity.Unauthenticated {
					assert.Contains(t, e.Message, "; check ", "says what to check")
				}
				assert.Equal(t, logto.Scheme, e.Backend)
				assert.Equal(t, c.provider, e.ProviderCode)
				assert.NotContains(t, err.Error(), c.secret)
			}
		})
	}
}
