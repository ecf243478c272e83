package identity

import (
	"context"
	"errors"
	"net/http"
)

// StatusClientClosedRequest is the status [HTTPStatus] gives a call whose
// context was cancelled, which in a server means the client went away:
// 499, as nginx and grpc-gateway use it. No one reads the answer; it
// keeps such requests apart from failures in logs and metrics.
const StatusClientClosedRequest = 499

// HTTPStatus returns the HTTP status an application's own API answers
// with when a Directory call fails with err, and 200 for nil:
//
//	code                 status  why
//	NotFound             404     no such user, role, organization, factor or identity
//	AlreadyExists        409     the email, username, phone or name is taken
//	InvalidArgument      400     the caller's input is malformed; Error.Field names it
//	FailedPrecondition   409     the target's state forbids it (suspending a pending user)
//	  with ErrClosed     503     the directory is closed: the server is shutting down
//	InvalidCredentials   401     the password the caller gave did not match
//	Unauthenticated      500     the provider refused the backend's own credentials
//	PermissionDenied     500     the backend's credentials lack a permission
//	RateLimited          503     the provider's limit; send Retry-After from Error.RetryAfter
//	Unavailable          503     the provider could not be reached, or failed for now
//	Unsupported          501     this backend cannot carry the field or operation
//	Internal             500     the provider's answer made no sense, or a bug
//	context deadline     504     the call's deadline passed
//	context cancelled    499     the client went away (StatusClientClosedRequest)
//	anything else        500
//
// Unauthenticated and PermissionDenied are about the credentials the
// directory was opened with, not the end user's: answering them with
// 401 or 403 would tell the end user to sign in again, when it is the
// server's configuration that needs fixing, so they are a 5xx, to be
// alerted on. RateLimited is 503 rather than 429 for the same reason:
// the provider limits the application, not the one client. Only the
// 4xx errors' Code, Field and Message are meant for the client; a 5xx
// error is for the server's log.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var e *Error
	if !errors.As(err, &e) {
		// Checked after *Error, so that a provider's timeout the
		// backend reported as Unavailable stays 503.
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return http.StatusGatewayTimeout
		case errors.Is(err, context.Canceled):
			return StatusClientClosedRequest
		}
		return http.StatusInternalServerError
	}
	switch e.Code {
	case NotFound:
		return http.StatusNotFound
	case AlreadyExists:
		return http.StatusConflict
	case InvalidArgument:
		return http.StatusBadRequest
	case FailedPrecondition:
		if errors.Is(err, ErrClosed) {
			return http.StatusServiceUnavailable
		}
		return http.StatusConflict
	case InvalidCredentials:
		return http.StatusUnauthorized
	case RateLimited, Unavailable:
		return http.StatusServiceUnavailable
	case Unsupported:
		return http.StatusNotImplemented
	}
	// Unauthenticated, PermissionDenied, Internal, and a code this
	// version does not know.
	return http.StatusInternalServerError
}
