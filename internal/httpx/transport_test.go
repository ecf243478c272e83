package httpx

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestTransportErrorsSayItOnce: a request that meets a transport error
// says which host and what went wrong once, without the URL's path and
// query or a credential, and keeps the cause in its chain.
func TestTransportErrorsSayItOnce(t *testing.T) {
	refused := closedAddr(t)
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	t.Cleanup(reset.Close)
	noSuchHost := &http.Transport{DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "idp.invalid", IsNotFound: true}}
	}}
	for _, tt := range []struct {
		name    string
		base    string
		client  *http.Client
		want    string
		isCause error
	}{
		{"connection refused", "http://" + refused, nil, "Unavailable: could not connect to " + refused + ": connection refused", syscall.ECONNREFUSED},
		{"no such host", "https://idp.invalid", &http.Client{Transport: noSuchHost}, "Unavailable: could not connect to idp.invalid: no such host", nil},
		{"closed after the request", reset.URL, nil, "Unavailable: the request to " + strings.TrimPrefix(reset.URL, "http://") + " failed: EOF", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := New(Config{Backend: "test", BaseURL: tt.base, AuthHeader: "SSWS " + canary,
				HTTPOptions: identity.HTTPOptions{HTTPClient: tt.client, MaxAttempts: 1}})
			require.NoError(t, err)
			_, err = cl.Do(t.Context(), &Request{Method: http.MethodGet, Path: "/api/users/u1", Query: url.Values{"search": {"ada@example.com"}}})
			require.ErrorIs(t, err, identity.ErrUnavailable)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), canary)
			if tt.isCause != nil {
				assert.ErrorIs(t, err, tt.isCause, "the cause stays in the chain")
			}
		})
	}
}

// TestTokenFetchErrors: a token fetch that meets a plain-http server is
// told to use its http:// URL and is not retried, as the API's own
// requests are; one that cannot connect says so once.
func TestTokenFetchErrors(t *testing.T) {
	var conns atomic.Int32
	plain := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	plain.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	plain.Start()
	t.Cleanup(plain.Close)
	refused := closedAddr(t)
	for _, tt := range []struct {
		name     string
		tokenURL string
		want     string
		conns    int32
	}{
		{"plain http", "https://" + plain.Listener.Addr().String() + "/token",
			"Unavailable: fetching an access token failed: " + plainHTTPHint, 1},
		{"connection refused", "https://" + refused + "/token",
			"Unavailable: fetching an access token failed: could not connect to " + refused + ": connection refused", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conns.Store(0)
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 5 * time.Second})
			src := (&clientcredentials.Config{ClientID: "app", ClientSecret: canary, TokenURL: tt.tokenURL, AuthStyle: oauth2.AuthStyleInHeader}).TokenSource(ctx)
			cl, err := New(Config{Backend: "test", BaseURL: plain.URL, TokenSource: src,
				HTTPOptions: identity.HTTPOptions{RetryBaseDelay: time.Millisecond}})
			require.NoError(t, err)
			_, err = cl.Do(t.Context(), &Request{Method: http.MethodGet, Path: "/x"})
			require.ErrorIs(t, err, identity.ErrUnavailable)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), canary)
			assert.Equal(t, tt.conns, conns.Load(), "fetches the token endpoint saw")
		})
	}
}
