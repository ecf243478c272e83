package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testIdentities checks ListIdentities and UnlinkIdentity: what a user
// linked is listed with its provider and subject, unlinked one provider
// at a time, and nothing of another user's; unlinking again is NotFound
// naming the identity; a missing user is NotFound naming the user; bad
// input is refused unsent.
func testIdentities(t *testing.T, h Harness) {
	c := h.Capabilities()
	if !c.Identities {
		t.Run("Unsupported", func(t *testing.T) {
			requireUnsupportedOps(t, h, gatesOf("ListIdentities", "UnlinkIdentity"))
		})
		return
	}
	if !c.UnlinkIdentity {
		t.Run("UnlinkUnsupported", func(t *testing.T) { requireUnsupportedOps(t, h, gatesOf("UnlinkIdentity")) })
	}
	t.Run("NoneAtFirst", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("nolinks"))
		assert.Empty(t, e.linked(u.ID))
	})
	t.Run("List", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("list")
		g := e.link(u.ID, "google", e.subject("g"))
		gh := e.link(u.ID, "github", e.subject("gh"))
		got := e.linked(u.ID)
		assert.ElementsMatch(t, []string{g + "/" + e.subject("g"), gh + "/" + e.subject("gh")}, got)
	})
	t.Run("ListOnlyTheUsers", func(t *testing.T) {
		e := newEnv(t, h)
		a, b := e.activeUser("a"), e.activeUser("b")
		p := e.link(a.ID, "google", e.subject("a"))
		assert.Equal(t, []string{p + "/" + e.subject("a")}, e.linked(a.ID))
		assert.Empty(t, e.linked(b.ID))
	})
	if !c.UnlinkIdentity {
		t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "ListIdentities") })
		t.Run("BadInput", func(t *testing.T) {
			e := newEnv(t, h)
			victim := e.create(e.newUser("victim"))
			e.refuses(t, victim.ID, userIDCalls(e.caps, "ListIdentities", "UnlinkIdentity"), badIDs)
		})
		return
	}
	t.Run("Unlink", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("unlink")
		g := e.link(u.ID, "google", e.subject("g"))
		gh := e.link(u.ID, "github", e.subject("gh"))
		require.NoError(t, e.dir.UnlinkIdentity(e.ctx, u.ID, g))
		assert.Equal(t, []string{gh + "/" + e.subject("gh")}, e.linked(u.ID), "only that provider's link goes")
		requireMissing(t, e.dir.UnlinkIdentity(e.ctx, u.ID, g), "identity", "", "unlinking again")
	})
	t.Run("UnlinkMissing", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("nolink"))
		requireMissing(t, e.dir.UnlinkIdentity(e.ctx, u.ID, missingProvider), "identity", "")
	})
	t.Run("UnlinkAnotherUsers", func(t *testing.T) {
		e := newEnv(t, h)
		owner, other := e.activeUser("owner"), e.create(e.newUser("other"))
		p := e.link(owner.ID, "google", e.subject("o"))
		requireMissing(t, e.dir.UnlinkIdentity(e.ctx, other.ID, p), "identity", "", "a link is the user's own")
		assert.Equal(t, []string{p + "/" + e.subject("o")}, e.linked(owner.ID))
	})
	t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "ListIdentities", "UnlinkIdentity") })
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.activeUser("victim")
		if a, ok := h.(Actor); ok {
			// A link to keep, so that a refused unlink could be seen.
			_, _ = a.LinkIdentity(e.ctx, e.dir, victim.ID, "google", e.subject("victim"))
		}
		calls := append(userIDCalls(e.caps, "ListIdentities", "UnlinkIdentity"),
			badCall{"UnlinkIdentity/provider", func(e *env, victim, v string) error { return e.dir.UnlinkIdentity(e.ctx, victim, v) }, identity.InvalidArgument})
		e.refuses(t, victim.ID, calls, badIDs)
	})
}
