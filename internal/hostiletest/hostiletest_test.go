package hostiletest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

func TestMatchRoute(t *testing.T) {
	for _, c := range []struct {
		path, route string
		vals        []string
		ok          bool
	}{
		{"/api/users/abc", "/api/users/{}", []string{"abc"}, true},
		{"/api/users/a%2Fb", "/api/users/{}", []string{"a/b"}, true},
		{"/api/users/%2E%2E", "/api/users/{}", []string{".."}, true},
		{"/api/users/..", "/api/users/{}", nil, false},
		{"/api/users/.", "/api/users/{}", nil, false},
		{"/api/users/", "/api/users/{}", nil, false},
		{"/api/users/a/b", "/api/users/{}", nil, false},
		{"/api/users/%zz", "/api/users/{}", nil, false},
		{"/api/users", "/api/users/{}", nil, false},
		{"/api/roles/x", "/api/users/{}", nil, false},
	} {
		vals, ok := MatchRoute(c.path, c.route)
		if ok != c.ok || fmt.Sprint(vals) != fmt.Sprint(c.vals) {
			t.Errorf("MatchRoute(%q, %q) = %q, %v", c.path, c.route, vals, ok)
		}
	}
}

func TestStatusIsSendable(t *testing.T) {
	for _, n := range []int{-1 << 63, -1, 0, 99, 100, 199, 200, 404, 599, 600, 1 << 62} {
		if s := Status(n); s < 200 || s > 599 {
			t.Errorf("Status(%d) = %d", n, s)
		}
	}
}

func TestScriptAndEcho(t *testing.T) {
	var s Script
	s.Next("/a/", JSON(500, `{"m":"`+EchoAuth+`"}`), Answer{Status: 200, Body: []byte(EchoAuth)})
	srv := httptest.NewServer(s.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "passed")
	})))
	t.Cleanup(srv.Close)
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := get("/b/x"); st != 200 || b != "passed" {
		t.Errorf("an unscripted path: %d %q", st, b)
	}
	if st, b := get("/a/x"); st != 500 || !strings.Contains(b, "Bearer tok") {
		t.Errorf("the error body echoes the Authorization header: %d %q", st, b)
	}
	if st, b := get("/a/x"); st != 200 || b != EchoAuth {
		t.Errorf("a 2xx body is left as it is: %d %q", st, b)
	}
	if s.Pending() != 0 {
		t.Errorf("%d answers left", s.Pending())
	}
}

func TestCheckError(t *testing.T) {
	r := &recorder{TB: t}
	CheckError(r, "nil", nil)
	CheckError(r, "context", context.Canceled)
	CheckError(r, "typed", driver.Errorf(identity.NotFound, "x"))
	if len(r.failures) != 0 {
		t.Errorf("good errors reported: %q", r.failures)
	}
	CheckError(r, "untyped", errors.New("x"))
	CheckError(r, "unknown code", &identity.Error{})
	if len(r.failures) != 2 {
		t.Errorf("bad errors not all reported: %q", r.failures)
	}
}

type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
