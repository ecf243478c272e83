package kratos_test

import (
	"context"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/require"
)

// traits are those of kratostest.PersonSchema, the schema the emulator
// and scripts/kratos.sh's real server both run with.
var traits = kratos.Traits{Email: "email", Username: "username", Phone: "phone", GivenName: "name.first", FamilyName: "name.last", DisplayName: "display_name"}

// options are the Options of a directory on the server at c.URL, which
// serves the admin and the public API; the "admin" mode keeps metadata in
// metadata_admin.
func options(c backendtest.Config) kratos.Options {
	o := kratos.Options{AdminURL: c.URL, PublicURL: c.URL, APIKey: identity.Secret(c.Secret), Traits: traits, HTTPOptions: c.HTTP}
	if c.Mode == "admin" {
		o.Metadata = kratos.MetadataAdmin
	}
	return o
}

// schemaOptions lets through the 401 Kratos answers a login with the right
// password of an inactive identity, whose details.identity_id the
// document's error schema leaves out (SEMANTICS.md 6.3, observed).
var schemaOptions = openapicheck.Options{ExtraStatuses: map[string][]int{"POST /self-service/login": {401}}}

var capabilities = identity.Capabilities{
	Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true, Roles: true, RoleCatalog: true,
	UniqueEmail: true, UniquePhone: true, SetPassword: true, VerifyPassword: true, ChangePassword: true,
	RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, HasPassword: true, ResetPasswordLink: true,
	PasswordHashes: []string{"argon2id", "argon2i", "bcrypt", "pbkdf2-sha1", "pbkdf2-sha256", "pbkdf2-sha512",
		"scrypt", "sha1", "sha256", "sha512", "md5", "firescrypt"},
	ExportPasswordHash: true,
	Statuses:           []identity.Status{identity.StatusActive, identity.StatusSuspended},
}

