package oktatest_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/emulate"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaOptions lets through what Okta's management document leaves out:
//   - the org authorization server's token endpoint and the
//     Authentication API, which are not in it at all;
//   - 401 E0000011 on every /api route: the document lists no 401, but
//     an invalid token gets one everywhere (its own example
//     ErrorInvalidTokenProvided, SEMANTICS.md 1.1);
//   - 400 on the list routes: E0000031 "Invalid search criteria." is
//     Okta's documented answer to a filter or search it cannot parse
//     (error catalogue; SEMANTICS.md 1.5), and the emulator's answer to a
//     bad limit or after;
//   - 412 E0000231 on update and replace: the answer to an If-Match that
//     does not match, a code the error catalogue gives status 412;
//   - 409 E0000090 on role assignment: the catalogue's code for a role
//     already assigned;
//   - 411 on a POST without Content-Length: "Any PUT or POST request
//     without a Content-Length header or a body returns a 411 error"
//     (Okta core API reference, SEMANTICS.md 1.2);
//   - /api/v1/idps/, the IdP users API ("Retrieve a user for IdP",
//     "Unlink a user from IdP"), which Okta's API reference publishes
//     outside the vendored Users document.
var schemaOptions = openapicheck.Options{
	Unchecked:     []string{"/oauth2/v1/token", "/api/v1/authn", "/api/v1/idps/"},
	ExtraStatuses: extraStatuses(),
}

func extraStatuses() map[string][]int {
	ops := []string{
		"GET /api/v1/users", "POST /api/v1/users",
		"GET /api/v1/users/{id}", "POST /api/v1/users/{id}", "PUT /api/v1/users/{id}", "DELETE /api/v1/users/{id}",
		"GET /api/v1/users/{id}/groups", "POST /api/v1/users/{userId}/credentials/change_password",
		"GET /api/v1/users/{userId}/roles", "POST /api/v1/users/{userId}/roles",
		"GET /api/v1/users/{userId}/roles/{roleAssignmentId}", "DELETE /api/v1/users/{userId}/roles/{roleAssignmentId}",
		"GET /api/v1/groups", "POST /api/v1/groups", "GET /api/v1/groups/{groupId}", "PUT /api/v1/groups/{groupId}",
		"DELETE /api/v1/groups/{groupId}", "GET /api/v1/groups/{groupId}/users",
		"PUT /api/v1/groups/{groupId}/users/{userId}", "DELETE /api/v1/groups/{groupId}/users/{userId}",
	}
	for _, l := range []string{"activate", "reactivate", "deactivate", "suspend", "unsuspend", "unlock", "expire_password", "reset_password"} {
		ops = append(ops, "POST /api/v1/users/{id}/lifecycle/"+l)
	}
	m := map[string][]int{}
	for _, o := range ops {
		m[o] = []int{401}
	}
	m["GET /api/v1/users"] = append(m["GET /api/v1/users"], 400)
	m["GET /api/v1/groups"] = append(m["GET /api/v1/groups"], 400)
	m["POST /api/v1/users/{id}"] = append(m["POST /api/v1/users/{id}"], 412)
	m["PUT /api/v1/users/{id}"] = append(m["PUT /api/v1/users/{id}"], 412)
	m["POST /api/v1/users/{userId}/roles"] = append(m["POST /api/v1/users/{userId}/roles"], 409)
	m["POST /api/v1/users/{id}/lifecycle/suspend"] = append(m["POST /api/v1/users/{id}/lifecycle/suspend"], 411)
	return m
}

const (
	apiToken = "test-api-token"
	password = "Str0ngPassw0rd"
)

var stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// newClock is a fake clock at a fixed instant, for Options.Now.
func newClock() *emulate.Clock { return emulate.NewClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)) }

// client sends requests with an Authorization header.
type client struct {
	t    *testing.T
	srv  *oktatest.Server
	auth string
}

// newClient starts a schema-checked emulator.
func newClient(t *testing.T, opts oktatest.Options) *client {
	t.Helper()
	opts.APIToken = apiToken
	opts.Middleware = openapicheck.Middleware(t, "okta", schemaOptions)
	return &client{t: t, srv: oktatest.NewServer(t, opts), auth: "SSWS " + apiToken}
}

// newRawClient starts an emulator without the schema check, for requests
// that break the document on purpose (hostile or invalid input).
func newRawClient(t *testing.T, opts oktatest.Options) *client {
	t.Helper()
	opts.APIToken = apiToken
	return &client{t: t, srv: oktatest.NewServer(t, opts), auth: "SSWS " + apiToken}
}

func (c *client) with(auth string) *client { d := *c; d.auth = auth; return &d }

type res struct {
	status int
	header http.Header
	raw    []byte
}

func (r res) obj() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.raw, &m)
	return m
}

func (r res) list() []map[string]any {
	var l []map[string]any
	_ = json.Unmarshal(r.raw, &l)
	return l
}

func (r res) code() string { s, _ := r.obj()["errorCode"].(string); return s }

func (r res) causes() []string {
	var out []string
	cs, _ := r.obj()["errorCauses"].([]any)
	for _, c := range cs {
		s, _ := c.(map[string]any)["errorSummary"].(string)
		out = append(out, s)
	}
	return out
}

// do sends a request; body is a string sent as is, or a value sent as
// JSON; headers are name, value pairs. Every answer is checked for the
// headers Okta always sends.
func (c *client) do(method, path string, body any, headers ...string) res {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rs := emulate.Send(c.t, req)
	assert.NotEmpty(c.t, rs.Header.Get("X-Okta-Request-Id"), "%s %s", method, path)
	_, err = http.ParseTime(rs.Header.Get("Date"))
	assert.NoError(c.t, err, "Date of %s %s", method, path)
	if strings.HasPrefix(path, "/api/") {
		for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
			_, err := strconv.Atoi(rs.Header.Get(h))
			assert.NoError(c.t, err, "%s of %s %s", h, method, path)
		}
	}
	if rs.Status >= 400 && strings.HasPrefix(path, "/api/") {
		var e map[string]any
		require.NoError(c.t, json.Unmarshal(rs.Body, &e), "error body of %s %s: %s", method, path, rs.Body)
		assert.Equal(c.t, e["errorCode"], e["errorLink"])
		assert.Regexp(c.t, `^oae\w+$`, e["errorId"])
		assert.IsType(c.t, []any{}, e["errorCauses"])
	}
	return res{status: rs.Status, header: rs.Header, raw: rs.Body}
}

// newUser is a create body for login (an email) with a password if pw is
// not empty.
func newUser(login, pw string) map[string]any {
	b := map[string]any{"profile": map[string]any{"login": login, "email": login, "firstName": "Ann", "lastName": "Lee"}}
	if pw != "" {
		b["credentials"] = map[string]any{"password": map[string]any{"value": pw}}
	}
	return b
}

// create makes a user and returns its id.
func (c *client) create(login, pw string, activate bool) string {
	c.t.Helper()
	r := c.do("POST", "/api/v1/users?activate="+strconv.FormatBool(activate), newUser(login, pw))
	require.Equal(c.t, 200, r.status, string(r.raw))
	return r.obj()["id"].(string)
}

func (c *client) status(id string) string {
	c.t.Helper()
	s, _ := c.srv.UserStatus(id)
	return s
}

