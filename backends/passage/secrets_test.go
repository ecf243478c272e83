package passage_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoSecretLeaks runs the operations of the conformance flow in roles
// mode, and the error paths a caller meets, with canaries for the API key
// and for passwords (which Passage refuses as Unsupported), and fails if
// any of them shows in the debug log, in an error, or in any printed or
// logged form of the options, requests, users, roles and errors.
func TestNoSecretLeaks(t *testing.T) {
	ctx := context.Background()
	c := secrettest.New(t)
	key := c.Make("api-key")
	pw, wrong := c.Make("password"), c.Make("wrong-password")
	script := &hostiletest.Script{}
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: key, MetadataFields: metadataFields(),
		Middleware: func(h http.Handler) http.Handler {
			return c.Middleware(script.Wrap(openapicheck.Middleware(t, "passage", openapicheck.Options{BasePath: "/v1"})(h)))
		}})
	check := func(label string, vs ...any) { t.Helper(); c.Check(t, label, vs...) }

	opts := passage.Options{AppID: "app1", APIKey: identity.Secret(key), BaseURL: srv.URL + "/v1",
		RolesField: "roles", Roles: []identity.Role{{Name: "admin"}}, HTTPOptions: identity.HTTPOptions{Logger: c.Logger()}}
	check("Options", opts, &opts)
	dir, err := passage.New(ctx, opts)
	require.NoError(t, err)
	check("directory", dir)

	withPassword := identity.NewUser{Email: "ada@example.com", Password: identity.Secret(pw)}
	check("NewUser with password", withPassword)
	_, err = dir.CreateUser(ctx, withPassword)
	require.ErrorIs(t, err, identity.ErrUnsupported)
	check("CreateUser with password", err)

	nu := identity.NewUser{Email: "ada@example.com", Phone: "+14155550100", Metadata: map[string]any{"plan": "pro"}}
	u, err := dir.CreateUser(ctx, nu)
	require.NoError(t, err)
	check("CreateUser", nu, u)
	_, err = dir.CreateUser(ctx, nu)
	require.ErrorIs(t, err, identity.ErrAlreadyExists)
	check("CreateUser duplicate", err)

	up := identity.UserUpdate{Metadata: map[string]any{"plan": "team", "note": nil}}
	u, err = dir.UpdateUser(ctx, u.ID, up)
	require.NoError(t, err)
	check("UpdateUser", up, u)
	_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"undefined_field": "x"}})
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	check("UpdateUser undefined field", err)

	for _, err := range []error{
		dir.VerifyPassword(ctx, u.ID, identity.Secret(pw)),
		dir.SetPassword(ctx, u.ID, identity.Secret(pw)),
		dir.ChangePassword(ctx, u.ID, identity.Secret(wrong), identity.Secret(pw)),
	} {
		require.ErrorIs(t, err, identity.ErrUnsupported)
		check("password call", err)
	}

	r, err := dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	check("CreateRole", r)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
	roles, err := dir.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	check("ListUserRoles", roles)
	err = dir.AssignRole(ctx, u.ID, "nope")
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("AssignRole unknown role", err)

	for lu, err := range dir.ListUsers(ctx, identity.ListOptions{Query: "ada", PageSize: 1}) {
		require.NoError(t, err)
		check("ListUsers", lu)
	}
	got, err := dir.GetUserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	check("GetUserByEmail", got)
	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	require.NoError(t, dir.ActivateUser(ctx, u.ID))
	_, err = dir.GetUser(ctx, "missing")
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("GetUser missing", err)

	errs := map[string]struct {
		code    identity.Code
		answers []hostiletest.Answer
	}{
		"401 echoing the request's Authorization": {identity.Unauthenticated, []hostiletest.Answer{
			hostiletest.JSON(401, `{"code":"invalid_access_token","error":"bad token `+hostiletest.EchoAuth+`"}`)}},
		"403": {identity.PermissionDenied, []hostiletest.Answer{
			hostiletest.JSON(403, `{"code":"operation_not_allowed","error":"`+hostiletest.EchoAuth+`"}`)}},
		// A 5xx leaves open whether the create was made; the lookup that
		// would settle it is refused too, so the create fails.
		"500": {identity.Unavailable, []hostiletest.Answer{
			hostiletest.JSON(500, `{"code":"internal_server_error","error":"request had `+hostiletest.EchoAuth+`"}`),
			hostiletest.JSON(403, `{"code":"operation_not_allowed","error":"lookup refused `+hostiletest.EchoAuth+`"}`)}},
		"502 page echoing it": {identity.Unavailable, []hostiletest.Answer{
			{Status: 502, Body: []byte("<html>" + hostiletest.EchoAuth + "</html>")},
			hostiletest.JSON(403, `{"code":"operation_not_allowed","error":"lookup refused `+hostiletest.EchoAuth+`"}`)}},
		"429 without Retry-After": {identity.RateLimited, []hostiletest.Answer{
			hostiletest.JSON(429, `{"code":"too_many_requests","error":"`+hostiletest.EchoAuth+`"}`),
			hostiletest.JSON(429, `{}`), hostiletest.JSON(429, `{}`), hostiletest.JSON(429, `{}`)}},
		"429 with Retry-After": {identity.RateLimited, []hostiletest.Answer{
			hostiletest.JSON(429, `{}`, "Retry-After", "0"), hostiletest.JSON(429, `{}`, "Retry-After", "0"),
			hostiletest.JSON(429, `{}`, "Retry-After", "0"), hostiletest.JSON(429, `{}`, "Retry-After", "0")}},
	}
	for name, e := range errs {
		script.Next("/v1/", e.answers...)
		// A create is never resent after a 5xx (its lookup is scripted
		// too), so each case costs one round of answers and no waiting
		// but the 429s' backoff.
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: "x@example.com"})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, e.code, ie.Code, name)
		check(name, err)
		script.Reset()
	}

	// A wrong key, itself a canary.
	bad := opts
	bad.APIKey = identity.Secret(c.Make("wrong-api-key"))
	check("wrong Options", bad)
	badDir, err := passage.New(ctx, bad)
	require.NoError(t, err)
	_, err = badDir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrUnauthenticated)
	check("wrong API key", err, badDir)

	require.NoError(t, dir.RevokeRole(ctx, u.ID, "editor"))
	require.NoError(t, dir.DeleteRole(ctx, "editor"))
	require.NoError(t, dir.DeleteUser(ctx, u.ID))
	_, err = dir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("GetUser deleted", err)
	require.NoError(t, dir.Close())
	check("closed directory", dir)

	assert.True(t, c.Has("authorization"), "the key was seen on the wire")
	assert.Greater(t, strings.Count(c.Log(), "level=DEBUG"), 20, "the debug log was written")
	t.Logf("canaries: %v; %d debug lines scanned", c.Names(), strings.Count(c.Log(), "\n"))
}
