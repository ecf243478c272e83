package logto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/secrettest"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// FuzzDecodeError feeds arbitrary statuses and bodies to the error
// decoder: no panic, and a decoded error has a portable code and keeps
// Logto's own code.
func FuzzDecodeError(f *testing.F) {
	for code := range codes {
		f.Add(400, []byte(`{"code":"`+code+`","message":"m","details":"d"}`))
	}
	for _, s := range []string{
		`{"code":"koa.too_many_requests","message":"slow down"}`,
		`{"message":"Internal server error."}`,
		`{"code":"","message":"empty code"}`,
		`{"code":1,"message":["not","a","string"]}`,
		`{"code":"entity.not_found","details":{"nested":true}}`,
		`{"code":"x","message":"\u0000\n\r\u2028"}`,
		`<html>502 Bad Gateway</html>`,
		`null`, `[]`, `""`, ``, `{`,
	} {
		f.Add(500, []byte(s))
	}
	f.Add(-1, []byte(`{"code":"guard.invalid_input"}`))
	f.Add(1<<31-1, []byte(`{"code":"auth.forbidden"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if c := httpx.GenericError(status); !hostiletest.ValidCode(c) {
			t.Fatalf("GenericError(%d) = %v", status, c)
		}
		e := decodeError(status, http.Header{}, body)
		if e == nil {
			return // httpx falls back to the status
		}
		if !hostiletest.ValidCode(e.Code) {
			t.Fatalf("decodeError(%d, %q): code %v", status, body, e.Code)
		}
		if e.ProviderCode == "" {
			t.Fatalf("decodeError(%d, %q): no provider code", status, body)
		}
		if want, ok := codes[e.ProviderCode]; ok && e.Code != want {
			t.Fatalf("decodeError(%d, %q): code %v, the table says %v", status, body, e.Code, want)
		}
	})
}

// FuzzUserFromJSON feeds arbitrary bodies to the code that turns Logto's
// user JSON into an *identity.User: no panic; either an Internal error,
// or a user with an id, a status Logto can have, and the body kept as Raw.
func FuzzUserFromJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"abc123def456","username":"ada","primaryEmail":"ada@example.com","primaryPhone":"14155550100","name":"Ada","customData":{"plan":"pro"},"profile":{"givenName":"Ada","familyName":"Lovelace"},"lastSignInAt":1700000000000,"createdAt":1700000000000,"updatedAt":1700000000001,"isSuspended":true}`,
		`{"id":"x","username":null,"primaryEmail":null,"lastSignInAt":null,"customData":{},"profile":{}}`,
		`{"id":""}`, `{"id":1}`, `{"id":"x","createdAt":-9223372036854775808}`,
		`{"id":"x","createdAt":1e300}`, `{"id":"x","isSuspended":"yes"}`,
		`{"id":"x","customData":[1,2]}`, `{"id":"x","profile":"p"}`, `{"id":"x","primaryPhone":""}`,
		`[]`, `null`, `"id"`, ``, `{"id":"x"`, "{\"id\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := toUser(raw)
		if err != nil {
			if identity.CodeOf(err) != identity.Internal {
				t.Fatalf("toUser(%q): want Internal, got %v", raw, err)
			}
			return
		}
		if u.ID == "" || (u.Status != identity.StatusActive && u.Status != identity.StatusSuspended) {
			t.Fatalf("toUser(%q) = %+v", raw, u)
		}
		if !bytes.Equal(u.Raw, raw) {
			t.Fatalf("toUser(%q): Raw is %q", raw, u.Raw)
		}
		if u.Phone != "" && !strings.HasPrefix(u.Phone, "+") {
			t.Fatalf("toUser(%q): phone %q", raw, u.Phone)
		}
	})
}

// FuzzCursor feeds arbitrary cursors to the decoder: no panic, only pages
// from 2 on, and every cursor the backend makes reads back.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{encodeCursor(2), encodeCursor(1 << 40), "lg1.", "lg1.MQ", "lg1.LTE", "ps1.eyJwIjoyfQ", "lg1.!!", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := decodeCursor(s)
		if !ok {
			return
		}
		if n < 2 {
			t.Fatalf("decodeCursor(%q) = %d", s, n)
		}
		if m, ok := decodeCursor(encodeCursor(n)); !ok || m != n {
			t.Fatalf("cursor for page %d reads back as %d, %v", n, m, ok)
		}
	})
}

// fuzzDirectory is the directory newDirectory makes, but with one attempt
// per request, so that no answer makes the client wait between retries,
// and a small response cap, so that the oversized case is cheap.
func fuzzDirectory(t *testing.T, srv *hostiletest.Server, secret string, logger *slog.Logger) *directory {
	t.Helper()
	cc := &clientcredentials.Config{
		ClientID: "m2m", ClientSecret: secret, TokenURL: srv.URL + "/oidc/token", Scopes: []string{"all"},
		EndpointParams: url.Values{"resource": {OSSResource}}, AuthStyle: oauth2.AuthStyleInHeader,
	}
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
	c, err := httpx.New(httpx.Config{
		Backend: Scheme, BaseURL: srv.URL,
		TokenSource: tokenFunc(func() (*oauth2.Token, error) { return cc.Token(tokenCtx) }),
		DecodeError: decodeError, MaxResponseBytes: fuzzMaxResponse, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), MaxAttempts: 1, Logger: logger},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &directory{http: c, roles: newRoleCache()}
}

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

