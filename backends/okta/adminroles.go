package okta

import (
	"context"
	"net/http"
	"slices"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// adminRoleTypes maps roles to Okta's standard administrator role types,
// assigned to users directly. The catalogue is fixed, so it is no
// driver.RoleCatalog, and the directory declares no RoleCatalog.
type adminRoleTypes struct{ *directory }

func (adminRoleTypes) ListRoles(context.Context) ([]*identity.Role, error) {
	out := make([]*identity.Role, 0, len(adminRoles))
	for _, r := range adminRoles {
		out = append(out, &identity.Role{Name: r.typ, Description: r.label})
	}
	return out, nil
}

func (d adminRoleTypes) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	as, err := d.assignments(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]*identity.Role, 0, len(as))
	for _, a := range as {
		out = append(out, &identity.Role{Name: a.Type, Description: a.Label})
	}
	return out, nil
}

// adminRoles are Okta's standard administrator role types and their
// labels.
var adminRoles = []struct{ typ, label string }{
	{"ACCESS_CERTIFICATIONS_ADMIN", "Access Certifications Administrator"},
	{"ACCESS_REQUESTS_ADMIN", "Access Requests Administrator"},
	{"API_ACCESS_MANAGEMENT_ADMIN", "API Access Management Administrator"},
	{"APP_ADMIN", "Application Administrator"},
	{"GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"},
	{"HELP_DESK_ADMIN", "Help Desk Administrator"},
	{"ORG_ADMIN", "Organizational Administrator"},
	{"READ_ONLY_ADMIN", "Read-only Administrator"},
	{"REPORT_ADMIN", "Report Administrator"},
	{"SUPER_ADMIN", "Super Administrator"},
	{"USER_ADMIN", "Group Administrator"},
	{"WORKFLOWS_ADMIN", "Workflows Administrator"},
}

func isAdminRole(name string) bool {
	return slices.ContainsFunc(adminRoles, func(r struct{ typ, label string }) bool { return r.typ == name })
}

// wireAssignment is an administrator role assigned to a user.
type wireAssignment struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Label string `json:"label"`
}

func (d adminRoleTypes) assignments(ctx context.Context, userID string) ([]wireAssignment, error) {
	var as []wireAssignment
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: usersPath(userID, "roles"), Out: &as}); err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == "" {
			return nil, driver.Errorf(identity.Internal, "Okta listed a role assignment without an id")
		}
	}
	// Custom role assignments have type CUSTOM; only standard types are
	// roles here.
	return slices.DeleteFunc(as, func(a wireAssignment) bool { return !isAdminRole(a.Type) }), nil
}

// AssignRole assigns a standard role; Okta's 409 for a role the user
// already has is success.
func (d adminRoleTypes) AssignRole(ctx context.Context, userID, role string) error {
	if !isAdminRole(role) {
		return roleNotFound(role)
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: usersPath(userID, "roles"), Body: map[string]string{"type": role}, Idempotent: true})
	if identity.CodeOf(err) == identity.AlreadyExists {
		return nil
	}
	return err
}

// RevokeRole deletes the user's assignment of the role, if it has one.
func (d adminRoleTypes) RevokeRole(ctx context.Context, userID, role string) error {
	if !isAdminRole(role) {
		return roleNotFound(role)
	}
	as, err := d.assignments(ctx, userID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Type == role {
			_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: usersPath(userID, "roles", a.ID)})
			if identity.CodeOf(err) == identity.NotFound {
				return nil // revoked meanwhile
			}
			return err
		}
	}
	return nil
}
