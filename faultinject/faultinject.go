// Package faultinject is an http middleware that injects the faults a
// provider or the network can produce (5xx answers, connection resets
// before and after a request is processed, answers slower than the
// client's timeout, truncated or malformed bodies, a wrong content type,
// oversized bodies, and 429 bursts with and without rate-limit headers)
// into the traffic of an emulator such as oktatest, logtotest or
// passagetest, so that an application's tests can prove it rides out a
// flaky provider:
//
//	f := faultinject.New(faultinject.Options{Seed: 1, Rate: 0.2})
//	srv := oktatest.NewServer(t, oktatest.Options{APIToken: "token", Middleware: f.Wrap})
//	// ... run the application against srv.URL, then:
//	t.Log(f.Counts())
//
// Decisions are drawn from a seeded generator, so a run can be replayed,
// or scripted request by request with Options.Script and Faults.Next.
package faultinject

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// Fault is a kind of failure a [Faults] middleware injects.
type Fault string

// The faults a [Faults] middleware can inject. "Before" faults answer
// without passing the request to the emulator, so nothing changes there;
// "after" faults let the emulator process the request, so its state
// changes, and then spoil the answer, so a client cannot know.
const (
	// Status500 to Status504 answer that status before processing, with
	// a text body in no provider's error format.
	Status500 Fault = "500"
	Status502 Fault = "502"
	Status503 Fault = "503"
	Status504 Fault = "504"
	// ResetBefore closes the connection without an answer, before
	// processing.
	ResetBefore Fault = "reset-before"
	// ResetAfter processes the request, then closes the connection
	// without an answer.
	ResetAfter Fault = "reset-after"
	// Slow processes the request, then holds the answer for
	// Options.SlowDelay or until the client gives up, whichever is
	// first.
	Slow Fault = "slow"
	// Truncated processes the request, then sends a Content-Length larger
	// than the part of the body it sends before closing the connection.
	Truncated Fault = "truncated"
	// MalformedJSON processes the request, then sends the first half of
	// its body as the whole body, still labelled application/json.
	MalformedJSON Fault = "malformed-json"
	// WrongContentType processes the request, then sends its body labelled
	// text/html, as a proxy's or captive portal's page would be.
	WrongContentType Fault = "wrong-content-type"
	// Oversized processes the request, then pads its JSON body with
	// whitespace to Options.OversizeBytes: still valid, but past any
	// sensible response size cap.
	Oversized Fault = "oversized"
	// RateLimited answers 429 with Retry-After: Options.RetryAfter,
	// before processing. Drawn at random, it opens a burst (see
	// Options.Burst), as a provider's limiter refuses every request
	// until its window turns.
	RateLimited Fault = "429-retry-after"
	// RateLimitedHeaders answers 429 with X-Rate-Limit-Limit, -Remaining
	// (0) and -Reset (epoch seconds, Options.RateLimitReset ahead),
	// as Okta does, and no Retry-After; drawn at random, it opens a burst.
	RateLimitedHeaders Fault = "429-rate-limit-headers"
	// RateLimitedBare answers 429 with no rate-limit header at all; drawn
	// at random, it opens a burst.
	RateLimitedBare Fault = "429-bare"
)

// TransientFaults are the faults a client is expected to ride out: each
// either left the request unprocessed or can be found out by a lookup.
// Oversized is not among them, since a response past the size cap is
// refused on purpose.
var TransientFaults = []Fault{
	Status500, Status502, Status503, Status504, ResetBefore, ResetAfter, Slow,
	Truncated, MalformedJSON, WrongContentType, RateLimited, RateLimitedHeaders, RateLimitedBare,
}

// bodyFault reports whether f rewrites the emulator's body; such faults
// apply only to 2xx answers with a body, and let other answers through.
func (f Fault) bodyFault() bool {
	switch f {
	case Truncated, MalformedJSON, WrongContentType, Oversized:
		return true
	}
	return false
}

func (f Fault) rateLimit() bool {
	return f == RateLimited || f == RateLimitedHeaders || f == RateLimitedBare
}

