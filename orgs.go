package identity

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"

	"github.com/idport/identity/driver"
)

// Organization is a tenant: a group of users, each of whom can hold roles
// that apply inside it only.
type Organization = driver.Organization

// NewOrganization is what [Directory.CreateOrganization] takes.
type NewOrganization = driver.NewOrganization

// OrganizationUpdate is a partial update for [Directory.UpdateOrganization]:
// only the fields set change, and Metadata merges key by key (nil removes
// a key).
type OrganizationUpdate = driver.OrganizationUpdate

// OrganizationListOptions filters and sizes a listing of organizations.
type OrganizationListOptions = driver.OrganizationListOptions

// OrganizationPage is one page of a listing of organizations.
type OrganizationPage = driver.OrganizationPage

// OrganizationRole is a role that holds inside one organization.
type OrganizationRole = driver.OrganizationRole

// MemberListOptions sizes a listing of an organization's members.
type MemberListOptions struct {
	// PageSize is the number of members a page holds at most; 0 means
	// the backend's default. Backends cap it at their provider's maximum.
	PageSize int
}

// MaxMembersPerCall bounds the user ids one AddMembers call takes.
const MaxMembersPerCall = 100

// The organization methods below return Unsupported, naming the
// operation, before any request when the capability they need is off:
// Organizations for organizations and members, OrganizationRoles for
// organization roles, OrganizationPermissions for ListMemberPermissions.
// For NotFound, Error.Field names what is missing ("organization", "user"
// or "role") and Error.Organization the organization called on.

// failIn is fail for a call on an organization: it names the organization
// too.
func (d *Directory) failIn(ctx context.Context, op string, err error, orgID, userID, role string) error {
	err = d.fail(ctx, op, err, userID, role)
	var e *Error
	if orgID != "" && errors.As(err, &e) && e.Organization == "" && checkID("orgID", orgID) == nil {
		e.Organization = orgID
	}
	return err
}

// orgCall starts a call on an organization: the gate and the ids, each
// checked in order.
func (d *Directory) orgCall(ctx context.Context, op string, capable bool, orgID string, userIDs ...string) error {
	if err := d.gate(ctx, op, capable); err != nil {
		return err
	}
	if err := checkID("orgID", orgID); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	for _, id := range userIDs {
		if err := checkID("userID", id); err != nil {
			return d.failIn(ctx, op, err, orgID, "", "")
		}
	}
	return nil
}

func checkOrgName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return driver.InvalidArgumentError(field, "%s is empty", field)
	}
	return checkText(field, name, MaxNameLen)
}

// organization checks an organization the backend returned.
func (d *Directory) organization(ctx context.Context, op, orgID string, o *Organization, err error) (*Organization, error) {
	if err != nil {
		return nil, d.failIn(ctx, op, err, orgID, "", "")
	}
	if o == nil {
		return nil, d.failIn(ctx, op, driver.Errorf(Internal, "backend returned no organization"), orgID, "", "")
	}
	return o, nil
}

// CreateOrganization creates an organization. It returns InvalidArgument
// for an empty or malformed name, description or metadata, and
// AlreadyExists for a taken name where Capabilities().UniqueOrganizationName.
func (d *Directory) CreateOrganization(ctx context.Context, o NewOrganization) (_ *Organization, err error) {
	const op = "CreateOrganization"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.Organizations); err != nil {
		return nil, err
	}
	if err := validateNewOrganization(&o); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if len(o.Metadata) > 0 && !d.caps.OrganizationMetadata {
		return nil, d.unsupported(ctx, op, "NewOrganization.Metadata")
	}
	o.Metadata = driver.CloneMetadata(o.Metadata)
	got, err := d.orgs.CreateOrganization(ctx, o)
	return d.organization(ctx, op, "", got, err)
}

// GetOrganization returns the organization with the given id, or NotFound.
func (d *Directory) GetOrganization(ctx context.Context, id string) (_ *Organization, err error) {
	const op = "GetOrganization"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.orgCall(ctx, op, d.caps.Organizations, id); err != nil {
		return nil, err
	}
	got, err := d.orgs.GetOrganization(ctx, id)
	return d.organization(ctx, op, id, got, err)
}

