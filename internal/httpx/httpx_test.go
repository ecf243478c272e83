package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

const canary = "canary-token-d0-not-leak"

func newClient(t *testing.T, h http.HandlerFunc, mod ...func(*Config)) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{Backend: "test", BaseURL: srv.URL, AuthHeader: "SSWS " + canary, HTTPOptions: identity.HTTPOptions{RetryBaseDelay: time.Millisecond, HTTPClient: srv.Client()}}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c, srv
}

// script answers with the statuses in turn, then 200.
func script(hits *atomic.Int32, statuses ...int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1))
		if n <= len(statuses) {
			if statuses[n-1] == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			w.WriteHeader(statuses[n-1])
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name       string
		method     string
		idempotent bool
		statuses   []int
		wantHits   int32
		wantCode   identity.Code
	}{
		{"GET retried on 503", http.MethodGet, false, []int{503, 502}, 3, identity.Unknown},
		{"DELETE retried on 500", http.MethodDelete, false, []int{500}, 2, identity.Unknown},
		{"POST not retried on 503", http.MethodPost, false, []int{503}, 1, identity.Unavailable},
		{"idempotent POST retried on 504", http.MethodPost, true, []int{504}, 2, identity.Unknown},
		{"POST retried on 429", http.MethodPost, false, []int{429, 429}, 3, identity.Unknown},
		{"PATCH not retried on 500", http.MethodPatch, false, []int{500}, 1, identity.Unavailable},
		{"400 never retried", http.MethodGet, false, []int{400}, 1, identity.InvalidArgument},
		{"attempts run out", http.MethodGet, false, []int{503, 503, 503, 503, 503}, 4, identity.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hits atomic.Int32
			cl, _ := newClient(t, script(&hits, c.statuses...))
			var out struct{ OK bool }
			_, err := cl.Do(context.Background(), &Request{Method: c.method, Path: "/x", Idempotent: c.idempotent, Body: map[string]int{"a": 1}, Out: &out})
			assert.Equal(t, c.wantHits, hits.Load())
			assert.Equal(t, c.wantCode, identity.CodeOf(err), "err: %v", err)
			if c.wantCode == identity.Unknown {
				assert.True(t, out.OK)
			}
		})
	}
}

func TestDialFailureRetriedForPOST(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(script(&hits))
	defer srv.Close()
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	cl, err := New(Config{Backend: "test", BaseURL: srv.URL, HTTPOptions: identity.HTTPOptions{HTTPClient: &http.Client{Transport: tr}, RetryBaseDelay: time.Millisecond}})
	require.NoError(t, err)
	_, err = cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/users", Body: map[string]string{}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, hits.Load(), "the server saw the POST once")
	assert.EqualValues(t, 2, dials.Load())
}

func TestResetAfterSendNotRetriedForPOST(t *testing.T) {
	var hits atomic.Int32
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/users", Body: map[string]string{}})
	require.ErrorIs(t, err, identity.ErrUnavailable)
	assert.EqualValues(t, 1, hits.Load(), "a POST the server may have processed is not resent")
	assert.Contains(t, err.Error(), "not retried")
	_, err = cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/users"})
	require.Error(t, err)
	assert.EqualValues(t, 1+DefaultMaxAttempts, hits.Load(), "a GET is retried")
}

