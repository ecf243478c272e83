// Package httpx is the HTTP client layer every provider backend shares:
// base URL and auth, JSON bodies, timeouts, retries, rate limits, a
// response size cap, request ids, and decoding of the provider's error
// bodies into *identity.Error. It is built on resty.
//
// # Retry policy
//
// Do retries a request only when resending it cannot do harm:
//
//   - A transport error where the request provably never reached the
//     server (the connection could not be dialled), and a token fetch that
//     failed transiently (the token endpoint answered 429 or 5xx, or could
//     not be reached or read), are retried for every method: the request
//     itself was never sent.
//   - 429 is retried for every method: the server did not process it.
//   - Any other transport error (reset, EOF, a body cut short, the
//     per-attempt timeout), the statuses 500, 502, 503 and 504, and a 2xx
//     answer whose body cannot be read as the JSON expected (malformed, or
//     labelled with a Content-Type other than application/json or
//     *+json) are retried only for GET, HEAD, PUT and DELETE, and for
//     requests marked Idempotent. A POST or PATCH the server may have
//     processed is never sent twice: Do returns Unavailable with
//     ErrMaybeProcessed in its chain, and the caller finds out what
//     happened (see ErrMaybeProcessed). An unreadable 2xx body counts as a
//     transient fault rather than a provider bug, since a proxy, a reset
//     or a captive portal produces one far more often than an API does.
//   - Anything else (4xx but 401 and 429, a body over the size cap) is
//     returned at once: the same request would get the same answer.
//   - A 401 with a TokenSource fetches one new token and tries once more.
//
// Waits between attempts back off exponentially with full jitter (from
// RetryBaseDelay, at most 5 s). A 429's wait comes from Retry-After
// (seconds or an HTTP date), or with RateLimitHeaders from
// X-Rate-Limit-Reset measured against the response's Date header (plus one
// second, as Okta's SDK does), and is capped at MaxRetryWait; a 429 with
// neither header backs off like a 5xx.
//
// # The retry budget
//
// A call's retries are bounded three ways, and the first bound met ends
// them with the last error:
//
//   - MaxAttempts (default 4) counts the attempts that failed on their
//     way or at the server: resets, timeouts, 5xx, unreadable answers, a
//     token fetch that failed. These are the faults a flaky network or
//     service produces, and a fourth in a row says it is down.
//   - 429s, from the API or its token endpoint, do not count there: the
//     server refused without processing and said how long to wait, and a
//     limiter refuses every request until its window turns, so a burst of
//     429s would otherwise use up the attempts a later reset needs (the
//     live runs against Logto surfaced exactly that). They have a count of
//     their own, three times the other retries (9 by default, none with
//     MaxAttempts 1, which asks for no retry at all).
//   - RetryBudget (default 60 s) is the time: no attempt starts once the
//     next wait would overrun it, so a call's worst case is known however
//     its faults fall. Do then returns the last error (RateLimited with
//     RetryAfter set, for a 429) instead of waiting.
//
// Every wait, between attempts and in pacing, ends early with the
// context's error when ctx does. A token fetch that many calls wait for
// is made once, and when it fails every one of them gets its error (see
// TokenCache): each spends one attempt, and the token endpoint sees one
// fetch per round of retries rather than one per caller.
//
// With RateLimitHeaders, the client also paces itself: it remembers the
// last X-Rate-Limit-Limit, -Remaining and -Reset it saw, counts its own
// requests against them, and when the remaining quota falls to a small
// reserve, holds new requests until the window resets, so that a burst
// does not run into 429s at all.
//
// # Limits and secrets
//
// Each attempt has a Timeout (default 30 s). A response body larger than
// MaxResponseBytes (default 10 MiB) is not read past the limit and gives
// Internal. Neither errors nor the optional debug log ever contain the
// Authorization header, a token, or a request or response body.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/otelx"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/oauth2"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxAttempts      = 4
	DefaultRetryBudget      = 60 * time.Second
	DefaultMaxRetryWait     = 30 * time.Second
	DefaultRetryBaseDelay   = 100 * time.Millisecond
	DefaultMaxResponseBytes = 10 << 20
	maxBackoff              = 5 * time.Second
)

