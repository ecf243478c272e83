package logto_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCapabilitiesSecurity(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	c := dir.Capabilities()
	assert.True(t, c.Factors && c.Identities && c.UnlinkIdentity && c.HasPassword && c.Roles)
	assert.False(t, c.RevokeSessions, "Logto 1.37 has no session call")
	assert.False(t, c.Deprovision || c.ResetPasswordLink || c.ResetPasswordTemporary)
}

func TestListFactors(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "mfa"})
	require.NoError(t, err)
	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, fs)

	ids := map[string]string{}
	for _, typ := range []string{"Totp", "WebAuthn", "BackupCode"} {
		id, err := srv.AddMFAVerification(u.ID, typ, "key of "+typ)
		require.NoError(t, err, typ)
		ids[typ] = id
	}
	fs, err = dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, fs, 3)
	want := map[string]identity.FactorKind{"Totp": identity.FactorTOTP, "WebAuthn": identity.FactorWebAuthn, "BackupCode": identity.FactorBackupCodes}
	for _, f := range fs {
		assert.Equal(t, ids[f.ProviderType], f.ID)
		assert.Equal(t, want[f.ProviderType], f.Kind, f.ProviderType)
		assert.False(t, f.CreatedAt.IsZero(), "createdAt is read from its ISO string")
		assert.True(t, f.LastUsedAt.IsZero())
		assert.Empty(t, f.Status)
		var raw map[string]any
		require.NoError(t, json.Unmarshal(f.Raw, &raw))
		assert.Equal(t, f.ID, raw["id"])
		assert.NotContains(t, raw, "secret")
		assert.NotContains(t, raw, "codes")
	}
	byType := map[string]*identity.Factor{}
	for _, f := range fs {
		byType[f.ProviderType] = f
	}
	assert.Equal(t, "key of WebAuthn", byType["WebAuthn"].Name, "a WebAuthn credential's name")
	assert.Empty(t, byType["Totp"].Name)
	var codes map[string]any
	require.NoError(t, json.Unmarshal(byType["BackupCode"].Raw, &codes))
	assert.EqualValues(t, 10, codes["remainCodes"], "Raw keeps what the portable model has no field for")
}

// TestFactorErrors: Logto says entity.not_found for a missing user and a
// missing verification alike; the Field says which.
func TestFactorErrors(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "mfa"})
	require.NoError(t, err)
	totp, err := srv.AddMFAVerification(u.ID, "Totp", "")
	require.NoError(t, err)
	require.NoError(t, dir.DeleteFactor(ctx, u.ID, totp))
	for name, c := range map[string]struct {
		call  func() error
		field string
	}{
		"deleted already": {func() error { return dir.DeleteFactor(ctx, u.ID, totp) }, "factor"},
		"never there":     {func() error { return dir.DeleteFactor(ctx, u.ID, "nosuchfactor") }, "factor"},
		"missing user":    {func() error { return dir.DeleteFactor(ctx, "abc123def456", totp) }, "user"},
		"list, no user":   {func() error { _, err := dir.ListFactors(ctx, "abc123def456"); return err }, "user"},
		"reset, no user":  {func() error { return dir.ResetFactors(ctx, "abc123def456") }, "user"},
	} {
		t.Run(name, func(t *testing.T) {
			var e *identity.Error
			require.ErrorAs(t, c.call(), &e)
			assert.Equal(t, identity.NotFound, e.Code)
			assert.Equal(t, c.field, e.Field)
		})
	}
}

// TestResetFactors deletes backup codes and all, one by one.
func TestResetFactors(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "reset"})
	require.NoError(t, err)
	require.NoError(t, dir.ResetFactors(ctx, u.ID), "a user without factors")
	for _, typ := range []string{"Totp", "WebAuthn", "BackupCode"} {
		_, err := srv.AddMFAVerification(u.ID, typ, "")
		require.NoError(t, err)
	}
	before := srv.Requests()["DELETE /api/users/{id}/mfa-verifications/{vid}"]
	require.NoError(t, dir.ResetFactors(ctx, u.ID))
	assert.Equal(t, 3, srv.Requests()["DELETE /api/users/{id}/mfa-verifications/{vid}"]-before)
	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, fs)
}