// UpdateOrganization changes only the fields set in u and returns the
// organization. Metadata merges key by key; a key set to nil is removed.
// It returns NotFound, InvalidArgument, and AlreadyExists for a taken name
// where names are unique. An update that changes nothing returns the
// organization as it is.
func (d *Directory) UpdateOrganization(ctx context.Context, id string, u OrganizationUpdate) (_ *Organization, err error) {
	const op = "UpdateOrganization"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.orgCall(ctx, op, d.caps.Organizations, id); err != nil {
		return nil, err
	}
	if err := validateOrganizationUpdate(&u); err != nil {
		return nil, d.failIn(ctx, op, err, id, "", "")
	}
	if len(u.Metadata) > 0 && !d.caps.OrganizationMetadata {
		return nil, d.unsupported(ctx, op, "OrganizationUpdate.Metadata")
	}
	var got *Organization
	if u.IsZero() {
		got, err = d.orgs.GetOrganization(ctx, id)
	} else {
		u.Metadata = driver.CloneMetadata(u.Metadata)
		got, err = d.orgs.UpdateOrganization(ctx, id, u)
	}
	return d.organization(ctx, op, id, got, err)
}

// DeleteOrganization deletes the organization and its memberships. It
// returns NotFound when there is no such organization.
func (d *Directory) DeleteOrganization(ctx context.Context, id string) (err error) {
	const op = "DeleteOrganization"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.orgCall(ctx, op, d.caps.Organizations, id); err != nil {
		return err
	}
	return d.failIn(ctx, op, d.orgs.DeleteOrganization(ctx, id), id, "", "")
}

// ListOrganizationsPage returns one page of organizations, as
// ListUsersPage does for users.
func (d *Directory) ListOrganizationsPage(ctx context.Context, opts OrganizationListOptions, cursor string) (_ *OrganizationPage, err error) {
	const op = "ListOrganizationsPage"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.Organizations); err != nil {
		return nil, err
	}
	if err := validateOrganizationListOptions(opts); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if err := checkCursor(cursor); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	return d.orgPage(ctx, op, opts, cursor)
}

func (d *Directory) orgPage(ctx context.Context, op string, opts OrganizationListOptions, cursor string) (*OrganizationPage, error) {
	pg, err := d.orgs.ListOrganizations(ctx, opts, cursor)
	switch {
	case err != nil:
		return nil, d.fail(ctx, op, err, "", "")
	case pg == nil:
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned no page"), "", "")
	case slices.Contains(pg.Organizations, nil):
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned a nil organization in a page"), "", "")
	}
	return pg, nil
}

// ListOrganizations returns an iterator over the organizations that match
// opts, fetching one page at a time as the loop advances. Iteration stops
// after the first error, which is yielded with a nil organization.
func (d *Directory) ListOrganizations(ctx context.Context, opts OrganizationListOptions) iter.Seq2[*Organization, error] {
	const op = "ListOrganizations"
	return func(yield func(*Organization, error) bool) {
		ctx, ot := d.observe(ctx, op)
		yield, errp := watch(ot.t != nil, yield)
		defer ot.end(errp)
		if err := d.gate(ctx, op, d.caps.Organizations); err != nil {
			yield(nil, err)
			return
		}
		if err := validateOrganizationListOptions(opts); err != nil {
			yield(nil, d.fail(ctx, op, err, "", ""))
			return
		}
		pages(ctx, func(cursor string) ([]*Organization, string, error) {
			pg, err := d.orgPage(ctx, op, opts, cursor)
			if err != nil {
				return nil, "", err
			}
			return pg.Organizations, pg.NextCursor, nil
		}, func() error {
			return d.fail(ctx, op, driver.Errorf(Internal, "backend returned the same cursor twice"), "", "")
		}, yield)
	}
}

