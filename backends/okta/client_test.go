package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	dir, err := okta.New(context.Background(), o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	var c *okta.Client
	require.True(t, dir.As(&c))
	require.NotNil(t, c)
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
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tc.code, ie.Code)
				assert.Equal(t, "Do", ie.Op)
				assert.Equal(t, "okta", ie.Backend)
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

// TestClientAs checks As hands out the Client for a **Client only.
func TestClientAs(t *testing.T) {
	_, dir, _ := clientFor(t, oktatest.Options{APIToken: "client-test-token"}, nil)
	var hc *http.Client
	assert.False(t, dir.As(&hc))
	var c okta.Client
	assert.False(t, dir.As(&c), "a *Client is not a **Client")
	assert.False(t, dir.As(nil))
}

// TestClientKeepsSecrets runs Do's paths with a canary token against a
// server that echoes the Authorization header into Okta's error body:
// neither the error, its decoded body, the log nor the Client shows it.
func TestClientKeepsSecrets(t *testing.T) {
	cn := secrettest.New(t)
	token := cn.Make("api-token")
	echo := func(next http.Handler) http.Handler {
		return cn.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/api/v1/echo") {
				next.ServeHTTP(w, r)
				return
			}
			auth := r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Okta-Request-Id", auth)
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"errorCode":"E0000006","errorSummary":"denied to %s","errorLink":%q,"errorId":%q,"errorCauses":[{"errorSummary":"token: %s"}]}`, auth, auth, auth, auth)
		}))
	}
	c, _, _ := clientFor(t, oktatest.Options{APIToken: token, Middleware: echo}, func(o *okta.Options) { o.Logger = cn.Logger() })
	ctx := context.Background()
	err := c.Do(ctx, "GET", "/api/v1/echo", nil, nil)
	assert.ErrorIs(t, err, identity.ErrPermissionDenied)
	var body *okta.APIError
	require.True(t, errors.As(err, &body))
	assert.Contains(t, body.ErrorSummary, "[REDACTED]", "the rest of the body is kept")
	cn.Check(t, "echoed error", err, body)
	cn.Check(t, "not found", c.Do(ctx, "GET", "/api/v1/users/00uMissing", nil, nil))
	cn.Check(t, "refused path", c.Do(ctx, "GET", "//evil.example/", nil, nil))
	cn.Check(t, "client", c)
	assert.Equal(t, "okta.Client", fmt.Sprint(c))
	assert.Equal(t, "okta.Client|okta.Client|okta.Client", fmt.Sprintf("%+v|%#v|%s", c, c, c))
}
