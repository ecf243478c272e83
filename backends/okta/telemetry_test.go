package okta_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/oteltest"
	"github.com/idport/identity/internal/secrettest"
)

// TestTelemetry runs a user's life traced: spans and metrics name the
// operations and routes, and hold no token, email, password or id.
func TestTelemetry(t *testing.T) {
	c := secrettest.New(t)
	token := c.Make("api-token")
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: token, Middleware: c.Middleware, NamesOptional: true})
	rec := oteltest.New(t)
	dir, err := okta.New(context.Background(), okta.Options{OrgURL: srv.URL, APIToken: identity.Secret(token),
		HTTPOptions: identity.HTTPOptions{Logger: c.Logger(), DirectoryOptions: rec.Options()}})
	if err != nil {
		t.Fatal(err)
	}
	id := oteltest.Flow(t, dir, c)
	rec.Check(t, c, id, true)
}