const (
	jsonHeader      = "Content-Type: application/json"
	fuzzMaxResponse = 64 << 10
	normal          = hostiletest.AsIs
	truncated       = hostiletest.Truncated
	oversized       = hostiletest.Oversized
	all             = uint8(hostiletest.Calls)
)

// FuzzServerResponses runs every operation against a server that gives
// the same arbitrary answer to every API request, and a token endpoint
// that gives another: no panic, every error a typed *identity.Error, no
// loop on a repeated answer, and neither the app secret nor the access
// token in any error or result, even when the server echoes the request's
// Authorization header into its error bodies.
func FuzzServerResponses(f *testing.F) {
	token := `{"access_token":"{{token}}","token_type":"Bearer","expires_in":3600,"scope":"all"}`
	user := `{"id":"u1","username":"ada","primaryEmail":"ada@example.com","customData":{},"profile":{},"createdAt":1,"updatedAt":2,"isSuspended":false}`
	var roles []string
	for i := range maxPageSize {
		roles = append(roles, fmt.Sprintf(`{"id":"r%d","name":"role%d","description":"d","type":"User"}`, i, i))
	}
	fullPage := "[" + strings.Join(roles, ",") + "]"
	for _, s := range []struct {
		status  int
		headers string
		body    string
		tstatus int
		tbody   string
		shape   uint8
	}{
		{200, jsonHeader, user, 200, token, normal},
		{200, jsonHeader + "\nTotal-Number: 1", "[" + user + "]", 200, token, normal},
		{200, jsonHeader, `[{"id":"r1","name":"editor","description":"editor","type":"User"}]`, 200, token, normal},
		{200, jsonHeader, fullPage, 200, token, normal},
		{200, jsonHeader + "\nTotal-Number: 1000000", fullPage, 200, token, normal},
		{200, jsonHeader + "\nTotal-Number: 1000000", `[]`, 200, token, normal},
		{204, "", ``, 200, token, normal},
		{200, jsonHeader, `null`, 200, token, normal},
		{200, jsonHeader, `{"id":`, 200, token, normal},
		{200, "Content-Type: text/html", `<html>ok</html>`, 200, token, normal},
		{200, jsonHeader, user, 200, token, truncated},
		{200, jsonHeader, user, 200, token, oversized},
		{404, jsonHeader, `{"code":"entity.not_found","message":"The resource does not exist."}`, 200, token, normal},
		{404, jsonHeader, `{"code":"entity.not_exists_with_id","message":"gone"}`, 200, token, normal},
		{422, jsonHeader, `{"code":"session.invalid_credentials","message":"wrong"}`, 200, token, normal},
		{500, jsonHeader, `{"code":"unknown","message":"echo: {{auth}}","details":"{{auth}}"}`, 200, token, normal},
		{502, "Content-Type: text/html", `<html>Bad gateway {{auth}}</html>`, 200, token, normal},
		{429, jsonHeader + "\nRetry-After: 3600", `{"code":"too_many_requests","message":"slow down"}`, 200, token, normal},
		{429, "", ``, 200, token, normal},
		{401, jsonHeader, `{"code":"auth.unauthorized","message":"Unauthorized."}`, 200, token, normal},
		{403, jsonHeader, `{"code":"auth.forbidden","message":"Forbidden."}`, 200, token, normal},
		{200, jsonHeader, user, 401, `{"error":"invalid_client","error_description":"client authentication failed"}`, normal},
		{200, jsonHeader, user, 400, `{"code":"oidc.invalid_target","error":"invalid_target"}`, normal},
		{200, jsonHeader, user, 500, `<html>down</html>`, normal},
		{200, jsonHeader, user, 400, `{"error":"invalid_request","error_description":"{{auth}}"}`, normal},
		{200, jsonHeader, user, 400, `{"error":"{{auth}}"}`, normal},
		{200, jsonHeader, user, 429, ``, normal},
		{200, jsonHeader, user, 200, `{"access_token":""}`, normal},
		{200, jsonHeader, user, 200, `access_token={{token}}&token_type=bearer`, normal},
		{200, jsonHeader, user, 200, token, truncated},
	} {
		f.Add(s.status, s.headers, []byte(s.body), s.tstatus, []byte(s.tbody), s.shape, all)
	}
	srv := hostiletest.NewServer(f)
	f.Fuzz(func(t *testing.T, status int, headers string, body []byte, tstatus int, tbody []byte, shape, pick uint8) {
		c := secrettest.New(t)
		secret, tok := c.Make("app-secret"), c.Make("access-token")
		c.Add("basic", secrettest.EncodeBasic("m2m", secret))
		api := hostiletest.Shape(hostiletest.Answer{Status: hostiletest.Status(status), Header: parseHeaders(headers), Body: body}, shape, fuzzMaxResponse)
		tokenAnswer := hostiletest.Answer{Status: hostiletest.Status(tstatus), Header: parseHeaders(jsonHeader),
			Body: bytes.ReplaceAll(tbody, []byte("{{token}}"), []byte(tok))}
		if !json.Valid(tokenAnswer.Body) {
			tokenAnswer.Header = parseHeaders("Content-Type: application/x-www-form-urlencoded")
		}
		ctx := srv.Round(t, 1000, func(r *http.Request) hostiletest.Answer {
			if r.URL.Path == "/oidc/token" {
				return tokenAnswer
			}
			return api
		})
		d := fuzzDirectory(t, srv, secret, c.Logger())
		hostiletest.Exercise(t, ctx, d, d.Capabilities(), srv, c, pick)
	})
}
