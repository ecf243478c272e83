package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/faultinject"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// throttle answers 429 with Retry-After: 1 to the first n requests, then
// the statuses given in turn, then 200.
func throttle(hits *atomic.Int32, n int, then ...int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k := int(hits.Add(1))
		switch {
		case k <= n:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case k-n <= len(then):
			w.WriteHeader(then[k-n-1])
		default:
			fmt.Fprint(w, `{}`)
		}
	}
}

// TestThrottlingSpendsNoAttempts: 429s are waited out as the server asks
// without using the attempts that other faults need, within a cap and
// the time budget of their own.
func TestThrottlingSpendsNoAttempts(t *testing.T) {
	for _, c := range []struct {
		name        string
		throttled   int
		then        []int
		maxAttempts int
		want        identity.Code
		hits        int32
	}{
		{"a burst of six, then fine", 6, nil, 4, identity.Unknown, 7},
		{"a burst, then three 503s, then fine", 3, []int{503, 503, 503}, 4, identity.Unknown, 7},
		{"a burst, then four 503s", 3, []int{503, 503, 503, 503}, 4, identity.Unavailable, 7},
		{"throttled for ever: nine waits, then RateLimited", 1000, nil, 4, identity.RateLimited, 10},
		{"one attempt asked for: no wait at all", 1000, nil, 1, identity.RateLimited, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var hits atomic.Int32
			cl, _ := newClient(t, throttle(&hits, c.throttled, c.then...), func(cfg *Config) { cfg.MaxAttempts = c.maxAttempts })
			clk := useFakeClock(cl)
			_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
			assert.Equal(t, c.want, identity.CodeOf(err), "err: %v", err)
			assert.Equal(t, c.hits, hits.Load())
			for i, w := range clk.waits()[:min(c.throttled, len(clk.waits()))] {
				assert.Equal(t, time.Second, w, "wait %d is the Retry-After", i)
			}
		})
	}
}

// TestThrottledTokenEndpoint: a token endpoint's 429 is waited out as its
// Retry-After asks, and costs the request none of its attempts.
func TestThrottledTokenEndpoint(t *testing.T) {
	throttled := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"2"}}}}
	src := &flakySource{err: throttled}
	src.fails.Store(5)
	var hits atomic.Int32
	cl, _ := newClient(t, script(&hits, 503, 503, 503), func(cfg *Config) { cfg.AuthHeader = ""; cfg.TokenSource = src })
	clk := useFakeClock(cl)
	_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
	require.NoError(t, err, "five throttled token fetches and three 503s fit in four attempts")
	assert.Equal(t, int32(4), hits.Load())
	waits := clk.waits()
	require.GreaterOrEqual(t, len(waits), 5)
	for i, w := range waits[:5] {
		assert.Equal(t, 2*time.Second, w, "token wait %d is the Retry-After", i)
	}
}

// failingSource fails every fetch, counting them. Before it answers, it
// waits until every caller still at work shares the fetch, so that which
// fetch a caller shares does not depend on how the scheduler runs
// goroutines.
type failingSource struct {
	n      atomic.Int32
	cache  *TokenCache
	live   atomic.Int32 // callers that have not yet returned
	waited atomic.Bool  // some fetch gave up waiting for the queue
}

func (s *failingSource) Token() (*oauth2.Token, error) {
	s.n.Add(1)
	deadline := time.Now().Add(10 * time.Second)
	for s.cache.sharing() < int(s.live.Load()) {
		if time.Now().After(deadline) {
			s.waited.Store(true)
			break
		}
		time.Sleep(time.Millisecond)
	}
	return nil, &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}}
}

// TestSharedTokenFailure: callers waiting on one token fetch share its
// failure instead of each fetching in turn, so that a failing token
// endpoint sees one fetch per round of retries, not one per caller.
func TestSharedTokenFailure(t *testing.T) {
	const callers, attempts = 16, 2
	src := &failingSource{}
	src.live.Store(callers)
	var hits atomic.Int32
	cl, _ := newClient(t, script(&hits), func(cfg *Config) { cfg.AuthHeader = ""; cfg.TokenSource = src; cfg.MaxAttempts = attempts })
	src.cache = cl.tokens
	useFakeClock(cl)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			defer src.live.Add(-1)
			_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
			assert.Equal(t, identity.Unavailable, identity.CodeOf(err))
		})
	}
	wg.Wait()
	require.False(t, src.waited.Load(), "a fetch waited 10 s for callers that never queued")
	assert.Zero(t, hits.Load(), "no request went without a token")
	// Each caller fetching for itself would make callers*attempts = 32.
	assert.Equal(t, int32(attempts), src.n.Load(), "fetches: one per round")
}

// TestProductionLikeThrottling: a fifth of requests faulted with every
// transient fault but a slow answer (which would cost real timeouts),
// 429s in bursts of three with Retry-After: 1 as a real limiter sends
// them; every idempotent call succeeds, and no 429 reaches a caller. The
// calls are made one after another, so that the seeded faults fall the
// same way on every run; the client's clock is fake, so that the seconds
// asked for pass at once.
func TestProductionLikeThrottling(t *testing.T) {
	var kinds []faultinject.Fault
	for _, k := range faultinject.TransientFaults {
		if k != faultinject.Slow {
			kinds = append(kinds, k)
		}
	}
	f := faultinject.New(faultinject.Options{Seed: 7, Rate: 0.2, RetryAfter: "1", Kinds: kinds})
	srv := httptest.NewServer(f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})))
	t.Cleanup(srv.Close)
	// At a fault in five, four failures in a row come once in 625 calls;
	// eight attempts make it once in 390,625. The 429s spend none.
	cl, err := New(Config{Backend: "test", BaseURL: srv.URL, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), RetryBaseDelay: time.Millisecond, MaxAttempts: 8}})
	require.NoError(t, err)
	clk := useFakeClock(cl)
	for i := range 1000 {
		var out struct{ OK bool }
		if _, err := cl.Do(context.Background(), &Request{Method: http.MethodPut, Path: "/x", Body: map[string]int{}, Out: &out}); err != nil || !out.OK {
			t.Fatalf("PUT %d: %v (after %d requests: %v)", i, err, f.Requests(), f.Counts())
		}
	}
	throttled := f.Counts()[faultinject.RateLimited] + f.Counts()[faultinject.RateLimitedHeaders] + f.Counts()[faultinject.RateLimitedBare]
	assert.Greater(t, throttled, 100, "the limiter refused many requests")
	seconds := 0
	for _, w := range clk.waits() {
		if w == time.Second {
			seconds++
		}
	}
	assert.Positive(t, seconds, "Retry-After: 1 was waited out")
	t.Logf("%d requests, %d faults (%d 429s): %v", f.Requests(), f.Injected(), throttled, f.Counts())
}

// TestPlainHTTPServerIsNotRetried: an https URL to a plain-http server
// fails at once, saying what to change.
func TestPlainHTTPServerIsNotRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	t.Cleanup(srv.Close)
	cl, err := New(Config{Backend: "test", BaseURL: "https://" + srv.Listener.Addr().String(), HTTPOptions: identity.HTTPOptions{RetryBaseDelay: time.Millisecond}})
	require.NoError(t, err)
	clk := useFakeClock(cl)
	_, err = cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.Unavailable, e.Code)
	assert.False(t, e.Retryable)
	assert.Contains(t, e.Message, "use its http:// URL")
	assert.Empty(t, clk.waits(), "not retried")
}
