package okta_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoAssertion, in the body of an answer the token endpoint gives, is
// replaced by the request's client assertion, as a server echoing its
// form into an error page would.
const echoAssertion = "{{assertion}}"

// keyCanaries makes every encoding of key's private part a canary: the
// scalar in decimal, hex and base64 (JWK's "d"), and each line of its
// PKCS #8 PEM.
func keyCanaries(t *testing.T, c *secrettest.Canaries, name string, key *ecdsa.PrivateKey) {
	t.Helper()
	d := key.D.Bytes()
	c.Add(name+"-d", key.D.String())
	c.Add(name+"-d-hex", hex.EncodeToString(d))
	c.Add(name+"-d-base64", base64.StdEncoding.EncodeToString(d))
	c.Add(name+"-d-base64url", base64.RawURLEncoding.EncodeToString(d))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	for _, line := range strings.Split(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "\n") {
		if !strings.HasPrefix(line, "-----") {
			c.Add(name+"-pem", line)
		}
	}
}

// credentialsSeen makes canaries of the credentials that travel outside
// the Authorization header (which secrettest's Middleware covers): the
// client assertion and its signature in a token request's form, and the
// session and state tokens in the Authentication API's answers. It also
// echoes the assertion into answers that ask for it.
func credentialsSeen(c *secrettest.Canaries, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assertion := ""
		if r.URL.Path == "/oauth2/v1/token" {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(b))
			form, _ := url.ParseQuery(string(b))
			assertion = form.Get("client_assertion")
			c.Add("client-assertion", assertion)
			if i := strings.LastIndexByte(assertion, '.'); i >= 0 {
				c.Add("client-assertion-signature", assertion[i+1:])
			}
		}
		tee := &teeWriter{ResponseWriter: w, assertion: assertion}
		next.ServeHTTP(tee, r)
		if r.URL.Path == "/api/v1/authn" {
			var out struct {
				SessionToken string `json:"sessionToken"`
				StateToken   string `json:"stateToken"`
			}
			if json.Unmarshal(tee.body.Bytes(), &out) == nil {
				c.Add("session-token", out.SessionToken)
				c.Add("state-token", out.StateToken)
			}
		}
	})
}

// teeWriter keeps a copy of the body, and puts the assertion where the
// body says echoAssertion.
type teeWriter struct {
	http.ResponseWriter
	assertion string
	body      bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	n := len(p)
	p = bytes.ReplaceAll(p, []byte(echoAssertion), []byte(w.assertion))
	w.body.Write(p)
	_, err := w.ResponseWriter.Write(p)
	return n, err
}

// TestNoSecretLeaks runs the operations of the conformance flow, and the
// error paths a caller meets, once with an API token and once as a
// service app, with canaries for the API token, the passwords, the
// service app's private key and every client assertion, access token and
// Authentication API token that goes by, and fails if any of them shows
// in the debug log, in an error, or in any printed or logged form of the
// options, requests, users, roles, errors and directories.
func TestNoSecretLeaks(t *testing.T) {
	t.Run("APIToken", func(t *testing.T) { leakFlow(t, false) })
	t.Run("ServiceApp", func(t *testing.T) { leakFlow(t, true) })
}

