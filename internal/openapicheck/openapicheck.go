// Package openapicheck validates HTTP traffic against the providers'
// OpenAPI documents, vendored in testdata/. The project's tests put a
// Checker in front of each emulator, so that every request an adapter
// sends and every response an emulator gives is held to the provider's
// published schema.
package openapicheck

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed testdata/*.json
var files embed.FS

// placeholderHost stands in for the server URLs of the documents, so that
// routes match whatever address a test server has.
const placeholderHost = "spec.invalid"

// Spec is a loaded, validated document and its router.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
}

// documents names each provider's vendored document.
var documents = map[string]string{
	"okta":    "okta-management.schema.json",
	"logto":   "logto-management.schema.json",
	"passage": "passage-management.schema.json",
	"kratos":  "kratos-identities.schema.json",
}

var (
	loadMu sync.Mutex
	loaded = map[string]*Spec{}
)

// Load returns the document for "okta", "logto", "passage" or "kratos",
// parsing it once per process.
func Load(provider string) (*Spec, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if s, ok := loaded[provider]; ok {
		return s, nil
	}
	data, err := files.ReadFile("testdata/" + documents[provider])
	if err != nil || documents[provider] == "" {
		return nil, fmt.Errorf("openapicheck: no document for %q", provider)
	}
	if data, err = normalizePatterns(data); err != nil {
		return nil, fmt.Errorf("openapicheck: reading %s: %w", provider, err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: loading %s: %w", provider, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapicheck: %s document is invalid: %w", provider, err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://" + placeholderHost}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: routing %s: %w", provider, err)
	}
	s := &Spec{doc: doc, router: r}
	loaded[provider] = s
	return s, nil
}

// normalizePatterns fixes two habits of Logto's generated document that
// kin-openapi would read otherwise than Logto means: "pattern" is written
// as a JavaScript regex literal ("/^\\S+@\\S+$/"), which as written never
// matches; and the custom format "empty" (the empty string) is unknown to
// kin-openapi, so a oneOf of a patterned string and an empty one matched
// twice. Patterns lose their slashes and "empty" becomes maxLength 0.
func normalizePatterns(data []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			if t["format"] == "empty" {
				delete(t, "format")
				t["maxLength"] = 0
			}
			if t["format"] == "regex" {
				delete(t, "format") // the pattern beside it is the check
			}
			for k, val := range t {
				if p, ok := val.(string); ok && k == "pattern" && len(p) >= 2 && p[0] == '/' {
					if end := strings.LastIndexByte(p, '/'); end > 0 {
						t[k] = p[1:end]
					}
				}
				walk(val)
			}
		case []any:
			for _, val := range t {
				walk(val)
			}
		}
	}
	walk(v)
	return json.Marshal(v)
}

// Options adjusts how a Checker matches paths.
type Options struct {
	// BasePath is stripped from request paths before matching, e.g. "/v1"
	// for Passage, whose document's paths live under its server URL's
	// /v1.
	BasePath string
	// Unchecked lists path prefixes that the document does not cover and
	// that pass unvalidated, such as token endpoints.
	Unchecked []string
	// ExtraStatuses lists, by "METHOD /document/path", statuses the real
	// server was seen to send that the document leaves out; such a
	// response is not a violation. Each entry needs its evidence beside
	// it in the caller.
	ExtraStatuses map[string][]int
}

// Violation is one request or response that broke the document.
type Violation struct {
	Method, Path string
	Status       int
	Phase        string // "request" or "response"
	Err          string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s (status %d): %s: %s", v.Method, v.Path, v.Status, v.Phase, v.Err)
}

// Checker is an http.Handler that validates the traffic it passes to the
// next handler. It never blocks or alters traffic; it records.
type Checker struct {
	spec *Spec
	next http.Handler
	opts Options

	mu         sync.Mutex
	violations []Violation
	checked    int
}

// Wrap returns a Checker in front of next.
func (s *Spec) Wrap(next http.Handler, opts Options) *Checker {
	return &Checker{spec: s, next: next, opts: opts}
}

// Violations returns what was recorded so far.
func (c *Checker) Violations() []Violation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Violation(nil), c.violations...)
}

// Checked returns how many requests were validated.
func (c *Checker) Checked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checked
}

func (c *Checker) record(v Violation) {
	c.mu.Lock()
	c.violations = append(c.violations, v)
	c.mu.Unlock()
}

// maxBody bounds what the checker buffers of one body.
const maxBody = 8 << 20

func (c *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, p := range c.opts.Unchecked {
		if strings.HasPrefix(r.URL.Path, p) {
			c.next.ServeHTTP(w, r)
			return
		}
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	r.Body = io.NopCloser(bytes.NewReader(body))

	// Match against a copy whose URL the router understands.
	probe := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host = "http", placeholderHost
	u.Path = strings.TrimPrefix(r.URL.Path, c.opts.BasePath)
	u.RawPath = ""
	probe.URL = &u
	probe.Host = placeholderHost
	probe.Body = io.NopCloser(bytes.NewReader(body))

	route, params, err := c.spec.router.FindRoute(probe)
	if err != nil {
		rec := newRecorder(w)
		c.next.ServeHTTP(rec, r)
		c.record(Violation{Method: r.Method, Path: r.URL.Path, Status: rec.status, Phase: "request", Err: "no such operation in the document: " + err.Error()})
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: probe, PathParams: unescape(params), Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		c.record(Violation{Method: r.Method, Path: r.URL.Path, Phase: "request", Err: err.Error()})
	}
	rec := newRecorder(w)
	c.next.ServeHTTP(rec, r)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rec.status, Header: rec.Header(),
		Body:    io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if slices.Contains(c.opts.ExtraStatuses[r.Method+" "+route.Path], rec.status) {
		// documented by the caller as real but missing from the document
	} else if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
		c.record(Violation{Method: r.Method, Path: r.URL.Path, Status: rec.status, Phase: "response", Err: err.Error()})
	}
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
}

func unescape(params map[string]string) map[string]string {
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			params[k] = u
		}
	}
	return params
}

// recorder passes the response through and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func newRecorder(w http.ResponseWriter) *recorder {
	return &recorder{ResponseWriter: w, status: http.StatusOK}
}

func (r *recorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }

func (r *recorder) Write(b []byte) (int, error) {
	if r.body.Len() < maxBody {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// Middleware returns an emulator middleware that checks all traffic
// against provider's document and fails tb, listing every violation, when
// tb ends.
func Middleware(tb testing.TB, provider string, opts Options) func(http.Handler) http.Handler {
	tb.Helper()
	spec, err := Load(provider)
	if err != nil {
		tb.Fatal(err)
	}
	return func(next http.Handler) http.Handler {
		c := spec.Wrap(next, opts)
		tb.Cleanup(func() {
			for _, v := range c.Violations() {
				tb.Errorf("%s schema violation: %s", provider, v)
			}
		})
		return c
	}
}
