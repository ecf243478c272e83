package okta

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// published reads Okta's error-code list, vendored with its provenance in
// internal/openapicheck/testdata.
func published(t *testing.T) map[string]int {
	t.Helper()
	data, err := os.ReadFile("../../internal/openapicheck/testdata/okta-error-codes.json")
	require.NoError(t, err)
	var doc struct {
		Errors []struct {
			ErrorCode  string `json:"errorCode"`
			StatusCode int    `json:"statusCode"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	out := map[string]int{}
	for _, e := range doc.Errors {
		out[e.ErrorCode] = e.StatusCode
	}
	require.NotEmpty(t, out)
	return out
}

// body is an Okta error body with code and one errorCauses entry for
// each cause.
func body(code string, causes ...string) string {
	b := map[string]any{"errorCode": code, "errorSummary": "summary of " + code, "errorLink": code, "errorId": "oaeXYZ"}
	var cs []map[string]string
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	b["errorCauses"] = cs
	out, _ := json.Marshal(b)
	return string(out)
}

// TestErrorTable checks every row of the table at the status Okta
// publishes for it (a code Okta does not publish fails), the causes the
// decoder reads a field or another code from, and bodies it does not
// know; every error it decodes is retryable as its code says, and keeps
// the summary or cause in its message.
func TestErrorTable(t *testing.T) {
	pub := published(t)
	var rows []backendtest.ErrorRow
	for pc, want := range codes {
		status, ok := pub[pc]
		assert.True(t, ok, "%s is not in Okta's published error codes", pc)
		rows = append(rows, backendtest.ErrorRow{Status: status, Code: pc, Want: want, Message: "summary of " + pc})
	}
	for _, c := range []struct {
		code   string
		status int
		cause  string
		want   identity.Code
		field  string
	}{
		{"E0000001", 400, "login: An object with this field already exists in the current organization", identity.AlreadyExists, "Username"},
		{"E0000001", 400, "name: An object with this field already exists in the current organization", identity.AlreadyExists, "Role"},
		{"E0000001", 400, "email: Does not match required pattern", identity.InvalidArgument, "Email"},
		{"E0000001", 400, "firstName: The field cannot be left blank", identity.InvalidArgument, "GivenName"},
		{"E0000001", 400, "lastName: The field cannot be left blank", identity.InvalidArgument, "FamilyName"},
		{"E0000001", 400, "mobilePhone: Does not match required pattern", identity.InvalidArgument, "Phone"},
		{"E0000001", 400, "password: Password requirements were not met.", identity.InvalidArgument, "Password"},
		{"E0000001", 400, "costCenter: Property value is not a valid type", identity.InvalidArgument, "Metadata.costCenter"},
		{"E0000014", 403, "oldPassword: The credentials provided were incorrect.", identity.InvalidCredentials, "Password"},
		{"E0000014", 403, "password: Password requirements were not met.", identity.FailedPrecondition, "Password"},
		{"E0000001", 400, "Password requirements: at least 8 characters", identity.InvalidArgument, ""},
	} {
		rows = append(rows, backendtest.ErrorRow{Status: c.status, Code: c.code, Body: body(c.code, c.cause), Want: c.want, Field: c.field,
			Message: c.cause})
	}
	rows = append(rows,
		// Not Okta's bodies: the HTTP layer falls back to the status.
		backendtest.ErrorRow{Status: 500, Body: `not json`},
		backendtest.ErrorRow{Status: 404, Body: `{}`},
		// A code the table lacks: by status.
		backendtest.ErrorRow{Status: 418, Code: "E9999999", Body: `{"errorCode":"E9999999","errorSummary":"new"}`, Want: identity.Internal, Message: "new"},
		backendtest.ErrorRow{Status: 503, Code: "E9999999", Body: `{"errorCode":"E9999999"}`, Want: identity.Unavailable},
		backendtest.ErrorRow{Status: 409, Code: "E9999999", Body: `{"errorCode":"E9999999"}`, Want: identity.AlreadyExists},
	)
	d := backendtest.DecodeErrors{Decode: decodeError, Codes: codes, Body: func(code string) string { return body(code) }}
	backendtest.ErrorTable(t, d, rows, func(t *testing.T, r backendtest.ErrorRow, e *identity.Error) {
		assert.Equal(t, retryable[r.Code], e.Retryable)
	})
}

// FuzzDecodeError: see backendtest.FuzzDecodeError; a decoded error is
// also retryable exactly when its code says so, departs from the table
// only as the decoder means to (a cause saying the value already exists,
// a wrong old password), and names a field only as the decoder means to.
func FuzzDecodeError(f *testing.F) {
	backendtest.FuzzDecodeError(f, backendtest.DecodeErrors{
		Decode: decodeError, Codes: codes,
		Body: func(code string) string {
			return `{"errorCode":"` + code + `","errorSummary":"Api validation failed: login","errorLink":"` + code + `","errorId":"oae1","errorCauses":[{"errorSummary":"login: An object with this field already exists in the current organization"}]}`
		},
		Seeds: []string{
			`{"errorCode":"E0000014","errorSummary":"Update of credentials failed","errorCauses":[{"errorSummary":"oldPassword: The credentials provided were incorrect."}]}`,
			`{"errorCode":"E0000001","errorSummary":"Api validation failed: password","errorCauses":[{"errorSummary":"password: Password requirements were not met. Password requirements: at least 8 characters."}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":"Password requirements: at least 8 characters"}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":"` + strings.Repeat("x", 129) + `: already exists"}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":"` + strings.Repeat("x", 128) + `: already exists"}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":"ünï: already exists"}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":": already exists"}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":"name: already exists"},{"errorSummary":"login: x"}]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":7}]}`,
			`{"errorCode":"E0000001","errorCauses":"not a list"}`,
			`{"errorCode":"E0000001","errorCauses":[null]}`,
			`{"errorCode":"E0000001","errorCauses":[{"errorSummary":"plan.tier: x"}]}`,
			`{"errorCode":"E9999999","errorSummary":"unknown code"}`,
			`{"errorCode":"","errorSummary":"empty code"}`,
			`{"errorCode":1,"errorSummary":["not","a","string"]}`,
			`{"errorCode":"E0000047","errorSummary":"\u0000\n\r\u2028"}`,
			`{"error":"invalid_client","error_description":"an OAuth body"}`,
		},
		Departs: func(e *identity.Error) bool {
			return e.Field != "" && e.Code == identity.AlreadyExists ||
				e.Field == "Password" && e.ProviderCode == "E0000014" && e.Code == identity.InvalidCredentials
		},
		Check: func(t *testing.T, status int, body []byte, e *identity.Error) {
			if e.Retryable != retryable[e.ProviderCode] {
				t.Fatalf("decodeError(%d, %q): Retryable %v for %s", status, body, e.Retryable, e.ProviderCode)
			}
			if e.Field == "" {
				return
			}
			if prop, ok := strings.CutPrefix(e.Field, "Metadata."); ok {
				if _, mapped := profileFields[prop]; mapped || !isPropertyName(prop) {
					t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
				}
				return
			}
			for _, f := range profileFields {
				if e.Field == f {
					return
				}
			}
			t.Fatalf("decodeError(%d, %q): field %q", status, body, e.Field)
		},
	})
}

