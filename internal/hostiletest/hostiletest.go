// Package hostiletest is a server that answers a client under test with
// whatever a fuzz target or table gives it, and the checks such tests
// share: every error is a typed *identity.Error with a valid code, and a
// client never loops on a server that keeps giving the same answer.
//
//	srv := hostiletest.NewServer(f)
//	f.Fuzz(func(t *testing.T, status int, body []byte) {
//		ctx := srv.Round(t, 64, func(*http.Request) hostiletest.Answer {
//			return hostiletest.Answer{Status: hostiletest.Status(status), Body: body}
//		})
//		_, err := client.Get(ctx, "id")
//		hostiletest.CheckError(t, "Get", err)
//	})
//
// In the body of a non-2xx answer, the placeholder {{auth}} is replaced by
// the request's Authorization value, as a server that echoes its request
// into error pages would, so that a test can check the credential does not
// come back out in an error.
package hostiletest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/secrettest"
)

// EchoAuth is the placeholder replaced by the request's Authorization
// value in non-2xx bodies.
const EchoAuth = "{{auth}}"

// EchoClient is the placeholder replaced, in non-2xx bodies, by the
// client credential a token request's form carries, as a token endpoint
// echoing its form into an error page would.
const EchoClient = "{{client}}"

// ClientCredential returns the client credential r's form carries (a
// client_assertion, or a client_secret), and leaves r's body to be read
// again.
func ClientCredential(r *http.Request) string {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	form, _ := url.ParseQuery(string(b))
	if a := form.Get("client_assertion"); a != "" {
		return a
	}
	return form.Get("client_secret")
}

// Answer is one response.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	// Truncate announces a longer body than is sent, so that the client
	// reads an unexpected EOF.
	Truncate bool
}

// Status maps any int onto a status the server can send, 200 to 599, so
// that fuzz targets can take a plain int.
func Status(n int) int {
	if n >= 200 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	return 200 + n%400
}

// Shapes for Shape, so that a fuzz target can take one small number
// instead of a large input for the oversized case.
const (
	AsIs      uint8 = iota // the answer as given
	Truncated              // the body cut short of its Content-Length
	Oversized              // the body padded past the client's size cap
)

// Shape returns a with shape%3 applied: AsIs, Truncated, or Oversized,
// which prefixes the body with more than limit bytes of white space (still
// valid JSON if the body was).
func Shape(a Answer, shape uint8, limit int) Answer {
	switch shape % 3 {
	case Truncated:
		a.Truncate = true
	case Oversized:
		a.Body = append(bytes.Repeat([]byte(" "), limit+1), a.Body...)
	}
	return a
}

// Server is a loopback HTTP server whose answers a test sets per round.
// Rounds must not overlap, which holds for fuzz targets: a worker runs one
// input at a time.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	answer   func(*http.Request) Answer
	requests int
	limit    int
	cancel   context.CancelFunc
	paths    []string
}

// NewServer starts a server that stops when tb ends. Until Round is
// called it answers 500.
func NewServer(tb testing.TB) *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	return s
}

// Client returns a client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Round starts a round: answer decides each response, and the context
// returned is cancelled once the server has seen more than limit
// requests, at which point the round fails tb when it ends, since no
// operation needs that many calls against a server that answers the same
// way each time.
func (s *Server) Round(tb testing.TB, limit int, answer func(*http.Request) Answer) context.Context {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.answer, s.requests, s.limit, s.cancel, s.paths = answer, 0, limit, cancel, nil
	s.mu.Unlock()
	tb.Cleanup(func() {
		cancel()
		s.mu.Lock()
		n, paths := s.requests, s.paths
		s.mu.Unlock()
		if n > limit {
			tb.Errorf("more than %d requests in one round (last paths %q): the client loops on a repeated answer", limit, paths)
		}
	})
	return ctx
}

// Requests returns how many requests the current round has seen.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	over := s.limit > 0 && s.requests > s.limit
	if len(s.paths) < 8 {
		s.paths = append(s.paths, r.Method+" "+r.URL.EscapedPath())
	}
	answer, cancel := s.answer, s.cancel
	s.mu.Unlock()
	if over && cancel != nil {
		cancel()
	}
	a := Answer{Status: http.StatusInternalServerError}
	if answer != nil {
		a = answer(r)
	}
	write(w, r, a)
}

// write sends a as the answer to r.
func write(w http.ResponseWriter, r *http.Request, a Answer) {
	body := a.Body
	if a.Status < 200 || a.Status > 299 {
		body = bytes.ReplaceAll(body, []byte(EchoAuth), []byte(r.Header.Get("Authorization")))
		if bytes.Contains(body, []byte(EchoClient)) {
			body = bytes.ReplaceAll(body, []byte(EchoClient), []byte(ClientCredential(r)))
		}
	}
	for k, vs := range a.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if a.Truncate {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+16))
	}
	status := a.Status
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Script is a middleware that answers chosen requests itself, before the
// server behind it sees them: each queued answer is used once, by the
// first request whose path starts with its prefix. Other requests pass
// through. It is safe for concurrent use.
type Script struct {
	mu    sync.Mutex
	queue []scripted
}

