package passage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/conformance"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/require"
)

// metadataFields is the app's user_metadata schema the tests need.
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

// fieldTypes are the emulator's fields as the backend is told them.
func fieldTypes(fs map[string]passagetest.FieldType) map[string]identity.ValueType {
	out := make(map[string]identity.ValueType, len(fs))
	for k, t := range fs {
		out[k] = identity.ValueType(t)
	}
	return out
}

var schemaOptions = openapicheck.Options{BasePath: "/v1"}

// options are the Options of a directory on the app "app1" at c.URL; the
// "roles" mode keeps roles in the metadata field of that name.
func options(c backendtest.Config) passage.Options {
	o := passage.Options{AppID: "app1", APIKey: identity.Secret(c.Secret), BaseURL: strings.TrimSuffix(c.URL, "/") + "/v1", HTTPOptions: c.HTTP,
		MetadataFields: fieldTypes(metadataFields())}
	if c.Mode == "roles" {
		o.RolesField = "roles"
	}
	return o
}

// emulated starts a schema-checked emulator and opens a directory with
// opts on it.
func emulated(t *testing.T, opts passage.Options) (*identity.Directory, *passagetest.Server) {
	t.Helper()
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "test-key", MetadataFields: metadataFields(),
		Middleware: openapicheck.Middleware(t, "passage", schemaOptions)})
	opts.AppID, opts.APIKey, opts.BaseURL = "app1", "test-key", srv.URL+"/v1"
	dir, err := passage.New(context.Background(), opts)
	require.NoError(t, err)
	return dir, srv
}

var capabilities = identity.Capabilities{
	Phone: true, Metadata: true, UniqueEmail: true, UniquePhone: true, RevokeSessions: true, Factors: true,
	Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended},
}

// withRoles is capabilities with roles kept in metadata.
func withRoles() identity.Capabilities {
	c := capabilities
	c.Roles, c.RoleCatalog = true, true
	return c
}

