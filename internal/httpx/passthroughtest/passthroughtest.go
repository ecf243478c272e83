// Package passthroughtest checks a backend's typed client against its
// emulator for what every backend's Do must refuse: paths that could take
// the credential off the provider's API, methods other than the six, and
// calls whose context has ended, none of which may reach the server.
package passthroughtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// UnsafePaths are paths a typed client's Do refuses with InvalidArgument
// naming "path": each could leave the API root, change the host, or be
// read differently by a server that decodes before it normalizes.
var UnsafePaths = []string{
	"",
	"api/v1/users",
	".evil.example/x",
	"@evil.example/x",
	"https://evil.example/api",
	"http:/evil.example",
	"javascript:alert(1)",
	"//evil.example/api",
	"///evil.example",
	`/\evil.example`,
	`\\evil.example`,
	"/api/../admin",
	"/api/..",
	"/./api",
	"/api/%2e%2e/admin",
	"/api/%2E./admin",
	"/api/..%2fadmin",
	"/api/x%2F..%2F..%2Fadmin",
	"/api/..%5cadmin",
	"/api/..;/admin",
	"/api/x#frag",
	"/api/%zz",
	"/api/a b",
	"/api/a\tb",
	"/api/a\r\nHost: evil.example",
	"/api/a\x00",
	"/api/a\x7f",
	"/api/é",
	"/api?x=%zz",
}

// UnsafeMethods are methods a typed client's Do refuses with
// InvalidArgument naming "method".
var UnsafeMethods = []string{"", "get", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "GET /x"}

// Client is one backend's typed client as Run sees it.
type Client struct {
	// Backend is the backend's name, which every error must carry.
	Backend string
	// Do is the client's Do method.
	Do func(ctx context.Context, method, path string, body, out any) error
	// Path is one the server serves to GET, for the method and context
	// checks.
	Path string
	// Requests returns how many requests the server has received.
	Requests func() int
}

// Run checks that c refuses every unsafe path and method with
// InvalidArgument, Op "Do" and c.Backend, that a call whose context has
// ended returns the context's error, and that none of them reaches the
// server.
func Run(t *testing.T, c Client) {
	t.Helper()
	invalid := func(t *testing.T, err error, field string) {
		t.Helper()
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.InvalidArgument, ie.Code)
		assert.Equal(t, field, ie.Field)
		assert.Equal(t, "Do", ie.Op)
		assert.Equal(t, c.Backend, ie.Backend)
	}
	before := c.Requests()
	for _, p := range UnsafePaths {
		t.Run(fmt.Sprintf("path %q", p), func(t *testing.T) {
			invalid(t, c.Do(context.Background(), "GET", p, nil, nil), "path")
		})
	}
	for _, m := range UnsafeMethods {
		t.Run(fmt.Sprintf("method %q", m), func(t *testing.T) {
			invalid(t, c.Do(context.Background(), m, c.Path, nil, nil), "method")
		})
	}
	t.Run("ended context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Same(t, context.Canceled, c.Do(ctx, "GET", c.Path, nil, nil))
		ctx, cancel = context.WithTimeout(context.Background(), 0)
		defer cancel()
		assert.Equal(t, context.DeadlineExceeded, c.Do(ctx, "POST", c.Path, map[string]string{"a": "b"}, nil))
	})
	assert.Equal(t, before, c.Requests(), "a refused call reached the server")
	require.NoError(t, c.Do(context.Background(), "GET", c.Path, nil, nil), "the path the checks used is served")
	assert.Greater(t, c.Requests(), before, "the server counts requests")
}
