package httpx

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx/passthroughtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPassthroughRefusesUnsafePaths checks every path that could take the
// credential off the API is refused naming "path" before any request,
// and that ordinary paths, ids escaped as url.PathEscape does included,
// reach the server as given.
func TestPassthroughRefusesUnsafePaths(t *testing.T) {
	var hits atomic.Int32
	var got atomic.Value
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		got.Store(r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
	})
	cases := []struct {
		path string
		want string // the request URI the server sees; "" when refused
	}{
		{"/api/v1/users", "/api/v1/users"},
		{"/api/v1/users/00u1/appLinks", "/api/v1/users/00u1/appLinks"},
		{"/api/v1/users?limit=2&search=profile.email+eq+%22a%40b%22", `/api/v1/users?limit=2&search=profile.email+eq+%22a%40b%22`},
		{"/api/users/a%2Fb/roles", "/api/users/a%2Fb/roles"},
		{"/api/users/%40me", "/api/users/%40me"},
		{"/x/.../y", "/x/.../y"},
		{"/x/..a/y", "/x/..a/y"},
		{"/", "/"},
	}
	for _, p := range passthroughtest.UnsafePaths {
		cases = append(cases, struct{ path, want string }{p, ""})
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%q", c.path), func(t *testing.T) {
			before := hits.Load()
			err := cl.Passthrough(context.Background(), http.MethodGet, c.path, nil, nil)
			if c.want != "" {
				require.NoError(t, err)
				assert.Equal(t, before+1, hits.Load())
				assert.Equal(t, c.want, got.Load())
				return
			}
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, identity.InvalidArgument, ie.Code)
			assert.Equal(t, "path", ie.Field)
			assert.Equal(t, PassthroughOp, ie.Op)
			assert.Equal(t, "test", ie.Backend)
			assert.Equal(t, before, hits.Load(), "no request for a refused path")
		})
	}
}

func TestPassthroughMethods(t *testing.T) {
	var hits atomic.Int32
	var got atomic.Value
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		got.Store(r.Method)
		w.WriteHeader(http.StatusNoContent)
	})
	for _, m := range append([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}, passthroughtest.UnsafeMethods...) {
		t.Run(m, func(t *testing.T) {
			before := hits.Load()
			err := cl.Passthrough(context.Background(), m, "/x", nil, nil)
			switch m {
			case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE":
				require.NoError(t, err)
				assert.Equal(t, m, got.Load())
			default:
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, identity.InvalidArgument, ie.Code)
				assert.Equal(t, "method", ie.Field)
				assert.Equal(t, before, hits.Load())
			}
		})
	}
}

// TestPassthroughOut checks each kind of out: nil discards, *[]byte and
// *json.RawMessage get the body as it came (even one that is not JSON),
// anything else is decoded; and that the body goes out as JSON.
func TestPassthroughOut(t *testing.T) {
	const answer = `{"hasPassword":true,"n":2}`
	var gotBody, gotType atomic.Value
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody.Store(string(b))
		gotType.Store(r.Header.Get("Content-Type"))
		if r.URL.Path == "/text" {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "Created")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, answer)
	})
	ctx := context.Background()

	var decoded struct {
		HasPassword bool `json:"hasPassword"`
		N           int  `json:"n"`
	}
	require.NoError(t, cl.Passthrough(ctx, http.MethodPost, "/x", map[string]string{"name": "a"}, &decoded))
	assert.True(t, decoded.HasPassword)
	assert.Equal(t, 2, decoded.N)
	assert.JSONEq(t, `{"name":"a"}`, gotBody.Load().(string))
	assert.Equal(t, "application/json", gotType.Load())

	var raw []byte
	require.NoError(t, cl.Passthrough(ctx, http.MethodGet, "/text", nil, &raw))
	assert.Equal(t, "Created", string(raw), "a raw out takes any body")

	var msg json.RawMessage
	require.NoError(t, cl.Passthrough(ctx, http.MethodPut, "/x", json.RawMessage(`{"a":1}`), &msg))
	assert.JSONEq(t, answer, string(msg))
	assert.Equal(t, `{"a":1}`, gotBody.Load(), "a RawMessage body goes as it is")

	require.NoError(t, cl.Passthrough(ctx, http.MethodGet, "/text", nil, nil), "a nil out reads nothing")
	var into map[string]any
	err := cl.Passthrough(ctx, http.MethodGet, "/text", nil, &into)
	assert.ErrorIs(t, err, identity.ErrUnavailable, "a text answer does not decode as JSON")
}