func TestCreateStatuses(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	cases := []struct {
		name, query string
		pw          string
		status      string
		activated   bool
	}{
		{"staged", "?activate=false", password, "STAGED", false},
		{"staged without password", "?activate=false", "", "STAGED", false},
		{"active", "?activate=true", password, "ACTIVE", true},
		{"active by default", "", password, "ACTIVE", true},
		{"provisioned", "?activate=true", "", "PROVISIONED", false},
		{"password expired", "?activate=true&nextLogin=changePassword", password, "PASSWORD_EXPIRED", true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do("POST", "/api/v1/users"+tc.query, newUser(fmt.Sprintf("user%d@example.com", i), tc.pw))
			require.Equal(t, 200, r.status, string(r.raw))
			u := r.obj()
			assert.Equal(t, tc.status, u["status"])
			assert.Regexp(t, `^00u[0-9A-Za-z]{17}$`, u["id"])
			assert.Regexp(t, stampRE, u["created"])
			assert.Regexp(t, stampRE, u["lastUpdated"])
			assert.Equal(t, tc.activated, u["activated"] != nil)
			creds := u["credentials"].(map[string]any)
			assert.Equal(t, map[string]any{"type": "OKTA", "name": "OKTA"}, creds["provider"])
			_, hasPw := creds["password"]
			assert.Equal(t, tc.pw != "", hasPw)
			assert.Equal(t, c.srv.URL+"/api/v1/users/"+u["id"].(string), u["_links"].(map[string]any)["self"].(map[string]any)["href"])
			assert.NotContains(t, string(r.raw), password, "a password is never echoed")
			assert.NotEmpty(t, r.header.Get("ETag"))
		})
	}
	c.t = t

	errs := []struct {
		name, query string
		body        any
		status      int
		code        string
		cause       string
	}{
		{"expire without activate", "?activate=false&nextLogin=changePassword", newUser("x1@example.com", password), 400, "E0000125", ""},
		{"expire without password", "?activate=true&nextLogin=changePassword", newUser("x2@example.com", ""), 400, "E0000124", ""},
		{"duplicate login, other case", "", newUser("USER0@Example.com", password), 400, "E0000001",
			"login: An object with this field already exists in the current organization"},
		{"weak password", "", newUser("x3@example.com", "short"), 400, "E0000001", "password: Password requirements were not met"},
		{"password holding the login", "", newUser("x4abc@example.com", "X4abcPassw0rd"), 400, "E0000001", "password: Password requirements were not met"},
		{"bad email", "", map[string]any{"profile": map[string]any{"login": "x5@example.com", "email": "no-at-sign", "firstName": "A", "lastName": "B"}},
			400, "E0000001", "email: Does not match required pattern"},
		{"missing names", "", map[string]any{"profile": map[string]any{"login": "x6@example.com", "email": "x6@example.com"}},
			400, "E0000001", "firstName: The field cannot be left blank"},
		{"object custom attribute", "", map[string]any{"profile": map[string]any{"login": "x7@example.com", "email": "x7@example.com", "firstName": "A", "lastName": "B", "prefs": map[string]any{"a": 1}}},
			400, "E0000001", "prefs: Property value is not a valid type"},
		{"unknown group", "", map[string]any{"profile": newUser("x8@example.com", "")["profile"], "groupIds": []string{"00gNOPE"}}, 400, "E0000001", "groupIds:"},
		{"too many groups", "", map[string]any{"profile": newUser("x9@example.com", "")["profile"], "groupIds": make([]string, 21)}, 400, "E0000093", ""},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do("POST", "/api/v1/users"+tc.query, tc.body)
			assert.Equal(t, tc.status, r.status, string(r.raw))
			assert.Equal(t, tc.code, r.code())
			if tc.cause != "" {
				require.NotEmpty(t, r.causes())
				assert.True(t, strings.HasPrefix(r.causes()[0], tc.cause), r.causes())
			}
		})
	}
	c.t = t
	r := c.do("POST", "/api/v1/users", newUser("x1@example.com", password))
	require.Equal(t, 200, r.status, "a failed create leaves nothing behind")
	r = c.do("POST", "/api/v1/users", newUser("user0@example.com", password))
	assert.Equal(t, "Api validation failed: login", r.obj()["errorSummary"], "the summary names the field")

	t.Run("email is not unique; custom attributes are kept", func(t *testing.T) {
		c.t = t
		b := newUser("other@example.com", password)
		b["profile"].(map[string]any)["email"] = "user2@example.com"
		b["profile"].(map[string]any)["plan"] = "pro"
		b["profile"].(map[string]any)["seats"] = 12
		b["profile"].(map[string]any)["tags"] = []any{"a", "b"}
		r := c.do("POST", "/api/v1/users", b)
		require.Equal(t, 200, r.status, string(r.raw))
		p := r.obj()["profile"].(map[string]any)
		assert.Equal(t, "pro", p["plan"])
		assert.Equal(t, 12.0, p["seats"])
		assert.Equal(t, []any{"a", "b"}, p["tags"])
	})
}

func TestProfileOptions(t *testing.T) {
	c := newRawClient(t, oktatest.Options{EmailLogins: true})
	r := c.do("POST", "/api/v1/users", map[string]any{"profile": map[string]any{"login": "not-an-email", "email": "a@example.com", "firstName": "A", "lastName": "B"}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, []string{"login: Username must be in the form of an email address"}, r.causes())

	c = newRawClient(t, oktatest.Options{})
	for login, cause := range map[string]string{
		"":            "login: The field cannot be left blank",
		"has space":   "login: Does not match required pattern",
		"abc":         "login: The field cannot be shorter than 5 characters",
		"plain-login": "",
	} {
		r := c.do("POST", "/api/v1/users", map[string]any{"profile": map[string]any{"login": login, "email": "a@example.com", "firstName": "A", "lastName": "B"}})
		if cause == "" {
			assert.Equal(t, 200, r.status, string(r.raw))
			continue
		}
		assert.Equal(t, 400, r.status, login)
		assert.Equal(t, "E0000001", r.code())
		assert.Contains(t, r.causes(), cause)
	}

	c = newClient(t, oktatest.Options{NamesOptional: true})
	r = c.do("POST", "/api/v1/users", map[string]any{"profile": map[string]any{"login": "nameless@example.com", "email": "nameless@example.com"}})
	assert.Equal(t, 200, r.status, string(r.raw))
}

func TestGetUser(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	id := c.create("ada.lovelace@example.com", password, true)
	for _, key := range []string{id, "ada.lovelace@example.com", "ADA.Lovelace@Example.COM", "ada.lovelace"} {
		r := c.do("GET", "/api/v1/users/"+url.PathEscape(key), nil)
		assert.Equal(t, 200, r.status, key)
		assert.Equal(t, id, r.obj()["id"], key)
		assert.Regexp(t, `^W/"\d+"$`, r.header.Get("ETag"))
	}
	r := c.do("GET", "/api/v1/users/00uNOPE", nil)
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "E0000007", r.code())
	assert.Equal(t, "Not found: Resource not found: 00uNOPE (User)", r.obj()["errorSummary"])
}

func TestUpdateReplaceAndETag(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	id := c.create("grace@example.com", "", true)
	assert.Equal(t, "PROVISIONED", c.status(id))
	get := c.do("GET", "/api/v1/users/"+id, nil)
	tag := get.header.Get("ETag")

	r := c.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{"nickName": "Amazing", "plan": "pro"}}, "If-Match", tag)
	require.Equal(t, 200, r.status, string(r.raw))
	p := r.obj()["profile"].(map[string]any)
	assert.Equal(t, "Amazing", p["nickName"])
	assert.Equal(t, "Ann", p["firstName"], "a partial update keeps what it does not name")
	tag2 := r.header.Get("ETag")
	assert.NotEqual(t, tag, tag2, "every write changes the ETag")

	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{"nickName": "stale"}}, "If-Match", tag)
	assert.Equal(t, 412, r.status)
	assert.Equal(t, "E0000231", r.code())
	assert.Equal(t, "ETag value doesn't match.", r.obj()["errorSummary"])
	r = c.do("PUT", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{}}, "If-Match", `"nope"`)
	assert.Equal(t, 412, r.status)
	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{}}, "If-Match", "not-a-tag")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "E0000242", r.code())

	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{"plan": nil}}, "If-Match", tag2)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.NotContains(t, r.obj()["profile"], "plan", "null removes a property")

	r = c.do("PUT", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{"login": "grace@example.com", "email": "grace@example.com", "firstName": "Grace", "lastName": "Hopper"}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, map[string]any{"login": "grace@example.com", "email": "grace@example.com", "firstName": "Grace", "lastName": "Hopper"}, r.obj()["profile"],
		"a replace drops what it does not name")
	r = c.do("PUT", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{"login": "grace@example.com"}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "E0000001", r.code())

	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"credentials": map[string]any{"password": map[string]any{"value": "weak"}}})
	assert.Equal(t, 400, r.status)
	assert.True(t, strings.HasPrefix(r.causes()[0], "password: Password requirements were not met"))
	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"credentials": map[string]any{"password": map[string]any{"value": password}}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "ACTIVE", r.obj()["status"], "an admin-set password activates a PROVISIONED user")
	assert.NotNil(t, r.obj()["passwordChanged"])

	other := c.create("other@example.com", password, true)
	r = c.do("POST", "/api/v1/users/"+other, map[string]any{"profile": map[string]any{"login": "GRACE@example.com"}})
	assert.Equal(t, 400, r.status, "a login taken by another user")
	assert.Contains(t, r.causes(), "login: An object with this field already exists in the current organization")

	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+id, nil).status)
	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{"nickName": "x"}})
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "E0000038", r.code())
	r = c.do("POST", "/api/v1/users/00uNOPE", map[string]any{"profile": map[string]any{}})
	assert.Equal(t, 404, r.status)
}

