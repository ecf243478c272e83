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
	_ driver.Constrained = Backend{}
)

// Capabilities returns Dir's.
func (b Backend) Capabilities() identity.Capabilities { return b.Dir.Capabilities() }

// Constraints returns Dir's, so that a decorated directory declares the
// rules Dir checks.
func (b Backend) Constraints() identity.Constraints { return b.Dir.Constraints() }

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

var _ driver.Pinger = Backend{}

// Ping calls Dir.Ping, so that a wrapped directory checks its provider
// with the backend's own cheapest call rather than by listing a user.
func (b Backend) Ping(ctx context.Context) error { return b.Dir.Ping(ctx) }

var (
	_ driver.Organizations           = Backend{}
	_ driver.OrganizationRoles       = Backend{}
	_ driver.OrganizationPermissions = Backend{}
)

// CreateOrganization calls Dir.CreateOrganization.
func (b Backend) CreateOrganization(ctx context.Context, o identity.NewOrganization) (*identity.Organization, error) {
	return b.Dir.CreateOrganization(ctx, o)
}

// GetOrganization calls Dir.GetOrganization.
func (b Backend) GetOrganization(ctx context.Context, id string) (*identity.Organization, error) {
	return b.Dir.GetOrganization(ctx, id)
}

// ListOrganizations calls Dir.ListOrganizationsPage.
func (b Backend) ListOrganizations(ctx context.Context, opts identity.OrganizationListOptions, cursor string) (*identity.OrganizationPage, error) {
	return b.Dir.ListOrganizationsPage(ctx, opts, cursor)
}

// UpdateOrganization calls Dir.UpdateOrganization.
func (b Backend) UpdateOrganization(ctx context.Context, id string, u identity.OrganizationUpdate) (*identity.Organization, error) {
	return b.Dir.UpdateOrganization(ctx, id, u)
}

// DeleteOrganization calls Dir.DeleteOrganization.
func (b Backend) DeleteOrganization(ctx context.Context, id string) error {
	return b.Dir.DeleteOrganization(ctx, id)
}

// AddMembers calls Dir.AddMembers.
func (b Backend) AddMembers(ctx context.Context, orgID string, userIDs []string) error {
	return b.Dir.AddMembers(ctx, orgID, userIDs...)
}

// RemoveMember calls Dir.RemoveMember.
func (b Backend) RemoveMember(ctx context.Context, orgID, userID string) error {
	return b.Dir.RemoveMember(ctx, orgID, userID)
}

// ListMembers returns every member in one page, from Dir.ListMembers
// paging by pageSize; the portable layer has no page call for members.
func (b Backend) ListMembers(ctx context.Context, orgID string, pageSize int, _ string) (*identity.UserPage, error) {
	var pg identity.UserPage
	for u, err := range b.Dir.ListMembers(ctx, orgID, identity.MemberListOptions{PageSize: pageSize}) {
		if err != nil {
			return nil, err
		}
		pg.Users = append(pg.Users, u)
	}
	return &pg, nil
}

// ListUserOrganizations calls Dir.ListUserOrganizations.
func (b Backend) ListUserOrganizations(ctx context.Context, userID string) ([]*identity.Organization, error) {
	return b.Dir.ListUserOrganizations(ctx, userID)
}

// CreateOrganizationRole calls Dir.CreateOrganizationRole.
func (b Backend) CreateOrganizationRole(ctx context.Context, r identity.OrganizationRole) (*identity.OrganizationRole, error) {
	return b.Dir.CreateOrganizationRole(ctx, r)
}

// ListOrganizationRoles calls Dir.ListOrganizationRoles.
func (b Backend) ListOrganizationRoles(ctx context.Context) ([]*identity.OrganizationRole, error) {
	return b.Dir.ListOrganizationRoles(ctx)
}

// DeleteOrganizationRole calls Dir.DeleteOrganizationRole.
func (b Backend) DeleteOrganizationRole(ctx context.Context, name string) error {
	return b.Dir.DeleteOrganizationRole(ctx, name)
}

