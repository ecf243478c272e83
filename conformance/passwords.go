package conformance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	wrongPassword identity.Secret = "Wr0ng-Password-Entirely!"
	newPassword   identity.Secret = "N3w-Passw0rd-For-Real!"
)

// requireNoSecret fails if err's text or formatted forms hold a password.
func requireNoSecret(t *testing.T, err error, secrets ...identity.Secret) {
	t.Helper()
	if err == nil {
		return
	}
	for _, form := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		for _, s := range secrets {
			require.False(t, strings.Contains(form, string(s)), "a password appears in an error: %s", form)
		}
	}
}

func testPasswords(t *testing.T, h Harness) {
	c := h.Capabilities()
	t.Run("Unsupported", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("unsup"))
		ops := []struct {
			name      string
			supported bool
			call      func() error
		}{
			{"SetPassword", c.SetPassword, func() error { return e.dir.SetPassword(e.ctx, u.ID, password) }},
			{"VerifyPassword", c.VerifyPassword, func() error { return e.dir.VerifyPassword(e.ctx, u.ID, password) }},
			{"ChangePassword", c.ChangePassword, func() error { return e.dir.ChangePassword(e.ctx, u.ID, password, newPassword) }},
			{"ExpirePassword", c.ExpirePassword, func() error { return e.dir.ExpirePassword(e.ctx, u.ID) }},
		}
		n := 0
		for _, op := range ops {
			if op.supported {
				continue
			}
			n++
			err := op.call()
			requireCode(t, err, identity.Unsupported, op.name)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, op.name, ie.Field, "the error names the operation")
		}
		if n == 0 {
			t.Skip("every password operation is supported")
		}
	})
	if !c.SetPassword || !c.VerifyPassword {
		return
	}
	t.Run("SetAndVerify", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("sv"))
		require.NoError(t, e.dir.SetPassword(e.ctx, u.ID, newPassword))
		require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, newPassword))
		err := e.dir.VerifyPassword(e.ctx, u.ID, wrongPassword)
		requireCode(t, err, identity.InvalidCredentials)
		requireNoSecret(t, err, wrongPassword, newPassword)
	})
	t.Run("SetActivates", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(identity.NewUser{Email: e.email("nopw")})
		require.NoError(t, e.dir.SetPassword(e.ctx, u.ID, password))
		assert.Equal(t, identity.StatusActive, e.get(u.ID).Status)
	})
	t.Run("VerifyWithoutPassword", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(identity.NewUser{Email: e.email("nopw")})
		requireCode(t, e.dir.VerifyPassword(e.ctx, u.ID, password), identity.InvalidCredentials)
	})
	t.Run("Change", func(t *testing.T) {
		e := newEnv(t, h)
		if !c.ChangePassword {
			t.Skip("Unsupported checks ChangePassword")
		}
		nu := e.newUser("ch")
		nu.Password = password
		u := e.create(nu)
		err := e.dir.ChangePassword(e.ctx, u.ID, wrongPassword, newPassword)
		requireCode(t, err, identity.InvalidCredentials, "a wrong old password")
		requireNoSecret(t, err, wrongPassword, newPassword)
		require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, password), "a refused change keeps the password")
		require.NoError(t, e.dir.ChangePassword(e.ctx, u.ID, password, newPassword))
		require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, newPassword))
		requireCode(t, e.dir.VerifyPassword(e.ctx, u.ID, password), identity.InvalidCredentials)
	})
	t.Run("Expire", func(t *testing.T) {
		e := newEnv(t, h)
		if !c.ExpirePassword {
			t.Skip("Unsupported checks ExpirePassword")
		}
		nu := e.newUser("exp")
		nu.Password = password
		u := e.create(nu)
		require.NoError(t, e.dir.ExpirePassword(e.ctx, u.ID))
		assert.Equal(t, identity.StatusActive, e.get(u.ID).Status, "an expired password does not change the portable status")
		require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, password), "an expired password still matches")
		requireCode(t, e.dir.VerifyPassword(e.ctx, u.ID, wrongPassword), identity.InvalidCredentials)
	})
	t.Run("NotFound", func(t *testing.T) {
		e := newEnv(t, h)
		requireCode(t, e.dir.SetPassword(e.ctx, missingID, password), identity.NotFound, "SetPassword")
		requireCode(t, e.dir.VerifyPassword(e.ctx, missingID, password), identity.NotFound, "VerifyPassword")
		if c.ChangePassword {
			requireCode(t, e.dir.ChangePassword(e.ctx, missingID, password, newPassword), identity.NotFound, "ChangePassword")
		}
		if c.ExpirePassword {
			requireCode(t, e.dir.ExpirePassword(e.ctx, missingID), identity.NotFound, "ExpirePassword")
		}
	})
}
