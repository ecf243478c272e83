package memory

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

// Organizations, their members, organization roles and the permissions
// those roles carry. Everything is guarded by the store's mutex, like the
// users.
//
// Names of organizations are unique ignoring case, as emails are; names of
// organization roles are unique and case-sensitive, as global roles are.

// Cursor prefixes: one per listing, so that a cursor of one listing is
// refused by another rather than read as a position in it.
const (
	orgCursorPrefix    = "mo1."
	memberCursorPrefix = "mm1."
)

// orgRecord is a stored organization.
type orgRecord struct {
	seq uint64 // creation order, the listing key
	org identity.Organization
	// members holds a place for every existing user who has ever been a
	// member: a removed member keeps its place (with member false), so
	// that adding it again puts it back where it was and a listing under
	// way never meets it twice. Places go with the user or the
	// organization, so they are bounded by users times organizations.
	members map[string]*membership
	order   []*membership // by seq; places of deleted users are dropped lazily
	stale   int           // places of deleted users still in order
}

// membership is a user's place in an organization.
type membership struct {
	seq    uint64 // when the user first joined, the listing key
	userID string
	member bool
	roles  map[string]struct{} // nil unless member
}

// out returns a copy the caller may keep and change.
func (o *orgRecord) out() *identity.Organization {
	org := o.org
	org.Metadata = driver.CloneMetadata(o.org.Metadata)
	return &org
}

func orgNotFound(id string) error {
	return &identity.Error{Code: identity.NotFound, Field: "organization", Organization: id, Message: "no such organization"}
}

// userNotFound is notFound for the organization calls, whose NotFound
// names what is missing.
func userNotFound(id string) error {
	return &identity.Error{Code: identity.NotFound, Field: "user", UserID: id, Message: "no such user"}
}

func orgRoleNotFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Field: "role", Role: name, Message: "no such organization role"}
}

func notMember(orgID, userID string) error {
	return &identity.Error{Code: identity.FailedPrecondition, Field: "membership", Organization: orgID, UserID: userID,
		Message: "the user must be a member of the organization"}
}

func orgNameTaken() error {
	return &identity.Error{Code: identity.AlreadyExists, Field: "Name", Message: "an organization with that name already exists"}
}

func encodeSeq(prefix string, seq uint64) string {
	return driver.EncodeCursor(prefix, []byte(strconv.FormatUint(seq, 36)))
}

func decodeSeq(prefix, cursor string) (uint64, error) {
	b, ok := driver.DecodeCursor(prefix, cursor)
	if !ok {
		return 0, driver.ForeignCursorError()
	}
	seq, err := strconv.ParseUint(string(b), 36, 64)
	if err != nil {
		return 0, driver.ForeignCursorError()
	}
	return seq, nil
}

