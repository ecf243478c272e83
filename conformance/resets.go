package conformance

import (
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPasswordResets checks ResetPassword: each supported kind gives its
// own secret only, which never shows when printed; the default kind is a
// link where links are supported; a temporary password is the user's
// password; each reset is new; a kind the backend lacks is Unsupported
// naming ResetOptions.Kind and an unknown one InvalidArgument, both
// unsent; a missing user is NotFound naming the user; bad input is
// refused unsent.
func testPasswordResets(t *testing.T, h Harness) {
	c := h.Capabilities()
	if !c.ResetPasswordLink && !c.ResetPasswordTemporary {
		t.Run("Unsupported", func(t *testing.T) { requireUnsupportedOps(t, h, gatesOf("ResetPassword")) })
		return
	}
	reset := func(e *env, id string, kind identity.ResetKind) *identity.PasswordReset {
		e.t.Helper()
		pr, err := e.dir.ResetPassword(e.ctx, id, identity.ResetOptions{Kind: kind})
		require.NoError(e.t, err, "ResetPassword %q", kind)
		require.NotNil(e.t, pr)
		requireSecretHidden(e.t, pr, pr.Link, pr.TemporaryPassword)
		requireSecretHidden(e.t, *pr, pr.Link, pr.TemporaryPassword)
		if !pr.ExpiresAt.IsZero() {
			assert.True(e.t, pr.ExpiresAt.After(time.Now().Add(-time.Minute)), "a new reset has not expired: %v", pr.ExpiresAt)
		}
		return pr
	}
	for kind, on := range map[identity.ResetKind]bool{identity.ResetLink: c.ResetPasswordLink, identity.ResetTemporaryPassword: c.ResetPasswordTemporary} {
		if on {
			continue
		}
		t.Run("KindUnsupported/"+string(kind), func(t *testing.T) {
			e := newEnv(t, h)
			u := e.activeUser("unsup")
			err := e.requireNoRequest("ResetPassword "+string(kind), func() error {
				_, err := e.dir.ResetPassword(e.ctx, u.ID, identity.ResetOptions{Kind: kind})
				return err
			})
			requireUnsupported(t, err, "ResetPassword", "ResetOptions.Kind")
		})
	}
	t.Run("Default", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("default")
		want := identity.ResetLink
		if !c.ResetPasswordLink {
			want = identity.ResetTemporaryPassword
		}
		assert.Equal(t, want, reset(e, u.ID, "").Kind, "the default kind is a link where links are supported")
	})
	if c.ResetPasswordLink {
		t.Run("Link", func(t *testing.T) {
			e := newEnv(t, h)
			u := e.activeUser("link")
			pr := reset(e, u.ID, identity.ResetLink)
			assert.Equal(t, identity.ResetLink, pr.Kind)
			assert.NotEmpty(t, pr.Link)
			assert.Empty(t, pr.TemporaryPassword, "a link reset has no password")
			again := reset(e, u.ID, identity.ResetLink)
			assert.NotEqual(t, string(pr.Link), string(again.Link), "each reset makes a new link")
		})
	}
	if c.ResetPasswordTemporary {
		t.Run("Temporary", func(t *testing.T) {
			e := newEnv(t, h)
			nu := e.newUser("temp")
			if c.SetPassword {
				nu.Password = password
			}
			u := e.create(nu)
			pr := reset(e, u.ID, identity.ResetTemporaryPassword)
			assert.Equal(t, identity.ResetTemporaryPassword, pr.Kind)
			assert.NotEmpty(t, pr.TemporaryPassword)
			assert.Empty(t, pr.Link, "a temporary password comes without a link")
			assert.Equal(t, u.Status, e.get(u.ID).Status, "a temporary password does not change the portable status")
			if c.VerifyPassword {
				require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, pr.TemporaryPassword), "the temporary password is the user's")
				if c.SetPassword {
					requireCode(t, e.dir.VerifyPassword(e.ctx, u.ID, password), identity.InvalidCredentials, "the old password is replaced")
				}
			}
			if c.HasPassword {
				has, err := e.dir.HasPassword(e.ctx, u.ID)
				require.NoError(t, err)
				assert.True(t, has)
			}
			again := reset(e, u.ID, identity.ResetTemporaryPassword)
			assert.NotEqual(t, string(pr.TemporaryPassword), string(again.TemporaryPassword), "each reset makes a new password")
		})
	}
	t.Run("NotFound", func(t *testing.T) { missingUserCalls(t, h, "ResetPassword") })
	t.Run("UnknownKind", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("kind")
		err := e.requireNoRequest("ResetPassword with an unknown kind", func() error {
			_, err := e.dir.ResetPassword(e.ctx, u.ID, identity.ResetOptions{Kind: "carrier_pigeon"})
			return err
		})
		requireCode(t, err, identity.InvalidArgument)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "ResetOptions.Kind", ie.Field)
	})
	t.Run("BadInput", func(t *testing.T) {
		e := newEnv(t, h)
		victim := e.activeUser("victim")
		e.refuses(t, victim.ID, userIDCalls(e.caps, "ResetPassword"), badIDs)
	})
}
