package httpx

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/otelx"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/oauth2"
)

// The attributes of an HTTP attempt's span, beside OpenTelemetry's
// http.request.method, url.template, http.response.status_code,
// http.request.resend_count and error.type (the status of a refusal;
// "transport", "token" or, for an attempt its caller gave up, "canceled",
// where no answer came).
const (
	// AttrAttempt is the attempt's number, from 1.
	AttrAttempt = attribute.Key("identity.http.attempt")
	// AttrWait is how long, in seconds, the call waited before this
	// attempt: for the rate limit's pacing, and after a 429 or a fault.
	AttrWait = attribute.Key("identity.http.wait")
	// AttrTokenFetch is true on an attempt that waited for an OAuth
	// token to be fetched; the fetch has a child span of its own.
	AttrTokenFetch = attribute.Key("identity.http.token_fetch")
	// AttrReason is why a call was retried or waited (see
	// identity.MetricHTTPRetries and identity.MetricRateLimitWait).
	AttrReason = attribute.Key("identity.reason")
)

// instruments are httpx's metrics.
type instruments struct {
	retries metric.Int64Counter
	waits   metric.Float64Histogram
	tokens  metric.Int64Counter
}

func newInstruments(m metric.Meter) *instruments {
	// A failed creation leaves a no-op instrument: telemetry never
	// breaks a call.
	retries, _ := m.Int64Counter(identity.MetricHTTPRetries, metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts made again by identity backends."))
	waits, _ := m.Float64Histogram(identity.MetricRateLimitWait, metric.WithUnit("s"),
		metric.WithDescription("Time identity backends waited for a provider's rate limit."),
		metric.WithExplicitBucketBoundaries(.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60))
	tokens, _ := m.Int64Counter(identity.MetricTokenFetches, metric.WithUnit("{fetch}"),
		metric.WithDescription("OAuth access tokens fetched by identity backends."))
	return &instruments{retries: retries, waits: waits, tokens: tokens}
}

// retried counts an attempt about to be made again.
func (c *Client) retried(ctx context.Context, ins *instruments, reason string) {
	if ins != nil {
		ins.retries.Add(ctx, 1, metric.WithAttributes(c.backendAttr, AttrReason.String(reason)))
	}
}

// waitedFor records a wait for the rate limit.
func (c *Client) waitedFor(ctx context.Context, ins *instruments, reason string, d time.Duration) {
	if ins != nil && d > 0 {
		ins.waits.Record(ctx, d.Seconds(), metric.WithAttributes(c.backendAttr, AttrReason.String(reason)))
	}
}

// tokenFetched counts a token fetch, the TokenCache's hook.
func (c *Client) tokenFetched(err error) {
	if ins := c.metrics.Instruments(); ins != nil {
		code := "OK"
		if err != nil {
			code = identity.Unauthenticated.String()
		}
		ins.tokens.Add(context.Background(), 1, metric.WithAttributes(c.backendAttr, identity.AttrCode.String(code)))
	}
}

// reason names a retry's cause for the metric: the status, or what
// failed.
func reason(status int, err error, sent bool) string {
	switch {
	case err != nil && !sent:
		return "token"
	case err != nil:
		return "transport"
	case status >= 200 && status < 300:
		return "body"
	}
	return strconv.Itoa(status)
}

// traced makes one attempt in a span of its own, a child of the
// operation's.
func (c *Client) traced(ctx context.Context, tr trace.Tracer, req *Request, body []byte, attempt int, waited time.Duration) (*Response, *oauth2.Token, bool, error) {
	route := c.route(req)
	ctx, span := tr.Start(ctx, req.Method+" "+route, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		c.backendAttr,
		attribute.String("http.request.method", req.Method),
		attribute.String("url.template", route),
		AttrAttempt.Int(attempt),
	))
	if attempt > 1 {
		span.SetAttributes(attribute.Int("http.request.resend_count", attempt-1))
	}
	if waited > 0 {
		span.SetAttributes(AttrWait.Float64(waited.Seconds()))
	}
	resp, tok, sent, err := c.once(ctx, req, body)
	switch {
	case err != nil:
		// The kind of failure only: a transport error's text can hold
		// the URL, and with it an id or a search.
		kind := "transport"
		switch {
		case ctx.Err() != nil:
			// A listing drops the pages it asked for ahead and no
			// longer needs: the caller's doing, not the server's.
			kind = "canceled"
		case !sent:
			kind = "token"
		}
		span.SetAttributes(attribute.String("error.type", kind))
		span.SetStatus(codes.Error, kind)
	default:
		span.SetAttributes(attribute.Int("http.response.status_code", resp.Status))
		if resp.Status >= 400 {
			s := strconv.Itoa(resp.Status)
			span.SetAttributes(attribute.String("error.type", s))
			span.SetStatus(codes.Error, s)
		}
	}
	span.End()
	return resp, tok, sent, err
}

// route returns req.Route, or when it is empty a template of req.Path in
// which every segment that is not one of Config.RouteWords reads {id}
// (without RouteWords, every segment that is not a plain word: lowercase
// ASCII letters, '-' and '_', or a version such as "v1"). It is what a
// trace names the request by, with no id, email or name in it.
func (c *Client) route(req *Request) string {
	if req.Route != "" {
		return req.Route
	}
	var b strings.Builder
	b.Grow(len(req.Path))
	for seg := range strings.SplitSeq(strings.TrimPrefix(req.Path, "/"), "/") {
		b.WriteByte('/')
		if c.routeWords != nil && c.routeWords[seg] || c.routeWords == nil && word(seg) {
			b.WriteString(seg)
		} else {
			b.WriteString("{id}")
		}
	}
	return b.String()
}

func word(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	if len(s) >= 2 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// newTelemetry sets a Client's tracer and meter from its options.
func (c *Client) newTelemetry() {
	c.tracing = otelx.NewTracing(c.cfg.TracerProvider)
	c.metrics = otelx.NewMetrics(c.cfg.MeterProvider, newInstruments)
	c.backendAttr = identity.AttrBackend.String(c.cfg.Backend)
	if len(c.cfg.RouteWords) > 0 {
		c.routeWords = make(map[string]bool, len(c.cfg.RouteWords))
		for _, w := range c.cfg.RouteWords {
			c.routeWords[w] = true
		}
	}
}

// token returns the token to send, fetching one, in a span of its own
// when tracing is on, when the cache holds none that is valid.
func (c *Client) token(ctx context.Context) (*oauth2.Token, error) {
	if t := c.tokens.valid(); t != nil {
		return t, nil
	}
	tr := c.tracing.Tracer()
	if tr == nil {
		return c.tokens.TokenContext(ctx)
	}
	trace.SpanFromContext(ctx).SetAttributes(AttrTokenFetch.Bool(true))
	_, span := tr.Start(ctx, "token", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(c.backendAttr))
	defer span.End()
	t, err := c.tokens.TokenContext(ctx)
	if err != nil {
		// The code only: the token endpoint's error can quote the
		// request, and the request carries the app's secret.
		span.SetStatus(codes.Error, identity.Unauthenticated.String())
	}
	return t, err
}
