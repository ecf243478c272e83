package identity_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listsOne is a backend without driver.Pinger that records the options
// of each listing.
type listsOne struct {
	*counting
	opts []identity.ListOptions
}

func (l *listsOne) ListUsers(ctx context.Context, o identity.ListOptions, cursor string) (*identity.UserPage, error) {
	l.opts = append(l.opts, o)
	return l.counting.ListUsers(ctx, o, cursor)
}

func TestPingWithoutPingerListsOneUser(t *testing.T) {
	ctx := context.Background()
	b := &listsOne{counting: &counting{caps: all}}
	d := identity.NewDirectory("test", b)
	require.NoError(t, d.Ping(ctx))
	assert.Equal(t, []identity.ListOptions{{PageSize: 1}}, b.opts)

	b.err = &identity.Error{Code: identity.Unauthenticated, HTTPStatus: 401}
	err := d.Ping(ctx)
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.Unauthenticated, e.Code)
	assert.Equal(t, "Ping", e.Op)
	assert.Equal(t, "test", e.Backend)
	assert.Equal(t, 500, identity.HTTPStatus(err), "the backend's credentials are the server's to fix")

	b.err = nil
	require.NoError(t, d.Close())
	assert.ErrorIs(t, d.Ping(ctx), identity.ErrClosed)
}

func TestPingMemory(t *testing.T) {
	ctx := context.Background()
	dir, err := identity.Open(ctx, "memory://")
	require.NoError(t, err)
	defer dir.Close()
	assert.NoError(t, dir.Ping(ctx))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.Equal(t, context.Canceled, dir.Ping(cctx))
}
