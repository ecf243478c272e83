// Package wrap turns an *identity.Directory back into a backend, so that a
// test kit can watch or change some of its calls and put the portable
// layer over the result again with identity.NewDirectory:
//
//	type counting struct{ wrap.Backend; creates int }
//	func (c *counting) CreateUser(...) { c.creates++; return c.Backend.CreateUser(...) }
//	dir = identity.NewDirectory(dir.Backend(), &counting{Backend: wrap.Backend{Dir: dir}})
//
// Every call goes to Dir, so its capability gates and validation hold,
// and its errors come back already wrapped.
package wrap

import (
	"context"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

// Backend is a driver.Directory, with every optional group, that calls
// Dir.
type Backend struct{ Dir *identity.Directory }

var (
	_ driver.Directory   = Backend{}
	_ driver.Roles       = Backend{}
	_ driver.RoleCatalog = Backend{}
	_ driver.Passwords   = Backend{}
	_ driver.Aser        = Backend{}
)

// Capabilities returns Dir's.
func (b Backend) Capabilities() identity.Capabilities { return b.Dir.Capabilities() }

// CreateUser calls Dir.CreateUser.
func (b Backend) CreateUser(ctx context.Context, u identity.NewUser) (*identity.User, error) {
	return b.Dir.CreateUser(ctx, u)
}

// GetUser calls Dir.GetUser.
func (b Backend) GetUser(ctx context.Context, id string) (*identity.User, error) {
	return b.Dir.GetUser(ctx, id)
}

// FindUser calls Dir.GetUserByEmail or Dir.GetUserByUsername.
func (b Backend) FindUser(ctx context.Context, by driver.Identifier, value string) (*identity.User, error) {
	if by == driver.ByUsername {
		return b.Dir.GetUserByUsername(ctx, value)
	}
	return b.Dir.GetUserByEmail(ctx, value)
}

// UpdateUser calls Dir.UpdateUser.
func (b Backend) UpdateUser(ctx context.Context, id string, u identity.UserUpdate) (*identity.User, error) {
	return b.Dir.UpdateUser(ctx, id, u)
}

// DeleteUser calls Dir.DeleteUser.
func (b Backend) DeleteUser(ctx context.Context, id string) error { return b.Dir.DeleteUser(ctx, id) }

// ListUsers calls Dir.ListUsersPage.
func (b Backend) ListUsers(ctx context.Context, opts identity.ListOptions, cursor string) (*identity.UserPage, error) {
	return b.Dir.ListUsersPage(ctx, opts, cursor)
}

// SuspendUser calls Dir.SuspendUser.
func (b Backend) SuspendUser(ctx context.Context, id string) error { return b.Dir.SuspendUser(ctx, id) }

// ActivateUser calls Dir.ActivateUser.
func (b Backend) ActivateUser(ctx context.Context, id string) error {
	return b.Dir.ActivateUser(ctx, id)
}

// Close calls Dir.Close.
func (b Backend) Close() error { return b.Dir.Close() }

// ListRoles calls Dir.ListRoles.
func (b Backend) ListRoles(ctx context.Context) ([]*identity.Role, error) {
	return b.Dir.ListRoles(ctx)
}

// ListUserRoles calls Dir.ListUserRoles.
func (b Backend) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	return b.Dir.ListUserRoles(ctx, userID)
}

// AssignRole calls Dir.AssignRole.
func (b Backend) AssignRole(ctx context.Context, userID, role string) error {
	return b.Dir.AssignRole(ctx, userID, role)
}

// RevokeRole calls Dir.RevokeRole.
func (b Backend) RevokeRole(ctx context.Context, userID, role string) error {
	return b.Dir.RevokeRole(ctx, userID, role)
}

// CreateRole calls Dir.CreateRole.
func (b Backend) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	return b.Dir.CreateRole(ctx, r)
}

// DeleteRole calls Dir.DeleteRole.
func (b Backend) DeleteRole(ctx context.Context, name string) error {
	return b.Dir.DeleteRole(ctx, name)
}

// SetPassword calls Dir.SetPassword.
func (b Backend) SetPassword(ctx context.Context, userID string, password identity.Secret) error {
	return b.Dir.SetPassword(ctx, userID, password)
}

// VerifyPassword calls Dir.VerifyPassword.
func (b Backend) VerifyPassword(ctx context.Context, userID string, password identity.Secret) error {
	return b.Dir.VerifyPassword(ctx, userID, password)
}

// ChangePassword calls Dir.ChangePassword.
func (b Backend) ChangePassword(ctx context.Context, userID string, oldPassword, newPassword identity.Secret) error {
	return b.Dir.ChangePassword(ctx, userID, oldPassword, newPassword)
}

// ExpirePassword calls Dir.ExpirePassword.
func (b Backend) ExpirePassword(ctx context.Context, userID string) error {
	return b.Dir.ExpirePassword(ctx, userID)
}

// As calls Dir.As.
func (b Backend) As(target any) bool { return b.Dir.As(target) }
