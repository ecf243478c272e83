package logtotest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/emulate"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	appID     = "m2m"
	appSecret = "s3cret"
)

// schemaOptions lets through what Logto's document leaves out: the token
// endpoint, which is not in it, and statuses Logto was seen to send on
// routes whose document omits them.
var schemaOptions = openapicheck.Options{
	Unchecked: []string{"/oidc/token"},
	ExtraStatuses: map[string][]int{
		"PATCH /api/users/{userId}/password":  {404},
		"GET /api/users/{userId}/custom-data": {404},
		// Observed on 1.37.1 (SEMANTICS.md 5.1.7): a PAT for a missing
		// user, and a rename to a name the user already has.
		"POST /api/users/{userId}/personal-access-tokens":         {404},
		"PATCH /api/users/{userId}/personal-access-tokens":        {422},
		"PATCH /api/users/{userId}/personal-access-tokens/{name}": {422},
	},
}

type client struct {
	t     *testing.T
	srv   *logtotest.Server
	clock *emulate.Clock
	token string
}

// newClient starts a schema-checked emulator and fetches a token.
func newClient(t *testing.T, opts logtotest.Options) *client {
	t.Helper()
	clk := emulate.NewClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	opts.AppID, opts.AppSecret, opts.Now = appID, appSecret, clk.Now
	if opts.Middleware == nil {
		opts.Middleware = openapicheck.Middleware(t, "logto", schemaOptions)
	}
	c := &client{t: t, srv: logtotest.NewServer(t, opts), clock: clk}
	r := c.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "resource": {logtotest.DefaultResource}, "scope": {"all"}}, appID, appSecret)
	require.Equal(t, 200, r.status, string(r.raw))
	c.token = r.obj()["access_token"].(string)
	return c
}

type res struct {
	status int
	header http.Header
	raw    []byte
}

// decode reads a body as T; one that is not a T reads as T's zero value,
// which the assertions on it then report.
func decode[T any](raw []byte) (v T) {
	_ = json.Unmarshal(raw, &v)
	return v
}

func (r res) obj() map[string]any { return decode[map[string]any](r.raw) }

func (r res) list() []map[string]any { return decode[[]map[string]any](r.raw) }

func (r res) code() string { s, _ := r.obj()["code"].(string); return s }

func (c *client) send(req *http.Request) res {
	c.t.Helper()
	rs := emulate.Send(c.t, req)
	return res{status: rs.Status, header: rs.Header, raw: rs.Body}
}

// tokenRequest posts form to /oidc/token, with HTTP Basic when id is set.
func (c *client) tokenRequest(form url.Values, id, secret string) res {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.srv.URL+"/oidc/token", strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	return c.send(req)
}

// do sends an API request with the client's token; body is sent as is.
func (c *client) do(method, path, body string) res {
	c.t.Helper()
	return c.doAuth(method, path, body, "Bearer "+c.token)
}

