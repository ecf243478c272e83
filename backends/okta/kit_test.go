package okta_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/require"
)

const testToken = "okta-conformance-token"

// schemaOptions lets through what Okta's management document leaves out:
// the org authorization server's token endpoint and the Authentication
// API, which are other documents; 401 E0000011, which every /api route
// answers to a bad token but the document lists nowhere; 412 E0000231,
// the answer to a stale If-Match that Okta's error-code list publishes for
// user updates; and 409 E0000090, the published answer to assigning an
// administrator role the user already has.
//
// /api/v1/idps/ is Okta's IdP users API ("Retrieve a user for IdP",
// "Unlink a user from IdP"), published in Okta's API reference but not in
// the vendored Users document.
var schemaOptions = openapicheck.Options{
	Unchecked: []string{"/oauth2/v1/token", "/api/v1/authn", "/api/v1/idps/"},
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

// emulated starts a schema-checked emulator, with eo.Middleware, if set,
// in front of the checker, and opens a directory on it with the API
// token, unless o names a service app.
func emulated(t *testing.T, eo oktatest.Options, o okta.Options) (*identity.Directory, *oktatest.Server) {
	t.Helper()
	eo.APIToken = testToken
	check, mw := openapicheck.Middleware(t, "okta", schemaOptions), eo.Middleware
	eo.Middleware = check
	if mw != nil {
		eo.Middleware = func(h http.Handler) http.Handler { return mw(check(h)) }
	}
	srv := oktatest.NewServer(t, eo)
	o.OrgURL = srv.URL
	// The directory is told what the emulator's org profile requires.
	o.NamesOptional = o.NamesOptional || eo.NamesOptional
	if o.ClientID == "" {
		o.APIToken = testToken
	}
	dir, err := okta.New(context.Background(), o)
	require.NoError(t, err)
	return dir, srv
}

// options are the Options of a directory with c's credential: the
// secret as the API token, or as the seed of the service app's key.
func options(c backendtest.Config) okta.Options {
	// The kit's emulator lets users be created without names, as the org
	// is told.
	o := okta.Options{OrgURL: c.URL, HTTPOptions: c.HTTP, NamesOptional: true}
	if c.Credential == "ServiceApp" {
		o.ClientID, o.PrivateKey, o.KeyID = "0oa-svc", backendtest.KeyFor(c.Secret), "kid-1"
		// The IdP users API, which ListIdentities and UnlinkIdentity
		// reach, takes a scope DefaultScopes leaves out.
		o.Scopes = append(slices.Clone(okta.DefaultScopes), "okta.idps.manage")
	} else {
		o.APIToken = identity.Secret(c.Secret)
	}
	if c.Mode == "admin" {
		o.RoleMode = okta.RoleModeAdmin
	}
	return o
}

var groupsCapabilities = identity.Capabilities{
	Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
	EmailRequired: true, PendingCreate: true, PendingUntilPassword: true, Roles: true, RoleCatalog: true,
	Organizations: true, UniqueOrganizationName: true, OrganizationMetadata: true,
	SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
	PasswordHashes: []string{"bcrypt", "pbkdf2-sha256", "pbkdf2-sha512", "sha1", "sha256", "sha512", "md5"},
	RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, Deprovision: true, HasPassword: true,
	ResetPasswordLink: true, ResetPasswordTemporary: true,
	Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended,
		identity.StatusLocked, identity.StatusDeprovisioned},
}

// adminCapabilities: administrator role types are a fixed set, assigned,
// never created.
func adminCapabilities() identity.Capabilities {
	c := groupsCapabilities
	c.RoleCatalog = false
	return c
}

// emailLogin is Okta's default login pattern: an email address.
func emailLogin(base string) string { return base + "@example.com" }

