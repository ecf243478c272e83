package logto_test

import (
	"context"
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryProfileIsLogtos holds memory's like=logto to what this
// backend declares, so that the two cannot drift apart.
func TestMemoryProfileIsLogtos(t *testing.T) {
	ctx := context.Background()
	dir, err := logto.New(ctx, logto.Options{Endpoint: "https://auth.example.com", AppID: "m2m", AppSecret: "s"})
	require.NoError(t, err)
	mem, err := memory.New(ctx, memory.Options{Like: memory.LikeLogto})
	require.NoError(t, err)
	sorted := func(c identity.Capabilities) identity.Capabilities {
		c.Statuses = slices.Sorted(slices.Values(c.Statuses))
		c.PasswordHashes = slices.Sorted(slices.Values(c.PasswordHashes))
		return c
	}
	assert.Equal(t, sorted(dir.Capabilities()), sorted(mem.Capabilities()))
	assert.Equal(t, dir.Constraints(), mem.Constraints())
	k := dir.Constraints()
	require.NoError(t, k.Check())
}
