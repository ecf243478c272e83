package kratostest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/internal/emulate"
	"github.com/idport/identity/internal/openapicheck"
)

type client struct {
	t       *testing.T
	base    string // checked against Kratos's OpenAPI document
	rawBase string // the same emulator, unchecked, for requests off the document
	srv     *kratostest.Emulator
}

// realStatuses are statuses the real server was seen to send that the
// document leaves out: the 401 of a login with the right password of an
// inactive identity (its details.identity_id is outside the document's
// error schema), and the error body of a login with a malformed flow id.
var realStatuses = map[string][]int{"POST /self-service/login": {401}}

// newClient starts an emulator and serves it twice: once behind the
// OpenAPI check, once without it.
func newClient(t *testing.T, opts kratostest.Options) *client {
	e := kratostest.New(opts)
	checked := httptest.NewServer(openapicheck.Middleware(t, "kratos", openapicheck.Options{ExtraStatuses: realStatuses})(e))
	t.Cleanup(checked.Close)
	raw := httptest.NewServer(e)
	t.Cleanup(raw.Close)
	return &client{t: t, base: checked.URL, rawBase: raw.URL, srv: e}
}

// unchecked returns a client sending to the unchecked server.
func (c *client) unchecked() *client {
	u := *c
	u.base = c.rawBase
	return &u
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   any
}

func (r resp) obj() map[string]any { m, _ := r.body.(map[string]any); return m }
func (r resp) arr() []any          { a, _ := r.body.([]any); return a }

// errReason and errMessage read Kratos's error body.
func (r resp) err() map[string]any { m, _ := r.obj()["error"].(map[string]any); return m }

// do sends a request; headers are given as "Name: value" strings. A body
// goes as application/json unless a Content-Type header is given.
func (c *client) do(method, path, body string, headers ...string) resp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	rs := emulate.Send(c.t, req)
	out := resp{status: rs.Status, header: rs.Header, raw: rs.Body}
	_ = json.Unmarshal(rs.Body, &out.body)
	return out
}

func (c *client) create(body string) map[string]any {
	c.t.Helper()
	r := c.do("POST", "/admin/identities", body)
	require.Equal(c.t, 201, r.status, string(r.raw))
	return r.obj()
}

// login runs the native login flow and returns the answer of the submit.
func (c *client) login(identifier, password string) resp {
	c.t.Helper()
	f := c.do("GET", "/self-service/login/api", "")
	require.Equal(c.t, 200, f.status)
	b, _ := json.Marshal(map[string]string{"method": "password", "identifier": identifier, "password": password})
	return c.do("POST", "/self-service/login?flow="+f.obj()["id"].(string), string(b))
}

func messageIDs(flow map[string]any) []float64 {
	var out []float64
	ui, _ := flow["ui"].(map[string]any)
	msgs, _ := ui["messages"].([]any)
	for _, m := range msgs {
		out = append(out, m.(map[string]any)["id"].(float64))
	}
	return out
}

func TestCreateAndGet(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	r := c.do("POST", "/admin/identities", `{"schema_id":"default","traits":{"email":"Ann@Example.com","username":"AnnE","name":{"first":"Ann"}},"metadata_admin":{"tier":1}}`)
	require.Equal(t, 201, r.status, string(r.raw))
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	id := r.obj()["id"].(string)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	assert.Equal(t, c.base+"/identities/"+id, r.header.Get("Location"), "Location omits /admin")
	ident := r.obj()
	assert.Equal(t, "default", ident["schema_id"])
	assert.Equal(t, c.base+"/schemas/ZGVmYXVsdA", ident["schema_url"])
	assert.Equal(t, "active", ident["state"])
	assert.Nil(t, ident["metadata_public"])
	assert.Contains(t, ident, "metadata_public")
	assert.Equal(t, map[string]any{"tier": float64(1)}, ident["metadata_admin"])
	assert.Nil(t, ident["organization_id"])
	pw := ident["credentials"].(map[string]any)["password"].(map[string]any)
	assert.Equal(t, []any{"ann@example.com", "anne"}, pw["identifiers"], "identifiers are lower-cased")
	assert.Equal(t, "0001-01-01T00:00:00Z", pw["created_at"], "a create shows credential times as zero")
	assert.NotContains(t, pw, "config")
	assert.Equal(t, "Ann@Example.com", ident["traits"].(map[string]any)["email"], "traits are kept as sent")
	va := ident["verifiable_addresses"].([]any)[0].(map[string]any)
	assert.Equal(t, "ann@example.com", va["value"])
	assert.Equal(t, "pending", va["status"])
	assert.Equal(t, false, va["verified"])

	// metadata_admin appears in a create only when set.
	bare := c.create(`{"schema_id":"default","traits":{}}`)
	assert.NotContains(t, bare, "metadata_admin")
	assert.NotContains(t, bare, "credentials", "no identifier, no credential")
	assert.Equal(t, map[string]any{}, bare["traits"])

	g := c.do("GET", "/admin/identities/"+bare["id"].(string), "")
	require.Equal(t, 200, g.status)
	assert.Contains(t, g.obj(), "metadata_admin", "a get always shows metadata_admin")
	assert.Nil(t, g.obj()["metadata_admin"])

	g = c.do("GET", "/admin/identities/"+id, "")
	pw = g.obj()["credentials"].(map[string]any)["password"].(map[string]any)
	assert.NotEqual(t, "0001-01-01T00:00:00Z", pw["created_at"])
	assert.NotContains(t, pw, "config")

	for _, path := range []string{"/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", "/admin/identities/not-a-uuid"} {
		g = c.do("GET", path, "")
		assert.Equal(t, 404, g.status, path)
		assert.Equal(t, "application/json", g.header.Get("Content-Type"))
		assert.JSONEq(t, `{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`, string(g.raw))
	}
	g = c.unchecked().do("GET", "/admin/identities/"+id+"?include_credential=bogus", "")
	assert.Equal(t, 400, g.status)
	assert.Equal(t, "Invalid value `[]` for parameter `include_credential`.", g.err()["reason"])

	assert.Equal(t, 2, c.srv.UserCount())
	assert.Equal(t, 2, c.srv.Requests()["POST /admin/identities"])
	assert.Equal(t, 5, c.srv.Requests()["GET /admin/identities/{id}"])
}

