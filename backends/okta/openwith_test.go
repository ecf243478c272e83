package okta_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/backendtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vault is a secrets lookup over a map.
func vault(m map[string]string) identity.OpenOption {
	return identity.WithSecrets(func(_ context.Context, name string) (identity.Secret, error) { return identity.Secret(m[name]), nil })
}

// TestOpenWithOptions: a directory opened by URL takes a logger and
// secrets from a vault through identity.Open, with no mux of the
// application's own; the vault comes before the environment, and the
// environment still answers what the vault has not.
func TestOpenWithOptions(t *testing.T) {
	ctx := t.Context()
	key := backendtest.KeyFor("vault seed")
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken, ServiceApps: map[string]crypto.PublicKey{"0oa-svc": key.Public()}})
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	u := "okta://" + strings.TrimPrefix(srv.URL, "http://") + "?insecure_http=true"
	t.Setenv(okta.EnvAPIToken, "00wrong-from-the-environment")
	t.Setenv(okta.EnvClientID, "")

	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cases := []struct {
		name  string
		vault map[string]string
		want  identity.Code
	}{
		{"token from the vault", map[string]string{okta.EnvAPIToken: testToken}, identity.Unknown},
		{"service app from the vault", map[string]string{okta.EnvClientID: "0oa-svc", okta.EnvPrivateKey: keyPEM, okta.EnvKeyID: "kid-1"}, identity.Unknown},
		{"nothing in the vault: the environment's token", nil, identity.Unauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log.Reset()
			dir, err := identity.Open(ctx, u, vault(c.vault), identity.WithHTTPOptions(identity.HTTPOptions{Logger: logger, MaxAttempts: 1}))
			require.NoError(t, err)
			defer dir.Close()
			err = dir.Ping(ctx)
			assert.Equal(t, c.want, identity.CodeOf(err), "%v", err)
			assert.Contains(t, log.String(), "/api/v1/users", "the logger given is the one used")
			for _, s := range []string{testToken, "BEGIN PRIVATE KEY"} {
				assert.NotContains(t, log.String(), s)
			}
		})
	}

	_, err = identity.Open(ctx, u, vault(map[string]string{okta.EnvClientID: "0oa-svc"}))
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "PrivateKey", e.Field, "a client id without its key names the key: %v", err)
}
