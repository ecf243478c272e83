// Package okta is the identity backend for Okta's Management API. It
// registers the URL scheme "okta":
//
//	okta://{org host}[?roles=groups|admin&org_prefix={prefix}&names=optional&insecure_http=true]
//
// It authenticates with an API token (OKTA_API_TOKEN, sent as
// "SSWS {token}") or as an OAuth 2.0 service app: a client id and a
// private key (OKTA_CLIENT_ID, OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE,
// OKTA_KEY_ID, OKTA_SCOPES) signing a private_key_jwt client assertion for
// the client credentials grant at {org}/oauth2/v1/token. Access tokens are
// cached and fetched once per expiry however many goroutines call; a
// token the API refuses is replaced once and the call retried once.
//
// # What maps where
//
// Username is profile.login, Email profile.email, Phone
// profile.mobilePhone, GivenName and FamilyName profile.firstName and
// profile.lastName, DisplayName profile.displayName. Metadata is every
// other profile property, which must be a custom attribute defined in the
// org's profile schema (or an unmapped base attribute such as title);
// values are strings, numbers, booleans or arrays of those, and a nested
// object is Unsupported naming the key. Okta requires an email and a
// login: a user created without a Username gets its Email as login, and a
// Username shaped like an email address stands in for a missing Email.
// Only logins are unique in Okta; emails and phones are not, so
// GetUserByEmail of an email several users share is FailedPrecondition
// with Field "Email", not a guess at one of them.
//
// Statuses: STAGED, PROVISIONED and RECOVERY are StatusPending; ACTIVE
// and PASSWORD_EXPIRED are StatusActive; SUSPENDED, LOCKED_OUT and
// DEPROVISIONED are StatusSuspended, StatusLocked and StatusDeprovisioned.
// A user created Active without a password is PROVISIONED (Pending) until
// it has one. A user in RECOVERY, whose password reset was started,
// cannot sign in until the reset is completed, so it is Pending too.
// SuspendUser suspends an ACTIVE user. ActivateUser unsuspends a
// SUSPENDED user, unlocks a LOCKED_OUT one, and activates a STAGED or
// DEPROVISIONED one that has a password (without sending Okta's
// activation email); a Pending user without a password gives
// FailedPrecondition, since Okta would leave it unable to sign in, and so
// does a user in RECOVERY, which no Okta call takes out of it but the
// user completing the reset or SetPassword. A listing without a Status
// filter leaves out DEPROVISIONED users, as Okta does.
//
// GetUserByUsername uses Okta's filter, which is exact and consistent.
// GetUserByEmail and listings with filters use Okta's search, which
// ignores case but is eventually consistent: a user created or changed a
// moment ago may not show yet.
//
// DeleteUser deletes in Okta's two steps: the first DELETE deactivates,
// the second deletes.
//
// UpdateUser sends only the changed profile properties, which Okta merges
// on the server, so concurrent updates of different fields or keys all
// survive. Clearing a field or removing a metadata key cannot be said as
// a merge: it reads the user with its ETag, and replaces the profile with
// If-Match, reading again and retrying when another write came between.
//
// Roles are Okta groups of type OKTA_GROUP by default, the role name being
// the group name; built-in and app groups are not roles. With
// Options.RoleMode RoleModeAdmin they are instead Okta's standard
// administrator role types (USER_ADMIN, ...), assigned to users directly:
// the catalogue is fixed, so CreateRole and DeleteRole are Unsupported in
// that mode.
//
// Organizations are OKTA_GROUP groups too, in either role mode, told apart
// from the groups that are roles by a prefix of the group name:
// Options.OrganizationPrefix, "org:" by default. The organization "Acme"
// is the group "org:Acme" in the admin console, its members the group's
// members, and Organization.Name is the group name without the prefix,
// Description the group's description and Metadata the group profile's
// other properties, which must be custom attributes defined in the org's
// group profile schema (values as for users). Every group whose name
// starts with the prefix, ignoring case as Okta's group search does, is an
// organization and never a role: ListRoles and ListUserRoles leave such
// groups out, the role methods do not find them, and CreateRole refuses a
// name that starts with the prefix. Okta keeps group names unique, so
// organization names are unique (with the prefix, ignoring case).
// UpdateOrganization reads the group and replaces its profile, as Okta's
// group API takes only whole profiles and no If-Match: of two concurrent
// updates of one organization, the last one written wins.
//
// AddMembers adds one user after another, since Okta has no call that adds
// several at once: it first checks that the organization and every user
// exist, so that a missing one is NotFound before anyone is added, but a
// failure part way (a user deleted meanwhile, an outage) leaves the users
// added before it members. Deleting a user ends its memberships, as Okta
// does. Organization roles are Unsupported: Okta's groups have no roles
// inside them, and one group per organization and role would be a
// mapping of this package's own that an Okta administrator would find
// confusing in the console.
//
// VerifyPassword signs in through the Authentication API
// (POST /api/v1/authn) with the user's login: SUCCESS, MFA_REQUIRED,
// MFA_ENROLL, PASSWORD_WARN and PASSWORD_EXPIRED mean the password
// matched, 401 that it did not. A failed verification counts towards the
// org's lockout policy like any failed sign-in. Okta checks passwords only
// for users who can sign in: for a SUSPENDED, LOCKED_OUT, DEPROVISIONED
// or RECOVERY user VerifyPassword gives FailedPrecondition, and for a
// user without a password InvalidCredentials without asking Okta.
//
// CreateUser imports a NewUser.PasswordHash as credentials.password.hash,
// which Okta checks at sign-in: bcrypt as BCRYPT (the cost as workFactor,
// bcrypt's 22-character salt and 31-character hash as they are), SHA-1,
// SHA-256, SHA-512 and MD5 as their base64 digest with, when salted, the
// base64 salt and saltOrder PREFIX or POSTFIX, and PBKDF2 with HMAC-SHA-256
// or HMAC-SHA-512 (SHA256_HMAC, SHA512_HMAC) with iterationCount, keySize
// and base64 salt and value. Okta's password policy does not apply to a
// hash. The user has a password, so it is Active (ACTIVE), or Pending
// (STAGED) when created so, and ActivateUser makes it ACTIVE. Okta's
// rules make some hashes of these algorithms Unsupported (Field
// "PasswordHash") before any request: a bcrypt cost above 20, a PBKDF2
// of fewer than 4096 iterations or without salt. Okta imports no Argon2,
// scrypt or PBKDF2 with HMAC-SHA-1, and hands no hash out, so
// ExportPasswordHash is false.
//
// # Account security
//
// RevokeSessions is DELETE /api/v1/users/{userId}/sessions with
// oauthTokens=true: the user's Okta sessions end, and so do the refresh
// and access tokens Okta's authorization servers issued to it. SuspendUser
// does not promise that: Okta documents a suspended user as unable to
// sign in, not as signed out of the apps it holds tokens for, so code that
// suspends to sign a user out everywhere calls RevokeSessions too.
//
// ListFactors is GET /api/v1/users/{userId}/factors. Okta's factorType is
// ProviderType, and the kind: token:software:totp and token:hotp are
// FactorTOTP, webauthn and u2f FactorWebAuthn, sms FactorSMS, email
// FactorEmail, push (Okta Verify) FactorPush; question, call, token (RSA
// SecurID, Symantec VIP), token:hardware (YubiKey OTP), web (Duo) and
// signed_nonce (Okta FastPass) are FactorOther. Okta has no backup codes.
// Status is Okta's (ACTIVE, PENDING_ACTIVATION...), Name a WebAuthn
// authenticator's or a push device's name, CreatedAt the factor's
// created; Okta keeps no last use, so LastUsedAt is zero. The factor's
// provider (GOOGLE or OKTA for a TOTP app, FIDO, YUBICO) is in Raw.
// DeleteFactor reads the factor, then deletes it; ResetFactors is
// lifecycle/reset_factors, which removes them all at once.
//
// ListIdentities lists the IdPs the user is linked to
// (GET /api/v1/users/{id}/idps) and reads the user's account at each
// (GET /api/v1/idps/{idpId}/users/{userId}): Provider is the IdP's id,
// Subject the account's externalId, Details that IdP user object, its IdP
// profile included. UnlinkIdentity is Okta's
// DELETE /api/v1/idps/{idpId}/users/{userId}, with the IdP's id as
// provider; the next sign-in through that IdP is matched by its
// account-link policy again. A service app needs okta.idps.read and
// okta.idps.manage for these, which DefaultScopes leaves out, because
// Okta refuses a token request for a scope the app was not granted:
// add them to Options.Scopes.
//
// DeprovisionUser is lifecycle/deactivate: the user becomes DEPROVISIONED
// (StatusDeprovisioned), is unassigned from its apps, and loses its
// password, which Okta deletes. ActivateUser then uses lifecycle/activate,
// Okta's only way out of DEPROVISIONED; without the password that leaves
// the user PROVISIONED (Pending), which ActivateUser reports as
// FailedPrecondition with Field "Password": SetPassword then makes it
// Active. HasPassword reads the user's credentials.password.
//
// ResetPassword makes a ResetLink with lifecycle/reset_password and
// sendEmail=false (Okta's resetPasswordUrl; the user is RECOVERY, Pending,
// until it is used), or a ResetTemporaryPassword with
// lifecycle/expire_password_with_temp_password (Okta's tempPassword; the
// user is PASSWORD_EXPIRED, Active, and must change it when signing in).
// Okta mails nothing and says no expiry. SetRoles goes by difference:
// Okta has no call that sets a user's groups or admin roles at once.
//
// Every response's X-Rate-Limit-* headers pace the client, so that a
// burst stays under the org's quota, and a 429 waits until
// X-Rate-Limit-Reset measured against the server's Date.
//
// # Beyond the portable API
//
// The directory's As accepts a **Client, and sets it to the directory's
// typed client, whose Do sends a request with the directory's credential,
// paced and retried as the portable calls are, to any path of the org's
// API (GET /api/v1/users/{id}/appLinks, say). Every error from an Okta
// answer, through Do or a portable call, has an *APIError, the decoded
// body, as its ProviderError, for errors.As.
//
// # Faults
//
// Reads, deletes, partial updates, lifecycle calls, memberships and
// password sets are sent again after a reset, a timeout or a 5xx: sending
// one twice does what sending it once does, and a lifecycle call that
// already took effect gets Okta's wrong-status answer, which the portable
// layer reads as success once it sees the status it wanted. A profile
// replacement carries If-Match, so a lost one that went through makes the
// next attempt read and merge again. Four calls cannot simply be sent
// again (see internal/createonce): CreateUser settles a lost answer by
// looking the login up (the user it made is returned, another holder of
// the login is AlreadyExists, none means the create is sent again);
// CreateRole and CreateOrganization do the same by group name (an
// organization's group counts as made by the create if Okta says it
// was created no earlier than the create was sent); and ChangePassword
// signs in with the new password to learn whether the lost change
// happened. A DELETE sent again that finds the user or group gone is
// success.
package okta

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

