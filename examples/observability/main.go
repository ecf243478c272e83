// Command observability shows what a directory reports to OpenTelemetry:
// it installs the SDK with the stdout exporters as the global providers,
// opens the directory IDENTITY_URL names (memory:// when unset), makes a
// few calls, and prints every span and, at the end, every metric.
//
//	go run ./examples/observability
//	IDENTITY_URL=logto://auth.example.com LOGTO_M2M_APP_ID=... LOGTO_M2M_APP_SECRET=... go run ./examples/observability
//
// A directory opened with a backend's New can be given its providers
// instead, in its Options: identity.DirectoryOptions{TracerProvider: tp,
// MeterProvider: mp}, through HTTPOptions for an HTTP backend.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/idport/identity"
	_ "github.com/idport/identity/backends/logto"
	_ "github.com/idport/identity/backends/memory"
	_ "github.com/idport/identity/backends/okta"
	_ "github.com/idport/identity/backends/passage"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Getenv("IDENTITY_URL")); err != nil {
		fmt.Fprintln(os.Stderr, "observability:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, dirURL string) (err error) {
	if dirURL == "" {
		dirURL = "memory://"
	}
	spans, err := stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(out), stdoutmetric.WithPrettyPrint())
	if err != nil {
		return err
	}
	reader := sdkmetric.NewPeriodicReader(metrics)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	defer func() {
		// Shutting down flushes what is left: the metrics, at least.
		if e := mp.Shutdown(ctx); err == nil {
			err = e
		}
		if e := tp.Shutdown(ctx); err == nil {
			err = e
		}
	}()

	dir, err := identity.Open(ctx, dirURL)
	if err != nil {
		return err
	}
	defer dir.Close()
	tag := make([]byte, 4)
	_, _ = rand.Read(tag)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "observability-" + hex.EncodeToString(tag) + "@example.com"})
	if err != nil {
		return err
	}
	defer func() {
		if e := dir.DeleteUser(ctx, u.ID); err == nil {
			err = e
		}
	}()
	if _, err := dir.GetUser(ctx, u.ID); err != nil {
		return err
	}
	for _, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: 10}) {
		if err != nil {
			return err
		}
	}
	return nil
}
