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
	o := okta.Options{OrgURL: srv.URL, APIToken: identity.Secret(opts.APIToken)}
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
	t.Run("maps errors", func(t *testing.T) {
		cases := []struct {
			method, path string
			body         any
			code         identity.Code
			okta         string
		}{
			{"GET", "/api/v1/users/00uMissing/appLinks", nil, identity.NotFound, "E0000007"},
			{"GET", "/api/v1/no/such/route", nil, identity.NotFound, "E0000007"},
			{"POST", "/api/v1/users/" + u.ID + "/lifecycle/unsuspend", nil, identity.InvalidArgument, "E0000001"},
			{"PATCH", "/api/v1/users", map[string]int{}, identity.Internal, "E0000022"},
		}
		for _, tc := range cases {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				err := c.Do(ctx, tc.method, tc.path, tc.body, nil)
				ie := passthroughtest.Failed(t, err, "okta", tc.code)
				assert.NotEmpty(t, ie.RequestID)
				var body *okta.APIError
				require.ErrorAs(t, err, &body)
				assert.Equal(t, tc.okta, body.ErrorCode)
				assert.Equal(t, tc.okta, body.ErrorLink)
				assert.NotEmpty(t, body.ErrorSummary)
				assert.Equal(t, "okta "+body.ErrorCode+": "+body.ErrorSummary, body.Error())
			})
		}
	})
	passthroughtest.Run(t, passthroughtest.Client{Backend: "okta", Do: c.Do, Path: "/api/v1/users", Requests: srv.Requests})
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
	err := passthroughtest.CheckSecrets(t, cn, passthroughtest.Client{Backend: "okta", Do: c.Do, Value: c}, "/api/v1/echo", "/api/v1/users/00uMissing")
	assert.ErrorIs(t, err, identity.ErrPermissionDenied)
	var body *okta.APIError
	require.ErrorAs(t, err, &body)
	assert.Contains(t, body.ErrorCauses[0].ErrorSummary, "[REDACTED]", "the rest of the body is kept")
	cn.Check(t, "decoded body", body)
}
