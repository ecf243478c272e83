package driver

import (
	"context"
	"encoding/json"
	"time"
)

// Organization is a tenant: a group of users, each of whom can hold roles
// that apply inside it only.
type Organization struct {
	// ID is assigned by the provider and opaque.
	ID          string
	Name        string
	Description string
	// Metadata holds the application's custom attributes, as
	// User.Metadata does.
	Metadata  map[string]any
	CreatedAt time.Time
	// Raw is the provider's own JSON for the organization, or nil.
	Raw json.RawMessage
}

// NewOrganization is what identity.Directory.CreateOrganization takes.
type NewOrganization struct {
	// Name is required. Whether names are unique is the provider's:
	// Capabilities.UniqueOrganizationName says.
	Name        string
	Description string
	Metadata    map[string]any
}

// OrganizationUpdate is a partial update of an organization: only the
// fields set change. Metadata merges key by key; a key set to nil is
// removed.
type OrganizationUpdate struct {
	Name        *string
	Description *string
	Metadata    map[string]any
}

// IsZero reports whether u changes nothing.
func (u OrganizationUpdate) IsZero() bool {
	return u.Name == nil && u.Description == nil && len(u.Metadata) == 0
}

// OrganizationListOptions filters and sizes a listing of organizations.
type OrganizationListOptions struct {
	// Query matches organizations whose name contains it, ignoring case.
	Query string
	// PageSize is the number of organizations a page holds at most; 0
	// means the backend's default.
	PageSize int
}

// OrganizationPage is one page of a listing of organizations.
type OrganizationPage struct {
	Organizations []*Organization
	// NextCursor fetches the next page; it is empty on the last page.
	NextCursor string
}

// OrganizationRole is a role that holds inside one organization, named
// uniquely in the directory's catalogue of organization roles.
type OrganizationRole struct {
	Name        string
	Description string
	// Permissions are what the role grants inside an organization (Logto
	// organization scopes), by name. Only where
	// Capabilities.OrganizationPermissions is set; elsewhere a role with
	// permissions is Unsupported.
	Permissions []string
}

// Organizations is the optional group of organizations and their members,
// called only when Capabilities().Organizations is set.
//
// For NotFound, the error's Field names what is missing: "organization"
// or "user".
type Organizations interface {
	// CreateOrganization creates o, whose Name is set. Errors:
	// AlreadyExists for a taken name where names are unique.
	CreateOrganization(ctx context.Context, o NewOrganization) (*Organization, error)
	// GetOrganization returns the organization or NotFound.
	GetOrganization(ctx context.Context, id string) (*Organization, error)
	// ListOrganizations returns the page at cursor ("" for the first) and
	// the next page's cursor ("" on the last). Errors: InvalidArgument
	// for a cursor it did not make.
	ListOrganizations(ctx context.Context, opts OrganizationListOptions, cursor string) (*OrganizationPage, error)
	// UpdateOrganization applies u, which is never empty, and returns the
	// organization. Metadata merges key by key, as for users. Errors:
	// NotFound; AlreadyExists as for CreateOrganization.
	UpdateOrganization(ctx context.Context, id string, u OrganizationUpdate) (*Organization, error)
	// DeleteOrganization deletes the organization and its memberships.
	// Errors: NotFound.
	DeleteOrganization(ctx context.Context, id string) error

	// AddMembers makes the users, one or more distinct ids, members; one
	// already a member stays one. Where the provider can, it adds all
	// or none. Errors: NotFound for the organization or a user.
	AddMembers(ctx context.Context, orgID string, userIDs []string) error
	// RemoveMember ends the membership and the member's roles in the
	// organization; removing one who is not a member succeeds. Errors:
	// NotFound for the organization or the user.
	RemoveMember(ctx context.Context, orgID, userID string) error
	// ListMembers returns the page at cursor of the organization's
	// members. Errors: NotFound for the organization; InvalidArgument for
	// a cursor it did not make.
	ListMembers(ctx context.Context, orgID string, pageSize int, cursor string) (*UserPage, error)
	// ListUserOrganizations returns the organizations the user is a
	// member of, in any order. Errors: NotFound for the user.
	ListUserOrganizations(ctx context.Context, userID string) ([]*Organization, error)
}

// OrganizationRoles is the optional group of roles that hold inside one
// organization, called only when Capabilities().OrganizationRoles is set.
// A backend that implements it implements Organizations too.
//
// For NotFound, the error's Field names what is missing: "organization",
// "user" or "role".
type OrganizationRoles interface {
	// CreateOrganizationRole adds r to the catalogue. r.Permissions is
	// empty unless OrganizationPermissions is declared. Errors:
	// AlreadyExists for a taken name.
	CreateOrganizationRole(ctx context.Context, r OrganizationRole) (*OrganizationRole, error)
	// ListOrganizationRoles returns the catalogue, in any order.
	ListOrganizationRoles(ctx context.Context) ([]*OrganizationRole, error)
	// DeleteOrganizationRole deletes the role and every assignment of it.
	// Errors: NotFound.
	DeleteOrganizationRole(ctx context.Context, name string) error

	// AssignOrganizationRole gives the member the role inside the
	// organization; it is idempotent. Errors: NotFound;
	// FailedPrecondition when the user is not a member.
	AssignOrganizationRole(ctx context.Context, orgID, userID, role string) error
	// RevokeOrganizationRole takes the role from the member; revoking one
	// the member lacks succeeds. Errors: NotFound; FailedPrecondition
	// when the user is not a member.
	RevokeOrganizationRole(ctx context.Context, orgID, userID, role string) error
	// ListMemberRoles returns the member's roles in the organization, in
	// any order. Errors: NotFound; FailedPrecondition when the user is not
	// a member.
	ListMemberRoles(ctx context.Context, orgID, userID string) ([]*OrganizationRole, error)
	// SetMemberRoles replaces the member's roles in the organization with
	// roles, distinct names, possibly none. Errors: NotFound for the
	// organization, the user or any role, changing nothing;
	// FailedPrecondition when the user is not a member.
	SetMemberRoles(ctx context.Context, orgID, userID string, roles []string) error
}

// OrganizationPermissions is the optional group that answers which
// permissions a member holds, called only when
// Capabilities().OrganizationPermissions is set.
type OrganizationPermissions interface {
	// ListMemberPermissions returns the names of the permissions the
	// member's roles in the organization grant, in any order, each once.
	// Errors: NotFound; FailedPrecondition when the user is not a member.
	ListMemberPermissions(ctx context.Context, orgID, userID string) ([]string, error)
}