// Config configures a Client.
type Config struct {
	// Backend names the provider in errors and the User-Agent, e.g. "okta".
	Backend string
	// BaseURL is the provider's root, e.g. "https://dev-1.okta.com". It
	// must be https unless its host is a loopback address or
	// AllowInsecureHTTP is set.
	BaseURL string
	// HTTPOptions are the caller's transport settings. TLS verification
	// is never turned off here, and redirects are not followed (see
	// NoRedirects); HTTPClient itself is not changed.
	identity.HTTPOptions

	// AuthHeader is the whole Authorization value for static
	// credentials, e.g. "SSWS "+token. At most one of AuthHeader and
	// TokenSource may be set.
	AuthHeader identity.Secret
	// TokenSource provides bearer tokens; it is wrapped in a TokenCache,
	// and a 401 makes the Client fetch a new token and retry once.
	TokenSource oauth2.TokenSource

	UserAgent        string
	RetryBudget      time.Duration
	MaxRetryWait     time.Duration
	MaxResponseBytes int64
	// RequestIDHeader names the provider's request id header, copied into
	// identity.Error.RequestID.
	RequestIDHeader string
	// RateLimitHeaders says the provider sends X-Rate-Limit-Limit,
	// -Remaining and -Reset (epoch seconds), as Okta does.
	RateLimitHeaders bool
	// DecodeError turns a non-2xx response into a portable error: the
	// Code, ProviderCode, Message and Field. A nil hook or a nil result
	// falls back to GenericError of the status.
	DecodeError func(status int, header http.Header, body []byte) *identity.Error
	// RouteWords are the literal segments of the provider's API paths
	// ("api", "users", "lifecycle"...): a trace names a request whose
	// Route is empty by its Path with every other segment written {id}.
	// Without them, every segment that is not a lowercase word is.
	RouteWords []string
}

// ParamInsecureHTTP is the URL query parameter, spelled the same by every
// HTTP backend, that sets HTTPOptions.AllowInsecureHTTP.
const ParamInsecureHTTP = "insecure_http"

// URLParams reads a backend URL's query parameters as driver.URLParams
// does, taking first those every HTTP backend spells the same way:
// insecure_http=true or false sets o.AllowInsecureHTTP. It reports
// whether the URL asked for plain http, so that a backend whose URL names
// only a host can choose the scheme.
func URLParams(backend string, u *url.URL, o *identity.HTTPOptions, set func(key, value string) (known bool, err error)) (insecure bool, err error) {
	err = driver.URLParams(backend, u, func(k, v string) (bool, error) {
		if k != ParamInsecureHTTP {
			return set(k, v)
		}
		b, err := driver.BoolParam(backend, k, v)
		insecure = b
		o.AllowInsecureHTTP = o.AllowInsecureHTTP || b
		return true, err
	})
	return insecure, err
}

// HostURL reads a backend URL of the form scheme://{host}?{params}, whose
// host is the provider's: the parameters as URLParams reads them, and the
// root to reach, https://{host}, or http://{host} when the URL says
// insecure_http=true. A URL without a host is InvalidArgument.
func HostURL(backend string, u *url.URL, o *identity.HTTPOptions, set func(key, value string) (known bool, err error)) (string, error) {
	if u.Host == "" {
		return "", driver.OptionError(backend, "url", "%s URLs name the host: %s://{host}", backend, backend)
	}
	insecure, err := URLParams(backend, u, o, set)
	if err != nil {
		return "", err
	}
	if insecure {
		return "http://" + u.Host, nil
	}
	return "https://" + u.Host, nil
}

