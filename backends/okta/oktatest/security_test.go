package oktatest_test

import (
	"strings"
	"testing"

	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFactors: factors a user enrolled are listed as Okta's UserFactor
// objects, read and deleted one by one, and reset all at once; a missing
// factor or user is 404 E0000007 naming which.
func TestFactors(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	u := c.create("ann@example.com", password, true)
	other := c.create("bob@example.com", password, true)
	totp, ok := c.srv.EnrollFactor(u, oktatest.Factor{Type: "token:software:totp", Profile: map[string]any{"credentialId": "ann@example.com"}})
	require.True(t, ok)
	key, ok := c.srv.EnrollFactor("ann@example.com", oktatest.Factor{Type: "webauthn", Profile: map[string]any{"authenticatorName": "Key"}})
	require.True(t, ok, "a login names the user too")
	_, ok = c.srv.EnrollFactor(u, oktatest.Factor{Type: "carrier_pigeon"})
	assert.False(t, ok, "not one of Okta's factor types")
	_, ok = c.srv.EnrollFactor("00uNOPE", oktatest.Factor{Type: "sms"})
	assert.False(t, ok)

	r := c.do("GET", "/api/v1/users/"+u+"/factors", nil)
	require.Equal(t, 200, r.status, string(r.raw))
	fs := r.list()
	require.Len(t, fs, 2)
	assert.Equal(t, totp, fs[0]["id"])
	assert.Equal(t, "token:software:totp", fs[0]["factorType"])
	assert.Equal(t, "GOOGLE", fs[0]["provider"], "Okta's provider for a TOTP app enrolled as Google Authenticator")
	assert.Equal(t, "ACTIVE", fs[0]["status"])
	assert.Regexp(t, stampRE, fs[0]["created"])
	assert.Equal(t, "FIDO", fs[1]["provider"])
	assert.Equal(t, map[string]any{"authenticatorName": "Key"}, fs[1]["profile"])

	cases := []struct {
		name, method, path string
		status             int
		kind               string
	}{
		{"get", "GET", "/api/v1/users/" + u + "/factors/" + key, 200, ""},
		{"another user's factor", "GET", "/api/v1/users/" + other + "/factors/" + key, 404, "UserFactor"},
		{"unknown user", "GET", "/api/v1/users/00uNOPE/factors", 404, "User"},
		{"delete", "DELETE", "/api/v1/users/" + u + "/factors/" + key, 204, ""},
		{"delete again", "DELETE", "/api/v1/users/" + u + "/factors/" + key, 404, "UserFactor"},
		{"delete for an unknown user", "DELETE", "/api/v1/users/00uNOPE/factors/" + totp, 404, "User"},
		{"reset", "POST", "/api/v1/users/" + u + "/lifecycle/reset_factors", 200, ""},
		{"reset without factors", "POST", "/api/v1/users/" + other + "/lifecycle/reset_factors", 200, ""},
		{"reset an unknown user", "POST", "/api/v1/users/00uNOPE/lifecycle/reset_factors", 404, "User"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			var body any
			if tc.method == "POST" {
				body = map[string]any{}
			}
			r := c.do(tc.method, tc.path, body)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.kind != "" {
				assert.Equal(t, "E0000007", r.code())
				assert.True(t, strings.HasSuffix(r.obj()["errorSummary"].(string), "("+tc.kind+")"), r.obj()["errorSummary"])
			}
		})
	}
	c.t = t
	assert.JSONEq(t, "[]", string(c.do("GET", "/api/v1/users/"+u+"/factors", nil).raw), "reset_factors unenrolls every factor")
	assert.Equal(t, "ACTIVE", c.status(u), "and leaves the status")
}

