package logto_test

import (
	"context"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenWithSecrets: identity.Open asks the lookup for the app's id
// and secret before the environment, which still answers what the
// lookup has not.
func TestOpenWithSecrets(t *testing.T) {
	ctx := t.Context()
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "from-the-vault"})
	u := "logto://" + strings.TrimPrefix(srv.URL, "http://") + "?insecure_http=true"
	t.Setenv(logto.EnvAppID, "m2m")
	t.Setenv(logto.EnvAppSecret, "wrong-from-the-environment")
	t.Setenv(logto.EnvResource, "")
	for _, c := range []struct {
		name  string
		vault map[string]identity.Secret
		want  identity.Code
	}{
		{"secret from the vault, id from the environment", map[string]identity.Secret{logto.EnvAppSecret: "from-the-vault"}, identity.Unknown},
		{"nothing in the vault", nil, identity.Unauthenticated},
	} {
		t.Run(c.name, func(t *testing.T) {
			var asked []string
			dir, err := identity.Open(ctx, u, identity.WithSecrets(func(_ context.Context, name string) (identity.Secret, error) {
				asked = append(asked, name)
				return c.vault[name], nil
			}), identity.WithHTTPOptions(identity.HTTPOptions{MaxAttempts: 1}))
			require.NoError(t, err)
			defer dir.Close()
			err = dir.Ping(ctx)
			assert.Equal(t, c.want, identity.CodeOf(err), "%v", err)
			assert.Equal(t, []string{logto.EnvAppID, logto.EnvAppSecret, logto.EnvResource}, asked)
		})
	}
}