func TestRateLimitWaits(t *testing.T) {
	t.Run("RetryAfterBeyondBudget", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(429)
		}, func(c *Config) { c.RetryBudget = 200 * time.Millisecond; c.MaxRetryWait = time.Minute })
		clk := useFakeClock(cl)
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.RateLimited, ie.Code)
		assert.Equal(t, 30*time.Second, ie.RetryAfter)
		assert.True(t, ie.Retryable)
		assert.EqualValues(t, 1, hits.Load())
		assert.Empty(t, clk.waits(), "it did not sit out a wait it could not afford")
	})
	t.Run("RetryAfterHonouredAndCapped", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			switch hits.Add(1) {
			case 1:
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(429)
			case 2:
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(429)
			default:
				fmt.Fprint(w, `{}`)
			}
		}, func(c *Config) { c.MaxRetryWait = 10 * time.Second; c.RetryBudget = time.Hour })
		clk := useFakeClock(cl)
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x"})
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{3 * time.Second, 10 * time.Second}, clk.waits())
	})
	t.Run("ResetAgainstDate", func(t *testing.T) {
		var hits atomic.Int32
		var clk *fakeClock
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			if hits.Add(1) == 1 {
				// The server's clock is an hour behind ours: only the
				// difference between Reset and Date counts.
				date := clk.Now().Add(-time.Hour).UTC().Truncate(time.Second)
				w.Header().Set("Date", date.Format(http.TimeFormat))
				w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(date.Add(2*time.Second).Unix(), 10))
				w.WriteHeader(429)
				return
			}
			fmt.Fprint(w, `{}`)
		}, func(c *Config) { c.RateLimitHeaders = true })
		clk = useFakeClock(cl)
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x"})
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{3 * time.Second}, clk.waits(), "waited reset-date+1s")
		assert.EqualValues(t, 2, hits.Load())
	})
	t.Run("CancelDuringWait", func(t *testing.T) {
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(429)
		})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := cl.Do(ctx, &Request{Method: http.MethodGet, Path: "/x"})
		assert.Equal(t, context.DeadlineExceeded, err)
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{" 7 ", 7 * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"99999999999", 24 * time.Hour, true},
		{now.Add(50 * 365 * 24 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
	}
	for _, c := range cases {
		d, ok := ParseRetryAfter(c.in, now)
		assert.Equal(t, c.ok, ok, c.in)
		assert.Equal(t, c.want, d, c.in)
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "Wed, 21 Oct 2015 07:28:00 GMT", "", "-5", "1e9", "99999999999999999999"} {
		f.Add(s, "1700000000", "Tue, 14 Nov 2023 22:13:20 GMT")
	}
	f.Fuzz(func(t *testing.T, retryAfter, reset, date string) {
		now := time.Now()
		if d, ok := ParseRetryAfter(retryAfter, now); ok && (d < 0 || d > 24*time.Hour) {
			t.Fatalf("ParseRetryAfter(%q) = %v", retryAfter, d)
		}
		h := http.Header{"X-Rate-Limit-Reset": {reset}, "Date": {date}}
		if d, ok := ResetWait(h, now); ok && (d < 0 || d > 24*time.Hour) {
			t.Fatalf("ResetWait = %v", d)
		}
		var p pacer
		h.Set("X-Rate-Limit-Limit", "10")
		h.Set("X-Rate-Limit-Remaining", retryAfter)
		p.observe(h, now)
	})
}