// TestSessions: a sign-in makes a session and a refresh token; DELETE
// sessions ends the sessions, and the refresh tokens only with
// oauthTokens=true; deactivation ends both.
func TestSessions(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	u := c.create("ann@example.com", password, true)
	staged := c.create("cy@example.com", password, false)
	assert.False(t, c.srv.SignIn(staged), "a STAGED user cannot sign in")
	require.True(t, c.srv.SignIn(u))
	require.True(t, c.srv.SignIn(u))
	assert.Equal(t, 2, c.srv.Sessions(u))

	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+u+"/sessions", nil).status)
	assert.Zero(t, c.srv.Sessions(u))
	assert.Equal(t, 2, c.srv.RefreshTokens(u), "the document's default keeps OAuth tokens")
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+u+"/sessions?oauthTokens=true", nil).status)
	assert.Zero(t, c.srv.RefreshTokens(u))
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+u+"/sessions?oauthTokens=true&forgetDevices=false", nil).status, "no session is no error")
	r := c.do("DELETE", "/api/v1/users/00uNOPE/sessions", nil)
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "E0000007", r.code())

	require.True(t, c.srv.SignIn(u))
	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+u+"/lifecycle/deactivate?sendEmail=false", map[string]any{}).status)
	assert.Zero(t, c.srv.Sessions(u))
	assert.Zero(t, c.srv.RefreshTokens(u))
	got := c.do("GET", "/api/v1/users/"+u, nil).obj()
	assert.NotContains(t, got["credentials"], "password", "Okta deletes a deactivated user's password")
	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+u+"/lifecycle/activate?sendEmail=false", map[string]any{}).status)
	assert.Equal(t, "PROVISIONED", c.status(u), "without its password the user must finish activation")
}

// TestIdPs: the IdPs a user is linked to are listed as IdentityProvider
// objects, the account at each read with its externalId, and unlinked.
func TestIdPs(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	u := c.create("ann@example.com", password, true)
	other := c.create("bob@example.com", password, true)
	google := c.srv.AddIdP("google", "Google")
	assert.Equal(t, google, c.srv.AddIdP("GOOGLE", "Google"), "one IdP per name")
	saml := c.srv.AddIdP("SAML2", "Partner")
	require.True(t, c.srv.LinkIdentity(u, google, "1089", map[string]any{"email": "ann@gmail.example"}))
	require.True(t, c.srv.LinkIdentity(u, saml, "ann@partner.example", nil))
	assert.False(t, c.srv.LinkIdentity("00uNOPE", google, "x", nil))
	assert.False(t, c.srv.LinkIdentity(u, "0oaNOPE", "x", nil))

	r := c.do("GET", "/api/v1/users/"+u+"/idps", nil)
	require.Equal(t, 200, r.status, string(r.raw))
	l := r.list()
	require.Len(t, l, 2)
	assert.Equal(t, []any{google, "GOOGLE", "Google", "OIDC"}, []any{l[0]["id"], l[0]["type"], l[0]["name"], l[0]["protocol"].(map[string]any)["type"]})
	assert.Equal(t, []any{saml, "SAML2"}, []any{l[1]["id"], l[1]["type"]})
	assert.JSONEq(t, "[]", string(c.do("GET", "/api/v1/users/"+other+"/idps", nil).raw))

	r = c.do("GET", "/api/v1/idps/"+google+"/users/"+u, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "1089", r.obj()["externalId"])
	assert.Equal(t, map[string]any{"email": "ann@gmail.example"}, r.obj()["profile"])

	for _, tc := range []struct {
		name, method, path string
		status             int
		kind               string
	}{
		{"another user's account", "GET", "/api/v1/idps/" + google + "/users/" + other, 404, "IdentityProviderUser"},
		{"unknown IdP", "GET", "/api/v1/idps/0oaNOPE/users/" + u, 404, "IdentityProvider"},
		{"unknown user", "GET", "/api/v1/idps/" + google + "/users/00uNOPE", 404, "User"},
		{"unlink", "DELETE", "/api/v1/idps/" + google + "/users/" + u, 204, ""},
		{"unlink again", "DELETE", "/api/v1/idps/" + google + "/users/" + u, 404, "IdentityProviderUser"},
		{"list an unknown user", "GET", "/api/v1/users/00uNOPE/idps", 404, "User"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do(tc.method, tc.path, nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.kind != "" {
				assert.True(t, strings.HasSuffix(r.obj()["errorSummary"].(string), "("+tc.kind+")"), r.obj()["errorSummary"])
			}
		})
	}
	c.t = t
	assert.Len(t, c.do("GET", "/api/v1/users/"+u+"/idps", nil).list(), 1)
}

