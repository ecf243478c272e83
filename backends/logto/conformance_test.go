package logto_test

import (
	"context"
	"os"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/internal/openapicheck"
)

// emulated starts a schema-checked emulator and opens a directory on it.
func emulated(t *testing.T, eo logtotest.Options) (*identity.Directory, *logtotest.Server) {
	t.Helper()
	eo.AppID, eo.AppSecret = "m2m", "s3cret"
	eo.Middleware = openapicheck.Middleware(t, "logto", schemaOptions)
	srv := logtotest.NewServer(t, eo)
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, srv
}

// schemaOptions lets through what Logto's document leaves out: the OIDC
// token endpoint, and the 404 entity.not_found that every /users/{userId}
// route answers for a missing user (findUserById runs first in each
// handler; observed for password/verify, SEMANTICS.md section 5), which
// the generated document omits for these two.
var schemaOptions = openapicheck.Options{
	Unchecked: []string{"/oidc/token"},
	ExtraStatuses: map[string][]int{
		"PATCH /api/users/{userId}/password":  {404},
		"GET /api/users/{userId}/custom-data": {404},
	},
}

type harness struct{}

func (harness) MakeDirectory(_ context.Context, t *testing.T) (*identity.Directory, error) {
	dir, _ := emulated(t, logtotest.Options{})
	return dir, nil
}

func (harness) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true, Roles: true, RoleCatalog: true, UniqueEmail: true, UniquePhone: true,
		SetPassword: true, VerifyPassword: true, ChangePassword: true,
		Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, harness{}) }

type liveHarness struct{}

func (liveHarness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	dir, err := logto.New(ctx, logto.Options{
		Endpoint: os.Getenv("LOGTO_ENDPOINT"), AppID: os.Getenv(logto.EnvAppID),
		AppSecret: identity.Secret(os.Getenv(logto.EnvAppSecret)), Resource: os.Getenv(logto.EnvResource),
	})
	if err != nil {
		return nil, err
	}
	return conformance.WithCleanup(t, dir), nil
}

func (liveHarness) Capabilities() identity.Capabilities { return harness{}.Capabilities() }

// TestConformanceLive runs the suite against a real Logto; every user and
// role it creates is deleted when each subtest ends, pass or fail.
func TestConformanceLive(t *testing.T) {
	if os.Getenv("LOGTO_ENDPOINT") == "" || os.Getenv(logto.EnvAppID) == "" || os.Getenv(logto.EnvAppSecret) == "" {
		t.Skip("set LOGTO_ENDPOINT, LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET (LOGTO_RESOURCE optional) to run the suite against a real Logto")
	}
	conformance.Run(t, liveHarness{})
}
