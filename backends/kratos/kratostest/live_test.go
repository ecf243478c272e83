package kratostest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/internal/emulate"
)

// target is one server a script runs against: the real one (admin and
// public at their own URLs) or the emulator (both at one URL).
type target struct {
	name          string
	admin, public string
	vars          map[string]string
}

type liveStep struct {
	name         string
	public       bool
	method, path string
	body         string
	headers      []string
	save         map[string]string // var name: top-level string field of the answer
	compare      string            // "keys": top-level keys; "body": whole body; "status": status only
}

type liveAnswer struct {
	status int
	header http.Header
	body   any
	raw    string
}

func (tg *target) expand(s string) string {
	for k, v := range tg.vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

func (tg *target) run(t *testing.T, st liveStep) liveAnswer {
	t.Helper()
	base := tg.admin
	if st.public {
		base = tg.public
	}
	var body io.Reader
	if st.body != "" {
		body = strings.NewReader(tg.expand(st.body))
	}
	req, err := http.NewRequest(st.method, base+tg.expand(st.path), body)
	require.NoError(t, err)
	if st.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range st.headers {
		k, v, _ := strings.Cut(tg.expand(h), ": ")
		req.Header.Set(k, v)
	}
	rs := emulate.Send(t, req)
	a := liveAnswer{status: rs.Status, header: rs.Header, raw: string(rs.Body)}
	_ = json.Unmarshal(rs.Body, &a.body)
	for v, field := range st.save {
		if m, ok := a.body.(map[string]any); ok {
			if s, ok := m[field].(string); ok {
				tg.vars[v] = s
			}
		}
	}
	return a
}

func keysOf(v any) []string {
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return nil
		}
		v = a[0]
	}
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestLiveFidelity sends one script to a real Kratos and to the emulator
// and compares statuses, body shapes and error bodies. It runs beside
// the server scripts/kratos.sh starts:
//
//	scripts/kratos.sh go test -run TestLiveFidelity ./backends/kratos/kratostest/
func TestLiveFidelity(t *testing.T) {
	admin, public := os.Getenv("KRATOS_ADMIN_URL"), os.Getenv("KRATOS_PUBLIC_URL")
	if admin == "" || public == "" {
		t.Skip("set KRATOS_ADMIN_URL and KRATOS_PUBLIC_URL (scripts/kratos.sh does) to compare the emulator with a real Kratos")
	}
	emu := kratostest.NewServer(t, kratostest.Options{})
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	targets := []*target{
		{name: "kratos", admin: admin, public: public, vars: map[string]string{"run": run}},
		{name: "emulator", admin: emu.URL, public: emu.URL, vars: map[string]string{"run": run}},
	}
	steps := []liveStep{
		{name: "create", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"Live-{{run}}@example.com","username":"live{{run}}"},"credentials":{"password":{"config":{"password":"pw1"}}}}`, save: map[string]string{"id": "id"}, compare: "keys"},
		{name: "create bare", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{}}`, save: map[string]string{"bare": "id"}, compare: "keys"},
		{name: "taken", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"LIVE-{{run}}@EXAMPLE.COM"}}`, compare: "body"},
		{name: "bad email", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"nope"}}`, compare: "body"},
		{name: "extra trait", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"extra":1}}`, compare: "body"},
		{name: "unknown schema", method: "POST", path: "/admin/identities", body: `{"schema_id":"nope","traits":{}}`, compare: "body"},
		{name: "unknown hash", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{},"credentials":{"password":{"config":{"hashed_password":"plain"}}}}`, compare: "body"},
		{name: "get", method: "GET", path: "/admin/identities/{{id}}", compare: "keys"},
		{name: "get bare", method: "GET", path: "/admin/identities/{{bare}}", compare: "keys"},
		{name: "get with password", method: "GET", path: "/admin/identities/{{id}}?include_credential=password", compare: "keys"},
		{name: "get unknown", method: "GET", path: "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", compare: "body"},
		{name: "get malformed", method: "GET", path: "/admin/identities/nope", compare: "body"},
		{name: "list by identifier", method: "GET", path: "/admin/identities?credentials_identifier=LIVE-{{run}}@example.com", compare: "keys"},
		{name: "list page", method: "GET", path: "/admin/identities?page_size=1", compare: "status"},
		{name: "bad token", method: "GET", path: "/admin/identities?page_token=nope", compare: "body"},
		{name: "put", method: "PUT", path: "/admin/identities/{{id}}", body: `{"schema_id":"default","state":"active","traits":{"email":"live-{{run}}@example.com","username":"live{{run}}"}}`, compare: "keys"},
		{name: "put taken", method: "PUT", path: "/admin/identities/{{bare}}", body: `{"schema_id":"default","state":"active","traits":{"username":"LIVE{{run}}"}}`, compare: "body"},
		{name: "patch", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"add","path":"/metadata_public/a/b","value":1}]`, compare: "keys"},
		{name: "patch remove missing", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"remove","path":"/traits/missing"}]`, compare: "body"},
		{name: "patch remove below null", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"remove","path":"/metadata_admin/x"}]`, compare: "body"},
		{name: "patch move", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"move","from":"/traits/email","path":"/traits/display_name"}]`, compare: "body"},
		{name: "patch id", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"replace","path":"/id","value":"x"}]`, compare: "body"},
		{name: "patch bad state", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"replace","path":"/state","value":"weird"}]`, compare: "body"},
		{name: "flow", public: true, method: "GET", path: "/self-service/login/api", save: map[string]string{"flow": "id"}, compare: "keys"},
		{name: "wrong password", public: true, method: "POST", path: "/self-service/login?flow={{flow}}", body: `{"method":"password","identifier":"live-{{run}}@example.com","password":"nope"}`, compare: "keys"},
		{name: "login", public: true, method: "POST", path: "/self-service/login?flow={{flow}}", body: `{"method":"password","identifier":"LIVE{{run}}","password":"pw1"}`, save: map[string]string{"token": "session_token"}, compare: "keys"},
		{name: "whoami", public: true, method: "GET", path: "/sessions/whoami", headers: []string{"X-Session-Token: {{token}}"}, compare: "keys"},
		{name: "sessions", method: "GET", path: "/admin/identities/{{id}}/sessions", compare: "keys"},
		{name: "deactivate", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"replace","path":"/state","value":"inactive"}]`, compare: "keys"},
		{name: "whoami inactive", public: true, method: "GET", path: "/sessions/whoami", headers: []string{"X-Session-Token: {{token}}"}, compare: "body"},
		{name: "login inactive", public: true, method: "POST", path: "/self-service/login?flow={{flow}}", body: `{"method":"password","identifier":"live{{run}}","password":"pw1"}`, compare: "body"},
		{name: "reactivate", method: "PATCH", path: "/admin/identities/{{id}}", body: `[{"op":"replace","path":"/state","value":"active"}]`, compare: "status"},
		{name: "logout", public: true, method: "DELETE", path: "/self-service/logout/api", body: `{"session_token":"{{token}}"}`, compare: "status"},
		{name: "whoami after logout", public: true, method: "GET", path: "/sessions/whoami", headers: []string{"X-Session-Token: {{token}}"}, compare: "body"},
		{name: "unknown flow", public: true, method: "POST", path: "/self-service/login?flow=6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f", body: `{"method":"password","identifier":"a","password":"b"}`, compare: "body"},
		{name: "recovery link", method: "POST", path: "/admin/recovery/link", body: `{"identity_id":"{{id}}"}`, compare: "keys"},
		{name: "recovery link with expiry", method: "POST", path: "/admin/recovery/link", body: `{"identity_id":"{{id}}","expires_in":"30m"}`, compare: "keys"},
		{name: "recovery link unknown", method: "POST", path: "/admin/recovery/link", body: `{"identity_id":"6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f"}`, compare: "body"},
		{name: "create linked", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"linked-{{run}}@example.com"},"credentials":{"oidc":{"config":{"providers":[{"provider":"google","subject":"g-{{run}}"},{"provider":"github","subject":"h-{{run}}"}]}}}}`, save: map[string]string{"linked": "id"}, compare: "keys"},
		{name: "get oidc", method: "GET", path: "/admin/identities/{{linked}}?include_credential=oidc", compare: "keys"},
		{name: "get linked password", method: "GET", path: "/admin/identities/{{linked}}?include_credential=password&include_credential=totp&include_credential=webauthn", compare: "keys"},
		{name: "unlink without identifier", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/oidc", compare: "body"},
		{name: "unlink another", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/oidc?identifier=google:nope", compare: "body"},
		{name: "unlink", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/oidc?identifier=google:g-{{run}}", compare: "status"},
		{name: "unlink again", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/oidc?identifier=google:g-{{run}}", compare: "body"},
		{name: "unlink the last", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/oidc?identifier=github:h-{{run}}", compare: "status"},
		{name: "get oidc after", method: "GET", path: "/admin/identities/{{linked}}?include_credential=oidc", compare: "oidc"},
		{name: "delete totp none", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/totp", compare: "body"},
		{name: "delete lookup_secret none", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/lookup_secret", compare: "body"},
		{name: "delete webauthn none", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/webauthn", compare: "body"},
		{name: "delete passkey none", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/passkey", compare: "body"},
		{name: "delete password", method: "DELETE", path: "/admin/identities/{{linked}}/credentials/password", compare: "body"},
		{name: "delete credential unknown", method: "DELETE", path: "/admin/identities/6f1a5b7e-8a3c-4d2b-9e1f-0a1b2c3d4e5f/credentials/totp", compare: "body"},
		{name: "delete linked", method: "DELETE", path: "/admin/identities/{{linked}}", compare: "status"},
		// Imported hashes: stored as given, checked at login as Kratos's
		// comparator reads them, re-hashed with bcrypt once they match.
		{name: "import argon2d", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{},"credentials":{"password":{"config":{"hashed_password":"$argon2d$v=19$m=64,t=2,p=2$c29tZXNhbHQ$aOJGLJi4vGu2DsaNtBiuLJ7ST8Z0ikDp"}}}}`, compare: "body"},
		{name: "import scrypt", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"scrypt-{{run}}@example.com"},"credentials":{"password":{"config":{"hashed_password":"$scrypt$ln=16384,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE="}}}}`, save: map[string]string{"scrypt": "id"}, compare: "keys"},
		{name: "get imported", method: "GET", path: "/admin/identities/{{scrypt}}?include_credential=password", compare: "hash"},
		{name: "hash flow", public: true, method: "GET", path: "/self-service/login/api", save: map[string]string{"hflow": "id"}, compare: "status"},
		{name: "scrypt wrong password", public: true, method: "POST", path: "/self-service/login?flow={{hflow}}", body: `{"method":"password","identifier":"scrypt-{{run}}@example.com","password":"tesu"}`, compare: "status"},
		{name: "scrypt login", public: true, method: "POST", path: "/self-service/login?flow={{hflow}}", body: `{"method":"password","identifier":"scrypt-{{run}}@example.com","password":"test"}`, compare: "status"},
		{name: "get rehashed", method: "GET", path: "/admin/identities/{{scrypt}}?include_credential=password", compare: "hashprefix"},
		{name: "import scrypt log2", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"log2-{{run}}@example.com"},"credentials":{"password":{"config":{"hashed_password":"$scrypt$ln=14,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE="}}}}`, save: map[string]string{"log2": "id"}, compare: "status"},
		{name: "scrypt log2 login", public: true, method: "POST", path: "/self-service/login?flow={{hflow}}", body: `{"method":"password","identifier":"log2-{{run}}@example.com","password":"test"}`, compare: "status"},
		{name: "import bare sha256", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"bare-{{run}}@example.com"},"credentials":{"password":{"config":{"hashed_password":"$sha256$XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg="}}}}`, save: map[string]string{"bare256": "id"}, compare: "status"},
		{name: "bare sha256 login", public: true, method: "POST", path: "/self-service/login?flow={{hflow}}", body: `{"method":"password","identifier":"bare-{{run}}@example.com","password":"password"}`, compare: "status"},
		{name: "import sha256 empty salt", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"nosalt-{{run}}@example.com"},"credentials":{"password":{"config":{"hashed_password":"$sha256$pf=e1BBU1NXT1JEfQ==$$XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg="}}}}`, save: map[string]string{"nosalt": "id"}, compare: "status"},
		{name: "sha256 empty salt login", public: true, method: "POST", path: "/self-service/login?flow={{hflow}}", body: `{"method":"password","identifier":"nosalt-{{run}}@example.com","password":"password"}`, compare: "status"},
		{name: "import with migration hook", method: "POST", path: "/admin/identities", body: `{"schema_id":"default","traits":{"email":"hook-{{run}}@example.com"},"credentials":{"password":{"config":{"use_password_migration_hook":true,"hashed_password":"$md5$CY9rzUYh03PK3k6DJie09g=="}}}}`, save: map[string]string{"hook": "id"}, compare: "keys"},
		{name: "get migration hook", method: "GET", path: "/admin/identities/{{hook}}?include_credential=password", compare: "config"},
		{name: "migration hook login", public: true, method: "POST", path: "/self-service/login?flow={{hflow}}", body: `{"method":"password","identifier":"hook-{{run}}@example.com","password":"test"}`, compare: "body"},
		{name: "delete migration hook", method: "DELETE", path: "/admin/identities/{{hook}}", compare: "status"},
		{name: "delete scrypt", method: "DELETE", path: "/admin/identities/{{scrypt}}", compare: "status"},
		{name: "delete scrypt log2", method: "DELETE", path: "/admin/identities/{{log2}}", compare: "status"},
		{name: "delete bare sha256", method: "DELETE", path: "/admin/identities/{{bare256}}", compare: "status"},
		{name: "delete sha256 empty salt", method: "DELETE", path: "/admin/identities/{{nosalt}}", compare: "status"},
		{name: "recovery code", method: "POST", path: "/admin/recovery/code", body: `{"identity_id":"{{id}}"}`, compare: "keys"},
		{name: "delete sessions", method: "DELETE", path: "/admin/identities/{{id}}/sessions", compare: "status"},
		{name: "delete sessions again", method: "DELETE", path: "/admin/identities/{{id}}/sessions", compare: "body"},
		{name: "delete", method: "DELETE", path: "/admin/identities/{{id}}", compare: "status"},
		{name: "delete again", method: "DELETE", path: "/admin/identities/{{id}}", compare: "body"},
		{name: "delete bare", method: "DELETE", path: "/admin/identities/{{bare}}", compare: "status"},
		{name: "wrong method", method: "POST", path: "/admin/identities/{{id}}", compare: "status"},
	}
	for _, st := range steps {
		var answers []liveAnswer
		for _, tg := range targets {
			answers = append(answers, tg.run(t, st))
		}
		real, emu := answers[0], answers[1]
		if !assert.Equal(t, real.status, emu.status, "%s: status; kratos said %s; the emulator %s", st.name, real.raw, emu.raw) {
			continue
		}
		switch st.compare {
		case "keys":
			// The emulator leaves out the login's "continue_with": null,
			// which the OpenAPI document does not allow.
			want := slices.DeleteFunc(keysOf(real.body), func(k string) bool { return st.name == "login" && k == "continue_with" })
			assert.Equal(t, want, keysOf(emu.body), "%s: keys", st.name)
		case "oidc":
			// The oidc credential as it is left: its identifiers and
			// providers, without the times.
			oidc := func(a liveAnswer) any {
				c, _ := a.body.(map[string]any)["credentials"].(map[string]any)["oidc"].(map[string]any)
				return []any{c["identifiers"], c["config"]}
			}
			assert.Equal(t, oidc(real), oidc(emu), st.name)
		case "config", "hash", "hashprefix":
			// The password credential's config; or its stored hash, whole
			// or its first seven characters ("$2a$04$": bcrypt at the
			// configured cost).
			config := func(a liveAnswer) map[string]any {
				m, _ := a.body.(map[string]any)
				creds, _ := m["credentials"].(map[string]any)
				pw, _ := creds["password"].(map[string]any)
				c, _ := pw["config"].(map[string]any)
				return c
			}
			if st.compare == "config" {
				assert.Equal(t, config(real), config(emu), st.name)
				break
			}
			stored := func(a liveAnswer) string {
				h, _ := config(a)["hashed_password"].(string)
				if st.compare == "hashprefix" {
					h = h[:min(len(h), 7)]
				}
				return h
			}
			assert.NotEmpty(t, stored(real), st.name)
			assert.Equal(t, stored(real), stored(emu), st.name)
		case "body":
			norm := func(tg *target, s string) string {
				for k, v := range tg.vars {
					if k != "run" {
						s = strings.ReplaceAll(s, v, "{{"+k+"}}")
					}
				}
				return s
			}
			assert.JSONEq(t, norm(targets[0], real.raw), norm(targets[1], emu.raw), st.name)
		}
		if st.name == "wrong method" {
			assert.Equal(t, real.header.Get("Allow"), emu.header.Get("Allow"))
		}
		if st.name == "list page" {
			rels := func(h string) []string {
				return regexp.MustCompile(`rel="[a-z]+"`).FindAllString(h, -1)
			}
			assert.Equal(t, rels(real.header.Get("Link")), rels(emu.header.Get("Link")), "Link rels")
			assert.Equal(t, uuidRE.ReplaceAllString(real.header.Get("Link"), "ID"), uuidRE.ReplaceAllString(emu.header.Get("Link"), "ID"), "Link")
		}
	}
}
