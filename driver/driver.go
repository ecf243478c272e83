// Package driver defines the interface identity backends implement, and
// [NewUserDirectory], which wraps a backend in the portable layer that every
// identity.UserDirectory shares.
//
// A backend is a thin translation of one provider's wire format. It does
// not validate input, check capabilities, fill in the operation or backend
// name of errors, make Suspend or Activate idempotent against a
// FailedPrecondition, or turn pages into iterators: the portable layer does
// all of that once, before and after every call. A backend can therefore
// assume every id, email, username, role name and password it receives is
// well-formed, every field it is handed is one its Capabilities declare,
// and the context is live when the call starts.
//
// Errors: every method returns nil, the context's error, or an
// *identity.Error whose Code follows the contract written on each method.
// The backend fills Code, Message, Field, HTTPStatus, ProviderCode,
// RequestID, Retryable, RetryAfter and Err as far as it knows them; the
// portable layer fills Op, Backend, UserID and Role. Any other error is
// reported to the caller as identity.Internal.
package driver

import (
	"context"

	"github.com/idport/identity"
)

// Directory is what a backend implements. Methods must be safe for
// concurrent use.
type Directory interface {
	// Capabilities reports what the backend supports. It is called once,
	// when the directory is wrapped, and must not change afterwards.
	Capabilities() identity.Capabilities

	// CreateUser creates u. u has at least one identifier, its Status is
	// StatusActive or StatusPending (StatusPending only when PendingCreate
	// is declared), and it sets only fields the capabilities declare.
	// Errors: AlreadyExists when an identifier is taken; InvalidArgument
	// when the provider refuses a value.
	CreateUser(ctx context.Context, u identity.NewUser) (*identity.User, error)

	// GetUser returns the user or NotFound.
	GetUser(ctx context.Context, id string) (*identity.User, error)

	// FindUser returns the user whose identifier by equals value exactly
	// (ignoring case for ByEmail), or NotFound.
	FindUser(ctx context.Context, by Identifier, value string) (*identity.User, error)

	// UpdateUser applies the partial update u, which is never empty, and
	// returns the updated user. Metadata merges key by key and a nil value
	// removes the key; where the provider only replaces whole objects the
	// backend reads, merges and writes under the provider's concurrency
	// guard. Errors: NotFound; AlreadyExists; InvalidArgument;
	// FailedPrecondition when the user's status forbids the change.
	UpdateUser(ctx context.Context, id string, u identity.UserUpdate) (*identity.User, error)

	// DeleteUser deletes the user permanently, in as many provider calls as
	// that takes. Errors: NotFound.
	DeleteUser(ctx context.Context, id string) error

	// ListUsers returns the page at cursor ("" for the first) of the users
	// matching opts, and the cursor of the next page ("" on the last).
	// opts.PageSize is 0 (the backend's default) or positive; the backend
	// caps it at its provider's maximum. Errors: InvalidArgument for a
	// cursor it did not make.
	ListUsers(ctx context.Context, opts identity.ListOptions, cursor string) (*identity.UserPage, error)

	// SuspendUser moves the user to StatusSuspended. Errors: NotFound;
	// FailedPrecondition when the provider refuses the transition, which
	// includes "already suspended" if the provider says so (the portable
	// layer then checks the status and reports success).
	SuspendUser(ctx context.Context, id string) error

	// ActivateUser moves the user to StatusActive from whatever status it
	// is in, choosing the provider's call for that status. Errors:
	// NotFound; FailedPrecondition as for SuspendUser.
	ActivateUser(ctx context.Context, id string) error

	// CreateRole creates the role. Errors: AlreadyExists.
	CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error)
	// ListRoles returns every role, in any order.
	ListRoles(ctx context.Context) ([]*identity.Role, error)
	// DeleteRole deletes the role. Errors: NotFound.
	DeleteRole(ctx context.Context, name string) error
	// ListUserRoles returns the user's roles, in any order. Errors:
	// NotFound for the user.
	ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error)
	// AssignRole is idempotent. Errors: NotFound for the user or the role
	// (Error.Role set for the role).
	AssignRole(ctx context.Context, userID, role string) error
	// RevokeRole is idempotent: revoking a role the user lacks succeeds.
	// Errors: NotFound for the user or the role.
	RevokeRole(ctx context.Context, userID, role string) error

	// SetPassword sets the password. Errors: NotFound; FailedPrecondition
	// when a password policy refuses it.
	SetPassword(ctx context.Context, userID string, password identity.Secret) error
	// VerifyPassword returns nil on a match and InvalidCredentials
	// otherwise, including when the user has no password. Errors: NotFound.
	VerifyPassword(ctx context.Context, userID string, password identity.Secret) error
	// ChangePassword checks old and sets new. Errors: NotFound;
	// InvalidCredentials when old is wrong; FailedPrecondition when a
	// policy refuses new.
	ChangePassword(ctx context.Context, userID string, old, new identity.Secret) error
	// ExpirePassword forces a new password at the next sign-in. Errors:
	// NotFound.
	ExpirePassword(ctx context.Context, userID string) error

	// Close releases resources. It is called at most once.
	Close() error
}

// Identifier names the field FindUser matches on.
type Identifier int

const (
	// ByEmail matches the email, ignoring case.
	ByEmail Identifier = iota + 1
	// ByUsername matches the username exactly.
	ByUsername
)

// String returns "email" or "username".
func (i Identifier) String() string {
	switch i {
	case ByEmail:
		return "email"
	case ByUsername:
		return "username"
	}
	return "unknown"
}