// TestCreateRefusals sends bodies off the document, unchecked.
func TestCreateRefusals(t *testing.T) {
	c := newClient(t, kratostest.Options{}).unchecked()
	c.create(`{"schema_id":"default","traits":{"email":"taken@example.com","username":"taken"}}`)
	const emailBad = "I[#/traits/email] S[#/properties/traits/properties/email] validation failed\n" +
		"  I[#/traits/email] S[#/properties/traits/properties/email/format] \"nope\" is not valid \"email\"\n" +
		"  I[#/traits/email] S[#/properties/traits/properties/email/format] \"nope\" is not valid \"email\""
	cases := []struct {
		name, body string
		status     int
		reason     string // "" to skip
		message    string
	}{
		{"taken email", `{"schema_id":"default","traits":{"email":"TAKEN@example.com"}}`, 409, "This identity conflicts with another identity that already exists.", "The resource could not be created due to a conflict"},
		{"taken as another trait", `{"schema_id":"default","traits":{"username":"Taken@Example.com","email":"x@example.com"}}`, 409, "", ""},
		{"taken username", `{"schema_id":"default","traits":{"username":"TAKEN"}}`, 409, "", ""},
		{"bad email", `{"schema_id":"default","traits":{"email":"nope"}}`, 400, emailBad, "The request was malformed or contained invalid parameters"},
		{"wrong type", `{"schema_id":"default","traits":{"email":5}}`, 400, "I[#/traits/email] S[#/properties/traits/properties/email/type] expected string, but got number", ""},
		{"extra trait", `{"schema_id":"default","traits":{"email":"q@example.com","extra":1}}`, 400, `I[#/traits] S[#/properties/traits/additionalProperties] additionalProperties "extra" not allowed`, ""},
		{"short username", `{"schema_id":"default","traits":{"username":""}}`, 400, "I[#/traits/username] S[#/properties/traits/properties/username/minLength] length must be >= 1, but got 0", ""},
		{"bad phone", `{"schema_id":"default","traits":{"phone":"12345"}}`, 400, `I[#/traits/phone] S[#/properties/traits/properties/phone/format] "12345" is not valid "tel"`, ""},
		{"only a plus", `{"schema_id":"default","traits":{"phone":"+"}}`, 400, `I[#/traits/phone] S[#/properties/traits/properties/phone/format] "+" is not valid "tel"`, ""},
		{"an exchange beginning with 0", `{"schema_id":"default","traits":{"phone":"+14150366103"}}`, 400, `I[#/traits/phone] S[#/properties/traits/properties/phone/format] "+14150366103" is not valid "tel"`, ""},
		{"traits not an object", `{"schema_id":"default","traits":"x"}`, 400, "I[#/traits] S[#/properties/traits/type] expected object, but got string", ""},
		{"null traits", `{"schema_id":"default","traits":null}`, 400, "I[#/traits] S[#/properties/traits/type] expected object, but got null", ""},
		{"unknown schema", `{"schema_id":"nope","traits":{}}`, 400, "Unable to find JSON Schema ID: nope", ""},
		{"bad state", `{"schema_id":"default","traits":{},"state":"weird"}`, 400, "identity state is not valid", ""},
		{"unknown field", `{"schema_id":"default","traits":{},"bogus":1}`, 400, "", `json: unknown field "bogus"`},
		{"not JSON", `{"schema_id":"default","traits":`, 400, "", "unexpected EOF"},
		{"empty", ``, 400, "", "EOF"},
		{"array", `[]`, 400, "", "json: cannot unmarshal array into Go value of type identity.CreateIdentityBody"},
		{"unknown hash", `{"schema_id":"default","traits":{"email":"h@example.com"},"credentials":{"password":{"config":{"hashed_password":"plain"}}}}`, 400, "The imported password does not match any known hash format. For more information see https://www.ory.sh/dr/2", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do("POST", "/admin/identities", tc.body)
			require.Equal(t, tc.status, r.status, string(r.raw))
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.EqualValues(t, tc.status, r.err()["code"])
			if tc.reason != "" {
				assert.Equal(t, tc.reason, r.err()["reason"])
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, r.err()["message"])
			}
		})
	}
	c.t = t
	assert.Equal(t, 1, c.srv.UserCount())
	// Several failures nest under "validation failed", two spaces a level.
	r := c.do("POST", "/admin/identities", `{"schema_id":"default","traits":{"username":"","name":{"first":1,"middle":"x"}}}`)
	assert.Equal(t, "I[#/traits] S[#/properties/traits] validation failed\n"+
		"  I[#/traits/username] S[#/properties/traits/properties/username/minLength] length must be >= 1, but got 0\n"+
		"  I[#/traits/name] S[#/properties/traits/properties/name] validation failed\n"+
		"    I[#/traits/name/first] S[#/properties/traits/properties/name/properties/first/type] expected string, but got number\n"+
		"    I[#/traits/name] S[#/properties/traits/properties/name/additionalProperties] additionalProperties \"middle\" not allowed",
		r.err()["reason"])
	// The reason is HTML-escaped JSON, as Kratos writes it.
	assert.Contains(t, string(c.do("POST", "/admin/identities", `{"schema_id":"default","traits":{"username":""}}`).raw), `\u003e= 1`)
}

