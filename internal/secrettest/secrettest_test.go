package secrettest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps failures instead of reporting them.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

type hidden struct{ key string }

func TestCheckFindsEveryForm(t *testing.T) {
	c := New(t)
	v := c.Make("key")
	assert := func(label string, leak bool, vs ...any) {
		t.Helper()
		r := &recorder{TB: t}
		c.Check(r, label, vs...)
		if got := len(r.failures) > 0; got != leak {
			t.Errorf("%s: leak found = %v, want %v (%q)", label, got, leak, r.failures)
		}
		for _, f := range r.failures {
			if strings.Contains(f, v) {
				t.Errorf("%s: the report repeats the secret", label)
			}
		}
	}
	assert("plain string", true, "x"+v+"y")
	assert("unexported field", true, hidden{v})
	assert("pointer", true, &hidden{v})
	assert("wrapped error", true, fmt.Errorf("outer: %w", errors.New(v)))
	assert("joined error", true, errors.Join(errors.New("a"), errors.New(v)))
	assert("map", true, map[string]any{"k": []any{v}})
	assert("bytes", true, []byte(`{"k":"`+v+`"}`))
	assert("clean", false, "nothing", 42, errors.New("plain"), nil)
}

func TestMiddlewareAddsCredentials(t *testing.T) {
	c := New(t)
	h := c.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, auth := range []string{"Bearer token-seen-on-the-wire", EncodeBasic("client", "basic-secret-on-the-wire")} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", auth)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	for _, name := range []string{"authorization", "bearer", "basic", "basic-password"} {
		if !c.Has(name) {
			t.Errorf("no canary %q; have %v", name, c.Names())
		}
	}
	if _, found := c.Find("...basic-secret-on-the-wire..."); !found {
		t.Error("the decoded Basic password is not a canary")
	}
	c.Add("short", "abc")
	if c.Has("short") {
		t.Error("a value shorter than MinLen became a canary")
	}
}