// TestResets: reset_password with sendEmail=false answers the link and
// moves the user to RECOVERY; expire_password_with_temp_password answers
// a temporary password the user signs in with, PASSWORD_EXPIRED.
func TestResets(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	u := c.create("ann@example.com", password, true)
	staged := c.create("cy@example.com", password, false)

	r := c.do("POST", "/api/v1/users/"+u+"/lifecycle/expire_password_with_temp_password?revokeSessions=true", map[string]any{})
	require.Equal(t, 200, r.status, string(r.raw))
	temp, _ := r.obj()["tempPassword"].(string)
	require.NotEmpty(t, temp)
	assert.Equal(t, "PASSWORD_EXPIRED", c.status(u))
	r = c.do("POST", "/api/v1/authn", map[string]any{"username": "ann@example.com", "password": temp})
	assert.Equal(t, "PASSWORD_EXPIRED", r.obj()["status"], "the temporary password signs in, to be changed")
	again := c.do("POST", "/api/v1/users/"+u+"/lifecycle/expire_password_with_temp_password", map[string]any{}).obj()["tempPassword"]
	assert.NotEqual(t, temp, again, "each call makes a new one")

	r = c.do("POST", "/api/v1/users/"+u+"/lifecycle/reset_password?sendEmail=false", map[string]any{})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Contains(t, r.obj()["resetPasswordUrl"], "/reset_password/")
	assert.Equal(t, "RECOVERY", c.status(u))

	for _, op := range []string{"reset_password?sendEmail=false", "expire_password_with_temp_password"} {
		r := c.do("POST", "/api/v1/users/"+staged+"/lifecycle/"+op, map[string]any{})
		assert.Equal(t, 403, r.status, op)
		assert.Equal(t, "E0000038", r.code(), op)
	}
}

// TestGrants: a user's consent grants are listed, read and revoked.
func TestGrants(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	u := c.create("ann@example.com", password, true)
	a, ok := c.srv.AddGrant(u, oktatest.Grant{ClientID: "0oaApp", ScopeID: "okta.users.read.self"})
	require.True(t, ok)
	_, ok = c.srv.AddGrant(u, oktatest.Grant{ClientID: "0oaApp", ScopeID: "okta.users.manage.self"})
	require.True(t, ok)
	_, ok = c.srv.AddGrant("00uNOPE", oktatest.Grant{})
	assert.False(t, ok)

	r := c.do("GET", "/api/v1/users/"+u+"/grants", nil)
	require.Equal(t, 200, r.status, string(r.raw))
	require.Len(t, r.list(), 2)
	assert.Equal(t, "END_USER", r.list()[0]["source"])
	assert.Len(t, c.do("GET", "/api/v1/users/"+u+"/grants?scopeId=okta.users.read.self&limit=5", nil).list(), 1)
	assert.Len(t, c.do("GET", "/api/v1/users/"+u+"/grants?limit=1", nil).list(), 1)
	assert.Equal(t, 200, c.do("GET", "/api/v1/users/"+u+"/grants/"+a, nil).status)
	assert.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+u+"/grants/"+a, nil).status)
	assert.Equal(t, 404, c.do("GET", "/api/v1/users/"+u+"/grants/"+a, nil).status)
	assert.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+u+"/grants", nil).status)
	assert.JSONEq(t, "[]", string(c.do("GET", "/api/v1/users/"+u+"/grants", nil).raw))
	assert.Equal(t, 404, c.do("GET", "/api/v1/users/00uNOPE/grants", nil).status)
}
