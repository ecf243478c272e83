package backendtest

import (
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SameDeclarations holds a memory profile to the backend it is like: the
// same Capabilities (lists compared as sets) and the same Constraints,
// which must themselves be consistent, so that the two cannot drift
// apart.
func SameDeclarations(t *testing.T, backend, profile *identity.Directory) {
	t.Helper()
	sorted := func(c identity.Capabilities) identity.Capabilities {
		c.Statuses = slices.Sorted(slices.Values(c.Statuses))
		c.PasswordHashes = slices.Sorted(slices.Values(c.PasswordHashes))
		return c
	}
	assert.Equal(t, sorted(backend.Capabilities()), sorted(profile.Capabilities()), "Capabilities")
	assert.Equal(t, backend.Constraints(), profile.Constraints(), "Constraints")
	k := backend.Constraints()
	require.NoError(t, k.Check())
}
