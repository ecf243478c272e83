package backendtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/secrettest"
)

// DecodeErrors describes a backend's error decoder to FuzzDecodeError.
type DecodeErrors struct {
	// Decode is the decoder; nil means the HTTP layer falls back to the
	// status.
	Decode func(status int, h http.Header, body []byte) *identity.Error
	// Codes is the decoder's table of provider codes.
	Codes map[string]identity.Code
	// Body returns an error body carrying the provider code, for seeds.
	Body func(code string) string
	// Seeds are more bodies: the provider's odd shapes.
	Seeds []string
	// Departs reports whether e departs from the table as the decoder
	// means to (a cause saying a value is taken, say); nil means never.
	Departs func(e *identity.Error) bool
	// Check, if set, checks what is the backend's own: the fields it
	// names, retryability.
	Check func(t *testing.T, status int, body []byte, e *identity.Error)
}

// FuzzDecodeError feeds arbitrary statuses and bodies to d's decoder: no
// panic, and a decoded error has a portable code, keeps the provider's
// code, and has the code the table gives it (or, for a code the table
// lacks, the status's), unless it departs from it as the decoder means to.
func FuzzDecodeError(f *testing.F, d DecodeErrors) {
	for code := range d.Codes {
		f.Add(400, []byte(d.Body(code)))
	}
	for _, s := range append(d.Seeds, `<html>502 Bad Gateway</html>`, `null`, `[]`, `""`, ``, `{`) {
		f.Add(500, []byte(s))
	}
	for code := range d.Codes {
		f.Add(-1, []byte(d.Body(code)))
		f.Add(1<<31-1, []byte(d.Body(code)))
		break
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if c := httpx.GenericError(status); !hostiletest.ValidCode(c) {
			t.Fatalf("GenericError(%d) = %v", status, c)
		}
		e := d.Decode(status, http.Header{}, body)
		if e == nil {
			return // the HTTP layer falls back to the status
		}
		if !hostiletest.ValidCode(e.Code) || e.ProviderCode == "" {
			t.Fatalf("decodeError(%d, %q) = %#v", status, body, e)
		}
		want, ok := d.Codes[e.ProviderCode]
		if !ok {
			want = httpx.GenericError(status)
		}
		if e.Code != want && (d.Departs == nil || !d.Departs(e)) {
			t.Fatalf("decodeError(%d, %q): code %v, the table says %v", status, body, e.Code, want)
		}
		if d.Check != nil {
			d.Check(t, status, body, e)
		}
	})
}

// UserJSON describes a backend's user decoding to FuzzUserFromJSON.
type UserJSON struct {
	// Decoders turn a provider's user JSON into a user, one for each
	// configuration whose decoding differs.
	Decoders map[string]func(raw []byte) (*identity.User, error)
	// Statuses are the statuses a decoded user may have.
	Statuses []identity.Status
	// Seeds are user bodies.
	Seeds []string
	// Check, if set, checks a decoded user for what is the backend's own.
	Check func(t *testing.T, decoder string, raw []byte, u *identity.User)
}

// FuzzUserFromJSON feeds arbitrary bodies to every decoder of u: no
// panic; either an Internal error, or a user with an id, one of the
// backend's statuses, and the body kept as Raw.
func FuzzUserFromJSON(f *testing.F, u UserJSON) {
	for _, s := range append(u.Seeds, `[]`, `null`, ``, `{"id":"x"`, `{"id":""}`, `{"id":1}`, "{\"id\":\"\xff\"}") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for name, decode := range u.Decoders {
			user, err := decode(raw)
			if err != nil {
				if identity.CodeOf(err) != identity.Internal {
					t.Fatalf("%s: toUser(%q): want Internal, got %v", name, raw, err)
				}
				continue
			}
			ok := false
			for _, s := range u.Statuses {
				ok = ok || user.Status == s
			}
			if user.ID == "" || !ok {
				t.Fatalf("%s: toUser(%q) = %+v", name, raw, user)
			}
			if !bytes.Equal(user.Raw, raw) {
				t.Fatalf("%s: toUser(%q): Raw is %q", name, raw, user.Raw)
			}
			if u.Check != nil {
				u.Check(t, name, raw, user)
			}
		}
	})
}

