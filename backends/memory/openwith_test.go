package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/oteltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestOpenWithOptions: identity.Open of memory:// with OpenOptions takes
// the DirectoryOptions inside the HTTPOptions, and asks no secret.
func TestOpenWithOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		url  string
	}{
		{"plain", "memory://"},
		{"a profile", "memory://?like=okta"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			rec := oteltest.New(t)
			o := rec.Options()
			// One page at a time: a listing left after its first user
			// has fetched one page, where the default fetches ahead.
			o.PrefetchPages = 1
			asked := 0
			dir, err := identity.Open(ctx, tt.url,
				identity.WithHTTPOptions(identity.HTTPOptions{MaxAttempts: 1, DirectoryOptions: o}),
				identity.WithSecrets(func(context.Context, string) (identity.Secret, error) { asked++; return "", nil }))
			require.NoError(t, err)
			defer dir.Close()
			assert.Zero(t, asked, "memory has no credentials to look up")

			for i := range 5 {
				_, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("u%d@example.com", i), GivenName: "U", FamilyName: "V"})
				require.NoError(t, err)
			}
			for _, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: 1}) {
				require.NoError(t, err)
				break
			}
			assert.Len(t, rec.Named("ListUsers"), 1, "the tracer provider given is the one used")
			assert.Equal(t, int64(1), pagesFetched(t, rec), "the meter provider given is the one used, and PrefetchPages too")
		})
	}
}

// pagesFetched is the sum of the pages counter rec holds.
func pagesFetched(t *testing.T, rec *oteltest.Recorder) int64 {
	t.Helper()
	var n int64
	for _, sm := range rec.Metrics(t).ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != identity.MetricPages {
				continue
			}
			sum, ok := m.Data.(metricdata.Sum[int64])
			require.True(t, ok, "%s is a counter", m.Name)
			for _, p := range sum.DataPoints {
				n += p.Value
			}
		}
	}
	return n
}
