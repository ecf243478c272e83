package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idport/identity"
)

// TestOpenSettingsSecret: a credential comes from the secrets lookup
// first, then from the environment WithEnvironment gives, and from the
// process's only without one.
func TestOpenSettingsSecret(t *testing.T) {
	ctx := context.Background()
	t.Setenv("IDENTITY_TEST_SECRET", "from the process")
	vault := func(_ context.Context, name string) (identity.Secret, error) {
		if name == "IN_VAULT" {
			return "from the vault", nil
		}
		return "", nil
	}
	env := func(name string) string {
		if name == "IDENTITY_TEST_SECRET" {
			return "from the given environment"
		}
		return ""
	}
	apply := func(opts ...identity.OpenOption) identity.OpenSettings {
		var s identity.OpenSettings
		for _, o := range opts {
			o(&s)
		}
		return s
	}
	for _, tc := range []struct {
		name     string
		settings identity.OpenSettings
		secret   string
		want     identity.Secret
	}{
		{"the vault first", apply(identity.WithSecrets(vault), identity.WithEnvironment(env)), "IN_VAULT", "from the vault"},
		{"then the given environment", apply(identity.WithSecrets(vault), identity.WithEnvironment(env)), "IDENTITY_TEST_SECRET", "from the given environment"},
		{"never the process's beside a given one", apply(identity.WithEnvironment(func(string) string { return "" })), "IDENTITY_TEST_SECRET", ""},
		{"the process's without one", apply(identity.WithSecrets(vault)), "IDENTITY_TEST_SECRET", "from the process"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.settings.Secret(ctx, tc.secret)
			assert.NoError(t, err)
			assert.Equal(t, string(tc.want), string(got))
		})
	}

	failing := apply(identity.WithSecrets(func(context.Context, string) (identity.Secret, error) { return "", errors.New("vault sealed") }))
	_, err := failing.Secret(ctx, "IDENTITY_TEST_SECRET")
	assert.Equal(t, identity.Unavailable, identity.CodeOf(err), "a failed lookup is not answered from the environment")
}