// CreateOrganization creates o. Its name must be free, ignoring case.
func (s *store) CreateOrganization(_ context.Context, no identity.NewOrganization) (*identity.Organization, error) {
	o := &orgRecord{
		org: identity.Organization{
			Name: no.Name, Description: no.Description,
			// The contract does not hand the map over, so keep a copy.
			Metadata:  driver.CloneMetadata(no.Metadata),
			CreatedAt: s.now(),
		},
		members: make(map[string]*membership),
	}
	key := strings.ToLower(no.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.orgByName[key]; taken {
		return nil, orgNameTaken()
	}
	o.org.ID = newID("o", s.orgs)
	s.seq++
	o.seq = s.seq
	s.orgs[o.org.ID] = o
	s.orgOrder = append(s.orgOrder, o)
	s.orgByName[key] = o.org.ID
	return o.out(), nil
}

// GetOrganization returns the organization or NotFound.
func (s *store) GetOrganization(_ context.Context, id string) (*identity.Organization, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orgs[id]
	if !ok {
		return nil, orgNotFound(id)
	}
	return o.out(), nil
}

// ListOrganizations lists in creation order, so that paging is stable
// while organizations are created or deleted. Query matches a substring
// of the name, ignoring case.
func (s *store) ListOrganizations(ctx context.Context, opts identity.OrganizationListOptions, cursor string) (*identity.OrganizationPage, error) {
	var after uint64
	if cursor != "" {
		var err error
		if after, err = decodeSeq(orgCursorPrefix, cursor); err != nil {
			return nil, err
		}
	}
	size := driver.PageSize(opts.PageSize, defaultPageSize, maxPageSize)
	q := strings.ToLower(opts.Query)

	s.mu.RLock()
	defer s.mu.RUnlock()
	found, next, err := scan(ctx, s.orgOrder, func(o *orgRecord) uint64 { return o.seq }, after, size,
		func(o *orgRecord) bool {
			return s.orgs[o.org.ID] == o && strings.Contains(strings.ToLower(o.org.Name), q)
		})
	if err != nil {
		return nil, err
	}
	page := &identity.OrganizationPage{Organizations: make([]*identity.Organization, len(found))}
	for i, o := range found {
		page.Organizations[i] = o.out()
	}
	if next != 0 {
		page.NextCursor = encodeSeq(orgCursorPrefix, next)
	}
	return page, nil
}

// UpdateOrganization applies u; a new name must be free, ignoring case,
// but for the organization's own.
func (s *store) UpdateOrganization(_ context.Context, id string, u identity.OrganizationUpdate) (*identity.Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[id]
	if !ok {
		return nil, orgNotFound(id)
	}
	next := o.org
	if u.Name != nil {
		if owner, taken := s.orgByName[strings.ToLower(*u.Name)]; taken && owner != id {
			return nil, orgNameTaken()
		}
		next.Name = *u.Name
	}
	if u.Description != nil {
		next.Description = *u.Description
	}
	if len(u.Metadata) > 0 {
		// A shallow clone will do: the stored values are private copies,
		// replaced whole and never changed in place.
		md := maps.Clone(o.org.Metadata)
		if md == nil {
			md = make(map[string]any, len(u.Metadata))
		}
		for k, v := range u.Metadata {
			if v == nil {
				delete(md, k)
			} else {
				md[k] = driver.CloneValue(v)
			}
		}
		next.Metadata = md
	}
	delete(s.orgByName, strings.ToLower(o.org.Name))
	s.orgByName[strings.ToLower(next.Name)] = id
	o.org = next
	return o.out(), nil
}

// DeleteOrganization deletes the organization with its memberships and
// the roles its members held there.
func (s *store) DeleteOrganization(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[id]
	if !ok {
		return orgNotFound(id)
	}
	for uid := range o.members {
		if r, ok := s.users[uid]; ok {
			delete(r.orgs, id)
		}
	}
	delete(s.orgs, id)
	delete(s.orgByName, strings.ToLower(o.org.Name))
	s.orgDeleted++
	if s.orgDeleted > 64 && s.orgDeleted > len(s.orgOrder)/2 {
		s.orgOrder = slices.DeleteFunc(s.orgOrder, func(x *orgRecord) bool { return s.orgs[x.org.ID] != x })
		s.orgDeleted = 0
	}
	return nil
}

// leaveOrganizations drops the deleted user r's places in every
// organization, roles and all. Callers hold the write lock.
func (s *store) leaveOrganizations(r *record) {
	for orgID := range r.orgs {
		o := s.orgs[orgID]
		delete(o.members, r.user.ID)
		o.stale++
		if o.stale > 64 && o.stale > len(o.order)/2 {
			o.order = slices.DeleteFunc(o.order, func(m *membership) bool { return o.members[m.userID] != m })
			o.stale = 0
		}
	}
	r.orgs = nil
}

// AddMembers adds all of the users or, when the organization or one of
// them does not exist, none. NotFound names the first missing user in
// the order given.
func (s *store) AddMembers(_ context.Context, orgID string, userIDs []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[orgID]
	if !ok {
		return orgNotFound(orgID)
	}
	for _, uid := range userIDs {
		if _, ok := s.users[uid]; !ok {
			return userNotFound(uid)
		}
	}
	for _, uid := range userIDs {
		m, ok := o.members[uid]
		if !ok {
			s.seq++
			m = &membership{seq: s.seq, userID: uid}
			o.members[uid] = m
			o.order = append(o.order, m)
			s.users[uid].orgs[orgID] = struct{}{}
		}
		if !m.member {
			m.member = true
			m.roles = make(map[string]struct{})
		}
	}
	return nil
}

// RemoveMember ends the membership and the member's roles in the
// organization; the user keeps its place in the listing order.
func (s *store) RemoveMember(_ context.Context, orgID, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.place(orgID, userID)
	if err != nil {
		return err
	}
	if m != nil {
		m.member, m.roles = false, nil
	}
	return nil
}

// place looks up the user's membership of the organization, nil when
// the user is not a member, checking that both exist. Callers hold the
// lock.
func (s *store) place(orgID, userID string) (*membership, error) {
	o, ok := s.orgs[orgID]
	if !ok {
		return nil, orgNotFound(orgID)
	}
	if _, ok := s.users[userID]; !ok {
		return nil, userNotFound(userID)
	}
	if m, ok := o.members[userID]; ok && m.member {
		return m, nil
	}
	return nil, nil
}

// ListMembers lists the members in the order they first joined: a member
// removed and added again keeps its first place, so that no listing
// returns a user twice while members come and go.
func (s *store) ListMembers(ctx context.Context, orgID string, pageSize int, cursor string) (*identity.UserPage, error) {
	var after uint64
	if cursor != "" {
		var err error
		if after, err = decodeSeq(memberCursorPrefix, cursor); err != nil {
			return nil, err
		}
	}
	size := driver.PageSize(pageSize, defaultPageSize, maxPageSize)

	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orgs[orgID]
	if !ok {
		return nil, orgNotFound(orgID)
	}
	ms, next, err := scan(ctx, o.order, func(m *membership) uint64 { return m.seq }, after, size,
		func(m *membership) bool { return o.members[m.userID] == m && m.member })
	if err != nil {
		return nil, err
	}
	page := &identity.UserPage{Users: make([]*identity.User, len(ms))}
	for i, m := range ms {
		page.Users[i] = s.users[m.userID].out()
	}
	if next != 0 {
		page.NextCursor = encodeSeq(memberCursorPrefix, next)
	}
	return page, nil
}

// ListUserOrganizations returns the organizations the user is a member
// of, in no particular order.
func (s *store) ListUserOrganizations(_ context.Context, userID string) ([]*identity.Organization, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.users[userID]
	if !ok {
		return nil, userNotFound(userID)
	}
	out := make([]*identity.Organization, 0, len(r.orgs))
	for orgID := range r.orgs {
		o := s.orgs[orgID]
		if o.members[userID].member {
			out = append(out, o.out())
		}
	}
	return out, nil
}

// outRole returns a copy of r the caller may keep and change.
func outRole(r *identity.OrganizationRole) *identity.OrganizationRole {
	c := *r
	c.Permissions = slices.Clone(r.Permissions)
	return &c
}

// CreateOrganizationRole adds r to the catalogue; names are
// case-sensitive.
func (s *store) CreateOrganizationRole(_ context.Context, r identity.OrganizationRole) (*identity.OrganizationRole, error) {
	r.Permissions = slices.Clone(r.Permissions)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.orgRoles[r.Name]; dup {
		return nil, &identity.Error{Code: identity.AlreadyExists, Role: r.Name, Message: "organization role already exists"}
	}
	s.orgRoles[r.Name] = &r
	return outRole(&r), nil
}

// ListOrganizationRoles returns the catalogue, in no particular order.
func (s *store) ListOrganizationRoles(context.Context) ([]*identity.OrganizationRole, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*identity.OrganizationRole, 0, len(s.orgRoles))
	for _, r := range s.orgRoles {
		out = append(out, outRole(r))
	}
	return out, nil
}

