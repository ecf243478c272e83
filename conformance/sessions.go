package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSessions checks RevokeSessions: it ends every session of the user
// and of no one else, it is idempotent, a missing user is NotFound, and
// bad input is refused unsent.
func testSessions(t *testing.T, h Harness) {
	if !h.Capabilities().RevokeSessions {
		t.Run("Unsupported", func(t *testing.T) { requireUnsupportedOps(t, h, gatesOf("RevokeSessions")) })
		return
	}
	t.Run("Revoke", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("signedin")
		e.signIn(u.ID)
		e.signIn(u.ID)
		require.Equal(t, 2, e.sessions(u.ID), "two sign-ins, two sessions")
		require.NoError(t, e.dir.RevokeSessions(e.ctx, u.ID))
		assert.Zero(t, e.sessions(u.ID), "RevokeSessions ends every session")
	})
	t.Run("RevokeTwice", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("twice")
		e.signIn(u.ID)
		require.NoError(t, e.dir.RevokeSessions(e.ctx, u.ID))
		require.NoError(t, e.dir.RevokeSessions(e.ctx, u.ID), "revoking again, with no session left, succeeds")
		assert.Zero(t, e.sessions(u.ID))
	})
	t.Run("RevokeWithoutSessions", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("nosession"))
		require.NoError(t, e.dir.RevokeSessions(e.ctx, u.ID), "a user who never signed in")
		assert.Equal(t, u.Status, e.get(u.ID).Status, "revoking sessions leaves the status")
	})
	t.Run("OnlyThatUser", func(t *testing.T) {
		e := newEnv(t, h)
		a, b := e.activeUser("a"), e.activeUser("b")
		e.signIn(a.ID)
		e.signIn(b.ID)
		require.NoError(t, e.dir.RevokeSessions(e.ctx, a.ID))
		assert.Zero(t, e.sessions(a.ID))
		assert.Equal(t, 1, e.sessions(b.ID), "another user's session stays")
	})
	t.Run("SignInAgain", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("again")
		e.signIn(u.ID)
		require.NoError(t, e.dir.RevokeSessions(e.ctx, u.ID))
		e.signIn(u.ID)
		assert.Equal(t, 1, e.sessions(u.ID), "revoking is not a lock: the user can sign in again")
	})
	t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "RevokeSessions") })
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.create(e.newUser("victim"))
		e.refuses(t, victim.ID, userIDCalls(e.caps, "RevokeSessions"), badIDs)
	})
}
