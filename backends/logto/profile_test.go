package logto_test

import (
	"context"
	"testing"

	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/backendtest"
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
	backendtest.SameDeclarations(t, dir, mem)
}