func TestListPaging(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	want := map[string]bool{}
	for i := range 7 {
		want[c.create(fmt.Sprintf(`{"schema_id":"default","traits":{"email":"u%d@example.com"}}`, i))["id"].(string)] = true
	}
	seen := map[string]bool{}
	var order []string
	path := "/admin/identities?page_size=3"
	pages := 0
	for path != "" {
		r := c.do("GET", path, "")
		require.Equal(t, 200, r.status, string(r.raw))
		pages++
		for _, it := range r.arr() {
			m := it.(map[string]any)
			id := m["id"].(string)
			assert.False(t, seen[id], "no repeats")
			seen[id] = true
			order = append(order, id)
			assert.NotContains(t, m, "credentials", "a list shows no credentials")
			assert.Contains(t, m, "metadata_admin", "a list shows metadata_admin")
		}
		link := r.header.Get("Link")
		assert.Contains(t, link, `</admin/identities?page_size=3&page_token=00000000-0000-0000-0000-000000000000>; rel="first"`)
		path = ""
		if m := regexp.MustCompile(`<([^>]*)>; rel="next"`).FindStringSubmatch(link); m != nil {
			path = m[1]
			assert.Equal(t, "/admin/identities?page_size=3&page_token="+order[len(order)-1], path, "the token is the last row's id")
		}
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, want, seen, "no gaps")
	for i := 1; i < len(order); i++ {
		assert.Less(t, order[i-1], order[i], "rows are ordered by id")
	}

	r := c.do("GET", "/admin/identities?page_token=garbage", "")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "The page token is invalid, do not craft your own page tokens", r.err()["reason"])
	r = c.unchecked().do("GET", "/admin/identities?page_size=abc", "")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, `strconv.Atoi: parsing "abc": invalid syntax`, r.err()["reason"])
	r = c.do("GET", "/admin/identities", "")
	assert.Len(t, r.arr(), 7)
	assert.Equal(t, `</admin/identities?page_size=250&page_token=00000000-0000-0000-0000-000000000000>; rel="first"`, r.header.Get("Link"))

	// Legacy offset paging.
	r = c.do("GET", "/admin/identities?page=1&per_page=3", "")
	require.Equal(t, 200, r.status)
	assert.Equal(t, "7", r.header.Get("X-Total-Count"))
	assert.Equal(t, `</admin/identities?page=0&per_page=3>; rel="first",</admin/identities?page=2&per_page=3>; rel="next",</admin/identities?page=0&per_page=3>; rel="prev",</admin/identities?page=2&per_page=3>; rel="last"`, r.header.Get("Link"))
	assert.Equal(t, order[3], r.arr()[0].(map[string]any)["id"])
	r = c.do("GET", "/admin/identities?page=3&per_page=500", "")
	assert.Equal(t, 400, r.status)
	// per_page alone is read as page_size.
	r = c.do("GET", "/admin/identities?per_page=2", "")
	assert.Len(t, r.arr(), 2)
	assert.Contains(t, r.header.Get("Link"), `</admin/identities?page_size=2&page_token=`+order[1]+`>; rel="next"`)

	// Filters.
	r = c.do("GET", "/admin/identities?credentials_identifier=U3@EXAMPLE.com", "")
	require.Len(t, r.arr(), 1)
	m := r.arr()[0].(map[string]any)
	assert.Equal(t, "u3@example.com", m["traits"].(map[string]any)["email"])
	assert.Contains(t, m, "credentials", "credentials_identifier expands credentials")
	assert.Empty(t, c.do("GET", "/admin/identities?credentials_identifier=u3", "").arr(), "the match is exact")
	r = c.do("GET", "/admin/identities?ids="+order[0]+"&ids="+order[5], "")
	assert.Len(t, r.arr(), 2)
	r = c.do("GET", "/admin/identities?ids=bad", "")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "Invalid UUID value `bad` for parameter `ids`.", r.err()["reason"])
	r = c.do("GET", "/admin/identities?include_credential=password&page_size=1", "")
	pw := r.arr()[0].(map[string]any)["credentials"].(map[string]any)["password"].(map[string]any)
	assert.Contains(t, pw, "config")
}

func TestUpdate(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	c.create(`{"schema_id":"default","traits":{"email":"other@example.com"}}`)
	id := c.create(`{"schema_id":"default","traits":{"email":"put@example.com"},"metadata_public":{"p":1},"metadata_admin":{"a":2}}`)["id"].(string)
	before := c.do("GET", "/admin/identities/"+id, "").obj()

	r := c.do("PUT", "/admin/identities/"+id, `{"schema_id":"default","state":"active","traits":{"email":"put2@example.com"}}`)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Nil(t, r.obj()["metadata_public"], "left out, metadata_public becomes null")
	assert.NotContains(t, r.obj(), "metadata_admin", "and so does metadata_admin, not shown")
	assert.Equal(t, before["updated_at"], r.obj()["updated_at"], "updated_at does not advance")
	assert.Equal(t, "active", r.obj()["state"])

	r = c.do("PUT", "/admin/identities/"+id, `{"schema_id":"default","state":"active","traits":{"email":"OTHER@example.com"}}`)
	assert.Equal(t, 409, r.status)
	assert.JSONEq(t, `{"error":{"code":409,"status":"Conflict","message":"Unable to insert or update resource because a resource with that value exists already"}}`, string(r.raw))

	r = c.do("PUT", "/admin/identities/"+id, `{"schema_id":"default","traits":{"email":"put2@example.com"},"state":"inactive","credentials":{"password":{"config":{"password":"abc"}}}}`)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "inactive", r.obj()["state"])
	assert.NotEqual(t, before["state_changed_at"], r.obj()["state_changed_at"])
	assert.Equal(t, "0001-01-01T00:00:00Z", r.obj()["credentials"].(map[string]any)["password"].(map[string]any)["created_at"])

	r = c.unchecked().do("PUT", "/admin/identities/"+id, `{"schema_id":"default","traits":{}}`, "Content-Type: application/x-www-form-urlencoded")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, `HTTP PUT Request used unknown HTTP Header "Content-Type: application/x-www-form-urlencoded", only [application/json] are supported.`, r.err()["reason"])
	r = c.unchecked().do("PUT", "/admin/identities/"+id, `[]`)
	assert.Equal(t, "Unable to decode JSON payload: json: cannot unmarshal array into Go value of type identity.UpdateIdentityBody", r.err()["reason"])
	r = c.do("PUT", "/admin/identities/"+id, `{"schema_id":"nope","state":"active","traits":{}}`)
	assert.Equal(t, "Unable to find JSON Schema ID: nope", r.err()["reason"])
	r = c.do("PUT", "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", `{"schema_id":"default","state":"active","traits":{}}`)
	assert.Equal(t, 404, r.status)

	// Traits without an identifier leave the old one on the credential,
	// so it stays taken, as on Kratos.
	r = c.do("PUT", "/admin/identities/"+id, `{"schema_id":"default","state":"inactive","traits":{}}`)
	require.Equal(t, 200, r.status)
	assert.Equal(t, []any{"put2@example.com"}, r.obj()["credentials"].(map[string]any)["password"].(map[string]any)["identifiers"])
	assert.Equal(t, 409, c.do("POST", "/admin/identities", `{"schema_id":"default","traits":{"email":"put2@example.com"}}`).status)
}

