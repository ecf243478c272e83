package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testHasPassword checks HasPassword: false for a user created without a
// password, true with one and after SetPassword; a missing user is
// NotFound naming the user; bad input is refused unsent.
func testHasPassword(t *testing.T, h Harness) {
	c := h.Capabilities()
	if !c.HasPassword {
		t.Run("Unsupported", func(t *testing.T) { requireUnsupportedOps(t, h, gatesOf("HasPassword")) })
		return
	}
	has := func(e *env, id string) bool {
		e.t.Helper()
		ok, err := e.dir.HasPassword(e.ctx, id)
		require.NoError(e.t, err, "HasPassword")
		return ok
	}
	t.Run("Without", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(identity.NewUser{Email: e.email("nopw")})
		assert.False(t, has(e, u.ID), "a user created without a password has none")
	})
	if c.SetPassword {
		t.Run("AtCreation", func(t *testing.T) {
			e := newEnv(t, h)
			nu := e.newUser("pw")
			nu.Password = password
			u := e.create(nu)
			assert.True(t, has(e, u.ID))
		})
		t.Run("AfterSetPassword", func(t *testing.T) {
			e := newEnv(t, h)
			u := e.create(identity.NewUser{Email: e.email("later")})
			require.NoError(t, e.dir.SetPassword(e.ctx, u.ID, password))
			assert.True(t, has(e, u.ID))
		})
	}
	if c.SetPassword && c.ExpirePassword {
		t.Run("Expired", func(t *testing.T) {
			e := newEnv(t, h)
			nu := e.newUser("expired")
			nu.Password = password
			u := e.create(nu)
			require.NoError(t, e.dir.ExpirePassword(e.ctx, u.ID))
			assert.True(t, has(e, u.ID), "an expired password is still a password")
		})
	}
	t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "HasPassword") })
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.create(e.newUser("victim"))
		e.refuses(t, victim.ID, userIDCalls(e.caps, "HasPassword"), badIDs)
	})
}
