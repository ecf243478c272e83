package identity

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
)

// URLOpener opens a Directory from a URL whose scheme it was registered
// for. Each backend package exports one.
type URLOpener interface {
	OpenDirectoryURL(ctx context.Context, u *url.URL) (*Directory, error)
}

// URLOpenerWith is the optional interface of a URLOpener that takes the
// [OpenSettings] of the OpenOptions given to [Open]: every backend of
// this module implements it (memory takes only the DirectoryOptions, having
// no transport or credentials). Open calls OpenDirectoryURLWith
// only when some option was given, and OpenDirectoryURL otherwise.
type URLOpenerWith interface {
	URLOpener
	OpenDirectoryURLWith(ctx context.Context, u *url.URL, s OpenSettings) (*Directory, error)
}

// OpenOption is a setting of a directory [Open] opens by URL, for what a
// URL does not carry: the transport, the logger, telemetry, and secrets
// from somewhere other than the environment.
type OpenOption func(*OpenSettings)

// OpenSettings are what the OpenOptions given to Open ask for, as a
// [URLOpenerWith] receives them.
type OpenSettings struct {
	// HTTP, when not nil, replaces the HTTPOptions of the opener's own
	// Options: client, timeout, attempts, logger and the portable
	// layer's DirectoryOptions. A URL's insecure_http=true still applies
	// over it. A backend that does not talk HTTP uses DirectoryOptions
	// alone, having no transport to configure.
	HTTP *HTTPOptions
	// Secrets, when not nil, is asked for each credential the backend
	// would otherwise read from the environment, by the same name (see
	// [WithSecrets]).
	Secrets func(ctx context.Context, name string) (Secret, error)
	// Getenv, when not nil, stands for the process environment (see
	// [WithEnvironment]).
	Getenv func(name string) string
}

// LookupSecret returns the secret named name from s.Secrets, or "" when
// there is no lookup or it has no such secret. A lookup that fails gives
// Unavailable naming the secret in Field (the context's own error as it
// is), never the secret's value.
func (s OpenSettings) LookupSecret(ctx context.Context, name string) (Secret, error) {
	if s.Secrets == nil {
		return "", nil
	}
	v, err := s.Secrets(ctx, name)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", cerr
		}
		return "", &Error{Code: Unavailable, Op: "Open", Field: name, Message: "looking up the secret failed", Err: err}
	}
	return v, nil
}

// Secret returns the credential named name as a backend's opener reads
// it: from s.Secrets when it has the name, else from the environment,
// which is s.Getenv when set and the process's otherwise. Its error is
// LookupSecret's.
func (s OpenSettings) Secret(ctx context.Context, name string) (Secret, error) {
	v, err := s.LookupSecret(ctx, name)
	if err != nil || v != "" {
		return v, err
	}
	return Secret(s.Env(name)), nil
}

// Env returns the environment variable named name: from s.Getenv when
// set, else from the process environment.
func (s OpenSettings) Env(name string) string {
	if s.Getenv != nil {
		return s.Getenv(name)
	}
	return os.Getenv(name)
}

// WithEnvironment makes a directory opened by URL read the variables it
// would read from the process environment (OKTA_API_TOKEN and the rest)
// through getenv instead, and never from the process: a program that
// opens two directories of one kind with different credentials, such as
// a copy between two Okta orgs, gives each its own.
func WithEnvironment(getenv func(name string) string) OpenOption {
	return func(s *OpenSettings) { s.Getenv = getenv }
}

// WithHTTPOptions sets the transport of a directory opened by URL, as an
// HTTP backend's Options.HTTPOptions would in its New:
//
//	dir, err := identity.Open(ctx, os.Getenv("IDENTITY_URL"), identity.WithHTTPOptions(identity.HTTPOptions{
//		Logger:  slog.Default(),
//		Timeout: 10 * time.Second,
//	}))
//
// On memory://, which has no transport, only its DirectoryOptions apply.
func WithHTTPOptions(o HTTPOptions) OpenOption {
	return func(s *OpenSettings) { s.HTTP = &o }
}

// WithSecrets makes a directory opened by URL ask lookup, rather than
// the environment, for its credentials, by the names each backend
// documents for the environment (OKTA_API_TOKEN, LOGTO_M2M_APP_SECRET,
// PASSAGE_API_KEY, ORY_API_KEY, ...): a vault's client, say. Credentials
// set in the opener's own Options come first; a name lookup answers
// with "" for is then read from the environment, as without it. A
// lookup that fails fails Open, as Unavailable naming the secret.
func WithSecrets(lookup func(ctx context.Context, name string) (Secret, error)) OpenOption {
	return func(s *OpenSettings) { s.Secrets = lookup }
}

