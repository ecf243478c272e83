package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuickstartOnMemory(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, ""))
	for _, want := range []string{"opened memory://", "created user", "assigned role", "suspended: status suspended", "reactivated: status active", "password verified", "listed", "deleted user"} {
		require.Contains(t, out.String(), want)
	}
}

func TestQuickstartBadURL(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, "nosuch://x")
	require.ErrorContains(t, err, "no backend registered")
}
