package memory_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/oteltest"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newSecured returns a directory on clk, its Actor, and an active user
// with a password.
func newSecured(t *testing.T, clk *clock) (*identity.Directory, *memory.Actor, *identity.User) {
	t.Helper()
	o := cheap
	if clk != nil {
		o.Now = clk.now
	}
	dir, err := memory.New(context.Background(), o)
	require.NoError(t, err)
	var a *memory.Actor
	require.True(t, dir.As(&a), "a memory directory hands out its Actor")
	u, err := dir.CreateUser(context.Background(), identity.NewUser{Email: "ada@example.com", Password: "Old-Passw0rd!"})
	require.NoError(t, err)
	return dir, a, u
}

func TestResetLinkWorksOnce(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	dir, a, u := newSecured(t, clk)
	require.NoError(t, a.SignIn(ctx, u.ID))
	pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(pr.Link), memory.ResetLinkPrefix))
	assert.Equal(t, clk.now().Add(memory.ResetLinkLifetime), pr.ExpiresAt)
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "Old-Passw0rd!"), "a link leaves the password working until it is used")

	require.NoError(t, a.CompletePasswordReset(ctx, pr.Link, "New-Passw0rd!"))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "New-Passw0rd!"))
	assert.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "Old-Passw0rd!"), identity.ErrInvalidCredentials)
	n, err := a.Sessions(ctx, u.ID)
	require.NoError(t, err)
	assert.Zero(t, n, "a completed reset signs the user out")

	err = a.CompletePasswordReset(ctx, pr.Link, "Third-Passw0rd!")
	assert.ErrorIs(t, err, identity.ErrInvalidCredentials, "a link works once")
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "New-Passw0rd!"))
}

func TestResetLinkRefused(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(t *testing.T, dir *identity.Directory, a *memory.Actor, clk *clock, u *identity.User) identity.Secret{
		"replaced": func(t *testing.T, dir *identity.Directory, _ *memory.Actor, _ *clock, u *identity.User) identity.Secret {
			first, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			_, err = dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			return first.Link
		},
		"replaced by a temporary password": func(t *testing.T, dir *identity.Directory, _ *memory.Actor, _ *clock, u *identity.User) identity.Secret {
			first, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			_, err = dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetTemporaryPassword})
			require.NoError(t, err)
			return first.Link
		},
		"expired": func(t *testing.T, dir *identity.Directory, _ *memory.Actor, clk *clock, u *identity.User) identity.Secret {
			pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			clk.add(memory.ResetLinkLifetime)
			return pr.Link
		},
		"user deleted": func(t *testing.T, dir *identity.Directory, _ *memory.Actor, _ *clock, u *identity.User) identity.Secret {
			pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			require.NoError(t, dir.DeleteUser(ctx, u.ID))
			return pr.Link
		},
		"user deprovisioned": func(t *testing.T, dir *identity.Directory, _ *memory.Actor, _ *clock, u *identity.User) identity.Secret {
			pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			require.NoError(t, dir.DeprovisionUser(ctx, u.ID))
			return pr.Link
		},
		"never made": func(*testing.T, *identity.Directory, *memory.Actor, *clock, *identity.User) identity.Secret {
			return memory.ResetLinkPrefix + "bm90LWEtdG9rZW4"
		},
		"another scheme": func(t *testing.T, dir *identity.Directory, _ *memory.Actor, _ *clock, u *identity.User) identity.Secret {
			pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetLink})
			require.NoError(t, err)
			return identity.Secret(strings.Replace(string(pr.Link), "memory://", "https://", 1))
		},
		"prefix only": func(*testing.T, *identity.Directory, *memory.Actor, *clock, *identity.User) identity.Secret {
			return memory.ResetLinkPrefix
		},
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			dir, a, u := newSecured(t, clk)
			link := make(t, dir, a, clk, u)
			err := a.CompletePasswordReset(ctx, link, "New-Passw0rd!")
			require.ErrorIs(t, err, identity.ErrInvalidCredentials)
			if token := strings.TrimPrefix(string(link), memory.ResetLinkPrefix); token != "" {
				assert.NotContains(t, err.Error(), token, "the error does not show the link")
			}
			if _, gerr := dir.GetUser(ctx, u.ID); gerr == nil {
				assert.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "New-Passw0rd!"), identity.ErrInvalidCredentials, "nothing was set")
			}
		})
	}
}

