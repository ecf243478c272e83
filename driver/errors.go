package driver

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Code classifies an error in provider-neutral terms.
type Code int

const (
	// Unknown is the code of an error that is not an *Error, and of nil.
	Unknown Code = iota
	// NotFound: the user or role does not exist.
	NotFound
	// AlreadyExists: the username, email, phone or role name is taken.
	AlreadyExists
	// InvalidArgument: the input is malformed; Error.Field names what.
	InvalidArgument
	// FailedPrecondition: the call is well-formed but the target's state
	// forbids it, such as a status transition the provider cannot make.
	FailedPrecondition
	// InvalidCredentials: a password did not match.
	InvalidCredentials
	// Unauthenticated: the provider refused the backend's own credentials.
	Unauthenticated
	// PermissionDenied: the credentials lack a permission the call needs.
	PermissionDenied
	// RateLimited: the provider's rate limit was hit and waiting for it
	// was not possible within the call's budget; see Error.RetryAfter.
	RateLimited
	// Unavailable: the provider could not be reached or failed
	// transiently; the call may succeed later.
	Unavailable
	// Unsupported: the backend cannot carry the field or operation named.
	Unsupported
	// Internal: the provider's answer made no sense to the backend, or a
	// bug.
	Internal
)

var codeNames = [...]string{
	Unknown:            "Unknown",
	NotFound:           "NotFound",
	AlreadyExists:      "AlreadyExists",
	InvalidArgument:    "InvalidArgument",
	FailedPrecondition: "FailedPrecondition",
	InvalidCredentials: "InvalidCredentials",
	Unauthenticated:    "Unauthenticated",
	PermissionDenied:   "PermissionDenied",
	RateLimited:        "RateLimited",
	Unavailable:        "Unavailable",
	Unsupported:        "Unsupported",
	Internal:           "Internal",
}

// String returns the code's name, such as "NotFound".
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Error is the error every identity.Directory method returns, but for
// context errors. Compare its Code with errors.Is and the sentinels:
//
//	if errors.Is(err, identity.ErrNotFound) { ... }
//
// or read the detail with errors.As:
//
//	var e *identity.Error
//	if errors.As(err, &e) { log.Print(e.RequestID) }
type Error struct {
	Code Code
	// Op is the Directory method, such as "GetUser", or "Do" for a
	// request sent through a backend's own client.
	Op string
	// Backend is the URL scheme of the backend, such as "okta".
	Backend string
	// UserID, Role and Organization name the target, when there is one
	// (Role is an organization role's name in the organization calls).
	UserID       string
	Role         string
	Organization string
	// Field names the offending input or the unsupported field or
	// operation, such as "Email" or "ExpirePassword".
	Field string
	// Message says what went wrong, in words.
	Message string

	// HTTPStatus is the provider's HTTP status, or 0.
	HTTPStatus int
	// ProviderCode is the provider's own error code, such as "E0000007",
	// "entity.not_found" or "user_not_found".
	ProviderCode string
	// RequestID is the provider's id for the request, for its support.
	RequestID string

	// Retryable reports whether the same call may succeed if tried again.
	Retryable bool
	// RetryAfter is how long the provider asked to wait, or 0.
	RetryAfter time.Duration

	// Err is the underlying cause, if any.
	Err error

	// ProviderError is the provider's error body as the backend decoded
	// it, such as *okta.APIError, or nil. It is an error itself, so that
	// errors.As can reach it (see [Error.As]); Error() never prints it.
	ProviderError error

	sentinel bool
}

// As sets target, a non-nil pointer, to e.ProviderError when that is of
// target's element type, and reports whether it did. errors.As calls it,
// so that
//
//	var body *okta.APIError
//	if errors.As(err, &body) { log.Print(body.ErrorSummary) }
//
// reaches the provider's own answer behind any portable error.
func (e *Error) As(target any) bool {
	if e.ProviderError == nil || target == nil {
		return false
	}
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	pe := reflect.ValueOf(e.ProviderError)
	if !pe.Type().AssignableTo(v.Elem().Type()) {
		return false
	}
	v.Elem().Set(pe)
	return true
}

// Error returns a one-line description: the backend and operation, the
// code, the target, the message and the provider's detail. It never
// contains a credential.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Backend != "" {
		b.WriteString(e.Backend)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Code.String())
	if e.UserID != "" {
		fmt.Fprintf(&b, " user %q", e.UserID)
	}
	if e.Role != "" {
		fmt.Fprintf(&b, " role %q", e.Role)
	}
	if e.Organization != "" {
		fmt.Fprintf(&b, " organization %q", e.Organization)
	}
	if e.Field != "" && !e.namesTarget() {
		fmt.Fprintf(&b, " (%s)", e.Field)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.HTTPStatus != 0 || e.ProviderCode != "" || e.RequestID != "" {
		b.WriteString(" [")
		sep := ""
		if e.HTTPStatus != 0 {
			fmt.Fprintf(&b, "http %d", e.HTTPStatus)
			sep = " "
		}
		// A provider without codes of its own (Kratos, mostly) has its
		// status as the code: said once.
		if e.ProviderCode != "" && (e.HTTPStatus == 0 || e.ProviderCode != strconv.Itoa(e.HTTPStatus)) {
			b.WriteString(sep + e.ProviderCode)
			sep = " "
		}
		if e.RequestID != "" {
			b.WriteString(sep + "request " + e.RequestID)
		}
		b.WriteString("]")
	}
	if e.Err != nil && !e.sentinel {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// namesTarget reports whether Field only says which of the targets
// printed already is the one at fault ("user" beside the user's id), so
// that the line does not say it twice.
func (e *Error) namesTarget() bool {
	switch e.Field {
	case "user":
		return e.UserID != ""
	case "role":
		return e.Role != ""
	case "organization":
		return e.Organization != ""
	}
	return false
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel for e's code, so that
// errors.Is(err, ErrNotFound) holds for every NotFound error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.sentinel && t.Code == e.Code
}

func sentinel(c Code) *Error { return &Error{Code: c, sentinel: true} }

// Sentinels for errors.Is, one per code.
var (
	ErrNotFound           error = sentinel(NotFound)
	ErrAlreadyExists      error = sentinel(AlreadyExists)
	ErrInvalidArgument    error = sentinel(InvalidArgument)
	ErrFailedPrecondition error = sentinel(FailedPrecondition)
	ErrInvalidCredentials error = sentinel(InvalidCredentials)
	ErrUnauthenticated    error = sentinel(Unauthenticated)
	ErrPermissionDenied   error = sentinel(PermissionDenied)
	ErrRateLimited        error = sentinel(RateLimited)
	ErrUnavailable        error = sentinel(Unavailable)
	ErrUnsupported        error = sentinel(Unsupported)
	ErrInternal           error = sentinel(Internal)
)

// CodeOf returns the Code of the first *Error in err's chain, or Unknown
// when there is none (including for nil and context errors).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}

// Errorf returns an *Error with the code and a formatted message, for a
// backend to return; the portable layer fills in Op, Backend and the
// target.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// InvalidArgumentError returns an InvalidArgument *Error naming field.
func InvalidArgumentError(field, format string, args ...any) *Error {
	return &Error{Code: InvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

// UnsupportedError returns an Unsupported *Error naming the field or
// operation the backend cannot carry.
func UnsupportedError(what string) *Error {
	return &Error{Code: Unsupported, Field: what, Message: what + " is not supported by this backend"}
}

// IsContextError reports whether err is, or wraps, a context cancellation
// or deadline.
func IsContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
