package openapicheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const passageUser = `{"user":{"id":"u1","email":"a@example.com","email_verified":false,"phone":"","phone_verified":false,
"status":"active","user_metadata":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z",
"last_login_at":"0001-01-01T00:00:00Z","login_count":0,"external_id":"","recent_events":[],"social_connections":{},
"webauthn":false,"webauthn_devices":[],"webauthn_types":[]}}`

func serve(t *testing.T, provider string, opts Options, status int, body string) (*Checker, *httptest.Server) {
	t.Helper()
	spec, err := Load(provider)
	require.NoError(t, err)
	c := spec.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}), opts)
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func send(t *testing.T, srv *httptest.Server, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
}

func TestValidTraffic(t *testing.T) {
	cases := []struct {
		provider, method, path, reqBody string
		status                          int
		respBody                        string
		opts                            Options
	}{
		{"passage", "POST", "/v1/apps/app1/users", `{"email":"a@example.com"}`, 201, passageUser, Options{BasePath: "/v1"}},
		{"logto", "POST", "/api/users", `{"primaryEmail":"a@example.com"}`, 200,
			`{"id":"d6cptwvrtkj1","username":"gouser1","primaryEmail":"gouser1@example.com","primaryPhone":null,"name":"Go User 1","avatar":null,"customData":{},"identities":{},"lastSignInAt":null,"createdAt":1795355117975,"updatedAt":1795355117975,"profile":{},"applicationId":null,"isSuspended":false,"hasPassword":true}`, Options{}},
		{"logto", "GET", "/api/users?search.primaryEmail=a%40example.com&mode.primaryEmail=exact&page=1&page_size=20", "", 200, `[]`, Options{}},
		{"okta", "POST", "/api/v1/users/00u1/lifecycle/suspend", "", 200, "", Options{}},
	}
	for _, c := range cases {
		t.Run(c.provider+" "+c.method+" "+c.path, func(t *testing.T) {
			chk, srv := serve(t, c.provider, c.opts, c.status, c.respBody)
			send(t, srv, c.method, c.path, c.reqBody)
			assert.Empty(t, chk.Violations())
			assert.Equal(t, 1, chk.Checked())
		})
	}
}

func TestViolations(t *testing.T) {
	cases := []struct {
		name, provider, method, path, reqBody string
		status                                int
		respBody                              string
		phase                                 string
	}{
		{"missing required field", "passage", "GET", "/v1/apps/a/users/u1", "", 200, `{"user":{"id":"u1"}}`, "response"},
		{"undocumented status", "passage", "GET", "/v1/apps/a/users/u1", "", 418, `{"code":"teapot","error":"x"}`, "response"},
		{"unknown path", "logto", "GET", "/api/nothing-here", "", 200, `{}`, "request"},
		{"bad request body", "logto", "PATCH", "/api/users/u1/is-suspended", `{"isSuspended":"yes"}`, 200, `{}`, "request"},
		{"wrong method", "okta", "PATCH", "/api/v1/users/00u1/lifecycle/suspend", "", 200, "", "request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chk, srv := serve(t, c.provider, Options{BasePath: "/v1"}, c.status, c.respBody)
			if c.provider != "passage" {
				chk.opts.BasePath = ""
			}
			send(t, srv, c.method, c.path, c.reqBody)
			v := chk.Violations()
			require.NotEmpty(t, v)
			assert.Equal(t, c.phase, v[0].Phase, v[0].String())
		})
	}
}

func TestUnchecked(t *testing.T) {
	chk, srv := serve(t, "okta", Options{Unchecked: []string{"/oauth2/v1/token"}}, 200, `{"access_token":"x"}`)
	send(t, srv, "POST", "/oauth2/v1/token", "")
	assert.Empty(t, chk.Violations())
	assert.Zero(t, chk.Checked())
}

func TestLoadUnknown(t *testing.T) {
	_, err := Load("nope")
	assert.Error(t, err)
}
