// Package passthroughtest checks a backend's typed client against its
// emulator for what every backend's Do must refuse: paths that could take
// the credential off the provider's API, methods other than the six, and
// calls whose context has ended, none of which may reach the server.
package passthroughtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// UnsafePaths are paths a typed client's Do refuses with InvalidArgument
// naming "path": each could leave the API root, change the host, or be
// read differently by a server that decodes before it normalizes.
var UnsafePaths = []string{
	"",
	"api/v1/users",
	".evil.example/x",
	"@evil.example/x",
	"https://evil.example/api",
	"http:/evil.example",
	"javascript:alert(1)",
	"//evil.example/api",
	"///evil.example",
	`/\evil.example`,
	`\\evil.example`,
	"/api/../admin",
	"/api/..",
	"/./api",
	"/api/%2e%2e/admin",
	"/api/%2E./admin",
	"/api/..%2fadmin",
	"/api/x%2F..%2F..%2Fadmin",
	"/api/..%5cadmin",
	"/api/..;/admin",
	"/api/x#frag",
	"/api/%zz",
	"/api/a b",
	"/api/a\tb",
	"/api/a\r\nHost: evil.example",
	"/api/a\x00",
	"/api/a\x7f",
	"/api/é",
	"/api?x=%zz",
}

// UnsafeMethods are methods a typed client's Do refuses with
// InvalidArgument naming "method".
var UnsafeMethods = []string{"", "get", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "GET /x"}

// Client is one backend's typed client as Run sees it.
type Client struct {
	// Backend is the backend's name, which every error must carry.
	Backend string
	// Do is the client's Do method.
	Do func(ctx context.Context, method, path string, body, out any) error
	// Path is one the server serves to GET, for the method and context
	// checks.
	Path string
	// Requests returns how many requests the server has received.
	Requests func() int
	// Value is the typed client itself, every printed form of which
	// must be Backend + ".Client".
	Value any
}

// Open opens a directory with open, closes it when t ends, and returns
// the typed client its As hands out for a **C.
func Open[C any](t *testing.T, open func() (*identity.Directory, error)) (*C, *identity.Directory) {
	t.Helper()
	dir, err := open()
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	var c *C
	require.True(t, dir.As(&c), "As hands out a *%T", c)
	require.NotNil(t, c)
	var hc *http.Client
	assert.False(t, dir.As(&hc), "As hands out nothing else")
	var v C
	assert.False(t, dir.As(&v), "a *C is not a **C")
	assert.False(t, dir.As(nil))
	return c, dir
}

// Failed checks that err, from a request Do made, is an *identity.Error
// with code, Op "Do" and backend, and returns it.
func Failed(t *testing.T, err error, backend string, code identity.Code) *identity.Error {
	t.Helper()
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, code, ie.Code, "%v", err)
	assert.Equal(t, "Do", ie.Op)
	assert.Equal(t, backend, ie.Backend)
	assert.NotZero(t, ie.HTTPStatus)
	return ie
}

// Case is a request a typed client's Do must fail.
type Case struct {
	Method, Path string
	Body         any
	// Code is the portable code of the failure, and Field, if set, the
	// field it names.
	Code  identity.Code
	Field string
	// Provider is the provider's code in the decoded error body; "" for
	// an answer that is not the provider's own.
	Provider string
}

// Cases sends each case through c.Do as a subtest and checks its
// failure with Failed and Field, and its decoded body B, the backend's
// error body type: reached with errors.As where the case names a
// provider code, and then printing as c.Backend, that code and the
// provider's message; not reached where it names none. check, if set,
// checks what else the backend's body must say.
func Cases[B error](t *testing.T, c Client, cases []Case, check func(t *testing.T, tc Case, ie *identity.Error, body B)) {
	for _, tc := range cases {
		t.Run(tc.Method+" "+tc.Path, func(t *testing.T) {
			err := c.Do(t.Context(), tc.Method, tc.Path, tc.Body, nil)
			ie := Failed(t, err, c.Backend, tc.Code)
			if tc.Field != "" {
				assert.Equal(t, tc.Field, ie.Field)
			}
			var body B
			if tc.Provider == "" {
				assert.False(t, errors.As(err, &body), "an answer that is not the provider's has no body to decode")
				return
			}
			require.ErrorAs(t, err, &body)
			assert.True(t, strings.HasPrefix(body.Error(), c.Backend+" "+tc.Provider+": "), "%q", body.Error())
			if check != nil {
				check(t, tc, ie, body)
			}
		})
	}
}

