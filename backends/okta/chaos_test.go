package okta_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/internal/chaostest"
	"github.com/idport/identity/internal/openapicheck"
)

var chaosRun = chaostest.New("okta")

// chaosHarness is the conformance harness with a fifth of the requests,
// authn included, meeting transient faults between the backend and the
// schema-checked emulator.
type chaosHarness struct{ harness }

func (chaosHarness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	f := chaosRun.Faults(t)
	check := openapicheck.Middleware(t, "okta", schemaOptions)
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken, NamesOptional: true,
		Middleware: func(h http.Handler) http.Handler { return f.Wrap(check(h)) }})
	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: testToken,
		HTTPOptions: identity.HTTPOptions{Timeout: chaostest.Timeout, MaxAttempts: chaostest.MaxAttempts, RetryBaseDelay: chaostest.RetryBaseDelay}})
	if err != nil {
		return nil, err
	}
	clean, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: testToken})
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
