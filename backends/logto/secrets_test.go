package logto_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoSecretLeaks runs the operations of the conformance flow, and the
// error paths a caller meets, with canaries for the app secret, the
// passwords and the access token the emulator issues, and fails if any of
// them shows in the debug log, in an error, or in any printed or logged
// form of the options, requests, users, roles and errors.
func TestNoSecretLeaks(t *testing.T) {
	ctx := context.Background()
	c := secrettest.New(t)
	secret := c.Make("app-secret")
	pw, pw2, wrong := c.Make("password"), c.Make("new-password"), c.Make("wrong-password")
	c.Add("basic", secrettest.EncodeBasic("m2m", secret))
	script := &hostiletest.Script{}
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: secret,
		Middleware: func(h http.Handler) http.Handler {
			return c.Middleware(script.Wrap(openapicheck.Middleware(t, "logto", schemaOptions)(h)))
		}})
	check := func(label string, vs ...any) { t.Helper(); c.Check(t, label, vs...) }

	opts := logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: identity.Secret(secret), HTTPOptions: identity.HTTPOptions{Logger: c.Logger()}}
	check("Options", opts, &opts)
	dir, err := logto.New(ctx, opts)
	require.NoError(t, err)
	check("directory", dir)

	nu := identity.NewUser{Email: "ada@example.com", Username: "ada", GivenName: "Ada", Password: identity.Secret(pw), Metadata: map[string]any{"plan": "pro"}}
	check("NewUser", nu, &nu)
	u, err := dir.CreateUser(ctx, nu)
	require.NoError(t, err)
	check("CreateUser", u)
	_, err = dir.CreateUser(ctx, nu)
	require.ErrorIs(t, err, identity.ErrAlreadyExists)
	check("CreateUser duplicate", err)

	up := identity.UserUpdate{DisplayName: new("Ada L."), FamilyName: new("Lovelace"), Metadata: map[string]any{"plan": "team", "gone": nil}}
	check("UserUpdate", up, &up)
	u, err = dir.UpdateUser(ctx, u.ID, up)
	require.NoError(t, err)
	check("UpdateUser", u)

	require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(pw)))
	err = dir.VerifyPassword(ctx, u.ID, identity.Secret(wrong))
	require.ErrorIs(t, err, identity.ErrInvalidCredentials)
	check("VerifyPassword wrong", err)
	require.NoError(t, dir.ChangePassword(ctx, u.ID, identity.Secret(pw), identity.Secret(pw2)))
	err = dir.ChangePassword(ctx, u.ID, identity.Secret(wrong), identity.Secret(pw))
	require.ErrorIs(t, err, identity.ErrInvalidCredentials)
	check("ChangePassword wrong", err)
	require.NoError(t, dir.SetPassword(ctx, u.ID, identity.Secret(pw)))
	err = dir.SetPassword(ctx, "missing", identity.Secret(pw))
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

	lo := identity.ListOptions{Query: "ada", PageSize: 1}
	check("ListOptions", lo)
	for lu, err := range dir.ListUsers(ctx, lo) {
		require.NoError(t, err)
		check("ListUsers", lu)
	}
	got, err := dir.GetUserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	check("GetUserByEmail", got)
	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	require.NoError(t, dir.ActivateUser(ctx, u.ID))

	// A token the server stops accepting mid-session is replaced.
	srv.RevokeTokens()
	got, err = dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	check("GetUser after revocation", got)

	errs := map[string]struct {
		code    identity.Code
		prefix  string
		answers []hostiletest.Answer
	}{
		"401 after a new token": {identity.Unauthenticated, "/api/", []hostiletest.Answer{
			hostiletest.JSON(401, `{"code":"auth.unauthorized","message":"Unauthorized."}`),
			hostiletest.JSON(401, `{"code":"auth.unauthorized","message":"Unauthorized."}`)}},
		"403": {identity.PermissionDenied, "/api/", []hostiletest.Answer{
			hostiletest.JSON(403, `{"code":"auth.forbidden","message":"Forbidden."}`)}},
		// A 5xx leaves open whether the create was made; the lookup that
		// would settle it is refused too, so the create fails.
		"500 echoing the request's Authorization": {identity.Unavailable, "/api/", []hostiletest.Answer{
			hostiletest.JSON(500, `{"code":"internal","message":"request had `+hostiletest.EchoAuth+`","details":"`+hostiletest.EchoAuth+`"}`),
			hostiletest.JSON(403, `{"code":"auth.forbidden","message":"lookup refused `+hostiletest.EchoAuth+`"}`)}},
		"502 page echoing it": {identity.Unavailable, "/api/", []hostiletest.Answer{
			{Status: 502, Body: []byte("<html>" + hostiletest.EchoAuth + "</html>")},
			hostiletest.JSON(403, `{"code":"auth.forbidden","message":"lookup refused `+hostiletest.EchoAuth+`"}`)}},
		"429 without Retry-After": {identity.RateLimited, "/api/", []hostiletest.Answer{
			hostiletest.JSON(429, `{"code":"too_many_requests","message":"`+hostiletest.EchoAuth+`"}`),
			hostiletest.JSON(429, `{}`), hostiletest.JSON(429, `{}`), hostiletest.JSON(429, `{}`)}},
		"429 with Retry-After": {identity.RateLimited, "/api/", []hostiletest.Answer{
			hostiletest.JSON(429, `{}`, "Retry-After", "0"), hostiletest.JSON(429, `{}`, "Retry-After", "0"),
			hostiletest.JSON(429, `{}`, "Retry-After", "0"), hostiletest.JSON(429, `{}`, "Retry-After", "0")}},
	}
	for name, e := range errs {
		script.Next(e.prefix, e.answers...)
		// A create is never resent after a 5xx (its lookup is scripted
		// too), so each case costs one round of answers and no waiting
		// but the 429s' backoff.
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: "x@example.com", Password: identity.Secret(pw)})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, e.code, ie.Code, name)
		check(name, err)
		assert.Zero(t, script.Pending(), name)
	}

	// The token endpoint failing, for a directory with no token yet, for
	// as long as the client tries.
	for range 8 {
		script.Next("/oidc/token", hostiletest.JSON(500, `{"error":"server_error","error_description":"`+hostiletest.EchoAuth+`"}`))
	}
	fresh, err := logto.New(ctx, opts)
	require.NoError(t, err)
	_, err = fresh.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrUnavailable)
	check("token endpoint 500", err)
	script.Reset()

	// Wrong credentials, themselves a canary.
	bad := logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: identity.Secret(c.Make("wrong-app-secret")), HTTPOptions: identity.HTTPOptions{Logger: c.Logger()}}
	check("wrong Options", bad)
	badDir, err := logto.New(ctx, bad)
	require.NoError(t, err)
	_, err = badDir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrUnauthenticated)
	check("wrong app secret", err, badDir)

	require.NoError(t, dir.DeleteRole(ctx, "editor"))
	require.NoError(t, dir.DeleteUser(ctx, u.ID))
	_, err = dir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("GetUser deleted", err)
	require.NoError(t, dir.Close())
	check("closed directory", dir)

	// The test means something only if the token was seen and logged
	// requests went by.
	assert.True(t, c.Has("bearer"), "the access token the emulator issued is a canary")
	assert.True(t, c.Has("authorization"))
	assert.Greater(t, strings.Count(c.Log(), "level=DEBUG"), 30, "the debug log was written")
	t.Logf("canaries: %v; %d debug lines scanned", c.Names(), strings.Count(c.Log(), "\n"))
}