// kit describes the backend to the shared HTTP backend tests. The
// credential is an Ory Network API key; self-hosted Kratos, which the
// live mode runs against, has none.
var kit = &backendtest.Backend{
	Name:        kratos.Scheme,
	Credentials: []backendtest.Credential{{Name: "APIKey", Refused: "401"}},
	Modes: []backendtest.Mode{
		{Capabilities: capabilities, LocalCatalog: true},
		{Name: "admin", Capabilities: capabilities, LocalCatalog: true},
	},
	Emulator: func(o backendtest.EmulatorOptions) backendtest.Emulator {
		return kratostest.New(kratostest.Options{APIKey: o.Secret, Middleware: o.Middleware})
	},
	Schema: schemaOptions,
	Open: func(ctx context.Context, c backendtest.Config) (*identity.Directory, error) {
		return kratos.New(ctx, options(c))
	},
	Raw: func(tb testing.TB, c backendtest.Config, maxResponse int) driver.Directory {
		return kratos.RawDirectory(tb, options(c), maxResponse)
	},
	URLField: "AdminURL",
	URLs: map[string]bool{
		"kratos://127.0.0.1:4434?insecure_http=true&public_url=http://127.0.0.1:4433":  true,
		"kratos://127.0.0.1:4434?insecure_http=true&metadata=admin&roles=admin,editor": true,
		"kratos://kratos.example.com":                                                         true,
		"kratos://kratos.example.com?public_url=http://kratos.example.com":                    false,
		"kratos://kratos.example.com?insecure_http=true&public_url=http://kratos.example.com": true,
		"kratos://kratos.example.com?username_trait=login&identifiers=email,username":         true,
		"kratos://kratos.example.com?identifiers=username":                                    false,
		"kratos://kratos.example.com?email_trait=a..b":                                        false,
		"kratos://kratos.example.com?given_name_trait=email":                                  false,
		"kratos://kratos.example.com?metadata=private":                                        false,
		"kratos://kratos.example.com?insecure_http=maybe":                                     false,
		"kratos://kratos.example.com?nope=1":                                                  false,
		"kratos://kratos.example.com/path":                                                    false,
		"kratos://?public_url=https://x":                                                      false,
	},
	Opener:    &kratos.URLOpener{},
	APIPrefix: "/admin/",
	// The public API's login and logout carry the password and a
	// session token, never the API key.
	MissingID: "00000000-0000-4000-8000-000000000001",
	Routes: []string{
		"/admin/identities", "/admin/identities/{user}", "/admin/identities/{user}/sessions",
		"/admin/identities/{user}/credentials/{totp|lookup_secret|webauthn|oidc}", "/admin/recovery/link",
		"/self-service/login/api", "/self-service/login", "/self-service/logout/api",
	},
	Hostile: []string{"../sessions", "sessions", "../../self-service/login"},
	Sent:    []string{"sessions"},
	Query: backendtest.Query{
		Path:    "/admin/identities",
		Allowed: []string{"page_size", "page_token", "credentials_identifier"},
		Email:   "credentials_identifier", Username: "credentials_identifier", Value: strings.ToLower,
	},
	Lost: backendtest.Lost{
		CreatePaths:  []string{"/admin/identities"},
		Users:        []identity.NewUser{{Email: "Ada@Example.com", Username: "ada", Phone: "+14155550100", Metadata: map[string]any{"seats": 3}}},
		WriteMethods: []string{"PATCH", "PUT", "DELETE"},
		UpdateFaults: []faultinject.Fault{faultinject.MalformedJSON},
		DeleteFaults: []faultinject.Fault{faultinject.ResetAfter},
	},
	Leaks: backendtest.Leaks{
		Options: func(c backendtest.Config) any { return options(c) },
		Errors: map[int]string{
			401: `{"error":{"code":401,"status":"Unauthorized","message":"The request could not be authorized","reason":"` + hostiletest.EchoAuth + `"}}`,
			403: `{"error":{"code":403,"status":"Forbidden","message":"` + hostiletest.EchoAuth + `"}}`,
			500: `{"error":{"code":500,"status":"Internal Server Error","message":"request had ` + hostiletest.EchoAuth + `"}}`,
			429: `{"error":{"code":429,"status":"Too Many Requests","message":"` + hostiletest.EchoAuth + `"}}`,
		},
		Steps: func(t *testing.T, e *backendtest.LeakEnv) {
			_, err := e.Dir.UpdateUser(e.Ctx, e.User.ID, identity.UserUpdate{Email: new("not-an-email")})
			require.ErrorIs(t, err, identity.ErrInvalidArgument)
			e.Check(t, "UpdateUser invalid email", err)
		},
	},
	Live: backendtest.Live{
		Env: []string{"KRATOS_ADMIN_URL", "KRATOS_PUBLIC_URL"}, Optional: []string{kratos.EnvAPIKey},
		Note: " server whose default identity schema is backends/kratos/kratostest/person.schema.json (scripts/kratos.sh starts one)",
		URLs: []string{"KRATOS_ADMIN_URL", "KRATOS_PUBLIC_URL"},
		Open: func(ctx context.Context, env func(string) string, ho identity.HTTPOptions) (*identity.Directory, error) {
			return kratos.New(ctx, kratos.Options{AdminURL: env("KRATOS_ADMIN_URL"), PublicURL: env("KRATOS_PUBLIC_URL"),
				APIKey: identity.Secret(env(kratos.EnvAPIKey)), Traits: traits, HTTPOptions: ho})
		},
	},
	Actor: func(emu backendtest.Emulator) backendtest.Actor { return actor{emu.(*kratostest.Emulator)} },
	Fuzz:  backendtest.Fuzz{Seeds: fuzzSeeds()},
}

// actor acts at the emulator as a Kratos user would through the settings
// flows and a social sign-in: enrolling a TOTP app, recovery codes or a
// security key, linking an oidc account, signing in.
type actor struct{ emu *kratostest.Emulator }

// enrolled are the credential types that make each factor kind; the
// factor's id is the type.
var enrolled = map[identity.FactorKind]kratostest.Credential{
	identity.FactorTOTP:        {Type: kratostest.TypeTOTP},
	identity.FactorBackupCodes: {Type: kratostest.TypeLookupSecret},
	identity.FactorWebAuthn:    {Type: kratostest.TypeWebAuthn, Name: "conformance key"},
}

func (a actor) AddFactor(_ context.Context, userID string, kind identity.FactorKind) (string, error) {
	c, ok := enrolled[kind]
	if !ok {
		return "", driver.UnsupportedError("a Kratos factor of kind " + string(kind))
	}
	if !a.emu.Enroll(userID, c) {
		return "", driver.Errorf(identity.NotFound, "no identity %q to enrol %s for", userID, c.Type)
	}
	return c.Type, nil
}

func (a actor) LinkIdentity(_ context.Context, userID, provider, subject string) (string, error) {
	if !a.emu.Enroll(userID, kratostest.Credential{Type: kratostest.TypeOIDC, Provider: provider, Subject: subject}) {
		return "", driver.Errorf(identity.NotFound, "no identity %q to link", userID)
	}
	return provider, nil
}

func (a actor) SignIn(_ context.Context, userID string) error {
	if _, ok := a.emu.SignIn(userID); !ok {
		return driver.Errorf(identity.FailedPrecondition, "identity %q cannot sign in: missing or inactive", userID)
	}
	return nil
}