// pages runs a listing for an iterator: fetch gives a page and the next
// cursor, repeated gives the error for a cursor that does not move.
func pages[T any](ctx context.Context, fetch func(cursor string) ([]T, string, error), repeated func() error, yield func(T, error) bool) {
	var zero T
	cursor := ""
	for {
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		items, next, err := fetch(cursor)
		if err != nil {
			yield(zero, err)
			return
		}
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
		if next == "" {
			return
		}
		if next == cursor {
			// A cursor that does not move would loop for ever.
			yield(zero, repeated())
			return
		}
		cursor = next
	}
}

// AddMembers makes the users members of the organization; a user already
// a member stays one, and an id given twice counts once. It takes 1 to
// MaxMembersPerCall ids. It returns NotFound when the organization or a
// user does not exist, having added none where the provider adds all or
// none (memory, Logto).
func (d *Directory) AddMembers(ctx context.Context, orgID string, userIDs ...string) (err error) {
	const op = "AddMembers"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.orgCall(ctx, op, d.caps.Organizations, orgID, userIDs...); err != nil {
		return err
	}
	if len(userIDs) == 0 || len(userIDs) > MaxMembersPerCall {
		return d.failIn(ctx, op, driver.InvalidArgumentError("userIDs", "AddMembers takes 1 to %d user ids, not %d", MaxMembersPerCall, len(userIDs)), orgID, "", "")
	}
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	user := ""
	if len(ids) == 1 {
		user = ids[0]
	}
	return d.failIn(ctx, op, d.orgs.AddMembers(ctx, orgID, ids), orgID, user, "")
}

// RemoveMember ends the user's membership of the organization, and with it
// the user's roles there. Removing a user who is not a member succeeds. It
// returns NotFound when the organization or the user does not exist.
func (d *Directory) RemoveMember(ctx context.Context, orgID, userID string) (err error) {
	const op = "RemoveMember"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.orgCall(ctx, op, d.caps.Organizations, orgID, userID); err != nil {
		return err
	}
	return d.failIn(ctx, op, d.orgs.RemoveMember(ctx, orgID, userID), orgID, userID, "")
}

// ListMembers returns an iterator over the organization's members,
// fetching one page at a time as the loop advances. It yields NotFound
// when the organization does not exist, and InvalidArgument for a
// negative PageSize.
func (d *Directory) ListMembers(ctx context.Context, orgID string, opts MemberListOptions) iter.Seq2[*User, error] {
	const op = "ListMembers"
	return func(yield func(*User, error) bool) {
		ctx, ot := d.observe(ctx, op)
		yield, errp := watch(ot.t != nil, yield)
		defer ot.end(errp)
		if err := d.orgCall(ctx, op, d.caps.Organizations, orgID); err != nil {
			yield(nil, err)
			return
		}
		if opts.PageSize < 0 {
			yield(nil, d.failIn(ctx, op, driver.InvalidArgumentError("MemberListOptions.PageSize", "PageSize %d is negative", opts.PageSize), orgID, "", ""))
			return
		}
		pages(ctx, func(cursor string) ([]*User, string, error) {
			pg, err := d.orgs.ListMembers(ctx, orgID, opts.PageSize, cursor)
			switch {
			case err != nil:
				return nil, "", d.failIn(ctx, op, err, orgID, "", "")
			case pg == nil || slices.Contains(pg.Users, nil):
				return nil, "", d.failIn(ctx, op, driver.Errorf(Internal, "backend returned no page or a nil user in it"), orgID, "", "")
			}
			return pg.Users, pg.NextCursor, nil
		}, func() error {
			return d.failIn(ctx, op, driver.Errorf(Internal, "backend returned the same cursor twice"), orgID, "", "")
		}, yield)
	}
}

// ListUserOrganizations returns the organizations the user is a member of,
// ordered by name, then id. It returns NotFound when the user does not
// exist.
func (d *Directory) ListUserOrganizations(ctx context.Context, userID string) (_ []*Organization, err error) {
	const op = "ListUserOrganizations"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.Organizations); err != nil {
		return nil, err
	}
	if err := checkID("userID", userID); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	os, err := d.orgs.ListUserOrganizations(ctx, userID)
	if err != nil {
		return nil, d.fail(ctx, op, err, userID, "")
	}
	os = slices.DeleteFunc(os, func(o *Organization) bool { return o == nil })
	slices.SortFunc(os, func(a, b *Organization) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return os, nil
}