// kit describes the backend to the shared HTTP backend tests.
var kit = &backendtest.Backend{
	Name:        passage.Scheme,
	Credentials: []backendtest.Credential{{Name: "APIKey", Refused: "invalid_access_token"}},
	Modes:       []backendtest.Mode{{Capabilities: capabilities}, {Name: "roles", Capabilities: withRoles(), LocalCatalog: true}},
	Emulator: func(o backendtest.EmulatorOptions) backendtest.Emulator {
		return passagetest.New(passagetest.Options{AppID: "app1", APIKey: o.Secret, MetadataFields: metadataFields(), Middleware: o.Middleware})
	},
	Schema: schemaOptions,
	Open: func(ctx context.Context, c backendtest.Config) (*identity.Directory, error) {
		return passage.New(ctx, options(c))
	},
	Raw: func(tb testing.TB, c backendtest.Config, maxResponse int) driver.Directory {
		o := options(c)
		if o.RolesField != "" {
			o.Roles = []identity.Role{{Name: "editor"}}
		}
		return passage.RawDirectory(tb, o, maxResponse)
	},
	URLField: "BaseURL",
	URLs: map[string]bool{
		"passage://app1?base_url=http://127.0.0.1:8080/v1":                      true,
		"passage://app1?base_url=http://api.example.com/v1":                     false,
		"passage://app1?base_url=http://api.example.com/v1&insecure_http=true":  true,
		"passage://app1?base_url=http://api.example.com/v1&insecure_http=false": false,
		"passage://app1?insecure_http=maybe":                                    false,
		"passage://app1?nope=1":                                                 false,
		"passage://app1?roles=admin":                                            false,
		"passage://app1?roles_field=roles&roles=admin":                          true,
		"passage://app1/path":                                                   false,
		"passage://?base_url=https://x":                                         false,
	},
	Opener:    &passage.URLOpener{Options: passage.Options{APIKey: "k"}},
	APIPrefix: "/v1/",
	MissingID: "abc",
	Routes: []string{
		"/v1/apps/app1/users", "/v1/apps/app1/users/{user}",
		"/v1/apps/app1/users/{user}/activate", "/v1/apps/app1/users/{user}/deactivate",
		"/v1/apps/app1/users/{user}/devices", "/v1/apps/app1/users/{user}/devices/{[^/]+}",
		"/v1/apps/app1/users/{user}/tokens",
	},
	Hostile: []string{"../../other-app/users", "activate"},
	Sent:    []string{"activate"},
	Query: backendtest.Query{
		Path:    "/v1/apps/app1/users",
		Allowed: []string{"page", "limit", "identifier", "status", "created_before"},
		Email:   "identifier", Value: strings.ToLower,
		Search: "identifier", SearchValue: func(q string) string { return "like:%" + strings.ToLower(q) + "%" },
	},
	Refusals: []backendtest.Refusal{{Name: "an app the key is not for", Code: identity.InvalidArgument, ProviderCode: "app_not_found", Field: "AppID",
		Open: func(ctx context.Context, c backendtest.Config) (*identity.Directory, error) {
			o := options(c)
			o.AppID = "other"
			return passage.New(ctx, o)
		}}},
	Lost: backendtest.Lost{
		Users:        []identity.NewUser{{Email: "Ada@Example.com", Phone: "+14155550100", Metadata: map[string]any{"seats": 3}}},
		WriteMethods: []string{"PATCH", "DELETE"},
		WriteMode:    "roles",
		UpdateFaults: []faultinject.Fault{faultinject.MalformedJSON},
		DeleteFaults: []faultinject.Fault{faultinject.ResetAfter},
	},
	Leaks: backendtest.Leaks{
		Mode:    "roles",
		Options: func(c backendtest.Config) any { return options(c) },
		Errors: map[int]string{
			401: `{"code":"invalid_access_token","error":"bad token ` + hostiletest.EchoAuth + `"}`,
			403: `{"code":"operation_not_allowed","error":"` + hostiletest.EchoAuth + `"}`,
			500: `{"code":"internal_server_error","error":"request had ` + hostiletest.EchoAuth + `"}`,
			429: `{"code":"too_many_requests","error":"` + hostiletest.EchoAuth + `"}`,
		},
		Steps: func(t *testing.T, e *backendtest.LeakEnv) {
			_, err := e.Dir.UpdateUser(e.Ctx, e.User.ID, identity.UserUpdate{Metadata: map[string]any{"undefined_field": "x"}})
			require.ErrorIs(t, err, identity.ErrInvalidArgument)
			e.Check(t, "UpdateUser undefined field", err)
		},
	},
	Live: backendtest.Live{
		Env: []string{"PASSAGE_APP_ID", passage.EnvAPIKey}, Optional: []string{"PASSAGE_BASE_URL"},
		Note: " app, which must define the metadata fields the suite uses (see metadataFields)",
		URLs: []string{"PASSAGE_BASE_URL"},
		Open: func(ctx context.Context, env func(string) string, ho identity.HTTPOptions) (*identity.Directory, error) {
			return passage.New(ctx, passage.Options{AppID: env("PASSAGE_APP_ID"), APIKey: identity.Secret(env(passage.EnvAPIKey)), BaseURL: env("PASSAGE_BASE_URL"), HTTPOptions: ho})
		},
	},
	Actor: func(emu backendtest.Emulator) backendtest.Actor { return actor{emu.(*passagetest.Emulator)} },
	Fuzz:  backendtest.Fuzz{Seeds: fuzzSeeds()},
}

// actor acts at the emulator as a Passage user would: registering a
// passkey, signing in. Passage links no identities.
type actor struct{ emu *passagetest.Emulator }

func (a actor) AddFactor(_ context.Context, userID string, kind identity.FactorKind) (string, error) {
	if kind != identity.FactorWebAuthn {
		return "", driver.UnsupportedError("a Passage factor of kind " + string(kind) + ": its factors are WebAuthn devices")
	}
	id, ok := a.emu.AddDevice(userID, passagetest.Device{FriendlyName: "conformance passkey"})
	if !ok {
		return "", driver.Errorf(identity.NotFound, "no user %q to register a device for", userID)
	}
	return id, nil
}