func TestPatch(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	c.create(`{"schema_id":"default","traits":{"email":"other@example.com"}}`)
	id := c.create(`{"schema_id":"default","traits":{"email":"patch@example.com","name":{"first":"P"}},"credentials":{"password":{"config":{"password":"pw"}}}}`)["id"].(string)
	path := "/admin/identities/" + id
	created := c.do("GET", path, "").obj()
	const applyReason = "An error occured when applying the JSON patch"
	cases := []struct {
		name, patch string
		status      int
		reason      string
		message     string
		check       func(t *testing.T, m map[string]any)
	}{
		{"replace", `[{"op":"replace","path":"/traits/name/first","value":"Q"}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.Equal(t, "Q", m["traits"].(map[string]any)["name"].(map[string]any)["first"])
			assert.Equal(t, created["updated_at"], m["updated_at"], "updated_at does not advance")
			assert.Contains(t, m, "metadata_admin")
		}},
		{"replace of a missing key adds it", `[{"op":"replace","path":"/traits/display_name","value":"Pat"}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.Equal(t, "Pat", m["traits"].(map[string]any)["display_name"])
		}},
		{"add under a null metadata_public creates parents", `[{"op":"add","path":"/metadata_public/a/b","value":1}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.Equal(t, map[string]any{"a": map[string]any{"b": float64(1)}}, m["metadata_public"])
		}},
		{"add metadata_admin", `[{"op":"add","path":"/metadata_admin/k","value":"v"}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.Equal(t, map[string]any{"k": "v"}, m["metadata_admin"])
		}},
		{"removing a whole field keeps it", `[{"op":"remove","path":"/metadata_public"}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.NotNil(t, m["metadata_public"])
		}},
		{"replace with null clears", `[{"op":"replace","path":"/metadata_public","value":null}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.Nil(t, m["metadata_public"])
		}},
		{"state", `[{"op":"replace","path":"/state","value":"inactive"}]`, 200, "", "", func(t *testing.T, m map[string]any) {
			assert.Equal(t, "inactive", m["state"])
			assert.NotEqual(t, created["state_changed_at"], m["state_changed_at"])
		}},
		{"remove a missing key", `[{"op":"remove","path":"/traits/missing"}]`, 400, applyReason, "error in remove for path: '/traits/missing': unable to remove nonexistent key: missing: missing value", nil},
		{"remove below null", `[{"op":"remove","path":"/metadata_public/x"}]`, 400, applyReason, `remove operation does not apply: doc is missing path: "/metadata_public/x": missing value`, nil},
		{"move", `[{"op":"move","from":"/traits/name/first","path":"/traits/display_name"}]`, 400, applyReason, "unsupported operation: move", nil},
		{"copy", `[{"op":"copy","from":"/traits/name/first","path":"/traits/display_name"}]`, 400, applyReason, "unsupported operation: copy", nil},
		{"test", `[{"op":"test","path":"/traits/name/first","value":"Q"}]`, 400, applyReason, "unsupported operation: test", nil},
		{"id", `[{"op":"replace","path":"/id","value":"00000000-0000-0000-0000-000000000000"}]`, 400, applyReason, "patch includes denied path: /id", nil},
		{"no path", `[{"op":"add"}]`, 400, applyReason, "error parsing patch operations: operation missing path field: missing value", nil},
		{"relative path", `[{"op":"add","path":"traits","value":1}]`, 400, applyReason, `add operation does not apply: doc is missing path: "traits": missing value`, nil},
		{"object", `{}`, 400, applyReason, "json: cannot unmarshal object into Go value of type jsonpatch.Patch", nil},
		{"bad state", `[{"op":"replace","path":"/state","value":"weird"}]`, 400, "The supplied state ('weird') was not valid. Valid states are ('active', 'inactive').", "identity state is not valid", nil},
		{"bad trait", `[{"op":"add","path":"/traits/name/x","value":"z"}]`, 400, `I[#/traits/name] S[#/properties/traits/properties/name/additionalProperties] additionalProperties "x" not allowed`, "", nil},
		{"taken identifier", `[{"op":"replace","path":"/traits/email","value":"Other@example.com"}]`, 409, "", "Unable to insert or update resource because a resource with that value exists already", nil},
		{"unknown schema", `[{"op":"replace","path":"/schema_id","value":"nope"}]`, 400, "Unable to find JSON Schema ID: nope", "", nil},
		{"empty patch", `[]`, 200, "", "", nil},
	}
	// Bodies the document refuses go unchecked.
	offDocument := map[string]bool{"replace with null clears": true, "no path": true, "object": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			cl := c
			if offDocument[tc.name] {
				cl = c.unchecked()
			}
			r := cl.do("PATCH", path, tc.patch)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.reason != "" {
				assert.Equal(t, tc.reason, r.err()["reason"])
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, r.err()["message"])
			}
			if tc.check != nil {
				tc.check(t, r.obj())
			}
		})
	}
	c.t = t
	assert.Equal(t, 404, c.do("PATCH", "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", `[]`).status)

	// A patch below /credentials is taken and destroys the password.
	c.do("PATCH", path, `[{"op":"replace","path":"/state","value":"active"}]`)
	require.Equal(t, 200, c.login("patch@example.com", "pw").status)
	r := c.do("PATCH", path, `[{"op":"add","path":"/credentials/password/config/password","value":"new"}]`)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "0001-01-01T00:00:00Z", r.obj()["credentials"].(map[string]any)["password"].(map[string]any)["created_at"])
	for _, pw := range []string{"pw", "new"} {
		assert.Equal(t, []float64{4000006}, messageIDs(c.login("patch@example.com", pw).obj()), pw)
	}
}