// CreateOrganizationRole adds a role to the catalogue of organization
// roles. It returns AlreadyExists for a taken name, InvalidArgument for a
// malformed name, description or permission, and Unsupported naming
// "OrganizationRole.Permissions" for permissions the backend cannot carry.
func (d *Directory) CreateOrganizationRole(ctx context.Context, r OrganizationRole) (_ *OrganizationRole, err error) {
	const op = "CreateOrganizationRole"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.OrganizationRoles); err != nil {
		return nil, err
	}
	if err := validateOrganizationRole(d.caps, &r); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	got, err := d.orgRoles.CreateOrganizationRole(ctx, r)
	if err != nil {
		return nil, d.fail(ctx, op, err, "", r.Name)
	}
	if got == nil {
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned no role"), "", r.Name)
	}
	return got, nil
}

// ListOrganizationRoles returns the catalogue of organization roles,
// ordered by name, each with its permissions sorted.
func (d *Directory) ListOrganizationRoles(ctx context.Context) (_ []*OrganizationRole, err error) {
	const op = "ListOrganizationRoles"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.OrganizationRoles); err != nil {
		return nil, err
	}
	rs, err := d.orgRoles.ListOrganizationRoles(ctx)
	if err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	return sortOrgRoles(rs), nil
}

func sortOrgRoles(rs []*OrganizationRole) []*OrganizationRole {
	rs = slices.DeleteFunc(rs, func(r *OrganizationRole) bool { return r == nil })
	for _, r := range rs {
		slices.Sort(r.Permissions)
	}
	slices.SortFunc(rs, func(a, b *OrganizationRole) int { return strings.Compare(a.Name, b.Name) })
	return rs
}

// DeleteOrganizationRole deletes the organization role and every
// assignment of it. It returns NotFound when there is no such role.
func (d *Directory) DeleteOrganizationRole(ctx context.Context, name string) (err error) {
	const op = "DeleteOrganizationRole"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.OrganizationRoles); err != nil {
		return err
	}
	if err := checkRoleName("role", name); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	return d.fail(ctx, op, d.orgRoles.DeleteOrganizationRole(ctx, name), "", name)
}

// memberRoleCall starts a call on a member's roles.
func (d *Directory) memberRoleCall(ctx context.Context, op, orgID, userID string, roles ...string) error {
	if err := d.orgCall(ctx, op, d.caps.OrganizationRoles, orgID, userID); err != nil {
		return err
	}
	for _, r := range roles {
		if err := checkRoleName("role", r); err != nil {
			return d.failIn(ctx, op, err, orgID, userID, "")
		}
	}
	return nil
}

// AssignOrganizationRole gives the member the role inside the
// organization. It is idempotent. It returns NotFound when the
// organization, the user or the role does not exist, and
// FailedPrecondition when the user is not a member.
func (d *Directory) AssignOrganizationRole(ctx context.Context, orgID, userID, role string) (err error) {
	const op = "AssignOrganizationRole"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.memberRoleCall(ctx, op, orgID, userID, role); err != nil {
		return err
	}
	return d.failIn(ctx, op, d.orgRoles.AssignOrganizationRole(ctx, orgID, userID, role), orgID, userID, role)
}

// RevokeOrganizationRole takes the role from the member. Revoking a role
// the member lacks succeeds. It returns NotFound and FailedPrecondition as
// AssignOrganizationRole does.
func (d *Directory) RevokeOrganizationRole(ctx context.Context, orgID, userID, role string) (err error) {
	const op = "RevokeOrganizationRole"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.memberRoleCall(ctx, op, orgID, userID, role); err != nil {
		return err
	}
	return d.failIn(ctx, op, d.orgRoles.RevokeOrganizationRole(ctx, orgID, userID, role), orgID, userID, role)
}

// ListMemberRoles returns the member's roles in the organization, ordered
// by name. It returns NotFound, and FailedPrecondition when the user is
// not a member.
func (d *Directory) ListMemberRoles(ctx context.Context, orgID, userID string) (_ []*OrganizationRole, err error) {
	const op = "ListMemberRoles"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.memberRoleCall(ctx, op, orgID, userID); err != nil {
		return nil, err
	}
	rs, err := d.orgRoles.ListMemberRoles(ctx, orgID, userID)
	if err != nil {
		return nil, d.failIn(ctx, op, err, orgID, userID, "")
	}
	return sortOrgRoles(rs), nil
}

// SetMemberRoles replaces the member's roles in the organization with
// roles (none clears them); a name given twice counts once. It returns
// NotFound when the organization, the user or any role does not exist,
// having changed nothing, and FailedPrecondition when the user is not a
// member.
func (d *Directory) SetMemberRoles(ctx context.Context, orgID, userID string, roles ...string) (err error) {
	const op = "SetMemberRoles"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.memberRoleCall(ctx, op, orgID, userID, roles...); err != nil {
		return err
	}
	names := slices.Clone(roles)
	slices.Sort(names)
	names = slices.Compact(names)
	return d.failIn(ctx, op, d.orgRoles.SetMemberRoles(ctx, orgID, userID, names), orgID, userID, "")
}

// ListMemberPermissions returns the permissions the member's roles in the
// organization grant, sorted, each once. It returns NotFound, and
// FailedPrecondition when the user is not a member.
func (d *Directory) ListMemberPermissions(ctx context.Context, orgID, userID string) (_ []string, err error) {
	const op = "ListMemberPermissions"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.orgCall(ctx, op, d.caps.OrganizationPermissions, orgID, userID); err != nil {
		return nil, err
	}
	ps, err := d.orgPerms.ListMemberPermissions(ctx, orgID, userID)
	if err != nil {
		return nil, d.failIn(ctx, op, err, orgID, userID, "")
	}
	slices.Sort(ps)
	return slices.Compact(ps), nil
}

func validateNewOrganization(o *NewOrganization) error {
	if err := checkOrgName("NewOrganization.Name", o.Name); err != nil {
		return err
	}
	if err := checkText("NewOrganization.Description", o.Description, MaxDescriptionLen); err != nil {
		return err
	}
	if err := checkMetadata(o.Metadata); err != nil {
		return err
	}
	for k, v := range o.Metadata {
		if v == nil {
			// Nothing to remove at creation: a nil value is a mistake.
			return driver.InvalidArgumentError("Metadata", "Metadata key %s is nil at creation", quote(k))
		}
	}
	return nil
}

func validateOrganizationUpdate(u *OrganizationUpdate) error {
	if u.Name != nil {
		if err := checkOrgName("OrganizationUpdate.Name", *u.Name); err != nil {
			return err
		}
	}
	if u.Description != nil {
		if err := checkText("OrganizationUpdate.Description", *u.Description, MaxDescriptionLen); err != nil {
			return err
		}
	}
	return checkMetadata(u.Metadata)
}

func validateOrganizationListOptions(o OrganizationListOptions) error {
	if err := checkText("OrganizationListOptions.Query", o.Query, MaxQueryLen); err != nil {
		return err
	}
	if o.PageSize < 0 {
		return driver.InvalidArgumentError("OrganizationListOptions.PageSize", "PageSize %d is negative", o.PageSize)
	}
	return nil
}

func validateOrganizationRole(c Capabilities, r *OrganizationRole) error {
	if err := checkRoleName("OrganizationRole.Name", r.Name); err != nil {
		return err
	}
	if err := checkText("OrganizationRole.Description", r.Description, MaxDescriptionLen); err != nil {
		return err
	}
	for _, p := range r.Permissions {
		if err := checkRoleName("OrganizationRole.Permissions", p); err != nil {
			return err
		}
	}
	if len(r.Permissions) > 0 && !c.OrganizationPermissions {
		return driver.UnsupportedError("OrganizationRole.Permissions")
	}
	r.Permissions = slices.Compact(slices.Sorted(slices.Values(r.Permissions)))
	return nil
}