// Cursors describes a backend's cursors to FuzzCursor: C is the
// position a cursor stands for.
type Cursors[C comparable] struct {
	Encode func(C) string
	Decode func(string) (C, bool)
	// Valid reports whether a decoded position is one the backend makes.
	Valid func(C) bool
	Seeds []string
	// From, if set, makes a position from the fuzzed string, as the
	// provider may hand one out (an opaque token, say); false means it
	// never would, and no cursor is made.
	From func(s string) (C, bool)
	// Check, if set, checks what is the backend's own about s.
	Check func(t *testing.T, s string)
}

// FuzzCursor feeds arbitrary strings to a backend's cursor decoder: no
// panic, only positions Valid accepts, and every cursor the backend
// makes, from a position it decoded or, with From, one the provider may
// hand out, reads back and is printable ASCII, as the portable layer
// requires of a cursor it is given.
func FuzzCursor[C comparable](f *testing.F, cs Cursors[C]) {
	for _, s := range append(cs.Seeds, "", "lg1.Mg", "ps1.e30", "ok1.YQ", "!!") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cs.Check != nil {
			cs.Check(t, s)
		}
		if cs.From != nil {
			if c, ok := cs.From(s); ok {
				readsBack(t, cs, c)
			}
		}
		c, ok := cs.Decode(s)
		if !ok {
			return
		}
		if !cs.Valid(c) {
			t.Fatalf("decodeCursor(%q) = %+v", s, c)
		}
		readsBack(t, cs, c)
	})
}

// readsBack fails t unless the cursor of c decodes to c and is printable
// ASCII.
func readsBack[C comparable](t *testing.T, cs Cursors[C], c C) {
	t.Helper()
	enc := cs.Encode(c)
	if back, ok := cs.Decode(enc); !ok || back != c {
		t.Fatalf("cursor %+v reads back as %+v, %v", c, back, ok)
	}
	for i := 0; i < len(enc); i++ {
		if enc[i] <= ' ' || enc[i] > '~' {
			t.Fatalf("the cursor of %+v is %q", c, enc)
		}
	}
}

// Fuzz is what FuzzServerResponses needs from a backend.
type Fuzz struct {
	// Token is a token endpoint's answer, with "{{token}}" where the
	// access token goes.
	Token string
	// Seeds are the provider's answers.
	Seeds []ServerSeed
}

// ServerSeed is one seed of FuzzServerResponses.
type ServerSeed struct {
	Status  int
	Headers string // "Key: value" lines
	Body    string
	Shape   uint8 // hostiletest.AsIs, Truncated or Oversized
	// TokenStatus and TokenBody, if TokenStatus is set, are the token
	// endpoint's answer; the seed is then added only for credentials
	// with a token endpoint.
	TokenStatus int
	TokenBody   string
}

// JSONHeader is the header line of a JSON answer, for seeds.
const JSONHeader = "Content-Type: application/json"

// fuzzMaxResponse is the response cap of fuzzed directories, small so
// that the oversized case is cheap.
const fuzzMaxResponse = 64 << 10

// tokenPlaceholder is replaced by the round's access token.
const tokenPlaceholder = "{{token}}"