// Scheme is the URL scheme this package registers.
const Scheme = "okta"

// Environment variables the URL opener reads.
const (
	EnvAPIToken       = "OKTA_API_TOKEN"
	EnvClientID       = "OKTA_CLIENT_ID"
	EnvPrivateKey     = "OKTA_PRIVATE_KEY"      // PEM
	EnvPrivateKeyFile = "OKTA_PRIVATE_KEY_FILE" // path to a PEM file
	EnvKeyID          = "OKTA_KEY_ID"
	EnvScopes         = "OKTA_SCOPES" // space- or comma-separated
)

// DefaultScopes are the scopes a service app asks for when Options.Scopes
// is empty: enough for every call of this backend in either role mode but
// ListIdentities and UnlinkIdentity, which reach the IdP users API and
// need okta.idps.read and okta.idps.manage too. Those are left out so
// that an app granted only these three still gets a token: Okta refuses
// the whole request for a scope not granted.
var DefaultScopes = []string{"okta.users.manage", "okta.groups.manage", "okta.roles.manage"}

// RoleMode says what a role is.
type RoleMode string

const (
	// RoleModeGroups maps roles to Okta groups of type OKTA_GROUP.
	RoleModeGroups RoleMode = "groups"
	// RoleModeAdmin maps roles to Okta's standard administrator role
	// types, such as USER_ADMIN.
	RoleModeAdmin RoleMode = "admin"
)

