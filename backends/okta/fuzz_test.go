package okta

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/secrettest"
)

// FuzzDecodeError feeds arbitrary statuses and bodies to the error
// decoder: no panic, and a decoded error has a portable code, keeps
// Okta's errorCode, is retryable exactly when the code says so, departs
// from the table only as the decoder means to (a cause saying the value
// already exists, a wrong old password), and names a field only as the
// decoder means to.
func FuzzDecodeError(f *testing.F) {
	for code := range codes {
		f.Add(400, []byte(`{"errorCode":"`+code+`","errorSummary":"Api validation failed: login","errorLink":"`+code+`","errorId":"oae1","errorCauses":[{"errorSummary":"login: An object with this field already exists in the current organization"}]}`))
	}
	for _, s := range []string{
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
		`<html>502 Bad Gateway</html>`,
		`null`, `[]`, `""`, ``, `{`,
	} {
		f.Add(500, []byte(s))
	}
	f.Add(-1, []byte(`{"errorCode":"E0000007"}`))
	f.Add(1<<31-1, []byte(`{"errorCode":"E9999999"}`))
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
		if e.Retryable != retryable[e.ProviderCode] {
			t.Fatalf("decodeError(%d, %q): Retryable %v for %s", status, body, e.Retryable, e.ProviderCode)
		}
		want, ok := codes[e.ProviderCode]
		if !ok {
			want = httpx.GenericError(status)
		}
		switch {
		case e.Code == want:
		case e.Field != "" && e.Code == identity.AlreadyExists:
		case e.Field == "Password" && e.ProviderCode == "E0000014" && e.Code == identity.InvalidCredentials:
		default:
			t.Fatalf("decodeError(%d, %q): code %v, the table says %v", status, body, e.Code, want)
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
	})
}

