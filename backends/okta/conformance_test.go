package okta_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/internal/openapicheck"
)

const testToken = "okta-conformance-token"

// emulated starts a schema-checked emulator and opens a directory on it
// with the API token, unless o names a service app.
func emulated(t *testing.T, eo oktatest.Options, o okta.Options) (*identity.Directory, *oktatest.Server) {
	t.Helper()
	eo.APIToken = testToken
	eo.Middleware = openapicheck.Middleware(t, "okta", schemaOptions)
	srv := oktatest.NewServer(t, eo)
	o.OrgURL = srv.URL
	if o.ClientID == "" {
		o.APIToken = testToken
	}
	dir, err := okta.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return dir, srv
}

// schemaOptions lets through what Okta's management document leaves out:
// the org authorization server's token endpoint and the Authentication
// API, which are other documents; 401 E0000011, which every /api route
// answers to a bad token but the document lists nowhere; 412 E0000231,
// the answer to a stale If-Match that Okta's error-code list publishes for
// user updates; and 409 E0000090, the published answer to assigning an
// administrator role the user already has.
var schemaOptions = openapicheck.Options{
	Unchecked: []string{"/oauth2/v1/token", "/api/v1/authn"},
	ExtraStatuses: map[string][]int{
		"GET /api/v1/users":                           {401},
		"POST /api/v1/users":                          {401},
		"GET /api/v1/users/{id}":                      {401},
		"POST /api/v1/users/{id}":                     {401, 412},
		"PUT /api/v1/users/{id}":                      {401, 412},
		"DELETE /api/v1/users/{id}":                   {401},
		"GET /api/v1/users/{id}/groups":               {401},
		"POST /api/v1/users/{id}/lifecycle/suspend":   {401},
		"GET /api/v1/groups":                          {401},
		"POST /api/v1/groups":                         {401},
		"PUT /api/v1/groups/{groupId}/users/{userId}": {401},
		"POST /api/v1/users/{userId}/roles":           {401, 409},
	},
}

type harness struct {
	eo   oktatest.Options
	mode okta.RoleMode
}

func (h harness) MakeDirectory(_ context.Context, t *testing.T) (*identity.Directory, error) {
	eo := h.eo
	// Okta's default profile requires firstName and lastName; orgs that
	// onboard users by email alone make them optional, and the suite
	// creates users by email alone.
	eo.NamesOptional = true
	dir, _ := emulated(t, eo, okta.Options{RoleMode: h.mode})
	return dir, nil
}

func (h harness) Capabilities() identity.Capabilities {
	c := groupsCapabilities()
	// Administrator role types are a fixed set: assigned, never created.
	c.RoleCatalog = h.mode != okta.RoleModeAdmin
	return c
}

func groupsCapabilities() identity.Capabilities {
	return identity.Capabilities{
		Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
		EmailRequired: true, PendingCreate: true, PendingUntilPassword: true, Roles: true, RoleCatalog: true,
		SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
		Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended,
			identity.StatusLocked, identity.StatusDeprovisioned},
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, harness{}) }

// TestConformanceAdminRoles runs the suite with roles mapped to Okta's
// standard administrator role types.
func TestConformanceAdminRoles(t *testing.T) {
	conformance.Run(t, harness{mode: okta.RoleModeAdmin})
}

// emailLogins runs the suite against an org whose logins must be email
// addresses, Okta's default.
type emailLogins struct{ harness }

func (emailLogins) Username(base string) string { return base + "@example.com" }

func TestConformanceEmailLogins(t *testing.T) {
	conformance.Run(t, emailLogins{harness{eo: oktatest.Options{EmailLogins: true}}})
}

type liveHarness struct{}

func (liveHarness) MakeDirectory(ctx context.Context, t *testing.T) (*identity.Directory, error) {
	dir, err := identity.Open(ctx, "okta://"+hostOf(os.Getenv("OKTA_ORG_URL")))
	if err != nil {
		return nil, err
	}
	return conformance.WithCleanup(t, dir), nil
}

func (liveHarness) Capabilities() identity.Capabilities { return harness{}.Capabilities() }

// Okta's default login pattern is an email address.
func (liveHarness) Username(base string) string { return base + "@example.com" }

func hostOf(orgURL string) string {
	if u, err := url.Parse(orgURL); err == nil && u.Host != "" {
		return u.Host
	}
	return orgURL
}

// TestConformanceLive runs the suite against a real org; every user and
// group it creates is deleted when each subtest ends, pass or fail. The
// org's profile must let firstName and lastName be empty.
func TestConformanceLive(t *testing.T) {
	if os.Getenv("OKTA_ORG_URL") == "" || os.Getenv(okta.EnvAPIToken) == "" && os.Getenv(okta.EnvClientID) == "" {
		t.Skip("set OKTA_ORG_URL and OKTA_API_TOKEN (or OKTA_CLIENT_ID with OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE, and optionally OKTA_KEY_ID and OKTA_SCOPES) to run the suite against a real Okta org")
	}
	conformance.Run(t, liveHarness{})
}
