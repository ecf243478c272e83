package logto

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// codes maps each Logto error code the Management API paths this backend
// uses can return to a portable code. Codes not listed fall back to the
// HTTP status.
var codes = map[string]identity.Code{
	"entity.not_found":                            identity.NotFound,
	"entity.not_exists_with_id":                   identity.NotFound,
	"user.username_already_in_use":                identity.AlreadyExists,
	"user.email_already_in_use":                   identity.AlreadyExists,
	"user.phone_already_in_use":                   identity.AlreadyExists,
	"role.name_in_use":                            identity.AlreadyExists,
	"guard.invalid_input":                         identity.InvalidArgument,
	"guard.invalid_pagination":                    identity.InvalidArgument,
	"request.invalid_input":                       identity.InvalidArgument,
	"user.invalid_role_type":                      identity.InvalidArgument,
	"user.password_and_digest":                    identity.InvalidArgument,
	"user.password_algorithm_required":            identity.InvalidArgument,
	"user.cannot_delete_self":                     identity.FailedPrecondition,
	"session.invalid_credentials":                 identity.InvalidCredentials,
	"auth.authorization_header_missing":           identity.Unauthenticated,
	"auth.authorization_token_type_not_supported": identity.Unauthenticated,
	"auth.unauthorized":                           identity.Unauthenticated,
	"auth.forbidden":                              identity.PermissionDenied,
	"oidc.invalid_target":                         identity.Unauthenticated,
}

// fields names the portable field an error is about.
var fields = map[string]string{
	"user.username_already_in_use": "Username",
	"user.email_already_in_use":    "Email",
	"user.phone_already_in_use":    "Phone",
	"user.invalid_role_type":       "role",
}

// decodeError reads Logto's {code, message, details?} body.
func decodeError(status int, _ http.Header, body []byte) *identity.Error {
	var b struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details string `json:"details"`
	}
	if json.Unmarshal(body, &b) != nil || b.Code == "" {
		return nil
	}
	code, ok := codes[b.Code]
	if !ok {
		code = httpx.GenericError(status)
	}
	msg := b.Message
	if b.Details != "" {
		msg += " " + b.Details
	}
	return &identity.Error{Code: code, ProviderCode: b.Code, Message: msg, Field: fields[b.Code]}
}

func asError(err error, target **identity.Error) bool { return errors.As(err, target) }

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }
