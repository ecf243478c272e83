package kratos

import (
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/httpx"
)

// RawDirectory is the directory newDirectory makes with opts, but with
// one attempt per request, so that no answer makes the client wait
// between retries, and responses capped at maxResponse bytes.
func RawDirectory(tb testing.TB, opts Options, maxResponse int) driver.Directory {
	tb.Helper()
	opts.HTTPOptions.MaxAttempts = 1
	d, err := newDirectory(opts)
	for _, c := range []struct {
		client **httpx.Client
		base   string
		auth   identity.Secret
	}{{&d.admin, opts.AdminURL, "Bearer " + opts.APIKey}, {&d.public, opts.PublicURL, ""}} {
		if err == nil && c.base != "" {
			*c.client, err = httpx.New(httpx.Config{
				Backend: Scheme, BaseURL: c.base, AuthHeader: c.auth,
				DecodeError: decodeError, MaxResponseBytes: int64(maxResponse), HTTPOptions: opts.HTTPOptions,
			})
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// errorWithID is an admin error body with the error id code.
func errorWithID(code string) string {
	return `{"error":{"code":400,"status":"Bad Request","id":"` + code + `","reason":"I[#/traits/email] S[#/properties/traits/properties/email/format] \"x\" is not valid \"email\"","message":"The request was malformed or contained invalid parameters"}}`
}

// departs: a disabled account's 401 is FailedPrecondition, and a refused
// login flow's 4000006 InvalidCredentials, whatever the status says.
func departs(e *identity.Error) bool {
	return e.Code == identity.FailedPrecondition || e.Code == identity.InvalidCredentials
}

// FuzzDecodeError: see backendtest.FuzzDecodeError; a field is a trait or
// metadata path from the reason, or none.
func FuzzDecodeError(f *testing.F) {
	backendtest.FuzzDecodeError(f, backendtest.DecodeErrors{
		Decode: decodeError, Codes: errorIDs, Body: errorWithID, Departs: departs,
		Seeds: []string{
			`{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`,
			`{"error":{"code":401,"status":"Unauthorized","reason":"This account was disabled.","details":{"identity_id":"x"},"message":"identity is disabled"}}`,
			`{"id":"f","ui":{"messages":[{"id":4000006,"text":"The provided credentials are invalid","type":"error"}],"nodes":[]}}`,
			`{"id":"f","ui":{"nodes":[{"messages":[{"id":4000002,"text":"Property password is missing.","type":"error"}]}]}}`,
			`{"error":{"reason":"I[#/metadata_public/` + strings.Repeat("x", 300) + `] bad"}}`,
			`{"error":{"message":"x","reason":"I[#/traits] S[#/properties/traits/required] missing properties: \"email\""}}`,
			`{"error":"text"}`, `{"ui":null}`, `{"ui":{"messages":"x"}}`,
		},
		Check: func(t *testing.T, status int, body []byte, e *identity.Error) {
			if e.Field != "" && !strings.HasPrefix(e.Field, "traits") && !strings.HasPrefix(e.Field, "metadata_") &&
				e.Field != "state" && e.Field != "schema_id" {
				t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
			}
		},
	})
}

// testTraits are the traits of kratostest's person schema.
var testTraits = Traits{Email: "email", Username: "username", Phone: "phone", GivenName: "name.first", FamilyName: "name.last", DisplayName: "display_name"}

// FuzzUserFromJSON: see backendtest.FuzzUserFromJSON; with metadata in
// metadata_admin, the roles key is never in Metadata.
func FuzzUserFromJSON(f *testing.F) {
	decoder := func(md string) func([]byte) (*identity.User, error) {
		d, err := newDirectory(Options{AdminURL: "http://127.0.0.1:1", Traits: testTraits, Metadata: md})
		if err != nil {
			f.Fatal(err)
		}
		return func(raw []byte) (*identity.User, error) {
			// As a request whose Out is an httpx.JSON decodes its body.
			var j httpx.JSON[wireIdentity]
			if err := j.DecodeBody(raw); err != nil {
				j.Err = err
			}
			w, err := readIdentity(&j)
			if err != nil {
				return nil, err
			}
			return d.toUser(j.Raw, w)
		}
	}
	backendtest.FuzzUserFromJSON(f, backendtest.UserJSON{
		Decoders: map[string]func([]byte) (*identity.User, error){"public": decoder(MetadataPublic), "admin": decoder(MetadataAdmin)},
		Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
		Seeds: []string{
			`{"id":"9e8c6e1f-6e61-4b94-92d4-f0fe4b52c447","schema_id":"default","state":"active","traits":{"email":"Ada@Example.com","username":"ada","phone":"+14155550100","name":{"first":"Ada","last":"L"},"display_name":"Ada L."},"verifiable_addresses":[{"value":"ada@example.com","verified":true,"via":"email"}],"metadata_public":{"plan":"pro","n":5},"metadata_admin":{"roles":["admin","editor"],"note":"x"},"created_at":"2026-12-01T21:01:11.89252Z","updated_at":"2026-12-01T21:01:11.89252Z"}`,
			`{"id":"x","state":"inactive","traits":null,"metadata_public":null}`,
			`{"id":"x","state":"active","traits":{"name":"flat"},"metadata_admin":{"roles":"admin"}}`,
			`{"id":"x","state":"active","traits":{"email":7},"metadata_admin":{"roles":[1,null,"a"]}}`,
			`{"id":"x","state":"deleted"}`, `{"id":"x","state":""}`, `{"id":"","state":"active"}`,
			`{"id":"x","state":"active","created_at":"yesterday"}`,
			`{"id":"x","state":"active","verifiable_addresses":[{"value":7}]}`,
			"{\"id\":\"\xff\",\"state\":\"active\"}",
		},
		Check: func(t *testing.T, decoder string, raw []byte, u *identity.User) {
			if _, ok := u.Metadata[DefaultRolesKey]; decoder == "admin" && ok {
				t.Fatalf("toUser(%q): the roles key is in Metadata", raw)
			}
		},
	})
}

// FuzzCursor: see backendtest.FuzzCursor; a cursor carries a page token
// Kratos handed out, which is never empty.
func FuzzCursor(f *testing.F) {
	backendtest.FuzzCursor(f, backendtest.Cursors[string]{
		Encode: encodeCursor, Decode: decodeCursor, Valid: func(s string) bool { return s != "" },
		From:  func(s string) (string, bool) { return s, s != "" },
		Seeds: []string{encodeCursor("25f3cd34-bc90-42f7-b81d-c7ff5a9a08ec"), "kr1.", "kr1.!!", "lg1.Mg"},
	})
}

func TestNextToken(t *testing.T) {
	for _, c := range []struct {
		links []string
		want  string
	}{
		{[]string{`</admin/identities?page_size=1&page_token=00000000-0000-0000-0000-000000000000>; rel="first",</admin/identities?page_size=1&page_token=25f3cd34-bc90-42f7-b81d-c7ff5a9a08ec>; rel="next"`}, "25f3cd34-bc90-42f7-b81d-c7ff5a9a08ec"},
		{[]string{`</admin/identities?page_size=1&page_token=00000000-0000-0000-0000-000000000000>; rel="first"`}, ""},
		{[]string{`</a?page_token=x>; rel="first"`, `</a?page_token=y>; rel="next"`}, "y"},
		{[]string{`garbage`, `<%zz>; rel="next"`}, ""},
		{nil, ""},
	} {
		if got := nextToken(c.links); got != c.want {
			t.Errorf("nextToken(%q) = %q, want %q", c.links, got, c.want)
		}
	}
}