// FuzzUserFromJSON feeds arbitrary bodies to the code that turns Okta's
// user JSON into an *identity.User: no panic; either an Internal error,
// or a user with an id, the portable status of one of Okta's eight, the
// body kept as Raw, and metadata holding neither a mapped property nor a
// null.
func FuzzUserFromJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"00u1abcdefghijklmnop","status":"ACTIVE","created":"2025-01-02T03:04:05.000Z","activated":null,"statusChanged":null,"lastLogin":null,"lastUpdated":"2025-01-02T03:04:05.000Z","passwordChanged":null,"type":{"id":"oty1"},"profile":{"login":"ada@example.com","email":"ada@example.com","firstName":"Ada","lastName":"Lovelace","mobilePhone":"+14155550100","displayName":"Ada L.","plan":"pro","tags":["a","b"],"level":3,"beta":true,"title":null},"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://dev-1.okta.com/api/v1/users/00u1abcdefghijklmnop"}}}`,
		`{"id":"x","status":"STAGED","profile":{}}`, `{"id":"x","status":"PROVISIONED","profile":null}`,
		`{"id":"x","status":"RECOVERY"}`, `{"id":"x","status":"PASSWORD_EXPIRED","credentials":{"password":null}}`,
		`{"id":"x","status":"SUSPENDED"}`, `{"id":"x","status":"LOCKED_OUT"}`, `{"id":"x","status":"DEPROVISIONED"}`,
		`{"id":"x","status":"active"}`, `{"id":"x","status":""}`, `{"id":"x"}`, `{"id":"","status":"ACTIVE"}`,
		`{"id":1,"status":"ACTIVE"}`, `{"id":"x","status":"ACTIVE","created":"yesterday"}`,
		`{"id":"x","status":"ACTIVE","lastLogin":"9999-12-31T23:59:59Z"}`,
		`{"id":"x","status":"ACTIVE","profile":[1]}`, `{"id":"x","status":"ACTIVE","profile":{"login":7,"email":null}}`,
		`{"id":"x","status":"ACTIVE","profile":{"address":{"city":"Paris"}}}`,
		`{"id":"x","status":"ACTIVE","credentials":"none"}`,
		`{"id":"x","status":"` + strings.Repeat("é", 30) + `"}`,
		`[]`, `null`, ``, `{"id":"x"`, "{\"id\":\"\xff\",\"status\":\"ACTIVE\"}",
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
		if u.ID == "" || !u.Status.Valid() || statuses[u.NativeStatus] != u.Status {
			t.Fatalf("toUser(%q) = %+v", raw, u)
		}
		if !bytes.Equal(u.Raw, raw) {
			t.Fatalf("toUser(%q): Raw is %q", raw, u.Raw)
		}
		for k, v := range u.Metadata {
			if isMapped(k) || v == nil {
				t.Fatalf("toUser(%q): metadata %q = %v", raw, k, v)
			}
		}
	})
}

// FuzzCursor feeds arbitrary cursors to the decoder: no panic, only
// non-empty after values, and every after value Okta may send makes a
// cursor that reads back and is printable ASCII, as the portable layer
// requires of a cursor it is given.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{
		encodeCursor("00u1abcdefghijklmnop"), encodeCursor(strings.Repeat("z", 300)), encodeCursor("a b&c=d#e"),
		"ok1.", "ok1.YQ", "ok1.YQ==", "ok1.!!", "ok1.+/", "ok1.AA", "lg1.Mg", "ps1.e30", "ok1", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if after, ok := decodeCursor(s); ok {
			if after == "" {
				t.Fatalf("decodeCursor(%q) gave an empty after", s)
			}
			if back, ok := decodeCursor(encodeCursor(after)); !ok || back != after {
				t.Fatalf("the cursor of %q reads back as %q, %v", after, back, ok)
			}
		}
		if s == "" {
			return // Okta's last page has no after; no cursor is made
		}
		c := encodeCursor(s)
		if back, ok := decodeCursor(c); !ok || back != s {
			t.Fatalf("the cursor of %q reads back as %q, %v", s, back, ok)
		}
		for i := 0; i < len(c); i++ {
			if c[i] <= ' ' || c[i] > '~' {
				t.Fatalf("the cursor of %q is %q", s, c)
			}
		}
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

const (
	jsonHeader      = "Content-Type: application/json"
	fuzzMaxResponse = 64 << 10
	normal          = hostiletest.AsIs
	truncated       = hostiletest.Truncated
	oversized       = hostiletest.Oversized
	all             = uint8(hostiletest.Calls)

	// Bits of FuzzServerResponses's mode.
	modeServiceApp = 1 << 0
	modeAdmin      = 1 << 1

	// echoAssertion is replaced, in a token endpoint's answer, by the
	// client assertion of the request, as a server echoing its form would.
	echoAssertion = "{{assertion}}"
	// echoToken is replaced by the access token the round hands out.
	echoToken = "{{token}}"
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

// oktaRoutes are every path the backend may send to; "{}" is one
// segment.
var oktaRoutes = []string{
	"/oauth2/v1/token", "/api/v1/authn",
	"/api/v1/users", "/api/v1/users/{}", "/api/v1/users/{}/credentials/change_password",
	"/api/v1/users/{}/lifecycle/suspend", "/api/v1/users/{}/lifecycle/unsuspend", "/api/v1/users/{}/lifecycle/unlock",
	"/api/v1/users/{}/lifecycle/activate", "/api/v1/users/{}/lifecycle/expire_password",
	"/api/v1/users/{}/groups", "/api/v1/users/{}/roles", "/api/v1/users/{}/roles/{}",
	"/api/v1/groups", "/api/v1/groups/{}", "/api/v1/groups/{}/users/{}",
}

// onRoute reports whether an escaped path is one of oktaRoutes, with no
// empty, "." or ".." segment.
func onRoute(escapedPath string) bool {
	for _, r := range oktaRoutes {
		if _, ok := hostiletest.MatchRoute(escapedPath, r); ok {
			return true
		}
	}
	return false
}

// fuzzKey is the service app's key, made once: a fuzz worker runs
// thousands of inputs, and ECDSA signing is cheap where key generation
// is not free.
var fuzzKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// addKey makes every encoding of key's private part a canary: the
// scalar in decimal, hex and base64 (JWK's "d"), and each line of its
// PKCS #8 PEM.
func addKey(c *secrettest.Canaries, name string, key *ecdsa.PrivateKey) {
	d := key.D.Bytes()
	c.Add(name+"-d", key.D.String())
	c.Add(name+"-d-hex", hex.EncodeToString(d))
	c.Add(name+"-d-base64", base64.StdEncoding.EncodeToString(d))
	c.Add(name+"-d-base64url", base64.RawURLEncoding.EncodeToString(d))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "\n") {
		if !strings.HasPrefix(line, "-----") {
			c.Add(name+"-pem", line)
		}
	}
}

// fuzzDirectory is the directory newDirectory makes, with one attempt
// per request and a 1 ms cap on any wait, so that no answer (not even
// rate-limit headers saying the quota is spent) makes the client wait,
// and a small response cap, so that the oversized case is cheap.
func fuzzDirectory(t *testing.T, srv *hostiletest.Server, c *secrettest.Canaries, mode uint8) *directory {
	t.Helper()
	opts := Options{OrgURL: srv.URL, RoleMode: RoleModeGroups, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), MaxAttempts: 1, Logger: c.Logger()}}
	if mode&modeAdmin != 0 {
		opts.RoleMode = RoleModeAdmin
	}
	if mode&modeServiceApp != 0 {
		opts.ClientID, opts.PrivateKey, opts.KeyID = "0oa-svc", fuzzKey(), "kid-1"
		addKey(c, "private-key", fuzzKey())
	} else {
		opts.APIToken = identity.Secret(c.Make("api-token"))
	}
	d, err := newDirectory(opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpx.Config{
		Backend: Scheme, BaseURL: srv.URL, MaxRetryWait: time.Millisecond,
		MaxResponseBytes: fuzzMaxResponse, RequestIDHeader: "X-Okta-Request-Id",
		RateLimitHeaders: true, DecodeError: decodeError, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), MaxAttempts: 1, Logger: c.Logger()},
	}
	if d.authn, err = httpx.New(cfg); err != nil {
		t.Fatal(err)
	}
	if mode&modeServiceApp != 0 {
		cfg.TokenSource = &assertionSource{
			tokenURL: srv.URL + "/oauth2/v1/token", clientID: opts.ClientID, keyID: opts.KeyID,
			key: opts.PrivateKey, scopes: DefaultScopes, client: httpx.NoRedirects(srv.Client()),
		}
	} else {
		cfg.AuthHeader = "SSWS " + opts.APIToken
	}
	if d.http, err = httpx.New(cfg); err != nil {
		t.Fatal(err)
	}
	return d
}

// FuzzServerResponses runs every operation against a server that gives
// the same arbitrary answer to every API request, and, for a service app,
// a token endpoint that gives another: no panic, every error a typed
// *identity.Error, no loop on a repeated answer, no request off the
// backend's routes, and neither the API token, the private key, a client
// assertion nor an access token in any error or result, even when the
// server echoes the request's Authorization header into its error bodies
// and the token endpoint echoes the assertion. mode picks the
// credential and the role mode (modeServiceApp, modeAdmin).
func FuzzServerResponses(f *testing.F) {
	token := `{"token_type":"Bearer","expires_in":3600,"access_token":"` + echoToken + `","scope":"okta.users.manage okta.groups.manage okta.roles.manage"}`
	user := `{"id":"u1","status":"ACTIVE","created":"2025-01-02T03:04:05.000Z","lastUpdated":"2025-01-02T03:04:05.000Z","lastLogin":null,"profile":{"login":"ada","email":"ada@example.com","firstName":"Ada","plan":"pro","note":"x"},"credentials":{"password":{}}}`
	// PASSWORD_EXPIRED is both a user status and a passing sign-in, so
	// that VerifyPassword and ChangePassword get past their reads.
	expired := strings.Replace(user, `"ACTIVE"`, `"PASSWORD_EXPIRED"`, 1)
	group := `{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"editor","description":"d"}}`
	var groups []string
	for i := range 200 {
		groups = append(groups, fmt.Sprintf(`{"id":"00g%d","type":"OKTA_GROUP","profile":{"name":"editor%d"}}`, i, i))
	}
	fullPage := "[" + strings.Join(groups, ",") + "]"
	next := "\nLink: <https://elsewhere.example/api/v1/groups?after=00g1&limit=200>; rel=\"next\""
	spent := "\nX-Rate-Limit-Limit: 1\nX-Rate-Limit-Remaining: 0\nX-Rate-Limit-Reset: 1700000030\nDate: Tue, 14 Nov 2023 22:13:20 GMT"
	oauthErr := `{"error":"invalid_client","error_description":"Client authentication failed: ` + echoAssertion + `"}`
	for _, s := range []struct {
		status  int
		headers string
		body    string
		shape   uint8
	}{
		{200, jsonHeader, user, normal},
		{200, jsonHeader, expired, normal},
		{200, jsonHeader, `{"id":"u1","status":"STAGED","profile":{"login":"ada"},"credentials":{}}`, normal},
		{200, jsonHeader, `{"id":"u1","status":"DEPROVISIONED","profile":{"login":"ada"},"credentials":{"password":{}}}`, normal},
		{200, jsonHeader, `{"id":"u1","status":"LOCKED_OUT","profile":{},"credentials":{"password":{}}}`, normal},
		{200, jsonHeader, `{"id":"u2","status":"ACTIVE"}`, normal},
		{200, jsonHeader, `{"id":"u1","status":"WHATEVER"}`, normal},
		{200, jsonHeader, `{"status":"LOCKED_OUT"}`, normal},
		{200, jsonHeader, `{"status":"MFA_REQUIRED"}`, normal},
		{200, jsonHeader, "[" + user + "]", normal},
		{200, jsonHeader + next, "[" + user + "]", normal},
		{200, jsonHeader, "[" + group + "]", normal},
		{200, jsonHeader + next, "[" + group + "]", normal},
		{200, jsonHeader + next, fullPage, normal},
		{200, jsonHeader, `[{"id":"00g1","type":"BUILT_IN","profile":{"name":"editor"}}]`, normal},
		{200, jsonHeader, `[{"id":".","type":"USER_ADMIN"},{"id":"..","type":"OKTA_GROUP","profile":{"name":"editor"}}]`, normal},
		{200, jsonHeader, `[{"id":"../../groups/00g1","type":"OKTA_GROUP","profile":{"name":"editor"}}]`, normal},
		{200, jsonHeader, `[{"id":"ra1","type":"USER_ADMIN","label":"Group Administrator"},{"id":"ra2","type":"CUSTOM"}]`, normal},
		{200, jsonHeader + spent, user, normal},
		{204, "", ``, normal},
		{200, jsonHeader, `null`, normal},
		{200, jsonHeader, `[null]`, normal},
		{200, jsonHeader, `{"id":`, normal},
		{200, "Content-Type: text/html", `<html>ok</html>`, normal},
		{200, jsonHeader, user, truncated},
		{200, jsonHeader, user, oversized},
		{404, jsonHeader, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: u1 (User)","errorCauses":[]}`, normal},
		{404, jsonHeader, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00g1 (UserGroup)","errorCauses":[]}`, normal},
		{400, jsonHeader, `{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorCauses":[{"errorSummary":"login: An object with this field already exists in the current organization"}]}`, normal},
		{400, jsonHeader, `{"errorCode":"E0000001","errorSummary":"Api validation failed: password","errorCauses":[{"errorSummary":"password: Password requirements were not met."}]}`, normal},
		{403, jsonHeader, `{"errorCode":"E0000014","errorSummary":"Update of credentials failed","errorCauses":[{"errorSummary":"oldPassword: The credentials provided were incorrect."}]}`, normal},
		{401, jsonHeader, `{"errorCode":"E0000004","errorSummary":"Authentication failed","errorCauses":[]}`, normal},
		{403, jsonHeader, `{"errorCode":"E0000038","errorSummary":"This operation is not allowed in the user's current status."}`, normal},
		{412, jsonHeader, `{"errorCode":"E0000231","errorSummary":"ETag mismatch"}`, normal},
		{409, jsonHeader, `{"errorCode":"E0000090","errorSummary":"role already assigned"}`, normal},
		{401, jsonHeader, `{"errorCode":"E0000011","errorSummary":"Invalid token provided: ` + hostiletest.EchoAuth + `","errorCauses":[{"errorSummary":"` + hostiletest.EchoAuth + `"}]}`, normal},
		{500, jsonHeader, `{"errorCode":"E0000009","errorSummary":"` + hostiletest.EchoAuth + `","errorCauses":[{"errorSummary":"login: ` + hostiletest.EchoAuth + `"}]}`, normal},
		{502, "Content-Type: text/html", `<html>Bad gateway ` + hostiletest.EchoAuth + `</html>`, normal},
		{429, jsonHeader + spent, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`, normal},
		{429, jsonHeader + "\nRetry-After: 3600", `{"errorCode":"E0000047"}`, normal},
		{429, "", ``, normal},
		{302, "Location: http://127.0.0.1:1/steal", ``, normal},
	} {
		for mode := range uint8(4) {
			f.Add(s.status, s.headers, []byte(s.body), 200, []byte(token), s.shape, mode, all)
		}
	}
	for _, s := range []struct {
		tstatus int
		tbody   string
	}{
		{401, oauthErr},
		{400, `{"error":"` + echoAssertion + `"}`},
		{400, `{"error":"invalid_scope","error_description":"One or more scopes are not configured."}`},
		{500, `<html>down ` + echoAssertion + `</html>`},
		{429, ``},
		{200, `{"access_token":""}`},
		{200, `{"access_token":"` + echoToken + `","token_type":"Bearer","expires_in":-1}`},
		{200, `access_token=` + echoToken + `&token_type=bearer`},
		{200, `{"access_token":"` + echoToken + `"`},
	} {
		f.Add(200, jsonHeader, []byte(user), s.tstatus, []byte(s.tbody), normal, uint8(modeServiceApp), all)
	}
	srv := hostiletest.NewServer(f)
	f.Fuzz(func(t *testing.T, status int, headers string, body []byte, tstatus int, tbody []byte, shape, mode, pick uint8) {
		c := secrettest.New(t)
		tok := c.Make("access-token")
		api := hostiletest.Shape(hostiletest.Answer{Status: hostiletest.Status(status), Header: parseHeaders(headers), Body: body}, shape, fuzzMaxResponse)
		var mu sync.Mutex
		var offRoute []string
		ctx := srv.Round(t, 1000, func(r *http.Request) hostiletest.Answer {
			if !onRoute(r.URL.EscapedPath()) {
				mu.Lock()
				offRoute = append(offRoute, r.Method+" "+r.URL.EscapedPath())
				mu.Unlock()
			}
			if r.URL.Path != "/oauth2/v1/token" {
				return api
			}
			assertion := ""
			if r.ParseForm() == nil {
				assertion = r.PostForm.Get("client_assertion")
			}
			c.Add("client-assertion", assertion)
			b := bytes.ReplaceAll(tbody, []byte(echoToken), []byte(tok))
			b = bytes.ReplaceAll(b, []byte(echoAssertion), []byte(assertion))
			a := hostiletest.Answer{Status: hostiletest.Status(tstatus), Header: parseHeaders(jsonHeader), Body: b}
			if !json.Valid(b) {
				a.Header = parseHeaders("Content-Type: application/x-www-form-urlencoded")
			}
			return a
		})
		d := fuzzDirectory(t, srv, c, mode)
		hostiletest.Exercise(t, ctx, d, d.Capabilities(), srv, c, pick)
		mu.Lock()
		defer mu.Unlock()
		if len(offRoute) > 0 {
			t.Errorf("requests off the backend's routes: %q", offRoute)
		}
	})
}
