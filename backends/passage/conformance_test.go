package passage_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/internal/openapicheck"
)

// metadataFields is the app's user_metadata schema the suite needs.
func metadataFields() map[string]passagetest.FieldType {
	f := map[string]passagetest.FieldType{
		"plan": passagetest.String, "tier": passagetest.String, "note": passagetest.String,
		"seats": passagetest.Integer, "beta": passagetest.Boolean, "roles": passagetest.String,
	}
	for i := range conformance.Goroutines {
		f[fmt.Sprintf("k%d", i)] = passagetest.String
	}
	return f
}

// emulated starts a schema-checked emulator and opens a directory on it.
func emulated(t *testing.T, opts passage.Options) (*identity.Directory, *passagetest.Server) {
	t.Helper()
	srv := passagetest.NewServer(t, passagetest.Options{
		AppID: "app1", APIKey: "test-key", MetadataFields: metadataFields(),
		Middleware: openapicheck.Middleware(t, "passage", openapicheck.Options{BasePath: "/v1"}),
	})
	opts.AppID, opts.APIKey, opts.BaseURL = "app1", "test-key", srv.URL+"/v1"
	dir, err := passage.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, srv
}

type harness struct{ roles bool }

func (h harness) MakeDirectory(_ context.Context, t *testing.T) (*identity.Directory, error) {
	var opts passage.Options
	if h.roles {
		opts.RolesField = "roles"
	}
	dir, _ := emulated(t, opts)
	return dir, nil
}

func (h harness) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Phone: true, Metadata: true, Roles: h.roles, RoleCatalog: h.roles, UniqueEmail: true, UniquePhone: true,
		Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended},
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, harness{}) }

func TestConformanceRolesInMetadata(t *testing.T) { conformance.Run(t, harness{roles: true}) }

type liveHarness struct{ roles bool }

func (h liveHarness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	opts := passage.Options{AppID: os.Getenv("PASSAGE_APP_ID"), APIKey: identity.Secret(os.Getenv(passage.EnvAPIKey)), BaseURL: os.Getenv("PASSAGE_BASE_URL")}
	dir, err := passage.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	return conformance.WithCleanup(t, dir), nil
}

func (h liveHarness) Capabilities() identity.Capabilities { return harness{}.Capabilities() }

// TestConformanceLive runs the suite against a real Passage app. The app
// must define the metadata fields the suite uses (see metadataFields).
func TestConformanceLive(t *testing.T) {
	if os.Getenv("PASSAGE_APP_ID") == "" || os.Getenv(passage.EnvAPIKey) == "" {
		t.Skip("set PASSAGE_APP_ID and PASSAGE_API_KEY (and optionally PASSAGE_BASE_URL) to run the suite against a real Passage app")
	}
	conformance.Run(t, liveHarness{})
}
