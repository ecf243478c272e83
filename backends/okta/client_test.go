package okta_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/httpx/passthroughtest"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientFor opens a directory on an emulator and takes its typed client.
func clientFor(t *testing.T, opts oktatest.Options, logger func(o *okta.Options)) (*okta.Client, *identity.Directory, *oktatest.Server) {
	t.Helper()
	srv := oktatest.NewServer(t, opts)
	o := okta.Options{OrgURL: srv.URL, APIToken: identity.Secret(opts.APIToken), NamesOptional: opts.NamesOptional}
	if logger != nil {
		logger(&o)
	}
	c, dir := passthroughtest.Open[okta.Client](t, func() (*identity.Directory, error) { return okta.New(context.Background(), o) })
	return c, dir, srv
}

func TestClientDo(t *testing.T) {
	ctx := context.Background()
	c, dir, srv := clientFor(t, oktatest.Options{APIToken: "client-test-token", NamesOptional: true}, nil)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	require.True(t, srv.AddAppLink(u.ID, oktatest.AppLink{ID: "0oa1", Label: "Wiki", SortOrder: 2}))

	t.Run("decodes", func(t *testing.T) {
		var links []oktatest.AppLink
		require.NoError(t, c.Do(ctx, "GET", "/api/v1/users/"+u.ID+"/appLinks", nil, &links))
		assert.Equal(t, []oktatest.AppLink{{ID: "0oa1", Label: "Wiki", SortOrder: 2}}, links)
		var got struct {
			Status  string            `json:"status"`
			Profile map[string]string `json:"profile"`
		}
		require.NoError(t, c.Do(ctx, "GET", "/api/v1/users?search=profile.email+eq+%22ada%40example.com%22", nil, &[]any{}))
		require.NoError(t, c.Do(ctx, "POST", "/api/v1/users/"+u.ID, map[string]any{"profile": map[string]string{"title": "Countess"}}, &got))
		assert.Equal(t, "Countess", got.Profile["title"], "a write through Do is Okta's")
		back, err := dir.GetUser(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, "Countess", back.Metadata["title"])
	})
	client := passthroughtest.Client{Backend: "okta", Do: c.Do, Path: "/api/v1/users", Requests: srv.Requests}
	t.Run("maps errors", func(t *testing.T) {
		passthroughtest.Cases(t, client, []passthroughtest.Case{
			{Method: "GET", Path: "/api/v1/users/00uMissing/appLinks", Code: identity.NotFound, Provider: "E0000007"},
			{Method: "GET", Path: "/api/v1/no/such/route", Code: identity.NotFound, Provider: "E0000007"},
			{Method: "POST", Path: "/api/v1/users/" + u.ID + "/lifecycle/unsuspend", Code: identity.InvalidArgument, Provider: "E0000001"},
			{Method: "PATCH", Path: "/api/v1/users", Body: map[string]int{}, Code: identity.Internal, Provider: "E0000022"},
		}, func(t *testing.T, tc passthroughtest.Case, ie *identity.Error, body *okta.APIError) {
			assert.NotEmpty(t, ie.RequestID)
			assert.Equal(t, tc.Provider, body.ErrorLink)
			assert.Equal(t, "okta "+body.ErrorCode+": "+body.ErrorSummary, body.Error(), "the summary is the message")
			assert.NotEmpty(t, body.ErrorSummary)
		})
	})
	passthroughtest.Run(t, client)
}

// TestClientKeepsSecrets runs Do with a canary token against a server
// that echoes the Authorization header into Okta's error body and request
// id: neither the error, its decoded body, the log nor the Client shows
// it.
func TestClientKeepsSecrets(t *testing.T) {
	cn := secrettest.New(t)
	token := cn.Make("api-token")
	echo := passthroughtest.Echo("/api/v1/echo", "X-Okta-Request-Id", http.StatusForbidden,
		`{"errorCode":"E0000006","errorSummary":"denied to %[1]s","errorLink":"%[1]s","errorId":"%[1]s","errorCauses":[{"errorSummary":"token: %[1]s"}]}`)
	opts := oktatest.Options{APIToken: token, Middleware: func(h http.Handler) http.Handler { return cn.Middleware(echo(h)) }}
	c, _, _ := clientFor(t, opts, func(o *okta.Options) { o.Logger = cn.Logger() })
	body, err := passthroughtest.CheckSecrets[*okta.APIError](t, cn, passthroughtest.Client{Backend: "okta", Do: c.Do, Value: c}, "/api/v1/echo", "/api/v1/users/00uMissing")
	assert.ErrorIs(t, err, identity.ErrPermissionDenied)
	assert.Contains(t, body.ErrorCauses[0].ErrorSummary, "[REDACTED]", "the rest of the body is kept")
}