func leakFlow(t *testing.T, serviceApp bool) {
	ctx := context.Background()
	c := secrettest.New(t)
	apiToken := c.Make("api-token")
	pw, pw2, wrong := c.Make("password"), c.Make("new-password"), c.Make("wrong-password")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	keyCanaries(t, c, "private-key", key)
	script := &hostiletest.Script{}
	srv := oktatest.NewServer(t, oktatest.Options{
		APIToken: apiToken, ServiceApps: map[string]crypto.PublicKey{"0oa-svc": key.Public()}, NamesOptional: true,
		Middleware: func(h http.Handler) http.Handler {
			return c.Middleware(credentialsSeen(c, script.Wrap(openapicheck.Middleware(t, "okta", schemaOptions)(h))))
		},
	})
	check := func(label string, vs ...any) { t.Helper(); c.Check(t, label, vs...) }

	opts := okta.Options{OrgURL: srv.URL, HTTPOptions: identity.HTTPOptions{Logger: c.Logger(), RetryBaseDelay: time.Millisecond}}
	if serviceApp {
		opts.ClientID, opts.PrivateKey, opts.KeyID = "0oa-svc", key, "kid-1"
	} else {
		opts.APIToken = identity.Secret(apiToken)
	}
	check("Options", opts, &opts)
	dir, err := okta.New(ctx, opts)
	require.NoError(t, err)
	check("directory", dir)

	nu := identity.NewUser{Email: "grace@example.com", Username: "grace", GivenName: "Grace", Password: identity.Secret(pw), Metadata: map[string]any{"plan": "pro"}}
	check("NewUser", nu, &nu)
	u, err := dir.CreateUser(ctx, nu)
	require.NoError(t, err)
	check("CreateUser", u)
	_, err = dir.CreateUser(ctx, nu)
	require.ErrorIs(t, err, identity.ErrAlreadyExists)
	check("CreateUser duplicate", err)

	// A merge, then a removal, which reads and replaces under If-Match.
	up := identity.UserUpdate{DisplayName: new("Grace H."), FamilyName: new("Hopper"), Metadata: map[string]any{"plan": "team", "note": "x"}}
	check("UserUpdate", up, &up)
	u, err = dir.UpdateUser(ctx, u.ID, up)
	require.NoError(t, err)
	check("UpdateUser", u)
	u, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"note": nil}})
	require.NoError(t, err)
	check("UpdateUser removal", u)

	require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(pw)))
	err = dir.VerifyPassword(ctx, u.ID, identity.Secret(wrong))
	require.ErrorIs(t, err, identity.ErrInvalidCredentials)
	check("VerifyPassword wrong", err)
	require.NoError(t, dir.ChangePassword(ctx, u.ID, identity.Secret(pw), identity.Secret(pw2)))
	err = dir.ChangePassword(ctx, u.ID, identity.Secret(wrong), identity.Secret(pw))
	require.ErrorIs(t, err, identity.ErrInvalidCredentials)
	check("ChangePassword wrong", err)
	err = dir.SetPassword(ctx, u.ID, "short")
	require.ErrorIs(t, err, identity.ErrFailedPrecondition)
	check("SetPassword refused by policy", err)
	require.NoError(t, dir.SetPassword(ctx, u.ID, identity.Secret(pw)))
	err = dir.SetPassword(ctx, "00u0000000000000000", identity.Secret(pw))
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("SetPassword missing user", err)

	role := identity.Role{Name: "editor", Description: "edits"}
	r, err := dir.CreateRole(ctx, role)
	require.NoError(t, err)
	check("CreateRole", role, r)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
	roles, err := dir.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	check("ListUserRoles", roles)
	all, err := dir.ListRoles(ctx)
	require.NoError(t, err)
	check("ListRoles", all)
	err = dir.AssignRole(ctx, u.ID, "nope")
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("AssignRole unknown role", err)
	require.NoError(t, dir.RevokeRole(ctx, u.ID, "editor"))

	lo := identity.ListOptions{Query: "grace", PageSize: 1}
	check("ListOptions", lo)
	for lu, err := range dir.ListUsers(ctx, lo) {
		require.NoError(t, err)
		check("ListUsers", lu)
	}
	got, err := dir.GetUserByEmail(ctx, "grace@example.com")
	require.NoError(t, err)
	check("GetUserByEmail", got)
	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	err = dir.VerifyPassword(ctx, u.ID, identity.Secret(pw))
	require.ErrorIs(t, err, identity.ErrFailedPrecondition)
	check("VerifyPassword suspended", err)
	require.NoError(t, dir.ActivateUser(ctx, u.ID))
	require.NoError(t, dir.ExpirePassword(ctx, u.ID))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(pw)), "an expired password still matches")

	if serviceApp {
		// A token the server stops accepting mid-session is replaced.
		srv.RevokeTokens()
		got, err = dir.GetUser(ctx, u.ID)
		require.NoError(t, err)
		check("GetUser after revocation", got)
	}

	unauthorized := []hostiletest.Answer{hostiletest.JSON(401, `{"errorCode":"E0000011","errorSummary":"Invalid token provided `+hostiletest.EchoAuth+`","errorCauses":[]}`)}
	if serviceApp {
		// The first 401 makes the client fetch a new token and try again.
		unauthorized = append(unauthorized, unauthorized[0])
	}
	refused := hostiletest.JSON(403, `{"errorCode":"E0000006","errorSummary":"lookup refused `+hostiletest.EchoAuth+`","errorCauses":[]}`)
	errs := map[string]struct {
		code    identity.Code
		answers []hostiletest.Answer
	}{
		"401 echoing the request's Authorization": {identity.Unauthenticated, unauthorized},
		"403": {identity.PermissionDenied, []hostiletest.Answer{
			hostiletest.JSON(403, `{"errorCode":"E0000006","errorSummary":"`+hostiletest.EchoAuth+`","errorCauses":[{"errorSummary":"`+hostiletest.EchoAuth+`"}]}`)}},
		// A 5xx leaves open whether the create was made; the lookup that
		// would settle it is refused too, so the create fails.
		"500 echoing it": {identity.Unavailable, []hostiletest.Answer{
			hostiletest.JSON(500, `{"errorCode":"E0000009","errorSummary":"request had `+hostiletest.EchoAuth+`","errorCauses":[{"errorSummary":"login: `+hostiletest.EchoAuth+`"}]}`), refused}},
		"502 page echoing it": {identity.Unavailable, []hostiletest.Answer{
			{Status: 502, Body: []byte("<html>" + hostiletest.EchoAuth + "</html>")}, refused}},
		"400 whose cause names the credential": {identity.InvalidArgument, []hostiletest.Answer{
			hostiletest.JSON(400, `{"errorCode":"E0000001","errorSummary":"Api validation failed","errorCauses":[{"errorSummary":"`+hostiletest.EchoAuth+`: already exists"}]}`)}},
		"429 without Retry-After": {identity.RateLimited, []hostiletest.Answer{
			hostiletest.JSON(429, `{"errorCode":"E0000047","errorSummary":"`+hostiletest.EchoAuth+`"}`),
			hostiletest.JSON(429, `{}`), hostiletest.JSON(429, `{}`), hostiletest.JSON(429, `{}`)}},
		"429 with Retry-After": {identity.RateLimited, []hostiletest.Answer{
			hostiletest.JSON(429, `{}`, "Retry-After", "0"), hostiletest.JSON(429, `{}`, "Retry-After", "0"),
			hostiletest.JSON(429, `{}`, "Retry-After", "0"), hostiletest.JSON(429, `{}`, "Retry-After", "0")}},
	}
	for name, e := range errs {
		script.Next("/api/", e.answers...)
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: "x@example.com", Password: identity.Secret(pw)})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, e.code, ie.Code, name)
		check(name, err)
		assert.Zero(t, script.Pending(), name)
		script.Reset()
	}

	// VerifyPassword's sign-in carries the password in its body; an
	// answer that is not Okta's does not bring it back.
	script.Next("/api/v1/authn", hostiletest.JSON(500, `{"errorCode":"E0000009","errorSummary":"`+hostiletest.EchoAuth+`"}`))
	script.Next("/api/v1/authn", hostiletest.JSON(500, `{}`), hostiletest.JSON(500, `{}`), hostiletest.JSON(500, `{}`))
	err = dir.VerifyPassword(ctx, u.ID, identity.Secret(pw))
	require.ErrorIs(t, err, identity.ErrUnavailable)
	check("VerifyPassword 500", err)
	script.Reset()

	if serviceApp {
		// The token endpoint failing, for a directory with no token yet,
		// for as long as the client tries, echoing the assertion.
		for name, a := range map[string]hostiletest.Answer{
			"token endpoint 500": hostiletest.JSON(500, `{"error":"server_error","error_description":"`+echoAssertion+`"}`),
			"token endpoint 401": hostiletest.JSON(401, `{"error":"invalid_client","error_description":"Client authentication failed: `+echoAssertion+`"}`),
			"token endpoint 400": hostiletest.JSON(400, `{"error":"`+echoAssertion+`"}`),
		} {
			for range 8 {
				script.Next("/oauth2/v1/token", a)
			}
			fresh, err := okta.New(ctx, opts)
			require.NoError(t, err)
			_, err = fresh.GetUser(ctx, u.ID)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie, name)
			check(name, err, fresh)
			script.Reset()
		}
		assert.True(t, c.Has("client-assertion"), "the client assertion was seen on the wire")
	}

	// Wrong credentials, themselves canaries.
	bad := opts
	if serviceApp {
		other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		keyCanaries(t, c, "wrong-private-key", other)
		bad.PrivateKey = other
	} else {
		bad.APIToken = identity.Secret(c.Make("wrong-api-token"))
	}
	check("wrong Options", bad)
	badDir, err := okta.New(ctx, bad)
	require.NoError(t, err)
	_, err = badDir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrUnauthenticated)
	check("wrong credentials", err, badDir)

	require.NoError(t, dir.DeleteRole(ctx, "editor"))
	require.NoError(t, dir.DeleteUser(ctx, u.ID))
	_, err = dir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("GetUser deleted", err)
	require.NoError(t, dir.Close())
	check("closed directory", dir)

	// The test means something only if the credentials were seen and
	// logged requests went by.
	assert.True(t, c.Has("authorization"), "the credential was seen on the wire")
	if serviceApp {
		assert.True(t, c.Has("bearer"), "the access token the emulator issued is a canary")
	}
	assert.True(t, c.Has("session-token"), "the Authentication API's session token is a canary")
	assert.Greater(t, strings.Count(c.Log(), "level=DEBUG"), 30, "the debug log was written")
	t.Logf("canaries: %v; %d debug lines scanned", c.Names(), strings.Count(c.Log(), "\n"))
}

// TestOptionsJSONHidesPrivateKey).
func checkPrinted(t *testing.T, c *secrettest.Canaries, label string, vs ...any) {
	t.Helper()
	for _, v := range vs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			c.CheckString(t, label+" "+verb, fmt.Sprintf(verb, v))
		}
	}
}

// TestOptionsJSONHidesPrivateKey: Options with a service app's key, in
// JSON or through slog's JSON handler, must not show the key, as they do
// not in fmt's forms.
func TestOptionsJSONHidesPrivateKey(t *testing.T) {
	c := secrettest.New(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	keyCanaries(t, c, "private-key", key)
	opts := okta.Options{OrgURL: "https://dev-1.okta.com", ClientID: "0oa-svc", PrivateKey: key}
	c.Check(t, "Options", opts, &opts)
}
