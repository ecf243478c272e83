package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOrganizationsOnMemory(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, ""))
	for _, want := range []string{
		"created organization Acme", "created organization Globex", "ada and grace are members of both",
		"ada at Acme: admin (may invite:members, read:docs, write:docs)",
		"ada at Globex: viewer (may read:docs)",
		"grace at Acme: viewer (may read:docs)",
		"grace at Globex: admin (may invite:members, read:docs, write:docs)",
	} {
		require.Contains(t, out.String(), want)
	}
}

func TestOrganizationsNeedTheCapability(t *testing.T) {
	t.Setenv("PASSAGE_API_KEY", "key")
	var out bytes.Buffer
	err := run(context.Background(), &out, "passage://app1?base_url=http://127.0.0.1:1/v1")
	require.ErrorContains(t, err, "has no organizations")
}
