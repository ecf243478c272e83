// Package logto is the identity backend for Logto's Management API. It
// registers the URL scheme "logto":
//
//	logto://{endpoint host}[?resource=...&insecure_http=true]
//
// authenticating as a machine-to-machine app whose id and secret come
// from LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET (or Options), with the
// client credentials grant at {endpoint}/oidc/token. The token is cached
// and fetched once per expiry however many goroutines call; a token the
// API refuses is replaced once and the call retried once.
//
// # What maps where
//
// Username, Email and Phone are username, primaryEmail and primaryPhone
// (Logto keeps phone numbers as digits only, so the leading '+' is removed
// on the way in and put back on the way out); GivenName and FamilyName are
// profile.givenName and profile.familyName; DisplayName is name; Metadata
// is customData. EmailVerified is true whenever there is an email, since a
// Logto primary email is a verified identifier.
//
// Logto users are either suspended or not: StatusActive and
// StatusSuspended are the only statuses, with NativeStatus "active" or
// "suspended". CreateUser with StatusPending is therefore Unsupported,
// ActivateUser always succeeds on an existing user, and a listing filtered
// on Pending, Locked or Deprovisioned is empty. ExpirePassword is
// Unsupported: the expiration endpoint needs a sign-in policy Logto keeps
// off by default, and is missing from the 1.37 API.
//
// Roles are Logto's global roles of type User, by name. A role created
// without a description gets its name as description, since Logto requires
// one, and reads back with an empty Description. Logto's
// machine-to-machine roles are roles of apps, not of users: ListRoles
// leaves them out, and AssignRole, RevokeRole and DeleteRole answer
// NotFound for one's name, as for a role that does not exist.
//
// Organizations are Logto's organizations: Name, Description and
// Metadata are name, description and customData. Logto allows two
// organizations one name, so UniqueOrganizationName is false. Organization
// roles are Logto's organization roles of type User, by name, and their
// Permissions are organization scopes, by name: CreateOrganizationRole
// creates the scopes it names that do not exist yet. Machine-to-machine
// organization roles are treated as roles that do not exist, as for
// global roles. ListMemberPermissions is Logto's union of the member's
// roles' scopes. Several organization endpoints answer a missing
// organization or user with something other than a 404 (a foreign-key
// error, organization.require_membership, or an empty list); the calls
// then look the organization and the user up, to name in Error.Field the
// one that is missing.
//
// Metadata updates that only add or change keys go through Logto's
// custom-data endpoint, which merges on the server, so concurrent updates
// of different keys all survive. Removing a key (a nil value) needs a
// read, a merge and a write of the whole object, which Logto cannot
// guard: a concurrent update between the read and the write can be lost.
// Logto's organizations have no custom-data endpoint, and their PATCH
// replaces customData whole, so every metadata update of an organization
// is such a read, merge and write: concurrent metadata updates of one
// organization can lose a key.
//
// # Account security
//
// Factors are the user's MFA verifications
// (/api/users/{userId}/mfa-verifications). Logto 1.37 reports three
// types: Totp (FactorTOTP), WebAuthn (FactorWebAuthn, passkeys and
// security keys alike, with the credential's name where Logto keeps one;
// only a user's browser enrols one) and BackupCode
// (FactorBackupCodes, one factor for the set, its unused count as
// remainCodes in Raw); the document's EmailVerificationCode and
// PhoneVerificationCode, not seen on 1.37, read as FactorOther, their
// type in ProviderType. CreatedAt and LastUsedAt come from Logto's ISO
// times; Status is always ""; no secret is ever listed. Logto answers
// entity.not_found alike for a missing user and a missing verification,
// so DeleteFactor lists the user's verifications first to name the one
// missing in Error.Field. ResetFactors deletes the verifications one by
// one, backup codes first, which is not atomic: Logto has no call that
// removes them all.
//
// Identities are the user's social identities, the user's identities
// object: Provider is the connector's target ("google"), Subject the
// user's id there, Details Logto's details object. UnlinkIdentity is
// DELETE /api/users/{userId}/identities/{target}. Enterprise SSO
// identities are not listed, since no call unlinks them; the typed
// client reads them at /api/users/{userId}/all-identities.
//
// HasPassword is GET /api/users/{userId}/has-password. SetRoles is one
// PUT /api/users/{userId}/roles with the ids of User roles only, resolved
// first, so that Logto's non-atomic replace (which removes roles before
// an insert that a machine-to-machine role fails) never meets a role it
// refuses: a name no User role has is NotFound before anything is sent.
//
// RevokeSessions, DeprovisionUser and ResetPassword are Unsupported:
// Logto 1.37's Management API has no session call (the session routes
// came with 1.42), no lifecycle state beyond suspension, and no reset
// link or temporary password. Logto signs a user out when it is
// suspended or deleted, which is all a caller can do to end sessions.
//
// # Password hashes
//
// CreateUser imports a NewUser.PasswordHash as Logto's passwordDigest
// and passwordAlgorithm, in the form Logto 1.37 verifies each:
// Argon2id, Argon2i and Argon2d as their PHC strings (unpadded, as
// hash-wasm reads them), bcrypt as its own string, unsalted SHA-1,
// SHA-256 and MD5 as lowercase hex (SHA1, SHA256, MD5), and SHA-512,
// every salted digest and PBKDF2 (SHA-1, SHA-256, SHA-512) through the
// Legacy method: a JSON array such as ["sha256", ["salt", "@"], "<hex>"]
// or ["pbkdf2", ["salt", "4096", "32", "sha256", "@"], "<hex>"], whose
// arguments node:crypto hashes as UTF-8 text, "@" standing for the
// password. A salt that is not UTF-8 (passhash.New makes binary ones),
// a whole salt "@", a PBKDF2 without salt, and a digest longer than
// Logto's 256 characters cannot be spelt so, and are Unsupported (Field
// "PasswordHash") before any request. Scrypt and Firebase's scrypt have
// no form Logto verifies.
//
// Logto keeps an imported digest until a password matches it (a
// VerifyPassword, or a sign-in), then replaces it with its own Argon2i
// hash of that password. PasswordHash reads GET
// /api/users/{userId}?includePasswordHash=true and hands out the digest
// in passhash's encoding, Argon2i for every password Logto hashed
// itself; that parameter came after Logto 1.37.1, which ignores it, and
// on such a server PasswordHash is Unsupported (Field "PasswordHash")
// for a user with a password.
//
// # Beyond the portable API
//
// The directory's As accepts a **Client, and sets it to the directory's
// typed client, whose Do sends a request with the directory's token to
// any Management API path (a user's personal access tokens at
// /api/users/{id}/personal-access-tokens, say). Every
// error from a Logto answer, through Do or a portable call, has an
// *APIError, the decoded body, as its ProviderError, for errors.As.
//
// # Faults
//
// Every call but the creates is safe to send again after a reset or a
// timeout, and is: reads, deletes, the PATCHes and PUTs that set values,
// and the POSTs that add members or assign roles, which Logto answers
// with 201 for what is already there. A CreateUser whose answer is lost
// is settled by looking the user up by username, email or phone (see
// internal/createonce): the user it made is returned, a user
// someone else holds the identifier with gives AlreadyExists, and when
// there is none the create is sent again. CreateRole does the same by role
// name, and CreateOrganizationRole by organization role and scope name.
// CreateOrganization, whose names are not unique, takes as its own the one
// organization that has everything it asked for and was made no earlier
// than it was sent. DeleteUser reads the user first, so that a missing user is
// NotFound, while a delete whose earlier attempt went through before its
// answer was lost succeeds; DeleteRole resolves the role first, DeleteFactor
// lists the user's verifications and UnlinkIdentity reads the identity,
// for the same reason. SetRoles' PUT sets a value, and is sent again.
package logto

