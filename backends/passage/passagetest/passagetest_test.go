package passagetest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/emulate"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type client struct {
	t   *testing.T
	srv *passagetest.Server
	key string
}

func newClient(t *testing.T, opts passagetest.Options) *client {
	opts.AppID, opts.APIKey = "app1", "k"
	opts.Middleware = openapicheck.Middleware(t, "passage", openapicheck.Options{BasePath: "/v1"})
	return &client{t: t, srv: passagetest.NewServer(t, opts), key: "k"}
}

// TestHostileInput sends what no client following the schema would, so it
// runs without the schema check: the emulator must answer, not panic.
func TestHostileInput(t *testing.T) {
	c := &client{t: t, srv: passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "k"}), key: "k"}
	for _, body := range []string{`{"email":`, `[]`, `{"email":12}`, `{"user_metadata":"x","email":"a@b.co"}`, strings.Repeat("x", 2<<20), `{"email":"a@b.co","user_metadata":{"k":{"deep":[1,2]}}}`} {
		st, out := c.do("POST", "/v1/apps/app1/users", body)
		assert.GreaterOrEqual(t, st, 400, body[:min(len(body), 40)])
		assert.Less(t, st, 500)
		assert.NotEmpty(t, out["code"])
	}
	for _, path := range []string{"/v1/apps/app1/users/%2F..%2Fadmin", "/v1/apps/app1/users/a/b/c", "/v1/apps/app1/users?page=0", "/v1/apps/app1/users?limit=x", "/v1/apps/app1/users?created_before=soon", "/v1/apps", "/"} {
		st, _ := c.do("GET", path, "")
		assert.GreaterOrEqual(t, st, 400, path)
		assert.Less(t, st, 500, path)
	}
}

func (c *client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	require.NoError(c.t, err)
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rs := emulate.Send(c.t, req)
	var out map[string]any
	_ = json.Unmarshal(rs.Body, &out)
	return rs.Status, out
}

func TestStatusCodesAndEnvelopes(t *testing.T) {
	c := newClient(t, passagetest.Options{MetadataFields: map[string]passagetest.FieldType{"plan": passagetest.String}})
	st, body := c.do("POST", "/v1/apps/app1/users", `{"email":"Ann@Example.com","user_metadata":{"plan":"pro"}}`)
	require.Equal(t, 201, st)
	u := body["user"].(map[string]any)
	assert.Equal(t, "ann@example.com", u["email"], "emails are kept lower-cased")
	assert.Equal(t, "active", u["status"])
	assert.Len(t, u["id"], 24)
	id := u["id"].(string)

	st, body = c.do("PATCH", "/v1/apps/app1/users/"+id+"/deactivate", "")
	assert.Equal(t, 200, st)
	assert.Equal(t, "inactive", body["user"].(map[string]any)["status"])
	st, _ = c.do("PATCH", "/v1/apps/app1/users/"+id+"/deactivate", "")
	assert.Equal(t, 200, st, "deactivating again succeeds")
	st, body = c.do("PATCH", "/v1/apps/app1/users/"+id+"/activate", "")
	assert.Equal(t, 200, st)
	assert.Equal(t, "active", body["user"].(map[string]any)["status"])

	st, body = c.do("PATCH", "/v1/apps/app1/users/"+id, `{"user_metadata":{"nope":1}}`)
	assert.Equal(t, 404, st)
	assert.Equal(t, "metadata_field_not_found", body["code"])

	st, body = c.do("POST", "/v1/apps/app1/users", `{"email":"ann@example.com"}`)
	assert.Equal(t, 400, st)
	assert.Equal(t, "invalid_request", body["code"])
	st, _ = c.do("POST", "/v1/apps/app1/users", `{}`)
	assert.Equal(t, 400, st, "email or phone is required")

	st, body = c.do("DELETE", "/v1/apps/app1/users/"+id, "")
	assert.Equal(t, 200, st)
	assert.Nil(t, body, "delete answers with an empty body")
	st, body = c.do("GET", "/v1/apps/app1/users/"+id, "")
	assert.Equal(t, 404, st)
	assert.Equal(t, "user_not_found", body["code"])
}

func TestAuthAndApp(t *testing.T) {
	c := newClient(t, passagetest.Options{})
	c.key = "wrong"
	st, body := c.do("GET", "/v1/apps/app1/users", "")
	assert.Equal(t, 401, st)
	assert.Equal(t, "invalid_access_token", body["code"])
	c.key = "k"
	st, body = c.do("GET", "/v1/apps/other/users", "")
	assert.Equal(t, 404, st)
	assert.Equal(t, "app_not_found", body["code"])
}