func TestLoginFlow(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	id := c.create(`{"schema_id":"default","traits":{"email":"ann@example.com","username":"ann"},"credentials":{"password":{"config":{"password":"abc"}}},"metadata_admin":{"secret":1}}`)["id"].(string)

	f := c.do("GET", "/self-service/login/api", "")
	require.Equal(t, 200, f.status)
	flow := f.obj()
	assert.Equal(t, "api", flow["type"])
	assert.Equal(t, c.base+"/self-service/login?flow="+flow["id"].(string), flow["ui"].(map[string]any)["action"])
	assert.Len(t, flow["ui"].(map[string]any)["nodes"], 4)
	assert.NotContains(t, flow["ui"], "messages")
	submit := func(body string) resp {
		return c.do("POST", "/self-service/login?flow="+flow["id"].(string), body)
	}
	submitOff := func(body string) resp {
		return c.unchecked().do("POST", "/self-service/login?flow="+flow["id"].(string), body)
	}

	r := submit(`{"method":"password","identifier":"ann@example.com","password":"wrong"}`)
	require.Equal(t, 400, r.status)
	assert.Equal(t, []float64{4000006}, messageIDs(r.obj()))
	assert.NotContains(t, r.obj(), "active", "a wrong password does not mark the flow")
	r = submit(`{"method":"password","identifier":"nobody@example.com","password":"abc"}`)
	assert.Equal(t, []float64{4000006}, messageIDs(r.obj()), "an unknown identifier looks like a wrong password")
	r = submitOff(`{"method":"password","identifier":"ann@example.com"}`)
	require.Equal(t, 400, r.status)
	assert.Nil(t, messageIDs(r.obj()))
	pwNode := r.obj()["ui"].(map[string]any)["nodes"].([]any)[2].(map[string]any)
	assert.Equal(t, 4000002.0, pwNode["messages"].([]any)[0].(map[string]any)["id"])
	r = submitOff(`{"identifier":"ann@example.com","password":"abc"}`)
	assert.Equal(t, []float64{4010002}, messageIDs(r.obj()))
	r = submitOff(`garbage`)
	assert.Equal(t, []float64{4000001}, messageIDs(r.obj()))

	r = submit(`{"method":"password","identifier":"ANN@example.com","password":"abc"}`)
	require.Equal(t, 200, r.status, string(r.raw))
	tok := r.obj()["session_token"].(string)
	assert.Regexp(t, `^ory_st_[0-9A-Za-z]{32}$`, tok)
	sess := r.obj()["session"].(map[string]any)
	assert.Equal(t, true, sess["active"])
	assert.NotContains(t, sess["identity"], "metadata_admin", "the user never sees metadata_admin")
	assert.NotContains(t, sess["identity"], "credentials")
	assert.Equal(t, 200, submit(`{"method":"password","identifier":"ann","password":"abc"}`).status, "a flow can be used again")
	assert.Equal(t, 2, c.srv.Sessions(id))

	w := c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok)
	require.Equal(t, 200, w.status)
	assert.Equal(t, id, w.header.Get("X-Kratos-Authenticated-Identity-Id"))
	assert.Equal(t, 200, c.do("GET", "/sessions/whoami", "", "Authorization: Bearer "+tok).status)
	w = c.do("GET", "/sessions/whoami", "")
	assert.Equal(t, 401, w.status)
	assert.Equal(t, "No valid session credentials found in the request.", w.err()["reason"])

	// Inactive: login is 401 with the right password only; sessions
	// fail whoami but come back on reactivation.
	c.do("PATCH", "/admin/identities/"+id, `[{"op":"replace","path":"/state","value":"inactive"}]`)
	r = c.login("ann@example.com", "abc")
	require.Equal(t, 401, r.status)
	assert.JSONEq(t, fmt.Sprintf(`{"error":{"code":401,"status":"Unauthorized","reason":"This account was disabled.","details":{"identity_id":%q},"message":"identity is disabled"}}`, id), string(r.raw))
	assert.Equal(t, 400, c.login("ann@example.com", "wrong").status)
	assert.Equal(t, 401, c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok).status)
	c.do("PATCH", "/admin/identities/"+id, `[{"op":"replace","path":"/state","value":"active"}]`)
	assert.Equal(t, 200, c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok).status)

	// Logout revokes; again is 204; no token is 403.
	assert.Equal(t, 204, c.do("DELETE", "/self-service/logout/api", fmt.Sprintf(`{"session_token":%q}`, tok)).status)
	assert.Equal(t, 204, c.do("DELETE", "/self-service/logout/api", fmt.Sprintf(`{"session_token":%q}`, tok)).status)
	assert.Equal(t, 403, c.unchecked().do("DELETE", "/self-service/logout/api", `{}`).status)
	assert.Equal(t, 401, c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok).status)
	assert.Equal(t, 1, c.srv.Sessions(id))

	// Flow ids.
	for q, want := range map[string]int{"": 400, "?flow=bad": 400, "?flow=00000000-0000-0000-0000-000000000000": 400, "?flow=6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f": 404} {
		assert.Equal(t, want, c.unchecked().do("POST", "/self-service/login"+q, `{"method":"password","identifier":"a","password":"b"}`).status, q)
	}
}

func TestFlowExpiry(t *testing.T) {
	clock := emulate.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	c := newClient(t, kratostest.Options{Now: clock.Now})
	c.create(`{"schema_id":"default","traits":{"email":"ann@example.com"},"credentials":{"password":{"config":{"password":"abc"}}}}`)
	f := c.do("GET", "/self-service/login/api", "").obj()
	clock.Advance(11 * time.Minute)
	r := c.do("POST", "/self-service/login?flow="+f["id"].(string), `{"method":"password","identifier":"ann@example.com","password":"abc"}`)
	assert.Equal(t, 410, r.status)
	assert.Equal(t, "self_service_flow_expired", r.err()["id"])
}