// WithTokenClient returns o with an HTTPClient set: o's own, or a new one
// whose timeout is o.Timeout (or DefaultTimeout). A backend that fetches
// OAuth tokens sends them through it: the token fetch has no per-attempt
// context of its own, so the client's timeout is what bounds it.
func WithTokenClient(o identity.HTTPOptions) identity.HTTPOptions {
	if o.HTTPClient == nil {
		timeout := o.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		o.HTTPClient = &http.Client{Timeout: timeout}
	}
	return o
}

// TokenContext is the context a backend fetches one OAuth token under,
// with o as WithTokenClient returned it: x/oauth2 sends through o's
// client following no redirect (the request carries the app's secret or
// assertion), and the fetch ends after o.Timeout, or DefaultTimeout, even
// when the caller's client has no timeout of its own: a token endpoint
// that stalls would otherwise hold the token cache, and every call
// waiting on it, for as long as it stalls.
func TokenContext(o identity.HTTPOptions) (context.Context, context.CancelFunc) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, NoRedirects(o.HTTPClient))
	return context.WithTimeout(ctx, timeout)
}

// Client sends requests to one provider. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string
	rc     *resty.Client
	tokens *TokenCache
	pace   *pacer
	clock  clock

	tracing     *otelx.Tracing
	metrics     *otelx.Metrics[instruments]
	backendAttr attribute.KeyValue
	routeWords  map[string]bool
}

// Request is one API call.
type Request struct {
	Method string
	// Path is joined to the base URL; build it with Path.
	Path string
	// Route is Path's template, with each id as {id} (such as
	// "/api/v1/users/{id}"): what traces name the request by, so that they
	// neither carry ids nor make a name per user. Empty means one made
	// from Path (see Config.RouteWords).
	Route  string
	Query  url.Values
	Header http.Header
	// Body is sent as JSON when non-nil; []byte and json.RawMessage are
	// sent as they are.
	Body any
	// Idempotent marks a POST or PATCH as safe to resend: sending it twice
	// leaves the server as sending it once does (setting a field to a
	// value, a merge of the same keys, adding a member a set already has).
	Idempotent bool
	// Out, when non-nil, receives the JSON body of a 2xx response: a
	// BodyDecoder (such as a *JSON) decodes it itself, anything else is
	// given to json.Unmarshal.
	Out any
}

// Response is a 2xx answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// New checks cfg and returns a Client. It returns an InvalidArgument
// *identity.Error naming the first bad field; the message never contains a
// credential.
func New(cfg Config) (*Client, error) {
	bad := func(field, format string, args ...any) error {
		e := driver.InvalidArgumentError(field, format, args...)
		e.Backend = cfg.Backend
		return e
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, bad("BaseURL", "BaseURL must be an absolute http(s) URL with a host")
	}
	if u.User != nil {
		return nil, bad("BaseURL", "BaseURL must not carry credentials")
	}
	if u.Scheme == "http" && !cfg.AllowInsecureHTTP && !IsLoopback(u.Hostname()) {
		return nil, bad("BaseURL", "plain http is allowed only to loopback hosts; use https or set AllowInsecureHTTP")
	}
	if cfg.AuthHeader != "" && cfg.TokenSource != nil {
		return nil, bad("AuthHeader", "set AuthHeader or TokenSource, not both")
	}
	if strings.ContainsAny(string(cfg.AuthHeader), "\r\n") {
		return nil, bad("AuthHeader", "the credential contains a line break")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, DefaultTimeout)
	def(&cfg.RetryBudget, DefaultRetryBudget)
	def(&cfg.MaxRetryWait, DefaultMaxRetryWait)
	def(&cfg.RetryBaseDelay, DefaultRetryBaseDelay)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "github.com/idport/identity (" + cfg.Backend + ")"
	}
	hc := NoRedirects(cfg.HTTPClient)
	// The headers every request carries are set once, on resty's client,
	// which lends them to each request instead of each request building
	// its own.
	rc := resty.NewWithClient(hc).SetLogger(discard{}).SetRetryCount(0).SetDoNotParseResponse(true).
		SetHeader("Accept", "application/json").SetHeader("User-Agent", cfg.UserAgent)
	if cfg.AuthHeader != "" {
		rc.SetHeader("Authorization", string(cfg.AuthHeader))
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(u.String(), "/"), rc: rc, clock: realClock{}}
	c.newTelemetry()
	if cfg.TokenSource != nil {
		c.tokens = NewTokenCache(cfg.TokenSource)
		c.tokens.fetched = c.tokenFetched
	}
	if cfg.RateLimitHeaders {
		c.pace = &pacer{}
	}
	return c, nil
}