func (a actor) Sessions(_ context.Context, userID string) (int, error) {
	return a.emu.Sessions(userID), nil
}

// fuzzSeeds are Kratos's answers for FuzzServerResponses.
func fuzzSeeds() []backendtest.ServerSeed {
	const j = backendtest.JSONHeader
	ident := `{"id":"9e8c6e1f-6e61-4b94-92d4-f0fe4b52c447","schema_id":"default","state":"active","traits":{"email":"ada@example.com","username":"ada"},"credentials":{"password":{"identifiers":["ada@example.com","ada"]}},"metadata_public":{"plan":"pro"},"metadata_admin":{"roles":["editor"]},"created_at":"2026-12-01T21:01:11.89252Z","updated_at":"2026-12-01T21:01:11.89252Z"}`
	next := "\nLink: </admin/identities?page_size=1&page_token=00000000-0000-0000-0000-000000000000>; rel=\"first\",</admin/identities?page_size=1&page_token=9e8c6e1f-6e61-4b94-92d4-f0fe4b52c447>; rel=\"next\""
	return []backendtest.ServerSeed{
		{Status: 200, Headers: j, Body: ident},
		{Status: 201, Headers: j, Body: ident},
		{Status: 200, Headers: j, Body: `[` + ident + `]`},
		{Status: 200, Headers: j + next, Body: `[` + ident + `]`},
		{Status: 200, Headers: j + next, Body: `[]`},
		{Status: 200, Headers: j, Body: `{"id":"flow-1","type":"api","ui":{"nodes":[]}}`},
		{Status: 200, Headers: j, Body: `{"session_token":"ory_st_x","session":{"id":"s1","active":true}}`},
		{Status: 204, Headers: j},
		{Status: 200, Headers: j, Body: `null`},
		{Status: 200, Headers: j, Body: `{"id":"x","state":"banned"}`},
		{Status: 200, Headers: j, Body: ident, Shape: hostiletest.Truncated},
		{Status: 200, Headers: j, Body: ident, Shape: hostiletest.Oversized},
		{Status: 404, Headers: j, Body: `{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`},
		{Status: 409, Headers: j, Body: `{"error":{"code":409,"status":"Conflict","reason":"This identity conflicts with another identity that already exists.","message":"The resource could not be created due to a conflict"}}`},
		{Status: 400, Headers: j, Body: `{"error":{"code":400,"status":"Bad Request","reason":"I[#/traits/email] S[#/properties/traits/properties/email/format] \"{{auth}}\" is not valid \"email\"","message":"The request was malformed or contained invalid parameters"}}`},
		{Status: 400, Headers: j, Body: `{"error":{"code":400,"status":"Bad Request","reason":"An error occured when applying the JSON patch","message":"error in remove for path: '/metadata_public/zz': unable to remove nonexistent key: zz: missing value"}}`},
		{Status: 400, Headers: j, Body: `{"id":"flow-1","ui":{"messages":[{"id":4000006,"text":"The provided credentials are invalid","type":"error"}]}}`},
		{Status: 401, Headers: j, Body: `{"error":{"code":401,"status":"Unauthorized","reason":"This account was disabled.","details":{"identity_id":"x"},"message":"identity is disabled"}}`},
		{Status: 401, Headers: j, Body: `{"error":{"code":401,"status":"Unauthorized","message":"{{auth}}"}}`},
		{Status: 500, Headers: j, Body: `{"error":{"code":500,"status":"Internal Server Error","message":"{{auth}}"}}`},
		{Status: 503, Headers: "Content-Type: text/html", Body: `<html>unavailable {{auth}}</html>`},
		{Status: 404, Headers: "Content-Type: text/plain", Body: `404 page not found`},
		{Status: 429, Headers: j + "\nRetry-After: 3600", Body: `{"error":{"code":429,"status":"Too Many Requests","message":"slow down"}}`},
	}
}

// TestKit runs the tests every HTTP backend shares.
func TestKit(t *testing.T) { backendtest.Run(t, kit) }

func TestConformance(t *testing.T) { backendtest.Conformance(t, kit, "") }

func TestConformanceMetadataAdmin(t *testing.T) { backendtest.Conformance(t, kit, "admin") }

// TestConformanceLive runs the suite against a real Kratos server:
// scripts/kratos.sh starts one and sets the variables.
func TestConformanceLive(t *testing.T) { backendtest.ConformanceLive(t, kit) }

// TestChaos runs the conformance suite under transient faults.
func TestChaos(t *testing.T) { backendtest.Chaos(t, kit) }

func FuzzServerResponses(f *testing.F) { backendtest.FuzzServerResponses(f, kit) }
