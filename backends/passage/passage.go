// Package passage is the identity backend for Passage by 1Password's
// Management API. It registers the URL scheme "passage":
//
//	passage://{app id}[?base_url=...&roles_field=...&roles=admin,editor&metadata_fields=plan:string,seats:integer]
//
// with the API key in PASSAGE_API_KEY (or Options.APIKey).
//
// Passage stopped service on 2026-01-16; this backend follows its last
// published API (v1) exactly, for applications that still run against it
// or against a compatible server.
//
// # What maps where
//
// Email and Phone are Passage's email and phone; Metadata is
// user_metadata, whose fields must be defined for the app (a key that is
// not gives InvalidArgument naming it). Status active, inactive and pending
// are StatusActive, StatusSuspended and StatusPending; SuspendUser is
// deactivate and ActivateUser is activate. Passage has no usernames, no
// names, no passwords (it is passwordless) and no roles: those return
// Unsupported, as Capabilities says.
//
// # Account security
//
// RevokeSessions is DELETE /apps/{app_id}/users/{user_id}/tokens, which
// revokes the user's refresh tokens; Passage keeps no other server-side
// session, so the user's apps are signed out once their access tokens
// expire. SuspendUser (deactivate) stops new sign-ins but is not
// documented to revoke tokens: to sign a user out, call RevokeSessions
// too.
//
// The factors are the user's WebAuthn devices (GET and DELETE
// .../users/{user_id}/devices[/{device_id}]), every one of kind
// FactorWebAuthn, with the device's type (passkey, security_key or
// platform) as ProviderType, friendly_name as Name, created_at as
// CreatedAt and last_login_at as LastUsedAt (zero for a device never
// used). No other kind is reported. ResetFactors deletes the devices one
// by one, since Passage has no call that removes them all: it is not
// atomic, and a failure part way leaves the rest.
//
// Passage has no passwords, no linked-identity API (social_connections
// is read-only in the user, and has no unlink), no deprovisioning beyond
// deactivate, and no password resets: HasPassword, ListIdentities,
// UnlinkIdentity, DeprovisionUser and ResetPassword are Unsupported.
//
// # Roles in metadata
//
// With Options.RolesField set, a user's roles are kept in that
// user_metadata field (a string field the app defines) as a sorted,
// comma-separated list, so role-based applications can run on Passage.
// The role catalogue starts as Options.Roles and lives in this process:
// CreateRole and DeleteRole change it for this directory only, and
// DeleteRole also takes the role from every user who has it, which walks
// the whole user list. Role names may not contain a comma. Assignments made
// through one directory are serialized per user; writers in other
// processes can still race with them, since Passage offers no concurrency
// guard.
//
// # Beyond the portable API
//
// The directory's As accepts a **Client, and sets it to the directory's
// typed client, whose Do sends a request with the API key to any path
// below the base URL (GET /apps/{app_id}/users/{id}/devices, say). Every
// error from a Passage answer, through Do or a portable call, has an
// *APIError, the decoded body, as its ProviderError, for errors.As.
//
// # Faults
//
// Every call but one is safe to send again after a reset or a timeout,
// and is: reads, deletes, and the PATCHes (user, activate, deactivate, the
// roles field), which set values. The one is CreateUser: when its answer
// is lost, the user is looked up by email or phone, which Passage keeps
// unique (see internal/createonce); the user it made is returned, a user
// someone else holds the identifier with gives AlreadyExists, and when
// there is none the create is sent again. DeleteUser reads the user first,
// so that a missing user is NotFound, while a delete whose earlier attempt
// went through before its answer was lost succeeds.
package passage

import (
	"context"
	"net/url"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/metaroles"
)

// Scheme is the URL scheme this package registers.
const Scheme = "passage"

// DefaultBaseURL is Passage's API root.
const DefaultBaseURL = "https://api.passage.id/v1"

// EnvAPIKey is the environment variable the URL opener reads the API key
// from.
const EnvAPIKey = "PASSAGE_API_KEY"

