// Package secrettest checks that credentials stay out of everything a
// program shows: its debug log, its errors, and any value a caller might
// print or log. A test makes canary values, hands them to the code under
// test as its credentials and passwords, and passes every result through
// Check; the log is scanned when the test ends.
//
//	c := secrettest.New(t)
//	key := c.Make("api-key")
//	srv := fooktest.NewServer(t, fooktest.Options{APIKey: key, Middleware: c.Middleware})
//	dir, err := foo.New(ctx, foo.Options{APIKey: identity.Secret(key), Logger: c.Logger()})
//	c.Check(t, "New", dir, err)
//
// Credentials the code under test obtains itself, such as an access token
// an emulator issued, become canaries too: Middleware records every
// Authorization header that reaches the server.
package secrettest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
)

// MinLen is the shortest value Add accepts as a canary: anything shorter
// would match ordinary text by chance.
const MinLen = 8

// Canaries is a set of secret values and the debug log they must stay
// out of. It is safe for concurrent use, so that a server's handler can
// add the tokens it sees while the test reads.
type Canaries struct {
	mu     sync.Mutex
	values map[string]string // value -> name
	log    lockedBuffer
	logger *slog.Logger
}

// New returns an empty set whose log is scanned when tb ends.
func New(tb testing.TB) *Canaries {
	c := &Canaries{values: map[string]string{}}
	c.logger = slog.New(slog.NewTextHandler(&c.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tb.Cleanup(func() {
		tb.Helper()
		c.CheckString(tb, "debug log", c.Log())
	})
	return c
}

// Make returns a new canary value named name: unmistakable, unique to
// this run, and made only of letters, digits and '-', so that it passes
// any provider's checks on passwords and keys, and no escaping (JSON, URL,
// form) can disguise it.
func (c *Canaries) Make(name string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	v := "CANARY-" + strings.ReplaceAll(name, " ", "-") + "-" + hex.EncodeToString(b)
	c.Add(name, v)
	return v
}

// Add makes value a canary named name. Values shorter than MinLen are
// ignored.
func (c *Canaries) Add(name, value string) {
	if len(value) < MinLen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.values[value]; !ok {
		c.values[value] = name
	}
}

// Has reports whether a canary named name has been made or added, for a
// test to prove that a credential it meant to watch was really seen.
func (c *Canaries) Has(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.values {
		if n == name {
			return true
		}
	}
	return false
}

// Len returns how many canaries there are.
func (c *Canaries) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.values)
}

// Logger returns a debug-level logger writing to the scanned log.
func (c *Canaries) Logger() *slog.Logger { return c.logger }

// Log returns what was logged so far.
func (c *Canaries) Log() string { return c.log.String() }

// Middleware wraps a server's handler so that the credential of every
// request it receives becomes a canary: the whole Authorization value
// (named "authorization"), the credential after its scheme ("bearer" for
// a bearer token or key, and so on), and for Basic the decoded password
// ("basic-password").
func (c *Canaries) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			c.Add("authorization", h)
			if scheme, cred, ok := strings.Cut(h, " "); ok {
				c.Add(strings.ToLower(scheme), cred)
			}
			if _, pw, ok := r.BasicAuth(); ok {
				c.Add("basic-password", pw)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Find returns the name of a canary that occurs in s.
func (c *Canaries) Find(s string) (name string, found bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for v, n := range c.values {
		if strings.Contains(s, v) {
			return n, true
		}
	}
	return "", false
}

// CheckString reports an error on tb if s contains a canary. label says
// where s came from.
func (c *Canaries) CheckString(tb testing.TB, label, s string) {
	tb.Helper()
	if name, found := c.Find(s); found {
		tb.Errorf("secret %q leaked in %s: %s", name, label, excerpt(s, c.value(name)))
	}
}

func (c *Canaries) value(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for v, n := range c.values {
		if n == name {
			return v
		}
	}
	return ""
}

// Forms returns the ways a program might show v: fmt's %v, %+v, %#v and
// %s, JSON, log/slog's text and JSON output, and for an error the same
// for every error in its chain (Unwrap and Join both followed).
func Forms(v any) []string {
	var out []string
	seen := map[any]bool{}
	var add func(v any)
	add = func(v any) {
		out = append(out,
			fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v))
		if b, err := json.Marshal(v); err == nil {
			out = append(out, string(b))
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("value", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("value", "v", v)
		out = append(out, buf.String())
		err, ok := v.(error)
		if !ok || err == nil {
			return
		}
		out = append(out, err.Error())
		var next []error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = []error{u.Unwrap()}
		case interface{ Unwrap() []error }:
			next = u.Unwrap()
		}
		for _, e := range next {
			if e != nil && !seenErr(seen, e) {
				add(e)
			}
		}
	}
	add(v)
	return out
}

// seenErr guards the chain walk against an error that wraps itself.
func seenErr(seen map[any]bool, e error) (was bool) {
	defer func() {
		if recover() != nil { // an uncomparable error value
			was = false
		}
	}()
	if seen[e] {
		return true
	}
	seen[e] = true
	return false
}

// Check reports an error on tb if any form of any of values (see Forms)
// contains a canary. label names the values in the report.
func (c *Canaries) Check(tb testing.TB, label string, values ...any) {
	tb.Helper()
	for i, v := range values {
		for _, s := range Forms(v) {
			if name, found := c.Find(s); found {
				tb.Errorf("secret %q leaked in %s (value %d, %T): %s", name, label, i, v, excerpt(s, c.value(name)))
				break
			}
		}
	}
}

// Names returns the names of the canaries, sorted, for a test's report.
func (c *Canaries) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	set := map[string]bool{}
	for _, n := range c.values {
		set[n] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// excerpt shows where v occurs in s without printing v itself, so that a
// failing test does not copy the secret into CI logs.
func excerpt(s, v string) string {
	i := strings.Index(s, v)
	if i < 0 || v == "" {
		return "(not located)"
	}
	from, to := max(0, i-60), min(len(s), i+len(v)+60)
	return "..." + strings.ReplaceAll(s[from:to], v, "<SECRET>") + "..."
}

// EncodeBasic returns the Authorization value HTTP Basic makes of id and
// secret, for a test that adds it as a canary before any request is made.
func EncodeBasic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
