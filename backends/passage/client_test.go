package passage_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/httpx/passthroughtest"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// passageClient opens a directory on an emulator of app "app1" and
// takes its typed client; more adjusts the directory's options.
func passageClient(t *testing.T, opts passagetest.Options, more func(*passage.Options)) (*passage.Client, *identity.Directory, *passagetest.Server) {
	t.Helper()
	opts.AppID = "app1"
	srv := passagetest.NewServer(t, opts)
	o := passage.Options{AppID: "app1", APIKey: identity.Secret(opts.APIKey), BaseURL: srv.URL + "/v1"}
	if more != nil {
		more(&o)
	}
	c, dir := passthroughtest.Open[passage.Client](t, func() (*identity.Directory, error) { return passage.New(context.Background(), o) })
	return c, dir, srv
}

type devices struct {
	Devices []struct {
		ID           string `json:"id"`
		FriendlyName string `json:"friendly_name"`
	} `json:"devices"`
}

func TestClientDo(t *testing.T) {
	ctx := context.Background()
	c, dir, srv := passageClient(t, passagetest.Options{APIKey: "client-test-key"}, nil)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	devID, ok := srv.AddDevice(u.ID, passagetest.Device{FriendlyName: "laptop"})
	require.True(t, ok)
	path := "/apps/app1/users/" + u.ID + "/devices"

	t.Run("decodes", func(t *testing.T) {
		var got devices
		require.NoError(t, c.Do(ctx, "GET", path, nil, &got))
		require.Len(t, got.Devices, 1)
		assert.Equal(t, devID, got.Devices[0].ID)
		assert.Equal(t, "laptop", got.Devices[0].FriendlyName)
		require.NoError(t, c.Do(ctx, "DELETE", path+"/"+devID, nil, nil))
		got = devices{}
		require.NoError(t, c.Do(ctx, "GET", path, nil, &got))
		assert.Empty(t, got.Devices, "a delete through Do is Passage's")
	})
	client := passthroughtest.Client{Backend: "passage", Do: c.Do, Path: "/apps/app1/users", Requests: func() int {
		n := 0
		for _, v := range srv.Requests() {
			n += v
		}
		return n
	}}
	t.Run("maps errors", func(t *testing.T) {
		passthroughtest.Cases(t, client, []passthroughtest.Case{
			{Method: "GET", Path: "/apps/app1/users/nosuchuser/devices", Code: identity.NotFound, Provider: "user_not_found"},
			{Method: "DELETE", Path: path + "/nosuchdevice", Code: identity.NotFound, Provider: "device_not_found"},
			{Method: "GET", Path: "/apps/otherapp/users", Code: identity.InvalidArgument, Field: "AppID", Provider: "app_not_found"},
			{Method: "PATCH", Path: "/apps/app1/users/" + u.ID, Body: map[string]any{"user_metadata": map[string]string{"plan": "pro"}},
				Code: identity.InvalidArgument, Field: "Metadata.plan", Provider: "metadata_field_not_found"},
		}, func(t *testing.T, _ passthroughtest.Case, _ *identity.Error, body *passage.APIError) {
			assert.NotEmpty(t, body.Message, "Passage's error text")
			assert.Equal(t, "passage "+body.Code+": "+body.Message, body.Error())
		})
	})
	passthroughtest.Run(t, client)
}

// TestClientKeepsSecrets sends Do's requests with a canary API key to a
// server that echoes the Authorization header into Passage's error body:
// neither the error, its decoded body, the log nor the Client shows it.
func TestClientKeepsSecrets(t *testing.T) {
	cn := secrettest.New(t)
	key := cn.Make("api-key")
	echo := passthroughtest.Echo("/v1/apps/app1/users/echo", "", http.StatusUnauthorized,
		`{"code":"invalid_access_token %[1]s","error":"the key %[1]s is not valid"}`)
	opts := passagetest.Options{APIKey: key, Middleware: func(h http.Handler) http.Handler { return cn.Middleware(echo(h)) }}
	c, _, _ := passageClient(t, opts, func(o *passage.Options) { o.Logger = cn.Logger() })
	body, err := passthroughtest.CheckSecrets[*passage.APIError](t, cn, passthroughtest.Client{Backend: "passage", Do: c.Do, Value: c}, "/apps/app1/users/echo", "/apps/app1/users/nosuchuser")
	assert.ErrorIs(t, err, identity.ErrUnauthenticated)
	assert.Equal(t, "the key [REDACTED] is not valid", body.Message)
}