type scripted struct {
	prefix string
	answer Answer
}

// Next queues answers, in order, for requests whose path starts with
// prefix.
func (s *Script) Next(prefix string, answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range answers {
		s.queue = append(s.queue, scripted{prefix, a})
	}
}

// Pending returns how many queued answers are still unused.
func (s *Script) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Reset drops the queued answers still unused.
func (s *Script) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = nil
}

// Wrap returns next with the script in front of it.
func (s *Script) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		var a *Answer
		for i, q := range s.queue {
			if strings.HasPrefix(r.URL.Path, q.prefix) {
				a = &q.answer
				s.queue = slices.Delete(s.queue, i, i+1)
				break
			}
		}
		s.mu.Unlock()
		if a == nil {
			next.ServeHTTP(w, r)
			return
		}
		write(w, r, *a)
	})
}

// Recorded is a request as a Recorder saw it.
type Recorded struct {
	Method string
	// Path is the path as sent, still escaped.
	Path  string
	Query string
}

// Recorder is a middleware that records the requests passing through,
// for tests of where a client's requests land. It is safe for concurrent
// use.
type Recorder struct {
	mu   sync.Mutex
	reqs []Recorded
}

// Wrap returns next with the recorder in front of it.
func (rec *Recorder) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, Recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery})
		rec.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Take returns the requests recorded since the last Take.
func (rec *Recorder) Take() []Recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}

// MatchRoute reports whether the escaped path has the shape of template,
// segment by segment, where a "{}" segment stands for any one non-empty
// segment, and returns the unescaped values of those segments. A path
// with an empty, "." or ".." segment never matches: no server should be
// left to decide what such a path means.
func MatchRoute(escapedPath, template string) ([]string, bool) {
	ps, ts := strings.Split(escapedPath, "/"), strings.Split(template, "/")
	if len(ps) != len(ts) {
		return nil, false
	}
	var vals []string
	for i, p := range ps {
		if i > 0 && (p == "" || p == "." || p == "..") {
			return nil, false
		}
		v, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		if ts[i] == "{}" {
			vals = append(vals, v)
			continue
		}
		if p != ts[i] {
			return nil, false
		}
	}
	return vals, true
}

// JSON is an answer with a JSON body.
func JSON(status int, body string, header ...string) Answer {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return Answer{Status: status, Header: h, Body: []byte(body)}
}

// CheckError reports an error on tb unless err is nil, the context's own
// error, or an *identity.Error whose Code is one of the portable codes
// (never Unknown).
func CheckError(tb testing.TB, label string, err error) {
	tb.Helper()
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	var ie *identity.Error
	if !errors.As(err, &ie) {
		tb.Errorf("%s: error is not an *identity.Error: %T %v", label, err, err)
		return
	}
	if !ValidCode(ie.Code) {
		tb.Errorf("%s: error has code %v: %v", label, ie.Code, err)
	}
}

// ValidCode reports whether c is one of the portable codes other than
// Unknown.
func ValidCode(c identity.Code) bool {
	return c > identity.Unknown && c <= identity.Internal
}

// PerCallLimit is the most requests Exercise lets one method make against
// a server that answers every request the same way.
const PerCallLimit = 32

// Calls is how many methods Exercise knows; see its pick argument.
const Calls = 18

