package emulate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Reply is a response worked out (typically under an emulator's lock) and
// written after, so that a slow client never holds the emulator up. Every
// emulator answers in this one style: a status, an optional JSON body and
// extra headers; each provider's error body is a Reply built by a
// function of its own.
type Reply struct {
	Status int
	// Body is encoded as JSON; nil sends no body.
	Body   any
	Header http.Header
}

// JSON is a reply of status with body as JSON.
func JSON(status int, body any) Reply { return Reply{Status: status, Body: body} }

// Empty is a reply of status with no body.
func Empty(status int) Reply { return Reply{Status: status} }

// Write sends the reply: its headers added to those already set, then the
// status and the JSON body, if any.
func (rp Reply) Write(w http.ResponseWriter) {
	for k, vs := range rp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rp.Body == nil {
		w.WriteHeader(rp.Status)
		return
	}
	WriteJSON(w, rp.Status, rp.Body)
}

// WriteText writes a text/plain answer, as frameworks such as Koa send for
// a path or method they do not route.
func WriteText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}

// Router dispatches requests by method and path pattern. A pattern is
// "METHOD /path" whose segments are literals or {name} parameters, each
// matching one path segment (percent-decoded; kept as sent when it cannot
// be decoded). Where several patterns match, the one with the most
// literal segments wins, so "/users/me" can stand beside "/users/{id}".
//
// A Router counts the requests each route received. It is safe for
// concurrent use once its routes are registered.
type Router struct {
	// NotFound answers a path that no pattern matches.
	NotFound http.HandlerFunc
	// MethodNotAllowed answers a path whose patterns do not take the
	// method; allow lists the methods they take, sorted.
	MethodNotAllowed func(w http.ResponseWriter, r *http.Request, allow []string)
	// CountPrefix is left out of the pattern in the keys of Requests.
	CountPrefix string

	routes []route
	mu     sync.Mutex
	counts map[string]int
}

type route struct {
	method string
	path   []string // literal segments, and "{name}" for parameters
	key    string   // the count key
	h      http.HandlerFunc
}

// Handle registers h for pattern, "METHOD /path/{param}". It panics on a
// pattern without a method, as a mistake in the emulator's own table.
func (rt *Router) Handle(pattern string, h http.HandlerFunc) {
	method, path, found := strings.Cut(pattern, " ")
	if !found || !strings.HasPrefix(path, "/") {
		panic("emulate: bad route pattern " + pattern)
	}
	rt.routes = append(rt.routes, route{
		method: method, path: strings.Split(path[1:], "/"), h: h,
		key: method + " " + strings.TrimPrefix(path, rt.CountPrefix),
	})
}

type paramsKey struct{}

// Params returns the values of the matched pattern's parameters, in the
// pattern's order; each is also the request's PathValue of its name.
func Params(r *http.Request) []string {
	p, _ := r.Context().Value(paramsKey{}).([]string)
	return p
}

// ServeHTTP runs the handler of the best matching route, counting the
// request, or the NotFound or MethodNotAllowed hook.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	var best *route
	bestLiterals := -1
	var allow []string
	for i := range rt.routes {
		ro := &rt.routes[i]
		literals, ok := ro.match(segs)
		if !ok {
			continue
		}
		if ro.method != r.Method {
			if !slices.Contains(allow, ro.method) {
				allow = append(allow, ro.method)
			}
			continue
		}
		if literals > bestLiterals {
			best, bestLiterals = ro, literals
		}
	}
	switch {
	case best != nil:
		var params []string
		for i, s := range best.path {
			if name, isParam := paramName(s); isParam {
				params = append(params, segs[i])
				r.SetPathValue(name, segs[i])
			}
		}
		rt.mu.Lock()
		if rt.counts == nil {
			rt.counts = map[string]int{}
		}
		rt.counts[best.key]++
		rt.mu.Unlock()
		best.h(w, r.WithContext(context.WithValue(r.Context(), paramsKey{}, params)))
	case allow != nil && rt.MethodNotAllowed != nil:
		slices.Sort(allow)
		rt.MethodNotAllowed(w, r, allow)
	case rt.NotFound != nil:
		rt.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}

func paramName(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// match reports whether segs fit the route's path, and how many of its
// segments are literals.
func (ro *route) match(segs []string) (int, bool) {
	if len(segs) != len(ro.path) {
		return 0, false
	}
	literals := 0
	for i, s := range ro.path {
		if _, isParam := paramName(s); isParam {
			continue
		}
		if s != segs[i] {
			return 0, false
		}
		literals++
	}
	return literals, true
}

// Requests returns how many requests each route received, keyed by
// "METHOD /pattern" (CountPrefix left out).
func (rt *Router) Requests() map[string]int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make(map[string]int, len(rt.counts))
	for k, v := range rt.counts {
		out[k] = v
	}
	return out
}

// Listen serves h on a loopback port until tb ends, and returns the
// server's URL. Each emulator's NewServer is this around its Emulator.
func Listen(tb testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}
