package kratos_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// missingID is a well-formed id of no identity.
const missingID = "00000000-0000-4000-8000-000000000001"

// TestFactors maps the credentials a user enrolls onto factors: totp,
// lookup_secret and the webauthn keys that are not passwordless; passkeys
// and passwordless keys are first factors and are left out.
func TestFactors(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, kratos.Options{Traits: traits}, kratostest.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "f@example.com"})
	require.NoError(t, err)
	for _, c := range []kratostest.Credential{
		{Type: kratostest.TypeTOTP}, {Type: kratostest.TypeLookupSecret},
		{Type: kratostest.TypeWebAuthn, Name: "YubiKey"}, {Type: kratostest.TypeWebAuthn, Name: "Laptop", Passwordless: true},
		{Type: kratostest.TypePasskey, Name: "Phone"},
	} {
		require.True(t, srv.Enroll(u.ID, c))
	}
	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	got := map[string]identity.FactorKind{}
	for _, f := range fs {
		got[f.ID] = f.Kind
		assert.Equal(t, f.ID, f.ProviderType)
		assert.False(t, f.CreatedAt.IsZero(), f.ID)
		assert.NotContains(t, string(f.Raw), "totp_url", "no secret in Raw")
		assert.NotContains(t, string(f.Raw), "recovery_codes", "no codes in Raw")
		if f.ID == "webauthn" {
			assert.Equal(t, "YubiKey", f.Name, "the passwordless key is not a second factor")
		}
	}
	assert.Equal(t, map[string]identity.FactorKind{"totp": identity.FactorTOTP, "lookup_secret": identity.FactorBackupCodes, "webauthn": identity.FactorWebAuthn}, got)

	cases := []struct {
		name   string
		call   func() error
		code   identity.Code // Unknown: success
		field  string
		remain []string
	}{
		{"delete totp", func() error { return dir.DeleteFactor(ctx, u.ID, "totp") }, identity.Unknown, "", []string{"lookup_secret", "webauthn"}},
		{"delete it again", func() error { return dir.DeleteFactor(ctx, u.ID, "totp") }, identity.NotFound, "factor", []string{"lookup_secret", "webauthn"}},
		{"a passkey is no factor", func() error { return dir.DeleteFactor(ctx, u.ID, "passkey") }, identity.NotFound, "factor", []string{"lookup_secret", "webauthn"}},
		{"the password is no factor", func() error { return dir.DeleteFactor(ctx, u.ID, "password") }, identity.NotFound, "factor", []string{"lookup_secret", "webauthn"}},
		{"a missing user", func() error { return dir.DeleteFactor(ctx, missingID, "totp") }, identity.NotFound, "user", []string{"lookup_secret", "webauthn"}},
		{"reset", func() error { return dir.ResetFactors(ctx, u.ID) }, identity.Unknown, "", nil},
		{"reset again", func() error { return dir.ResetFactors(ctx, u.ID) }, identity.Unknown, "", nil},
		{"reset of a missing user", func() error { return dir.ResetFactors(ctx, missingID) }, identity.NotFound, "user", nil},
	}
	for _, tc := range cases {
		err := tc.call()
		assert.Equal(t, tc.code, identity.CodeOf(err), "%s: %v", tc.name, err)
		var ie *identity.Error
		if tc.field != "" && assert.ErrorAs(t, err, &ie, tc.name) {
			assert.Equal(t, tc.field, ie.Field, tc.name)
		}
		fs, err := dir.ListFactors(ctx, u.ID)
		require.NoError(t, err)
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.ID)
		}
		assert.Equal(t, tc.remain, ids, tc.name)
	}
}

// TestIdentitiesAndPasswords lists and unlinks oidc links, says whether
// a password is set, revokes sessions and makes recovery links.
func TestIdentitiesAndPasswords(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, kratos.Options{Traits: traits}, kratostest.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "i@example.com", Password: "pw-12345678"})
	require.NoError(t, err)
	bare, err := dir.CreateUser(ctx, identity.NewUser{Email: "bare@example.com"})
	require.NoError(t, err)
	for _, s := range []string{"g1", "g2"} {
		require.True(t, srv.Enroll(u.ID, kratostest.Credential{Type: kratostest.TypeOIDC, Provider: "google", Subject: s}))
	}
	require.True(t, srv.Enroll(u.ID, kratostest.Credential{Type: kratostest.TypeOIDC, Provider: "github", Subject: "h1"}))

	links := func(id string) []string {
		ids, err := dir.ListIdentities(ctx, id)
		require.NoError(t, err)
		var out []string
		for _, li := range ids {
			assert.Contains(t, string(li.Details), li.Subject)
			assert.NotContains(t, string(li.Details), "initial_", "no tokens in Details")
			out = append(out, li.Provider+":"+li.Subject)
		}
		slices.Sort(out)
		return out
	}
	assert.Equal(t, []string{"github:h1", "google:g1", "google:g2"}, links(u.ID))
	assert.Empty(t, links(bare.ID))
	require.NoError(t, dir.UnlinkIdentity(ctx, u.ID, "google"), "every subject at the provider")
	assert.Equal(t, []string{"github:h1"}, links(u.ID))
	for _, tc := range []struct {
		user, provider, field string
	}{{u.ID, "google", "identity"}, {missingID, "google", "user"}} {
		var ie *identity.Error
		require.ErrorAs(t, dir.UnlinkIdentity(ctx, tc.user, tc.provider), &ie)
		assert.Equal(t, identity.NotFound, ie.Code)
		assert.Equal(t, tc.field, ie.Field)
	}
	require.NoError(t, dir.UnlinkIdentity(ctx, u.ID, "github"))
	assert.Empty(t, links(u.ID), "Kratos's blank provider after the last unlink is no link")

	for id, want := range map[string]bool{u.ID: true, bare.ID: false} {
		has, err := dir.HasPassword(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, has, id)
	}
	_, err = dir.HasPassword(ctx, missingID)
	assert.ErrorIs(t, err, identity.ErrNotFound)

	_, ok := srv.SignIn(u.ID)
	require.True(t, ok)
	require.NoError(t, dir.RevokeSessions(ctx, u.ID))
	assert.Zero(t, srv.Sessions(u.ID))
	require.NoError(t, dir.RevokeSessions(ctx, u.ID), "none left: Kratos's 404 is success")
	assert.ErrorIs(t, dir.RevokeSessions(ctx, missingID), identity.ErrNotFound)

	r, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, identity.ResetLink, r.Kind)
	assert.True(t, strings.Contains(string(r.Link), "/self-service/recovery?flow="), "a link to the recovery flow")
	assert.WithinDuration(t, time.Now().Add(time.Hour), r.ExpiresAt, time.Minute)
	_, err = dir.ResetPassword(ctx, missingID, identity.ResetOptions{})
	assert.ErrorIs(t, err, identity.ErrNotFound, "Kratos's 400 for a missing identity")
	_, err = dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetTemporaryPassword})
	assert.ErrorIs(t, err, identity.ErrUnsupported)
}
