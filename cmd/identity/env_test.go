package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
)

func TestSideEnv(t *testing.T) {
	env := map[string]string{
		"OKTA_API_TOKEN":     "plain",
		"SRC_OKTA_API_TOKEN": "source",
		"LOGTO_M2M_APP_ID":   "plain-app",
	}
	getenv := func(k string) string { return env[k] }

	src := sideEnv(getenv, srcPrefix, true)
	dst := sideEnv(getenv, dstPrefix, true)
	assert.Equal(t, "source", src("OKTA_API_TOKEN"), "the prefixed name first")
	assert.Equal(t, "plain", dst("OKTA_API_TOKEN"), "then the plain one, between different kinds")
	assert.Equal(t, "plain-app", src("LOGTO_M2M_APP_ID"))

	src = sideEnv(getenv, srcPrefix, false)
	dst = sideEnv(getenv, dstPrefix, false)
	assert.Equal(t, "source", src("OKTA_API_TOKEN"))
	assert.Empty(t, dst("OKTA_API_TOKEN"), "between two of a kind, a plain name serves neither side")
	assert.Empty(t, src("LOGTO_M2M_APP_ID"))
}

func TestScheme(t *testing.T) {
	assert.Equal(t, "okta", scheme("OKTA://dev-1.okta.com"))
	assert.Equal(t, "memory", scheme("memory://"))
	assert.Empty(t, scheme("dev-1.okta.com"))
	assert.Empty(t, scheme("%zz://x"))
}

// TestOpenURLEnvironment: a backend sees the variables getenv gives, not
// the process's, which stay as they were.
func TestOpenURLEnvironment(t *testing.T) {
	t.Setenv(okta.EnvAPIToken, "from-the-process")
	ctx := t.Context()

	_, err := openURL(ctx, "okta://dev-1.okta.com", func(string) string { return "" })
	require.Error(t, err)
	assert.Equal(t, identity.InvalidArgument, identity.CodeOf(err), "no token reached the backend: %v", err)
	assert.Equal(t, "from-the-process", os.Getenv(okta.EnvAPIToken), "put back")

	os.Unsetenv(okta.EnvAPIToken)
	dir, err := openURL(ctx, "okta://dev-1.okta.com", func(k string) string {
		if k == okta.EnvAPIToken {
			return "given"
		}
		return ""
	})
	require.NoError(t, err)
	dir.Close()
	_, set := os.LookupEnv(okta.EnvAPIToken)
	assert.False(t, set, "the process's environment is not touched")
}