// NoRedirects returns a copy of hc, or a new client when hc is nil, that
// does not follow redirects: a 3xx comes back as the answer, which Do
// reports as an error. Go's client carries the Authorization header along
// a redirect to the same host name on another port or scheme, and to its
// subdomains, so a redirect could send the credential over plain http;
// and no provider API served here redirects.
func NoRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// IsLoopback reports whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Path joins segments into an absolute path, escaping each, so that no
// segment can change the path: "/", "?", "#" and "%" are escaped, and "."
// and ".." are written as "%2E" and "%2E%2E".
func Path(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		switch s {
		case ".":
			b.WriteString("%2E")
		case "..":
			b.WriteString("%2E%2E")
		default:
			b.WriteString(url.PathEscape(s))
		}
	}
	return b.String()
}

// GenericError maps an HTTP status to a portable code.
func GenericError(status int) identity.Code {
	switch {
	case status == 400 || status == 422:
		return identity.InvalidArgument
	case status == 401:
		return identity.Unauthenticated
	case status == 403:
		return identity.PermissionDenied
	case status == 404:
		return identity.NotFound
	case status == 409:
		return identity.AlreadyExists
	case status == 412:
		return identity.FailedPrecondition
	case status == 429:
		return identity.RateLimited
	case status >= 500:
		return identity.Unavailable
	}
	return identity.Internal
}

func retryableStatus(s int) bool { return s == 500 || s == 502 || s == 503 || s == 504 }

func (r *Request) idempotent() bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return r.Idempotent
}