// Options configures a directory.
type Options struct {
	// AppID is the Passage app. Required.
	AppID string
	// APIKey authenticates as the app. Required.
	APIKey identity.Secret
	// BaseURL overrides DefaultBaseURL, e.g. for an emulator.
	BaseURL string
	// HTTPOptions are the transport settings: client, timeouts,
	// attempts, logger, and whether plain http may go to a host that is
	// not a loopback address.
	identity.HTTPOptions

	// RolesField, when set, turns on roles kept in this user_metadata
	// field; see the package doc.
	RolesField string
	// Roles is the initial role catalogue in roles mode.
	Roles []identity.Role

	// MetadataFields are the app's user_metadata fields and their types
	// (string, boolean, integer, email, phone or date), as defined in
	// Passage's console. When set, the portable layer refuses a metadata
	// key that is not one of them, or a value of another type, before
	// any request (see Directory.Constraints); without it Passage itself
	// refuses such a key (404 metadata_field_not_found). URL:
	// metadata_fields=plan:string,seats:integer.
	MetadataFields map[string]identity.ValueType
}

// New returns a directory over the Passage app. It checks opts and makes
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

// URLOpener opens passage:// URLs. The host is the app id. Query
// parameters: base_url, roles_field, roles (comma-separated role names),
// metadata_fields (comma-separated name:type pairs) and insecure_http
// (true or false); any other is InvalidArgument.
// The API key comes from Options.APIKey or else PASSAGE_API_KEY.
type URLOpener struct {
	// Options is the base configuration the URL adds to.
	Options Options
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
	opts.AppID = u.Host
	_, err := httpx.URLParams(Scheme, u, &opts.HTTPOptions, func(k, v string) (bool, error) {
		switch k {
		case "base_url":
			opts.BaseURL = v
		case "roles_field":
			opts.RolesField = v
		case "metadata_fields":
			fields, err := parseFields(v)
			if err != nil {
				return true, err
			}
			opts.MetadataFields = fields
		case "roles":
			opts.Roles = nil
			for _, name := range strings.Split(v, ",") {
				if name = strings.TrimSpace(name); name != "" {
					opts.Roles = append(opts.Roles, identity.Role{Name: name})
				}
			}
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if opts.APIKey == "" {
		key, err := s.Secret(ctx, EnvAPIKey)
		if err != nil {
			return nil, err
		}
		opts.APIKey = key
	}
	return New(ctx, opts)
}

func init() { identity.Register(Scheme, &URLOpener{}) }

func newDirectory(opts Options) (*directory, error) {
	if opts.AppID == "" {
		return nil, badOption("AppID", "AppID is required")
	}
	for _, c := range opts.AppID {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, badOption("AppID", "AppID has the character %q", c)
		}
	}
	if opts.APIKey == "" {
		return nil, badOption("APIKey", "APIKey is required (or set %s)", EnvAPIKey)
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if err := checkFields(opts); err != nil {
		return nil, err
	}
	d := &directory{opts: opts, appPath: []string{"apps", opts.AppID, "users"}, creates: createonce.Creator{Attempts: opts.MaxAttempts}}
	if opts.RolesField == "" && len(opts.Roles) > 0 {
		// Without a field to keep them in, the roles would be refused at
		// the first call instead of here.
		return nil, badOption("Roles", "Roles needs RolesField (roles_field=...), the user_metadata field that keeps each user's roles")
	}
	if opts.RolesField != "" {
		if strings.TrimSpace(opts.RolesField) != opts.RolesField || strings.ContainsAny(opts.RolesField, "\x00\n") {
			return nil, badOption("RolesField", "RolesField %q is not a usable field name", opts.RolesField)
		}
		roles, err := metaroles.New(d, opts.Roles, checkRoleName)
		if err != nil {
			var e *identity.Error
			if asError(err, &e) {
				return nil, badOption("Roles", "role %q: %s", e.Role, e.Message)
			}
			return nil, err
		}
		d.Roles = roles
	}
	c, err := httpx.New(httpx.Config{
		RouteWords: []string{"apps", "users", "activate", "deactivate", "devices", "tokens"},
		Backend:    Scheme, BaseURL: opts.BaseURL,
		AuthHeader:  "Bearer " + opts.APIKey,
		DecodeError: decodeError,
		HTTPOptions: opts.HTTPOptions,
	})
	if err != nil {
		return nil, err
	}
	d.http = c
	return d, nil
}
