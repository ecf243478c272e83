package httpx

import (
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// TestTelemetryOffCostsNothing: with no provider that records, looking
// the tracer and the meter up for a call allocates nothing, and finds
// none.
func TestTelemetryOffCostsNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"global providers untouched", Config{}},
		{"noop providers", func() Config {
			var c Config
			c.TracerProvider, c.MeterProvider = tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider()
			return c
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Backend, tc.cfg.BaseURL = "test", "http://127.0.0.1:1"
			c, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(1000, func() {
				if c.tracing.Tracer() != nil || c.metrics.Instruments() != nil {
					t.Fatal("telemetry on")
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per call", allocs)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	words := []string{"api", "v1", "users", "password", "verify", "apps", "lifecycle", "suspend"}
	for _, tc := range []struct {
		words             []string
		path, route, want string
	}{
		{words, "/api/v1/users/00u1abc", "", "/api/v1/users/{id}"},
		{words, "/api/users/abcdefghijkl/password/verify", "", "/api/users/{id}/password/verify"},
		{words, "/api/v1/users/00u1/lifecycle/suspend", "", "/api/v1/users/{id}/lifecycle/suspend"},
		{words, "/api/users/abcdefghijkl", "/api/users/{id}", "/api/users/{id}"},
		{words, "/apps/app1/users/Zq9", "", "/apps/{id}/users/{id}"},
		{words, "/api/v1/users/ada%40example.com", "", "/api/v1/users/{id}"},
		{words, "/api/v1/users/users", "", "/api/v1/users/users"},
		{nil, "/api/v1/users/00u1abc", "", "/api/v1/users/{id}"},
		{nil, "/api/organization-roles", "", "/api/organization-roles"},
		{nil, "/api/v1/users/Ada", "", "/api/v1/users/{id}"},
		{nil, "/", "", "/{id}"},
	} {
		c, err := New(Config{Backend: "test", BaseURL: "http://127.0.0.1:1", RouteWords: tc.words})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.route(&Request{Path: tc.path, Route: tc.route}); got != tc.want {
			t.Errorf("route(%q, %q) with %v = %q, want %q", tc.path, tc.route, tc.words, got, tc.want)
		}
	}
}
