package identity

import (
	"context"
	"time"

	"github.com/idport/identity/internal/otelx"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// The metrics a directory records, with the attributes each carries.
// HTTP backends add those of package httpx's: MetricHTTPRetries,
// MetricRateLimitWait and MetricTokenFetches, named below too. No metric
// carries an id, an email or any other value of a user's.
const (
	// MetricOperations is a histogram of each operation's duration in
	// seconds, by identity.backend, identity.operation and
	// identity.code ("OK", or the Code of the error).
	MetricOperations = "identity.operation.duration"
	// MetricPages counts the pages a listing fetched, by
	// identity.backend and identity.operation.
	MetricPages = "identity.list.pages"
	// MetricHTTPRetries counts HTTP attempts made again, by
	// identity.backend and identity.reason (the status, "transport",
	// "token" or "body").
	MetricHTTPRetries = "identity.http.retries"
	// MetricRateLimitWait is a histogram of the seconds an HTTP call
	// waited for a rate limit, by identity.backend and identity.reason
	// ("pacing", before a request, or "retry_after", after a 429).
	MetricRateLimitWait = "identity.http.rate_limit.wait"
	// MetricTokenFetches counts OAuth token fetches, by
	// identity.backend and identity.code ("OK" or the error's Code).
	MetricTokenFetches = "identity.http.token.fetches"
)

// The attribute keys of spans and metrics.
const (
	AttrBackend   = attribute.Key("identity.backend")
	AttrOperation = attribute.Key("identity.operation")
	AttrCode      = attribute.Key("identity.code")
	AttrPages     = attribute.Key("identity.list.pages")
	AttrUsers     = attribute.Key("identity.list.users")
)

// instruments are the portable layer's metrics.
type instruments struct {
	ops   metric.Float64Histogram
	pages metric.Int64Counter
}

func newInstruments(m metric.Meter) *instruments {
	// Errors from instrument creation leave a usable no-op instrument;
	// telemetry must never break a call.
	ops, _ := m.Float64Histogram(MetricOperations, metric.WithUnit("s"),
		metric.WithDescription("Duration of identity directory operations."),
		metric.WithExplicitBucketBoundaries(.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
	pages, _ := m.Int64Counter(MetricPages, metric.WithUnit("{page}"),
		metric.WithDescription("Pages fetched by identity listings."))
	return &instruments{ops: ops, pages: pages}
}

// telemetry is a directory's tracer and meter, each nil while off.
type telemetry struct {
	tracing *otelx.Tracing
	metrics *otelx.Metrics[instruments]
	backend attribute.KeyValue
}

func newTelemetry(backend string, o DirectoryOptions) telemetry {
	return telemetry{
		tracing: otelx.NewTracing(o.TracerProvider),
		metrics: otelx.NewMetrics(o.MeterProvider, newInstruments),
		backend: AttrBackend.String(backend),
	}
}

// observation is one operation under way; its zero value, what start
// returns with telemetry off, records nothing and costs nothing.
type observation struct {
	t     *telemetry
	name  string
	span  trace.Span
	ins   *instruments
	start time.Time
}

// observe starts an operation: a span, when tracing is on, in the
// context returned, and a clock, when metrics are on.
func (d *Directory) observe(ctx context.Context, op string) (context.Context, observation) {
	t := &d.tel
	tr, ins := t.tracing.Tracer(), t.metrics.Instruments()
	if tr == nil && ins == nil {
		return ctx, observation{}
	}
	o := observation{t: t, name: op, ins: ins}
	if tr != nil {
		ctx, o.span = tr.Start(ctx, op, trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(t.backend, AttrOperation.String(op)))
	}
	if ins != nil {
		o.start = time.Now()
	}
	return ctx, o
}

// codeLabel is the code attribute of err: "OK" for nil. A context's own
// error has no Code and is told by its name.
func codeLabel(err error) string {
	switch {
	case err == nil:
		return "OK"
	case err == context.Canceled:
		return "Canceled"
	case err == context.DeadlineExceeded:
		return "DeadlineExceeded"
	}
	return CodeOf(err).String()
}

// end records the operation's outcome, *errp. Only the code goes into
// the span's status: an error's message can quote what the provider
// said, and a provider can quote the email or name it refused.
func (o observation) end(errp *error) {
	if o.t == nil {
		return
	}
	var err error
	if errp != nil {
		err = *errp
	}
	code := codeLabel(err)
	if o.span != nil {
		o.span.SetAttributes(AttrCode.String(code))
		if err != nil {
			o.span.SetStatus(codes.Error, code)
		}
		o.span.End()
	}
	if o.ins != nil {
		o.ins.ops.Record(context.Background(), time.Since(o.start).Seconds(), metric.WithAttributes(
			o.t.backend, AttrOperation.String(o.name), AttrCode.String(code)))
	}
}

// page counts a page a listing fetched; ins is the listing's
// observation's, nil when metrics are off.
func (t *telemetry) page(ctx context.Context, ins *instruments, op string) {
	if ins != nil {
		ins.pages.Add(ctx, 1, metric.WithAttributes(t.backend, AttrOperation.String(op)))
	}
}

// listed puts a listing's totals on its span.
func (o observation) listed(pages, users int) {
	if o.span != nil {
		o.span.SetAttributes(AttrPages.Int(pages), AttrUsers.Int(users))
	}
}

// watch returns yield and where the error a listing yields is noted, for
// end; with telemetry off (on false) it is yield itself, and nil.
func watch[T any](on bool, yield func(T, error) bool) (func(T, error) bool, *error) {
	if !on {
		return yield, nil
	}
	errp := new(error)
	return func(v T, err error) bool {
		if err != nil {
			*errp = err
		}
		return yield(v, err)
	}, errp
}
