package identity

import "github.com/idport/identity/driver"

// Error is the error every Directory method returns, but for context
// errors. Compare its Code with errors.Is and the sentinels, read the
// detail with errors.As, and reach the provider's own decoded error body
// with errors.As too (see [driver.Error.As]).
type Error = driver.Error

// Code classifies an error in provider-neutral terms.
type Code = driver.Code

// The codes; see [driver.Code] for what each means.
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

// CodeOf returns the Code of the first *Error in err's chain, or Unknown
// when there is none (including for nil and context errors).
func CodeOf(err error) Code { return driver.CodeOf(err) }
