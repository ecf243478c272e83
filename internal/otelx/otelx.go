// Package otelx resolves the OpenTelemetry providers a directory reports
// to, and tells when there are none, so that the code it instruments
// costs nothing then: no span, no attribute, no allocation.
//
// A provider given in options is used as it is, unless it is one of the
// otel/trace/noop or otel/metric/noop providers. With none given, the
// global one is looked up at each call (an atomic load), so that an
// application that installs its SDK after opening a directory still gets
// its telemetry; until one is installed, the global provider is the
// otel API's default, which records nothing, and that counts as none.
package otelx

import (
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of every tracer and meter.
const ScopeName = "github.com/idport/identity"

// The global providers as the otel API starts: they delegate to an SDK
// once one is installed, and until then record nothing. Taken at init,
// before any code of the application's can install another.
var (
	defaultTracerProvider = otel.GetTracerProvider()
	defaultMeterProvider  = otel.GetMeterProvider()
)

// Tracing hands out the tracer of a provider, or nil when tracing is off.
// Its zero value follows the global provider.
type Tracing struct {
	given trace.TracerProvider
	cache atomic.Pointer[tracerEntry]
}

type tracerEntry struct {
	tp trace.TracerProvider
	t  trace.Tracer
}

// NewTracing returns a Tracing over tp, or over the global provider when
// tp is nil.
func NewTracing(tp trace.TracerProvider) *Tracing { return &Tracing{given: tp} }

// Tracer returns the tracer to start spans with, or nil when no provider
// records anything.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil {
		return nil
	}
	tp := t.given
	if tp == nil {
		tp = otel.GetTracerProvider()
		if tp == defaultTracerProvider {
			return nil
		}
	}
	if e := t.cache.Load(); e != nil && e.tp == tp {
		return e.t
	}
	switch tp.(type) {
	case tracenoop.TracerProvider, *tracenoop.TracerProvider:
		return nil
	}
	e := &tracerEntry{tp: tp, t: tp.Tracer(ScopeName)}
	t.cache.Store(e)
	return e.t
}

// Metrics hands out instruments made by New from a meter, or nil when
// metrics are off. Its zero value follows the global provider.
type Metrics[I any] struct {
	given metric.MeterProvider
	make  func(metric.Meter) *I
	cache atomic.Pointer[metricsEntry[I]]
}

type metricsEntry[I any] struct {
	mp metric.MeterProvider
	i  *I
}

// NewMetrics returns a Metrics over mp, or over the global provider when
// mp is nil, whose instruments make creates, once per provider.
func NewMetrics[I any](mp metric.MeterProvider, make func(metric.Meter) *I) *Metrics[I] {
	return &Metrics[I]{given: mp, make: make}
}

// Instruments returns the instruments to record with, or nil when no
// provider records anything.
func (m *Metrics[I]) Instruments() *I {
	if m == nil {
		return nil
	}
	mp := m.given
	if mp == nil {
		mp = otel.GetMeterProvider()
		if mp == defaultMeterProvider {
			return nil
		}
	}
	if e := m.cache.Load(); e != nil && e.mp == mp {
		return e.i
	}
	switch mp.(type) {
	case metricnoop.MeterProvider, *metricnoop.MeterProvider:
		return nil
	}
	e := &metricsEntry[I]{mp: mp, i: m.make(mp.Meter(ScopeName))}
	m.cache.Store(e)
	return e.i
}