func TestTemporaryPassword(t *testing.T) {
	ctx := context.Background()
	dir, _, u := newSecured(t, nil)
	seen := map[identity.Secret]bool{}
	for range 50 {
		pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetTemporaryPassword})
		require.NoError(t, err)
		pw := string(pr.TemporaryPassword)
		require.Len(t, pw, 20)
		for _, class := range []string{"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "-_.!#%"} {
			require.True(t, strings.ContainsAny(pw, class), "a temporary password has one of %q", class)
		}
		require.False(t, seen[pr.TemporaryPassword], "temporary passwords repeat")
		seen[pr.TemporaryPassword] = true
		assert.True(t, pr.ExpiresAt.IsZero(), "memory's temporary passwords do not expire by time")
	}
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "password_expired", got.NativeStatus, "the temporary password must be changed")
	assert.Equal(t, identity.StatusActive, got.Status)
	require.NoError(t, dir.SetPassword(ctx, u.ID, "Chosen-Passw0rd!"))
	got, err = dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "active", got.NativeStatus, "a chosen password ends the expiry")
}

func TestResetRefusedForStatus(t *testing.T) {
	ctx := context.Background()
	for name, to := range map[string]func(dir *identity.Directory, id string) error{
		"suspended":     func(dir *identity.Directory, id string) error { return dir.SuspendUser(ctx, id) },
		"deprovisioned": func(dir *identity.Directory, id string) error { return dir.DeprovisionUser(ctx, id) },
	} {
		for _, kind := range []identity.ResetKind{identity.ResetLink, identity.ResetTemporaryPassword} {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				dir, _, u := newSecured(t, nil)
				require.NoError(t, to(dir, u.ID))
				_, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: kind})
				require.ErrorIs(t, err, identity.ErrFailedPrecondition)
				require.NoError(t, dir.VerifyPassword(ctx, u.ID, "Old-Passw0rd!"), "the password stays")
			})
		}
	}
}

// TestResetSecretsNeverShow makes the reset's secrets canaries and checks
// they show in no printed form of the reset, no error and no telemetry.
func TestResetSecretsNeverShow(t *testing.T) {
	ctx := context.Background()
	c := secrettest.New(t)
	rec := oteltest.New(t)
	o := cheap
	o.DirectoryOptions = rec.Options()
	dir, err := memory.New(ctx, o)
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	var a *memory.Actor
	require.True(t, dir.As(&a))
	for _, kind := range []identity.ResetKind{identity.ResetLink, identity.ResetTemporaryPassword} {
		pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: kind})
		require.NoError(t, err)
		c.Add("reset link", string(pr.Link))
		c.Add("reset token", strings.TrimPrefix(string(pr.Link), memory.ResetLinkPrefix))
		c.Add("temporary password", string(pr.TemporaryPassword))
		c.Check(t, "ResetPassword", pr, *pr, []*identity.PasswordReset{pr}, map[string]any{"reset": pr})
		if kind == identity.ResetLink {
			require.NoError(t, a.CompletePasswordReset(ctx, pr.Link, "New-Passw0rd!"))
			err := a.CompletePasswordReset(ctx, pr.Link, "New-Passw0rd!")
			require.Error(t, err)
			c.Check(t, "a used link's error", err)
		}
	}
	require.True(t, c.Has("reset token") && c.Has("temporary password"), "the canaries were made")
	c.CheckString(t, "spans and metrics", rec.Dump(t))
	require.NotEmpty(t, rec.Named("ResetPassword"), "the resets were traced")
}