// FuzzUserFromJSON: see backendtest.FuzzUserFromJSON; the status is the
// portable one of Okta's eight, and metadata holds neither a mapped
// property nor a null.
func FuzzUserFromJSON(f *testing.F) {
	backendtest.FuzzUserFromJSON(f, backendtest.UserJSON{
		Decoders: map[string]func([]byte) (*identity.User, error){"okta": userFromBody},
		Statuses: slices.Collect(maps.Values(statuses)),
		Seeds: []string{
			`{"id":"00u1abcdefghijklmnop","status":"ACTIVE","created":"2025-01-02T03:04:05.000Z","activated":null,"statusChanged":null,"lastLogin":null,"lastUpdated":"2025-01-02T03:04:05.000Z","passwordChanged":null,"type":{"id":"oty1"},"profile":{"login":"ada@example.com","email":"ada@example.com","firstName":"Ada","lastName":"Lovelace","mobilePhone":"+14155550100","displayName":"Ada L.","plan":"pro","tags":["a","b"],"level":3,"beta":true,"title":null},"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://dev-1.okta.com/api/v1/users/00u1abcdefghijklmnop"}}}`,
			`{"id":"x","status":"STAGED","profile":{}}`, `{"id":"x","status":"PROVISIONED","profile":null}`,
			`{"id":"x","status":"RECOVERY"}`, `{"id":"x","status":"PASSWORD_EXPIRED","credentials":{"password":null}}`,
			`{"id":"x","status":"SUSPENDED"}`, `{"id":"x","status":"LOCKED_OUT"}`, `{"id":"x","status":"DEPROVISIONED"}`,
			`{"id":"x","status":"active"}`, `{"id":"x","status":""}`, `{"id":"","status":"ACTIVE"}`,
			`{"id":1,"status":"ACTIVE"}`, `{"id":"x","status":"ACTIVE","created":"yesterday"}`,
			`{"id":"x","status":"ACTIVE","lastLogin":"9999-12-31T23:59:59Z"}`,
			`{"id":"x","status":"ACTIVE","profile":[1]}`, `{"id":"x","status":"ACTIVE","profile":{"login":7,"email":null}}`,
			`{"id":"x","status":"ACTIVE","profile":{"address":{"city":"Paris"}}}`,
			`{"id":"x","status":"ACTIVE","credentials":"none"}`,
			`{"id":"x","status":"` + strings.Repeat("é", 30) + `"}`,
			"{\"id\":\"\xff\",\"status\":\"ACTIVE\"}",
		},
		Check: func(t *testing.T, _ string, raw []byte, u *identity.User) {
			if statuses[u.NativeStatus] != u.Status {
				t.Fatalf("toUser(%q) = %+v", raw, u)
			}
			for k, v := range u.Metadata {
				if isMapped(k) || v == nil {
					t.Fatalf("toUser(%q): metadata %q = %v", raw, k, v)
				}
			}
		},
	})
}

