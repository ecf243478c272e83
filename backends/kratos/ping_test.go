package kratos_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPing: Ping lists one identity on the admin API and, with a public
// URL, checks that it answers too; a wrong Ory Network key is
// Unauthenticated, and a public URL that is not Kratos is Unavailable.
func TestPing(t *testing.T) {
	ctx := t.Context()
	withKey := kratostest.NewServer(t, kratostest.Options{APIKey: "ory_pat_ping", Middleware: openapicheck.Middleware(t, "kratos", schemaOptions)})
	selfHosted := kratostest.NewServer(t, kratostest.Options{})
	notKratos := httptest.NewServer(http.NotFoundHandler())
	defer notKratos.Close()

	for _, c := range []struct {
		name, admin, public, key string
		want                     identity.Code
		provider, field          string
		listed                   int // on withKey; a refused key is answered before the route
	}{
		{"Ory Network key", withKey.URL, withKey.URL, "ory_pat_ping", identity.Unknown, "", "", 1},
		{"self-hosted, no key", selfHosted.URL, "", "", identity.Unknown, "", "", 0},
		{"wrong key", withKey.URL, "", "ory_pat_wrong", identity.Unauthenticated, "401", "", 0},
		{"public URL not Kratos", selfHosted.URL, notKratos.URL, "", identity.Unavailable, "", "PublicURL", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, err := kratos.New(ctx, kratos.Options{AdminURL: c.admin, PublicURL: c.public, APIKey: identity.Secret(c.key),
				Traits: traits, HTTPOptions: identity.HTTPOptions{MaxAttempts: 1}})
			require.NoError(t, err)
			before := withKey.Requests()["GET /admin/identities"]
			err = dir.Ping(ctx)
			assert.Equal(t, c.want, identity.CodeOf(err), "%v", err)
			assert.Equal(t, c.listed, withKey.Requests()["GET /admin/identities"]-before, "listings")
			var e *identity.Error
			if err != nil && assert.ErrorAs(t, err, &e) {
				assert.Equal(t, "Ping", e.Op)
				if e.Code == identity.Unauthenticated {
					assert.Contains(t, e.Message, "; check ", "says what to check")
				}
				assert.Equal(t, c.provider, e.ProviderCode)
				assert.Equal(t, c.field, e.Field)
				if c.key != "" {
					assert.NotContains(t, err.Error(), c.key)
				}
			}
		})
	}
}