func TestIdentities(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "linked"})
	require.NoError(t, err)
	require.NoError(t, srv.LinkSocialIdentity(u.ID, "google", "g-1", map[string]any{"email": "ada@gmail.example"}))
	require.NoError(t, srv.LinkSocialIdentity(u.ID, "github", "gh-1", nil))
	ls, err := dir.ListIdentities(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, ls, 2)
	assert.Equal(t, identity.LinkedIdentity{Provider: "github", Subject: "gh-1"}, *ls[0], "no details kept: nil")
	assert.Equal(t, "google", ls[1].Provider)
	assert.Equal(t, "g-1", ls[1].Subject)
	assert.JSONEq(t, `{"email":"ada@gmail.example"}`, string(ls[1].Details))

	require.NoError(t, dir.UnlinkIdentity(ctx, u.ID, "google"))
	for name, c := range map[string]struct {
		call  func() error
		field string
	}{
		"unlinked already": {func() error { return dir.UnlinkIdentity(ctx, u.ID, "google") }, "identity"},
		"never linked":     {func() error { return dir.UnlinkIdentity(ctx, u.ID, "apple") }, "identity"},
		"missing user":     {func() error { return dir.UnlinkIdentity(ctx, "abc123def456", "github") }, "user"},
		"list, no user":    {func() error { _, err := dir.ListIdentities(ctx, "abc123def456"); return err }, "user"},
	} {
		t.Run(name, func(t *testing.T) {
			var e *identity.Error
			require.ErrorAs(t, c.call(), &e)
			assert.Equal(t, identity.NotFound, e.Code)
			assert.Equal(t, c.field, e.Field)
		})
	}
	ls, err = dir.ListIdentities(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, ls, 1)
}

func TestHasPassword(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	for _, c := range []struct {
		name string
		pw   identity.Secret
		want bool
	}{{"with", "correct horse", true}, {"without", "", false}} {
		u, err := dir.CreateUser(ctx, identity.NewUser{Username: c.name, Password: c.pw})
		require.NoError(t, err)
		has, err := dir.HasPassword(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, c.want, has, c.name)
	}
}

// TestSetRoles checks that SetRoles is one PUT, that a name no User role
// has (a machine-to-machine role's included) changes nothing, and that a
// cached id Logto no longer knows is resolved again.
func TestSetRoles(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "roles"})
	require.NoError(t, err)
	for _, r := range []string{"a", "b", "c"} {
		_, err := dir.CreateRole(ctx, identity.Role{Name: r})
		require.NoError(t, err)
	}
	var c *logto.Client
	require.True(t, dir.As(&c))
	require.NoError(t, c.Do(ctx, http.MethodPost, "/api/roles", map[string]string{"name": "m2m", "description": "d", "type": "MachineToMachine"}, nil))
	held := func() []string {
		rs, err := dir.ListUserRoles(ctx, u.ID)
		require.NoError(t, err)
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}

	puts := func() int { return srv.Requests()["PUT /api/users/{id}/roles"] }
	require.NoError(t, dir.SetRoles(ctx, u.ID, "a", "b"))
	assert.ElementsMatch(t, []string{"a", "b"}, held())
	assert.Equal(t, 1, puts())

	for _, bad := range []string{"nope", "m2m"} {
		err := dir.SetRoles(ctx, u.ID, "c", bad)
		var e *identity.Error
		require.ErrorAs(t, err, &e, bad)
		assert.Equal(t, identity.NotFound, e.Code)
		assert.Equal(t, "role", e.Field)
		assert.Equal(t, bad, e.Role)
		assert.ElementsMatch(t, []string{"a", "b"}, held(), "unchanged")
	}
	assert.Equal(t, 1, puts(), "nothing sent for a role that does not exist")

	// Another client deletes and recreates "c": the cached id is stale.
	require.NoError(t, dir.SetRoles(ctx, u.ID, "c"))
	other, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	require.NoError(t, other.DeleteRole(ctx, "c"))
	_, err = other.CreateRole(ctx, identity.Role{Name: "c"})
	require.NoError(t, err)
	require.NoError(t, dir.SetRoles(ctx, u.ID, "b", "c"))
	assert.ElementsMatch(t, []string{"b", "c"}, held())

	require.NoError(t, dir.SetRoles(ctx, u.ID))
	assert.Empty(t, held())
}

