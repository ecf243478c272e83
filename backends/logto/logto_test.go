package logto_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const canarySecret = "canary-logto-secret-77aa"

// emulated starts a schema-checked emulator and opens a directory on it.
func emulated(t *testing.T, eo logtotest.Options) (*identity.Directory, *logtotest.Server) {
	t.Helper()
	eo.AppID, eo.AppSecret = "m2m", "s3cret"
	eo.Middleware = openapicheck.Middleware(t, "logto", schemaOptions)
	srv := logtotest.NewServer(t, eo)
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	return dir, srv
}

func TestExpiredTokenIsRefreshed(t *testing.T) {
	clock := time.Now()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	dir, srv := emulated(t, logtotest.Options{TokenLifetime: time.Hour, Now: now})
	ctx := context.Background()
	_, err := dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com"})
	require.NoError(t, err)
	mu.Lock()
	clock = clock.Add(2 * time.Hour) // the server now thinks the token expired
	mu.Unlock()
	_, err = dir.GetUserByEmail(ctx, "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokenRequests())
}

func TestOptionsAndURL(t *testing.T) {
	ctx := context.Background()
	bad := map[string]logto.Options{
		"Endpoint":  {AppID: "a", AppSecret: "s"},
		"AppID":     {Endpoint: "https://x.example.com", AppSecret: "s"},
		"AppSecret": {Endpoint: "https://x.example.com", AppID: "a"},
	}
	for field, opts := range bad {
		_, err := logto.New(ctx, opts)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, field, ie.Field)
	}
	_, err := logto.New(ctx, logto.Options{Endpoint: "http://auth.example.com", AppID: "a", AppSecret: canarySecret})
	require.ErrorIs(t, err, identity.ErrInvalidArgument, "plain http to a remote host")
	assert.NotContains(t, err.Error(), canarySecret)

	// The app's credentials from the environment; the URLs the opener
	// refuses are TestKit/PlainHTTPOnlyToLoopback's.
	t.Setenv(logto.EnvAppID, "a")
	t.Setenv(logto.EnvAppSecret, canarySecret)
	dir, err := identity.Open(ctx, "logto://localhost:3001?insecure_http=true")
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", dir, dir, dir), canarySecret)
}

