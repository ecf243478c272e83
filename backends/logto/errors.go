package logto

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// APIError is Logto's error body, decoded: the ProviderError of every
// error a response of Logto's made, reached with errors.As:
//
//	var body *logto.APIError
//	if errors.As(err, &body) { log.Print(body.Code, body.Details) }
//
// Any credential the request carried that a server echoed into the body
// is "[REDACTED]" in it.
type APIError struct {
	// Code is Logto's code, such as "entity.not_found".
	Code string `json:"code"`
	// Message says what went wrong, in the tenant's language.
	Message string `json:"message"`
	// Data is the error's structured detail as JSON decodes it (for a
	// guard error, the zod issues), or nil.
	Data any `json:"data,omitempty"`
	// Details is a guard error's line per issue, or "".
	Details string `json:"details,omitempty"`
}

// Error returns the code and message, such as "logto entity.not_found:
// The resource does not exist.".
func (e *APIError) Error() string { return "logto " + e.Code + ": " + e.Message }

// decodeError reads Logto's {code, message, data?, details?} body.
func decodeError(status int, _ http.Header, body []byte) *identity.Error {
	b, e := httpx.DecodeBody(status, body, codes, func(b *APIError) (string, string) { return b.Code, b.Message })
	if e != nil {
		e.Field = fields[b.Code]
		if b.Details != "" {
			e.Message += " " + b.Details
		}
	}
	return e
}

// codes maps each Logto error code the Management API paths this backend
// uses can return to a portable code. Codes not listed fall back to the
// HTTP status.
var codes = map[string]identity.Code{
	"entity.not_found":                 identity.NotFound,
	"entity.not_exists_with_id":        identity.NotFound,
	"user.username_already_in_use":     identity.AlreadyExists,
	"user.email_already_in_use":        identity.AlreadyExists,
	"user.phone_already_in_use":        identity.AlreadyExists,
	"role.name_in_use":                 identity.AlreadyExists,
	"guard.invalid_input":              identity.InvalidArgument,
	"guard.invalid_pagination":         identity.InvalidArgument,
	"request.invalid_input":            identity.InvalidArgument,
	"user.invalid_role_type":           identity.InvalidArgument,
	"user.password_and_digest":         identity.InvalidArgument,
	"user.password_algorithm_required": identity.InvalidArgument,
	// What POST /api/users refuses of a Legacy passwordDigest
	// (utils/password.ts, parseLegacyPassword), all 400. CreateUser
	// sends only digests these pass; a body through the typed client
	// may not.
	"password.unsupported_encryption_method":      identity.InvalidArgument,
	"password.invalid_legacy_password_format":     identity.InvalidArgument,
	"password.unsupported_legacy_hash_algorithm":  identity.InvalidArgument,
	"user.cannot_delete_self":                     identity.FailedPrecondition,
	"session.invalid_credentials":                 identity.InvalidCredentials,
	"auth.authorization_header_missing":           identity.Unauthenticated,
	"auth.authorization_token_type_not_supported": identity.Unauthenticated,
	"auth.unauthorized":                           identity.Unauthenticated,
	"auth.forbidden":                              identity.PermissionDenied,
	"oidc.invalid_target":                         identity.Unauthenticated,

	// The organization endpoints' codes (SEMANTICS.md 5.1, observed on
	// Logto 1.37.1). A foreign-key error and require_membership are
	// answered whichever id is missing; the calls find out which, and
	// require_membership stays FailedPrecondition only for a user who
	// exists but is not a member.
	"entity.not_exists":                     identity.NotFound,
	"entity.relation_foreign_key_not_found": identity.NotFound,
	"organization.role_names_not_found":     identity.NotFound,
	"organization.require_membership":       identity.FailedPrecondition,
	"entity.unique_integrity_violation":     identity.AlreadyExists,
	"entity.invalid_input":                  identity.InvalidArgument,
	// A MachineToMachine organization role given to a user.
	"entity.db_constraint_violated": identity.InvalidArgument,

	// The account-security endpoints' codes (SEMANTICS.md 5.1.7,
	// observed on Logto 1.37.1). A missing MFA verification is
	// entity.not_found, as a missing user is: DeleteFactor tells them
	// apart. A missing social identity has its own code.
	"user.identity_not_exist":                  identity.NotFound,
	"user.identity_already_in_use":             identity.AlreadyExists,
	"user.totp_already_in_use":                 identity.AlreadyExists,
	"user.backup_code_already_in_use":          identity.AlreadyExists,
	"user.personal_access_token_name_exists":   identity.AlreadyExists,
	"user.totp_secret_invalid":                 identity.InvalidArgument,
	"user.wrong_backup_code_format":            identity.InvalidArgument,
	"session.mfa.backup_code_can_not_be_alone": identity.FailedPrecondition,
}

// fields names the portable field an error is about.
var fields = map[string]string{
	"user.username_already_in_use": "Username",
	"user.email_already_in_use":    "Email",
	"user.phone_already_in_use":    "Phone",
	"user.invalid_role_type":       "role",

	"user.password_and_digest":                   "PasswordHash",
	"user.password_algorithm_required":           "PasswordHash",
	"password.unsupported_encryption_method":     "PasswordHash",
	"password.invalid_legacy_password_format":    "PasswordHash",
	"password.unsupported_legacy_hash_algorithm": "PasswordHash",

	"organization.role_names_not_found": "role",

	"user.identity_not_exist":                  "identity",
	"user.identity_already_in_use":             "identity",
	"user.totp_already_in_use":                 "factor",
	"user.backup_code_already_in_use":          "factor",
	"user.totp_secret_invalid":                 "factor",
	"user.wrong_backup_code_format":            "factor",
	"session.mfa.backup_code_can_not_be_alone": "factor",
}

func asError(err error, target **identity.Error) bool { return errors.As(err, target) }

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }
