// Package kratos is the identity backend for Ory Kratos (Ory Identities),
// self-hosted or on Ory Network. It registers the URL scheme "kratos":
//
//	kratos://{admin host}[?public_url=...&schema=default&metadata=public|admin&roles=admin,editor&email_trait=...&insecure_http=true]
//
// with, on Ory Network, the API key in ORY_API_KEY (or Options.APIKey);
// self-hosted Kratos has no credential on its admin API, which must never
// be reachable from outside.
//
// # What maps where
//
// A user is an identity of one identity schema (Options.SchemaID). The
// schema is the application's own, so Options.Traits says which trait
// holds each portable field; the defaults are those of Kratos's
// documented person schema: email in "email", given and family name in
// "name.first" and "name.last", and no username, phone or display name. A
// field without a trait is not a capability. Traits.Identifiers are the
// fields the schema marks as password identifiers
// ("ory.sh/kratos": {"credentials": {"password": {"identifier": true}}}),
// which Kratos keeps unique ignoring case: UniqueEmail and UniquePhone
// follow them, and a lookup by one is one request with
// credentials_identifier. A lookup by a field that is not an identifier
// has no server-side filter in Kratos and walks every identity, one page
// at a time; since such a field is not kept unique, two identities that
// have the value are FailedPrecondition naming the field, not a guess.
//
// EmailVerified is the email's verifiable address being verified.
// Metadata is metadata_public (visible to the user through the sessions
// API) or, with Options.Metadata set to MetadataAdmin, metadata_admin
// (never shown to the user); values come back as encoding/json decodes
// them. State active and inactive are StatusActive and StatusSuspended.
// A suspended user cannot sign in ("This account was disabled."); the
// sessions the user already has stop working while the user is inactive
// but are not deleted, and work again after ActivateUser.
//
// # Updates
//
// UpdateUser sends one JSON Patch (RFC 6902) of the traits and metadata
// keys it changes, so that concurrent updates of different keys or
// fields lose nothing. Kratos refuses "test" operations, so nothing
// guards a key two writers change at once: the last write wins. Removing
// a metadata key reads the user first, since Kratos refuses to remove a
// key that is not there; a key another writer removes in between is
// read again and skipped. The backend never patches credentials: Kratos
// accepts such a patch and destroys the stored password hash.
//
// # Roles
//
// Kratos has no roles. This backend keeps a user's roles in
// metadata_admin, under Options.RolesKey ("roles"), as a sorted JSON
// array of names, never shown to the user. The role catalogue starts as
// Options.Roles and lives in this process: CreateRole and DeleteRole
// change it for this directory only, and DeleteRole also takes the role
// from every user who has it, which walks every identity. Changes of one
// user's roles are serialized within this process; Kratos offers no
// guard against writers elsewhere.
//
// # Passwords
//
// SetPassword replaces the identity with PUT, which is the only way
// Kratos sets a password: the backend reads the identity and writes back
// its traits, metadata and state with the new password. A change another
// writer makes between the read and the write is lost; within this
// process such writes (roles, metadata, other passwords) wait for one
// another. VerifyPassword signs in through the public API's native
// password login flow (so it needs Options.PublicURL) and ends the
// session that creates at once; ChangePassword is VerifyPassword then
// SetPassword. Kratos cannot expire a password: ExpirePassword is
// Unsupported. An administrator's password skips Kratos's password
// policy.
//
// A NewUser.PasswordHash is imported as credentials.password.config.
// hashed_password, written in the form Kratos v1.3.1's comparator reads
// (hash/hash_comparator.go): argon2id, argon2i, bcrypt and PBKDF2 as
// passhash writes them; scrypt with N itself as "ln" and padded base64;
// salted digests with a "pf=" salt template ("{SALT}{PASSWORD}" or
// "{PASSWORD}{SALT}") and padded base64, an unsalted sha1, sha256 or
// sha512 as the template "{PASSWORD}" with an empty salt, an unsalted md5
// as "$md5$<hash>"; Firebase's scrypt as it is. Kratos has no argon2d,
// which is Unsupported. Kratos checks only a hash's prefix when it takes
// one, so a hash it cannot read would be stored and never sign in:
// passhash's parsing before the request is what stands between a typo and
// a locked-out user. At the first sign-in that matches, Kratos re-hashes
// the password with its configured hasher (bcrypt here), so an exported
// hash is then bcrypt. PasswordHash reads the stored hash
// (include_credential=password) back into passhash's encoding, from the
// formats above and LDAP's {SSHA}, {SSHA256} and {SSHA512}; a hash in a
// format passhash has no encoding for (crypt(3)'s md5-crypt, sha256-crypt
// and sha512-crypt, HMAC, PBKDF2 with another digest, another salt
// template) is Unsupported naming PasswordHash, and so is a password
// behind Kratos's password migration hook.
//
// # Account security
//
// RevokeSessions is DELETE /admin/identities/{id}/sessions, which deletes
// every session of the identity; Kratos's session tokens are its only
// tokens, so nothing stays signed in. Kratos answers 404 for an identity
// without sessions, so the identity is read first. SuspendUser does not
// end sessions: they stop working while the identity is inactive and
// work again after ActivateUser, so a help desk signing a user out calls
// RevokeSessions too.
//
// The factors are the identity's credentials of the second-factor types,
// one factor per type, whose ID is the type (Kratos deletes by type, with
// DELETE /admin/identities/{id}/credentials/{type}): totp (FactorTOTP),
// lookup_secret (FactorBackupCodes, the recovery codes) and webauthn
// (FactorWebAuthn, for its keys that are not passwordless; Name is their
// display names). Passkeys and passwordless WebAuthn keys are first
// factors, like the password: they are not listed, and Kratos v1.3.1's
// admin API cannot remove them (a passkey's DELETE is 400 "Unknown
// credentials type", and a webauthn DELETE keeps passwordless keys).
// ResetFactors deletes each factor in turn, one request each: not atomic.
// No factor's Raw holds its config, which keeps the TOTP secret and the
// recovery codes.
//
// The linked identities are the oidc credential's providers
// (include_credential=oidc): Provider is Kratos's provider id, Subject the
// subject there, Details {provider, subject, organization} without the
// initial tokens Kratos keeps. UnlinkIdentity removes each link at the
// provider with DELETE .../credentials/oidc?identifier={provider}:{subject}.
//
// HasPassword is whether the password credential holds a
// hashed_password (include_credential=password); an identity made
// without a password still has a password credential, with config {}.
//
// ResetPassword makes a ResetLink with POST /admin/recovery/link, which
// mails nothing; the link signs the user in and opens the settings flow,
// where the user sets a new password. It needs the link method on
// (selfservice.methods.link.enabled), else FailedPrecondition.
// /admin/recovery/code was not chosen: its link leads to a page that asks
// for the code beside it, two things to hand over where the portable
// reset has one. Kratos has no temporary passwords, and no deprovisioned
// state (only active and inactive): ResetTemporaryPassword and
// DeprovisionUser are Unsupported.
//
// # Beyond the portable API
//
// The directory's As accepts a **Client, and sets it to a typed client
// of the admin API, whose Do sends a request with the API key (if any)
// to any admin path: GET /admin/identities/{id}/sessions, say. Every
// error from a Kratos answer, through Do or a portable call, has an
// *APIError, the decoded body, as its ProviderError, for errors.As.
//
// # Faults
//
// Reads, PUTs and DELETEs are sent again after a reset or a timeout, and
// so are the metadata and trait patches, which set values. A role change
// is a read followed by a set, and is sent again too. CreateUser, when
// its answer is lost, looks the user up by an identifier (see
// internal/createonce): the user it made is returned, one someone else
// holds gives AlreadyExists, and when there is none the create is sent
// again. Without an identifier among the user's fields a lost create is
// not sent again, and gives Unavailable. DeleteUser reads the user first,
// so that a missing user is NotFound, while a delete whose earlier attempt
// went through before its answer was lost succeeds. A password check is a
// login: a login whose answer was lost is tried again on a new flow, and
// a session it may have left behind ends when it expires.
package kratos

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/metaroles"
)

