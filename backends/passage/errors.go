package passage

import (
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

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

var quotedField = regexp.MustCompile(`"([^"]{1,128})"`)

// decodeError reads Passage's {"code", "error"} body.
func decodeError(status int, _ http.Header, body []byte) *identity.Error {
	var b struct {
		Code  string `json:"code"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &b) != nil || b.Code == "" {
		return nil
	}
	code, ok := codes[b.Code]
	if !ok {
		code = httpx.GenericError(status)
	}
	e := &identity.Error{Code: code, ProviderCode: b.Code, Message: b.Error}
	switch b.Code {
	case "app_not_found":
		// A wrong app id is a configuration error, not a missing user.
		e.Field, e.Message = "AppID", "Passage has no app with this id"
	case "metadata_field_not_found":
		e.Field = "Metadata"
		if m := quotedField.FindStringSubmatch(b.Error); m != nil {
			e.Field = "Metadata." + m[1]
		}
		e.Message = "the app defines no such user_metadata field: " + b.Error
	}
	return e
}
