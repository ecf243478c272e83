package faultinject

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity/internal/emulate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trivial answers {"ok":true,...} and counts the requests it processed;
// /missing answers 404 and /empty 204.
type trivial struct{ processed atomic.Int32 }

func (h *trivial) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.processed.Add(1)
	switch r.URL.Path {
	case "/missing":
		emulate.WriteJSON(w, http.StatusNotFound, map[string]string{"code": "not_found"})
	case "/empty":
		w.WriteHeader(http.StatusNoContent)
	default:
		emulate.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "path": r.URL.Path, "pad": strings.Repeat("x", 64)})
	}
}

// serve starts a server with f in front of a trivial handler and returns
// a client that opens a new connection per request, so that the
// transport's own retry of a reused connection stays out of the picture.
func serve(t *testing.T, f *Faults, timeout time.Duration) (*trivial, string, *http.Client) {
	t.Helper()
	h := &trivial{}
	srv := httptest.NewServer(f.Wrap(h))
	t.Cleanup(srv.Close)
	return h, srv.URL, &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

type answer struct {
	status int
	header http.Header
	body   []byte
	err    error // from the round trip or from reading the body
}

func call(c *http.Client, method, url string) answer {
	req, _ := http.NewRequest(method, url, strings.NewReader(`{"a":1}`))
	resp, err := c.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

func TestFaultStatuses(t *testing.T) {
	for _, k := range []Fault{Status500, Status502, Status503, Status504} {
		t.Run(string(k), func(t *testing.T) {
			f := New(Options{Script: []Fault{k}})
			h, url, c := serve(t, f, 0)
			a := call(c, http.MethodPost, url+"/users")
			require.NoError(t, a.err)
			assert.Equal(t, string(k), strconv.Itoa(a.status))
			assert.Zero(t, h.processed.Load(), "answered before processing")
			a = call(c, http.MethodPost, url+"/users")
			assert.Equal(t, http.StatusOK, a.status, "the script is spent")
			assert.Equal(t, map[Fault]int{k: 1}, f.Counts())
		})
	}
}

func TestFaultResets(t *testing.T) {
	for k, processed := range map[Fault]int32{ResetBefore: 0, ResetAfter: 1} {
		t.Run(string(k), func(t *testing.T) {
			f := New(Options{Script: []Fault{k}})
			h, url, c := serve(t, f, 0)
			a := call(c, http.MethodPost, url+"/users")
			require.Error(t, a.err, "no answer reaches the client")
			assert.Equal(t, processed, h.processed.Load())
			assert.Equal(t, 1, f.Counts()[k])
		})
	}
}

func TestFaultSlow(t *testing.T) {
	t.Run("PastTheClientTimeout", func(t *testing.T) {
		f := New(Options{Script: []Fault{Slow}, SlowDelay: time.Minute})
		h, url, c := serve(t, f, 50*time.Millisecond)
		a := call(c, http.MethodPost, url+"/users")
		var ne interface{ Timeout() bool }
		require.ErrorAs(t, a.err, &ne)
		assert.True(t, ne.Timeout(), "the client gave up: %v", a.err)
		assert.EqualValues(t, 1, h.processed.Load(), "the request was processed all the same")
		assert.Equal(t, 1, f.Counts()[Slow])
	})
	t.Run("WithinTheClientTimeout", func(t *testing.T) {
		f := New(Options{Script: []Fault{Slow}, SlowDelay: time.Millisecond})
		_, url, c := serve(t, f, time.Minute)
		a := call(c, http.MethodGet, url+"/users")
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status)
		assert.True(t, json.Valid(a.body), "a late answer is whole")
	})
}

func TestFaultBodies(t *testing.T) {
	t.Run("Truncated", func(t *testing.T) {
		f := New(Options{Script: []Fault{Truncated}})
		h, url, c := serve(t, f, 0)
		a := call(c, http.MethodGet, url+"/users")
		require.ErrorIs(t, a.err, io.ErrUnexpectedEOF)
		assert.Equal(t, http.StatusOK, a.status)
		assert.NotEmpty(t, a.body, "part of the body arrived")
		assert.Less(t, int64(len(a.body)), mustInt(t, a.header.Get("Content-Length")))
		assert.EqualValues(t, 1, h.processed.Load())
	})
	t.Run("MalformedJSON", func(t *testing.T) {
		f := New(Options{Script: []Fault{MalformedJSON}})
		_, url, c := serve(t, f, 0)
		a := call(c, http.MethodGet, url+"/users")
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status)
		assert.Equal(t, "application/json", a.header.Get("Content-Type"))
		assert.False(t, json.Valid(a.body), "%s", a.body)
	})
	t.Run("WrongContentType", func(t *testing.T) {
		f := New(Options{Script: []Fault{WrongContentType}})
		_, url, c := serve(t, f, 0)
		a := call(c, http.MethodGet, url+"/users")
		require.NoError(t, a.err)
		assert.Equal(t, "text/html; charset=utf-8", a.header.Get("Content-Type"))
		assert.True(t, json.Valid(a.body), "only the label is wrong")
	})
	t.Run("Oversized", func(t *testing.T) {
		f := New(Options{Script: []Fault{Oversized}, OversizeBytes: 64 << 10})
		_, url, c := serve(t, f, 0)
		a := call(c, http.MethodGet, url+"/users")
		require.NoError(t, a.err)
		assert.Len(t, a.body, 64<<10)
		assert.True(t, json.Valid(a.body), "padded with whitespace, still JSON")
	})
	t.Run("OnlyOn2xxWithABody", func(t *testing.T) {
		f := New(Options{Script: []Fault{Truncated, MalformedJSON}})
		_, url, c := serve(t, f, 0)
		a := call(c, http.MethodGet, url+"/missing")
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusNotFound, a.status)
		assert.True(t, json.Valid(a.body))
		a = call(c, http.MethodDelete, url+"/empty")
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusNoContent, a.status)
		assert.Zero(t, f.Injected(), "a fault that did not apply is not counted")
	})
}

func TestFaultRateLimits(t *testing.T) {
	t.Run("Headers", func(t *testing.T) {
		f := New(Options{Script: []Fault{RateLimited, RateLimitedHeaders, RateLimitedBare}, RetryAfter: "7"})
		h, url, c := serve(t, f, 0)
		a := call(c, http.MethodPost, url+"/users")
		assert.Equal(t, http.StatusTooManyRequests, a.status)
		assert.Equal(t, "7", a.header.Get("Retry-After"))
		assert.Empty(t, a.header.Get("X-Rate-Limit-Reset"))

		a = call(c, http.MethodPost, url+"/users")
		assert.Equal(t, http.StatusTooManyRequests, a.status)
		assert.Empty(t, a.header.Get("Retry-After"))
		assert.Equal(t, "100", a.header.Get("X-Rate-Limit-Limit"))
		assert.Equal(t, "0", a.header.Get("X-Rate-Limit-Remaining"))
		assert.Greater(t, mustInt(t, a.header.Get("X-Rate-Limit-Reset")), time.Now().Add(-time.Minute).Unix())

		a = call(c, http.MethodPost, url+"/users")
		assert.Equal(t, http.StatusTooManyRequests, a.status)
		for _, k := range []string{"Retry-After", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
			assert.Empty(t, a.header.Get(k), k)
		}
		assert.Zero(t, h.processed.Load())
		assert.Equal(t, 3, f.Injected())
	})
	t.Run("Bursts", func(t *testing.T) {
		const burst, n = 4, 300
		f := New(Options{Seed: 7, Rate: 0.1, Kinds: []Fault{RateLimitedBare}, Burst: burst})
		_, url, c := serve(t, f, 0)
		var runs []int
		run := 0
		for range n {
			if call(c, http.MethodGet, url+"/x").status == http.StatusTooManyRequests {
				run++
				continue
			}
			if run > 0 {
				runs = append(runs, run)
			}
			run = 0
		}
		require.NotEmpty(t, runs)
		for _, r := range runs {
			assert.GreaterOrEqual(t, r, burst, "a 429 drawn at random answers a whole burst: %v", runs)
		}
		assert.Equal(t, f.Counts()[RateLimitedBare], sum(runs)+run)
	})
}

func TestFaultDeterminism(t *testing.T) {
	seq := func(seed uint64) []int {
		f := New(Options{Seed: seed, Rate: 0.3, Kinds: []Fault{Status500, Status503}})
		_, url, c := serve(t, f, 0)
		var out []int
		for range 100 {
			out = append(out, call(c, http.MethodGet, url+"/x").status)
		}
		return out
	}
	a := seq(42)
	assert.Equal(t, a, seq(42), "the same seed, the same faults")
	assert.NotEqual(t, a, seq(43))
	bad := 0
	for _, s := range a {
		if s != http.StatusOK {
			bad++
		}
	}
	assert.InDelta(t, 30, bad, 15, "about Rate of the requests meet a fault")
}

func TestFaultScope(t *testing.T) {
	f := New(Options{Rate: 1, Kinds: []Fault{Status503}, Include: []string{"/api/"}, Exclude: []string{"/api/token"}, Methods: []string{http.MethodPost}})
	_, url, c := serve(t, f, 0)
	assert.Equal(t, 503, call(c, http.MethodPost, url+"/api/users").status)
	assert.Equal(t, 200, call(c, http.MethodGet, url+"/api/users").status, "method out of scope")
	assert.Equal(t, 200, call(c, http.MethodPost, url+"/api/token").status, "excluded")
	assert.Equal(t, 200, call(c, http.MethodPost, url+"/oidc/token").status, "not included")
	assert.Equal(t, 4, f.Requests())
	assert.Equal(t, 1, f.InScope())

	f.Enable(false)
	assert.Equal(t, 200, call(c, http.MethodPost, url+"/api/users").status, "off")
	assert.Equal(t, 4, f.Requests(), "requests while off are not counted")
	f.Enable(true)
	assert.Equal(t, 503, call(c, http.MethodPost, url+"/api/users").status)

	g := New(Options{Match: func(r *http.Request) bool { return r.Header.Get("X-Chaos") != "" }})
	_, url, c = serve(t, g, 0)
	g.Next(ResetBefore, "")
	assert.Equal(t, 200, call(c, http.MethodGet, url+"/x").status, "Match refused it; the script waits")
	req, _ := http.NewRequest(http.MethodGet, url+"/x", nil)
	req.Header.Set("X-Chaos", "1")
	_, err := c.Do(req)
	assert.Error(t, err)
	assert.Equal(t, map[Fault]int{ResetBefore: 1}, g.Counts())
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err, "%q", s)
	return n
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