func TestDeleteIsTwoStep(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	id := c.create("gone@example.com", password, true)
	g := c.do("POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "Editors"}}).obj()["id"].(string)
	require.Equal(t, 204, c.do("PUT", "/api/v1/groups/"+g+"/users/"+id, nil).status)
	c.do("POST", "/api/v1/users/"+id+"/roles", map[string]any{"type": "USER_ADMIN"})

	r := c.do("DELETE", "/api/v1/users/"+id, nil)
	assert.Equal(t, 204, r.status)
	assert.Empty(t, r.raw)
	r = c.do("GET", "/api/v1/users/"+id, nil)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "DEPROVISIONED", r.obj()["status"], "the first delete deactivates")
	assert.Len(t, c.do("GET", "/api/v1/groups/"+g+"/users", nil).list(), 1, "a deactivated user keeps its memberships")

	assert.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+id, nil).status)
	assert.Equal(t, 404, c.do("GET", "/api/v1/users/"+id, nil).status, "the second delete deletes")
	assert.Equal(t, 0, c.srv.UserCount())
	assert.Empty(t, c.do("GET", "/api/v1/groups/"+g+"/users", nil).list(), "memberships go with the user")
	r = c.do("DELETE", "/api/v1/users/"+id, nil)
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "E0000007", r.code())
}

func TestLifecycle(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	n := 0
	// mk makes a user in status, with a password or not.
	mk := func(status string, pw bool) string {
		n++
		p := ""
		if pw {
			p = password
		}
		id := c.create(fmt.Sprintf("life%d@example.com", n), p, status != "STAGED")
		if status != "STAGED" && status != c.status(id) {
			require.True(t, c.srv.SetStatus(id, status))
		}
		return id
	}
	cases := []struct {
		op, query string
		from      string
		pw        bool
		status    int
		code      string
		to        string
		body      []string // keys the answer must have
	}{
		{"activate", "", "STAGED", true, 200, "", "ACTIVE", nil},
		{"activate", "", "STAGED", false, 200, "", "PROVISIONED", nil},
		{"activate", "?sendEmail=false", "STAGED", false, 200, "", "PROVISIONED", []string{"activationToken", "activationUrl"}},
		{"activate", "", "DEPROVISIONED", true, 200, "", "ACTIVE", nil},
		{"activate", "", "ACTIVE", true, 403, "E0000016", "ACTIVE", nil},
		{"activate", "", "SUSPENDED", true, 403, "E0000016", "SUSPENDED", nil},
		{"reactivate", "", "PROVISIONED", false, 200, "", "PROVISIONED", []string{"activationToken", "activationUrl"}},
		{"reactivate", "", "RECOVERY", true, 200, "", "RECOVERY", []string{"activationToken"}},
		{"reactivate", "", "ACTIVE", true, 403, "E0000038", "ACTIVE", nil},
		{"deactivate", "", "ACTIVE", true, 200, "", "DEPROVISIONED", nil},
		{"deactivate", "", "STAGED", true, 200, "", "DEPROVISIONED", nil},
		{"deactivate", "", "DEPROVISIONED", true, 403, "E0000038", "DEPROVISIONED", nil},
		{"suspend", "", "ACTIVE", true, 200, "", "SUSPENDED", nil},
		{"suspend", "", "STAGED", true, 400, "E0000001", "STAGED", nil},
		{"suspend", "", "SUSPENDED", true, 400, "E0000001", "SUSPENDED", nil},
		{"unsuspend", "", "SUSPENDED", true, 200, "", "ACTIVE", nil},
		{"unsuspend", "", "ACTIVE", true, 400, "E0000001", "ACTIVE", nil},
		{"unlock", "", "LOCKED_OUT", true, 200, "", "ACTIVE", nil},
		{"unlock", "", "ACTIVE", true, 403, "E0000038", "ACTIVE", nil},
		{"expire_password", "", "ACTIVE", true, 200, "", "PASSWORD_EXPIRED", []string{"id", "status", "profile"}},
		{"expire_password", "", "PASSWORD_EXPIRED", true, 200, "", "PASSWORD_EXPIRED", []string{"id"}},
		{"expire_password", "", "PROVISIONED", false, 403, "E0000038", "PROVISIONED", nil},
		{"expire_password", "", "SUSPENDED", true, 403, "E0000038", "SUSPENDED", nil},
		{"reset_password", "?sendEmail=false", "ACTIVE", true, 200, "", "RECOVERY", []string{"resetPasswordUrl"}},
		{"reset_password", "?sendEmail=true", "LOCKED_OUT", true, 200, "", "RECOVERY", nil},
		{"reset_password", "?sendEmail=false", "STAGED", true, 403, "E0000038", "STAGED", nil},
	}
	for _, tc := range cases {
		t.Run(tc.op+" from "+tc.from+tc.query, func(t *testing.T) {
			c.t = t
			id := mk(tc.from, tc.pw)
			r := c.do("POST", "/api/v1/users/"+id+"/lifecycle/"+tc.op+tc.query, nil)
			assert.Equal(t, tc.status, r.status, string(r.raw))
			assert.Equal(t, tc.code, r.code())
			assert.Equal(t, tc.to, c.status(id))
			if tc.status == 200 {
				switch {
				case tc.body != nil:
					for _, k := range tc.body {
						assert.Contains(t, r.obj(), k)
					}
				case tc.op == "activate" || tc.op == "reset_password":
					assert.JSONEq(t, `{}`, string(r.raw))
				default:
					assert.Empty(t, r.raw, "lifecycle calls answer 200 with an empty body")
				}
			}
		})
	}
	c.t = t
	for _, op := range []string{"activate", "deactivate", "suspend", "unsuspend", "unlock", "expire_password", "reset_password?sendEmail=false", "reactivate"} {
		r := c.do("POST", "/api/v1/users/00uNOPE/lifecycle/"+op, nil)
		assert.Equal(t, 404, r.status, op)
		assert.Equal(t, "E0000007", r.code(), op)
	}
	u := c.do("GET", "/api/v1/users/"+mk("SUSPENDED", true), nil).obj()
	assert.Regexp(t, stampRE, u["statusChanged"])
	assert.Contains(t, u["_links"], "unsuspend", "a single user carries the links its status allows")
	assert.NotContains(t, u["_links"], "suspend")
}

