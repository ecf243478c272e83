package passage

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/secrettest"
)

// FuzzDecodeError feeds arbitrary statuses and bodies to the error
// decoder: no panic, and a decoded error has a portable code, keeps
// Passage's own code, and names a field only as the decoder means to.
func FuzzDecodeError(f *testing.F) {
	for code := range codes {
		f.Add(400, []byte(`{"code":"`+code+`","error":"metadata field \"plan\" not found"}`))
	}
	for _, s := range []string{
		`{"code":"metadata_field_not_found","error":"field \"` + strings.Repeat("x", 200) + `\""}`,
		`{"code":"metadata_field_not_found","error":"\"\"\""}`,
		`{"code":"metadata_field_not_found","error":"\"a\nb\""}`,
		`{"code":"app_not_found"}`,
		`{"code":"cannot_delete_admin","error":"by status"}`,
		`{"error":"no code"}`,
		`{"code":1,"error":2}`,
		`<html>bad gateway</html>`,
		`null`, `[]`, `""`, ``, `{`,
	} {
		f.Add(404, []byte(s))
	}
	f.Add(-7, []byte(`{"code":"user_not_found"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if c := httpx.GenericError(status); !hostiletest.ValidCode(c) {
			t.Fatalf("GenericError(%d) = %v", status, c)
		}
		e := decodeError(status, http.Header{}, body)
		if e == nil {
			return // httpx falls back to the status
		}
		if !hostiletest.ValidCode(e.Code) || e.ProviderCode == "" {
			t.Fatalf("decodeError(%d, %q) = %#v", status, body, e)
		}
		if want, ok := codes[e.ProviderCode]; ok && e.Code != want {
			t.Fatalf("decodeError(%d, %q): code %v, the table says %v", status, body, e.Code, want)
		}
		switch {
		case e.Field == "", e.Field == "AppID", e.Field == "Metadata":
		case strings.HasPrefix(e.Field, "Metadata."):
			// The decoder bounds the name at 128 characters, not bytes.
			if n := utf8.RuneCountInString(e.Field) - len("Metadata."); n < 1 || n > 128 || strings.Contains(e.Field, `"`) {
				t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
			}
		default:
			t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
		}
	})
}

// FuzzUserFromJSON feeds arbitrary bodies to the code that turns
// Passage's UserInfo into an *identity.User, with roles kept in metadata
// or not: no panic; either an Internal error, or a user with an id, a
// status Passage has, the body kept as Raw, and never the roles field in
// Metadata in roles mode.
func FuzzUserFromJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"Zx8y","email":"ada@example.com","email_verified":true,"phone":"+14155550100","status":"active","user_metadata":{"plan":"pro","roles":"admin,editor"},"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05.123456789Z","last_login_at":"0001-01-01T00:00:00Z"}`,
		`{"id":"x","status":"inactive","user_metadata":null}`,
		`{"id":"x","status":"pending","user_metadata":{"roles":7}}`,
		`{"id":"x","status":"deleted"}`, `{"id":"x","status":""}`, `{"id":"","status":"active"}`,
		`{"id":"x","status":"active","created_at":"yesterday"}`,
		`{"id":"x","status":"active","user_metadata":[1]}`,
		`{"id":"x","status":"active","last_login_at":"9999-12-31T23:59:59Z"}`,
		`[]`, `null`, ``, `{"id":"x"`, "{\"id\":\"\xff\",\"status\":\"active\"}",
	} {
		f.Add([]byte(s), true)
	}
	plain := &directory{}
	roles := &directory{opts: Options{RolesField: "roles"}, roles: newCatalog(nil)}
	f.Fuzz(func(t *testing.T, raw []byte, rolesMode bool) {
		d := plain
		if rolesMode {
			d = roles
		}
		u, err := d.toUser(raw)
		if err != nil {
			if identity.CodeOf(err) != identity.Internal {
				t.Fatalf("toUser(%q): want Internal, got %v", raw, err)
			}
			return
		}
		if u.ID == "" || !slices.Contains([]identity.Status{identity.StatusActive, identity.StatusSuspended, identity.StatusPending}, u.Status) {
			t.Fatalf("toUser(%q) = %+v", raw, u)
		}
		if !bytes.Equal(u.Raw, raw) {
			t.Fatalf("toUser(%q): Raw is %q", raw, u.Raw)
		}
		if _, ok := u.Metadata["roles"]; rolesMode && ok {
			t.Fatalf("toUser(%q): the roles field is in Metadata", raw)
		}
		for _, r := range d.parseRoles(u.Metadata) {
			if r == "" || strings.Contains(r, ",") {
				t.Fatalf("parseRoles gave %q", r)
			}
		}
	})
}

// FuzzCursor feeds arbitrary cursors to the decoder: no panic, only pages
// from 2 on with an anchor, and every cursor the backend makes reads back.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{
		cursor{Page: 2, Anchor: 1700000000}.encode(), cursor{Page: 1 << 40, Anchor: 1}.encode(),
		"ps1.", "ps1.e30", "ps1.eyJwIjoxLCJhIjoxfQ", "ps1.eyJwIjoyLCJhIjotMX0", "ps1.!!", "lg1.Mg", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeCursor(s)
		if !ok {
			return
		}
		if c.Page < 2 || c.Anchor <= 0 {
			t.Fatalf("decodeCursor(%q) = %+v", s, c)
		}
		if back, ok := decodeCursor(c.encode()); !ok || back != c {
			t.Fatalf("cursor %+v reads back as %+v, %v", c, back, ok)
		}
	})
}

const (
	jsonHeader      = "Content-Type: application/json"
	fuzzMaxResponse = 64 << 10
	normal          = hostiletest.AsIs
	truncated       = hostiletest.Truncated
	oversized       = hostiletest.Oversized
	all             = uint8(hostiletest.Calls)
)

// parseHeaders reads "Key: value" lines.
func parseHeaders(s string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimSpace(k)
		if ok && k != "" && !strings.ContainsAny(k, " \t\r") {
			h.Add(k, strings.TrimSpace(v))
		}
	}
	return h
}

// FuzzServerResponses runs every operation, in roles mode, against a
// server that gives the same arbitrary answer to every request: no panic,
// every error a typed *identity.Error, no loop on a repeated answer, and
// the API key in no error or result, even when the server echoes the
// Authorization header into its error bodies. The client makes one
// attempt per request, so that no answer makes it wait between retries.
func FuzzServerResponses(f *testing.F) {
	user := `{"id":"u1","email":"ada@example.com","status":"active","user_metadata":{"plan":"pro","roles":"editor"},"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}`
	for _, s := range []struct {
		status  int
		headers string
		body    string
		shape   uint8
	}{
		{200, jsonHeader, `{"user":` + user + `}`, normal},
		{201, jsonHeader, `{"user":` + user + `}`, normal},
		{200, jsonHeader, `{"users":[` + user + `],"total_users":1,"limit":10,"page":1,"created_before":1700000000}`, normal},
		{200, jsonHeader, `{"users":[` + user + `],"total_users":1000000000,"limit":1,"page":1,"created_before":1}`, normal},
		{200, jsonHeader, `{"users":[` + user + `],"total_users":5,"limit":0,"page":1}`, normal},
		{200, jsonHeader, `{"users":[],"total_users":5,"limit":500,"page":1}`, normal},
		// Both a user and a page of users, so that DeleteRole's walk gets
		// past each user and on to the next page.
		{200, jsonHeader, `{"user":{"id":"u1","status":"active"},"users":[` + user + `],"total_users":1000000000,"limit":1,"page":1}`, normal},
		{200, jsonHeader, `{"user":{"id":"u1","status":"active"},"users":[` + user + `],"total_users":5,"limit":0,"page":1}`, normal},
		{200, jsonHeader, `{"user":null}`, normal},
		{200, jsonHeader, `{"user":{"id":"u1","status":"banned"}}`, normal},
		{204, "", ``, normal},
		{200, jsonHeader, `{"user":`, normal},
		{200, "Content-Type: text/html", `<html>ok</html>`, normal},
		{200, jsonHeader, `{"user":` + user + `}`, truncated},
		{200, jsonHeader, `{"user":` + user + `}`, oversized},
		{404, jsonHeader, `{"code":"user_not_found","error":"User not found."}`, normal},
		{404, jsonHeader, `{"code":"metadata_field_not_found","error":"metadata field \"{{auth}}\" not found"}`, normal},
		{400, jsonHeader, `{"code":"invalid_request","error":"a user with this identifier already exists"}`, normal},
		{401, jsonHeader, `{"code":"invalid_access_token","error":"Invalid access token: {{auth}}"}`, normal},
		{403, jsonHeader, `{"code":"operation_not_allowed","error":"no"}`, normal},
		{500, jsonHeader, `{"code":"internal_server_error","error":"{{auth}}"}`, normal},
		{503, "Content-Type: text/html", `<html>unavailable {{auth}}</html>`, normal},
		{429, jsonHeader + "\nRetry-After: 3600", `{"code":"too_many_requests","error":"slow down"}`, normal},
		{429, "", ``, normal},
	} {
		f.Add(s.status, s.headers, []byte(s.body), s.shape, all)
	}
	srv := hostiletest.NewServer(f)
	f.Fuzz(func(t *testing.T, status int, headers string, body []byte, shape, pick uint8) {
		c := secrettest.New(t)
		key := c.Make("api-key")
		answer := hostiletest.Shape(hostiletest.Answer{Status: hostiletest.Status(status), Header: parseHeaders(headers), Body: body}, shape, fuzzMaxResponse)
		ctx := srv.Round(t, 1000, func(*http.Request) hostiletest.Answer { return answer })
		d, err := newDirectory(Options{AppID: "app1", APIKey: identity.Secret(key), BaseURL: srv.URL + "/v1", RolesField: "roles", Roles: []identity.Role{{Name: "editor"}}})
		if err != nil {
			t.Fatal(err)
		}
		if d.http, err = httpx.New(httpx.Config{
			Backend: Scheme, BaseURL: srv.URL + "/v1", AuthHeader: "Bearer " + identity.Secret(key),
			DecodeError: decodeError, MaxResponseBytes: fuzzMaxResponse, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), MaxAttempts: 1, Logger: c.Logger()},
		}); err != nil {
			t.Fatal(err)
		}
		hostiletest.Exercise(t, ctx, d, d.Capabilities(), srv, c, pick)
	})
}
