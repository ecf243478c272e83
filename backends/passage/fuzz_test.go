package passage

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/metaroles"
)

// RawDirectory is the directory newDirectory makes with opts, but with
// one attempt per request, so that no answer makes the client wait
// between retries, and responses capped at maxResponse bytes.
func RawDirectory(tb testing.TB, opts Options, maxResponse int) driver.Directory {
	tb.Helper()
	opts.HTTPOptions.MaxAttempts = 1
	d, err := newDirectory(opts)
	if err == nil {
		d.http, err = httpx.New(httpx.Config{
			Backend: Scheme, BaseURL: opts.BaseURL, AuthHeader: "Bearer " + opts.APIKey,
			DecodeError: decodeError, MaxResponseBytes: int64(maxResponse), HTTPOptions: opts.HTTPOptions,
		})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// FuzzDecodeError: see backendtest.FuzzDecodeError; a field is named
// only as the decoder means to.
func FuzzDecodeError(f *testing.F) {
	backendtest.FuzzDecodeError(f, backendtest.DecodeErrors{
		Decode: decodeError, Codes: codes,
		Body: func(code string) string { return `{"code":"` + code + `","error":"metadata field \"plan\" not found"}` },
		Seeds: []string{
			`{"code":"metadata_field_not_found","error":"field \"` + strings.Repeat("x", 200) + `\""}`,
			`{"code":"metadata_field_not_found","error":"\"\"\""}`,
			`{"code":"metadata_field_not_found","error":"\"a\nb\""}`,
			`{"code":"app_not_found"}`,
			`{"code":"cannot_delete_admin","error":"by status"}`,
			`{"error":"no code"}`,
			`{"code":1,"error":2}`,
		},
		Check: func(t *testing.T, status int, body []byte, e *identity.Error) {
			switch {
			case e.Field == "", e.Field == "AppID", e.Field == "Metadata", e.Field == "factor":
			case strings.HasPrefix(e.Field, "Metadata."):
				// The decoder bounds the name at 128 characters, not bytes.
				if n := utf8.RuneCountInString(e.Field) - len("Metadata."); n < 1 || n > 128 || strings.Contains(e.Field, `"`) {
					t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
				}
			default:
				t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
			}
		},
	})
}

// FuzzUserFromJSON: see backendtest.FuzzUserFromJSON; with roles kept in
// metadata, the roles field is never in Metadata, and every role parsed
// from it is a name.
func FuzzUserFromJSON(f *testing.F) {
	plain := &directory{}
	roles := &directory{opts: Options{RolesField: "roles"}, Roles: &metaroles.Roles{}}
	backendtest.FuzzUserFromJSON(f, backendtest.UserJSON{
		Decoders: map[string]func([]byte) (*identity.User, error){
			"plain": plain.userFromBody,
			"roles": roles.userFromBody,
		},
		Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended, identity.StatusPending},
		Seeds: []string{
			`{"id":"Zx8y","email":"ada@example.com","email_verified":true,"phone":"+14155550100","status":"active","user_metadata":{"plan":"pro","roles":"admin,editor"},"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05.123456789Z","last_login_at":"0001-01-01T00:00:00Z"}`,
			`{"id":"x","status":"inactive","user_metadata":null}`,
			`{"id":"x","status":"pending","user_metadata":{"roles":7}}`,
			`{"id":"x","status":"deleted"}`, `{"id":"x","status":""}`, `{"id":"","status":"active"}`,
			`{"id":"x","status":"active","created_at":"yesterday"}`,
			`{"id":"x","status":"active","user_metadata":[1]}`,
			`{"id":"x","status":"active","last_login_at":"9999-12-31T23:59:59Z"}`,
			"{\"id\":\"\xff\",\"status\":\"active\"}",
		},
		Check: func(t *testing.T, decoder string, raw []byte, u *identity.User) {
			if decoder != "roles" {
				return
			}
			if _, ok := u.Metadata["roles"]; ok {
				t.Fatalf("toUser(%q): the roles field is in Metadata", raw)
			}
			for _, r := range roles.parseRoles(u.Metadata) {
				if r == "" || strings.Contains(r, ",") {
					t.Fatalf("parseRoles gave %q", r)
				}
			}
		},
	})
}

// FuzzCursor: see backendtest.FuzzCursor; a cursor is a page from 2 on,
// anchored at a positive time, or not yet anchored (0) when CursorAhead
// guessed it before the first answer.
func FuzzCursor(f *testing.F) {
	backendtest.FuzzCursor(f, backendtest.Cursors[cursor]{
		Encode: cursor.encode, Decode: decodeCursor, Valid: func(c cursor) bool {
			return c.Page >= 2 && c.Anchor >= 0 && (c.Last == 0 || c.Last >= c.Page) && c.Total >= 0
		},
		Seeds: []string{cursor{Page: 2, Anchor: 1700000000}.encode(), cursor{Page: 3}.encode(), cursor{Page: 1 << 40, Anchor: 1}.encode(), cursor{Page: 3, Anchor: 1700000000, Last: 20}.encode(), cursor{Page: 3, Anchor: 1700000000, Last: 20, Total: 199}.encode(),
			"ps1.", "ps1.e30", "ps1.eyJwIjoxLCJhIjoxfQ", "ps1.eyJwIjoyLCJhIjotMX0", "ps1.!!"},
	})
}
