package httpx

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/idport/identity"
	"golang.org/x/oauth2"
)

// TokenCache caches the token of an oauth2.TokenSource. However many
// goroutines ask at once, an expired or missing token is fetched once,
// and every caller that asked while that fetch was under way gets its
// outcome, its error included: a caller never waits through one failed
// fetch only to start another, which against a throttled token endpoint
// would be a storm of requests, each spending a caller's attempt. It is
// safe for concurrent use.
type TokenCache struct {
	src oauth2.TokenSource
	mu  sync.Mutex
	tok *oauth2.Token
	// flight is the fetch under way, nil when there is none.
	flight *tokenFetch
	// fetched, when set, is told of every fetch from src and its error.
	fetched func(error)
}

// tokenFetch is one fetch from the source; done closes once tok and err
// are set.
type tokenFetch struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
	// callers counts the callers that asked for this fetch, so that a
	// test can hold it until every caller it expects shares it.
	callers int
}

// sharing returns how many callers share the fetch under way, 0 when
// there is none.
func (c *TokenCache) sharing() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flight == nil {
		return 0
	}
	return c.flight.callers
}

// NewTokenCache returns a cache over src.
func NewTokenCache(src oauth2.TokenSource) *TokenCache { return &TokenCache{src: src} }

// Token returns the cached token while it is valid, and otherwise the
// outcome of a fetch: the one under way, or a new one.
func (c *TokenCache) Token() (*oauth2.Token, error) {
	return c.TokenContext(context.Background())
}

// valid returns the cached token when it is valid, and nil otherwise.
func (c *TokenCache) valid() *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Valid() {
		return c.tok
	}
	return nil
}

// TokenContext is Token for a caller that stops waiting when ctx ends,
// returning ctx.Err(): oauth2.TokenSource takes no context, so a slow
// token endpoint would otherwise hold every caller for as long as its
// HTTP client allows. The fetch is not abandoned: the callers still
// waiting, and the next ones, get its result.
func (c *TokenCache) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	c.mu.Lock()
	if c.tok.Valid() {
		t := c.tok
		c.mu.Unlock()
		return t, nil
	}
	f := c.flight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		c.flight = f
		go c.fetch(f)
	}
	f.callers++
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetch runs f, caches its token when it succeeds, and releases its
// callers.
func (c *TokenCache) fetch(f *tokenFetch) {
	t, err := c.src.Token()
	if err == nil && (t == nil || t.AccessToken == "") {
		t, err = nil, errors.New("the token endpoint returned no access token")
	}
	if c.fetched != nil {
		c.fetched(err)
	}
	f.tok, f.err = t, err
	c.mu.Lock()
	if err == nil {
		c.tok = t
	}
	c.flight = nil
	c.mu.Unlock()
	close(f.done)
}

// Invalidate drops t if it is still the cached token, so that the next
// Token fetches a new one. Callers that all saw the same token refused
// cause one fetch between them.
func (c *TokenCache) Invalidate(t *oauth2.Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == t {
		c.tok = nil
	}
}

// tokenError reports a failed token fetch as Unauthenticated, keeping the
// OAuth error code but not the response body.
func tokenError(err error) error {
	e := &identity.Error{Code: identity.Unauthenticated, Message: "fetching an access token failed"}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			e.HTTPStatus = re.Response.StatusCode
			if e.HTTPStatus >= 500 || e.HTTPStatus == 429 {
				e.Code, e.Retryable = identity.Unavailable, true
			}
			if e.HTTPStatus == 429 {
				// Waited out as the API's own 429s are.
				e.RetryAfter, _ = ParseRetryAfter(re.Response.Header.Get("Retry-After"), time.Now())
			}
		}
		if oauthCode(re.ErrorCode) {
			e.ProviderCode = re.ErrorCode
		}
		return e
	}
	var ue *url.Error
	var op *net.OpError
	switch {
	case (errors.As(err, &ue) || errors.As(err, &op)) && plainHTTPServer(err):
		// As for the API's own requests: every fetch would meet the
		// same server, so it is not retried.
		e.Code, e.Message = identity.Unavailable, e.Message+": "+plainHTTPHint
		return e
	case errors.As(err, &ue) || errors.As(err, &op):
		what, why := describeTransport(err)
		e.Message += ": " + what + ": " + why
	default:
		// Anything else is x/oauth2 failing to read the answer, and its
		// text can quote the answer, access token and all ("trying to
		// unmarshal \"…\" into Number" for a token in expires_in).
		e.Message += ": the token endpoint's answer could not be read"
	}
	e.Code, e.Retryable = identity.Unavailable, true
	return e
}

// oauthCode reports whether s looks like an OAuth 2.0 error code
// (invalid_client, invalid_target ...): anything else in the error field,
// such as a server echoing the request's Authorization header, stays out
// of the error.
func oauthCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}
