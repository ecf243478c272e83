package passage

import (
	"net/http"
	"regexp"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// APIError is Passage's error body, decoded: the ProviderError of every
// error a response of Passage's made, reached with errors.As:
//
//	var body *passage.APIError
//	if errors.As(err, &body) && body.Code == "user_not_found" { ... }
//
// Any credential the request carried that a server echoed into the body
// is "[REDACTED]" in it.
type APIError struct {
	// Code is Passage's code, such as "user_not_found".
	Code string `json:"code"`
	// Message is the body's error field: what went wrong, in English.
	Message string `json:"error"`
}

// Error returns the code and message, such as "passage user_not_found:
// User not found.".
func (e *APIError) Error() string { return "passage " + e.Code + ": " + e.Message }

// decodeError reads Passage's {"code", "error"} body.
func decodeError(status int, _ http.Header, body []byte) *identity.Error {
	b, e := httpx.DecodeBody(status, body, codes, func(b *APIError) (string, string) { return b.Code, b.Message })
	switch {
	case e == nil:
		return nil
	case b.Code == "app_not_found":
		// A wrong app id is a configuration error, not a missing user.
		e.Field, e.Message = "AppID", "Passage has no app with this id"
	case b.Code == "device_not_found":
		// The user exists (a missing one is user_not_found): what is
		// missing is the factor.
		e.Field = "factor"
	case b.Code == "metadata_field_not_found":
		e.Field = "Metadata"
		if m := quotedField.FindStringSubmatch(b.Message); m != nil {
			e.Field = "Metadata." + m[1]
		}
		e.Message = "the app defines no such user_metadata field: " + b.Message
	}
	return e
}

// quotedField finds the field a metadata_field_not_found message names.
var quotedField = regexp.MustCompile(`"([^"]{1,128})"`)

// codes maps each Passage error code of the user API to a portable code.
// Codes not listed fall back to the HTTP status.
var codes = map[string]identity.Code{
	"invalid_request":          identity.InvalidArgument,
	"custom_provider_required": identity.FailedPrecondition,
	"invalid_access_token":     identity.Unauthenticated,
	"invalid_nonce":            identity.Unauthenticated,
	"operation_not_allowed":    identity.PermissionDenied,
	"user_not_found":           identity.NotFound,
	"device_not_found":         identity.NotFound,
	"app_not_found":            identity.InvalidArgument,
	"metadata_field_not_found": identity.InvalidArgument,
	"internal_server_error":    identity.Unavailable,
}