// Do sends req, retrying as the package doc says. It returns the response
// for a 2xx status whose body, when Out is set and the body is not empty,
// decoded into Out; for any other status the *identity.Error DecodeError
// made, with HTTPStatus, RequestID, Retryable and RetryAfter filled in;
// Unavailable for a transport failure or a 2xx body it could not read;
// Internal for a body over the size cap; and the context's own error when
// ctx ends. Errors of requests that may have taken effect carry
// ErrMaybeProcessed.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	var body []byte
	if req.Body != nil {
		switch b := req.Body.(type) {
		case []byte:
			body = b
		case json.RawMessage:
			body = b
		default:
			var err error
			if body, err = json.Marshal(b); err != nil {
				return nil, &identity.Error{Code: identity.Internal, Message: "encoding the request body", Err: err}
			}
		}
	}
	deadline := c.clock.Now().Add(c.cfg.RetryBudget)
	refreshed := false
	// maybe records that an attempt may have been processed without
	// giving a usable answer; the error Do returns then says so.
	maybe := false
	// Telemetry, nil while off; waited is what the attempt about to be
	// made waited for.
	tr, ins := c.tracing.Tracer(), c.metrics.Instruments()
	var waited time.Duration
	// spent counts the attempts that failed on their way or at the
	// server, which MaxAttempts bounds; limited counts the 429s, which
	// the server answered without processing and with a wait of its
	// choosing, and which only the budget and a cap of their own bound.
	spent, limited := 0, 0
	for attempt := 1; ; attempt++ {
		if c.pace != nil {
			w, err := c.pace.acquire(ctx, min(c.cfg.MaxRetryWait, deadline.Sub(c.clock.Now())), c.clock)
			c.waitedFor(ctx, ins, "pacing", w)
			waited += w
			if err != nil {
				return nil, err
			}
		}
		var resp *Response
		var tok *oauth2.Token
		var sent bool
		var err error
		if tr != nil {
			resp, tok, sent, err = c.traced(ctx, tr, req, body, attempt, waited)
		} else {
			resp, tok, sent, err = c.once(ctx, req, body)
		}
		waited = 0
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		var fail *identity.Error
		var wait time.Duration
		throttled := false // a 429, from the API or its token endpoint
		switch {
		case err != nil:
			var ie *identity.Error
			if errors.As(err, &ie) {
				if ie.Retryable && !sent {
					// A token fetch that failed transiently: the
					// request itself never left, so any method may
					// go again; a throttled token endpoint is waited
					// out as it asks.
					fail, wait = ie, c.backoff(attempt)
					if ie.HTTPStatus == http.StatusTooManyRequests {
						throttled = true
						if ie.RetryAfter > 0 {
							wait = min(ie.RetryAfter, c.cfg.MaxRetryWait)
						}
					}
					break
				}
				// The size cap: the same answer would come again.
				return nil, c.mark(req, ie, maybe || sent)
			}
			if plainHTTPServer(err) {
				// Every attempt would meet the same server: say what to
				// change instead of retrying.
				return nil, &identity.Error{Code: identity.Unavailable, Message: plainHTTPHint}
			}
			what, why := describeTransport(err)
			fail = &identity.Error{Code: identity.Unavailable, Retryable: true, Message: what, Err: &transportCause{why: why, err: err}}
			maybe = maybe || sent
			if sent && !req.idempotent() {
				fail.Retryable = false
				fail.Message += "; not retried, since the server may have processed it"
				return nil, c.mark(req, fail, maybe)
			}
			wait = c.backoff(attempt)
		case resp.Status >= 200 && resp.Status < 300:
			if req.Out == nil || len(bytes.TrimSpace(resp.Body)) == 0 {
				return resp, nil
			}
			perr := decodeJSON(resp, req.Out)
			if perr == nil {
				return resp, nil
			}
			// A cut or garbled answer, or a page from something other
			// than the API: the server did its part, the answer was lost
			// on the way, as with a reset.
			maybe = true
			fail = c.annotate(&identity.Error{Code: identity.Unavailable, Retryable: true, Message: "the response body could not be read as the JSON expected", Err: perr}, resp, tok)
			if !req.idempotent() {
				fail.Retryable = false
				fail.Message += "; not retried, since the server processed it"
				return nil, c.mark(req, fail, maybe)
			}
			wait = c.backoff(attempt)
		default:
			fail = c.decode(resp, tok)
			switch {
			case resp.Status == http.StatusUnauthorized && c.tokens != nil && !refreshed:
				// A token the server no longer accepts: one new token,
				// one more try, never a loop.
				c.tokens.Invalidate(tok)
				refreshed = true
				attempt--
				continue
			case resp.Status == http.StatusTooManyRequests:
				fail.Retryable, throttled = true, true
				wait = c.rateLimitWait(resp.Header)
				fail.RetryAfter = wait
				if wait == 0 {
					wait = c.backoff(attempt)
				}
				if ins != nil && limited < c.maxThrottled() && !c.clock.Now().Add(wait).After(deadline) {
					c.waitedFor(ctx, ins, "retry_after", wait)
				}
			case retryableStatus(resp.Status):
				// A gateway's 502 or 504 can come after the service
				// behind it did the work.
				fail.Retryable = true
				maybe = true
				if !req.idempotent() {
					fail.Message += "; not retried, since the server may have processed it"
					return nil, c.mark(req, fail, maybe)
				}
				wait = c.backoff(attempt)
			default:
				return nil, c.mark(req, fail, maybe)
			}
		}
		if throttled {
			limited++
		} else {
			spent++
		}
		if spent >= c.cfg.MaxAttempts || limited > c.maxThrottled() || c.clock.Now().Add(wait).After(deadline) {
			return nil, c.mark(req, fail, maybe)
		}
		if ins != nil {
			status := 0
			if resp != nil {
				status = resp.Status
			}
			c.retried(ctx, ins, reason(status, err, sent))
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		waited = wait
	}
}

// maxThrottled is how many 429s one call waits out: as many again as
// three times its other retries, so that bursts of 429s (a limiter's
// window refusing every request until it turns) do not use up the
// attempts a flaky network needs; none when MaxAttempts is 1, which asks
// for no retry at all.
func (c *Client) maxThrottled() int { return MaxThrottled(c.cfg.MaxAttempts) }

// MaxThrottled is how many 429s a call with maxAttempts attempts waits
// out before it gives up.
func MaxThrottled(maxAttempts int) int { return 3 * (maxAttempts - 1) }

// ErrMaybeProcessed is in the chain of an error from Do (test with
// errors.Is, or MaybeProcessed) when the request is not a GET or HEAD and
// it, or an earlier attempt of it, may have been processed by the server
// although no usable answer came back: a transport error after the request
// was sent, a 500, 502, 503 or 504, or a 2xx whose body could not be read.
// A caller that must not repeat the request's effect, such as a create,
// finds out what happened before trying again; a caller whose retried
// request met NotFound or AlreadyExists knows the earlier attempt may be
// why.
var ErrMaybeProcessed = errors.New("the server may have processed the request")

// MaybeProcessed reports whether ErrMaybeProcessed is in err's chain.
func MaybeProcessed(err error) bool { return errors.Is(err, ErrMaybeProcessed) }

// DoneIfGone is for the error of a DELETE: it returns nil when err is a
// NotFound met after an earlier attempt may have deleted the resource
// (the delete asked for happened, its answer was lost), and err
// otherwise. A NotFound on the first attempt stays NotFound.
func DoneIfGone(err error) error {
	if identity.CodeOf(err) == identity.NotFound && MaybeProcessed(err) {
		return nil
	}
	return err
}

// maybeProcessed puts ErrMaybeProcessed into an error's chain beside its
// cause, keeping the cause's message.
type maybeProcessed struct{ cause error }

func (m *maybeProcessed) Error() string {
	if m.cause == nil {
		return ErrMaybeProcessed.Error()
	}
	return m.cause.Error()
}

func (m *maybeProcessed) Unwrap() []error {
	if m.cause == nil {
		return []error{ErrMaybeProcessed}
	}
	return []error{ErrMaybeProcessed, m.cause}
}

// mark adds ErrMaybeProcessed to e when maybe holds for a request that
// has effects; for a read, whether the server processed it is moot.
func (c *Client) mark(req *Request, e *identity.Error, maybe bool) *identity.Error {
	if maybe && req.Method != http.MethodGet && req.Method != http.MethodHead && !errors.Is(e, ErrMaybeProcessed) {
		e.Err = &maybeProcessed{cause: e.Err}
	}
	return e
}

// decodeJSON decodes a 2xx body into out. A Content-Type that is not JSON
// fails even if the body would decode: such an answer came from something
// in the way (a proxy, a captive portal), not from the API.
func decodeJSON(resp *Response, out any) error {
	if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		// The value stays out of the message: the server chose it.
		return errors.New("the response's Content-Type is not JSON")
	}
	if d, ok := out.(BodyDecoder); ok {
		return d.DecodeBody(resp.Body)
	}
	return json.Unmarshal(resp.Body, out)
}

