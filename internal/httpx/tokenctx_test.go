package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// heldSource blocks every fetch until release is closed, as a token
// endpoint that does not answer would.
type heldSource struct {
	release chan struct{}
	n       atomic.Int32
}

func (s *heldSource) Token() (*oauth2.Token, error) {
	s.n.Add(1)
	<-s.release
	return &oauth2.Token{AccessToken: "held-token-value", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

// TestTokenWaitEndsWithContext: a call whose context ends while the token
// endpoint holds its answer returns the context's error without waiting
// for the fetch, and the fetch, once it ends, serves the calls after it.
func TestTokenWaitEndsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	t.Cleanup(srv.Close)
	src := &heldSource{release: make(chan struct{})}
	cl, err := New(Config{Backend: "test", BaseURL: srv.URL, TokenSource: src, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client()}})
	require.NoError(t, err)

	done := make(chan error, 2)
	for range 2 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err := cl.Do(ctx, &Request{Method: http.MethodGet, Path: "/x"})
			done <- err
		}()
	}
	for range 2 {
		select {
		case err := <-done:
			assert.Equal(t, context.DeadlineExceeded, err)
		case <-time.After(30 * time.Second):
			t.Fatal("a call waited for the token fetch past its context")
		}
	}
	close(src.release)
	_, err = cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, src.n.Load(), "the held fetch served the later call")
}

// emptySource answers every fetch with tok, an answer without an access
// token in it.
type emptySource struct {
	tok *oauth2.Token
	n   atomic.Int32
}

func (s *emptySource) Token() (*oauth2.Token, error) {
	s.n.Add(1)
	return s.tok, nil
}

// TestTokenWithoutAccessToken: a fetch that answers no token, or a token
// without an access token, is an error for every caller that shared it,
// and is not cached: the next call fetches again.
func TestTokenWithoutAccessToken(t *testing.T) {
	for name, tok := range map[string]*oauth2.Token{"nil": nil, "empty": {TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}} {
		t.Run(name, func(t *testing.T) {
			src := &emptySource{tok: tok}
			c := NewTokenCache(src)
			for i := range 2 {
				got, err := c.Token()
				require.Error(t, err)
				assert.Nil(t, got)
				assert.Contains(t, err.Error(), "no access token")
				assert.EqualValues(t, i+1, src.n.Load(), "nothing was cached")
			}
		})
	}
}