// TestTypedClientUserPaths sends, through the typed client and a
// schema-checked emulator, each Users operation the README lists as
// reached by the typed client and tested.
func TestTypedClientUserPaths(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "typed", Password: "pw"})
	require.NoError(t, err)
	var c *logto.Client
	require.True(t, dir.As(&c))
	p := "/api/users/" + u.ID
	const ok = identity.Unknown // CodeOf(nil): no error
	for _, s := range []struct {
		method, path string
		body         any
		fails        identity.Code // ok for success
	}{
		{"PUT", p + "/identities/google", map[string]any{"userId": "g-1", "details": map[string]any{"email": "a@example.com"}}, ok},
		{"PUT", p + "/identities/google", map[string]any{"userId": "g-2"}, ok},
		{"GET", p + "/identities/google", nil, ok},
		{"GET", p + "/identities/github", nil, identity.NotFound},
		{"GET", p + "/all-identities", nil, ok},
		{"GET", p + "/has-password", nil, ok},
		{"GET", p + "/custom-data", nil, ok},
		{"PATCH", p + "/profile", map[string]any{"profile": map[string]any{"nickname": "ada"}}, ok},
		{"GET", p + "/organizations", nil, ok},
		{"POST", p + "/personal-access-tokens", map[string]any{"name": "t1"}, ok},
		{"POST", p + "/personal-access-tokens", map[string]any{"name": "t1"}, identity.AlreadyExists},
		{"POST", p + "/personal-access-tokens", map[string]any{"name": "t2", "expiresAt": nil}, ok},
		{"GET", p + "/personal-access-tokens", nil, ok},
		{"PATCH", p + "/personal-access-tokens/t1", map[string]any{"name": "t3"}, ok},
		{"PATCH", p + "/personal-access-tokens", map[string]any{"currentName": "t3", "name": "t2"}, identity.AlreadyExists},
		{"PATCH", p + "/personal-access-tokens", map[string]any{"currentName": "t3", "name": "t1"}, ok},
		{"DELETE", p + "/personal-access-tokens/t1", nil, ok},
		{"POST", p + "/personal-access-tokens/delete", map[string]any{"name": "t2"}, ok},
		{"POST", p + "/personal-access-tokens/delete", map[string]any{"name": "t2"}, identity.NotFound},
		{"POST", "/api/users/abc123def456/personal-access-tokens", map[string]any{"name": "t1"}, identity.NotFound},
	} {
		err := c.Do(ctx, s.method, s.path, s.body, nil)
		if s.fails == ok {
			assert.NoError(t, err, "%s %s", s.method, s.path)
		} else {
			assert.Equal(t, s.fails, identity.CodeOf(err), "%s %s: %v", s.method, s.path, err)
		}
	}
}

// TestTypedClientEnrolsMFA posts an MFA verification through the typed
// client. The emulator runs unchecked: the document's request schema for
// this POST is a oneOf that no body matches exactly once (see
// logtotest's TestSecuritySchema), so a real Logto's traffic would fail
// the check too.
func TestTypedClientEnrolsMFA(t *testing.T) {
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret"})
	ctx := context.Background()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "enrolled"})
	require.NoError(t, err)
	var c *logto.Client
	require.True(t, dir.As(&c))
	var totp struct {
		Type, Secret string
	}
	require.NoError(t, c.Do(ctx, "POST", "/api/users/"+u.ID+"/mfa-verifications", map[string]string{"type": "Totp"}, &totp))
	assert.Equal(t, "Totp", totp.Type)
	assert.Len(t, totp.Secret, 32)
	err = c.Do(ctx, "POST", "/api/users/"+u.ID+"/mfa-verifications", map[string]string{"type": "Totp"}, nil)
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.AlreadyExists, e.Code)
	assert.Equal(t, "factor", e.Field)
	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.Equal(t, identity.FactorTOTP, fs[0].Kind)
}

// TestUnreadableAnswers: an MFA verification without an id, or a linked
// identity without a userId, is Internal rather than a factor or a link
// that names nothing.
func TestUnreadableAnswers(t *testing.T) {
	for name, c := range map[string]struct {
		body string
		call func(*identity.Directory) error
	}{
		"factor without id": {`[{"createdAt":"2026-11-30T01:01:26.638Z","type":"Totp"}]`,
			func(d *identity.Directory) error { _, err := d.ListFactors(context.Background(), "u1"); return err }},
		"identity without userId": {`{"id":"u1","identities":{"google":{"details":{}}}}`,
			func(d *identity.Directory) error { _, err := d.ListIdentities(context.Background(), "u1"); return err }},
		"has-password without hasPassword": {`{}`,
			func(d *identity.Directory) error { _, err := d.HasPassword(context.Background(), "u1"); return err }},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Path == "/oidc/token" {
					_, _ = io.WriteString(w, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
					return
				}
				_, _ = io.WriteString(w, c.body)
			}))
			defer srv.Close()
			dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s"})
			require.NoError(t, err)
			assert.Equal(t, identity.Internal, identity.CodeOf(c.call(dir)))
		})
	}
}
