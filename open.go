package identity

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// URLOpener opens a Directory from a URL whose scheme it was registered
// for. Each backend package exports one.
type URLOpener interface {
	OpenDirectoryURL(ctx context.Context, u *url.URL) (*Directory, error)
}

// URLMux maps URL schemes to openers. The zero value is an empty mux ready
// to use; it is safe for concurrent use. An application with several
// tenants can hold its own mux; most use [DefaultURLMux] through [Open].
type URLMux struct {
	mu      sync.RWMutex
	openers map[string]URLOpener
}

// Register makes opener answer for scheme. It panics when scheme is empty
// or already registered, as database/sql.Register does, because that is a
// programming error found at start-up.
func (m *URLMux) Register(scheme string, opener URLOpener) {
	scheme = strings.ToLower(scheme)
	m.mu.Lock()
	defer m.mu.Unlock()
	if scheme == "" || opener == nil {
		panic("identity: Register needs a scheme and an opener")
	}
	if _, dup := m.openers[scheme]; dup {
		panic("identity: scheme " + scheme + " registered twice")
	}
	if m.openers == nil {
		m.openers = make(map[string]URLOpener)
	}
	m.openers[scheme] = opener
}

// Schemes returns the registered schemes, sorted.
func (m *URLMux) Schemes() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := make([]string, 0, len(m.openers))
	for k := range m.openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Open parses urlstr and opens a Directory with the opener registered
// for its scheme. It returns InvalidArgument when the URL does not parse
// or its scheme is not registered (the message lists those that are), and
// whatever the opener returns otherwise.
func (m *URLMux) Open(ctx context.Context, urlstr string) (*Directory, error) {
	u, err := url.Parse(urlstr)
	if err != nil {
		// url.Error repeats the input, which could hold a secret someone
		// pasted by mistake; keep only the reason.
		return nil, &Error{Code: InvalidArgument, Op: "Open", Field: "url", Message: "malformed URL: " + unwrapURLError(err)}
	}
	if u.Scheme == "" {
		return nil, &Error{Code: InvalidArgument, Op: "Open", Field: "url", Message: fmt.Sprintf("URL has no scheme; want one of %s", m.schemeList())}
	}
	if u.User != nil {
		return nil, &Error{Code: InvalidArgument, Op: "Open", Field: "url", Message: "URL must not carry credentials; pass them in Options or the environment"}
	}
	m.mu.RLock()
	o := m.openers[strings.ToLower(u.Scheme)]
	m.mu.RUnlock()
	if o == nil {
		msg := fmt.Sprintf("no backend registered for scheme %q (registered: %s)", u.Scheme, m.schemeList())
		if slices.Contains(moduleBackends, strings.ToLower(u.Scheme)) {
			msg += fmt.Sprintf("; import its package: _ \"github.com/idport/identity/backends/%s\"", strings.ToLower(u.Scheme))
		}
		return nil, &Error{Code: InvalidArgument, Op: "Open", Field: "url", Message: msg}
	}
	return o.OpenDirectoryURL(ctx, u)
}

// moduleBackends are the backend packages of this module, each registering
// the scheme of its name: only for these can a missing import be named.
var moduleBackends = []string{"kratos", "logto", "memory", "okta", "passage"}

func (m *URLMux) schemeList() string {
	s := m.Schemes()
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func unwrapURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return "cannot parse"
}

// DefaultURLMux is the mux [Open] and [Register] use. Backend packages
// register their scheme with it when imported.
var DefaultURLMux = new(URLMux)

// Register registers opener for scheme with [DefaultURLMux].
func Register(scheme string, opener URLOpener) { DefaultURLMux.Register(scheme, opener) }

// Open opens a Directory from a URL with [DefaultURLMux].
func Open(ctx context.Context, urlstr string) (*Directory, error) {
	return DefaultURLMux.Open(ctx, urlstr)
}
