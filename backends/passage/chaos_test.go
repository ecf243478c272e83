package passage_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/internal/chaostest"
	"github.com/idport/identity/internal/openapicheck"
)

var chaosRun = chaostest.New("passage")

// chaosHarness is the conformance harness (default mode: no roles) with
// a fifth of the requests meeting transient faults between the backend
// and the schema-checked emulator.
type chaosHarness struct{ harness }

func (chaosHarness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	f := chaosRun.Faults(t)
	check := openapicheck.Middleware(t, "passage", openapicheck.Options{BasePath: "/v1"})
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "test-key", MetadataFields: metadataFields(),
		Middleware: func(h http.Handler) http.Handler { return f.Wrap(check(h)) }})
	opts := passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1"}
	clean, err := passage.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	opts.Timeout, opts.MaxAttempts, opts.RetryBaseDelay = chaostest.Timeout, chaostest.MaxAttempts, chaostest.RetryBaseDelay
	dir, err := passage.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	return chaosRun.Track(t, dir, f, clean), nil
}

// TestChaos runs the conformance suite under faults and checks, after
// each subtest, that the emulator holds no duplicate and lost no write.
func TestChaos(t *testing.T) {
	conformance.Run(t, chaosHarness{})
	chaosRun.Report(t)
}