// DeleteOrganizationRole deletes the role and takes it from every member
// of every organization.
func (s *store) DeleteOrganizationRole(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgRoles[name]; !ok {
		return orgRoleNotFound(name)
	}
	delete(s.orgRoles, name)
	for _, o := range s.orgs {
		for _, m := range o.members {
			delete(m.roles, name)
		}
	}
	return nil
}

// memberFor looks up the membership a call on a member's roles needs,
// checking the organization, the user, the roles and then the membership,
// so that NotFound comes before FailedPrecondition. Callers hold the
// lock.
func (s *store) memberFor(orgID, userID string, roles ...string) (*membership, error) {
	m, err := s.place(orgID, userID)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if _, ok := s.orgRoles[r]; !ok {
			return nil, orgRoleNotFound(r)
		}
	}
	if m == nil {
		return nil, notMember(orgID, userID)
	}
	return m, nil
}

// AssignOrganizationRole gives the member the role; it is idempotent.
func (s *store) AssignOrganizationRole(_ context.Context, orgID, userID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.memberFor(orgID, userID, role)
	if err != nil {
		return err
	}
	m.roles[role] = struct{}{}
	return nil
}

// RevokeOrganizationRole takes the role from the member; it is
// idempotent.
func (s *store) RevokeOrganizationRole(_ context.Context, orgID, userID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.memberFor(orgID, userID, role)
	if err != nil {
		return err
	}
	delete(m.roles, role)
	return nil
}

// ListMemberRoles returns the member's roles in the organization, in no
// particular order.
func (s *store) ListMemberRoles(_ context.Context, orgID, userID string) ([]*identity.OrganizationRole, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, err := s.memberFor(orgID, userID)
	if err != nil {
		return nil, err
	}
	out := make([]*identity.OrganizationRole, 0, len(m.roles))
	for name := range m.roles {
		out = append(out, outRole(s.orgRoles[name]))
	}
	return out, nil
}

// SetMemberRoles replaces the member's roles with roles, or changes
// nothing when any of them does not exist.
func (s *store) SetMemberRoles(_ context.Context, orgID, userID string, roles []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.memberFor(orgID, userID, roles...)
	if err != nil {
		return err
	}
	m.roles = make(map[string]struct{}, len(roles))
	for _, r := range roles {
		m.roles[r] = struct{}{}
	}
	return nil
}

// ListMemberPermissions returns the union of the permissions of the
// member's roles in the organization, sorted.
func (s *store) ListMemberPermissions(_ context.Context, orgID, userID string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, err := s.memberFor(orgID, userID)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for name := range m.roles {
		out = append(out, s.orgRoles[name].Permissions...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
