package logto_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/oteltest"
	"github.com/idport/identity/internal/secrettest"
)

// TestTelemetry runs a user's life traced: spans and metrics name the
// operations and routes, and hold no secret, email, password or id.
func TestTelemetry(t *testing.T) {
	c := secrettest.New(t)
	secret := c.Make("app-secret")
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: secret, Middleware: c.Middleware})
	rec := oteltest.New(t)
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: identity.Secret(secret),
		HTTPOptions: identity.HTTPOptions{Logger: c.Logger(), DirectoryOptions: rec.Options()}})
	if err != nil {
		t.Fatal(err)
	}
	id := oteltest.Flow(t, dir, c)
	rec.Check(t, c, id, true)
	if testing.Verbose() {
		t.Log(rec.Dump(t))
	}
	if len(rec.Named("token")) != 1 {
		t.Errorf("want one token fetch span, got %d", len(rec.Named("token")))
	}
}