func TestChangePassword(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	change := func(id, oldPw, newPw string) res {
		return c.do("POST", "/api/v1/users/"+id+"/credentials/change_password",
			map[string]any{"oldPassword": map[string]any{"value": oldPw}, "newPassword": map[string]any{"value": newPw}})
	}
	id := c.create("changer@example.com", password, true)

	r := change(id, "Wr0ngPassword", "N3wPassword")
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "E0000014", r.code())
	assert.Equal(t, "Update of credentials failed", r.obj()["errorSummary"])
	assert.Equal(t, []string{"oldPassword: The credentials provided were incorrect."}, r.causes())

	r = change(id, password, "weak")
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "E0000014", r.code())
	assert.True(t, strings.HasPrefix(r.causes()[0], "password: Password requirements were not met"))

	r = change(id, password, password)
	assert.Equal(t, "E0000014", r.code(), "the new password must differ")

	for _, from := range []string{"PASSWORD_EXPIRED", "RECOVERY"} {
		require.True(t, c.srv.SetStatus(id, from))
		r = change(id, password, "N3wPassword"+from[:2])
		require.Equal(t, 200, r.status, string(r.raw))
		assert.JSONEq(t, `{"password":{},"provider":{"type":"OKTA","name":"OKTA"}}`, string(r.raw))
		assert.Equal(t, "ACTIVE", c.status(id), "a change ends %s", from)
		change(id, "N3wPassword"+from[:2], password)
	}

	require.True(t, c.srv.SetStatus(id, "SUSPENDED"))
	r = change(id, password, "N3wPassword")
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "E0000035", r.code())
	assert.Equal(t, 404, change("00uNOPE", password, "N3wPassword").status)
}

func TestPagination(t *testing.T) {
	c := newClient(t, oktatest.Options{MaxPageSize: 5})
	var want []string
	for i := range 12 {
		want = append(want, c.create(fmt.Sprintf("page%02d@example.com", i), password, true))
	}
	gone := c.create("gone@example.com", password, true)
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+gone, nil).status)

	var got []string
	var sizes []int
	path := "/api/v1/users?limit=50"
	for path != "" {
		r := c.do("GET", path, nil)
		require.Equal(t, 200, r.status, string(r.raw))
		page := r.list()
		sizes = append(sizes, len(page))
		for _, u := range page {
			got = append(got, u["id"].(string))
			assert.Equal(t, []any{"self"}, keys(u["_links"]), "users in a collection link only to themselves")
		}
		links := r.header.Values("Link")
		require.NotEmpty(t, links)
		self := regexp.MustCompile(`^<(http://[^>]+)>; rel="self"$`).FindStringSubmatch(links[0])
		require.NotNil(t, self, links[0])
		assert.Contains(t, self[1], "limit=5", "the limit in force is capped")
		path = ""
		if len(links) > 1 {
			m := regexp.MustCompile(`^<` + regexp.QuoteMeta(c.srv.URL) + `(/api/v1/users\?[^>]+)>; rel="next"$`).FindStringSubmatch(links[1])
			require.NotNil(t, m, links[1])
			path = m[1]
		}
	}
	assert.Equal(t, []int{5, 5, 2}, sizes)
	assert.Equal(t, want, got, "every user once, in creation order, without the deactivated one")

	r := c.do("GET", "/api/v1/users?after=forged", nil)
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "E0000001", r.code())
	r = c.do("GET", "/api/v1/users?limit=0", nil)
	assert.Equal(t, 400, r.status)

	r = c.do("GET", "/api/v1/users?q=page&limit=3", nil)
	assert.Len(t, r.list(), 3)
	assert.Len(t, r.header.Values("Link"), 1, "q does not paginate")
	r = c.do("GET", "/api/v1/users?q=gone", nil)
	assert.Empty(t, r.list(), "q leaves out deactivated users")
}

func keys(v any) []any {
	var out []any
	for k := range v.(map[string]any) {
		out = append(out, k)
	}
	return out
}

func TestFilterAndSearch(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	mk := func(login, first, last string, extra map[string]any) string {
		p := map[string]any{"login": login, "email": login, "firstName": first, "lastName": last}
		for k, v := range extra {
			p[k] = v
		}
		r := c.do("POST", "/api/v1/users", map[string]any{"profile": p, "credentials": map[string]any{"password": map[string]any{"value": password}}})
		require.Equal(t, 200, r.status, string(r.raw))
		return r.obj()["id"].(string)
	}
	ann := mk("ann@example.com", "Ann", "Lee", map[string]any{"department": "Sales", "level": 3, "tags": []any{"x", "Blue"}, "vip": true})
	bob := mk("bob@example.com", "Bob", "Stone", map[string]any{"department": "Research", "level": 7})
	cat := mk("cat@corp.example", "Cat", "Leeds", nil)
	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+bob+"/lifecycle/suspend", nil).status)
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+cat, nil).status)

	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{ann, bob}},
		{`filter=status eq "ACTIVE"`, []string{ann}},
		{`filter=status eq "DEPROVISIONED"`, []string{cat}},
		{`filter=status EQ "SUSPENDED" or status eq "DEPROVISIONED"`, []string{bob, cat}},
		{`filter=profile.lastName eq "Lee" and (status eq "ACTIVE" or status eq "SUSPENDED")`, []string{ann}},
		{`filter=profile.email eq "ANN@example.com"`, nil},
		{`filter=profile.login eq "ann@example.com"`, []string{ann}},
		{`filter=id eq "` + bob + `"`, []string{bob}},
		{`filter=lastUpdated gt "2000-01-01T00:00:00.000Z"`, []string{ann, bob, cat}},
		{`filter=lastUpdated lt "2000-01-01T00:00:00.000Z"`, nil},
		{`search=profile.email eq "ANN@EXAMPLE.COM"`, []string{ann}},
		{`search=profile.lastName sw "lee"`, []string{ann, cat}},
		{`search=profile.email co "corp"`, []string{cat}},
		{`search=profile.department eq "research"`, []string{bob}},
		{`search=profile.level gt 5`, []string{bob}},
		{`search=profile.tags eq "blue"`, []string{ann}},
		{`search=profile.vip eq true`, []string{ann}},
		{`search=type.id sw "oty" and created lt "2100-01-01T00:00:00.000Z"`, []string{ann, bob, cat}},
		{`search=activated gt "2000-01-01T00:00:00.000Z"`, []string{ann, bob, cat}},
		{`search=status eq "active" or status eq "deprovisioned"`, []string{ann, cat}},
		{`search=profile.lastName sw "Le"&sortBy=profile.lastName&sortOrder=desc`, []string{cat, ann}},
		{`search=profile.lastName sw "Le"&sortBy=profile.lastName`, []string{ann, cat}},
		{`q=le`, []string{ann}},
		{`q=b`, []string{bob}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			q, _ := url.ParseQuery(tc.query)
			r := c.do("GET", "/api/v1/users?"+q.Encode(), nil)
			require.Equal(t, 200, r.status, string(r.raw))
			var got []string
			for _, u := range r.list() {
				got = append(got, u["id"].(string))
			}
			assert.Equal(t, tc.want, got)
		})
	}
	c.t = t
	for _, bad := range []string{
		`filter=profile.nickName eq "x"`, `filter=status ne "ACTIVE"`, `filter=not status eq "ACTIVE"`,
		`filter=profile.email co "x"`, `filter=status eq "ACTIVE`, `filter=status eq ACTIVE`, `filter=(status eq "ACTIVE"`,
		`filter=status eq "ACTIVE" and`, `search=profile.city co "x"`, `search=profile.email ne "x"`, `search=nickName eq "x"`,
		`search=profile.lastName eq "x"&sortBy=password`, `filter=` + strings.Repeat("(", 200) + `status eq "ACTIVE"` + strings.Repeat(")", 200),
	} {
		q, _ := url.ParseQuery(bad)
		r := c.do("GET", "/api/v1/users?"+q.Encode(), nil)
		assert.Equal(t, 400, r.status, bad)
		assert.Equal(t, "E0000031", r.code(), bad)
		assert.Equal(t, "Invalid search criteria.", r.obj()["errorSummary"], bad)
	}
}

