package passage_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/oteltest"
	"github.com/idport/identity/internal/secrettest"
)

// TestTelemetry runs a user's life traced: spans and metrics name the
// operations and routes, and hold no key, email or id.
func TestTelemetry(t *testing.T) {
	c := secrettest.New(t)
	key := c.Make("api-key")
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: key, Middleware: c.Middleware, MetadataFields: metadataFields()})
	rec := oteltest.New(t)
	dir, err := passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: identity.Secret(key), BaseURL: srv.URL + "/v1",
		HTTPOptions: identity.HTTPOptions{Logger: c.Logger(), DirectoryOptions: rec.Options()}})
	if err != nil {
		t.Fatal(err)
	}
	id := oteltest.Flow(t, dir, c)
	rec.Check(t, c, id, true)
}