// DefaultOrganizationPrefix is the group-name prefix of organizations
// when Options.OrganizationPrefix is empty.
const DefaultOrganizationPrefix = "org:"

// MaxOrganizationPrefixLen bounds Options.OrganizationPrefix, so that most
// of Okta's 255 characters of group name are left to the organization's.
const MaxOrganizationPrefixLen = 32

// Options configures a directory.
type Options struct {
	// OrgURL is the org's root, e.g. "https://dev-1.okta.com". Required.
	OrgURL string

	// APIToken authenticates as "SSWS {token}". Set it, or ClientID and
	// PrivateKey, not both.
	APIToken identity.Secret

	// ClientID and PrivateKey authenticate as an OAuth 2.0 service app
	// with a private_key_jwt client assertion. PrivateKey is an
	// *rsa.PrivateKey (signed RS256) or an *ecdsa.PrivateKey on P-256
	// (ES256). KeyID, when set, is the assertion's kid.
	ClientID   string
	PrivateKey crypto.Signer
	KeyID      string
	// Scopes are the OAuth scopes asked for; empty means DefaultScopes.
	Scopes []string

	// RoleMode is RoleModeGroups (the default, when empty) or
	// RoleModeAdmin.
	RoleMode RoleMode

	// OrganizationPrefix starts the name of every group that is an
	// organization; empty means DefaultOrganizationPrefix. It is 1 to
	// MaxOrganizationPrefixLen printable ASCII characters other than
	// space. Changing it later makes the groups named with the old prefix
	// roles (in group mode), and those named with the new one
	// organizations.
	OrganizationPrefix string

	// NamesOptional says that the org's user profile makes firstName and
	// lastName optional, as orgs that onboard users by email alone set
	// in the Profile Editor. Without it, as in Okta's default profile, a
	// new user needs a GivenName and a FamilyName, and the portable
	// layer refuses a create without them, or an update clearing one,
	// before any request (see Directory.Constraints). URL: names=optional.
	NamesOptional bool

	// HTTPOptions are the transport settings: client, timeouts,
	// attempts, logger, and whether plain http may go to a host that is
	// not a loopback address.
	identity.HTTPOptions
}