// FuzzCursor: see backendtest.FuzzCursor; the after value is never
// empty, and any after value Okta may send makes a cursor.
func FuzzCursor(f *testing.F) {
	backendtest.FuzzCursor(f, backendtest.Cursors[string]{
		Encode: encodeCursor, Decode: decodeCursor, Valid: func(after string) bool { return after != "" },
		Seeds: []string{encodeCursor("00u1abcdefghijklmnop"), encodeCursor(strings.Repeat("z", 300)), encodeCursor("a b&c=d#e"),
			"ok1.", "ok1.YQ==", "ok1.!!", "ok1.+/", "ok1.AA", "ok1"},
		// Okta's last page has no after, and makes no cursor.
		From: func(after string) (string, bool) { return after, after != "" },
	})
}

// FuzzLinkHeader feeds arbitrary Link headers to the parser of Okta's
// pagination: no panic, an after value only from a link that says
// rel="next", and any after value, in a next link as Okta writes it,
// beside a self link or joined to it in one header, read back intact.
func FuzzLinkHeader(f *testing.F) {
	for _, s := range []struct{ after, link string }{
		{"00u1abcdefghijklmnop", `<https://dev-1.okta.com/api/v1/users?limit=200>; rel="self"`},
		{"a,b;c<d>e", `<https://dev-1.okta.com/api/v1/users?after=x&limit=200>; rel="next"`},
		{"a b+c%2Fd", `<https://dev-1.okta.com/api/v1/users?after=x>;rel="next", <https://dev-1.okta.com/api/v1/users?after=y>; rel="next"`},
		{"é\x00\xff", `<https://evil.example/api/v1/users?after=x>; rel="next"`},
		{"x", `<https://dev-1.okta.com/api/v1/users?after=>; rel="next"`},
		{"x", `<https://dev-1.okta.com/api/v1/users?after=%zz>; rel="next"`},
		{"x", `<:>; rel="next"`},
		{"x", `https://dev-1.okta.com/api/v1/users?after=x; rel="next"`},
		{"x", `<?after=x>; rel="prev next"`},
		{"x", `<?after=x>; rel=next`},
		{"x", `<?after=x>; title="rel=\"next\""`},
		{"x", `; rel="next"`},
		{"x", `,,,;;;<<>>`},
		{"x", ``},
	} {
		f.Add(s.after, s.link)
	}
	self := `<https://dev-1.okta.com/api/v1/users?limit=200>; rel="self"`
	f.Fuzz(func(t *testing.T, after, link string) {
		h := http.Header{}
		h.Add("Link", link)
		if got := nextAfter(h); got != "" && !strings.Contains(strings.ReplaceAll(link, " ", ""), `rel="next"`) {
			t.Fatalf("nextAfter(%q) = %q from no next link", link, got)
		}
		if after == "" {
			return
		}
		next := "<https://dev-1.okta.com/api/v1/users?" + url.Values{"after": {after}, "limit": {"200"}}.Encode() + `>; rel="next"`
		for _, h := range []http.Header{{"Link": {self, next}}, {"Link": {self + ", " + next}}} {
			if got := nextAfter(h); got != after {
				t.Fatalf("nextAfter(%q) = %q, want %q", h["Link"], got, after)
			}
		}
	})
}

// RawDirectory is the directory newDirectory makes with opts, with one
// attempt per request and a 1 ms cap on any wait, so that no answer (not
// even rate-limit headers saying the quota is spent) makes the client
// wait, and responses capped at maxResponse bytes.
func RawDirectory(t testing.TB, opts Options, maxResponse int) driver.Directory {
	t.Helper()
	ho := opts.HTTPOptions
	ho.MaxAttempts = 1
	cfg := httpx.Config{
		Backend: Scheme, BaseURL: opts.OrgURL, MaxRetryWait: time.Millisecond,
		MaxResponseBytes: int64(maxResponse), RequestIDHeader: "X-Okta-Request-Id",
		RateLimitHeaders: true, DecodeError: decodeError, HTTPOptions: ho,
	}
	d, err := newDirectory(opts)
	if err == nil {
		// The Authentication API is asked without the credential.
		d.authn, err = httpx.New(cfg)
	}
	if opts.ClientID != "" {
		cfg.TokenSource = &assertionSource{
			tokenURL: opts.OrgURL + "/oauth2/v1/token", clientID: opts.ClientID, keyID: opts.KeyID,
			key: opts.PrivateKey, scopes: DefaultScopes, transport: httpx.WithTokenClient(ho),
		}
	} else {
		cfg.AuthHeader = "SSWS " + opts.APIToken
	}
	if err == nil {
		d.http, err = httpx.New(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}