// Echo returns middleware that answers a request for path with status
// and the JSON body format makes, each %[1]s in it the request's
// Authorization value, as a server or proxy that echoes credentials into
// its errors (and its request id header, named requestID) does. Other
// requests go on to next.
func Echo(path, requestID string, status int, format string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			auth := r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			if requestID != "" {
				w.Header().Set(requestID, auth)
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, format, strings.ReplaceAll(auth, `"`, `\"`))
		})
	}
}

// CheckSecrets calls c's Do for echoPath (a path Echo serves), for
// missingPath and for a refused path, and checks with cn that neither the
// errors, the echoed error's decoded body B, nor the client show a
// canary. It returns the echoed request's decoded body and error, for
// the backend's checks of what the redaction kept.
func CheckSecrets[B error](t *testing.T, cn *secrettest.Canaries, c Client, echoPath, missingPath string) (B, error) {
	t.Helper()
	ctx := context.Background()
	echoed := c.Do(ctx, "GET", echoPath, nil, nil)
	require.Error(t, echoed)
	require.True(t, cn.Has("authorization"), "the server saw the credential, so the checks below cover it")
	cn.Check(t, "echoed error", echoed)
	var body B
	require.ErrorAs(t, echoed, &body)
	cn.Check(t, "decoded body", body)
	cn.Check(t, "not found", c.Do(ctx, "GET", missingPath, nil, nil))
	cn.Check(t, "refused path", c.Do(ctx, "GET", "//evil.example"+missingPath, nil, nil))
	cn.Check(t, "client", c.Value)
	name := c.Backend + ".Client"
	assert.Equal(t, name+"|"+name+"|"+name+"|"+name, fmt.Sprintf("%v|%+v|%#v|%s", c.Value, c.Value, c.Value, c.Value))
	return body, echoed
}

// Run checks that c refuses every unsafe path and method with
// InvalidArgument, Op "Do" and c.Backend, that a call whose context has
// ended returns the context's error, and that none of them reaches the
// server.
func Run(t *testing.T, c Client) {
	t.Helper()
	invalid := func(t *testing.T, err error, field string) {
		t.Helper()
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.InvalidArgument, ie.Code)
		assert.Equal(t, field, ie.Field)
		assert.Equal(t, "Do", ie.Op)
		assert.Equal(t, c.Backend, ie.Backend)
	}
	before := c.Requests()
	for _, p := range UnsafePaths {
		t.Run(fmt.Sprintf("path %q", p), func(t *testing.T) {
			invalid(t, c.Do(context.Background(), "GET", p, nil, nil), "path")
		})
	}
	for _, m := range UnsafeMethods {
		t.Run(fmt.Sprintf("method %q", m), func(t *testing.T) {
			invalid(t, c.Do(context.Background(), m, c.Path, nil, nil), "method")
		})
	}
	t.Run("ended context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Same(t, context.Canceled, c.Do(ctx, "GET", c.Path, nil, nil))
		ctx, cancel = context.WithTimeout(context.Background(), 0)
		defer cancel()
		assert.Equal(t, context.DeadlineExceeded, c.Do(ctx, "POST", c.Path, map[string]string{"a": "b"}, nil))
	})
	assert.Equal(t, before, c.Requests(), "a refused call reached the server")
	require.NoError(t, c.Do(context.Background(), "GET", c.Path, nil, nil), "the path the checks used is served")
	assert.Greater(t, c.Requests(), before, "the server counts requests")
}