// URLMux maps URL schemes to openers. The zero value is an empty mux ready
// to use; it is safe for concurrent use. An application with several
// tenants can hold its own mux; most use [DefaultURLMux] through [Open].
type URLMux struct {
	mu      sync.RWMutex
	openers map[string]URLOpener
}

// Register makes opener answer for scheme. It panics when scheme is empty
// or already registered, as database/sql.Register does: two packages
// answering for one scheme is a programming error, found at start-up,
// and letting the later replace the earlier would depend on the order of
// imports. To configure a backend that is registered already, pass
// OpenOptions to Open ([WithHTTPOptions], [WithSecrets]) or call the
// backend's New; to give a scheme an opener of your own, hold your own
// URLMux.
func (m *URLMux) Register(scheme string, opener URLOpener) {
	scheme = strings.ToLower(scheme)
	m.mu.Lock()
	defer m.mu.Unlock()
	if scheme == "" || opener == nil {
		panic("identity: Register needs a scheme and an opener")
	}
	if _, dup := m.openers[scheme]; dup {
		panic("identity: scheme " + scheme + " registered twice; to configure it, pass identity.WithHTTPOptions or identity.WithSecrets to identity.Open, or use a URLMux of your own")
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
// for its scheme, with the settings opts ask for. It returns
// InvalidArgument when the URL does not parse or its scheme is not
// registered (the message lists those that are, and the backends of
// this module), or when opts are given to an opener that is not a
// [URLOpenerWith]; and whatever the opener returns otherwise. Like a
// backend's New, it makes no network call: [Directory.Ping] checks that
// the provider is reachable and takes the credentials.
func (m *URLMux) Open(ctx context.Context, urlstr string, opts ...OpenOption) (*Directory, error) {
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
	scheme := strings.ToLower(u.Scheme)
	m.mu.RLock()
	o := m.openers[scheme]
	m.mu.RUnlock()
	if o == nil {
		return nil, &Error{Code: InvalidArgument, Op: "Open", Field: "url", Message: m.unknownScheme(scheme)}
	}
	if len(opts) == 0 {
		return o.OpenDirectoryURL(ctx, u)
	}
	var s OpenSettings
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	w, ok := o.(URLOpenerWith)
	if !ok {
		return nil, &Error{Code: InvalidArgument, Op: "Open", Backend: scheme, Field: "opts",
			Message: "the opener registered for " + scheme + " takes no OpenOptions; configure it with its backend's New instead"}
	}
	dir, err := w.OpenDirectoryURLWith(ctx, u, s)
	var e *Error
	if errors.As(err, &e) && e.Backend == "" {
		e.Backend = scheme
	}
	return dir, err
}

// moduleBackends are the backend packages of this module, each registering
// the scheme of its name: only for these can a missing import be named.
var moduleBackends = []string{"kratos", "logto", "memory", "okta", "passage"}

// unknownScheme says that nothing answers for scheme, what does, and how
// to register a backend of this module.
func (m *URLMux) unknownScheme(scheme string) string {
	msg := fmt.Sprintf("no backend registered for scheme %q (registered: %s)", scheme, m.schemeList())
	if slices.Contains(moduleBackends, scheme) {
		return msg + fmt.Sprintf("; import its package: _ \"github.com/idport/identity/backends/%s\"", scheme)
	}
	return msg + fmt.Sprintf("; this module's backends are %s (package github.com/idport/identity/backends/{name})", strings.Join(moduleBackends, ", "))
}

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

// Register registers opener for scheme with [DefaultURLMux]; see
// [URLMux.Register] for why a scheme registered twice panics.
func Register(scheme string, opener URLOpener) { DefaultURLMux.Register(scheme, opener) }

// Open opens a Directory from a URL with [DefaultURLMux]; see
// [URLMux.Open]. opts configure what the URL does not carry:
//
//	dir, err := identity.Open(ctx, os.Getenv("IDENTITY_URL"),
//		identity.WithHTTPOptions(identity.HTTPOptions{Logger: logger}),
//		identity.WithSecrets(vault.Secret),
//	)
func Open(ctx context.Context, urlstr string, opts ...OpenOption) (*Directory, error) {
	return DefaultURLMux.Open(ctx, urlstr, opts...)
}