// TestPassthroughErrors checks a provider's error answer keeps the
// backend's mapping and body, with Op and Backend filled in, and that
// the retry rules are Do's: a GET is sent again after a 503, a POST is
// not.
func TestPassthroughErrors(t *testing.T) {
	var hits atomic.Int32
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"code":"gone","message":"no such thing for %s"}`, r.Header.Get("Authorization"))
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}, func(c *Config) {
		c.MaxAttempts = 3
		c.DecodeError = func(status int, _ http.Header, body []byte) *identity.Error {
			_, e := DecodeBody(status, body, map[string]identity.Code{"gone": identity.NotFound},
				func(b *testBody) (string, string) { return b.Code, b.Message })
			return e
		}
	})
	ctx := context.Background()

	err := cl.Passthrough(ctx, http.MethodGet, "/missing", nil, nil)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.NotFound, ie.Code)
	assert.Equal(t, "gone", ie.ProviderCode)
	assert.Equal(t, PassthroughOp, ie.Op)
	assert.Equal(t, "test", ie.Backend)
	assert.Equal(t, http.StatusNotFound, ie.HTTPStatus)
	var body *testBody
	require.ErrorAs(t, err, &body)
	assert.Equal(t, "no such thing for [REDACTED]", body.Message, "the echoed credential is out of the body")
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", ie), fmt.Sprintf("%+v", body), mustJSON(t, ie)} {
		assert.NotContains(t, s, canary)
	}

	hits.Store(0)
	err = cl.Passthrough(ctx, http.MethodGet, "/busy", nil, nil)
	assert.ErrorIs(t, err, identity.ErrUnavailable)
	assert.EqualValues(t, 3, hits.Load(), "a GET is retried")

	hits.Store(0)
	err = cl.Passthrough(ctx, http.MethodPost, "/busy", map[string]int{"a": 1}, nil)
	assert.ErrorIs(t, err, identity.ErrUnavailable)
	assert.True(t, MaybeProcessed(err))
	assert.EqualValues(t, 1, hits.Load(), "a POST the server may have processed is not sent again")
}

func TestPassthroughContext(t *testing.T) {
	var hits atomic.Int32
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := cl.Passthrough(ctx, http.MethodGet, "/x", nil, nil)
	assert.Same(t, context.Canceled, err, "the context's own error, as it is")
	assert.Zero(t, hits.Load())
	err = cl.Passthrough(ctx, http.MethodGet, "//evil.example", nil, nil)
	assert.ErrorIs(t, err, identity.ErrInvalidArgument, "a bad path is refused whatever the context")
}

type testBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (b *testBody) Error() string { return b.Code }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestDecodeBody(t *testing.T) {
	table := map[string]identity.Code{"gone": identity.NotFound}
	fields := func(b *testBody) (string, string) { return b.Code, b.Message }
	cases := []struct {
		status   int
		body     string
		wantCode identity.Code // Unknown: no error decoded
	}{
		{404, `{"code":"gone","message":"m"}`, identity.NotFound},
		{403, `{"code":"other","message":"m"}`, identity.PermissionDenied},
		{404, `{"message":"no code"}`, identity.Unknown},
		{502, `<html>bad gateway</html>`, identity.Unknown},
		{500, ``, identity.Unknown},
	}
	for _, c := range cases {
		b, e := DecodeBody(c.status, []byte(c.body), table, fields)
		if c.wantCode == identity.Unknown {
			assert.Nil(t, e, c.body)
			assert.Nil(t, b, c.body)
			continue
		}
		require.NotNil(t, e, c.body)
		assert.Equal(t, c.wantCode, e.Code)
		assert.Equal(t, b.Code, e.ProviderCode)
		assert.Equal(t, "m", e.Message)
		assert.Same(t, b, e.ProviderError)
	}
}

func TestAs(t *testing.T) {
	v := &testBody{Code: "x"}
	var got *testBody
	assert.True(t, As(&got, v))
	assert.Same(t, v, got)
	var other *Client
	assert.False(t, As(&other, v))
	assert.Nil(t, other)
	assert.False(t, As(got, v), "a *testBody is not a **testBody")
	assert.False(t, As(nil, v))
	assert.False(t, As((**testBody)(nil), v))
}

// TestRedactStrings checks the walk reaches every string a decoded body
// can hold: fields, nested structs and pointers, slices, maps (keys too),
// interfaces and bytes.
func TestRedactStrings(t *testing.T) {
	const cred = "redact-canary-credential"
	type cause struct{ Summary string }
	type body struct {
		Code   string
		Causes []cause
		Ptr    *cause
		Data   any
		Raw    json.RawMessage
		Tags   map[string]string
		hidden string
	}
	var data any
	require.NoError(t, json.Unmarshal([]byte(`{"issues":[{"message":"bad `+cred+`"}],"`+cred+`":1,"n":[1,"`+cred+`"]}`), &data))
	b := &body{
		Code: "c " + cred, Causes: []cause{{"x " + cred}}, Ptr: &cause{cred}, Data: data,
		Raw: json.RawMessage(`"` + cred + `"`), Tags: map[string]string{cred: cred}, hidden: cred,
	}
	var pe error = &holder{Body: b}
	redactStrings(&pe, cred)
	out, err := json.Marshal(b)
	require.NoError(t, err)
	assert.NotContains(t, string(out), cred)
	assert.Contains(t, string(out), "[REDACTED]")
	assert.Equal(t, "c [REDACTED]", b.Code)
	assert.Equal(t, cred, b.hidden, "unexported fields are out of reach (and of JSON)")
}

// holder stands for a provider's body type: an error that ProviderError
// holds, here with the body behind an interface.
type holder struct{ Body any }

func (h *holder) Error() string { return "holder" }
