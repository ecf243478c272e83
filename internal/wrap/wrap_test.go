package wrap_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/wrap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWrappedKeepsEveryGroup puts the portable layer over a wrapped
// memory directory: it reports the same capabilities, so that a decorator
// drops none of the groups, and the account-security calls go through.
func TestWrappedKeepsEveryGroup(t *testing.T) {
	ctx := context.Background()
	inner, err := memory.New(ctx, memory.Options{Hash: memory.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	require.NoError(t, err)
	dir := identity.NewDirectory(inner.Backend(), wrap.Backend{Dir: inner})
	assert.Equal(t, inner.Capabilities(), dir.Capabilities())

	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	var a *memory.Actor
	require.True(t, dir.As(&a), "As reaches the inner backend")
	require.NoError(t, a.SignIn(ctx, u.ID))
	f, err := a.AddFactor(ctx, u.ID, identity.Factor{Kind: identity.FactorTOTP})
	require.NoError(t, err)
	require.NoError(t, a.LinkIdentity(ctx, u.ID, identity.LinkedIdentity{Provider: "google", Subject: "1"}))
	_, err = dir.CreateRole(ctx, identity.Role{Name: "admin"})
	require.NoError(t, err)

	require.NoError(t, dir.RevokeSessions(ctx, u.ID))
	n, err := a.Sessions(ctx, u.ID)
	require.NoError(t, err)
	assert.Zero(t, n)
	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.NoError(t, dir.DeleteFactor(ctx, u.ID, f.ID))
	require.NoError(t, dir.ResetFactors(ctx, u.ID))
	ls, err := dir.ListIdentities(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	require.NoError(t, dir.UnlinkIdentity(ctx, u.ID, "google"))
	require.NoError(t, dir.SetRoles(ctx, u.ID, "admin"))
	rs, err := inner.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	has, err := dir.HasPassword(ctx, u.ID)
	require.NoError(t, err)
	assert.False(t, has)
	pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetTemporaryPassword})
	require.NoError(t, err)
	require.NoError(t, inner.VerifyPassword(ctx, u.ID, pr.TemporaryPassword))
	require.NoError(t, dir.DeprovisionUser(ctx, u.ID))
	got, err := inner.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, identity.StatusDeprovisioned, got.Status)
}

// pinging is a backend whose Ping answers err and counts its calls.
type pinging struct {
	wrap.Backend
	err   error
	calls *int
}

func (p pinging) Ping(context.Context) error { *p.calls++; return p.err }

// TestWrappedPings checks that Ping goes to the inner backend's own
// Ping, and its answer comes back, rather than becoming a listing.
func TestWrappedPings(t *testing.T) {
	ctx := context.Background()
	mem, err := memory.New(ctx, memory.Options{})
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		err  error
		want identity.Code
	}{
		{"reachable", nil, identity.Unknown},
		{"refused credentials", &identity.Error{Code: identity.Unauthenticated, Message: "bad token"}, identity.Unauthenticated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			inner := identity.NewDirectory(mem.Backend(), pinging{Backend: wrap.Backend{Dir: mem}, err: tt.err, calls: &calls})
			dir := identity.NewDirectory(inner.Backend(), wrap.Backend{Dir: inner})
			err := dir.Ping(ctx)
			assert.Equal(t, tt.want, identity.CodeOf(err), "%v", err)
			assert.Equal(t, 1, calls, "the inner backend's Ping made the check")
		})
	}
}