func TestHashedPasswordImport(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	b, err := bcrypt.GenerateFromPassword([]byte("bcrypt-pw"), 4)
	require.NoError(t, err)
	salt := []byte("somesaltsomesalt")
	key := argon2.IDKey([]byte("argon-pw"), salt, 2, 1024, 1, 32)
	phc := fmt.Sprintf("$argon2id$v=19$m=1024,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	cases := []struct{ email, hash, pw string }{
		{"a2a@example.com", string(b), "bcrypt-pw"},
		{"a2b@example.com", strings.Replace(string(b), "$2a$", "$2b$", 1), "bcrypt-pw"},
		{"a2y@example.com", strings.Replace(string(b), "$2a$", "$2y$", 1), "bcrypt-pw"},
		{"argon@example.com", phc, "argon-pw"},
	}
	for _, tc := range cases {
		body, _ := json.Marshal(map[string]any{"schema_id": "default", "traits": map[string]any{"email": tc.email}, "credentials": map[string]any{"password": map[string]any{"config": map[string]any{"hashed_password": tc.hash}}}})
		id := c.create(string(body))["id"].(string)
		g := c.do("GET", "/admin/identities/"+id+"?include_credential=password", "")
		assert.Equal(t, tc.hash, g.obj()["credentials"].(map[string]any)["password"].(map[string]any)["config"].(map[string]any)["hashed_password"])
		assert.Equal(t, 400, c.login(tc.email, "wrong").status, tc.email)
		assert.Equal(t, 200, c.login(tc.email, tc.pw).status, tc.email)
		assert.Equal(t, 200, c.login(tc.email, tc.pw).status, tc.email+" after the rehash")
	}
	// An identity without a password cannot log in but holds its identifier.
	c.create(`{"schema_id":"default","traits":{"email":"nopw@example.com"}}`)
	assert.Equal(t, 400, c.login("nopw@example.com", "").status)
	assert.Equal(t, []float64{4000006}, messageIDs(c.login("nopw@example.com", "x").obj()))
	// A plain password is stored as a bcrypt hash, never as given.
	id := c.create(`{"schema_id":"default","traits":{"email":"plain@example.com"},"credentials":{"password":{"config":{"password":"p1"}}}}`)["id"].(string)
	g := c.do("GET", "/admin/identities/"+id+"?include_credential=password", "")
	assert.Regexp(t, `^\$2a\$04\$`, g.obj()["credentials"].(map[string]any)["password"].(map[string]any)["config"].(map[string]any)["hashed_password"])
	assert.NotContains(t, string(g.raw), `"p1"`)
}

func TestSessions(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	id := c.create(`{"schema_id":"default","traits":{"email":"s@example.com"},"credentials":{"password":{"config":{"password":"pw"}}}}`)["id"].(string)
	tok1, ok := c.srv.SignIn(id)
	require.True(t, ok)
	sid2 := c.login("s@example.com", "pw").obj()["session"].(map[string]any)["id"].(string)
	_, ok = c.srv.SignIn("6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f")
	assert.False(t, ok)
	assert.Equal(t, 2, c.srv.Sessions(id))

	r := c.do("GET", "/admin/identities/"+id+"/sessions", "")
	require.Equal(t, 200, r.status)
	require.Len(t, r.arr(), 2)
	assert.Equal(t, sid2, r.arr()[0].(map[string]any)["id"], "newest first")
	assert.Equal(t, "2", r.header.Get("X-Total-Count"))
	assert.Equal(t, fmt.Sprintf(`</admin/identities/%s/sessions?page=0&page_size=2&page_token=eyJvZmZzZXQiOiIwIiwidiI6Mn0&per_page=2>; rel="first"`, id), r.header.Get("Link"))
	ident := r.arr()[0].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, "", ident["schema_url"])
	assert.NotContains(t, ident, "verifiable_addresses")
	r = c.do("GET", "/admin/identities/"+id+"/sessions?page_size=1", "")
	assert.Len(t, r.arr(), 1)
	assert.Contains(t, r.header.Get("Link"), `rel="next"`)

	r = c.do("GET", "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f/sessions", "")
	assert.Equal(t, 200, r.status)
	assert.Empty(t, r.arr())
	assert.Equal(t, "0", r.header.Get("X-Total-Count"))
	r = c.do("GET", "/admin/identities/bad/sessions", "")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, `uuid: incorrect UUID length 3 in string "bad"`, r.err()["message"])
	assert.Equal(t, 400, c.unchecked().do("GET", "/admin/identities/"+id+"/sessions?active=maybe", "").status)

	r = c.do("DELETE", "/admin/sessions/"+sid2, "")
	assert.Equal(t, 204, r.status)
	assert.Equal(t, 204, c.do("DELETE", "/admin/sessions/"+sid2, "").status, "revoking again")
	assert.Equal(t, 404, c.do("DELETE", "/admin/sessions/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", "").status)
	assert.Equal(t, 1, c.srv.Sessions(id))
	r = c.do("GET", "/admin/identities/"+id+"/sessions?active=false", "")
	require.Len(t, r.arr(), 1)
	assert.Equal(t, false, r.arr()[0].(map[string]any)["active"])
	r = c.do("GET", "/admin/sessions/"+sid2, "")
	assert.Nil(t, r.obj()["identity"])
	assert.NotNil(t, c.do("GET", "/admin/sessions/"+sid2+"?expand=identity", "").obj()["identity"])

	assert.Equal(t, 200, c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok1).status)
	assert.Equal(t, 204, c.do("DELETE", "/admin/identities/"+id+"/sessions", "").status)
	assert.Equal(t, 404, c.do("DELETE", "/admin/identities/"+id+"/sessions", "").status, "none left")
	assert.Equal(t, 401, c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok1).status)
	assert.Equal(t, 0, c.srv.Sessions(id))

	tok3, _ := c.srv.SignIn(id)
	assert.Equal(t, 204, c.do("DELETE", "/admin/identities/"+id, "").status)
	assert.Equal(t, 404, c.do("DELETE", "/admin/identities/"+id, "").status)
	assert.Equal(t, 401, c.do("GET", "/sessions/whoami", "", "X-Session-Token: "+tok3).status)
	assert.Equal(t, 0, c.srv.UserCount())
}