// ParseHeaders reads "Key: value" lines, skipping what is not one.
func ParseHeaders(s string) http.Header {
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

// FuzzServerResponses runs every operation of b's raw driver against a
// server that gives the same arbitrary answer to every API request, and a
// token endpoint that gives another: no panic, every error a typed
// *identity.Error, no loop on a repeated answer, no request off the
// backend's routes, and no credential, password or token in any error or
// result, even when the server echoes the request's Authorization header
// into its error bodies. mode picks the credential and the backend's
// mode; pick the operation (see hostiletest.Exercise).
func FuzzServerResponses(f *testing.F, b *Backend) {
	type combo struct {
		cred Credential
		mode Mode
	}
	var combos []combo
	for _, m := range b.Modes {
		for _, c := range b.Credentials {
			combos = append(combos, combo{c, m})
		}
	}
	generic := []ServerSeed{
		{Status: 204},
		{Status: 200, Headers: JSONHeader, Body: `null`},
		{Status: 200, Headers: JSONHeader, Body: `{"id":`},
		{Status: 200, Headers: "Content-Type: text/html", Body: `<html>ok</html>`},
		{Status: 502, Headers: "Content-Type: text/html", Body: `<html>Bad gateway ` + hostiletest.EchoAuth + `</html>`},
		{Status: 429, Headers: JSONHeader + "\nRetry-After: 3600", Body: `{}`},
		{Status: 429},
	}
	if len(b.Fuzz.Seeds) > 0 {
		// Any OAuth token endpoint's odd answers, each with the backend's
		// first answer for the API.
		api := b.Fuzz.Seeds[0]
		for _, tok := range []struct {
			status int
			body   string
		}{
			{429, ``},
			{500, `<html>down ` + hostiletest.EchoClient + `</html>`},
			{200, `{"access_token":""}`},
			{200, `{"access_token":"{{token}}","token_type":"Bearer","expires_in":-1}`},
			{200, `access_token={{token}}&token_type=bearer`},
			{200, `{"access_token":"{{token}}"`},
		} {
			api.TokenStatus, api.TokenBody = tok.status, tok.body
			generic = append(generic, api)
		}
	}
	all := uint8(hostiletest.Calls)
	for _, s := range append(generic, b.Fuzz.Seeds...) {
		ts, tb := s.TokenStatus, s.TokenBody
		if ts == 0 {
			ts, tb = 200, b.Fuzz.Token
		}
		for i, c := range combos[:min(len(combos), 4)] {
			if s.TokenStatus != 0 && c.cred.TokenPath == "" {
				continue
			}
			f.Add(s.Status, s.Headers, []byte(s.Body), ts, []byte(tb), s.Shape, uint8(i), all)
		}
	}
	routes := parseRoutes(b)
	srv := hostiletest.NewServer(f)
	f.Fuzz(func(t *testing.T, status int, headers string, body []byte, tstatus int, tbody []byte, shape, mode, pick uint8) {
		c := secrettest.New(t)
		co := combos[int(mode)%len(combos)]
		sec, tok := c.Make("secret"), c.Make("access-token")
		b.canaries(c, co.cred, sec)
		api := hostiletest.Shape(hostiletest.Answer{Status: hostiletest.Status(status), Header: ParseHeaders(headers), Body: body}, shape, fuzzMaxResponse)
		var mu sync.Mutex
		var offRoute []string
		ctx := srv.Round(t, 1000, func(r *http.Request) hostiletest.Answer {
			if !onRoute(routes, r.URL.EscapedPath()) {
				mu.Lock()
				offRoute = append(offRoute, r.Method+" "+r.URL.EscapedPath())
				mu.Unlock()
			}
			if co.cred.TokenPath == "" || r.URL.Path != co.cred.TokenPath {
				return api
			}
			addClientCanaries(c, hostiletest.ClientCredential(r))
			out := bytes.ReplaceAll(tbody, []byte(tokenPlaceholder), []byte(tok))
			a := hostiletest.Answer{Status: hostiletest.Status(tstatus), Header: ParseHeaders(JSONHeader), Body: out}
			if !json.Valid(out) {
				a.Header = ParseHeaders("Content-Type: application/x-www-form-urlencoded")
			}
			return a
		})
		d := b.Raw(t, Config{URL: srv.URL, Credential: co.cred.Name, Secret: sec, Mode: co.mode.Name,
			HTTP: identity.HTTPOptions{HTTPClient: srv.Client(), MaxAttempts: 1, Logger: c.Logger()}}, fuzzMaxResponse)
		hostiletest.Exercise(t, ctx, d, d.Capabilities(), srv, c, pick)
		mu.Lock()
		defer mu.Unlock()
		if len(offRoute) > 0 {
			t.Errorf("requests off the backend's routes: %q", offRoute)
		}
	})
}
