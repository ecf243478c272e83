package httpx

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idport/identity"
	"golang.org/x/oauth2"
)

// TokenCache caches the token of an oauth2.TokenSource. However many
// goroutines call Token at once, an expired or missing token is fetched
// once; and when that fetch fails, every caller that waited for it gets
// its error, rather than each starting a fetch of its own in turn, which
// against a throttled token endpoint would be a storm of requests, each
// spending a caller's attempt. It is safe for concurrent use.
type TokenCache struct {
	src oauth2.TokenSource
	mu  sync.Mutex
	tok *oauth2.Token
	// fetches counts the fetches from src, and lastErr is the last one's
	// error: a caller that saw fetches move on while it waited shares
	// that fetch's outcome.
	fetches atomic.Uint64
	lastErr error
	// fetched, when set, is told of every fetch from src and its error.
	fetched func(error)
}

// NewTokenCache returns a cache over src.
func NewTokenCache(src oauth2.TokenSource) *TokenCache { return &TokenCache{src: src} }

// Token returns the cached token while it is valid, and otherwise fetches
// a new one, holding every other caller until it has.
func (c *TokenCache) Token() (*oauth2.Token, error) {
	seen := c.fetches.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Valid() {
		return c.tok, nil
	}
	if c.fetches.Load() != seen && c.lastErr != nil {
		return nil, c.lastErr // the fetch this call waited for failed
	}
	t, err := c.src.Token()
	if err == nil && (t == nil || t.AccessToken == "") {
		err = errors.New("the token endpoint returned no access token")
	}
	c.fetches.Add(1)
	c.lastErr = err
	if c.fetched != nil {
		c.fetched(err)
	}
	if err != nil {
		return nil, err
	}
	c.tok = t
	return t, nil
}

// valid returns the cached token when it is valid and no fetch holds the
// cache, and nil otherwise.
func (c *TokenCache) valid() *oauth2.Token {
	if c.mu.TryLock() {
		t := c.tok
		c.mu.Unlock()
		if t.Valid() {
			return t
		}
	}
	return nil
}

// TokenContext is Token for a caller that stops waiting when ctx ends:
// oauth2.TokenSource takes no context, so a slow token endpoint would
// otherwise hold every caller for as long as its HTTP client allows. The
// fetch under way is not abandoned: the callers still waiting, and the
// next ones, get its result.
func (c *TokenCache) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if t := c.valid(); t != nil {
		return t, nil
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		t, err := c.Token()
		ch <- result{t, err}
	}()
	select {
	case r := <-ch:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