func TestListFiltersAndPages(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := emulate.NewClock(now)
	c := newClient(t, passagetest.Options{Now: clock.Now})
	ids := map[string]string{}
	for i, e := range []string{"ann@example.com", "bob@example.com", "cat@test.org", "dan@example.com"} {
		clock.Set(now.Add(time.Duration(i) * time.Minute))
		_, body := c.do("POST", "/v1/apps/app1/users", fmt.Sprintf(`{"email":%q}`, e))
		ids[e] = body["user"].(map[string]any)["id"].(string)
	}
	c.do("PATCH", "/v1/apps/app1/users/"+ids["bob@example.com"]+"/deactivate", "")
	clock.Set(now.Add(time.Hour))

	emails := func(q string) []string {
		st, body := c.do("GET", "/v1/apps/app1/users?"+q, "")
		require.Equal(t, 200, st, q)
		var out []string
		for _, u := range body["users"].([]any) {
			out = append(out, u.(map[string]any)["email"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"bob@example.com"}, emails("status=inactive"))
	assert.Equal(t, []string{"ann@example.com", "cat@test.org", "dan@example.com"}, emails("status=ne:inactive"))
	assert.Equal(t, []string{"ann@example.com", "bob@example.com", "dan@example.com"}, emails("identifier=like:%25example%25"))
	assert.Equal(t, []string{"cat@test.org"}, emails("identifier=not_like:%25example%25"))
	assert.Equal(t, []string{"bob@example.com"}, emails("identifier=BOB@example.com"))
	cutoff := url.QueryEscape(now.Add(90 * time.Second).Format("2006-01-02T15:04:05.000000Z"))
	assert.Equal(t, []string{"cat@test.org", "dan@example.com"}, emails("created_at=gt:"+cutoff))
	assert.Equal(t, []string{"ann@example.com", "bob@example.com"}, emails("created_at=lt:"+cutoff))
	assert.Equal(t, []string{"dan@example.com", "cat@test.org", "bob@example.com", "ann@example.com"}, emails("order_by=created_at:DESC"))
	st, _ := c.do("GET", "/v1/apps/app1/users?order_by=identifier:ASC", "")
	assert.Equal(t, 400, st, "identifier cannot be ordered by")
	st, _ = c.do("GET", "/v1/apps/app1/users?limit=501", "")
	assert.Equal(t, 400, st, "limit is at most 500")

	st, body := c.do("GET", "/v1/apps/app1/users?limit=3", "")
	require.Equal(t, 200, st)
	assert.EqualValues(t, 4, body["total_users"])
	links := body["_links"].(map[string]any)
	next := links["next"].(map[string]any)["href"].(string)
	assert.Contains(t, next, "page=2")
	assert.Contains(t, next, "created_before=")
	assert.Equal(t, "", links["previous"].(map[string]any)["href"])
	st, body = c.do("GET", next, "")
	require.Equal(t, 200, st)
	assert.Len(t, body["users"], 1)
	assert.Equal(t, "", body["_links"].(map[string]any)["next"].(map[string]any)["href"])
}

func TestDevicesAndTokens(t *testing.T) {
	c := newClient(t, passagetest.Options{})
	_, body := c.do("POST", "/v1/apps/app1/users", `{"email":"ann@example.com"}`)
	uid := body["user"].(map[string]any)["id"].(string)
	_, ok := c.srv.AddDevice("missing", passagetest.Device{})
	assert.False(t, ok, "no device for a user who does not exist")
	_, ok = c.srv.AddDevice(uid, passagetest.Device{Type: "fingerprint"})
	assert.False(t, ok, "the type is one of Passage's three")
	dev, ok := c.srv.AddDevice(uid, passagetest.Device{FriendlyName: "Laptop"})
	require.True(t, ok)

	_, body = c.do("GET", "/v1/apps/app1/users/"+uid, "")
	u := body["user"].(map[string]any)
	assert.Equal(t, true, u["webauthn"])
	assert.Equal(t, []any{"passkey"}, u["webauthn_types"])
	require.Len(t, u["webauthn_devices"], 1)
	d := u["webauthn_devices"].([]any)[0].(map[string]any)
	assert.Equal(t, dev, d["id"])
	assert.Equal(t, "Laptop", d["friendly_name"])

	tok, ok := c.srv.SignIn(uid)
	require.True(t, ok)
	assert.NotEmpty(t, tok)
	_, ok = c.srv.SignIn("missing")
	assert.False(t, ok, "no sign-in for a user who does not exist")
	assert.Equal(t, 1, c.srv.RefreshTokens(uid))

	base := "/v1/apps/app1/users/"
	cases := []struct {
		name, method, path string
		status             int
		code               string
		devices            int // with status 200 on GET: how many are listed
	}{
		{"list", "GET", base + uid + "/devices", 200, "", 1},
		{"list for a missing user", "GET", base + "missing/devices", 404, "user_not_found", 0},
		{"delete an unknown device", "DELETE", base + uid + "/devices/nope", 404, "device_not_found", 0},
		{"delete for a missing user", "DELETE", base + "missing/devices/" + dev, 404, "user_not_found", 0},
		{"delete", "DELETE", base + uid + "/devices/" + dev, 200, "", 0},
		{"list after delete", "GET", base + uid + "/devices", 200, "", 0},
		{"delete again", "DELETE", base + uid + "/devices/" + dev, 404, "device_not_found", 0},
		{"revoke tokens", "DELETE", base + uid + "/tokens", 200, "", 0},
		{"revoke tokens of a missing user", "DELETE", base + "missing/tokens", 404, "user_not_found", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			st, body := c.do(tc.method, tc.path, "")
			require.Equal(t, tc.status, st, "%v", body)
			switch {
			case tc.code != "":
				assert.Equal(t, tc.code, body["code"])
			case tc.method == "GET":
				assert.Len(t, body["devices"], tc.devices)
			default:
				assert.Nil(t, body, "an empty body")
			}
		})
	}
	assert.Equal(t, 2, c.srv.Requests()["DELETE /users/{id}/tokens"], "requests are counted by route")
	assert.Zero(t, c.srv.RefreshTokens(uid), "revoked")
}