// isJSON reports whether the Content-Type ct is application/json or a
// +json type. The forms APIs send, "application/json" with or without
// "; charset=utf-8", are told without mime.ParseMediaType, which builds a
// map of parameters on every answer.
func isJSON(ct string) bool {
	const plain = "application/json"
	if len(ct) >= len(plain) && strings.EqualFold(ct[:len(plain)], plain) {
		switch rest := ct[len(plain):]; {
		case rest == "":
			return true
		case strings.EqualFold(rest, "; charset=utf-8"), strings.EqualFold(rest, ";charset=utf-8"):
			return true
		}
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// once makes one attempt. sent is false only when the request provably
// never reached the server.
func (c *Client) once(ctx context.Context, req *Request, body []byte) (resp *Response, tok *oauth2.Token, sent bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	r := c.rc.R().SetContext(actx)
	for k, vs := range req.Header {
		if k = http.CanonicalHeaderKey(k); k == "Authorization" {
			// The credential is the client's to set.
			continue
		}
		r.Header[k] = append(r.Header[k], vs...)
	}
	if c.tokens != nil {
		if tok, err = c.token(actx); err != nil {
			return nil, nil, false, tokenError(err)
		}
		r.Header["Authorization"] = []string{tok.Type() + " " + tok.AccessToken}
	}
	if body != nil {
		r.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	u := c.base + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	start := time.Now()
	rr, err := r.Execute(req.Method, u)
	if err != nil {
		return nil, tok, !dialFailed(err), err
	}
	raw := rr.RawBody()
	defer raw.Close()
	b, err := readBody(raw, rr.RawResponse.ContentLength, c.cfg.MaxResponseBytes)
	resp = &Response{Status: rr.StatusCode(), Header: rr.Header(), Body: b}
	if c.cfg.Logger != nil {
		c.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "http", slog.String("backend", c.cfg.Backend),
			slog.String("method", req.Method), slog.String("path", req.Path), slog.Int("status", resp.Status),
			slog.Duration("took", time.Since(start)), slog.String("request_id", c.requestID(resp.Header, tok)))
	}
	if c.pace != nil {
		c.pace.observe(resp.Header, c.clock.Now())
	}
	if err != nil {
		return nil, tok, true, err
	}
	if int64(len(b)) > c.cfg.MaxResponseBytes {
		return nil, tok, true, c.annotate(&identity.Error{Code: identity.Internal,
			Message: fmt.Sprintf("the response body is larger than %d bytes", c.cfg.MaxResponseBytes)}, resp, tok)
	}
	return resp, tok, true, nil
}

// readBody reads at most limit+1 bytes of r, in one allocation when the
// length is announced (and within the limit): the slice it returns is the
// only copy of the body Do makes, and what a decoded User.Raw points into.
func readBody(r io.Reader, length, limit int64) ([]byte, error) {
	if length < 0 || length > limit {
		return io.ReadAll(io.LimitReader(r, limit+1))
	}
	// One byte more than announced, so that a body longer than its
	// Content-Length shows as such rather than being cut silently.
	b := make([]byte, 0, length+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			// More than announced: read the rest up to the limit.
			rest, err := io.ReadAll(io.LimitReader(r, limit+1-int64(len(b))))
			return append(b, rest...), err
		}
	}
}

// requestID is the provider's request id from h, without the credential
// tok or AuthHeader carried: a server that echoes the request's headers
// could put it there, and the id goes into errors and the debug log.
func (c *Client) requestID(h http.Header, tok *oauth2.Token) string {
	if c.cfg.RequestIDHeader == "" {
		return ""
	}
	return c.redact(h.Get(c.cfg.RequestIDHeader), tok)
}

// decode turns a non-2xx response into an *identity.Error, without the
// credential tok or AuthHeader carried: a server or proxy that echoes the
// request's headers into its error body must not put them into the error,
// nor into the body DecodeError decoded as ProviderError.
func (c *Client) decode(resp *Response, tok *oauth2.Token) *identity.Error {
	var e *identity.Error
	if c.cfg.DecodeError != nil {
		e = c.cfg.DecodeError(resp.Status, resp.Header, resp.Body)
	}
	if e == nil {
		e = &identity.Error{Code: GenericError(resp.Status), Message: http.StatusText(resp.Status)}
	}
	e = c.annotate(e, resp, tok)
	for _, cred := range c.credentials(tok) {
		for _, f := range []*string{&e.Message, &e.ProviderCode, &e.Field, &e.RequestID} {
			*f = strings.ReplaceAll(*f, cred, "[REDACTED]")
		}
		if e.ProviderError != nil {
			redactStrings(&e.ProviderError, cred)
		}
	}
	return e
}

// credentials lists the forms of the credential a request carried, the
// whole Authorization value and the part after its scheme, for redaction.
func (c *Client) credentials(tok *oauth2.Token) []string {
	var creds []string
	add := func(cred string) {
		// Shorter values could not be told from ordinary words; no real
		// credential is that short.
		if len(cred) >= 8 {
			creds = append(creds, cred)
		}
	}
	add(string(c.cfg.AuthHeader))
	if _, cred, ok := strings.Cut(string(c.cfg.AuthHeader), " "); ok {
		add(cred)
	}
	if tok != nil {
		add(tok.AccessToken)
	}
	return creds
}

// redact returns s without any form of the credential a request carried.
func (c *Client) redact(s string, tok *oauth2.Token) string {
	for _, cred := range c.credentials(tok) {
		s = strings.ReplaceAll(s, cred, "[REDACTED]")
	}
	return s
}

func (c *Client) annotate(e *identity.Error, resp *Response, tok *oauth2.Token) *identity.Error {
	e.HTTPStatus = resp.Status
	if e.RequestID == "" {
		e.RequestID = c.requestID(resp.Header, tok)
	}
	return e
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.RetryBaseDelay << min(attempt-1, 16)
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	return rand.N(d) + time.Millisecond
}

// rateLimitWait reads how long a 429 asks to wait, capped at MaxRetryWait;
// 0 when the response does not say.
func (c *Client) rateLimitWait(h http.Header) time.Duration {
	d, ok := ParseRetryAfter(h.Get("Retry-After"), c.clock.Now())
	if !ok && c.cfg.RateLimitHeaders {
		d, ok = ResetWait(h, c.clock.Now())
	}
	if !ok {
		return 0
	}
	return min(d, c.cfg.MaxRetryWait)
}

// maxParsedWait bounds what ParseRetryAfter reports, whatever the header
// says: a day is past any caller's MaxRetryWait, and the bound keeps a
// far-future date from overflowing arithmetic downstream.
const maxParsedWait = 24 * time.Hour

// ParseRetryAfter reads a Retry-After value, delta-seconds or an HTTP
// date, as a wait from now, at most a day. ok is false when v is empty or
// malformed.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var secs int64
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && fmt.Sprint(secs) == v {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxParsedWait/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxParsedWait), true
}