func (actor) LinkIdentity(context.Context, string, string, string) (string, error) {
	return "", driver.UnsupportedError("LinkIdentity: Passage's API links no identities")
}

func (a actor) SignIn(_ context.Context, userID string) error {
	if _, ok := a.emu.SignIn(userID); !ok {
		return driver.Errorf(identity.FailedPrecondition, "user %q cannot sign in: missing or not active", userID)
	}
	return nil
}

func (a actor) Sessions(_ context.Context, userID string) (int, error) {
	return a.emu.RefreshTokens(userID), nil
}

// fuzzSeeds are Passage's answers for FuzzServerResponses.
func fuzzSeeds() []backendtest.ServerSeed {
	const j = backendtest.JSONHeader
	user := `{"id":"u1","email":"ada@example.com","status":"active","user_metadata":{"plan":"pro","roles":"editor"},"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}`
	return []backendtest.ServerSeed{
		{Status: 200, Headers: j, Body: `{"user":` + user + `}`},
		{Status: 201, Headers: j, Body: `{"user":` + user + `}`},
		{Status: 200, Headers: j, Body: `{"users":[` + user + `],"total_users":1,"limit":10,"page":1,"created_before":1700000000}`},
		{Status: 200, Headers: j, Body: `{"users":[` + user + `],"total_users":1000000000,"limit":1,"page":1,"created_before":1}`},
		{Status: 200, Headers: j, Body: `{"users":[` + user + `],"total_users":5,"limit":0,"page":1}`},
		{Status: 200, Headers: j, Body: `{"users":[],"total_users":5,"limit":500,"page":1}`},
		// Both a user and a page of users, so that DeleteRole's walk gets
		// past each user and on to the next page.
		{Status: 200, Headers: j, Body: `{"user":{"id":"u1","status":"active"},"users":[` + user + `],"total_users":1000000000,"limit":1,"page":1}`},
		{Status: 200, Headers: j, Body: `{"user":{"id":"u1","status":"active"},"users":[` + user + `],"total_users":5,"limit":0,"page":1}`},
		{Status: 200, Headers: j, Body: `{"user":null}`},
		{Status: 200, Headers: j, Body: `{"user":{"id":"u1","status":"banned"}}`},
		{Status: 200, Headers: j, Body: `{"user":` + user + `}`, Shape: hostiletest.Truncated},
		{Status: 200, Headers: j, Body: `{"user":` + user + `}`, Shape: hostiletest.Oversized},
		{Status: 404, Headers: j, Body: `{"code":"user_not_found","error":"User not found."}`},
		{Status: 404, Headers: j, Body: `{"code":"metadata_field_not_found","error":"metadata field \"{{auth}}\" not found"}`},
		{Status: 400, Headers: j, Body: `{"code":"invalid_request","error":"a user with this identifier already exists"}`},
		{Status: 401, Headers: j, Body: `{"code":"invalid_access_token","error":"Invalid access token: {{auth}}"}`},
		{Status: 403, Headers: j, Body: `{"code":"operation_not_allowed","error":"no"}`},
		{Status: 500, Headers: j, Body: `{"code":"internal_server_error","error":"{{auth}}"}`},
		{Status: 503, Headers: "Content-Type: text/html", Body: `<html>unavailable {{auth}}</html>`},
		{Status: 429, Headers: j + "\nRetry-After: 3600", Body: `{"code":"too_many_requests","error":"slow down"}`},
	}
}

// TestKit runs the tests every HTTP backend shares.
func TestKit(t *testing.T) { backendtest.Run(t, kit) }

func TestConformance(t *testing.T) { backendtest.Conformance(t, kit, "") }

func TestConformanceRolesInMetadata(t *testing.T) { backendtest.Conformance(t, kit, "roles") }

// TestConformanceLive runs the suite against a real Passage app.
func TestConformanceLive(t *testing.T) { backendtest.ConformanceLive(t, kit) }

// TestChaos runs the conformance suite under transient faults.
func TestChaos(t *testing.T) { backendtest.Chaos(t, kit) }

func FuzzServerResponses(f *testing.F) { backendtest.FuzzServerResponses(f, kit) }
