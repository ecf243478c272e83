package identity

import (
	"context"
	"errors"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// TestTelemetryOffCostsNothing: with no provider that records, an
// operation's telemetry allocates nothing, whether it succeeds or fails.
func TestTelemetryOffCostsNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    DirectoryOptions
	}{
		{"global providers untouched", DirectoryOptions{}},
		{"noop providers", DirectoryOptions{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Directory{backend: "test", tel: newTelemetry("test", tc.o)}
			fail := errors.New("failed")
			for _, err := range []error{nil, fail} {
				allocs := testing.AllocsPerRun(1000, func() {
					_, o := d.observe(context.Background(), "GetUser")
					e := err
					o.end(&e)
					_, errp := watch[*User](o.t != nil, func(*User, error) bool { return true })
					o.end(errp)
				})
				if allocs != 0 {
					t.Errorf("err %v: %v allocations per operation", err, allocs)
				}
			}
		})
	}
}
