package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/benchkit"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

func seeded(b *testing.B, n int) (*identity.Directory, []string) {
	b.Helper()
	dir, _ := memory.New(context.Background(), cheap)
	ids := make([]string, n)
	for i := range n {
		u, err := dir.CreateUser(context.Background(), identity.NewUser{
			Email: fmt.Sprintf("user%d@example.com", i), Metadata: map[string]any{"plan": "free"},
		})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	return dir, ids
}

func BenchmarkCreateUser(b *testing.B) {
	dir, _ := memory.New(context.Background(), cheap)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("u%d@example.com", i)}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGetUser(b *testing.B) {
	dir, ids := seeded(b, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := dir.GetUser(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGetUserParallel(b *testing.B) {
	dir, ids := seeded(b, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := dir.GetUser(ctx, ids[i%len(ids)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkListUsers walks a directory of 100,000 users a page at a time;
// the allocations per op show the memory a full walk costs, which grows
// with the page, not with the directory.
func BenchmarkListUsers(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("page=%d", size), func(b *testing.B) {
			dir, _ := seeded(b, 100_000)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: size}) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 100_000 {
					b.Fatalf("listed %d users", n)
				}
			}
			b.ReportMetric(float64(100_000), "users/op")
		})
	}
}

func BenchmarkUpdateMetadata(b *testing.B) {
	dir, ids := seeded(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := dir.UpdateUser(ctx, ids[i%len(ids)], identity.UserUpdate{Metadata: map[string]any{"seats": float64(i)}}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkVerifyPassword measures the default argon2id cost, the one an
// application gets.
func BenchmarkVerifyPassword(b *testing.B) {
	dir, _ := memory.New(context.Background(), memory.Options{})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com", Password: "correct horse"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := dir.VerifyPassword(ctx, u.ID, "correct horse"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListHeap walks 100,000 users, prefetching (the default), and
// reports the heap the listing held above the directory's own.
func BenchmarkListHeap(b *testing.B) {
	dir, _ := seeded(b, 100_000)
	benchkit.HeapWhileListing(b, dir, 100, 100_000)
}

// BenchmarkTelemetry is GetUser with telemetry off (no provider), with
// the otel noop providers given, and on (the otel SDK recording every
// span and metric), in one process: what tracing and metrics cost per
// operation, and that off adds nothing.
func BenchmarkTelemetry(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts func(b *testing.B) identity.DirectoryOptions
	}{
		{"off", func(*testing.B) identity.DirectoryOptions { return identity.DirectoryOptions{} }},
		{"noop", func(*testing.B) identity.DirectoryOptions {
			return identity.DirectoryOptions{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()}
		}},
		{"traced", func(b *testing.B) identity.DirectoryOptions {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			return identity.DirectoryOptions{TracerProvider: tp}
		}},
		{"traced+metrics", func(b *testing.B) identity.DirectoryOptions {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
			return identity.DirectoryOptions{TracerProvider: tp, MeterProvider: mp}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			o := cheap
			o.DirectoryOptions = tc.opts(b)
			dir, _ := memory.New(context.Background(), o)
			ctx := context.Background()
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dir.GetUser(ctx, u.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