func TestAuthorization(t *testing.T) {
	clk := newClock()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	c := newClient(t, oktatest.Options{Now: clk.Now, ServiceApps: map[string]crypto.PublicKey{"svc": &key.PublicKey}})
	id := c.create("auth@example.com", password, true)
	bearer := func(scope string) string {
		r := tokenRequest(t, c.srv.URL, "svc", scope, sign(t, key, "RS256", claims(c.srv.URL, "svc", clk.Now())))
		require.Equal(t, 200, r.status, string(r.raw))
		return "Bearer " + r.obj()["access_token"].(string)
	}
	read, manage := bearer("okta.users.read"), bearer("okta.users.manage okta.groups.read")

	cases := []struct {
		name, auth, method, path string
		status                   int
		code                     string
	}{
		{"no header", "", "GET", "/api/v1/users", 401, "E0000011"},
		{"wrong SSWS", "SSWS nope", "GET", "/api/v1/users", 401, "E0000011"},
		{"other scheme", "Basic " + apiToken, "GET", "/api/v1/users", 401, "E0000011"},
		{"unknown bearer", "Bearer nope", "GET", "/api/v1/users", 401, "E0000011"},
		{"SSWS", "SSWS " + apiToken, "GET", "/api/v1/users/" + id, 200, ""},
		{"read scope reads", read, "GET", "/api/v1/users/" + id, 200, ""},
		{"read scope cannot write", read, "POST", "/api/v1/users/" + id + "/lifecycle/suspend", 403, "E0000006"},
		{"read scope cannot list groups", read, "GET", "/api/v1/groups", 403, "E0000006"},
		{"read scope cannot read roles", read, "GET", "/api/v1/users/" + id + "/roles", 403, "E0000006"},
		{"manage implies read", manage, "GET", "/api/v1/users", 200, ""},
		{"groups read", manage, "GET", "/api/v1/groups", 200, ""},
		{"groups read cannot write", manage, "POST", "/api/v1/groups", 403, "E0000006"},
		{"manage writes", manage, "POST", "/api/v1/users/" + id + "/lifecycle/suspend", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cc := c.with(tc.auth)
			cc.t = t
			var body any
			if tc.method == "POST" && !strings.Contains(tc.path, "lifecycle") {
				body = map[string]any{"profile": map[string]any{"name": "G"}}
			}
			r := cc.do(tc.method, tc.path, body)
			assert.Equal(t, tc.status, r.status, string(r.raw))
			assert.Equal(t, tc.code, r.code())
			if tc.status == 401 {
				assert.Equal(t, "Invalid token provided", r.obj()["errorSummary"])
			}
			if tc.status == 403 {
				assert.Contains(t, r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
			}
		})
	}

	clk.Advance(time.Hour)
	r := c.with(read).do("GET", "/api/v1/users/"+id, nil)
	assert.Equal(t, 401, r.status, "an expired token is refused")
	assert.Equal(t, "E0000011", r.code())

	fresh := bearer("okta.users.read")
	assert.Equal(t, 200, c.with(fresh).do("GET", "/api/v1/users/"+id, nil).status)
	c.srv.RevokeTokens()
	assert.Equal(t, 401, c.with(fresh).do("GET", "/api/v1/users/"+id, nil).status)
}

// claims are a client assertion's claims as okta-sdk-golang sets them.
func claims(org, client string, now time.Time) map[string]any {
	return map[string]any{
		"iss": client, "sub": client, "aud": org + "/oauth2/v1/token",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": strconv.FormatInt(now.UnixNano(), 36) + randomSuffix(),
	}
}

func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sign makes a JWS compact token: RS256 over PKCS #1 v1.5, ES256 as raw
// r||s.
func sign(t *testing.T, key crypto.Signer, alg string, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	p, _ := json.Marshal(claims)
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
		require.NoError(t, err)
		sig = s
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		require.NoError(t, err)
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	}
	return input + "." + enc.EncodeToString(sig)
}

func tokenRequest(t *testing.T, org, client, scope, assertion string) res {
	t.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion},
	}
	return postForm(t, org, form)
}

