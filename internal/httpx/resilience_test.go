package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/emulate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// fakeClock is a clock whose waits pass at once: Sleep moves the time on
// and records the wait. It lets tests check waits without sitting them
// out, and without any assertion on how long a test took.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

func (f *fakeClock) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

func useFakeClock(c *Client) *fakeClock {
	f := &fakeClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	c.clock = f
	return f
}

// TestPacing sends a burst of 1,000 calls, ten times the quota of 100 per
// window, from 8 goroutines with retries off: any 429 would reach the
// caller. The server counts its windows on the same fake clock as the
// client, so windows turn as fast as the client waits for them.
func TestPacing(t *testing.T) {
	const quota, calls, workers = 100, 1000, 8
	var (
		mu        sync.Mutex
		windowEnd time.Time
		used      int
		served    atomic.Int32
		got429    atomic.Int32
		clk       *fakeClock
	)
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := clk.Now()
		if !now.Before(windowEnd) {
			windowEnd = now.Truncate(time.Second).Add(time.Second)
			used = 0
		}
		used++
		remaining := quota - used
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(quota))
		w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(max(remaining, 0)))
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(windowEnd.Unix(), 10))
		mu.Unlock()
		if remaining < 0 {
			got429.Add(1)
			w.WriteHeader(429)
			return
		}
		served.Add(1)
		fmt.Fprint(w, `{}`)
	}, func(c *Config) { c.RateLimitHeaders = true; c.MaxAttempts = 1 })
	clk = useFakeClock(cl)
	var failed atomic.Int32
	var wg sync.WaitGroup
	work := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if _, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"}); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range calls {
		work <- i
	}
	close(work)
	wg.Wait()
	assert.Zero(t, failed.Load(), "no call failed, with retries off")
	assert.Zero(t, got429.Load(), "the server never had to refuse one")
	assert.EqualValues(t, calls, served.Load())
	assert.NotEmpty(t, clk.waits(), "the client held requests for the window to turn")
}

func TestBareRateLimitBacksOff(t *testing.T) {
	var hits atomic.Int32
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			w.WriteHeader(429) // no Retry-After, no X-Rate-Limit-*
			return
		}
		fmt.Fprint(w, `{}`)
	}, func(c *Config) { c.RetryBaseDelay = 100 * time.Millisecond; c.RateLimitHeaders = true })
	clk := useFakeClock(cl)
	_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x"})
	require.NoError(t, err)
	waits := clk.waits()
	require.Len(t, waits, 2, "one wait before each retry")
	for i, w := range waits {
		assert.Positive(t, w, "wait %d", i)
		assert.LessOrEqual(t, w, (100*time.Millisecond)<<i+time.Millisecond, "wait %d is the jittered backoff", i)
	}
}

// TestUnreadableSuccess covers a 2xx whose body cannot be read: cut
// short, malformed, or not labelled JSON.
func TestUnreadableSuccess(t *testing.T) {
	for _, k := range []faultinject.Fault{faultinject.Truncated, faultinject.MalformedJSON, faultinject.WrongContentType} {
		t.Run(string(k), func(t *testing.T) {
			var processed atomic.Int32
			f := faultinject.New(faultinject.Options{})
			srv := httptest.NewServer(f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				processed.Add(1)
				emulate.WriteJSON(w, 200, map[string]any{"id": "u1", "padding": "0123456789abcdef"})
			})))
			t.Cleanup(srv.Close)
			cl, err := New(Config{Backend: "test", BaseURL: srv.URL, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), RetryBaseDelay: time.Millisecond}})
			require.NoError(t, err)
			useFakeClock(cl)

			f.Next(k)
			var out struct{ ID string }
			_, err = cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/users/u1", Out: &out})
			require.NoError(t, err, "a GET rides it out")
			assert.Equal(t, "u1", out.ID)
			assert.EqualValues(t, 2, processed.Load())

			f.Next(k)
			_, err = cl.Do(context.Background(), &Request{Method: http.MethodPatch, Path: "/users/u1", Body: map[string]int{}, Idempotent: true, Out: &out})
			require.NoError(t, err, "so does an idempotent PATCH")

			processed.Store(0)
			f.Next(k)
			_, err = cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/users", Body: map[string]int{}, Out: &out})
			require.ErrorIs(t, err, identity.ErrUnavailable)
			assert.True(t, MaybeProcessed(err), "the caller learns the create may have been made: %v", err)
			assert.EqualValues(t, 1, processed.Load(), "a POST is not sent again")
		})
	}
	t.Run("NoContentTypeIsAccepted", func(t *testing.T) {
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil // no sniffing either
			fmt.Fprint(w, `{"ok":true}`)
		})
		var out struct{ OK bool }
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x", Out: &out})
		require.NoError(t, err)
		assert.True(t, out.OK)
	})
	t.Run("ProblemJSONIsJSON", func(t *testing.T) {
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/vnd.api+json; charset=utf-8")
			fmt.Fprint(w, `{"ok":true}`)
		})
		var out struct{ OK bool }
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x", Out: &out})
		require.NoError(t, err)
		assert.True(t, out.OK)
	})
}

