package kratos_test

import (
	"context"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenWithSecrets: identity.Open asks the lookup for the Ory Network
// key before the environment, and the URL's parameters still hold.
func TestOpenWithSecrets(t *testing.T) {
	ctx := t.Context()
	srv := kratostest.NewServer(t, kratostest.Options{APIKey: "ory_pat_vault"})
	t.Setenv(kratos.EnvAPIKey, "ory_pat_wrong_from_the_environment")
	u := "kratos://" + strings.TrimPrefix(srv.URL, "http://") + "?insecure_http=true&public_url=" + srv.URL
	for _, c := range []struct {
		name  string
		vault identity.Secret
		want  identity.Code
	}{
		{"key from the vault", "ory_pat_vault", identity.Unknown},
		{"none in the vault: the environment's", "", identity.Unauthenticated},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, err := identity.Open(ctx, u, identity.WithSecrets(func(context.Context, string) (identity.Secret, error) { return c.vault, nil }),
				identity.WithHTTPOptions(identity.HTTPOptions{MaxAttempts: 1}))
			require.NoError(t, err)
			defer dir.Close()
			assert.Equal(t, c.want, identity.CodeOf(dir.Ping(ctx)))
			assert.True(t, dir.Capabilities().VerifyPassword, "public_url from the URL")
		})
	}
}