// Scheme is the URL scheme this package registers.
const Scheme = "kratos"

// EnvAPIKey is the environment variable the URL opener reads an Ory
// Network API key from.
const EnvAPIKey = "ORY_API_KEY"

// Where the portable Metadata is kept.
const (
	// MetadataPublic keeps Metadata in metadata_public, which the user
	// can read through Kratos's sessions API. The default.
	MetadataPublic = "public"
	// MetadataAdmin keeps Metadata in metadata_admin, which only the
	// admin API shows.
	MetadataAdmin = "admin"
)

// DefaultRolesKey is the metadata_admin key a user's roles are kept in.
const DefaultRolesKey = "roles"

// Traits names the trait that holds each portable field, as a dotted path
// below the identity's traits ("email", "name.first"); "" means the
// schema has no such field.
type Traits struct {
	Email, Username, Phone             string
	GivenName, FamilyName, DisplayName string
	// Identifiers are the fields, among "email", "username" and "phone",
	// whose traits the identity schema marks as password identifiers. nil
	// means every one of the three that has a trait.
	Identifiers []string
}

// DefaultTraits are those of Kratos's documented person schema
// (https://schemas.ory.sh/presets/kratos/quickstart/email-password/identity.schema.json).
var DefaultTraits = Traits{Email: "email", GivenName: "name.first", FamilyName: "name.last"}