// String describes the options without their secrets.
func (o Options) String() string {
	auth := "none"
	switch {
	case o.APIToken != "":
		auth = "api token"
	case o.ClientID != "":
		auth = "service app " + o.ClientID
	}
	return "okta.Options{OrgURL: " + redactedURL(o.OrgURL) + ", auth: " + auth + ", RoleMode: " + string(o.RoleMode) +
		", OrganizationPrefix: " + strconv.Quote(o.OrganizationPrefix) + "}"
}

// redactedURL hides a password someone put into the URL; New refuses such
// a URL, but the options may be printed first.
func redactedURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}

// GoString is String, so that %#v shows no secret either.
func (o Options) GoString() string { return o.String() }

// LogValue is String, so that a structured log shows no secret either.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// MarshalJSON writes the options without their secrets: the API token and
// the private key are "[REDACTED]" when set. PrivateKey would otherwise be
// encoded field by field, private scalar and primes included.
func (o Options) MarshalJSON() ([]byte, error) {
	redacted := func(set bool) string {
		if set {
			return "[REDACTED]"
		}
		return ""
	}
	return json.Marshal(struct {
		OrgURL             string
		APIToken           string        `json:",omitempty"`
		ClientID           string        `json:",omitempty"`
		PrivateKey         string        `json:",omitempty"`
		KeyID              string        `json:",omitempty"`
		Scopes             []string      `json:",omitempty"`
		RoleMode           RoleMode      `json:",omitempty"`
		OrganizationPrefix string        `json:",omitempty"`
		NamesOptional      bool          `json:",omitempty"`
		AllowInsecureHTTP  bool          `json:",omitempty"`
		Timeout            time.Duration `json:",omitempty"`
		MaxAttempts        int           `json:",omitempty"`
		RetryBaseDelay     time.Duration `json:",omitempty"`
	}{redactedURL(o.OrgURL), redacted(o.APIToken != ""), o.ClientID, redacted(o.PrivateKey != nil), o.KeyID, o.Scopes,
		o.RoleMode, o.OrganizationPrefix, o.NamesOptional, o.AllowInsecureHTTP, o.Timeout, o.MaxAttempts, o.RetryBaseDelay})
}