// TestInjectedFaults sends one request per fault kind the emulators can
// inject, and checks what a caller gets: a read or an idempotent write
// rides every transient fault out; a create rides out what provably left
// it unprocessed (429), and for anything else is told it may have been
// processed, without being sent twice.
func TestInjectedFaults(t *testing.T) {
	unprocessedForPOST := map[faultinject.Fault]bool{faultinject.RateLimited: true, faultinject.RateLimitedHeaders: true, faultinject.RateLimitedBare: true}
	for _, k := range faultinject.TransientFaults {
		t.Run(string(k), func(t *testing.T) {
			var processed atomic.Int32
			f := faultinject.New(faultinject.Options{RetryAfter: "0", RateLimitReset: time.Second, SlowDelay: time.Minute})
			srv := httptest.NewServer(f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				processed.Add(1)
				emulate.WriteJSON(w, 200, map[string]any{"id": "u1", "padding": "0123456789abcdef"})
			})))
			t.Cleanup(srv.Close)
			cl, err := New(Config{Backend: "test", BaseURL: srv.URL, RateLimitHeaders: true, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), Timeout: 200 * time.Millisecond}})
			require.NoError(t, err)
			useFakeClock(cl)

			for _, req := range []*Request{
				{Method: http.MethodGet, Path: "/users/u1"},
				{Method: http.MethodDelete, Path: "/users/u1"},
				{Method: http.MethodPatch, Path: "/users/u1", Body: map[string]int{}, Idempotent: true},
			} {
				f.Next(k)
				var out map[string]any
				req.Out = &out
				_, err = cl.Do(context.Background(), req)
				require.NoError(t, err, req.Method)
				assert.Equal(t, "u1", out["id"], req.Method)
			}

			processed.Store(0)
			f.Next(k)
			_, err = cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/users", Body: map[string]int{}, Out: new(map[string]any)})
			if unprocessedForPOST[k] {
				require.NoError(t, err)
				assert.EqualValues(t, 1, processed.Load())
				return
			}
			require.ErrorIs(t, err, identity.ErrUnavailable)
			assert.True(t, MaybeProcessed(err), "%v", err)
			assert.LessOrEqual(t, processed.Load(), int32(1), "a POST is never sent twice")
			assert.Equal(t, 4, f.Injected(), "every request met its fault")
		})
	}
}

func TestMaybeProcessed(t *testing.T) {
	t.Run("DeleteThatMetNotFoundAfterAReset", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			if hits.Add(1) == 1 {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			w.WriteHeader(404)
		})
		useFakeClock(cl)
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodDelete, Path: "/users/u1"})
		require.ErrorIs(t, err, identity.ErrNotFound)
		assert.True(t, MaybeProcessed(err), "the first attempt may be why it is gone")
		assert.NoError(t, DoneIfGone(err), "the delete asked for happened")
	})
	t.Run("DeleteThatMetNotFoundAtOnce", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, script(&hits, 404))
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodDelete, Path: "/users/u1"})
		require.ErrorIs(t, err, identity.ErrNotFound)
		assert.False(t, MaybeProcessed(err))
		assert.ErrorIs(t, DoneIfGone(err), identity.ErrNotFound, "nothing was deleted: NotFound stands")
		assert.NoError(t, DoneIfGone(nil))
	})
	t.Run("NotForReads", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, script(&hits, 503, 503, 503, 503))
		useFakeClock(cl)
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
		require.ErrorIs(t, err, identity.ErrUnavailable)
		assert.False(t, MaybeProcessed(err), "a read has no effect to be unsure of")
	})
	t.Run("NotForAPlainRefusal", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, script(&hits, 422))
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x", Body: map[string]int{}})
		require.Error(t, err)
		assert.False(t, MaybeProcessed(err))
	})
	t.Run("POSTAfter5xx", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, script(&hits, 502))
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x", Body: map[string]int{}})
		require.ErrorIs(t, err, identity.ErrUnavailable)
		assert.True(t, MaybeProcessed(err), "a gateway's 502 can follow the work")
		assert.EqualValues(t, 1, hits.Load())
	})
	t.Run("SurvivesWrapping", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, script(&hits, 500))
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x", Body: map[string]int{}})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		copied := *ie // as the portable layer copies a backend's error
		copied.Op = "CreateUser"
		assert.True(t, MaybeProcessed(&copied))
		assert.True(t, MaybeProcessed(fmt.Errorf("wrapped: %w", &copied)))
		assert.False(t, MaybeProcessed(errors.New("other")))
	})
}

// flakySource fails its first fetches as a token endpoint in trouble
// would, then succeeds.
type flakySource struct {
	fails atomic.Int32
	err   error
}

func (s *flakySource) Token() (*oauth2.Token, error) {
	if s.fails.Add(-1) >= 0 {
		return nil, s.err
	}
	return &oauth2.Token{AccessToken: "tok", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

func TestTokenFetchRetried(t *testing.T) {
	unavailable := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}}
	refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 401}, ErrorCode: "invalid_client"}
	cases := []struct {
		name     string
		err      error
		fails    int32
		wantHits int32
		want     identity.Code
	}{
		{"TransientThenFine", unavailable, 2, 1, identity.Unknown},
		{"TransportThenFine", errors.New("connection reset"), 1, 1, identity.Unknown},
		{"Refused", refused, 1, 0, identity.Unauthenticated},
		{"TransientEveryTime", unavailable, 100, 0, identity.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hits atomic.Int32
			src := &flakySource{err: c.err}
			src.fails.Store(c.fails)
			cl, _ := newClient(t, script(&hits), func(cfg *Config) { cfg.AuthHeader = ""; cfg.TokenSource = src })
			useFakeClock(cl)
			// A POST: the request was never sent while there was no token.
			_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/users", Body: map[string]int{}})
			assert.Equal(t, c.want, identity.CodeOf(err), "err: %v", err)
			assert.Equal(t, c.wantHits, hits.Load())
			assert.False(t, MaybeProcessed(err))
		})
	}
}