func TestActor(t *testing.T) {
	ctx := context.Background()
	t.Run("SignInNeedsAnActiveUser", func(t *testing.T) {
		dir, a, u := newSecured(t, nil)
		pending, err := dir.CreateUser(ctx, identity.NewUser{Email: "p@example.com", Status: identity.StatusPending})
		require.NoError(t, err)
		assert.ErrorIs(t, a.SignIn(ctx, pending.ID), identity.ErrFailedPrecondition)
		require.NoError(t, dir.SuspendUser(ctx, u.ID))
		assert.ErrorIs(t, a.SignIn(ctx, u.ID), identity.ErrFailedPrecondition)
		assert.ErrorIs(t, a.SignIn(ctx, "nobody"), identity.ErrNotFound)
		_, err = a.Sessions(ctx, "nobody")
		assert.ErrorIs(t, err, identity.ErrNotFound)
	})
	t.Run("SuspendKeepsSessions", func(t *testing.T) {
		dir, a, u := newSecured(t, nil)
		require.NoError(t, a.SignIn(ctx, u.ID))
		require.NoError(t, dir.SuspendUser(ctx, u.ID))
		n, err := a.Sessions(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "as documented: suspending signs no one out; RevokeSessions does")
	})
	t.Run("DeprovisionEndsSessionsKeepsTheRest", func(t *testing.T) {
		dir, a, u := newSecured(t, nil)
		require.NoError(t, a.SignIn(ctx, u.ID))
		f, err := a.AddFactor(ctx, u.ID, identity.Factor{Kind: identity.FactorTOTP, Name: "phone"})
		require.NoError(t, err)
		require.NoError(t, a.LinkIdentity(ctx, u.ID, identity.LinkedIdentity{Provider: "google", Subject: "1"}))
		require.NoError(t, dir.DeprovisionUser(ctx, u.ID))
		n, err := a.Sessions(ctx, u.ID)
		require.NoError(t, err)
		assert.Zero(t, n)
		require.NoError(t, dir.ActivateUser(ctx, u.ID))
		fs, err := dir.ListFactors(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, fs, 1)
		assert.Equal(t, f.ID, fs[0].ID)
		ls, err := dir.ListIdentities(ctx, u.ID)
		require.NoError(t, err)
		assert.Len(t, ls, 1)
		require.NoError(t, dir.VerifyPassword(ctx, u.ID, "Old-Passw0rd!"))
	})
	t.Run("AddFactor", func(t *testing.T) {
		dir, a, u := newSecured(t, nil)
		_, err := a.AddFactor(ctx, u.ID, identity.Factor{Kind: "carrier_pigeon"})
		assert.ErrorIs(t, err, identity.ErrInvalidArgument)
		_, err = a.AddFactor(ctx, "nobody", identity.Factor{Kind: identity.FactorSMS})
		assert.ErrorIs(t, err, identity.ErrNotFound)
		f, err := a.AddFactor(ctx, u.ID, identity.Factor{ID: "mine", Kind: identity.FactorWebAuthn, Name: "YubiKey", Raw: []byte(`{"aaguid":"x"}`)})
		require.NoError(t, err)
		assert.NotEqual(t, "mine", f.ID, "the provider makes the id")
		assert.Equal(t, "webauthn", f.ProviderType)
		fs, err := dir.ListFactors(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, fs, 1)
		assert.Equal(t, *f, *fs[0])
		fs[0].Name = "changed"
		again, err := dir.ListFactors(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, "YubiKey", again[0].Name, "a listed factor is the caller's copy")
	})
	t.Run("LinkIdentity", func(t *testing.T) {
		dir, a, u := newSecured(t, nil)
		other, err := dir.CreateUser(ctx, identity.NewUser{Email: "grace@example.com"})
		require.NoError(t, err)
		g := identity.LinkedIdentity{Provider: "google", Subject: "ada-1", Details: []byte(`{"email":"ada@example.com"}`)}
		require.NoError(t, a.LinkIdentity(ctx, u.ID, g))
		require.NoError(t, a.LinkIdentity(ctx, u.ID, g), "linking the same account again")
		for name, c := range map[string]struct {
			user string
			l    identity.LinkedIdentity
			want error
		}{
			"another account at the provider": {u.ID, identity.LinkedIdentity{Provider: "google", Subject: "ada-2"}, identity.ErrAlreadyExists},
			"the account of another user":     {other.ID, g, identity.ErrAlreadyExists},
			"no subject":                      {u.ID, identity.LinkedIdentity{Provider: "github"}, identity.ErrInvalidArgument},
			"a provider no unlink could name": {u.ID, identity.LinkedIdentity{Provider: "git/hub", Subject: "1"}, identity.ErrInvalidArgument},
			"no user":                         {"nobody", identity.LinkedIdentity{Provider: "github", Subject: "1"}, identity.ErrNotFound},
		} {
			t.Run(name, func(t *testing.T) { assert.ErrorIs(t, a.LinkIdentity(ctx, c.user, c.l), c.want) })
		}
		ls, err := dir.ListIdentities(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, ls, 1)
		assert.JSONEq(t, `{"email":"ada@example.com"}`, string(ls[0].Details))
	})
}
