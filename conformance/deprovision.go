package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDeprovision checks DeprovisionUser: the user becomes
// Deprovisioned and stays readable and listable by that status, the call
// is idempotent, it works from Suspended too, ActivateUser brings the
// user back with its data; a missing user is NotFound; bad input is
// refused unsent.
func testDeprovision(t *testing.T, h Harness) {
	if !h.Capabilities().Deprovision {
		t.Run("Unsupported", func(t *testing.T) {
			requireUnsupportedOps(t, h, gatesOf("DeprovisionUser"))
			e := newEnv(t, h)
			u := e.create(e.newUser("stays"))
			requireCode(t, e.dir.DeprovisionUser(e.ctx, u.ID), identity.Unsupported)
			assert.Equal(t, u.Status, e.get(u.ID).Status, "a refused call changes nothing")
		})
		return
	}
	t.Run("Deprovision", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("leaver")
		require.NoError(t, e.dir.DeprovisionUser(e.ctx, u.ID))
		got := e.get(u.ID)
		assert.Equal(t, identity.StatusDeprovisioned, got.Status, "the record stays, deprovisioned")
		assert.NotEmpty(t, got.NativeStatus)
		assert.Equal(t, []string{u.ID}, ids(e.listTagged(identity.ListOptions{Status: identity.StatusDeprovisioned})))
		assert.Empty(t, e.listTagged(identity.ListOptions{Status: identity.StatusActive}))
	})
	t.Run("Idempotent", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("twice")
		require.NoError(t, e.dir.DeprovisionUser(e.ctx, u.ID))
		require.NoError(t, e.dir.DeprovisionUser(e.ctx, u.ID), "deprovisioning a deprovisioned user succeeds")
		assert.Equal(t, identity.StatusDeprovisioned, e.get(u.ID).Status)
	})
	t.Run("FromSuspended", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("suspended")
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID))
		require.NoError(t, e.dir.DeprovisionUser(e.ctx, u.ID))
		assert.Equal(t, identity.StatusDeprovisioned, e.get(u.ID).Status)
	})
	t.Run("Activate", func(t *testing.T) {
		e := newEnv(t, h)
		nu := e.newUser("back")
		if e.caps.Metadata {
			nu.Metadata = map[string]any{"plan": "pro"}
		}
		u := e.create(nu)
		require.NoError(t, e.dir.DeprovisionUser(e.ctx, u.ID))
		err := e.dir.ActivateUser(e.ctx, u.ID)
		if err != nil && e.caps.PendingUntilPassword && e.caps.SetPassword {
			// A provider that deletes the password on deprovisioning
			// (Okta) brings the user back pending, and says so; a
			// password then makes it active.
			requireCode(t, err, identity.FailedPrecondition, "ActivateUser of a deprovisioned user whose password went with it")
			assert.Equal(t, identity.StatusPending, e.get(u.ID).Status)
			require.NoError(t, e.dir.SetPassword(e.ctx, u.ID, password))
		} else {
			require.NoError(t, err, "ActivateUser brings a deprovisioned user back")
		}
		got := e.get(u.ID)
		assert.Equal(t, identity.StatusActive, got.Status)
		assert.Equal(t, u.Email, got.Email)
		assert.Equal(t, normalize(u.Metadata), normalize(got.Metadata))
	})
	t.Run("SuspendDeprovisioned", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("nosuspend")
		require.NoError(t, e.dir.DeprovisionUser(e.ctx, u.ID))
		requireCode(t, e.dir.SuspendUser(e.ctx, u.ID), identity.FailedPrecondition, "a deprovisioned user cannot be suspended")
		assert.Equal(t, identity.StatusDeprovisioned, e.get(u.ID).Status)
	})
	t.Run("NotFound", func(t *testing.T) {
		e := newEnv(t, h)
		requireCode(t, e.dir.DeprovisionUser(e.ctx, missingID), identity.NotFound)
	})
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.activeUser("victim")
		e.refuses(t, victim.ID, userIDCalls(e.caps, "DeprovisionUser"), badIDs)
	})
}