func (c *client) doAuth(method, path, body, auth string) res {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	require.NoError(c.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return c.send(req)
}

// create makes a user from a JSON body and returns its id.
func (c *client) create(body string) string {
	c.t.Helper()
	r := c.do("POST", "/api/users", body)
	require.Equal(c.t, 200, r.status, string(r.raw))
	return r.obj()["id"].(string)
}

func TestTokenEndpoint(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	good := url.Values{"grant_type": {"client_credentials"}, "resource": {logtotest.DefaultResource}, "scope": {"all"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	inForm := with("client_id", appID)
	inForm.Set("client_secret", appSecret)
	cases := []struct {
		name       string
		form       url.Values
		id, secret string
		status     int
		want       map[string]any // keys the body must hold with these values
	}{
		{"basic", good, appID, appSecret, 200, map[string]any{"token_type": "Bearer", "scope": "all", "expires_in": 3600.0}},
		{"form", inForm, "", "", 200, map[string]any{"token_type": "Bearer"}},
		{"unknown client", good, "nobody", appSecret, 400, map[string]any{
			"code": "oidc.invalid_client", "error": "invalid_client", "error_description": "invalid client nobody",
			"message": "An OIDC error occurred: oidc.invalid_client.",
		}},
		{"wrong secret", good, appID, "wrong", 401, map[string]any{
			"code": "oidc.invalid_client", "error": "invalid_client", "message": "An OIDC error occurred: oidc.invalid_client.",
		}},
		{"no resource", with("resource", ""), appID, appSecret, 400, map[string]any{
			"code": "oidc.invalid_target", "error": "invalid_target", "message": "Invalid resource indicator.",
		}},
		{"wrong resource", with("resource", "https://other.example/api"), appID, appSecret, 400, map[string]any{"code": "oidc.invalid_target"}},
		{"wrong grant", with("grant_type", "password"), appID, appSecret, 400, map[string]any{"code": "oidc.unsupported_grant_type", "error": "unsupported_grant_type"}},
		{"no client", good, "", "", 400, map[string]any{"code": "oidc.invalid_request", "error": "invalid_request"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.tokenRequest(tc.form, tc.id, tc.secret)
			require.Equal(t, tc.status, r.status, string(r.raw))
			body := r.obj()
			for k, v := range tc.want {
				assert.Equal(t, v, body[k], k)
			}
			if tc.status != 200 {
				assert.NotEmpty(t, body["error_description"])
				return
			}
			parts := strings.Split(body["access_token"].(string), ".")
			require.Len(t, parts, 3, "the token is JWT-shaped")
		})
	}
}

func TestTokenExpiryAndAuthFailures(t *testing.T) {
	c := newClient(t, logtotest.Options{TokenLifetime: time.Minute})
	unauthorized := "Unauthorized. Please check credentials and its scope."
	const ownToken = "own token"
	cases := []struct {
		name     string
		auth     string
		advance  time.Duration
		revoke   bool
		code     string
		joseCode string
	}{
		{"no header", "", 0, false, "auth.authorization_header_missing", ""},
		{"basic scheme", "Basic eDp5", 0, false, "auth.authorization_token_type_not_supported", ""},
		{"garbage", "Bearer garbage", 0, false, "auth.unauthorized", "ERR_JWS_INVALID"},
		{"expired", ownToken, time.Minute, false, "auth.unauthorized", "ERR_JWT_EXPIRED"},
		{"revoked", ownToken, 0, true, "auth.unauthorized", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, logtotest.Options{TokenLifetime: time.Minute})
			auth := tc.auth
			if auth == ownToken {
				auth = "Bearer " + c.token
			}
			c.clock.Advance(tc.advance)
			if tc.revoke {
				c.srv.RevokeTokens()
			}
			r := c.doAuth("GET", "/api/users", "", auth)
			require.Equal(t, 401, r.status, string(r.raw))
			body := r.obj()
			assert.Equal(t, tc.code, body["code"])
			data, hasData := body["data"].(map[string]any)
			if tc.joseCode == "" {
				assert.False(t, hasData, "only auth.unauthorized carries data")
				return
			}
			assert.Equal(t, unauthorized, body["message"])
			require.True(t, hasData, string(r.raw))
			assert.Equal(t, tc.joseCode, data["code"])
			assert.NotEmpty(t, data["name"])
		})
	}
	c.clock.Advance(59 * time.Second)
	assert.Equal(t, 200, c.do("GET", "/api/users", "").status, "a token works until it expires")
}

func TestUserCRUD(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	id := c.create(`{"username":"ann","primaryEmail":"ann@example.com","name":"Ann","password":"pw"}`)
	assert.Regexp(t, `^[0-9a-z]{12}$`, id)
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"get", "GET", "/api/users/" + id, "", 200, ""},
		{"get missing", "GET", "/api/users/doesnotexist", "", 404, "entity.not_found"},
		{"duplicate username", "POST", "/api/users", `{"username":"ann"}`, 422, "user.username_already_in_use"},
		{"duplicate email ignoring case", "POST", "/api/users", `{"primaryEmail":"ANN@example.com"}`, 422, "user.email_already_in_use"},
		{"patch name", "PATCH", "/api/users/" + id, `{"name":"Ann Lee"}`, 200, ""},
		{"patch clears email", "PATCH", "/api/users/" + id, `{"primaryEmail":null}`, 200, ""},
		{"patch missing", "PATCH", "/api/users/doesnotexist", `{"name":"x"}`, 404, "entity.not_found"},
		{"custom data merge", "PATCH", "/api/users/" + id + "/custom-data", `{"customData":{"a":1}}`, 200, ""},
		{"has password", "GET", "/api/users/" + id + "/has-password", "", 200, ""},
		{"delete missing", "DELETE", "/api/users/doesnotexist", "", 404, "entity.not_found"},
		{"delete", "DELETE", "/api/users/" + id, "", 204, ""},
		{"get deleted", "GET", "/api/users/" + id, "", 404, "entity.not_found"},
	}
	for _, tc := range cases {
		c.t = t
		r := c.do(tc.method, tc.path, tc.body)
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.raw)
		if tc.code != "" {
			assert.Equal(t, tc.code, r.code(), tc.name)
			assert.NotEmpty(t, r.obj()["message"], tc.name)
		}
	}
}

