package emulate

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRouter(t *testing.T) {
	rt := &Router{
		CountPrefix: "/v1",
		NotFound:    func(w http.ResponseWriter, r *http.Request) { WriteText(w, 404, "nf") },
		MethodNotAllowed: func(w http.ResponseWriter, r *http.Request, allow []string) {
			WriteText(w, 405, strings.Join(allow, ","))
		},
	}
	echo := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			WriteText(w, 200, name+":"+strings.Join(Params(r), "|")+":"+r.PathValue("id"))
		}
	}
	rt.Handle("GET /v1/users/{id}", echo("get"))
	rt.Handle("DELETE /v1/users/{id}", echo("delete"))
	rt.Handle("GET /v1/users/me", echo("me"))
	rt.Handle("PUT /v1/groups/{gid}/users/{id}", echo("member"))
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/v1/users/abc", 200, "get:abc:abc"},
		{"GET", "/v1/users/a%2Fb", 200, "get:a/b:a/b"},
		{"GET", "/v1/users/%25zz", 200, "get:%zz:%zz"},
		{"GET", "/v1/users/me", 200, "me::"},
		{"DELETE", "/v1/users/abc", 200, "delete:abc:abc"},
		{"PUT", "/v1/groups/g1/users/u1", 200, "member:g1|u1:u1"},
		{"POST", "/v1/users/abc", 405, "DELETE,GET"},
		{"GET", "/v1/users", 404, "nf"},
		{"GET", "/v1/users/abc/extra", 404, "nf"},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		body, _ := io.ReadAll(w.Body)
		assert.Equal(t, tc.status, w.Code, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.body, string(body), "%s %s", tc.method, tc.path)
	}
	assert.Equal(t, map[string]int{"GET /users/{id}": 3, "GET /users/me": 1, "DELETE /users/{id}": 1, "PUT /groups/{gid}/users/{id}": 1}, rt.Requests())
}

func TestReply(t *testing.T) {
	w := httptest.NewRecorder()
	rp := JSON(201, map[string]int{"a": 1})
	rp.Header = http.Header{"Etag": {`W/"1"`}}
	rp.Write(w)
	assert.Equal(t, 201, w.Code)
	assert.Equal(t, `W/"1"`, w.Header().Get("Etag"))
	assert.JSONEq(t, `{"a":1}`, w.Body.String())

	w = httptest.NewRecorder()
	Empty(204).Write(w)
	assert.Equal(t, 204, w.Code)
	assert.Empty(t, w.Body.String())
}

func TestTokens(t *testing.T) {
	var ts Tokens[int]
	_, held := ts.Lookup("a")
	assert.False(t, held, "the zero value is empty")
	ts.Issue("a", 1)
	ts.Issue("b", 2)
	v, held := ts.Lookup("a")
	assert.True(t, held)
	assert.Equal(t, 1, v)
	ts.Forget("a")
	_, held = ts.Lookup("a")
	assert.False(t, held)
	ts.RevokeAll()
	_, held = ts.Lookup("b")
	assert.False(t, held)
	assert.Equal(t, 2, ts.Issued(), "revoked tokens still count as issued")
}