// Options configures a [Faults] middleware. The zero value injects
// nothing.
type Options struct {
	// Seed makes the sequence of decisions reproducible: with the same
	// seed, the n-th request in scope meets the same fault. (Which request
	// is n-th still depends on the order requests arrive in.)
	Seed uint64
	// Rate is the probability that a request in scope meets a fault.
	Rate float64
	// Kinds are the faults drawn from, uniformly, when Rate hits; list a
	// kind twice to make it twice as likely. Empty means TransientFaults.
	Kinds []Fault
	// Script lists the faults the first requests in scope meet, in order,
	// before any random draw; an empty Fault lets that request through.
	// A body fault that meets an answer it cannot spoil (not a 2xx with a
	// body) is spent without effect. Faults.Next appends to it.
	Script []Fault

	// Include lists the path prefixes in scope; empty means every path.
	Include []string
	// Exclude lists path prefixes out of scope, such as a token endpoint.
	Exclude []string
	// Methods lists the methods in scope; empty means every method.
	Methods []string
	// Match, when set, must also accept a request for it to be in scope.
	Match func(*http.Request) bool

	// SlowDelay is how long Slow holds an answer; default 5 s. The hold
	// ends early when the client goes away, so a delay longer than the
	// client's timeout costs the client's timeout only.
	SlowDelay time.Duration
	// Burst is how many requests in scope in a row a 429 drawn at random
	// answers, the first included; default 3. Scripted faults never open
	// a burst: the script says what each request meets.
	Burst int
	// RetryAfter is the Retry-After value of RateLimited; default "1".
	RetryAfter string
	// RateLimitReset is how far ahead RateLimitedHeaders puts
	// X-Rate-Limit-Reset; default 1 s.
	RateLimitReset time.Duration
	// RateLimitLimit is the X-Rate-Limit-Limit RateLimitedHeaders reports;
	// default 100.
	RateLimitLimit int
	// OversizeBytes is the size Oversized pads a body to; default 11 MiB,
	// past the shared HTTP layer's 10 MiB cap.
	OversizeBytes int
}

// Faults is an http middleware that injects faults into the requests it
// passes to an emulator. Put it outside anything that checks what the
// emulator answers, so that the check sees the emulator's real answer:
//
//	f := faultinject.New(faultinject.Options{Seed: 1, Rate: 0.2})
//	opts.Middleware = func(h http.Handler) http.Handler { return f.Wrap(checker(h)) }
//
// It is safe for concurrent use.
type Faults struct {
	opts Options

	mu        sync.Mutex
	rng       *rand.Rand
	script    []Fault
	burst     int
	burstKind Fault
	off       bool
	requests  int
	inScope   int
	counts    map[Fault]int
}

// New returns a middleware configured by opts.
func New(opts Options) *Faults {
	if len(opts.Kinds) == 0 {
		opts.Kinds = TransientFaults
	}
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 5 * time.Second
	}
	if opts.Burst <= 0 {
		opts.Burst = 3
	}
	if opts.RetryAfter == "" {
		opts.RetryAfter = "1"
	}
	if opts.RateLimitReset <= 0 {
		opts.RateLimitReset = time.Second
	}
	if opts.RateLimitLimit <= 0 {
		opts.RateLimitLimit = 100
	}
	if opts.OversizeBytes <= 0 {
		opts.OversizeBytes = 11 << 20
	}
	return &Faults{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		script: slices.Clone(opts.Script),
		counts: map[Fault]int{},
	}
}

// Middleware returns f.Wrap, in the shape emulator Options take.
func (f *Faults) Middleware() func(http.Handler) http.Handler { return f.Wrap }

// Next appends faults to the script: the next requests in scope meet
// them, in order, before any random draw.
func (f *Faults) Next(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, faults...)
}

// Enable turns injection on (the state New starts in) or off. Off,
// every request passes untouched and uncounted, so that a test can read
// the emulator's state through its API after a chaotic run.
func (f *Faults) Enable(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.off = !on
}

// Counts returns how many requests met each fault so far. A body fault
// drawn for an answer that is not a 2xx with a body is not injected and
// not counted.
func (f *Faults) Counts() map[Fault]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Fault]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// Injected returns how many faults were injected so far.
func (f *Faults) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.counts {
		n += v
	}
	return n
}

// Requests returns how many requests passed through while injection was
// on, in scope or not.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// InScope returns how many of those requests were in scope.
func (f *Faults) InScope() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inScope
}

func (f *Faults) inScopeOf(r *http.Request) bool {
	o := &f.opts
	p := r.URL.Path
	if len(o.Include) > 0 && !slices.ContainsFunc(o.Include, func(s string) bool { return strings.HasPrefix(p, s) }) {
		return false
	}
	if slices.ContainsFunc(o.Exclude, func(s string) bool { return strings.HasPrefix(p, s) }) {
		return false
	}
	if len(o.Methods) > 0 && !slices.Contains(o.Methods, r.Method) {
		return false
	}
	return o.Match == nil || o.Match(r)
}

// decide picks the fault for r, or "" for none.
func (f *Faults) decide(r *http.Request) Fault {
	in := f.inScopeOf(r) // outside the lock: Match is the caller's code
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off {
		return ""
	}
	f.requests++
	if !in {
		return ""
	}
	f.inScope++
	var k Fault
	switch {
	case len(f.script) > 0:
		k, f.script = f.script[0], f.script[1:]
	case f.burst > 0:
		k = f.burstKind
		f.burst--
	case f.opts.Rate > 0 && f.rng.Float64() < f.opts.Rate:
		k = f.opts.Kinds[f.rng.IntN(len(f.opts.Kinds))]
		if k.rateLimit() {
			f.burst, f.burstKind = f.opts.Burst-1, k
		}
	}
	if k != "" && !k.bodyFault() {
		f.counts[k]++
	}
	return k
}

func (f *Faults) count(k Fault) {
	f.mu.Lock()
	f.counts[k]++
	f.mu.Unlock()
}

// Wrap returns next with faults injected into the requests in scope.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := f.decide(r)
		switch k {
		case "":
			next.ServeHTTP(w, r)
		case Status500, Status502, Status503, Status504:
			status, _ := strconv.Atoi(string(k))
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprintf(w, "injected fault: %d %s\n", status, http.StatusText(status))
		case RateLimited, RateLimitedHeaders, RateLimitedBare:
			f.tooMany(w, k)
		case ResetBefore:
			reset(w, true)
		case ResetAfter:
			next.ServeHTTP(newBuffer(), r)
			reset(w, true)
		case Slow:
			// The server notices a client that went away only once the
			// request body has been read to its end, and the emulator
			// may not read all of it.
			body, _ := io.ReadAll(io.LimitReader(r.Body, emulate.MaxRequestBody+1))
			r.Body = io.NopCloser(bytes.NewReader(body))
			b := newBuffer()
			next.ServeHTTP(b, r)
			t := time.NewTimer(f.opts.SlowDelay)
			defer t.Stop()
			select {
			case <-t.C:
				b.replay(w, b.body.Bytes())
			case <-r.Context().Done():
			}
		default:
			b := newBuffer()
			next.ServeHTTP(b, r)
			if b.status < 200 || b.status > 299 || b.body.Len() == 0 {
				b.replay(w, b.body.Bytes())
				return
			}
			f.count(k)
			f.spoil(w, b, k)
		}
	})
}

func (f *Faults) tooMany(w http.ResponseWriter, k Fault) {
	h := w.Header()
	switch k {
	case RateLimited:
		h.Set("Retry-After", f.opts.RetryAfter)
	case RateLimitedHeaders:
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(f.opts.RateLimitLimit))
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(f.opts.RateLimitReset).Unix(), 10))
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintln(w, "injected fault: 429 Too Many Requests")
}

// spoil sends b's answer damaged as k says.
func (f *Faults) spoil(w http.ResponseWriter, b *buffer, k Fault) {
	body := b.body.Bytes()
	switch k {
	case Truncated:
		copyHeader(w.Header(), b.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(b.status)
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		// A plain close, not an RST, so that the client reads the part
		// that was sent before it meets the end.
		reset(w, false)
	case MalformedJSON:
		b.replay(w, body[:len(body)/2])
	case WrongContentType:
		b.header.Set("Content-Type", "text/html; charset=utf-8")
		b.replay(w, body)
	case Oversized:
		padded := make([]byte, max(f.opts.OversizeBytes, len(body)))
		copy(padded, body)
		for i := len(body); i < len(padded); i++ {
			padded[i] = ' '
		}
		b.replay(w, padded)
	}
}

// reset closes the client's connection where the answer stands: with an
// RST when abrupt (and the connection can be hijacked), else with a plain
// close; an HTTP/2 stream, which cannot be hijacked, is aborted.
func reset(w http.ResponseWriter, abrupt bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok && abrupt {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// buffer is a ResponseWriter that keeps the answer, for faults that let
// the emulator process a request and then decide what the client gets.
type buffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBuffer() *buffer { return &buffer{header: http.Header{}} }

func (b *buffer) Header() http.Header { return b.header }

func (b *buffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *buffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// replay sends the kept answer with body in place of the kept body.
func (b *buffer) replay(w http.ResponseWriter, body []byte) {
	copyHeader(w.Header(), b.header)
	if w.Header().Get("Content-Type") == "" && len(body) > 0 {
		w.Header().Set("Content-Type", http.DetectContentType(body))
	}
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = slices.Clone(vs)
	}
}