import (
	"context"
	"net/url"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Scheme is the URL scheme this package registers.
const Scheme = "logto"

// OSSResource is the Management API indicator of a self-hosted Logto.
const OSSResource = "https://default.logto.app/api"

// Environment variables the URL opener reads.
const (
	EnvAppID     = "LOGTO_M2M_APP_ID"
	EnvAppSecret = "LOGTO_M2M_APP_SECRET"
	EnvResource  = "LOGTO_RESOURCE"
)

// Options configures a directory.
type Options struct {
	// Endpoint is the Logto root, e.g. "https://auth.example.com" or
	// "https://{tenant}.logto.app". Required.
	Endpoint string
	// AppID and AppSecret are the machine-to-machine app's credentials.
	// Required.
	AppID     string
	AppSecret identity.Secret
	// Resource is the Management API indicator. Empty means
	// "https://{tenant}.logto.app/api" for a Logto Cloud endpoint and
	// OSSResource otherwise.
	Resource string
	// HTTPOptions are the transport settings: client, timeouts,
	// attempts, logger, and whether plain http may go to a host that is
	// not a loopback address.
	identity.HTTPOptions
}

// New returns a directory over the Logto tenant. It checks opts and makes
// no network call; it returns InvalidArgument naming the first bad option.
func New(_ context.Context, opts Options) (*identity.Directory, error) {
	d, err := newDirectory(opts)
	if err != nil {
		return nil, err
	}
	return identity.NewDirectory(Scheme, d, opts.DirectoryOptions), nil
}

func badOption(field, format string, args ...any) error {
	return driver.OptionError(Scheme, field, format, args...)
}

// URLOpener opens logto:// URLs: the host is the endpoint's host, reached
// over https, or over plain http with insecure_http=true (which, like
// HTTPOptions.AllowInsecureHTTP, allows it to any host).
// Query parameters: resource and insecure_http; any other is
// InvalidArgument. Credentials come from Options or the environment.
type URLOpener struct {
	// Options is the base configuration the URL adds to.
	Options Options
}

// OpenDirectoryURL opens the directory the URL names, with the
// credentials o.Options leaves empty read from the environment.
func (o *URLOpener) OpenDirectoryURL(ctx context.Context, u *url.URL) (*identity.Directory, error) {
	return o.OpenDirectoryURLWith(ctx, u, identity.OpenSettings{})
}

func init() { identity.Register(Scheme, &URLOpener{}) }

// defaultResource derives the indicator from the endpoint.
func defaultResource(endpoint *url.URL) string {
	if tenant, ok := strings.CutSuffix(endpoint.Hostname(), ".logto.app"); ok && tenant != "" && !strings.Contains(tenant, ".") {
		return "https://" + tenant + ".logto.app/api"
	}
	return OSSResource
}

func newDirectory(opts Options) (*directory, error) {
	ep, err := url.Parse(opts.Endpoint)
	if opts.Endpoint == "" || err != nil || ep.Host == "" {
		return nil, badOption("Endpoint", "Endpoint must be an absolute URL such as https://auth.example.com")
	}
	if opts.AppID == "" {
		return nil, badOption("AppID", "AppID is required (or set %s)", EnvAppID)
	}
	if opts.AppSecret == "" {
		return nil, badOption("AppSecret", "AppSecret is required (or set %s)", EnvAppSecret)
	}
	if opts.Resource == "" {
		opts.Resource = defaultResource(ep)
	}
	base := strings.TrimRight(opts.Endpoint, "/")
	cc := &clientcredentials.Config{
		ClientID: opts.AppID, ClientSecret: string(opts.AppSecret),
		TokenURL: base + "/oidc/token", Scopes: []string{"all"},
		EndpointParams: url.Values{"resource": {opts.Resource}},
		AuthStyle:      oauth2.AuthStyleInHeader,
	}
	transport := httpx.WithTokenClient(opts.HTTPOptions)
	c, err := httpx.New(httpx.Config{
		RouteWords: []string{"api", "users", "roles", "organizations", "organization-roles", "organization-scopes", "scopes",
			"custom-data", "is-suspended", "password", "verify", "profile",
			"has-password", "mfa-verifications", "identities", "all-identities", "personal-access-tokens"},
		Backend: Scheme, BaseURL: base,
		// The cache in httpx decides when to fetch; this source must
		// fetch every time it is asked, or a refused token could not be
		// replaced before it expires.
		TokenSource: tokenFunc(func() (*oauth2.Token, error) {
			ctx, cancel := httpx.TokenContext(transport)
			defer cancel()
			return cc.Token(ctx)
		}),
		DecodeError: decodeError,
		HTTPOptions: transport,
	})
	if err != nil {
		if ie, ok := err.(*identity.Error); ok && ie.Field == "BaseURL" {
			ie.Field = "Endpoint"
		}
		return nil, err
	}
	return &directory{http: c, roles: newRoleCache(), creates: createonce.Creator{Attempts: opts.MaxAttempts}}, nil
}

type tokenFunc func() (*oauth2.Token, error)

func (f tokenFunc) Token() (*oauth2.Token, error) { return f() }
