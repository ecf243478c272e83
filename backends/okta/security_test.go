package okta_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFactorKinds: each of Okta's factor types is reported with the
// portable kind it is, the type itself as ProviderType, and the name the
// authenticator gave it.
func TestFactorKinds(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Password: pw})
	require.NoError(t, err)
	cases := []struct {
		typ, name string
		profile   map[string]any
		want      identity.FactorKind
	}{
		{"token:software:totp", "", nil, identity.FactorTOTP},
		{"token:hotp", "", nil, identity.FactorTOTP},
		{"webauthn", "Touch ID", map[string]any{"authenticatorName": "Touch ID"}, identity.FactorWebAuthn},
		{"u2f", "", nil, identity.FactorWebAuthn},
		{"sms", "", map[string]any{"phoneNumber": "+15554151337"}, identity.FactorSMS},
		{"email", "", map[string]any{"email": "ada@example.com"}, identity.FactorEmail},
		{"push", "Ada's phone", map[string]any{"name": "Ada's phone"}, identity.FactorPush},
		{"question", "", nil, identity.FactorOther},
		{"call", "", nil, identity.FactorOther},
		{"token", "", nil, identity.FactorOther},
		{"token:hardware", "", nil, identity.FactorOther},
		{"web", "", nil, identity.FactorOther},
		{"signed_nonce", "", nil, identity.FactorOther},
	}
	ids := map[string]string{}
	for _, tc := range cases {
		id, ok := srv.EnrollFactor(u.ID, oktatest.Factor{Type: tc.typ, Profile: tc.profile})
		require.True(t, ok, tc.typ)
		ids[id] = tc.typ
	}
	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, fs, len(cases))
	got := map[string]*identity.Factor{}
	for _, f := range fs {
		got[ids[f.ID]] = f
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			f := got[tc.typ]
			require.NotNil(t, f)
			assert.Equal(t, tc.want, f.Kind)
			assert.Equal(t, tc.typ, f.ProviderType)
			assert.Equal(t, tc.name, f.Name)
			assert.Equal(t, "ACTIVE", f.Status)
			assert.False(t, f.CreatedAt.IsZero())
			assert.True(t, f.LastUsedAt.IsZero(), "Okta keeps no last use")
			assert.Contains(t, string(f.Raw), `"factorType":"`+tc.typ+`"`)
		})
	}
}

// TestSecurityErrors: what is missing is named, and Okta's own limits
// come back as the portable codes.
func TestSecurityErrors(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Password: pw})
	require.NoError(t, err)
	staged, err := dir.CreateUser(ctx, identity.NewUser{Email: "cy@example.com", Password: pw, Status: identity.StatusPending})
	require.NoError(t, err)
	f, _ := srv.EnrollFactor(u.ID, oktatest.Factor{Type: "sms"})
	idp := srv.AddIdP("google", "google")
	require.True(t, srv.LinkIdentity(u.ID, idp, "1089", nil))
	const missing = "00u0000000000000000"
	cases := []struct {
		name  string
		call  func() error
		code  identity.Code
		field string
	}{
		{"delete a factor of a missing user", func() error { return dir.DeleteFactor(ctx, missing, f) }, identity.NotFound, "user"},
		{"delete a missing factor", func() error { return dir.DeleteFactor(ctx, u.ID, "mblNOPE") }, identity.NotFound, "factor"},
		{"delete a factor", func() error { return dir.DeleteFactor(ctx, u.ID, f) }, identity.Unknown, ""},
		{"delete it again", func() error { return dir.DeleteFactor(ctx, u.ID, f) }, identity.NotFound, "factor"},
		{"unlink at a missing IdP", func() error { return dir.UnlinkIdentity(ctx, u.ID, "0oaNOPE") }, identity.NotFound, "identity"},
		{"unlink a missing user", func() error { return dir.UnlinkIdentity(ctx, missing, idp) }, identity.NotFound, "user"},
		{"unlink", func() error { return dir.UnlinkIdentity(ctx, u.ID, idp) }, identity.Unknown, ""},
		{"unlink again", func() error { return dir.UnlinkIdentity(ctx, u.ID, idp) }, identity.NotFound, "identity"},
		{"reset a STAGED user's password", func() error {
			_, err := dir.ResetPassword(ctx, staged.ID, identity.ResetOptions{Kind: identity.ResetLink})
			return err
		}, identity.FailedPrecondition, ""},
		{"temporary password of a STAGED user", func() error {
			_, err := dir.ResetPassword(ctx, staged.ID, identity.ResetOptions{Kind: identity.ResetTemporaryPassword})
			return err
		}, identity.FailedPrecondition, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.code == identity.Unknown {
				require.NoError(t, err)
				return
			}
			require.Equal(t, tc.code, identity.CodeOf(err), "%v", err)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
		})
	}
}

// TestDeprovisionAndBack: deactivation deletes the password, as Okta
// does, so that ActivateUser can only bring the user back to Pending,
// saying so, and SetPassword makes it Active.
func TestDeprovisionAndBack(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Password: pw, Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	require.True(t, srv.SignIn(u.ID))
	has, err := dir.HasPassword(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, has)

	require.NoError(t, dir.DeprovisionUser(ctx, u.ID))
	require.NoError(t, dir.DeprovisionUser(ctx, u.ID), "again")
	assert.Zero(t, srv.Sessions(u.ID), "a deactivated user is signed out")
	has, err = dir.HasPassword(ctx, u.ID)
	require.NoError(t, err)
	assert.False(t, has, "Okta deletes a deactivated user's password")

	err = dir.ActivateUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrFailedPrecondition)
	assert.Contains(t, err.Error(), "SetPassword")
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, identity.StatusPending, got.Status)
	assert.Equal(t, "PROVISIONED", got.NativeStatus)
	require.NoError(t, dir.SetPassword(ctx, u.ID, pw))
	got, err = dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, identity.StatusActive, got.Status)
	assert.Equal(t, "pro", got.Metadata["plan"], "the profile stays")
}

// TestResetPassword: a link puts the user in RECOVERY (Pending); a
// temporary password in PASSWORD_EXPIRED (Active), signing in with it.
func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	for _, tc := range []struct {
		kind   identity.ResetKind
		native string
	}{{identity.ResetLink, "RECOVERY"}, {identity.ResetTemporaryPassword, "PASSWORD_EXPIRED"}, {"", "RECOVERY"}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: "u" + string(tc.kind) + "@example.com", Password: pw})
			require.NoError(t, err)
			r, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: tc.kind})
			require.NoError(t, err)
			got, err := dir.GetUser(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.native, got.NativeStatus)
			if r.Kind == identity.ResetTemporaryPassword {
				assert.Empty(t, r.Link)
				require.NoError(t, dir.VerifyPassword(ctx, u.ID, r.TemporaryPassword))
				return
			}
			assert.Equal(t, identity.ResetLink, r.Kind)
			assert.Empty(t, r.TemporaryPassword)
			assert.Contains(t, string(r.Link), "/reset_password/")
		})
	}
}