// Options configures a directory.
type Options struct {
	// AdminURL is the root of Kratos's admin API, such as
	// "http://127.0.0.1:4434", or on Ory Network the project's URL.
	// Required.
	AdminURL string
	// PublicURL is the root of Kratos's public API, where passwords are
	// checked; without it VerifyPassword and ChangePassword are
	// Unsupported. On Ory Network it is the project's URL too.
	PublicURL string
	// APIKey is an Ory Network API key ("ory_pat_..."), sent to the
	// admin API as a bearer token. Self-hosted Kratos has none.
	APIKey identity.Secret
	// SchemaID is the identity schema users are created with and listed
	// in; default "default". Identities of other schemas are left out of
	// listings and lookups.
	SchemaID string
	// Traits maps the portable fields onto the schema's traits; the zero
	// value means DefaultTraits.
	Traits Traits
	// Metadata is MetadataPublic (the default) or MetadataAdmin.
	Metadata string
	// RolesKey is the metadata_admin key that holds a user's roles;
	// default DefaultRolesKey. With Metadata set to MetadataAdmin it is
	// not available as a metadata key.
	RolesKey string
	// Roles is the initial role catalogue.
	Roles []identity.Role
	// HTTPOptions are the transport settings: client, timeouts,
	// attempts, logger, and whether plain http may go to a host that is
	// not a loopback address.
	identity.HTTPOptions
}

// New returns a directory over the Kratos server. It checks opts and
// makes no network call; it returns InvalidArgument naming the first bad
// option.
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

// URLOpener opens kratos:// URLs. The host is the admin API's, reached
// over https unless insecure_http=true. Query parameters: public_url,
// schema, metadata (public or admin), roles_key, roles (comma-separated
// role names), the trait of each field as email_trait, username_trait,
// phone_trait, given_name_trait, family_name_trait and display_name_trait
// (an empty value: no such field), identifiers (comma-separated, among
// email, username and phone), and insecure_http (true or false); any
// other is InvalidArgument. An Ory Network API key comes from
// Options.APIKey or else ORY_API_KEY.
type URLOpener struct {
	// Options is the base configuration the URL adds to.
	Options Options
}

// traitParams are the URL parameters that name a field's trait.
var traitParams = map[string]func(*Traits) *string{
	"email_trait":        func(t *Traits) *string { return &t.Email },
	"username_trait":     func(t *Traits) *string { return &t.Username },
	"phone_trait":        func(t *Traits) *string { return &t.Phone },
	"given_name_trait":   func(t *Traits) *string { return &t.GivenName },
	"family_name_trait":  func(t *Traits) *string { return &t.FamilyName },
	"display_name_trait": func(t *Traits) *string { return &t.DisplayName },
}

// OpenDirectoryURL opens the directory the URL names, with the API key,
// when o.Options has none, read from the environment.
func (o *URLOpener) OpenDirectoryURL(ctx context.Context, u *url.URL) (*identity.Directory, error) {
	return o.open(ctx, u, identity.OpenSettings{})
}