func TestMachineToMachineRole(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com"})
	require.NoError(t, err)
	token := fetchToken(t, srv.URL)
	req, _ := http.NewRequest("POST", srv.URL+"/api/roles", strings.NewReader(`{"name":"machines","description":"m2m","type":"MachineToMachine"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	// A machine role is not a user role: every role call answers it as
	// missing, as ListRoles leaves it out.
	err = dir.AssignRole(ctx, u.ID, "machines")
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.NotFound, ie.Code)
	assert.Equal(t, "machines", ie.Role)
	require.ErrorIs(t, dir.RevokeRole(ctx, u.ID, "machines"), identity.ErrNotFound)
	roles, err := dir.ListRoles(ctx)
	require.NoError(t, err)
	assert.Empty(t, roles, "machine roles are not user roles")
	require.ErrorIs(t, dir.DeleteRole(ctx, "machines"), identity.ErrNotFound, "nor can they be deleted as such")
}

func TestPhoneAndNames(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Phone: "+14155550100", GivenName: "Ada", Username: "ada"})
	require.NoError(t, err)
	assert.Equal(t, "+14155550100", u.Phone)
	assert.Contains(t, string(u.Raw), `"primaryPhone":"14155550100"`, "Logto keeps digits only")
	assert.Equal(t, "Ada", u.GivenName)
	assert.Equal(t, identity.StatusActive, u.Status)
	assert.Len(t, u.ID, 12)
	got, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Phone: new(""), Email: new("ada@example.com")})
	require.NoError(t, err)
	assert.Empty(t, got.Phone)
	assert.True(t, got.EmailVerified)
}

// Emulator behaviour seen from a plain client.

func fetchToken(t *testing.T, endpoint string) string {
	t.Helper()
	resp, err := http.PostForm(endpoint+"/oidc/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"m2m"}, "client_secret": {"s3cret"},
		"resource": {logtotest.DefaultResource}, "scope": {"all"},
	})
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.Equal(t, 3600, tok.ExpiresIn)
	require.Equal(t, 2, strings.Count(tok.AccessToken, "."), "JWT-shaped")
	return tok.AccessToken
}

func apiCall(t *testing.T, method, u, token, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestEmulatorAuthErrors(t *testing.T) {
	_, srv := emulated(t, logtotest.Options{})
	cases := map[string]string{
		"":             "auth.authorization_header_missing",
		"Basic abc":    "auth.authorization_token_type_not_supported",
		"Bearer x.y.z": "auth.unauthorized",
	}
	for header, code := range cases {
		resp, body := apiCall(t, "GET", srv.URL+"/api/users", header, "")
		assert.Equal(t, 401, resp.StatusCode)
		assert.Contains(t, body, `"code":"`+code+`"`)
	}
	resp, _ := http.PostForm(srv.URL+"/oidc/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"m2m"}, "client_secret": {"s3cret"}})
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode, "no resource indicator")
}

func TestEmulatorListing(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	ctx := context.Background()
	for i := range 5 {
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("user%d@example.com", i), Username: fmt.Sprintf("user%d", i)})
		require.NoError(t, err)
	}
	tok := "Bearer " + fetchToken(t, srv.URL)
	resp, body := apiCall(t, "GET", srv.URL+"/api/users?page=2&page_size=2", tok, "")
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Total-Number"))
	links := resp.Header.Values("Link")
	require.Len(t, links, 4, "first, prev, last, next")
	for _, l := range links {
		assert.NotContains(t, l, "/api/", "Link URLs leave out the /api prefix")
	}
	assert.Contains(t, links[0], `page=1`)
	assert.Contains(t, links[0], `rel="first"`)
	assert.Contains(t, links[3], `rel="next"`)
	var users []map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &users))
	require.Len(t, users, 2)
	assert.Equal(t, "user2@example.com", users[0]["primaryEmail"], "newest first")

	for q, want := range map[string]int{
		"search.primaryEmail=USER1%40example.com&mode.primaryEmail=exact":                      1,
		"search.primaryEmail=USER1%40example.com&mode.primaryEmail=exact&isCaseSensitive=true": 0,
		"search.username=user1&search.username=user3&mode.username=exact":                      2,
		"search=%25user%25": 5,
		"search.primaryEmail=%25r1%25&search.username=%25r2%25":           2,
		"search.primaryEmail=%25r1%25&search.username=%25r2%25&joint=and": 0,
		"search.username=%5Euser%5B03%5D%24&mode.username=posix":          2,
	} {
		resp, body := apiCall(t, "GET", srv.URL+"/api/users?"+q, tok, "")
		require.Equal(t, 200, resp.StatusCode, q)
		var got []any
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		assert.Len(t, got, want, q)
	}
	for _, q := range []string{"page_size=101", "search.a.b=1", "mode=similar_to&search.name=x"} {
		resp, body := apiCall(t, "GET", srv.URL+"/api/users?"+q, tok, "")
		assert.Equal(t, 400, resp.StatusCode, q)
		assert.True(t, strings.Contains(body, "guard.invalid_pagination") || strings.Contains(body, "request.invalid_input"), body)
	}
}

func TestEmulatorHostileInput(t *testing.T) {
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret"})
	tok := "Bearer " + fetchToken(t, srv.URL)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/users", `{"username":"1bad"}`},
		{"POST", "/api/users", `{"primaryPhone":"+1555"}`},
		{"POST", "/api/users", `[`},
		{"POST", "/api/users", `{"customData":[1]}`},
		{"POST", "/api/users", strings.Repeat("x", 2<<20)},
		{"PATCH", "/api/users/nope/is-suspended", `{"isSuspended":"yes"}`},
		{"POST", "/api/roles", `{"name":"x"}`},
		{"POST", "/api/users/nope/roles", `{"roleIds":"x"}`},
		{"GET", "/api/nothing", ``},
		{"DELETE", "/api/users/%2F..%2F", ``},
		{"GET", "/api/users?page=0", ``},
		{"GET", "/api/users?page_size=x", ``},
	} {
		resp, body := apiCall(t, c.method, srv.URL+c.path, tok, c.body)
		assert.GreaterOrEqual(t, resp.StatusCode, 400, c.path)
		assert.Less(t, resp.StatusCode, 500, c.path)
		// Logto answers malformed JSON, an oversized body and an unknown
		// path without its {code, message} body; logtotest's own tests
		// pin each answer.
		assert.NotEmpty(t, body, c.path)
	}
}