func postForm(t *testing.T, org string, form url.Values) res {
	t.Helper()
	req, err := http.NewRequest("POST", org+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rs := emulate.Send(t, req)
	return res{status: rs.Status, header: rs.Header, raw: rs.Body}
}

func TestTokenEndpoint(t *testing.T) {
	clk := newClock()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c := newClient(t, oktatest.Options{Now: clk.Now, TokenLifetime: 10 * time.Minute, ServiceApps: map[string]crypto.PublicKey{
		"rsa-app": &rsaKey.PublicKey, "ec-app": &ecKey.PublicKey,
	}})
	org := c.srv.URL
	now := clk.Now()

	for _, app := range []struct {
		client, alg string
		key         crypto.Signer
	}{{"rsa-app", "RS256", rsaKey}, {"ec-app", "ES256", ecKey}} {
		r := tokenRequest(t, org, app.client, "okta.users.read okta.users.manage", sign(t, app.key, app.alg, claims(org, app.client, now)))
		require.Equal(t, 200, r.status, string(r.raw))
		body := r.obj()
		assert.Equal(t, "Bearer", body["token_type"])
		assert.Equal(t, 600.0, body["expires_in"])
		assert.Equal(t, "okta.users.read okta.users.manage", body["scope"])
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		tok := body["access_token"].(string)
		assert.Len(t, strings.Split(tok, "."), 3, "JWT-shaped")
		assert.Equal(t, 200, c.with("Bearer "+tok).do("GET", "/api/v1/users", nil).status, app.alg)
	}
	assert.Equal(t, 2, c.srv.TokenRequests())

	with := func(change func(map[string]any)) map[string]any {
		cl := claims(org, "ec-app", now)
		change(cl)
		return cl
	}
	der := func() string {
		// An ASN.1 DER signature, which JWS does not use.
		s := sign(t, ecKey, "ES256", claims(org, "ec-app", now))
		input := s[:strings.LastIndex(s, ".")]
		digest := sha256.Sum256([]byte(input))
		sig, _ := ecdsa.SignASN1(rand.Reader, ecKey, digest[:])
		return input + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	unsigned := func() string {
		s := sign(t, ecKey, "ES256", claims(org, "ec-app", now))
		parts := strings.Split(s, ".")
		return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	}
	replayed := sign(t, ecKey, "ES256", claims(org, "ec-app", now))
	require.Equal(t, 200, tokenRequest(t, org, "ec-app", "okta.users.read", replayed).status)

	bad := []struct {
		name, client, scope, assertion string
		status                         int
		error                          string
	}{
		{"wrong key", "ec-app", "okta.users.read", sign(t, otherKey, "ES256", claims(org, "ec-app", now)), 401, "invalid_client"},
		{"key of another app", "rsa-app", "okta.users.read", sign(t, ecKey, "ES256", claims(org, "rsa-app", now)), 401, "invalid_client"},
		{"alg not the key's", "rsa-app", "okta.users.read", sign(t, rsaKey, "ES256", claims(org, "rsa-app", now)), 401, "invalid_client"},
		{"DER signature", "ec-app", "okta.users.read", der(), 401, "invalid_client"},
		{"alg none", "ec-app", "okta.users.read", unsigned(), 401, "invalid_client"},
		{"wrong aud", "ec-app", "okta.users.read", sign(t, ecKey, "ES256", with(func(m map[string]any) { m["aud"] = "https://elsewhere.okta.com/oauth2/v1/token" })), 401, "invalid_client"},
		{"expired", "ec-app", "okta.users.read", sign(t, ecKey, "ES256", with(func(m map[string]any) { m["exp"] = now.Add(-time.Second).Unix() })), 401, "invalid_client"},
		{"exp too far", "ec-app", "okta.users.read", sign(t, ecKey, "ES256", with(func(m map[string]any) { m["exp"] = now.Add(2 * time.Hour).Unix() })), 401, "invalid_client"},
		{"no exp", "ec-app", "okta.users.read", sign(t, ecKey, "ES256", with(func(m map[string]any) { delete(m, "exp") })), 401, "invalid_client"},
		{"sub not iss", "ec-app", "okta.users.read", sign(t, ecKey, "ES256", with(func(m map[string]any) { m["sub"] = "someone" })), 401, "invalid_client"},
		{"unknown client", "nope", "okta.users.read", sign(t, ecKey, "ES256", claims(org, "nope", now)), 401, "invalid_client"},
		{"replayed jti", "ec-app", "okta.users.read", replayed, 401, "invalid_client"},
		{"garbage", "ec-app", "okta.users.read", "not.a.jwt", 401, "invalid_client"},
		{"no assertion", "ec-app", "okta.users.read", "", 401, "invalid_client"},
		{"unknown scope", "ec-app", "okta.apps.read", sign(t, ecKey, "ES256", claims(org, "ec-app", now)), 400, "invalid_scope"},
		{"no scope", "ec-app", "", sign(t, ecKey, "ES256", claims(org, "ec-app", now)), 400, "invalid_scope"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenRequest(t, org, tc.client, tc.scope, tc.assertion)
			assert.Equal(t, tc.status, r.status, string(r.raw))
			assert.Equal(t, tc.error, r.obj()["error"])
			assert.NotEmpty(t, r.obj()["error_description"])
		})
	}
	r := postForm(t, org, url.Values{"grant_type": {"password"}, "scope": {"okta.users.read"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {sign(t, ecKey, "ES256", claims(org, "ec-app", now))}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "unsupported_grant_type", r.obj()["error"])
	r = postForm(t, org, url.Values{"grant_type": {"client_credentials"}, "scope": {"okta.users.read"},
		"client_assertion_type": {"bogus"}, "client_assertion": {sign(t, ecKey, "ES256", claims(org, "ec-app", now))}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "invalid_request", r.obj()["error"])
	assert.Equal(t, 3, c.srv.TokenRequests(), "only successes count")
}

func TestRateLimit(t *testing.T) {
	clk := newClock()
	c := newClient(t, oktatest.Options{Now: clk.Now, RateLimit: 3, RateWindow: 10 * time.Second})
	reset := strconv.FormatInt(clk.Now().Add(10*time.Second).Unix(), 10)
	for i := range 3 {
		r := c.do("GET", "/api/v1/users", nil)
		require.Equal(t, 200, r.status)
		assert.Equal(t, "3", r.header.Get("X-Rate-Limit-Limit"))
		assert.Equal(t, strconv.Itoa(2-i), r.header.Get("X-Rate-Limit-Remaining"))
		assert.Equal(t, reset, r.header.Get("X-Rate-Limit-Reset"))
	}
	for _, path := range []string{"/api/v1/users", "/api/v1/groups", "/api/v1/authn"} {
		var body any
		if path == "/api/v1/authn" {
			body = map[string]any{"username": "a", "password": "b"}
		}
		method := map[bool]string{true: "POST", false: "GET"}[body != nil]
		r := c.do(method, path, body)
		assert.Equal(t, 429, r.status, path)
		assert.Equal(t, "E0000047", r.code())
		assert.Equal(t, "API call exceeded rate limit due to too many requests.", r.obj()["errorSummary"])
		assert.Equal(t, "3", r.header.Get("X-Rate-Limit-Limit"))
		assert.Equal(t, "0", r.header.Get("X-Rate-Limit-Remaining"))
		assert.Equal(t, reset, r.header.Get("X-Rate-Limit-Reset"))
		date, err := http.ParseTime(r.header.Get("Date"))
		require.NoError(t, err)
		assert.Equal(t, clk.Now().Unix(), date.Unix(), "Date comes from the emulator's clock")
	}
	assert.Equal(t, 3, c.srv.RateLimited())
	assert.Equal(t, 6, c.srv.Requests())

	clk.Advance(9 * time.Second)
	assert.Equal(t, 429, c.do("GET", "/api/v1/users", nil).status, "still inside the window")
	clk.Advance(time.Second)
	r := c.do("GET", "/api/v1/users", nil)
	assert.Equal(t, 200, r.status, "the window has ended")
	assert.Equal(t, "2", r.header.Get("X-Rate-Limit-Remaining"))
	assert.Equal(t, strconv.FormatInt(clk.Now().Add(10*time.Second).Unix(), 10), r.header.Get("X-Rate-Limit-Reset"))
}

func TestAuthn(t *testing.T) {
	clk := newClock()
	c := newClient(t, oktatest.Options{Now: clk.Now, LockoutAttempts: 3})
	authn := func(user, pw string) res {
		return c.with("").do("POST", "/api/v1/authn", map[string]any{"username": user, "password": pw})
	}
	id := c.create("sign.in@example.com", password, true)

	r := authn("SIGN.IN@example.com", password)
	require.Equal(t, 200, r.status, string(r.raw))
	b := r.obj()
	assert.Equal(t, "SUCCESS", b["status"])
	assert.NotEmpty(t, b["sessionToken"])
	assert.Regexp(t, stampRE, b["expiresAt"])
	u := b["_embedded"].(map[string]any)["user"].(map[string]any)
	assert.Equal(t, id, u["id"])
	assert.Equal(t, map[string]any{"login": "sign.in@example.com", "firstName": "Ann", "lastName": "Lee", "locale": "en_US", "timeZone": "America/Los_Angeles"}, u["profile"])
	assert.Equal(t, stamp(clk.Now()), c.do("GET", "/api/v1/users/"+id, nil).obj()["lastLogin"], "a sign-in sets lastLogin")

	for _, tc := range []struct{ user, pw string }{{"sign.in@example.com", "Wr0ngPassword"}, {"nobody@example.com", password}, {"", ""}} {
		r := authn(tc.user, tc.pw)
		assert.Equal(t, 401, r.status)
		assert.Equal(t, "E0000004", r.code())
		assert.Equal(t, "Authentication failed", r.obj()["errorSummary"])
	}
	for _, status := range []string{"STAGED", "PROVISIONED", "SUSPENDED", "DEPROVISIONED", "RECOVERY"} {
		other := c.create(strings.ToLower(status)+"@example.com", password, true)
		require.True(t, c.srv.SetStatus(other, status))
		assert.Equal(t, 401, authn(strings.ToLower(status)+"@example.com", password).status, status)
	}

	require.True(t, c.srv.SetStatus(id, "PASSWORD_EXPIRED"))
	r = authn("sign.in@example.com", password)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "PASSWORD_EXPIRED", r.obj()["status"])
	assert.NotEmpty(t, r.obj()["stateToken"])
	assert.NotContains(t, r.obj(), "sessionToken")
	require.True(t, c.srv.SetStatus(id, "ACTIVE"))

	// The failure count starts again after the success above; the third
	// consecutive failure locks the user out.
	authn("sign.in@example.com", "Wr0ngPassword")
	authn("sign.in@example.com", "Wr0ngPassword")
	assert.Equal(t, "ACTIVE", c.status(id))
	assert.Equal(t, 401, authn("sign.in@example.com", "Wr0ngPassword").status)
	assert.Equal(t, "LOCKED_OUT", c.status(id))
	r = authn("sign.in@example.com", password)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "LOCKED_OUT", r.obj()["status"])
	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+id+"/lifecycle/unlock", nil).status)
	assert.Equal(t, "SUCCESS", authn("sign.in@example.com", password).obj()["status"])

	hidden := newClient(t, oktatest.Options{HideLockoutFailures: true, MFARequired: true})
	hid := hidden.create("mfa@example.com", password, true)
	r = hidden.with("").do("POST", "/api/v1/authn", map[string]any{"username": "mfa@example.com", "password": password})
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "MFA_REQUIRED", r.obj()["status"])
	assert.NotEmpty(t, r.obj()["stateToken"])
	require.True(t, hidden.srv.SetStatus(hid, "LOCKED_OUT"))
	r = hidden.with("").do("POST", "/api/v1/authn", map[string]any{"username": "mfa@example.com", "password": password})
	assert.Equal(t, 401, r.status, "lockout failures hidden")
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func TestGroups(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	r := c.do("POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "Editors", "description": "Can edit"}})
	require.Equal(t, 200, r.status, string(r.raw))
	g := r.obj()
	gid := g["id"].(string)
	assert.Regexp(t, `^00g[0-9A-Za-z]{17}$`, gid)
	assert.Equal(t, "OKTA_GROUP", g["type"])
	assert.Equal(t, []any{"okta:user_group"}, g["objectClass"])
	assert.Equal(t, map[string]any{"name": "Editors", "description": "Can edit"}, g["profile"])
	for _, k := range []string{"created", "lastUpdated", "lastMembershipUpdated"} {
		assert.Regexp(t, stampRE, g[k])
	}

	r = c.do("POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "EDITORS"}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "E0000001", r.code())
	assert.Equal(t, []string{"name: An object with this field already exists in the current organization"}, r.causes())
	r = c.do("POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"description": "nameless"}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, []string{"name: The field cannot be left blank"}, r.causes())
	for _, name := range []string{"Viewers", "Admins", "Auditors"} {
		require.Equal(t, 200, c.do("POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": name}}).status)
	}

	names := func(r res) []string {
		var out []string
		for _, g := range r.list() {
			out = append(out, g["profile"].(map[string]any)["name"].(string))
		}
		return out
	}
	for query, want := range map[string][]string{
		"":                                 {"Everyone", "Editors", "Viewers", "Admins", "Auditors"},
		"q=a":                              {"Admins", "Auditors"},
		`search=profile.name eq "viewers"`: {"Viewers"},
		`filter=profile.name eq "viewers"`: nil,
		`filter=type eq "BUILT_IN"`:        {"Everyone"},
		`search=type eq "OKTA_GROUP" and profile.name sw "e"`: {"Editors"},
	} {
		q, _ := url.ParseQuery(query)
		r := c.do("GET", "/api/v1/groups?"+q.Encode(), nil)
		require.Equal(t, 200, r.status, string(r.raw))
		assert.Equal(t, want, names(r), query)
	}
	r = c.do("GET", "/api/v1/groups?"+url.Values{"filter": {`profile.description co "x"`}}.Encode(), nil)
	assert.Equal(t, "E0000031", r.code())

	var all []string
	for path := "/api/v1/groups?limit=2"; path != ""; {
		r := c.do("GET", path, nil)
		all = append(all, names(r)...)
		path = ""
		for _, l := range r.header.Values("Link") {
			if m := regexp.MustCompile(`^<` + regexp.QuoteMeta(c.srv.URL) + `([^>]+)>; rel="next"$`).FindStringSubmatch(l); m != nil {
				path = m[1]
			}
		}
	}
	assert.Equal(t, []string{"Everyone", "Editors", "Viewers", "Admins", "Auditors"}, all)

	r = c.do("PUT", "/api/v1/groups/"+gid, map[string]any{"profile": map[string]any{"name": "Writers"}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, map[string]any{"name": "Writers"}, r.obj()["profile"])
	assert.Equal(t, "Writers", c.do("GET", "/api/v1/groups/"+gid, nil).obj()["profile"].(map[string]any)["name"])
	r = c.do("PUT", "/api/v1/groups/"+gid, map[string]any{"profile": map[string]any{"name": "viewers"}})
	assert.Equal(t, 400, r.status, "renaming onto a taken name")

	everyone := c.do("GET", "/api/v1/groups?"+url.Values{"filter": {`type eq "BUILT_IN"`}}.Encode(), nil).list()[0]["id"].(string)
	uid := c.create("member@example.com", password, true)
	for range 2 {
		assert.Equal(t, 204, c.do("PUT", "/api/v1/groups/"+gid+"/users/"+uid, nil).status, "adding is idempotent")
	}
	r = c.do("GET", "/api/v1/users/"+uid+"/groups", nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, []string{"Everyone", "Writers"}, names(r), "every user is in Everyone")
	members := c.do("GET", "/api/v1/groups/"+gid+"/users", nil).list()
	require.Len(t, members, 1)
	assert.Equal(t, uid, members[0]["id"])
	assert.Len(t, c.do("GET", "/api/v1/groups/"+everyone+"/users", nil).list(), 1)
	for range 2 {
		assert.Equal(t, 204, c.do("DELETE", "/api/v1/groups/"+gid+"/users/"+uid, nil).status, "removing is idempotent")
	}
	assert.Empty(t, c.do("GET", "/api/v1/groups/"+gid+"/users", nil).list())

	r = c.do("POST", "/api/v1/users", map[string]any{"profile": newUser("joiner@example.com", "")["profile"], "groupIds": []string{gid}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Len(t, c.do("GET", "/api/v1/groups/"+gid+"/users", nil).list(), 1, "groupIds adds memberships")

	for _, tc := range []struct {
		method, path string
		status       int
		code, what   string
	}{
		{"GET", "/api/v1/groups/00gNOPE", 404, "E0000007", "Not found: Resource not found: 00gNOPE (UserGroup)"},
		{"DELETE", "/api/v1/groups/00gNOPE", 404, "E0000007", ""},
		{"PUT", "/api/v1/groups/00gNOPE/users/" + uid, 404, "E0000007", "Not found: Resource not found: 00gNOPE (UserGroup)"},
		{"PUT", "/api/v1/groups/" + gid + "/users/00uNOPE", 404, "E0000007", "Not found: Resource not found: 00uNOPE (User)"},
		{"GET", "/api/v1/users/00uNOPE/groups", 404, "E0000007", ""},
		{"PUT", "/api/v1/groups/" + everyone + "/users/" + uid, 403, "E0000006", ""},
		{"DELETE", "/api/v1/groups/" + everyone, 403, "E0000006", ""},
	} {
		r := c.do(tc.method, tc.path, nil)
		assert.Equal(t, tc.status, r.status, tc.path)
		assert.Equal(t, tc.code, r.code(), tc.path)
		if tc.what != "" {
			assert.Equal(t, tc.what, r.obj()["errorSummary"])
		}
	}
	assert.Equal(t, 204, c.do("DELETE", "/api/v1/groups/"+gid, nil).status)
	assert.Equal(t, 404, c.do("GET", "/api/v1/groups/"+gid, nil).status)
}

func TestAdminRoles(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	uid := c.create("admin@example.com", password, true)
	r := c.do("POST", "/api/v1/users/"+uid+"/roles", map[string]any{"type": "USER_ADMIN"})
	require.Equal(t, 201, r.status, string(r.raw))
	ra := r.obj()
	rid := ra["id"].(string)
	assert.Regexp(t, `^ra1[0-9A-Za-z]{17}$`, rid)
	assert.Equal(t, "USER_ADMIN", ra["type"])
	assert.Equal(t, "User Administrator", ra["label"])
	assert.Equal(t, "ACTIVE", ra["status"])
	assert.Equal(t, "USER", ra["assignmentType"])

	r = c.do("POST", "/api/v1/users/"+uid+"/roles", map[string]any{"type": "USER_ADMIN"})
	assert.Equal(t, 409, r.status)
	assert.Equal(t, "E0000090", r.code())
	require.Equal(t, 201, c.do("POST", "/api/v1/users/"+uid+"/roles", map[string]any{"type": "READ_ONLY_ADMIN"}).status)

	list := c.do("GET", "/api/v1/users/"+uid+"/roles", nil).list()
	require.Len(t, list, 2)
	assert.Equal(t, rid, list[0]["id"])
	assert.Equal(t, "USER_ADMIN", c.do("GET", "/api/v1/users/"+uid+"/roles/"+rid, nil).obj()["type"])
	assert.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+uid+"/roles/"+rid, nil).status)
	r = c.do("GET", "/api/v1/users/"+uid+"/roles/"+rid, nil)
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "E0000007", r.code())
	assert.Equal(t, 404, c.do("DELETE", "/api/v1/users/"+uid+"/roles/"+rid, nil).status)
	assert.Equal(t, 404, c.do("GET", "/api/v1/users/00uNOPE/roles", nil).status)
	assert.Len(t, c.do("GET", "/api/v1/users/"+uid+"/roles", nil).list(), 1)

	raw := newRawClient(t, oktatest.Options{})
	id := raw.create("admin@example.com", password, true)
	r = raw.do("POST", "/api/v1/users/"+id+"/roles", map[string]any{"type": "KING"})
	assert.Equal(t, 400, r.status, "not a role type the document knows")
	assert.Equal(t, "E0000001", r.code())
}

func TestAppLinks(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	withLinks := c.create("ann@example.com", password, true)
	without := c.create("bob@example.com", password, true)
	gone := c.create("cy@example.com", password, false)
	mail := oktatest.AppLink{
		ID: "0oa1mail", Label: "Mail", LinkURL: "https://org.example/home/mail/0oa1mail/50",
		LogoURL: "https://org.example/img/mail.png", AppName: "mail", AppInstanceID: "0oa1mail",
		AppAssignmentID: "0ua1mail", SortOrder: 1,
	}
	wiki := oktatest.AppLink{ID: "0oa2wiki", Label: "Wiki", AppName: "wiki", AppInstanceID: "0oa2wiki", CredentialsSetup: true, Hidden: true}
	require.True(t, c.srv.AddAppLink(withLinks, mail))
	require.True(t, c.srv.AddAppLink("ann@example.com", wiki), "a login names the user too")
	require.True(t, c.srv.AddAppLink(gone, mail))
	assert.False(t, c.srv.AddAppLink("00uNOPE", mail))
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+gone, nil).status)
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+gone, nil).status)

	link := func(l oktatest.AppLink) map[string]any {
		return map[string]any{
			"id": l.ID, "label": l.Label, "linkUrl": l.LinkURL, "logoUrl": l.LogoURL, "appName": l.AppName,
			"appInstanceId": l.AppInstanceID, "appAssignmentId": l.AppAssignmentID,
			"credentialsSetup": l.CredentialsSetup, "hidden": l.Hidden, "sortOrder": float64(l.SortOrder),
		}
	}
	cases := []struct {
		name, user string
		status     int
		want       []map[string]any
	}{
		{"links in the order added", withLinks, 200, []map[string]any{link(mail), link(wiki)}},
		{"by login", "ann@example.com", 200, []map[string]any{link(mail), link(wiki)}},
		{"no links is an empty array", without, 200, []map[string]any{}},
		{"unknown user", "00uNOPE", 404, nil},
		{"deleted user", gone, 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do("GET", "/api/v1/users/"+tc.user+"/appLinks", nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status != 200 {
				assert.Equal(t, "E0000007", r.code())
				assert.Equal(t, "Not found: Resource not found: "+tc.user+" (User)", r.obj()["errorSummary"])
				return
			}
			assert.Equal(t, tc.want, r.list())
			if len(tc.want) == 0 {
				assert.JSONEq(t, "[]", string(r.raw), "an array, not null")
			}
		})
	}
}

