package identity

import (
	"errors"

	"github.com/idport/identity/driver"
)

// Error is the error every Directory method returns, but for context
// errors. Compare its Code with errors.Is and the sentinels, read the
// detail with errors.As, and reach the provider's own decoded error body
// with errors.As too (see [driver.Error.As]).
//
// Field is a field path a program can act on, never prose: the input at
// fault for InvalidArgument ("Email", "Metadata.plan", "cursor"), the
// field or operation for Unsupported ("Phone", "ExpirePassword"), and for
// NotFound what is missing: "user", "role", "organization", "factor" or
// "identity", with UserID, Role or Organization naming it. Message says
// the rest in words, for people.
type Error = driver.Error

// Code classifies an error in provider-neutral terms.
type Code = driver.Code

// The codes; see [driver.Code] for what each means, and [HTTPStatus] for
// the HTTP status an application's own API answers each with.
const (
	Unknown            = driver.Unknown
	NotFound           = driver.NotFound
	AlreadyExists      = driver.AlreadyExists
	InvalidArgument    = driver.InvalidArgument
	FailedPrecondition = driver.FailedPrecondition
	InvalidCredentials = driver.InvalidCredentials
	Unauthenticated    = driver.Unauthenticated
	PermissionDenied   = driver.PermissionDenied
	RateLimited        = driver.RateLimited
	Unavailable        = driver.Unavailable
	Unsupported        = driver.Unsupported
	Internal           = driver.Internal
)

// Sentinels for errors.Is, one per code:
//
//	if errors.Is(err, identity.ErrNotFound) { ... }
var (
	ErrNotFound           = driver.ErrNotFound
	ErrAlreadyExists      = driver.ErrAlreadyExists
	ErrInvalidArgument    = driver.ErrInvalidArgument
	ErrFailedPrecondition = driver.ErrFailedPrecondition
	ErrInvalidCredentials = driver.ErrInvalidCredentials
	ErrUnauthenticated    = driver.ErrUnauthenticated
	ErrPermissionDenied   = driver.ErrPermissionDenied
	ErrRateLimited        = driver.ErrRateLimited
	ErrUnavailable        = driver.ErrUnavailable
	ErrUnsupported        = driver.ErrUnsupported
	ErrInternal           = driver.ErrInternal
)

// ErrClosed is in the chain of every error a Directory returns once it is
// closed: errors.Is(err, ErrClosed) tells that case apart from a user's
// state forbidding the call. The error is still FailedPrecondition, as it
// was before ErrClosed existed, so code that tests ErrFailedPrecondition
// keeps working; but a closed directory is the application's own doing
// (a call racing its shutdown), not the user's, and [HTTPStatus] answers
// it with 503, not 409.
var ErrClosed = errors.New("the directory is closed")

// CodeOf returns the Code of the first *Error in err's chain, or Unknown
// when there is none (including for nil and context errors).
func CodeOf(err error) Code { return driver.CodeOf(err) }