// Exercise calls one method of d, or every one of them, with arguments the portable
// layer would let through and only the fields caps declares, against
// whatever s answers, and checks each result: the error is typed (see
// CheckError), a nil error comes with a usable result (a user with an id
// and a valid status, a page without nil users), no method makes more than
// PerCallLimit requests, and, when c is not nil, no canary appears in any
// form of any result or error. Passwords passed are canaries made in c.
//
// pick%(Calls+1) chooses the method, in the order CreateUser, GetUser,
// FindUser, UpdateUser, ListUsers, SuspendUser, ActivateUser,
// SetPassword, VerifyPassword, ChangePassword, ExpirePassword,
// CreateRole, ListRoles, AssignRole, ListUserRoles, RevokeRole,
// DeleteRole, DeleteUser; Calls means all of them in turn. A fuzz target
// that takes pick from its input runs much faster per input, and keeps
// one seed with pick Calls to cover every method.
func Exercise(tb testing.TB, ctx context.Context, d driver.Directory, caps identity.Capabilities, s *Server, c *secrettest.Canaries, pick uint8) {
	tb.Helper()
	pw, pw2 := identity.Secret("password-not-a-canary-1"), identity.Secret("password-not-a-canary-2")
	if c != nil {
		pw, pw2 = identity.Secret(c.Make("password")), identity.Secret(c.Make("new-password"))
	}
	nu := identity.NewUser{Email: "ada@example.com", Status: identity.StatusActive, Metadata: map[string]any{"plan": "pro"}}
	up := identity.UserUpdate{Email: new("ada2@example.com"), Metadata: map[string]any{"plan": "team", "note": nil}}
	if caps.Username {
		nu.Username, up.Username = "ada", new("ada2")
	}
	if caps.Phone {
		nu.Phone = "+14155550100"
	}
	if caps.Names {
		nu.GivenName, up.GivenName = "Ada", new("Augusta")
	}
	if caps.DisplayName {
		nu.DisplayName, up.DisplayName = "Ada L.", new("A. Lovelace")
	}
	if caps.SetPassword {
		nu.Password = pw
	}
	if !caps.Metadata {
		nu.Metadata, up.Metadata = nil, nil
	}
	user := func(u *identity.User, err error) (any, error) {
		if err == nil && (u == nil || u.ID == "" || !u.Status.Valid()) {
			return u, errors.New("a nil error with a user that has no id or no valid status")
		}
		return u, err
	}
	none := func(err error) (any, error) { return nil, err }
	roles, _ := d.(driver.Roles)
	catalog, _ := d.(driver.RoleCatalog)
	pws, _ := d.(driver.Passwords)
	calls := []struct {
		name string
		call func() (any, error)
	}{
		{"CreateUser", func() (any, error) { return user(d.CreateUser(ctx, nu)) }},
		{"GetUser", func() (any, error) { return user(d.GetUser(ctx, "u1")) }},
		{"FindUser", func() (any, error) { return user(d.FindUser(ctx, driver.ByEmail, "ada@example.com")) }},
		{"UpdateUser", func() (any, error) { return user(d.UpdateUser(ctx, "u1", up)) }},
		{"ListUsers", func() (any, error) {
			p, err := d.ListUsers(ctx, identity.ListOptions{PageSize: 10, Query: "ada"}, "")
			if err == nil && (p == nil || slices.Contains(p.Users, nil)) {
				return p, errors.New("a nil error with no page or a nil user in it")
			}
			return p, err
		}},
		{"SuspendUser", func() (any, error) { return none(d.SuspendUser(ctx, "u1")) }},
		{"ActivateUser", func() (any, error) { return none(d.ActivateUser(ctx, "u1")) }},
		{"SetPassword", func() (any, error) { return none(pws.SetPassword(ctx, "u1", pw2)) }},
		{"VerifyPassword", func() (any, error) { return none(pws.VerifyPassword(ctx, "u1", pw)) }},
		{"ChangePassword", func() (any, error) { return none(pws.ChangePassword(ctx, "u1", pw, pw2)) }},
		{"ExpirePassword", func() (any, error) { return none(pws.ExpirePassword(ctx, "u1")) }},
		{"CreateRole", func() (any, error) { return catalog.CreateRole(ctx, identity.Role{Name: "editor"}) }},
		{"ListRoles", func() (any, error) { return roles.ListRoles(ctx) }},
		{"AssignRole", func() (any, error) { return none(roles.AssignRole(ctx, "u1", "editor")) }},
		{"ListUserRoles", func() (any, error) { return roles.ListUserRoles(ctx, "u1") }},
		{"RevokeRole", func() (any, error) { return none(roles.RevokeRole(ctx, "u1", "editor")) }},
		{"DeleteRole", func() (any, error) { return none(catalog.DeleteRole(ctx, "editor")) }},
		{"DeleteUser", func() (any, error) { return none(d.DeleteUser(ctx, "u1")) }},
	}
	if len(calls) != Calls {
		panic("hostiletest: Calls is out of date")
	}
	if i := int(pick) % (Calls + 1); i < Calls {
		calls = calls[i : i+1]
	}
	for _, op := range calls {
		if ctx.Err() != nil {
			return // the round's request limit was hit; Round reports it
		}
		switch {
		case (!caps.Roles || roles == nil) && strings.Contains(op.name, "Role"),
			(!caps.RoleCatalog || catalog == nil) && (op.name == "CreateRole" || op.name == "DeleteRole"),
			pws == nil && strings.Contains(op.name, "Password"),
			!caps.SetPassword && op.name == "SetPassword",
			!caps.VerifyPassword && op.name == "VerifyPassword",
			!caps.ChangePassword && op.name == "ChangePassword",
			!caps.ExpirePassword && op.name == "ExpirePassword":
			continue // the portable layer answers these without the backend
		}
		before := s.Requests()
		res, err := op.call()
		if n := s.Requests() - before; n > PerCallLimit {
			tb.Errorf("%s made %d requests against a server giving the same answer each time", op.name, n)
		}
		CheckError(tb, op.name, err)
		if c != nil {
			c.Check(tb, op.name, res, err)
		}
	}
}
