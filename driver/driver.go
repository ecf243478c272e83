// Package driver defines what an identity backend implements, and the
// portable model both sides of it share.
//
// An application uses package identity: [identity.Directory] is the
// portable type, made over a backend with identity.NewDirectory. This
// package is for writing a backend. The model (User, Error, Capabilities
// and the rest) is declared here and given its names in package identity
// by type aliases, so both packages speak of the same types.
//
// A backend is a thin translation of one provider's wire format. It
// implements [Directory], the user core, and any of the optional
// interfaces for a group of operations its provider has: [Roles],
// [RoleCatalog], [Passwords], [Organizations], [OrganizationRoles],
// [OrganizationPermissions], the account-security groups ([Sessions],
// [Factors], [Identities], [Deprovisioning], [PasswordState], [RoleSets]
// and [PasswordResets]), and [Aser] for its escape hatch. It does not
// validate input, check capabilities, fill in the operation or backend
// name of errors, make Suspend, Activate or Deprovision idempotent
// against a FailedPrecondition, set roles by difference, or turn pages
// into iterators: the portable layer
// does all of that once, before and after every call. A backend can
// therefore assume every id, email, username, role name and password it
// receives is well-formed, every field it is handed is one its
// Capabilities declare, that no method of a group its Capabilities turn
// off is called, and that the context is live when the call starts.
//
// Adding a group of operations to the portable API adds an optional
// interface here and methods to identity.Directory; a backend that lacks
// the group is not touched, and the portable layer answers Unsupported
// for it.
//
// Errors: every method returns nil, the context's error, or an [*Error]
// whose Code follows the contract written on each method. The backend
// fills Code, Message, Field, HTTPStatus, ProviderCode, RequestID,
// Retryable, RetryAfter, ProviderError and Err as far as it knows them;
// the portable layer fills Op, Backend, UserID and Role. Any other error
// is reported to the caller as Internal.
package driver

import "context"

// Directory is the user core every backend implements. Methods must be
// safe for concurrent use.
type Directory interface {
	// Capabilities reports what the backend supports. It is called once,
	// when the directory is wrapped, and must not change afterwards.
	Capabilities() Capabilities

	// CreateUser creates u. u has at least one identifier, its Status is
	// StatusActive or StatusPending (StatusPending only when PendingCreate
	// is declared), and it sets only fields the capabilities declare.
	// Errors: AlreadyExists when an identifier is taken; InvalidArgument
	// when the provider refuses a value.
	CreateUser(ctx context.Context, u NewUser) (*User, error)

	// GetUser returns the user or NotFound.
	GetUser(ctx context.Context, id string) (*User, error)

	// FindUser returns the user whose identifier by equals value exactly
	// (ignoring case for ByEmail), or NotFound.
	FindUser(ctx context.Context, by Identifier, value string) (*User, error)

	// UpdateUser applies the partial update u, which is never empty, and
	// returns the updated user. Metadata merges key by key and a nil value
	// removes the key; where the provider only replaces whole objects the
	// backend reads, merges and writes under the provider's concurrency
	// guard. Errors: NotFound; AlreadyExists; InvalidArgument;
	// FailedPrecondition when the user's status forbids the change.
	UpdateUser(ctx context.Context, id string, u UserUpdate) (*User, error)

	// DeleteUser deletes the user permanently, in as many provider calls as
	// that takes. Errors: NotFound.
	DeleteUser(ctx context.Context, id string) error

	// ListUsers returns the page at cursor ("" for the first) of the users
	// matching opts, and the cursor of the next page ("" on the last).
	// opts.PageSize is 0 (the backend's default) or positive; the backend
	// caps it at its provider's maximum. Errors: InvalidArgument for a
	// cursor it did not make.
	ListUsers(ctx context.Context, opts ListOptions, cursor string) (*UserPage, error)

	// SuspendUser moves the user to StatusSuspended. Errors: NotFound;
	// FailedPrecondition when the provider refuses the transition, which
	// includes "already suspended" if the provider says so (the portable
	// layer then checks the status and reports success).
	SuspendUser(ctx context.Context, id string) error

	// ActivateUser moves the user to StatusActive from whatever status it
	// is in, choosing the provider's call for that status. Errors:
	// NotFound; FailedPrecondition as for SuspendUser.
	ActivateUser(ctx context.Context, id string) error

	// Close releases resources. It is called at most once.
	Close() error
}

// Roles is the optional group of role assignments, called only when
// Capabilities().Roles is set.
type Roles interface {
	// ListRoles returns every role, in any order.
	ListRoles(ctx context.Context) ([]*Role, error)
	// ListUserRoles returns the user's roles, in any order. Errors:
	// NotFound for the user.
	ListUserRoles(ctx context.Context, userID string) ([]*Role, error)
	// AssignRole is idempotent. Errors: NotFound for the user or the role
	// (Error.Role set for the role).
	AssignRole(ctx context.Context, userID, role string) error
	// RevokeRole is idempotent: revoking a role the user lacks succeeds.
	// Errors: NotFound for the user or the role.
	RevokeRole(ctx context.Context, userID, role string) error
}

// RoleCatalog is the optional group that manages which roles exist,
// called only when Capabilities().RoleCatalog is set. A backend that
// implements it implements Roles too.
type RoleCatalog interface {
	// CreateRole creates the role. Errors: AlreadyExists.
	CreateRole(ctx context.Context, r Role) (*Role, error)
	// DeleteRole deletes the role and every assignment of it. Errors:
	// NotFound.
	DeleteRole(ctx context.Context, name string) error
}

// Passwords is the optional group of password operations. Each method is
// called only when the capability of the same name is set, so a backend
// whose provider has some of them returns Unsupported from the others,
// which are never called.
type Passwords interface {
	// SetPassword sets the password. Errors: NotFound; FailedPrecondition
	// when a password policy refuses it.
	SetPassword(ctx context.Context, userID string, password Secret) error
	// VerifyPassword returns nil on a match and InvalidCredentials
	// otherwise, including when the user has no password. Errors:
	// NotFound.
	VerifyPassword(ctx context.Context, userID string, password Secret) error
	// ChangePassword checks oldPassword and sets newPassword. Errors:
	// NotFound; InvalidCredentials when oldPassword is wrong;
	// FailedPrecondition when a policy refuses newPassword.
	ChangePassword(ctx context.Context, userID string, oldPassword, newPassword Secret) error
	// ExpirePassword forces a new password at the next sign-in. Errors:
	// NotFound.
	ExpirePassword(ctx context.Context, userID string) error
}

// Aser is the optional escape hatch: As sets target, a pointer, to a
// backend-specific value (its typed API client, say) when target is of a
// type the backend documents, and reports whether it did.
type Aser interface {
	As(target any) bool
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
