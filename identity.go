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