func TestGuardErrors(t *testing.T) {
	c := newClient(t, logtotest.Options{Middleware: func(h http.Handler) http.Handler { return h }})
	id := c.create(`{"username":"ann"}`)
	cases := []struct {
		name, method, path, body string
		issueCode, details       string
	}{
		{"empty password", "PATCH", "/api/users/" + id + "/password", `{"password":""}`,
			"too_small", `Error in key path "password": (too_small) String must contain at least 1 character(s)`},
		{"no password", "POST", "/api/users/" + id + "/password/verify", `{}`,
			"invalid_type", `Error in key path "password": (invalid_type) Expected string but received undefined.`},
		{"bad username", "POST", "/api/users", `{"username":"1ann"}`,
			"invalid_string", `Error in key path "username": (invalid_string) Invalid`},
		{"number username", "POST", "/api/users", `{"username":12}`,
			"invalid_type", `Error in key path "username": (invalid_type) Expected string but received number.`},
		{"null email on create", "POST", "/api/users", `{"primaryEmail":null}`,
			"invalid_type", `Error in key path "primaryEmail": (invalid_type) Expected string but received null.`},
		{"customData string", "POST", "/api/users", `{"customData":"x"}`,
			"invalid_type", `Error in key path "customData": (invalid_type) Expected object but received string.`},
		{"suspend not boolean", "PATCH", "/api/users/" + id + "/is-suspended", `{"isSuspended":"yes"}`,
			"invalid_type", `Error in key path "isSuspended": (invalid_type) Expected boolean but received string.`},
		{"role type", "POST", "/api/roles", `{"name":"r","description":"d","type":"Bogus"}`,
			"invalid_enum_value", `Error in key path "type": (invalid_enum_value) Invalid enum value. Expected 'User' | 'MachineToMachine', received 'Bogus'`},
		{"role name empty", "POST", "/api/roles", `{"name":"","description":"d"}`,
			"too_small", `Error in key path "name": (too_small) String must contain at least 1 character(s)`},
		{"role ids", "POST", "/api/users/" + id + "/roles", `{}`,
			"invalid_type", `Error in key path "roleIds": (invalid_type) Expected array but received undefined.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do(tc.method, tc.path, tc.body)
			require.Equal(t, 400, r.status, string(r.raw))
			body := r.obj()
			assert.Equal(t, "guard.invalid_input", body["code"])
			assert.Equal(t, "The request body is invalid.", body["message"])
			assert.Equal(t, tc.details, body["details"])
			data := body["data"].(map[string]any)
			assert.Equal(t, "ZodError", data["name"])
			issues := data["issues"].([]any)
			require.Len(t, issues, 1)
			is := issues[0].(map[string]any)
			assert.Equal(t, tc.issueCode, is["code"])
			assert.NotEmpty(t, is["message"])
			assert.IsType(t, []any{}, is["path"])
		})
	}
	t.Run("invalid JSON", func(t *testing.T) {
		c.t = t
		r := c.do("POST", "/api/users", `{"username":`)
		assert.Equal(t, 400, r.status)
		assert.JSONEq(t, `{"message":"invalid JSON, only supports object and array"}`, string(r.raw))
	})
	t.Run("body validated before the user is looked up", func(t *testing.T) {
		c.t = t
		r := c.do("POST", "/api/users/doesnotexist/password/verify", `{}`)
		assert.Equal(t, 400, r.status)
		r = c.do("POST", "/api/users/doesnotexist/password/verify", `{"password":"x"}`)
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "entity.not_found", r.code())
	})
}

func TestUnknownRoutes(t *testing.T) {
	c := newClient(t, logtotest.Options{Middleware: func(h http.Handler) http.Handler { return h }})
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/api/nothing", 404, "Not Found"},
		{"GET", "/elsewhere", 404, "Not Found"},
		{"PUT", "/api/users", 405, "Method Not Allowed"},
		{"GET", "/oidc/token", 405, "Method Not Allowed"},
	}
	for _, tc := range cases {
		r := c.do(tc.method, tc.path, "")
		assert.Equal(t, tc.status, r.status, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.body, string(r.raw), "%s %s", tc.method, tc.path)
		assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/plain"), "%s %s", tc.method, tc.path)
	}
	assert.Equal(t, "GET, POST", c.do("PUT", "/api/users", "").header.Get("Allow"))
	assert.Equal(t, 1, c.srv.Requests()["POST /oidc/token"], "requests are counted by route")
}

func TestPaginationHeaders(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	var ids []string
	for i := range 5 {
		ids = append(ids, c.create(fmt.Sprintf(`{"username":"user%d","name":"P2 User"}`, i)))
		c.clock.Advance(time.Millisecond)
	}
	base := c.srv.URL + "/users?"
	cases := []struct {
		query string
		total string
		links []string
		ids   []string
	}{
		{"", "5", []string{base + `page=1>; rel="first"`, base + `page=1>; rel="last"`}, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"page=2&page_size=2", "5", []string{
			base + `page=1&page_size=2>; rel="first"`, base + `page=3&page_size=2>; rel="last"`,
			base + `page=1&page_size=2>; rel="prev"`, base + `page=3&page_size=2>; rel="next"`,
		}, []string{ids[2], ids[1]}},
		{"page_size=2&page=3", "5", []string{
			base + `page_size=2&page=1>; rel="first"`, base + `page_size=2&page=3>; rel="last"`,
			base + `page_size=2&page=2>; rel="prev"`,
		}, []string{ids[0]}},
		{"page=9&page_size=2", "5", []string{
			base + `page=1&page_size=2>; rel="first"`, base + `page=3&page_size=2>; rel="last"`,
			base + `page=8&page_size=2>; rel="prev"`,
		}, nil},
		{"search=P2%20User&page_size=100", "5", []string{
			base + `search=P2+User&page_size=100&page=1>; rel="first"`, base + `search=P2+User&page_size=100&page=1>; rel="last"`,
		}, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			r := c.do("GET", "/api/users?"+tc.query, "")
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, tc.total, r.header.Get("Total-Number"))
			var want []string
			for _, l := range tc.links {
				want = append(want, "<"+l)
			}
			assert.Equal(t, want, r.header.Values("Link"))
			var got []string
			for _, u := range r.list() {
				got = append(got, u["id"].(string))
			}
			assert.Equal(t, tc.ids, got)
		})
	}
	raw := newClient(t, logtotest.Options{Middleware: func(h http.Handler) http.Handler { return h }})
	for _, q := range []string{"page=0", "page_size=0", "page_size=101", "page=x"} {
		r := raw.do("GET", "/api/users?"+q, "")
		assert.Equal(t, 400, r.status, q)
		assert.JSONEq(t, `{"code":"guard.invalid_pagination","message":"The request pagination value is invalid."}`, string(r.raw), q)
	}
}

func TestSearchModes(t *testing.T) {
	c := newClient(t, logtotest.Options{Middleware: func(h http.Handler) http.Handler { return h }})
	ann := c.create(`{"username":"ann_lee","primaryEmail":"ann@example.com","name":"Ann Lee"}`)
	c.clock.Advance(time.Millisecond)
	bob := c.create(`{"username":"bob","primaryEmail":"bob@test.org","name":"Bob Stone"}`)
	cases := []struct {
		query string
		want  []string
		bad   string // the details of a 400 request.invalid_input
	}{
		{"search=%25example%25", []string{ann}, ""},
		{"search.primaryEmail=%25EXAMPLE%25", []string{ann}, ""},
		{"search.primaryEmail=%25EXAMPLE%25&isCaseSensitive=true", nil, ""},
		{"search.username=bob&mode.username=exact", []string{bob}, ""},
		{"search.username=BOB&search.username=ann_lee&mode=exact", []string{bob, ann}, ""},
		{"search.name=^Ann&mode=posix", []string{ann}, ""},
		{"search.name=(Ann|Bob)%25&mode=similar_to&isCaseSensitive=true", []string{bob, ann}, ""},
		{"search.name=ann%25&mode=similar_to&isCaseSensitive=true", nil, ""},
		{"search.primaryEmail=bob@test.org&mode=similar_to&isCaseSensitive=true", []string{bob}, ""},
		{"search.primaryEmail=bob@test_org&mode=similar_to&isCaseSensitive=true", []string{bob}, ""},
		{"search.primaryEmail=bob@test.or&mode=similar_to&isCaseSensitive=true", nil, ""},
		{"search.username=ann&search.name=%25Stone&joint=and", nil, ""},
		{"search.username=%25ann%25&search.name=%25Stone&joint=or", []string{bob, ann}, ""},
		{"search.name=Ann&mode=similar_to", nil, "Cannot use case-insensitive match for `similar to`."},
		{"search.name=a&search.name=b", nil, "Only one search value is allowed when search mode is not `exact`."},
		{"search.name=a&mode=fuzzy", nil, "Search match mode `fuzzy` is not valid, expect one of exact, like, similar_to, posix."},
		{"search.name=a&joint=xor", nil, "Search joint mode `xor` is not valid, expect one of or, and."},
		{"search.password=a", nil, "Search field `password` is not allowed. Expect one of id, primaryEmail, primaryPhone, username, name."},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			r := c.do("GET", "/api/users?"+tc.query, "")
			if tc.bad != "" {
				require.Equal(t, 400, r.status, string(r.raw))
				assert.Equal(t, "request.invalid_input", r.code())
				assert.Equal(t, "Input is invalid. "+tc.bad, r.obj()["message"])
				return
			}
			require.Equal(t, 200, r.status, string(r.raw))
			var got []string
			for _, u := range r.list() {
				got = append(got, u["id"].(string))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRoles(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	uid := c.create(`{"username":"ann"}`)
	mk := func(body string) string {
		r := c.do("POST", "/api/roles", body)
		require.Equal(t, 200, r.status, string(r.raw))
		return r.obj()["id"].(string)
	}
	admin := mk(`{"name":"admin","description":"Admins"}`)
	m2m := mk(`{"name":"robot","description":"Machines","type":"MachineToMachine"}`)
	assert.Regexp(t, `^[0-9a-z]{21}$`, admin)
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
		check                    func(t *testing.T, r res)
	}{
		{"duplicate name", "POST", "/api/roles", `{"name":"admin","description":"x"}`, 422, "role.name_in_use", nil},
		{"assign", "POST", "/api/users/" + uid + "/roles", `{"roleIds":["` + admin + `"]}`, 201, "", func(t *testing.T, r res) {
			assert.JSONEq(t, `{"roleIds":["`+admin+`"],"addedRoleIds":["`+admin+`"]}`, string(r.raw))
		}},
		{"assign again", "POST", "/api/users/" + uid + "/roles", `{"roleIds":["` + admin + `"]}`, 201, "", func(t *testing.T, r res) {
			assert.JSONEq(t, `{"roleIds":["`+admin+`"],"addedRoleIds":[]}`, string(r.raw))
		}},
		{"assign machine role", "POST", "/api/users/" + uid + "/roles", `{"roleIds":["` + m2m + `"]}`, 422, "user.invalid_role_type", nil},
		{"assign unknown role", "POST", "/api/users/" + uid + "/roles", `{"roleIds":["missing"]}`, 404, "entity.not_exists_with_id", func(t *testing.T, r res) {
			assert.Equal(t, "The roles with ID `missing` does not exist.", r.obj()["message"])
		}},
		{"user roles", "GET", "/api/users/" + uid + "/roles", "", 200, "", func(t *testing.T, r res) {
			require.Len(t, r.list(), 1)
			assert.Equal(t, admin, r.list()[0]["id"])
			assert.Equal(t, "1", r.header.Get("Total-Number"))
		}},
		{"list roles", "GET", "/api/roles", "", 200, "", func(t *testing.T, r res) {
			require.Len(t, r.list(), 2)
			for _, ro := range r.list() {
				for _, k := range []string{"usersCount", "featuredUsers", "applicationsCount", "featuredApplications"} {
					assert.Contains(t, ro, k)
				}
			}
		}},
		{"list user roles only", "GET", "/api/roles?type=User", "", 200, "", func(t *testing.T, r res) {
			require.Len(t, r.list(), 1)
			assert.EqualValues(t, 1, r.list()[0]["usersCount"])
		}},
		{"revoke", "DELETE", "/api/users/" + uid + "/roles/" + admin, "", 204, "", nil},
		{"revoke not held", "DELETE", "/api/users/" + uid + "/roles/" + admin, "", 404, "entity.not_found", nil},
		{"get unknown role", "GET", "/api/roles/missing", "", 404, "entity.not_exists_with_id", nil},
		{"delete role", "DELETE", "/api/roles/" + admin, "", 204, "", nil},
		{"delete role again", "DELETE", "/api/roles/" + admin, "", 404, "entity.not_exists_with_id", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.code != "" {
				assert.Equal(t, tc.code, r.code())
				assert.NotContains(t, r.obj(), "data", "404 and 422 bodies are {code, message}")
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestPasswordsAndSuspension(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	withPw := c.create(`{"username":"ann","password":"right"}`)
	noPw := c.create(`{"username":"bob"}`)
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"right password", "POST", "/api/users/" + withPw + "/password/verify", `{"password":"right"}`, 204, ""},
		{"wrong password", "POST", "/api/users/" + withPw + "/password/verify", `{"password":"wrong"}`, 422, "session.invalid_credentials"},
		{"no password set", "POST", "/api/users/" + noPw + "/password/verify", `{"password":"any"}`, 422, "session.invalid_credentials"},
		{"missing user", "POST", "/api/users/missing/password/verify", `{"password":"any"}`, 404, "entity.not_found"},
		{"suspend", "PATCH", "/api/users/" + withPw + "/is-suspended", `{"isSuspended":true}`, 200, ""},
		{"verify while suspended", "POST", "/api/users/" + withPw + "/password/verify", `{"password":"right"}`, 204, ""},
		{"weak password accepted", "PATCH", "/api/users/" + withPw + "/password", `{"password":"123"}`, 200, ""},
		{"new password verifies", "POST", "/api/users/" + withPw + "/password/verify", `{"password":"123"}`, 204, ""},
		{"old password fails", "POST", "/api/users/" + withPw + "/password/verify", `{"password":"right"}`, 422, "session.invalid_credentials"},
		{"resume", "PATCH", "/api/users/" + withPw + "/is-suspended", `{"isSuspended":false}`, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.code != "" {
				assert.Equal(t, tc.code, r.code())
			}
			if tc.status == 204 {
				assert.Empty(t, r.raw)
			}
		})
	}
	c.t = t
	r := c.do("GET", "/api/users/"+withPw, "")
	assert.Equal(t, false, r.obj()["isSuspended"])
	assert.Equal(t, true, r.obj()["hasPassword"])
	r = c.do("GET", "/api/users/"+noPw+"/has-password", "")
	assert.JSONEq(t, `{"hasPassword":false}`, string(r.raw))
}

// TestHasPassword runs its steps in order: a user gains a password half
// way through.
func TestHasPassword(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	withPw := c.create(`{"username":"ann","password":"right"}`)
	noPw := c.create(`{"username":"bob"}`)
	gone := c.create(`{"username":"cy","password":"right"}`)
	require.Equal(t, 204, c.do("DELETE", "/api/users/"+gone, "").status)
	cases := []struct {
		name, before, user string
		status             int
		body               string
	}{
		{"created with a password", "", withPw, 200, `{"hasPassword":true}`},
		{"created without one", "", noPw, 200, `{"hasPassword":false}`},
		{"after one is set", "/api/users/" + noPw + "/password", noPw, 200, `{"hasPassword":true}`},
		{"unknown user", "", "doesnotexist", 404, `{"code":"entity.not_found","message":"The resource does not exist."}`},
		{"deleted user", "", gone, 404, `{"code":"entity.not_found","message":"The resource does not exist."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			if tc.before != "" {
				require.Equal(t, 200, c.do("PATCH", tc.before, `{"password":"new"}`).status)
			}
			r := c.do("GET", "/api/users/"+tc.user+"/has-password", "")
			assert.Equal(t, tc.status, r.status)
			assert.JSONEq(t, tc.body, string(r.raw))
		})
	}
}