// ResetWait reads Okta-style X-Rate-Limit-Reset (epoch seconds) against
// the response's Date header, as okta-sdk-golang does: reset - date + 1s,
// at most a day.
// Without a Date header the local clock stands in for it.
func ResetWait(h http.Header, now time.Time) (time.Duration, bool) {
	reset, ok := parseEpoch(h.Get("X-Rate-Limit-Reset"))
	if !ok {
		return 0, false
	}
	date := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		date = d
	}
	// Clamped before the second is added: Sub saturates for a reset
	// ages away, and the sum would wrap to a negative wait.
	d := min(reset.Sub(date), maxParsedWait) + time.Second
	return min(max(d, 0), maxParsedWait), true
}

func parseEpoch(v string) (time.Time, bool) {
	var secs int64
	if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d", &secs); err != nil || secs <= 0 || secs > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// clock is time as a Client sees it: the real one, or in tests a fake one
// whose waits pass at once.
type clock interface {
	Now() time.Time
	// Sleep waits d, or less with ctx's error when ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// dialFailed reports whether err says the connection was never made.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

type discard struct{}

func (discard) Errorf(string, ...any) {}
func (discard) Warnf(string, ...any)  {}
func (discard) Debugf(string, ...any) {}

// Format prints the backend and base URL only: fmt does not call the
// Secret's own Format on an unexported field, so the whole Client must
// keep its configuration to itself.
func (c *Client) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "httpx.Client{%s %s}", c.cfg.Backend, c.base)
}