func TestResponseChecks(t *testing.T) {
	t.Run("SizeCap", func(t *testing.T) {
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("x"), 2048))
		}, func(c *Config) { c.MaxResponseBytes = 1024 })
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
		assert.Equal(t, identity.Internal, identity.CodeOf(err))
		assert.Contains(t, err.Error(), "larger than 1024")
	})
	t.Run("MalformedJSONEveryTime", func(t *testing.T) {
		var hits atomic.Int32
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"broken":`)
		})
		var out map[string]any
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x", Out: &out})
		assert.Equal(t, identity.Unavailable, identity.CodeOf(err), "err: %v", err)
		assert.EqualValues(t, DefaultMaxAttempts, hits.Load(), "retried as a transient fault, within MaxAttempts")
	})
	t.Run("DecodeErrorHookAndRequestID", func(t *testing.T) {
		cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Req", "req-42")
			w.WriteHeader(404)
			fmt.Fprint(w, `{"code":"user_not_found"}`)
		}, func(c *Config) {
			c.RequestIDHeader = "X-Req"
			c.DecodeError = func(status int, h http.Header, body []byte) *identity.Error {
				return &identity.Error{Code: identity.NotFound, ProviderCode: "user_not_found"}
			}
		})
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.NotFound, ie.Code)
		assert.Equal(t, 404, ie.HTTPStatus)
		assert.Equal(t, "req-42", ie.RequestID)
		assert.Equal(t, "user_not_found", ie.ProviderCode)
	})
}

func TestPathEscaping(t *testing.T) {
	var got []string
	var mu sync.Mutex
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.EscapedPath()+"|"+r.URL.RawQuery)
		mu.Unlock()
		fmt.Fprint(w, `{}`)
	})
	for _, id := range []string{"../admin", "a/b", "%2F", "x?y=1", "x#frag", "a b", "..", "."} {
		_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: Path("api", "users", id)})
		require.NoError(t, err)
	}
	for _, g := range got {
		path, query, _ := strings.Cut(g, "|")
		assert.True(t, strings.HasPrefix(path, "/api/users/"), g)
		assert.Equal(t, 3, strings.Count(path, "/"), "the id stays one segment: %s", g)
		assert.Empty(t, query, g)
	}
	assert.Equal(t, "/a/%2E%2E/%2E/b%2Fc", Path("a", "..", ".", "b/c"))
}

func TestConfigChecks(t *testing.T) {
	cases := map[string]Config{
		"BaseURL/plain http to a remote host": {BaseURL: "http://example.com"},
		"BaseURL/no host":                     {BaseURL: "https://"},
		"BaseURL/relative":                    {BaseURL: "/api"},
		"BaseURL/credentials":                 {BaseURL: "https://user:" + canary + "@example.com"},
		"AuthHeader/both":                     {BaseURL: "https://example.com", AuthHeader: "x", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})},
		"AuthHeader/newline":                  {BaseURL: "https://example.com", AuthHeader: identity.Secret("SSWS " + canary + "\r\nX: y")},
	}
	for name, cfg := range cases {
		_, err := New(cfg)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, identity.InvalidArgument, ie.Code, name)
		assert.Equal(t, strings.Split(name, "/")[0], ie.Field, name)
		assert.NotContains(t, err.Error(), canary)
	}
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost", "http://[::1]:1", "https://example.com"} {
		_, err := New(Config{BaseURL: ok})
		assert.NoError(t, err, ok)
	}
	_, err := New(Config{BaseURL: "http://example.com", HTTPOptions: identity.HTTPOptions{AllowInsecureHTTP: true}})
	assert.NoError(t, err, "an explicit opt-in allows plain http")
}

type countingSource struct {
	n    atomic.Int32
	life time.Duration
}

func (s *countingSource) Token() (*oauth2.Token, error) {
	n := s.n.Add(1)
	time.Sleep(5 * time.Millisecond) // let callers pile up
	return &oauth2.Token{AccessToken: fmt.Sprintf("%s-%d", canary, n), TokenType: "Bearer", Expiry: time.Now().Add(s.life)}, nil
}

func TestTokenCacheFetchesOncePerExpiry(t *testing.T) {
	src := &countingSource{life: time.Hour}
	c := NewTokenCache(src)
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Token()
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, src.n.Load())
	tok, _ := c.Token()
	c.Invalidate(&oauth2.Token{AccessToken: "some other"})
	again, _ := c.Token()
	assert.Same(t, tok, again, "invalidating a stale token keeps the current one")
	c.Invalidate(tok)
	_, _ = c.Token()
	assert.EqualValues(t, 2, src.n.Load())
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	src := &countingSource{life: time.Hour}
	var hits atomic.Int32
	var rejectAll atomic.Bool
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if rejectAll.Load() || strings.HasSuffix(r.Header.Get("Authorization"), "-1") {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, `{}`)
	}, func(c *Config) { c.AuthHeader = ""; c.TokenSource = src })
	_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, src.n.Load(), "one refresh")
	assert.EqualValues(t, 2, hits.Load(), "one retry")

	rejectAll.Store(true)
	hits.Store(0)
	_, err = cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
	assert.ErrorIs(t, err, identity.ErrUnauthenticated)
	assert.EqualValues(t, 2, hits.Load(), "a second 401 is returned, not looped on")
}

func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		fmt.Fprint(w, r.Header.Get("Authorization")) // a hostile server echoing the credential
	}, func(c *Config) { c.Logger = logger; c.MaxAttempts = 2 })
	_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x", Body: map[string]string{"password": canary}})
	require.Error(t, err)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String(), fmt.Sprintf("%+v", cl)} {
		assert.NotContains(t, s, canary)
	}
	assert.Contains(t, logs.String(), "status=500")
}

func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"00u1","status":"ACTIVE","profile":{"login":"a@example.com"}}`)
	}))
	defer srv.Close()
	cl, err := New(Config{Backend: "bench", BaseURL: srv.URL, AuthHeader: "SSWS x", HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client()}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var out map[string]any
		if _, err := cl.Do(ctx, &Request{Method: http.MethodGet, Path: Path("api", "v1", "users", "00u1"), Out: &out}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestResetWait(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	cases := []struct {
		reset, date string
		want        time.Duration
		ok          bool
	}{
		{fmt.Sprint(now.Unix() + 10), date, 11 * time.Second, true},
		{fmt.Sprint(now.Unix() + 10), "", 11 * time.Second, true}, // the local clock stands in for Date
		{fmt.Sprint(now.Unix() - 60), date, 0, true},
		{fmt.Sprint(int64(1) << 40), date, 24 * time.Hour, true},
		{"", date, 0, false},
		{"soon", date, 0, false},
	}
	for _, c := range cases {
		h := http.Header{"X-Rate-Limit-Reset": {c.reset}}
		if c.date != "" {
			h.Set("Date", c.date)
		}
		d, ok := ResetWait(h, now)
		assert.Equal(t, c.ok, ok, c.reset)
		assert.Equal(t, c.want, d, c.reset)
	}
}
