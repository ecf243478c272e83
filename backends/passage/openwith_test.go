package passage_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenWithSecrets: identity.Open asks the lookup for the API key
// before the environment, and the base_url and transport still come from
// the URL and WithHTTPOptions.
func TestOpenWithSecrets(t *testing.T) {
	ctx := t.Context()
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "key-from-the-vault"})
	t.Setenv(passage.EnvAPIKey, "wrong-from-the-environment")
	u := "passage://app1?base_url=" + srv.URL + "/v1"
	for _, c := range []struct {
		name  string
		vault identity.Secret
		want  identity.Code
	}{
		{"key from the vault", "key-from-the-vault", identity.Unknown},
		{"none in the vault: the environment's", "", identity.Unauthenticated},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, err := identity.Open(ctx, u, identity.WithSecrets(func(_ context.Context, name string) (identity.Secret, error) {
				if name != passage.EnvAPIKey {
					t.Errorf("asked for %s", name)
				}
				return c.vault, nil
			}), identity.WithHTTPOptions(identity.HTTPOptions{MaxAttempts: 1}))
			require.NoError(t, err)
			defer dir.Close()
			assert.Equal(t, c.want, identity.CodeOf(dir.Ping(ctx)))
		})
	}
}