// New returns a directory over the Okta org. It checks opts and makes no
// network call; it returns InvalidArgument naming the first bad option.
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

// URLOpener opens okta:// URLs: the host is the org's host, reached over
// https, or over plain http with insecure_http=true (which, like
// HTTPOptions.AllowInsecureHTTP, allows it to any host). Query
// parameters: roles (groups or admin), names (optional or required), org_prefix
// (Options.OrganizationPrefix, not empty) and insecure_http; any other
// is InvalidArgument. Credentials come from Options or the environment:
// an API token, or else a service app's client id and private key.
type URLOpener struct {
	// Options is the base configuration the URL adds to.
	Options Options
}

// OpenDirectoryURL opens the directory the URL names, with the
// credentials, when o.Options has none, read from the environment.
func (o *URLOpener) OpenDirectoryURL(ctx context.Context, u *url.URL) (*identity.Directory, error) {
	return o.open(ctx, u, identity.OpenSettings{})
}

// open is OpenDirectoryURL and OpenDirectoryURLWith: s.HTTP replaces the
// HTTPOptions of o.Options, and the credentials, when o.Options has
// none, are read with s.Secret (see credentials).
func (o *URLOpener) open(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	opts := o.Options
	if s.HTTP != nil {
		opts.HTTPOptions = *s.HTTP
	}
	base, err := httpx.HostURL(Scheme, u, &opts.HTTPOptions, func(k, v string) (bool, error) {
		switch k {
		case "roles":
			opts.RoleMode = RoleMode(v)
		case "names":
			switch v {
			case "optional", "required":
				opts.NamesOptional = v == "optional"
			default:
				return true, badOption("NamesOptional", "names is %q, not \"optional\" or \"required\"", v)
			}
		case "org_prefix":
			// New validates it; an empty value would silently mean the
			// default, which the URL did not ask for.
			if v == "" {
				return true, badOption("OrganizationPrefix", "org_prefix is empty; leave it out for %q", DefaultOrganizationPrefix)
			}
			opts.OrganizationPrefix = v
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	opts.OrgURL = base
	if opts.APIToken == "" && opts.ClientID == "" {
		if err := credentials(ctx, s, &opts); err != nil {
			return nil, err
		}
	}
	return New(ctx, opts)
}

// ParsePrivateKey reads a PEM-encoded RSA or P-256 ECDSA private key (PKCS
// #8, PKCS #1 or SEC 1), as Okta's admin console downloads it. It returns
// InvalidArgument naming PrivateKey, without the key's bytes, for anything
// else.
func ParsePrivateKey(pemData []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, badOption("PrivateKey", "the private key is not PEM-encoded")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, badOption("PrivateKey", "the private key cannot be parsed (PEM block %q)", block.Type)
	}
	signer, ok := key.(crypto.Signer)
	if !ok || checkKey(signer) != nil {
		return nil, badOption("PrivateKey", "the private key must be RSA or ECDSA P-256")
	}
	return signer, nil
}

func checkKey(k crypto.Signer) error {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return errors.New("RSA keys must have at least 2048 bits")
		}
		return nil
	case *ecdsa.PrivateKey:
		if k.Curve.Params().Name != "P-256" {
			return errors.New("ECDSA keys must be on P-256")
		}
		return nil
	}
	return errors.New("the private key must be RSA or ECDSA P-256")
}

func init() { identity.Register(Scheme, &URLOpener{}) }

