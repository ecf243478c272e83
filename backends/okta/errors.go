package okta

import (
	"errors"
	"net/http"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// APIError is Okta's error body, decoded: the ProviderError of every
// error a response of Okta's made, reached with errors.As:
//
//	var body *okta.APIError
//	if errors.As(err, &body) { log.Print(body.ErrorCode, body.ErrorCauses) }
//
// Only ErrorCode is meant for flow control, Okta says; the summaries are
// prose and change. Any credential the request carried that a server
// echoed into the body is "[REDACTED]" in it.
type APIError struct {
	// ErrorCode is Okta's code, such as "E0000007".
	ErrorCode string `json:"errorCode"`
	// ErrorSummary says what went wrong, in English.
	ErrorSummary string `json:"errorSummary"`
	// ErrorLink is currently the same as ErrorCode.
	ErrorLink string `json:"errorLink"`
	// ErrorID identifies this occurrence, for Okta's support.
	ErrorID string `json:"errorId"`
	// ErrorCauses say in more detail what went wrong, often as
	// "{property}: {what}".
	ErrorCauses []ErrorCause `json:"errorCauses"`
}

// ErrorCause is one of an APIError's causes.
type ErrorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// Error returns the code and summary, such as "okta E0000007: Not found:
// Resource not found: 00u1 (User)".
func (e *APIError) Error() string { return "okta " + e.ErrorCode + ": " + e.ErrorSummary }

// decodeError reads Okta's {errorCode, errorSummary, errorId,
// errorCauses} body. The first cause, "{property}: {what}", names the
// field; a cause saying the value already exists makes AlreadyExists,
// and a cause about the old password makes InvalidCredentials.
func decodeError(status int, _ http.Header, body []byte) *identity.Error {
	b, e := httpx.DecodeBody(status, body, codes, func(b *APIError) (string, string) { return b.ErrorCode, b.ErrorSummary })
	if e == nil {
		return nil
	}
	e.Retryable = retryable[b.ErrorCode]
	if len(b.ErrorCauses) > 0 {
		cause := b.ErrorCauses[0].ErrorSummary
		prop, what, found := strings.Cut(cause, ":")
		if found && strings.HasSuffix(e.Message, ": "+prop) {
			// "Api validation failed: login" and "login: An object with
			// this field already exists": the property once.
			e.Message += ":" + what
		} else {
			e.Message += ": " + cause
		}
		if found && isPropertyName(prop) {
			e.Field = fieldOf(prop)
			what = strings.ToLower(what)
			switch {
			case strings.Contains(what, "already exists"):
				e.Code = identity.AlreadyExists
			case prop == "oldPassword" && b.ErrorCode == "E0000014":
				e.Code = identity.InvalidCredentials
			}
		}
	}
	return e
}

// codes maps each Okta errorCode the calls of this backend can meet to a
// portable code. Codes not listed fall back to the HTTP status. Some codes
// mean different things for different calls (E0000001 is a validation
// error on a create and a wrong-status error on suspend); the calls
// concerned refine them.
var codes = map[string]identity.Code{
	"E0000001": identity.InvalidArgument,    // Api validation failed
	"E0000003": identity.InvalidArgument,    // body not well-formed
	"E0000004": identity.InvalidCredentials, // Authentication failed (authn)
	"E0000005": identity.Unauthenticated,    // Invalid session
	"E0000006": identity.PermissionDenied,   // no permission
	"E0000007": identity.NotFound,
	"E0000009": identity.Unavailable, // internal server error
	"E0000010": identity.Unavailable, // read-only maintenance
	"E0000011": identity.Unauthenticated,
	"E0000014": identity.FailedPrecondition, // update of credentials failed
	"E0000015": identity.PermissionDenied,   // feature not enabled
	"E0000016": identity.FailedPrecondition, // already active
	"E0000017": identity.FailedPrecondition, // password reset failed
	"E0000032": identity.FailedPrecondition, // unlock not allowed for this user
	"E0000048": identity.NotFound,           // entity not found
	"E0000102": identity.FailedPrecondition, // a YubiKey is deleted by reset_factors only
	"E0000022": identity.Internal,           // method not supported: a bug here
	"E0000028": identity.InvalidArgument,    // missing parameter
	"E0000031": identity.InvalidArgument,    // invalid search criteria
	"E0000034": identity.FailedPrecondition, // forgot password not allowed
	"E0000035": identity.FailedPrecondition, // change password not allowed
	"E0000038": identity.FailedPrecondition, // not allowed in the user's status
	"E0000047": identity.RateLimited,
	"E0000055": identity.AlreadyExists,      // duplicate group
	"E0000064": identity.FailedPrecondition, // password expired
	"E0000069": identity.FailedPrecondition, // user locked
	"E0000080": identity.FailedPrecondition, // password policy
	"E0000090": identity.AlreadyExists,      // role already assigned
	"E0000091": identity.InvalidArgument,    // wrong role type
	"E0000093": identity.InvalidArgument,    // too many groupIds
	"E0000112": identity.Unavailable,        // still being activated
	"E0000119": identity.FailedPrecondition, // account locked
	"E0000154": identity.FailedPrecondition, // factor not currently active
	"E0000155": identity.FailedPrecondition, // user not currently active
	"E0000156": identity.NotFound,           // user does not exist or was deleted
	"E0000180": identity.FailedPrecondition, // factor not currently active
	"E0000124": identity.InvalidArgument,
	"E0000125": identity.InvalidArgument,
	"E0000231": identity.FailedPrecondition, // ETag mismatch
	"E0000242": identity.InvalidArgument,    // ETag syntax
	"E0000263": identity.AlreadyExists,      // duplicate role assignment
	"E0000268": identity.Unavailable,        // concurrent role changes
}

// retryable are the codes that say "try again shortly".
var retryable = map[string]bool{"E0000009": true, "E0000010": true, "E0000112": true, "E0000268": true}

// profileFields names the portable field an error cause is about, by the
// profile property before the cause's colon. Other properties are
// metadata keys.
var profileFields = map[string]string{
	"login":       "Username",
	"email":       "Email",
	"mobilePhone": "Phone",
	"firstName":   "GivenName",
	"lastName":    "FamilyName",
	"displayName": "DisplayName",
	"password":    "Password",
	"oldPassword": "Password",
	"newPassword": "Password",
	"name":        "Role",
}

func fieldOf(prop string) string {
	if f, ok := profileFields[prop]; ok {
		return f
	}
	return "Metadata." + prop
}

// isPropertyName reports whether s looks like a profile property name,
// so that a cause in prose ("Password requirements: ...") names no field.
func isPropertyName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// withCode returns err with its code replaced when it is an
// *identity.Error with the provider code pc, for the calls where an
// Okta code means something more precise than its general meaning. A
// lifecycle call's E0000001 names the property "status", which is the
// user's Status there, not a metadata key.
func withCode(err error, pc string, c identity.Code) error {
	var ie *identity.Error
	if errors.As(err, &ie) && ie.ProviderCode == pc {
		ie.Code = c
		if c == identity.FailedPrecondition && ie.Field == fieldOf("status") {
			ie.Field = "Status"
		}
	}
	return err
}

// providerCode returns the Okta errorCode of err, or "".
func providerCode(err error) string {
	var ie *identity.Error
	if errors.As(err, &ie) {
		return ie.ProviderCode
	}
	return ""
}
