package logto_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/httpx/passthroughtest"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logtoClient opens a directory on an emulator and takes its typed
// client; more adjusts the directory's options.
func logtoClient(t *testing.T, opts logtotest.Options, more func(*logto.Options)) (*logto.Client, *identity.Directory, *logtotest.Server) {
	t.Helper()
	srv := logtotest.NewServer(t, opts)
	o := logto.Options{Endpoint: srv.URL, AppID: opts.AppID, AppSecret: identity.Secret(opts.AppSecret)}
	if more != nil {
		more(&o)
	}
	c, dir := passthroughtest.Open[logto.Client](t, func() (*identity.Directory, error) { return logto.New(context.Background(), o) })
	return c, dir, srv
}

func requestsTo(srv *logtotest.Server) func() int {
	return func() int {
		n := 0
		for _, v := range srv.Requests() {
			n += v
		}
		return n
	}
}

func TestClientDo(t *testing.T) {
	ctx := context.Background()
	c, dir, srv := logtoClient(t, logtotest.Options{AppID: "m2m", AppSecret: "client-test-secret"}, nil)
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "ada"})
	require.NoError(t, err)
	hasPassword := func() bool {
		var out struct {
			HasPassword *bool `json:"hasPassword"`
		}
		require.NoError(t, c.Do(ctx, "GET", "/api/users/"+u.ID+"/has-password", nil, &out))
		require.NotNil(t, out.HasPassword)
		return *out.HasPassword
	}

	t.Run("decodes", func(t *testing.T) {
		assert.False(t, hasPassword())
		require.NoError(t, c.Do(ctx, "PATCH", "/api/users/"+u.ID+"/password", map[string]string{"password": "a long passphrase"}, nil))
		assert.True(t, hasPassword())
		require.NoError(t, dir.VerifyPassword(ctx, u.ID, "a long passphrase"), "a write through Do is Logto's")
		var users []struct {
			ID string `json:"id"`
		}
		require.NoError(t, c.Do(ctx, "GET", "/api/users?search.username=ada&mode.username=exact", nil, &users))
		require.Len(t, users, 1)
		assert.Equal(t, u.ID, users[0].ID)
	})
	client := passthroughtest.Client{Backend: "logto", Do: c.Do, Path: "/api/roles", Requests: requestsTo(srv)}
	t.Run("maps errors", func(t *testing.T) {
		passthroughtest.Cases(t, client, []passthroughtest.Case{
			{Method: "GET", Path: "/api/users/nosuchuser/has-password", Code: identity.NotFound, Provider: "entity.not_found"},
			{Method: "GET", Path: "/api/roles/nosuchrole", Code: identity.NotFound, Provider: "entity.not_exists_with_id"},
			{Method: "POST", Path: "/api/users/" + u.ID + "/password/verify", Body: map[string]string{"password": "wrong"}, Code: identity.InvalidCredentials, Provider: "session.invalid_credentials"},
			{Method: "POST", Path: "/api/users", Body: map[string]any{"username": 1}, Code: identity.InvalidArgument, Provider: "guard.invalid_input"},
			{Method: "GET", Path: "/api/no/such/route", Code: identity.NotFound}, // Koa's text/plain 404
		}, func(t *testing.T, tc passthroughtest.Case, _ *identity.Error, body *logto.APIError) {
			assert.Equal(t, "logto "+body.Code+": "+body.Message, body.Error())
			if tc.Provider == "guard.invalid_input" {
				assert.NotNil(t, body.Data, "the zod issues")
				assert.NotEmpty(t, body.Details)
			}
		})
	})
	passthroughtest.Run(t, client)
}

// TestClientKeepsSecrets sends Do's requests with a canary app secret to a
// server that echoes the Authorization header (the access token the
// emulator issued) into every part of Logto's error body: neither the
// error, its decoded body, the log nor the Client shows either credential.
func TestClientKeepsSecrets(t *testing.T) {
	cn := secrettest.New(t)
	secret := cn.Make("app-secret")
	echo := passthroughtest.Echo("/api/echo", "", http.StatusForbidden,
		`{"code":"auth.forbidden","data":{"token":"%[1]s","issues":[{"message":"%[1]s"}]},"details":"%[1]s","message":"Forbidden for %[1]s"}`)
	opts := logtotest.Options{AppID: "m2m", AppSecret: secret, Middleware: func(h http.Handler) http.Handler { return cn.Middleware(echo(h)) }}
	c, _, _ := logtoClient(t, opts, func(o *logto.Options) { o.Logger = cn.Logger() })
	body, err := passthroughtest.CheckSecrets[*logto.APIError](t, cn, passthroughtest.Client{Backend: "logto", Do: c.Do, Value: c}, "/api/echo", "/api/users/nosuchuser")
	assert.ErrorIs(t, err, identity.ErrPermissionDenied)
	require.True(t, cn.Has("bearer"), "the access token was seen too")
	assert.Contains(t, body.Message, "[REDACTED]", "the rest of the body is kept")
}