func TestRecoveryAndCredentials(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	id := c.create(`{"schema_id":"default","traits":{"email":"r@example.com"},"credentials":{"password":{"config":{"password":"pw"}}}}`)["id"].(string)
	r := c.do("POST", "/admin/recovery/link", fmt.Sprintf(`{"identity_id":%q,"expires_in":"30m"}`, id))
	require.Equal(t, 200, r.status, "the link method is on, as in scripts/kratos.sh: %s", r.raw)
	assert.Regexp(t, `/self-service/recovery\?flow=[0-9a-f-]{36}&token=[A-Za-z0-9]{32}$`, r.obj()["recovery_link"])
	exp, err := time.Parse(time.RFC3339Nano, r.obj()["expires_at"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(30*time.Minute), exp, time.Minute)
	r = c.do("POST", "/admin/recovery/link", `{"identity_id":"6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f"}`)
	assert.Equal(t, 400, r.status, "a missing identity is 400 here")
	assert.Equal(t, "The requested identity id does not exist.", r.err()["reason"])
	r = c.do("POST", "/admin/recovery/code", fmt.Sprintf(`{"identity_id":%q,"expires_in":"5m"}`, id))
	require.Equal(t, 201, r.status, string(r.raw))
	assert.Regexp(t, `^[0-9]{6}$`, r.obj()["recovery_code"])
	assert.Contains(t, r.obj()["recovery_link"], "/recovery?flow=")
	assert.Equal(t, 404, c.do("POST", "/admin/recovery/code", `{"identity_id":"6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f"}`).status)

	r = c.do("DELETE", "/admin/identities/"+id+"/credentials/password", "")
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "You cannot remove first factor credentials.", r.err()["reason"])
	assert.Equal(t, 404, c.do("DELETE", "/admin/identities/"+id+"/credentials/oidc", "").status)
}

// TestEnrolledCredentials enrolls each credential type and deletes it as
// Kratos v1.3.1's handler does.
func TestEnrolledCredentials(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	id := c.create(`{"schema_id":"default","traits":{"email":"f@example.com"},"credentials":{"oidc":{"config":{"providers":[{"provider":"google","subject":"g1"}]}}}}`)["id"].(string)
	assert.False(t, c.srv.Enroll("6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", kratostest.Credential{Type: kratostest.TypeTOTP}), "no such identity")
	assert.False(t, c.srv.Enroll(id, kratostest.Credential{Type: "password"}), "not an enrolled type")
	assert.False(t, c.srv.Enroll(id, kratostest.Credential{Type: kratostest.TypeOIDC}), "oidc needs a provider and subject")
	for _, cr := range []kratostest.Credential{
		{Type: kratostest.TypeTOTP}, {Type: kratostest.TypeLookupSecret},
		{Type: kratostest.TypeWebAuthn, Name: "key"}, {Type: kratostest.TypeWebAuthn, Name: "pwless", Passwordless: true},
		{Type: kratostest.TypePasskey, Name: "phone"}, {Type: kratostest.TypeOIDC, Provider: "github", Subject: "h2"},
	} {
		require.True(t, c.srv.Enroll(id, cr), cr.Type)
	}
	creds := func(include string) map[string]any {
		return c.do("GET", "/admin/identities/"+id+include, "").obj()["credentials"].(map[string]any)
	}
	got := creds("")
	for _, typ := range []string{"password", "totp", "lookup_secret", "webauthn", "passkey", "oidc"} {
		require.Contains(t, got, typ)
		assert.NotContains(t, got[typ], "config", "%s: no config without include_credential", typ)
	}
	oidc := creds("?include_credential=oidc")["oidc"].(map[string]any)
	assert.Equal(t, []any{"github:h2", "google:g1"}, oidc["identifiers"])
	assert.Len(t, oidc["config"].(map[string]any)["providers"], 2)
	assert.Contains(t, creds("?include_credential=totp")["totp"].(map[string]any)["config"], "totp_url")

	cred := "/admin/identities/" + id + "/credentials/"
	cases := []struct {
		name, path string
		status     int
		reason     string
	}{
		{"totp", cred + "totp", 204, ""},
		{"totp again", cred + "totp", 404, "You tried to remove a totp but this user have no totp set up."},
		{"lookup_secret", cred + "lookup_secret", 204, ""},
		{"webauthn keeps the passwordless key", cred + "webauthn", 204, ""},
		{"webauthn again: 204, nothing removed", cred + "webauthn", 204, ""},
		{"passkey has no case in the handler", cred + "passkey", 400, "Unknown credentials type passkey."},
		{"oidc without an identifier", cred + "oidc", 400, "You must provide an identifier to delete this credential."},
		{"oidc of another subject", cred + "oidc?identifier=google:nope", 404, "The identifier `google:nope` was not found among OIDC credentials."},
		{"oidc", cred + "oidc?identifier=google:g1", 204, ""},
		{"the last oidc", cred + "oidc?identifier=github:h2", 204, ""},
		{"a missing identity", "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f/credentials/totp", 404, ""},
	}
	for _, tc := range cases {
		r := c.do("DELETE", tc.path, "")
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.raw)
		if tc.reason != "" {
			assert.Equal(t, tc.reason, r.err()["reason"], tc.name)
		}
	}
	got = creds("?include_credential=webauthn&include_credential=oidc")
	assert.NotContains(t, got, "totp")
	assert.NotContains(t, got, "lookup_secret")
	keys := got["webauthn"].(map[string]any)["config"].(map[string]any)["credentials"].([]any)
	require.Len(t, keys, 1)
	assert.Equal(t, "pwless", keys[0].(map[string]any)["display_name"])
	oidc = got["oidc"].(map[string]any)
	assert.Equal(t, []any{}, oidc["identifiers"], "the credential stays, empty")
	assert.Equal(t, []any{map[string]any{"initial_id_token": "", "initial_access_token": "", "initial_refresh_token": "", "subject": "", "provider": "", "organization": ""}},
		oidc["config"].(map[string]any)["providers"], "and holds one blank provider, as observed")
}