// AssignOrganizationRole calls Dir.AssignOrganizationRole.
func (b Backend) AssignOrganizationRole(ctx context.Context, orgID, userID, role string) error {
	return b.Dir.AssignOrganizationRole(ctx, orgID, userID, role)
}

// RevokeOrganizationRole calls Dir.RevokeOrganizationRole.
func (b Backend) RevokeOrganizationRole(ctx context.Context, orgID, userID, role string) error {
	return b.Dir.RevokeOrganizationRole(ctx, orgID, userID, role)
}

// ListMemberRoles calls Dir.ListMemberRoles.
func (b Backend) ListMemberRoles(ctx context.Context, orgID, userID string) ([]*identity.OrganizationRole, error) {
	return b.Dir.ListMemberRoles(ctx, orgID, userID)
}

// SetMemberRoles calls Dir.SetMemberRoles.
func (b Backend) SetMemberRoles(ctx context.Context, orgID, userID string, roles []string) error {
	return b.Dir.SetMemberRoles(ctx, orgID, userID, roles...)
}

// ListMemberPermissions calls Dir.ListMemberPermissions.
func (b Backend) ListMemberPermissions(ctx context.Context, orgID, userID string) ([]string, error) {
	return b.Dir.ListMemberPermissions(ctx, orgID, userID)
}

var (
	_ driver.Sessions       = Backend{}
	_ driver.Factors        = Backend{}
	_ driver.Identities     = Backend{}
	_ driver.Deprovisioning = Backend{}
	_ driver.PasswordState  = Backend{}
	_ driver.RoleSets       = Backend{}
	_ driver.PasswordResets = Backend{}
)

// RevokeSessions calls Dir.RevokeSessions.
func (b Backend) RevokeSessions(ctx context.Context, userID string) error {
	return b.Dir.RevokeSessions(ctx, userID)
}

// ListFactors calls Dir.ListFactors.
func (b Backend) ListFactors(ctx context.Context, userID string) ([]*identity.Factor, error) {
	return b.Dir.ListFactors(ctx, userID)
}

// DeleteFactor calls Dir.DeleteFactor.
func (b Backend) DeleteFactor(ctx context.Context, userID, factorID string) error {
	return b.Dir.DeleteFactor(ctx, userID, factorID)
}

// ResetFactors calls Dir.ResetFactors.
func (b Backend) ResetFactors(ctx context.Context, userID string) error {
	return b.Dir.ResetFactors(ctx, userID)
}

// ListIdentities calls Dir.ListIdentities.
func (b Backend) ListIdentities(ctx context.Context, userID string) ([]*identity.LinkedIdentity, error) {
	return b.Dir.ListIdentities(ctx, userID)
}

// UnlinkIdentity calls Dir.UnlinkIdentity.
func (b Backend) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	return b.Dir.UnlinkIdentity(ctx, userID, provider)
}

// DeprovisionUser calls Dir.DeprovisionUser.
func (b Backend) DeprovisionUser(ctx context.Context, userID string) error {
	return b.Dir.DeprovisionUser(ctx, userID)
}

// HasPassword calls Dir.HasPassword.
func (b Backend) HasPassword(ctx context.Context, userID string) (bool, error) {
	return b.Dir.HasPassword(ctx, userID)
}

// SetRoles calls Dir.SetRoles, which sets the roles in one call or by
// difference, as Dir's backend can.
func (b Backend) SetRoles(ctx context.Context, userID string, names []string) error {
	return b.Dir.SetRoles(ctx, userID, names...)
}

// ResetPassword calls Dir.ResetPassword.
func (b Backend) ResetPassword(ctx context.Context, userID string, opts identity.ResetOptions) (*identity.PasswordReset, error) {
	return b.Dir.ResetPassword(ctx, userID, opts)
}

// PasswordHash calls Dir.PasswordHash.
func (b Backend) PasswordHash(ctx context.Context, userID string) (identity.PasswordHash, error) {
	return b.Dir.PasswordHash(ctx, userID)
}
