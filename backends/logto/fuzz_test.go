package logto

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/httpx"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// RawDirectory is the directory newDirectory makes for the app "m2m" on
// the server at base, but with one attempt per request, so that no
// answer makes the client wait between retries, and responses capped at
// maxResponse bytes.
func RawDirectory(tb testing.TB, base, secret string, ho identity.HTTPOptions, maxResponse int) driver.Directory {
	tb.Helper()
	cc := &clientcredentials.Config{
		ClientID: "m2m", ClientSecret: secret, TokenURL: base + "/oidc/token", Scopes: []string{"all"},
		EndpointParams: url.Values{"resource": {OSSResource}}, AuthStyle: oauth2.AuthStyleInHeader,
	}
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, ho.HTTPClient)
	ho.MaxAttempts = 1
	c, err := httpx.New(httpx.Config{
		Backend: Scheme, BaseURL: base,
		TokenSource: tokenFunc(func() (*oauth2.Token, error) { return cc.Token(tokenCtx) }),
		DecodeError: decodeError, MaxResponseBytes: int64(maxResponse), HTTPOptions: ho,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &directory{http: c, roles: newRoleCache()}
}

// FuzzDecodeError: see backendtest.FuzzDecodeError.
func FuzzDecodeError(f *testing.F) {
	backendtest.FuzzDecodeError(f, backendtest.DecodeErrors{
		Decode: decodeError, Codes: codes,
		Body: func(code string) string { return `{"code":"` + code + `","message":"m","details":"d"}` },
		Seeds: []string{
			`{"code":"koa.too_many_requests","message":"slow down"}`,
			`{"message":"Internal server error."}`,
			`{"code":"","message":"empty code"}`,
			`{"code":1,"message":["not","a","string"]}`,
			`{"code":"entity.not_found","details":{"nested":true}}`,
			`{"code":"x","message":"\u0000\n\r\u2028"}`,
		},
	})
}

// FuzzUserFromJSON: see backendtest.FuzzUserFromJSON; a phone is also
// given back in E.164, with its "+".
func FuzzUserFromJSON(f *testing.F) {
	backendtest.FuzzUserFromJSON(f, backendtest.UserJSON{
		Decoders: map[string]func([]byte) (*identity.User, error){"logto": userFromBody},
		Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
		Seeds: []string{
			`{"id":"abc123def456","username":"ada","primaryEmail":"ada@example.com","primaryPhone":"14155550100","name":"Ada","customData":{"plan":"pro"},"profile":{"givenName":"Ada","familyName":"Lovelace"},"lastSignInAt":1700000000000,"createdAt":1700000000000,"updatedAt":1700000000001,"isSuspended":true}`,
			`{"id":"x","username":null,"primaryEmail":null,"lastSignInAt":null,"customData":{},"profile":{}}`,
			`{"id":"x","createdAt":-9223372036854775808}`, `{"id":"x","createdAt":1e300}`, `{"id":"x","isSuspended":"yes"}`,
			`{"id":"x","customData":[1,2]}`, `{"id":"x","profile":"p"}`, `{"id":"x","primaryPhone":""}`, `"id"`,
		},
		Check: func(t *testing.T, _ string, raw []byte, u *identity.User) {
			if u.Phone != "" && !strings.HasPrefix(u.Phone, "+") {
				t.Fatalf("toUser(%q): phone %q", raw, u.Phone)
			}
		},
	})
}

// FuzzCursor: see backendtest.FuzzCursor; a cursor is a page from 2 on,
// and the last page, when it says, is not before it.
func FuzzCursor(f *testing.F) {
	backendtest.FuzzCursor(f, backendtest.Cursors[pageHint]{
		Encode: encodeCursor, Decode: decodeCursor,
		Valid: func(c pageHint) bool {
			return c.page >= 2 && (c.last == 0 && c.total == 0 || c.last >= c.page && c.total >= 0)
		},
		Seeds: []string{encodeCursor(pageHint{2, 0, 0}), encodeCursor(pageHint{1 << 40, 0, 0}), encodeCursor(pageHint{3, 20, 199}), "lg1.", "lg1.MQ", "lg1.LTE",
			"lg1.Mi8x", "lg1.My8yMC8xOTk", "lg1.My8yMC8tMQ", "lg1.My8yMC8wMQ",
			"ps1.eyJwIjoyfQ", "lg1.!!", "lg1.Mi8x"},
	})
}