// open is OpenDirectoryURL and OpenDirectoryURLWith: s.HTTP replaces the
// HTTPOptions of o.Options, and the API key o.Options leaves empty is
// read with s.Secret.
func (o *URLOpener) open(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	opts := o.Options
	if s.HTTP != nil {
		opts.HTTPOptions = *s.HTTP
	}
	traits := opts.Traits
	if traits.zero() {
		traits = DefaultTraits
	}
	base, err := httpx.HostURL(Scheme, u, &opts.HTTPOptions, func(k, v string) (bool, error) {
		if f, ok := traitParams[k]; ok {
			*f(&traits) = v
			return true, nil
		}
		switch k {
		case "public_url":
			opts.PublicURL = v
		case "schema":
			opts.SchemaID = v
		case "metadata":
			opts.Metadata = v
		case "roles_key":
			opts.RolesKey = v
		case "identifiers":
			traits.Identifiers = append([]string{}, splitList(v)...)
		case "roles":
			opts.Roles = nil
			for _, name := range splitList(v) {
				opts.Roles = append(opts.Roles, identity.Role{Name: name})
			}
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	opts.Traits = traits
	opts.AdminURL = base
	if opts.APIKey == "" {
		key, err := s.Secret(ctx, EnvAPIKey)
		if err != nil {
			return nil, err
		}
		opts.APIKey = key
	}
	return New(ctx, opts)
}

// zero reports whether t names no trait and no identifier.
func (t Traits) zero() bool {
	return t.Email == "" && t.Username == "" && t.Phone == "" && t.GivenName == "" &&
		t.FamilyName == "" && t.DisplayName == "" && t.Identifiers == nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func init() { identity.Register(Scheme, &URLOpener{}) }

// identifierFields are the identifier fields Traits.Identifiers may name.
var identifierFields = []string{"email", "username", "phone"}

func newDirectory(opts Options) (*directory, error) {
	if opts.AdminURL == "" {
		return nil, badOption("AdminURL", "AdminURL is required")
	}
	if opts.SchemaID == "" {
		opts.SchemaID = "default"
	}
	if opts.Traits.zero() {
		opts.Traits = DefaultTraits
	}
	opts.Traits.Identifiers = slices.Clone(opts.Traits.Identifiers)
	t := &opts.Traits
	paths := map[string]string{}
	for name, p := range map[string]string{"Email": t.Email, "Username": t.Username, "Phone": t.Phone, "GivenName": t.GivenName, "FamilyName": t.FamilyName, "DisplayName": t.DisplayName} {
		if p == "" {
			continue
		}
		if err := checkTraitPath(p); err != nil {
			return nil, badOption("Traits."+name, "the trait path %q %s", p, err)
		}
		if other, dup := paths[p]; dup {
			return nil, badOption("Traits."+name, "the trait %q also holds %s", p, other)
		}
		paths[p] = name
	}
	if t.Identifiers == nil {
		for _, f := range identifierFields {
			if t.path(f) != "" {
				t.Identifiers = append(t.Identifiers, f)
			}
		}
	}
	for _, f := range t.Identifiers {
		if !slices.Contains(identifierFields, f) {
			return nil, badOption("Traits.Identifiers", "%q is not one of email, username and phone", f)
		}
		if t.path(f) == "" {
			return nil, badOption("Traits.Identifiers", "%s is an identifier but has no trait", f)
		}
	}
	switch opts.Metadata {
	case "":
		opts.Metadata = MetadataPublic
	case MetadataPublic, MetadataAdmin:
	default:
		return nil, badOption("Metadata", "Metadata is %q, not %q or %q", opts.Metadata, MetadataPublic, MetadataAdmin)
	}
	if opts.RolesKey == "" {
		opts.RolesKey = DefaultRolesKey
	}
	if strings.TrimSpace(opts.RolesKey) != opts.RolesKey || strings.ContainsAny(opts.RolesKey, "\x00\n/~") {
		return nil, badOption("RolesKey", "RolesKey %q is not a usable key", opts.RolesKey)
	}
	if strings.ContainsAny(opts.SchemaID, "\x00\n\r") {
		return nil, badOption("SchemaID", "SchemaID has a control character")
	}

	d := &directory{opts: opts, creates: createonce.Creator{Attempts: opts.MaxAttempts}}
	cfg := httpx.Config{Backend: Scheme, BaseURL: opts.AdminURL, DecodeError: decodeError, HTTPOptions: opts.HTTPOptions,
		RouteWords: []string{"admin", "identities", "sessions", "self-service", "login", "logout", "api",
			"credentials", "totp", "lookup_secret", "webauthn", "oidc", "recovery", "link"}}
	if opts.APIKey != "" {
		cfg.AuthHeader = "Bearer " + opts.APIKey
	}
	var err error
	if d.admin, err = httpx.New(cfg); err != nil {
		return nil, relabel(err, "AdminURL")
	}
	if opts.PublicURL != "" {
		// The public API is where users sign in: it is sent no
		// credential of the directory's.
		cfg.BaseURL, cfg.AuthHeader = opts.PublicURL, ""
		if d.public, err = httpx.New(cfg); err != nil {
			return nil, relabel(err, "PublicURL")
		}
	}
	roles, err := metaroles.New(d, opts.Roles, nil)
	if err != nil {
		return nil, err
	}
	d.Roles = roles
	return d, nil
}

// relabel names field in the error httpx.New gives for a bad BaseURL.
func relabel(err error, field string) error {
	if e, ok := err.(*identity.Error); ok && e.Field == "BaseURL" {
		e.Field = field
		e.Message = strings.ReplaceAll(e.Message, "BaseURL", field)
	}
	return err
}

// checkTraitPath reports what is wrong with a dotted trait path.
func checkTraitPath(p string) error {
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return errString("has an empty segment")
		}
		if strings.ContainsAny(seg, "/~\x00\n\r") {
			return errString("has a character a trait name cannot have")
		}
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// path returns the trait path of an identifier field.
func (t *Traits) path(field string) string {
	switch field {
	case "email":
		return t.Email
	case "username":
		return t.Username
	case "phone":
		return t.Phone
	}
	return ""
}

// identifier reports whether field is a password identifier.
func (t *Traits) identifier(field string) bool { return slices.Contains(t.Identifiers, field) }
