package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testLifecycle(t *testing.T, h Harness) {
	t.Run("Suspend", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("s")
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID))
		got := e.get(u.ID)
		assert.Equal(t, identity.StatusSuspended, got.Status)
		assert.NotEmpty(t, got.NativeStatus)
	})
	t.Run("SuspendIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("s2")
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID))
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID), "suspending a suspended user succeeds")
		assert.Equal(t, identity.StatusSuspended, e.get(u.ID).Status)
	})
	t.Run("ActivateFromSuspended", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("a")
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID))
		require.NoError(t, e.dir.ActivateUser(e.ctx, u.ID))
		assert.Equal(t, identity.StatusActive, e.get(u.ID).Status)
	})
	t.Run("ActivateIdempotent", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("a2")
		require.NoError(t, e.dir.ActivateUser(e.ctx, u.ID), "activating an active user succeeds")
		require.NoError(t, e.dir.ActivateUser(e.ctx, u.ID))
		assert.Equal(t, identity.StatusActive, e.get(u.ID).Status)
	})
	t.Run("ActivateFromPending", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.PendingCreate {
			t.Skip("no pending users can be made: Create/Pending checks Unsupported")
		}
		nu := e.newUser("p")
		nu.Status = identity.StatusPending
		u := e.create(nu)
		require.NoError(t, e.dir.ActivateUser(e.ctx, u.ID))
		assert.Equal(t, identity.StatusActive, e.get(u.ID).Status)
	})
	t.Run("SuspendPending", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.PendingCreate {
			t.Skip("no pending users can be made: Create/Pending checks Unsupported")
		}
		nu := e.newUser("sp")
		nu.Status = identity.StatusPending
		u := e.create(nu)
		requireCode(t, e.dir.SuspendUser(e.ctx, u.ID), identity.FailedPrecondition, "a pending user cannot be suspended")
		assert.Equal(t, identity.StatusPending, e.get(u.ID).Status, "a refused transition changes nothing")
	})
	t.Run("SuspendNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		requireCode(t, e.dir.SuspendUser(e.ctx, missingID), identity.NotFound)
	})
	t.Run("ActivateNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		requireCode(t, e.dir.ActivateUser(e.ctx, missingID), identity.NotFound)
	})
	t.Run("SuspendKeepsData", func(t *testing.T) {
		e := newEnv(t, h)
		nu := e.newUser("keep")
		if e.caps.Metadata {
			nu.Metadata = map[string]any{"plan": "pro"}
		}
		u := e.create(nu)
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID))
		require.NoError(t, e.dir.ActivateUser(e.ctx, u.ID))
		got := e.get(u.ID)
		assert.Equal(t, u.Email, got.Email)
		assert.Equal(t, normalize(u.Metadata), normalize(got.Metadata))
	})
}