func newDirectory(opts Options) (*directory, error) {
	org, err := url.Parse(opts.OrgURL)
	if opts.OrgURL == "" || err != nil || org.Host == "" {
		return nil, badOption("OrgURL", "OrgURL must be an absolute URL such as https://dev-1.okta.com")
	}
	switch opts.RoleMode {
	case "":
		opts.RoleMode = RoleModeGroups
	case RoleModeGroups, RoleModeAdmin:
	default:
		return nil, badOption("RoleMode", "RoleMode must be %q or %q", RoleModeGroups, RoleModeAdmin)
	}
	if opts.OrganizationPrefix == "" {
		opts.OrganizationPrefix = DefaultOrganizationPrefix
	}
	if err := checkPrefix(opts.OrganizationPrefix); err != nil {
		return nil, err
	}
	base := strings.TrimRight(opts.OrgURL, "/")
	transport := httpx.WithTokenClient(opts.HTTPOptions)
	cfg := httpx.Config{
		RouteWords: []string{"api", "v1", "users", "groups", "roles", "lifecycle", "activate", "deactivate", "reactivate", "suspend", "unsuspend", "unlock",
			"expire_password", "reset_password", "credentials", "change_password", "forgot_password", "authn",
			"sessions", "factors", "reset_factors", "idps", "grants", "expire_password_with_temp_password"},
		Backend: Scheme, BaseURL: base,
		RequestIDHeader: "X-Okta-Request-Id", RateLimitHeaders: true, DecodeError: decodeError, HTTPOptions: transport,
	}
	// The Authentication API takes no API credential: it is a sign-in,
	// and a 401 there is a wrong password, not a token to refresh.
	authnClient, err := httpx.New(cfg)
	if err != nil {
		return nil, renameBaseURL(err)
	}
	switch {
	case opts.APIToken != "" && opts.ClientID != "":
		return nil, badOption("APIToken", "set APIToken or ClientID and PrivateKey, not both")
	case opts.APIToken != "":
		if strings.ContainsAny(string(opts.APIToken), " \t\r\n") {
			return nil, badOption("APIToken", "the API token contains white space")
		}
		cfg.AuthHeader = "SSWS " + opts.APIToken
	case opts.ClientID != "":
		if opts.PrivateKey == nil {
			return nil, badOption("PrivateKey", "a service app needs PrivateKey (or set %s)", EnvPrivateKey)
		}
		if err := checkKey(opts.PrivateKey); err != nil {
			return nil, badOption("PrivateKey", "%v", err)
		}
		scopes := opts.Scopes
		if len(scopes) == 0 {
			scopes = DefaultScopes
		}
		cfg.TokenSource = &assertionSource{
			tokenURL: base + "/oauth2/v1/token", clientID: opts.ClientID, keyID: opts.KeyID,
			// The assertion is a credential too: httpx.TokenContext
			// follows no redirect with it.
			key: opts.PrivateKey, scopes: scopes, transport: transport,
		}
	default:
		return nil, badOption("APIToken", "set APIToken, or ClientID and PrivateKey (or %s, or %s and %s)", EnvAPIToken, EnvClientID, EnvPrivateKey)
	}
	c, err := httpx.New(cfg)
	if err != nil {
		return nil, renameBaseURL(err)
	}
	d := &directory{http: c, authn: authnClient, creates: createonce.Creator{Attempts: opts.MaxAttempts}, orgPrefix: opts.OrganizationPrefix, namesOptional: opts.NamesOptional}
	if opts.RoleMode == RoleModeAdmin {
		d.roleMapping = adminRoleTypes{d}
	} else {
		g := groupRoles{d, newGroupCache()}
		d.roleMapping, d.catalog = g, g
	}
	return d, nil
}

// checkPrefix refuses an organization prefix that is too long or holds
// anything but printable ASCII other than space: a prefix with white
// space would be hard to see in the console, and ASCII keeps matching it
// while ignoring case unambiguous.
func checkPrefix(p string) error {
	if len(p) > MaxOrganizationPrefixLen {
		return badOption("OrganizationPrefix", "OrganizationPrefix is longer than %d characters", MaxOrganizationPrefixLen)
	}
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] > '~' {
			return badOption("OrganizationPrefix", "OrganizationPrefix %q holds a character other than printable ASCII without space", p)
		}
	}
	return nil
}

func renameBaseURL(err error) error {
	var ie *identity.Error
	if errors.As(err, &ie) && ie.Field == "BaseURL" {
		ie.Field = "OrgURL"
		ie.Op = "New"
	}
	return err
}
