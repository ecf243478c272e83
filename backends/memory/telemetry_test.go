package memory_test

import (
	"context"
	"testing"

	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/oteltest"
	"github.com/idport/identity/internal/secrettest"
)

// TestTelemetry runs a user's life traced: spans and metrics name the
// operations, and hold no email, password or id.
func TestTelemetry(t *testing.T) {
	c := secrettest.New(t)
	rec := oteltest.New(t)
	o := cheap
	o.DirectoryOptions = rec.Options()
	dir, err := memory.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	id := oteltest.Flow(t, dir, c)
	rec.Check(t, c, id, false)
}