// kit describes the backend to the shared HTTP backend tests. Its
// emulator lets users be created without firstName and lastName, as orgs
// that onboard users by email alone do.
var kit = &backendtest.Backend{
	Name: okta.Scheme,
	Credentials: []backendtest.Credential{
		{Name: "APIToken", Refused: "E0000011", RequestID: true},
		{Name: "ServiceApp", TokenPath: "/oauth2/v1/token", Refused: "invalid_client"},
	},
	Modes: []backendtest.Mode{
		{Capabilities: groupsCapabilities},
		{Name: "admin", Capabilities: adminCapabilities(), Role: "USER_ADMIN"},
		{Name: "email logins", Capabilities: groupsCapabilities, Username: emailLogin},
	},
	Emulator: func(o backendtest.EmulatorOptions) backendtest.Emulator {
		mw := o.Middleware
		if c := o.Canaries; c != nil {
			mw = func(h http.Handler) http.Handler { return credentialsSeen(c, o.Middleware(h)) }
		}
		return oktatest.New(oktatest.Options{APIToken: o.Secret, ServiceApps: map[string]crypto.PublicKey{"0oa-svc": backendtest.KeyFor(o.Secret).Public()},
			NamesOptional: true, EmailLogins: o.Mode == "email logins", Middleware: mw})
	},
	Schema: schemaOptions,
	Actor:  func(emu backendtest.Emulator) backendtest.Actor { return actor{emu.(*oktatest.Emulator)} },
	Open: func(ctx context.Context, c backendtest.Config) (*identity.Directory, error) {
		return okta.New(ctx, options(c))
	},
	Raw: func(tb testing.TB, c backendtest.Config, maxResponse int) driver.Directory {
		return okta.RawDirectory(tb, options(c), maxResponse)
	},
	URLField: "OrgURL",
	URLs: map[string]bool{
		"okta://localhost:8080?insecure_http=true":  true,
		"okta://127.0.0.1:8080?insecure_http=true":  true,
		"okta://dev-1.okta.com?insecure_http=true":  true,
		"okta://dev-1.okta.com?insecure_http=false": true,
		"okta://dev-1.okta.com":                     true,
		"okta://dev-1.okta.com?insecure_http=yes":   false,
		"okta://dev-1.okta.com?org_prefix=tenant-":  true,
		"okta://dev-1.okta.com?org_prefix=":         false,
		"okta://dev-1.okta.com?org_prefix=a%20b":    false,
	},
	Opener:        &okta.URLOpener{Options: okta.Options{APIToken: "t"}},
	APIPrefix:     "/api/",
	RedirectPaths: []string{"/api/v1/authn"},
	MissingID:     "00u0000000000000000",
	Routes: []string{
		"/oauth2/v1/token", "/api/v1/authn",
		"/api/v1/users", "/api/v1/users/{user}", "/api/v1/users/{user}/credentials/change_password",
		"/api/v1/users/{user}/lifecycle/suspend", "/api/v1/users/{user}/lifecycle/unsuspend", "/api/v1/users/{user}/lifecycle/unlock",
		"/api/v1/users/{user}/lifecycle/activate", "/api/v1/users/{user}/lifecycle/expire_password",
		"/api/v1/users/{user}/groups", "/api/v1/users/{user}/roles", "/api/v1/users/{user}/roles/{ra1[0-9A-Za-z]+}",
		"/api/v1/groups", "/api/v1/groups/{00g[0-9A-Za-z]+}", "/api/v1/groups/{00g[0-9A-Za-z]+}/users/{user}",
	},
	Hostile:   []string{"../../oauth2/v1/token", "../groups", "lifecycle", "change_password"},
	Sent:      []string{"lifecycle", "change_password"},
	RoleNames: []string{`x" or type eq "BUILT_IN`, `Every`, `edit`, `\`, `"`},
	RoleQuery: backendtest.RoleQuery{Path: "/api/v1/groups", Param: "q", Allowed: []string{"q", "limit", "after"}},
	Query:     backendtest.Query{Path: "/api/v1/users", Allowed: []string{"search", "filter", "limit", "after"}},
	Waits:     waits,
	ServerIDs: serverIDs(),
	Lost: backendtest.Lost{
		CreatePaths: []string{"/api/v1/users"},
		Users: []identity.NewUser{
			{Email: "ada@example.com", Password: pw, Metadata: map[string]any{"seats": float64(3)}},
			{Email: "ada@example.com", Username: "ada_l", GivenName: "Ada"},
		},
		WriteMethods: []string{http.MethodPost, http.MethodPut, http.MethodDelete},
		WriteExclude: []string{"/api/v1/authn"},
		// A replacement sent again meets 412, and is merged anew; a
		// delete is a deactivation and a deletion.
		UpdateFaults: []faultinject.Fault{faultinject.ResetAfter, faultinject.ResetAfter},
		DeleteFaults: []faultinject.Fault{faultinject.ResetAfter, faultinject.ResetAfter},
	},
	Leaks: leaks,
	Live: backendtest.Live{
		Env:      []string{"OKTA_ORG_URL", okta.EnvAPIToken},
		Optional: []string{okta.EnvClientID + " with " + okta.EnvPrivateKey + " or " + okta.EnvPrivateKeyFile + " instead of the token", okta.EnvKeyID, okta.EnvScopes},
		Ready: func(env func(string) string) bool {
			return env("OKTA_ORG_URL") != "" && (env(okta.EnvAPIToken) != "" || env(okta.EnvClientID) != "")
		},
		Note: " org, whose profile must let firstName and lastName be empty",
		URLs: []string{"OKTA_ORG_URL"},
		Open: func(ctx context.Context, env func(string) string, ho identity.HTTPOptions) (*identity.Directory, error) {
			u := &url.URL{Scheme: okta.Scheme, Host: hostOf(env("OKTA_ORG_URL"))}
			if strings.HasPrefix(env("OKTA_ORG_URL"), "http://") {
				u.RawQuery = "insecure_http=true" // the fault proxy, on loopback
			}
			// The note asks for an org whose profile lets names be empty.
			return (&okta.URLOpener{Options: okta.Options{HTTPOptions: ho, NamesOptional: true}}).OpenDirectoryURL(ctx, u)
		},
		Username: emailLogin,
	},
	Fuzz: fuzz(),
}

// waits are Okta's rate-limit answers: a 429 until X-Rate-Limit-Reset,
// an hour away, and an answer saying the quota is spent until the reset,
// after which the client holds its next request back.
var waits = map[string]func() []hostiletest.Answer{
	"429 until the reset, an hour away": func() []hostiletest.Answer {
		return []hostiletest.Answer{hostiletest.JSON(429, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`, spent(time.Hour)...)}
	},
	"the quota is spent until the reset": func() []hostiletest.Answer {
		return []hostiletest.Answer{hostiletest.JSON(404, `{"errorCode":"E0000007","errorSummary":"Not found"}`, spent(10*time.Second)...)}
	},
}

// spent are the headers of an answer saying the quota is spent until d
// from now.
func spent(d time.Duration) []string {
	return []string{"X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0",
		"X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(d).Unix(), 10), "Date", time.Now().UTC().Format(http.TimeFormat)}
}

// serverIDs are the role calls that put the id of a group, or of a role
// assignment, that Okta listed into a path: listed empty, none may reach
// /api/v1/groups//users/{id}, the groups collection, or the user's roles
// collection.
func serverIDs() []backendtest.ServerID {
	user := `{"id":"u1","status":"ACTIVE","profile":{"login":"ada@example.com","email":"ada@example.com"},"credentials":{"password":{}}}`
	group := `[{"id":"","type":"OKTA_GROUP","profile":{"name":"editor"}}]`
	answers := map[string]string{"/api/v1/users/u1": user, "/api/v1/groups": group, "/api/v1/users/u1/roles": group}
	admin := map[string]string{"/api/v1/users/u1": user, "/api/v1/users/u1/roles": `[{"id":"","type":"USER_ADMIN","label":"Group Administrator"}]`}
	return append(backendtest.RoleCalls("", answers),
		backendtest.ServerID{Name: "RevokeRole, admin", Mode: "admin", Answers: admin, Call: func(ctx context.Context, d driver.Directory) error {
			return d.(driver.Roles).RevokeRole(ctx, "u1", "USER_ADMIN")
		}})
}

func hostOf(orgURL string) string {
	if u, err := url.Parse(orgURL); err == nil && u.Host != "" {
		return u.Host
	}
	return orgURL
}

// leaks are Okta's parts of the secrets test.
var leaks = backendtest.Leaks{
	Options:  func(c backendtest.Config) any { return options(c) },
	Canaries: func(c *secrettest.Canaries, secret string) { c.AddKey("private-key", backendtest.KeyFor(secret)) },
	Errors: map[int]string{
		401: `{"errorCode":"E0000011","errorSummary":"Invalid token provided ` + hostiletest.EchoAuth + `","errorCauses":[]}`,
		403: `{"errorCode":"E0000006","errorSummary":"` + hostiletest.EchoAuth + `","errorCauses":[{"errorSummary":"` + hostiletest.EchoAuth + `"}]}`,
		500: `{"errorCode":"E0000009","errorSummary":"request had ` + hostiletest.EchoAuth + `","errorCauses":[{"errorSummary":"login: ` + hostiletest.EchoAuth + `"}]}`,
		429: `{"errorCode":"E0000047","errorSummary":"` + hostiletest.EchoAuth + `"}`,
	},
	More: map[string]backendtest.LeakError{
		"400 whose cause names the credential": {Code: identity.InvalidArgument, Answers: []hostiletest.Answer{
			hostiletest.JSON(400, `{"errorCode":"E0000001","errorSummary":"Api validation failed","errorCauses":[{"errorSummary":"`+hostiletest.EchoAuth+`: already exists"}]}`)}},
	},
	TokenErrors: map[string]hostiletest.Answer{
		"token endpoint 500": hostiletest.JSON(500, `{"error":"server_error","error_description":"`+hostiletest.EchoClient+`"}`),
		"token endpoint 401": hostiletest.JSON(401, `{"error":"invalid_client","error_description":"Client authentication failed: `+hostiletest.EchoClient+`"}`),
		"token endpoint 400": hostiletest.JSON(400, `{"error":"`+hostiletest.EchoClient+`"}`),
	},
	Steps: func(t *testing.T, e *backendtest.LeakEnv) {
		ctx, dir, u := e.Ctx, e.Dir, e.User
		// A removal reads and replaces the profile under If-Match.
		got, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"plan": nil}})
		require.NoError(t, err)
		e.Check(t, "UpdateUser removal", got)
		err = dir.SetPassword(ctx, u.ID, "short")
		require.ErrorIs(t, err, identity.ErrFailedPrecondition)
		e.Check(t, "SetPassword refused by policy", err)
		require.NoError(t, dir.SuspendUser(ctx, u.ID))
		err = dir.VerifyPassword(ctx, u.ID, e.Password)
		require.ErrorIs(t, err, identity.ErrFailedPrecondition)
		e.Check(t, "VerifyPassword suspended", err)
		require.NoError(t, dir.ActivateUser(ctx, u.ID))

		// VerifyPassword's sign-in carries the password in its body; an
		// answer that is not Okta's does not bring it back.
		e.Script.Next("/api/v1/authn", hostiletest.JSON(500, `{"errorCode":"E0000009","errorSummary":"`+hostiletest.EchoAuth+`"}`))
		e.Script.Next("/api/v1/authn", hostiletest.JSON(500, `{}`), hostiletest.JSON(500, `{}`), hostiletest.JSON(500, `{}`))
		err = dir.VerifyPassword(ctx, u.ID, e.Password)
		require.ErrorIs(t, err, identity.ErrUnavailable)
		e.Check(t, "VerifyPassword 500", err)
		e.Script.Reset()

		// A reset's link and temporary password are the user's
		// credentials: they print, log and trace as placeholders.
		for _, kind := range []identity.ResetKind{identity.ResetTemporaryPassword, identity.ResetLink} {
			r, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: kind})
			require.NoError(t, err)
			e.Check(t, "ResetPassword "+string(kind), r)
			e.Check(t, "ResetPassword "+string(kind)+" value", *r)
		}
		require.True(t, e.Canaries.Has("reset-link"), "the reset link is a canary")
		require.True(t, e.Canaries.Has("temporary-password"), "the temporary password is a canary")

		require.True(t, e.Canaries.Has("session-token"), "the Authentication API's session token is a canary")
		if e.Credential.TokenPath != "" {
			require.True(t, e.Canaries.Has("client-credential"), "the client assertion was seen on the wire")
		}
	},
}

// fuzz is Okta's part of FuzzServerResponses: the token endpoint of a
// service app echoes the client assertion where its answer says so.
func fuzz() backendtest.Fuzz {
	const j = backendtest.JSONHeader
	token := `{"token_type":"Bearer","expires_in":3600,"access_token":"{{token}}","scope":"okta.users.manage okta.groups.manage okta.roles.manage"}`
	user := `{"id":"u1","status":"ACTIVE","created":"2025-01-02T03:04:05.000Z","lastUpdated":"2025-01-02T03:04:05.000Z","lastLogin":null,"profile":{"login":"ada","email":"ada@example.com","firstName":"Ada","plan":"pro","note":"x"},"credentials":{"password":{}}}`
	// PASSWORD_EXPIRED is both a user status and a passing sign-in, so
	// that VerifyPassword and ChangePassword get past their reads.
	expired := strings.Replace(user, `"ACTIVE"`, `"PASSWORD_EXPIRED"`, 1)
	group := `{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"editor","description":"d"}}`
	var groups []string
	for i := range 200 {
		groups = append(groups, fmt.Sprintf(`{"id":"00g%d","type":"OKTA_GROUP","profile":{"name":"editor%d"}}`, i, i))
	}
	fullPage := "[" + strings.Join(groups, ",") + "]"
	next := "\nLink: <https://elsewhere.example/api/v1/groups?after=00g1&limit=200>; rel=\"next\""
	spent := "\nX-Rate-Limit-Limit: 1\nX-Rate-Limit-Remaining: 0\nX-Rate-Limit-Reset: 1700000030\nDate: Tue, 14 Nov 2023 22:13:20 GMT"
	seeds := []backendtest.ServerSeed{
		{Status: 200, Headers: j, Body: user},
		{Status: 200, Headers: j, Body: expired},
		{Status: 200, Headers: j, Body: `{"id":"u1","status":"STAGED","profile":{"login":"ada"},"credentials":{}}`},
		{Status: 200, Headers: j, Body: `{"id":"u1","status":"DEPROVISIONED","profile":{"login":"ada"},"credentials":{"password":{}}}`},
		{Status: 200, Headers: j, Body: `{"id":"u1","status":"LOCKED_OUT","profile":{},"credentials":{"password":{}}}`},
		{Status: 200, Headers: j, Body: `{"id":"u2","status":"ACTIVE"}`},
		{Status: 200, Headers: j, Body: `{"id":"u1","status":"WHATEVER"}`},
		{Status: 200, Headers: j, Body: `{"status":"LOCKED_OUT"}`},
		{Status: 200, Headers: j, Body: `{"status":"MFA_REQUIRED"}`},
		{Status: 200, Headers: j, Body: "[" + user + "]"},
		{Status: 200, Headers: j + next, Body: "[" + user + "]"},
		{Status: 200, Headers: j, Body: "[" + group + "]"},
		{Status: 200, Headers: j + next, Body: "[" + group + "]"},
		{Status: 200, Headers: j + next, Body: fullPage},
		{Status: 200, Headers: j, Body: `[{"id":"00g1","type":"BUILT_IN","profile":{"name":"editor"}}]`},
		{Status: 200, Headers: j, Body: `[{"id":".","type":"USER_ADMIN"},{"id":"..","type":"OKTA_GROUP","profile":{"name":"editor"}}]`},
		{Status: 200, Headers: j, Body: `[{"id":"../../groups/00g1","type":"OKTA_GROUP","profile":{"name":"editor"}}]`},
		{Status: 200, Headers: j, Body: `[{"id":"ra1","type":"USER_ADMIN","label":"Group Administrator"},{"id":"ra2","type":"CUSTOM"}]`},
		{Status: 200, Headers: j + spent, Body: user},
		{Status: 200, Headers: j, Body: `[null]`},
		{Status: 200, Headers: j, Body: user, Shape: hostiletest.Truncated},
		{Status: 200, Headers: j, Body: user, Shape: hostiletest.Oversized},
		{Status: 404, Headers: j, Body: `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: u1 (User)","errorCauses":[]}`},
		{Status: 404, Headers: j, Body: `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00g1 (UserGroup)","errorCauses":[]}`},
		{Status: 400, Headers: j, Body: `{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorCauses":[{"errorSummary":"login: An object with this field already exists in the current organization"}]}`},
		{Status: 400, Headers: j, Body: `{"errorCode":"E0000001","errorSummary":"Api validation failed: password","errorCauses":[{"errorSummary":"password: Password requirements were not met."}]}`},
		{Status: 403, Headers: j, Body: `{"errorCode":"E0000014","errorSummary":"Update of credentials failed","errorCauses":[{"errorSummary":"oldPassword: The credentials provided were incorrect."}]}`},
		{Status: 401, Headers: j, Body: `{"errorCode":"E0000004","errorSummary":"Authentication failed","errorCauses":[]}`},
		{Status: 403, Headers: j, Body: `{"errorCode":"E0000038","errorSummary":"This operation is not allowed in the user's current status."}`},
		{Status: 412, Headers: j, Body: `{"errorCode":"E0000231","errorSummary":"ETag mismatch"}`},
		{Status: 409, Headers: j, Body: `{"errorCode":"E0000090","errorSummary":"role already assigned"}`},
		{Status: 401, Headers: j, Body: `{"errorCode":"E0000011","errorSummary":"Invalid token provided: ` + hostiletest.EchoAuth + `","errorCauses":[{"errorSummary":"` + hostiletest.EchoAuth + `"}]}`},
		{Status: 500, Headers: j, Body: `{"errorCode":"E0000009","errorSummary":"` + hostiletest.EchoAuth + `","errorCauses":[{"errorSummary":"login: ` + hostiletest.EchoAuth + `"}]}`},
		{Status: 429, Headers: j + spent, Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`},
		{Status: 429, Headers: j + "\nRetry-After: 3600", Body: `{"errorCode":"E0000047"}`},
		{Status: 302, Headers: "Location: http://127.0.0.1:1/steal"},
	}
	for _, s := range []struct {
		status int
		body   string
	}{
		{401, `{"error":"invalid_client","error_description":"Client authentication failed: ` + hostiletest.EchoClient + `"}`},
		{400, `{"error":"` + hostiletest.EchoClient + `"}`},
		{400, `{"error":"invalid_scope","error_description":"One or more scopes are not configured."}`},
	} {
		seeds = append(seeds, backendtest.ServerSeed{Status: 200, Headers: j, Body: user, TokenStatus: s.status, TokenBody: s.body})
	}
	return backendtest.Fuzz{Token: token, Seeds: seeds}
}

// actor acts at the emulator as Okta's users do: it enrols factors at the
// sign-in widget, federates through IdPs, and signs in.
type actor struct{ emu *oktatest.Emulator }

// actorFactors are the factors a user enrols for each portable kind, as
// Okta reports them. Okta has no backup codes.
var actorFactors = map[identity.FactorKind]oktatest.Factor{
	identity.FactorTOTP:     {Type: "token:software:totp", Provider: "GOOGLE", Profile: map[string]any{"credentialId": "ada@example.com"}},
	identity.FactorWebAuthn: {Type: "webauthn", Profile: map[string]any{"credentialId": "l3Br0n-7H3g047NqESqJynFtIgf3Ix9OfaRoNwLoloso99Xl2zS_O7EXUkmPeAIzTVtEL4dYjicJWBz7NpqhGA", "authenticatorName": "MacBook Touch ID"}},
	identity.FactorSMS:      {Type: "sms", Profile: map[string]any{"phoneNumber": "+1-555-415-1337"}},
	identity.FactorEmail:    {Type: "email", Profile: map[string]any{"email": "ada@example.com"}},
	identity.FactorPush:     {Type: "push", Profile: map[string]any{"name": "Ada's iPhone", "platform": "IOS", "deviceType": "SmartPhone_IPhone"}},
	identity.FactorOther:    {Type: "question", Profile: map[string]any{"question": "favorite_art_piece", "questionText": "What is your favorite piece of art?"}},
}

func (a actor) AddFactor(_ context.Context, userID string, kind identity.FactorKind) (string, error) {
	f, ok := actorFactors[kind]
	if !ok {
		return "", &identity.Error{Code: identity.Unsupported, Message: "Okta has no " + string(kind) + " factor"}
	}
	id, ok := a.emu.EnrollFactor(userID, f)
	if !ok {
		return "", &identity.Error{Code: identity.NotFound, Field: "user", Message: "no such user"}
	}
	return id, nil
}

// LinkIdentity federates the user through the org's IdP of that name,
// added on first use; ListIdentities reports the IdP's id.
func (a actor) LinkIdentity(_ context.Context, userID, provider, subject string) (string, error) {
	idp := a.emu.AddIdP(provider, provider)
	if !a.emu.LinkIdentity(userID, idp, subject, map[string]any{"email": subject + "@" + provider + ".example"}) {
		return "", &identity.Error{Code: identity.NotFound, Field: "user", Message: "no such user"}
	}
	return idp, nil
}

func (a actor) SignIn(_ context.Context, userID string) error {
	if !a.emu.SignIn(userID) {
		return &identity.Error{Code: identity.FailedPrecondition, Message: "the user cannot sign in"}
	}
	return nil
}

func (a actor) Sessions(_ context.Context, userID string) (int, error) {
	return a.emu.Sessions(userID), nil
}

// TestKit runs the tests every HTTP backend shares.
func TestKit(t *testing.T) { backendtest.Run(t, kit) }

func TestConformance(t *testing.T) { backendtest.Conformance(t, kit, "") }

// TestConformanceAdminRoles runs the suite with roles mapped to Okta's
// standard administrator role types.
func TestConformanceAdminRoles(t *testing.T) { backendtest.Conformance(t, kit, "admin") }

// TestConformanceEmailLogins runs the suite against an org whose logins
// must be email addresses, Okta's default.
func TestConformanceEmailLogins(t *testing.T) { backendtest.Conformance(t, kit, "email logins") }

// TestConformanceLive runs the suite against a real org.
func TestConformanceLive(t *testing.T) { backendtest.ConformanceLive(t, kit) }

// TestChaos runs the conformance suite under transient faults.
func TestChaos(t *testing.T) { backendtest.Chaos(t, kit) }

func FuzzServerResponses(f *testing.F) { backendtest.FuzzServerResponses(f, kit) }

// credentialsSeen makes canaries of the session and state tokens in the
// Authentication API's answers, and of the reset links and temporary
// passwords in the lifecycle calls' answers, which travel outside the
// Authorization header (which secrettest's Middleware covers); the kit
// makes one of the client assertion.
func credentialsSeen(c *secrettest.Canaries, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/authn" && !strings.Contains(r.URL.Path, "/lifecycle/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var out struct {
			SessionToken     string `json:"sessionToken"`
			StateToken       string `json:"stateToken"`
			ResetPasswordURL string `json:"resetPasswordUrl"`
			TempPassword     string `json:"tempPassword"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &out) == nil {
			c.Add("session-token", out.SessionToken)
			c.Add("state-token", out.StateToken)
			c.Add("reset-link", out.ResetPasswordURL)
			c.Add("temporary-password", out.TempPassword)
		}
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}
