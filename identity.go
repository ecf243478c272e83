// Package identity is one portable API over identity providers' admin
// APIs: users, their lifecycle, roles and passwords.
//
// An application opens a [*Directory] and picks the provider with a URL:
//
//	dir, err := identity.Open(ctx, os.Getenv("IDENTITY_URL")) // "memory://", "okta://dev-1.okta.com", ...
//
// Backends live in their own packages under backends/ and register their
// URL scheme with [DefaultURLMux] when imported. Each also has a typed
// constructor of the same shape, New(ctx, Options) (*identity.Directory,
// error), for configuration built in code. What the portable API does not
// cover stays reachable through [Directory.As], which hands out the
// backend's own API client.
//
// # Start-up
//
// A directory opened by URL takes what the URL does not carry as
// options of [Open]: [WithHTTPOptions] for the HTTP client, timeouts,
// logger and telemetry, and [WithSecrets] for credentials from a vault
// rather than the environment. Open and New make no call; [Directory.Ping]
// makes the cheapest authenticated one, so that a wrong host or token
// shows at start-up:
//
//	dir, err := identity.Open(ctx, url, identity.WithHTTPOptions(identity.HTTPOptions{Logger: logger}))
//	if err == nil {
//		err = dir.Ping(ctx) // Unauthenticated, Unavailable, ... or nil
//	}
//
// # Timeouts, retries and logging
//
// Each HTTP attempt is bounded by [HTTPOptions].Timeout (30 s); a call
// makes up to MaxAttempts (4) attempts against faults a retry may cure,
// waits out rate limits as the provider asks, and starts no attempt once
// a 60 s budget is spent, so that a call without a deadline ends within
// about 90 s. A context deadline bounds it tighter: every attempt and
// wait ends with it, and the call returns the context's error.
// HTTPOptions.Logger gets one debug line per answered attempt (method,
// path, status, duration, request id), never a credential or a body.
//
// # Listing order
//
// [Directory.ListUsers] yields users in the provider's order, unsorted:
// memory and Passage oldest first, Logto newest first, Kratos by id, Okta
// in its users API's order (creation order as observed), as
// [Directory.Constraints] says in its Order. A
// [Directory.ListUsersPage] cursor belongs to the ListOptions it was made
// with; with others it is InvalidArgument naming the cursor.
//
// # Errors
//
// Every error a Directory returns is either the context's own error
// (context.Canceled or context.DeadlineExceeded, returned as is) or an
// [*Error] whose [Code] says what went wrong in provider-neutral terms. Test
// for a code with errors.Is and the sentinels ([ErrNotFound],
// [ErrAlreadyExists], ...), or with [CodeOf]; reach the detail (HTTP status,
// the provider's own error code, the request id) with errors.As, and the
// provider's own decoded error body with errors.As too.
//
// Input is validated before any call reaches a backend: a malformed id,
// email or role name gives [InvalidArgument] and changes nothing. A field or
// operation the backend cannot carry gives [Unsupported] naming it, never a
// silent drop; [Directory.Capabilities] tells in advance.
//
// Error.Field is a field path a program can act on, never prose: the input
// at fault ("Email", "Metadata.plan", "cursor"), the field or operation a
// backend cannot carry, or, for [NotFound], what is missing ("user",
// "role", "organization", "factor", "identity"), with UserID, Role or
// Organization naming it. A closed directory's errors are
// [FailedPrecondition] with [ErrClosed] in the chain.
//
// An HTTP API answers each error with the status [HTTPStatus] gives it:
// 404, 409 and 400 for NotFound, AlreadyExists and InvalidArgument, 409
// for a target's state, 401 for a password the client gave, and a 5xx for
// what is the server's to fix, the backend's own credentials among it
// (Unauthenticated and PermissionDenied are 500, not 401 or 403). See
// ExampleHTTPStatus.
//
// # Examples
//
// The package's examples run as tests: [Open] on memory:// (Example),
// errors (ExampleError, ExampleHTTPStatus), listing
// (ExampleDirectory_ListUsers). Each HTTP backend's package has one of
// its typed client against its emulator, package mocks one of a unit test
// over a mock, and examples/ holds runnable programs (quickstart,
// organizations, observability).
//
// # Types from package driver
//
// The model's types (User, Error, Capabilities and the rest) are declared
// in package driver, which backends implement against, and named here by
// aliases: identity.User and driver.User are the same type.
package identity

import (
	"context"
	"iter"
)

// UserDirectory is the user, role and password core of [*Directory] as an
// interface, for code that wants to be handed a fake or a decorator in
// tests; mocks.MockUserDirectory implements it. Each method's contract is
// that of the Directory method of the same name.
//
// It does not grow: groups of operations added to Directory later (such as
// organizations or account security) get interfaces of their own, so an
// implementation written against this one keeps compiling.
type UserDirectory interface {
	CreateUser(ctx context.Context, u NewUser) (*User, error)
	GetUser(ctx context.Context, id string) (*User, error)
	GetUserByEmail(ctx context.Context, email string) (*User, error)
	GetUserByUsername(ctx context.Context, username string) (*User, error)
	UpdateUser(ctx context.Context, id string, u UserUpdate) (*User, error)
	DeleteUser(ctx context.Context, id string) error
	ListUsers(ctx context.Context, opts ListOptions) iter.Seq2[*User, error]
	ListUsersPage(ctx context.Context, opts ListOptions, cursor string) (*UserPage, error)

	SuspendUser(ctx context.Context, id string) error
	ActivateUser(ctx context.Context, id string) error

	CreateRole(ctx context.Context, r Role) (*Role, error)
	ListRoles(ctx context.Context) ([]*Role, error)
	DeleteRole(ctx context.Context, name string) error
	ListUserRoles(ctx context.Context, userID string) ([]*Role, error)
	AssignRole(ctx context.Context, userID, role string) error
	RevokeRole(ctx context.Context, userID, role string) error

	SetPassword(ctx context.Context, userID string, password Secret) error
	VerifyPassword(ctx context.Context, userID string, password Secret) error
	ChangePassword(ctx context.Context, userID string, oldPassword, newPassword Secret) error
	ExpirePassword(ctx context.Context, userID string) error

	Capabilities() Capabilities
	Close() error
}

var _ UserDirectory = (*Directory)(nil)
