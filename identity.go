// Package identity is one portable user-management API over identity
// providers' admin APIs.
//
// An application codes against [UserDirectory] and picks the provider with a
// URL:
//
//	dir, err := identity.Open(ctx, os.Getenv("IDENTITY_URL")) // "memory://", "okta://dev-1.okta.com", ...
//
// Backends live in their own packages under backends/ and register their URL
// scheme with [DefaultURLMux] when imported. Each also has a typed
// constructor for configuration built in code.
//
// # Errors
//
// Every error a UserDirectory returns is either the context's own error
// (context.Canceled or context.DeadlineExceeded, returned as is) or an
// [*Error] whose [Code] says what went wrong in provider-neutral terms. Test
// for a code with errors.Is and the sentinels ([ErrNotFound],
// [ErrAlreadyExists], ...), or with [CodeOf]; reach the detail (HTTP status,
// the provider's own error code, the request id) with errors.As.
//
// Input is validated before any call reaches a backend: a malformed id,
// email or role name gives [InvalidArgument] and changes nothing. A field or
// operation the backend cannot carry gives [Unsupported] naming it, never a
// silent drop; [UserDirectory.Capabilities] tells in advance.
package identity

import (
	"context"
	"iter"
)

// UserDirectory is the portable API over one identity provider's users and
// roles. Implementations are safe for concurrent use.
//
// Methods that take a user id return [InvalidArgument] for a malformed id
// and [NotFound] when no such user exists. Methods a backend does not
// support return [Unsupported]. Any method can also return [Unauthenticated]
// or [PermissionDenied] (the backend's credentials were refused),
// [RateLimited] or [Unavailable] (try again later; see [Error.RetryAfter]),
// [Internal] (the provider answered with something the backend could not
// understand), or the context's error.
type UserDirectory interface {
	// CreateUser creates a user and returns it as the provider stored it.
	// It needs at least one identifier (username, email or phone) the
	// backend accepts. It returns AlreadyExists when the username, email or
	// phone belongs to another user, InvalidArgument for a malformed field,
	// and Unsupported for a field or status the backend cannot carry.
	CreateUser(ctx context.Context, u NewUser) (*User, error)

	// GetUser returns the user with the given id, or NotFound.
	GetUser(ctx context.Context, id string) (*User, error)

	// GetUserByEmail returns the user whose email matches exactly, ignoring
	// case, or NotFound.
	GetUserByEmail(ctx context.Context, email string) (*User, error)

	// GetUserByUsername returns the user whose username matches exactly, or
	// NotFound. It returns Unsupported on a backend without usernames.
	GetUserByUsername(ctx context.Context, username string) (*User, error)

	// UpdateUser changes only the fields set in u and returns the updated
	// user. Metadata merges key by key; a key set to nil is removed.
	// Concurrent updates of different fields or keys lose nothing. It
	// returns NotFound, AlreadyExists when a new identifier belongs to
	// another user, InvalidArgument, and Unsupported for a field the
	// backend cannot carry.
	UpdateUser(ctx context.Context, id string, u UserUpdate) (*User, error)

	// DeleteUser deletes the user permanently. It returns NotFound when
	// there is no such user.
	DeleteUser(ctx context.Context, id string) error

	// ListUsers returns an iterator over the users that match opts, fetching
	// one page at a time as the loop advances. Iteration stops after the
	// first error, which is yielded with a nil user.
	ListUsers(ctx context.Context, opts ListOptions) iter.Seq2[*User, error]

	// ListUsersPage returns one page of users. Pass the empty cursor for the
	// first page and the previous page's NextCursor for the next; the last
	// page has an empty NextCursor. A cursor is opaque and belongs to the
	// options it was made with; a cursor this backend did not make gives
	// InvalidArgument.
	ListUsersPage(ctx context.Context, opts ListOptions, cursor string) (*UserPage, error)

	// SuspendUser stops the user from signing in. It is idempotent:
	// suspending a suspended user succeeds. It returns FailedPrecondition
	// when the provider cannot suspend a user in its current status (for
	// example a Pending one).
	SuspendUser(ctx context.Context, id string) error

	// ActivateUser makes the user able to sign in: from Suspended, Pending,
	// Locked or Deprovisioned, as far as the provider allows. It is
	// idempotent: activating an active user succeeds. It returns
	// FailedPrecondition when the provider cannot make the transition.
	ActivateUser(ctx context.Context, id string) error

	// CreateRole creates a role. It returns AlreadyExists when the name is
	// taken and InvalidArgument for a malformed name.
	CreateRole(ctx context.Context, r Role) (*Role, error)

	// ListRoles returns every role, ordered by name.
	ListRoles(ctx context.Context) ([]*Role, error)

	// DeleteRole deletes the role and every assignment of it. It returns
	// NotFound when there is no such role.
	DeleteRole(ctx context.Context, name string) error

	// ListUserRoles returns the roles assigned to the user, ordered by name.
	ListUserRoles(ctx context.Context, userID string) ([]*Role, error)

	// AssignRole gives the user the named role. It is idempotent. It returns
	// NotFound when the user or the role does not exist.
	AssignRole(ctx context.Context, userID, role string) error

	// RevokeRole takes the named role from the user. It is idempotent:
	// revoking a role the user lacks succeeds. It returns NotFound when the
	// user or the role does not exist.
	RevokeRole(ctx context.Context, userID, role string) error

	// SetPassword sets the user's password without knowing the old one. It
	// returns InvalidArgument for an empty password and FailedPrecondition
	// when the provider's password policy refuses it.
	SetPassword(ctx context.Context, userID string, password Secret) error

	// VerifyPassword returns nil when password is the user's password and
	// InvalidCredentials when it is not, or when the user has none.
	VerifyPassword(ctx context.Context, userID string, password Secret) error

	// ChangePassword replaces the user's password, checking the old one
	// first. It returns InvalidCredentials when old is wrong.
	ChangePassword(ctx context.Context, userID string, old, new Secret) error

	// ExpirePassword forces the user to choose a new password at the next
	// sign-in.
	ExpirePassword(ctx context.Context, userID string) error

	// Capabilities reports what this backend supports. It makes no call.
	Capabilities() Capabilities

	// Close releases the directory's resources. Calls after Close return
	// FailedPrecondition.
	Close() error
}