// TestLengthRequired sends a POST with neither Content-Length nor a body,
// which Go's client never does, straight to the handler.
func TestLengthRequired(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	id := c.create("len@example.com", password, true)
	req := httptest.NewRequest("POST", "/api/v1/users/"+id+"/lifecycle/suspend", nil)
	req.Header.Set("Authorization", "SSWS "+apiToken)
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	assert.Equal(t, 411, rec.Code)
	assert.Contains(t, rec.Body.String(), `"errorCode"`)
	assert.Equal(t, "ACTIVE", c.status(id))
}

// TestHostileInput sends what no client following the document would, so
// it runs without the schema check: the emulator must answer with an
// error, never panic or fail with 5xx.
func TestHostileInput(t *testing.T) {
	c := newRawClient(t, oktatest.Options{})
	id := c.create("target@example.com", password, true)
	for _, body := range []string{`{"profile":`, `[]`, `{"profile":"x"}`, `{"profile":{"login":5}}`, `{"credentials":{"password":"x"}}`,
		strings.Repeat("x", 2<<20), `{"profile":{"login":"a@b.co","email":"a@b.co","firstName":"A","lastName":"B","x":{"deep":[1]}}}`,
		`{"profile":{"login":"a@b.co","email":"a@b.co","firstName":"A","lastName":"B","bad name":"x"}}`} {
		for _, path := range []string{"/api/v1/users", "/api/v1/users/" + id} {
			r := c.do("POST", path, body)
			assert.Equal(t, 400, r.status, "%s %.40s", path, body)
			assert.Contains(t, []string{"E0000001", "E0000003"}, r.code())
		}
	}
	assert.Equal(t, "E0000003", c.do("POST", "/api/v1/users", `{"profile":`).code())
	for _, path := range []string{
		"/api/v1/users/%2F..%2Fadmin", "/api/v1/users/..", "/api/v1/users/a%00b", "/api/v1/users/%0A", "/api/v1/users/",
		"/api/v1/users/" + id + "/lifecycle/explode", "/api/v1/nothing", "/api/v2/users", "/api/v1/groups/%2F/users",
	} {
		r := c.do("GET", path, nil)
		assert.Equal(t, 404, r.status, path)
		assert.Equal(t, "E0000007", r.code(), path)
	}
	for _, path := range []string{"/api/v1/users?limit=abc", "/api/v1/users?limit=-1", "/api/v1/users?after=%00", "/api/v1/groups?limit=x"} {
		assert.Equal(t, 400, c.do("GET", path, nil).status, path)
	}
	r := c.do("PATCH", "/api/v1/users/"+id, `{}`)
	assert.Equal(t, 405, r.status)
	assert.Equal(t, "E0000022", r.code())
	assert.Equal(t, "DELETE, GET, POST, PUT", r.header.Get("Allow"))
	assert.Equal(t, 405, c.do("GET", "/api/v1/users/"+id+"/lifecycle/suspend", nil).status)
	assert.Equal(t, 400, c.do("POST", "/api/v1/users?activate=maybe", newUser("m@example.com", password)).status)
	assert.Equal(t, 400, c.do("POST", "/api/v1/users/"+id+"/credentials/change_password", `{"oldPassword":{}}`).status)
	r = c.do("POST", "/api/v1/authn", `{"username":`)
	assert.Equal(t, "E0000003", r.code())

	resp, err := http.Get(c.srv.URL + "/oauth2/v1/token")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 405, resp.StatusCode)
	resp, err = http.Post(c.srv.URL+"/oauth2/v1/token", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, 401, postForm(t, c.srv.URL, url.Values{"client_assertion": {strings.Repeat("a.", 3000)}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}).status)
	resp, err = http.Get(c.srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
}

// TestConcurrentUpdates runs writers guarded by If-Match side by side: each
// write either lands or gets 412, none is lost, and nothing races.
func TestConcurrentUpdates(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	id := c.create("busy@example.com", password, true)
	var wg sync.WaitGroup
	var mu sync.Mutex
	landed := map[string]bool{}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := *c
			cc.t = t
			key := fmt.Sprintf("k%d", i)
			for {
				get := cc.do("GET", "/api/v1/users/"+id, nil)
				r := cc.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]any{key: "v"}}, "If-Match", get.header.Get("ETag"))
				if r.status == 200 {
					mu.Lock()
					landed[key] = true
					mu.Unlock()
					return
				}
				if !assert.Equal(t, 412, r.status, string(r.raw)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	p := c.do("GET", "/api/v1/users/"+id, nil).obj()["profile"].(map[string]any)
	for k := range landed {
		assert.Equal(t, "v", p[k], k)
	}
	assert.Len(t, landed, 8)
}
