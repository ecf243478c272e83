package identity

import (
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// DefaultPrefetchPages is the PrefetchPages of the zero DirectoryOptions.
const DefaultPrefetchPages = 4

// DirectoryOptions are the settings of the portable layer itself, the
// same whatever the backend: how listings fetch pages, and where traces
// and metrics go. Each backend's Options carries them (an HTTP backend's
// through HTTPOptions) and hands them to [NewDirectory]. The zero value
// is the defaults.
type DirectoryOptions struct {
	// PrefetchPages bounds how many pages of one ListUsers listing are
	// fetched and not yet yielded at a time, the page the loop is on
	// included; 0 means DefaultPrefetchPages, and 1 fetches each page
	// only once the loop has finished the one before.
	//
	// On a backend whose pages are numbered (Logto, Passage) that many
	// pages are requested at once. A listing there of every user, or of
	// every user in a status, asks for its first pages (up to
	// DefaultPrefetchPages of them) together, without waiting for the
	// first answer to say how many there are: a listing of one page then
	// costs up to three requests more, answered empty. On a backend whose
	// cursor comes with each page (Okta) the next page is requested while
	// the loop works on the current one.
	//
	// Users still come in the provider's order, and every request goes
	// through the backend's pacing and retries, so a listing ahead never
	// sends faster than the provider's advertised rate limit allows.
	PrefetchPages int
	// TracerProvider gets a span for each operation, with a child span
	// for each HTTP attempt; nil means the global one
	// (otel.GetTracerProvider), looked up at each call. Spans carry the
	// backend, the operation, the error code, and for HTTP the method,
	// route template, status, attempt and waits: never an id in a span
	// name, nor a credential, an email, a password or a body.
	TracerProvider trace.TracerProvider
	// MeterProvider gets the directory's metrics (see MetricOperations
	// and the names beside it); nil means the global one, looked up at
	// each call.
	MeterProvider metric.MeterProvider
}

func (o DirectoryOptions) prefetch() int {
	if o.PrefetchPages <= 0 {
		return DefaultPrefetchPages
	}
	return o.PrefetchPages
}