func TestRoutingAndHealth(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	assert.JSONEq(t, `{"status":"ok"}`, string(c.do("GET", "/health/alive", "").raw))
	assert.Equal(t, 200, c.do("GET", "/health/ready", "").status)
	// Outside the document: plain-text 404 and 405 as Kratos's router.
	rawSrv := kratostest.NewServer(t, kratostest.Options{})
	raw := &client{t: t, base: rawSrv.URL, srv: rawSrv.Emulator}
	r := raw.do("GET", "/admin/nope", "")
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, "404 page not found\n", string(r.raw))
	r = raw.do("POST", "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", "")
	assert.Equal(t, 405, r.status)
	assert.Equal(t, "DELETE, GET, OPTIONS, PATCH, PUT", r.header.Get("Allow"))
	assert.Equal(t, "Method Not Allowed\n", string(r.raw))
	// The Location of a create can be followed.
	loc := raw.do("POST", "/admin/identities", `{"schema_id":"default","traits":{}}`).header.Get("Location")
	g := raw.do("GET", strings.TrimPrefix(loc, raw.base), "")
	assert.Equal(t, 200, g.status)
}

func TestAPIKey(t *testing.T) {
	c := newClient(t, kratostest.Options{APIKey: "ory_pat_test"})
	r := c.do("GET", "/admin/identities", "")
	assert.Equal(t, 401, r.status)
	assert.EqualValues(t, 401, r.err()["code"])
	assert.Equal(t, 401, c.do("GET", "/admin/identities", "", "Authorization: Bearer wrong").status)
	assert.Equal(t, 200, c.do("GET", "/admin/identities", "", "Authorization: Bearer ory_pat_test").status)
	assert.Equal(t, 200, c.do("GET", "/self-service/login/api", "").status, "the public API needs no key")
	assert.Zero(t, c.srv.Requests()["GET /admin/identities"]-1, "refused requests are not counted")
}

func TestConcurrentCreates(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", c.base+"/admin/identities", strings.NewReader(`{"schema_id":"default","traits":{"email":"same@example.com"}}`))
			req.Header.Set("Content-Type", "application/json")
			statuses[i] = emulate.Send(t, req).Status
		})
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == 201 {
			created++
		} else {
			assert.Equal(t, 409, s)
		}
	}
	assert.Equal(t, 1, created)
	assert.Equal(t, 1, c.srv.UserCount())
}

// TestHostileInput sends what no client following the schema would, so it
// runs without the schema check: the emulator must answer, not panic.
func TestHostileInput(t *testing.T) {
	srv := kratostest.NewServer(t, kratostest.Options{})
	c := &client{t: t, base: srv.URL, srv: srv.Emulator}
	id := c.create(`{"schema_id":"default","traits":{"email":"h@example.com","name":{"first":"H"}},"metadata_public":{"list":[1,2]}}`)["id"].(string)
	bodies := []string{`{"schema_id":"default","traits":`, `[]`, `null`, `{"schema_id":"default","traits":{"email":12}}`, strings.Repeat("x", 2<<20), `{"schema_id":"default","traits":{"name":{"first":{"deep":[1,2]}}}}`,
		`{"schema_id":"default","traits":{},"credentials":{"password":{"config":{"hashed_password":"$argon2id$v=19$m=99999999,t=99,p=1$x$y"}}}}`,
		`{"schema_id":"default","traits":{},"credentials":{"password":{"config":{"password":"` + strings.Repeat("p", 100) + `"}}}}`,
		`{"schema_id":"default","traits":{"email":"` + strings.Repeat("a", 300) + `@example.com"}}`}
	for _, b := range bodies {
		r := c.do("POST", "/admin/identities", b)
		assert.Less(t, r.status, 500, b[:min(len(b), 40)])
	}
	patches := []string{`[{"op":"add","path":"/metadata_public/list/9","value":1}]`, `[{"op":"add","path":"/metadata_public/list/-","value":1}]`,
		`[{"op":"remove","path":"/metadata_public/list/7"}]`, `[{"op":"replace","path":"/metadata_public/list/1","value":{}}]`,
		`[{"op":"replace","path":"/metadata_public/list/x/0","value":1}]`, `[{"op":"add","path":"/metadata_public/new/-1/x","value":1}]`,
		`[{"op":"add","path":"/traits/name/first/x","value":1}]`, `[{"op":"add","path":"","value":1}]`, `[{"op":"add","path":"/","value":1}]`,
		`[{"op":"add","path":"/created_at","value":5}]`, `[{"op":"add","path":"/state","value":5}]`, `[{"op":"add","path":"/credentials","value":1}]`,
		`[{"op":"add","path":"/credentials/password","value":"x"}]`, `[{"op":"add","path":"/traits","value":null}]`, `[1]`, `[{"op":1,"path":2}]`, `"x"`, ``,
		`[{"op":"add","path":"/metadata_public/a~1b~0c","value":1}]`, `[{"op":"remove","path":"/metadata_public/list/-"}]`}
	for _, p := range patches {
		r := c.do("PATCH", "/admin/identities/"+id, p)
		assert.Less(t, r.status, 500, p)
	}
	paths := []string{"/admin/identities?page_size=-1", "/admin/identities?page_size=99999999999999999999", "/admin/identities?page=-5&per_page=-5",
		"/admin/identities?page_token=%zz", "/admin/identities/%2F..%2Fadmin", "/admin/identities/a/b/c", "/admin/identities/" + id + "/sessions?page_token=!!&page_size=x",
		"/admin/identities/" + id + "/sessions?page=99999999", "/self-service/login?flow=x", "/", "/admin/", "/identities/x", "/sessions/whoami"}
	for _, p := range paths {
		for _, m := range []string{"GET", "POST", "DELETE"} {
			r := c.do(m, p, `{"x":1}`)
			assert.Less(t, r.status, 500, m+" "+p)
		}
	}
	f := c.do("GET", "/self-service/login/api", "").obj()["id"].(string)
	for _, b := range []string{`{"method":"password","identifier":1,"password":2}`, `{"method":"password","identifier":"h@example.com","password":"` + strings.Repeat("x", 100) + `"}`, `[]`} {
		assert.Less(t, c.do("POST", "/self-service/login?flow="+f, b).status, 500, b)
	}
	assert.Less(t, c.do("POST", "/self-service/login?flow="+f, "method=password&identifier=a&password=b", "Content-Type: application/x-www-form-urlencoded").status, 500)
}
