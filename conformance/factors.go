package conformance

import (
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testFactors checks ListFactors, DeleteFactor and ResetFactors: what a
// user enrolled is listed, deleted one at a time or all at once, and
// nothing of another user's; deleting a deleted factor is NotFound naming
// the factor; resetting a user without factors succeeds; a missing user
// is NotFound naming the user; bad input is refused unsent.
func testFactors(t *testing.T, h Harness) {
	if !h.Capabilities().Factors {
		t.Run("Unsupported", func(t *testing.T) {
			requireUnsupportedOps(t, h, gatesOf("ListFactors", "DeleteFactor", "ResetFactors"))
		})
		return
	}
	t.Run("NoneAtFirst", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("nofactors"))
		assert.Empty(t, e.factorIDs(u.ID), "a new user has no factor")
	})
	t.Run("List", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("list")
		for _, kind := range []identity.FactorKind{identity.FactorTOTP, identity.FactorWebAuthn, identity.FactorSMS} {
			t.Run(string(kind), func(t *testing.T) {
				e := e.sub(t)
				id := e.addFactor(u.ID, kind)
				fs, err := e.dir.ListFactors(e.ctx, u.ID)
				require.NoError(t, err)
				var got *identity.Factor
				for _, f := range fs {
					if f.ID == id {
						got = f
					}
				}
				require.NotNil(t, got, "the enrolled factor %s is listed among %d", id, len(fs))
				assert.Equal(t, kind, got.Kind)
				assert.NotEmpty(t, got.ProviderType, "the provider's own word for the type")
			})
		}
	})
	t.Run("Delete", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("delete")
		two := e.addFactors(u.ID, 2)
		a, b := two[0], two[1]
		require.NoError(t, e.dir.DeleteFactor(e.ctx, u.ID, a))
		assert.Equal(t, []string{b}, e.factorIDs(u.ID), "only the deleted factor goes")
		requireMissing(t, e.dir.DeleteFactor(e.ctx, u.ID, a), "factor", "", "deleting a deleted factor")
	})
	t.Run("DeleteMissingFactor", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("nofactor"))
		requireMissing(t, e.dir.DeleteFactor(e.ctx, u.ID, missingFactorID), "factor", "")
	})
	t.Run("DeleteAnotherUsersFactor", func(t *testing.T) {
		e := newEnv(t, h)
		owner, other := e.activeUser("owner"), e.create(e.newUser("other"))
		id := e.addFactors(owner.ID, 1)[0]
		requireMissing(t, e.dir.DeleteFactor(e.ctx, other.ID, id), "factor", "", "a factor is the user's own")
		assert.Equal(t, []string{id}, e.factorIDs(owner.ID), "the owner keeps it")
	})
	t.Run("Reset", func(t *testing.T) {
		e := newEnv(t, h)
		u, other := e.activeUser("reset"), e.activeUser("keeps")
		e.addFactors(u.ID, 2)
		kept := e.addFactors(other.ID, 1)[0]
		require.NoError(t, e.dir.ResetFactors(e.ctx, u.ID))
		assert.Empty(t, e.factorIDs(u.ID), "ResetFactors removes every factor")
		assert.Equal(t, []string{kept}, e.factorIDs(other.ID), "and none of another user's")
		require.NoError(t, e.dir.ResetFactors(e.ctx, u.ID), "resetting again, with none left, succeeds")
	})
	t.Run("ResetWithoutFactors", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("none"))
		require.NoError(t, e.dir.ResetFactors(e.ctx, u.ID))
		assert.Empty(t, e.factorIDs(u.ID))
	})
	t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "ListFactors", "DeleteFactor", "ResetFactors") })
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.activeUser("victim")
		factor := ""
		if _, ok := h.(Actor); ok {
			if id, err := h.(Actor).AddFactor(e.ctx, e.dir, victim.ID, identity.FactorTOTP); err == nil {
				factor = id // so that a refused call could be seen deleting it
			}
		}
		calls := append(userIDCalls(e.caps, "ListFactors", "DeleteFactor", "ResetFactors"),
			badCall{"DeleteFactor/factorID", func(e *env, victim, v string) error { return e.dir.DeleteFactor(e.ctx, victim, v) }, identity.InvalidArgument})
		e.refuses(t, victim.ID, calls, badIDs)
		if factor != "" {
			assert.Equal(t, []string{factor}, e.factorIDs(victim.ID))
		}
	})
}
