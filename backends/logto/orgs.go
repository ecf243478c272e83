package logto

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

// The organization calls map to /api/organizations*, /api/organization-roles*
// and /api/organization-scopes* (SEMANTICS.md 5.1, observed on Logto
// 1.37.1). Several of them answer a missing parent with something other
// than a 404, so each call says below how it tells a missing organization,
// user or role apart.

// Cursor prefixes of the organization listings.
const (
	orgCursor    = "lgo1."
	memberCursor = "lgm1."
)

// Codes of Logto's organization answers the calls read.
const (
	codeForeignKey = "entity.relation_foreign_key_not_found"
	codeNotMember  = "organization.require_membership"
	codeNotFound   = "entity.not_found"
	codeConstraint = "entity.db_constraint_violated"
)

// The Fields of NotFound errors, as driver.Organizations says.
const (
	fieldOrganization = "organization"
	fieldUser         = "user"
	fieldRole         = "role"
)

const organizationsListed = "organizations"

// wireOrg is the part of a Logto organization the portable model reads.
type wireOrg struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	CustomData  map[string]any `json:"customData"`
	// CreatedAt is a number a PATCH may set to anything (observed on
	// Logto 1.37.1), so not always an integer.
	CreatedAt float64 `json:"createdAt"`
}

func toOrganization(raw json.RawMessage) (*driver.Organization, error) {
	var w wireOrg
	if err := json.Unmarshal(raw, &w); err != nil || w.ID == "" {
		// An organization's id goes into paths: an empty one would name
		// the collection.
		return nil, driver.Errorf(identity.Internal, "Logto returned an organization the backend cannot read")
	}
	o := &driver.Organization{ID: w.ID, Name: w.Name, Description: str(w.Description), CreatedAt: millis(int64(w.CreatedAt)), Raw: raw}
	if len(w.CustomData) > 0 {
		o.Metadata = w.CustomData
	}
	return o, nil
}

func toOrganizations(raws []json.RawMessage) ([]*driver.Organization, error) {
	out := make([]*driver.Organization, 0, len(raws))
	for _, raw := range raws {
		o, err := toOrganization(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func orgPath(id string, more ...string) string {
	return httpx.Path(append([]string{"api", organizationsListed, id}, more...)...)
}

// missing names field in a NotFound err, the thing the contract says is
// missing; any other error is returned as it is.
func missing(err error, field string) error {
	var ie *identity.Error
	if identity.CodeOf(err) != identity.NotFound || !asError(err, &ie) {
		return err
	}
	named := *ie
	named.Field = field
	return &named
}

// orgCall sends a request whose answer is an organization.
func (d *directory) orgCall(ctx context.Context, method, path string, body any, idempotent bool) (*driver.Organization, error) {
	var raw json.RawMessage
	if _, err := d.http.Do(ctx, &httpx.Request{Method: method, Path: path, Body: body, Out: &raw, Idempotent: idempotent}); err != nil {
		return nil, missing(err, fieldOrganization)
	}
	return toOrganization(raw)
}

// CreateOrganization settles a create whose answer was lost by listing the
// organizations of that name. Logto allows duplicate names, so a holder of
// the name proves nothing: the one organization with everything the create
// asked for, made no earlier than the create was sent (allowing for the
// clock skew createonce allows), is the one it made; none means the create
// is sent again; several leave the outcome open.
func (d *directory) CreateOrganization(ctx context.Context, o driver.NewOrganization) (*driver.Organization, error) {
	b := map[string]any{"name": o.Name}
	if o.Description != "" {
		b["description"] = o.Description
	}
	if len(o.Metadata) > 0 {
		b["customData"] = o.Metadata
	}
	sent := time.Now()
	return createonce.Create(ctx, d.creates.Attempts, func(ctx context.Context) (*driver.Organization, error) {
		return d.orgCall(ctx, http.MethodPost, httpx.Path("api", organizationsListed), b, false)
	}, func(ctx context.Context, cause error) (*driver.Organization, bool, error) {
		found, err := d.organizationsNamed(ctx, o.Name)
		if err != nil {
			return nil, false, createonce.Unsettled(cause, err)
		}
		skew := d.creates.ClockSkew
		if skew <= 0 {
			skew = createonce.DefaultClockSkew
		}
		found = slices.DeleteFunc(found, func(c *driver.Organization) bool {
			return c.Description != o.Description || !sameJSON(c.Metadata, o.Metadata) || c.CreatedAt.Before(sent.Add(-skew))
		})
		switch len(found) {
		case 0:
			return nil, false, nil
		case 1:
			return found[0], true, nil
		}
		return nil, false, &identity.Error{Code: identity.Unavailable, Retryable: true, Err: cause,
			Message: "the create may or may not have been made: its outcome was lost, and several organizations match it"}
	})
}

// sameJSON compares metadata as stored: an empty map and none are alike.
func sameJSON(a, b map[string]any) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// organizationsNamed lists every organization named name exactly.
func (d *directory) organizationsNamed(ctx context.Context, name string) ([]*driver.Organization, error) {
	var out []*driver.Organization
	for page := 1; ; page++ {
		os, more, err := d.orgPage(ctx, url.Values{"q": {name}}, page, maxPageSize)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			if o.Name == name {
				out = append(out, o)
			}
		}
		if !more {
			return out, nil
		}
	}
}

// orgPage fetches one page of GET /api/organizations and says whether
// another follows.
func (d *directory) orgPage(ctx context.Context, q url.Values, page, size int) ([]*driver.Organization, bool, error) {
	q.Set("page", strconv.Itoa(page))
	q.Set("page_size", strconv.Itoa(size))
	var raws []json.RawMessage
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: httpx.Path("api", organizationsListed), Query: q, Out: &raws})
	if err != nil {
		return nil, false, err
	}
	os, err := toOrganizations(raws)
	return os, more(resp, page, size, len(raws)), err
}

// more reports whether a page of a listing with Total-Number has a next.
func more(resp *httpx.Response, page, size, got int) bool {
	total, err := strconv.Atoi(resp.Header.Get("Total-Number"))
	if err != nil {
		return got == size
	}
	return got > 0 && page*size < total
}

func (d *directory) GetOrganization(ctx context.Context, id string) (*driver.Organization, error) {
	return d.orgCall(ctx, http.MethodGet, orgPath(id), nil, false)
}

// ListOrganizations pages with Logto's page numbers. Logto's q matches
// the name or the id with ILIKE, without escaping '%' and '_' (observed on
// Logto 1.37.1), so each page is filtered here to names that contain the
// query, ignoring case, and can hold fewer organizations than PageSize.
func (d *directory) ListOrganizations(ctx context.Context, opts driver.OrganizationListOptions, cursor string) (*driver.OrganizationPage, error) {
	page := 1
	if cursor != "" {
		var ok bool
		if page, ok = cursorPage(orgCursor, cursor); !ok {
			return nil, driver.ForeignCursorError()
		}
	}
	size := driver.PageSize(opts.PageSize, defaultPageSize, maxPageSize)
	q := url.Values{}
	if opts.Query != "" {
		q.Set("q", opts.Query)
	}
	os, next, err := d.orgPage(ctx, q, page, size)
	if err != nil {
		return nil, err
	}
	query := strings.ToLower(opts.Query)
	out := &driver.OrganizationPage{Organizations: slices.DeleteFunc(os, func(o *driver.Organization) bool {
		return !strings.Contains(strings.ToLower(o.Name), query)
	})}
	if next {
		out.NextCursor = pageCursor(orgCursor, page+1)
	}
	return out, nil
}

// UpdateOrganization sends one PATCH. Logto's PATCH replaces customData
// whole (observed on Logto 1.37.1), so a metadata change reads the
// organization, merges, and writes the result: an update of another key
// between the read and the write is lost. The PATCH sets values, so
// sending it again does what sending it once does.
func (d *directory) UpdateOrganization(ctx context.Context, id string, u driver.OrganizationUpdate) (*driver.Organization, error) {
	b := map[string]any{}
	if u.Name != nil {
		b["name"] = *u.Name
	}
	if u.Description != nil {
		b["description"] = nil
		if *u.Description != "" {
			b["description"] = *u.Description
		}
	}
	if len(u.Metadata) > 0 {
		cur, err := d.GetOrganization(ctx, id)
		if err != nil {
			return nil, err
		}
		md := maps.Clone(cur.Metadata)
		if md == nil {
			md = map[string]any{}
		}
		for k, v := range u.Metadata {
			if v == nil {
				delete(md, k)
			} else {
				md[k] = v
			}
		}
		b["customData"] = md
	}
	return d.orgCall(ctx, http.MethodPatch, orgPath(id), b, true)
}

// DeleteOrganization reads the organization first, as DeleteUser reads
// the user: a delete sent again after a reset meets 404 when the first
// attempt went through, which counts as success, while one that never
// existed stays NotFound.
func (d *directory) DeleteOrganization(ctx context.Context, id string) error {
	if _, err := d.GetOrganization(ctx, id); err != nil {
		return err
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: orgPath(id)})
	return missing(httpx.DoneIfGone(err), fieldOrganization)
}

// AddMembers' POST is marked idempotent: Logto skips users who are
// already members and answers 201 all the same (observed on Logto
// 1.37.1). It adds all or none; for a missing organization or user Logto
// answers one foreign-key error, so the organization and then each user
// is looked up to say which is missing.
func (d *directory) AddMembers(ctx context.Context, orgID string, userIDs []string) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: orgPath(orgID, "users"),
		Body: map[string][]string{"userIds": userIDs}, Idempotent: true})
	if providerCode(err) != codeForeignKey {
		return err
	}
	if _, gerr := d.GetOrganization(ctx, orgID); gerr != nil {
		return gerr
	}
	for _, id := range userIDs {
		if _, gerr := d.GetUser(ctx, id); identity.CodeOf(gerr) == identity.NotFound {
			return missingUser(gerr, id)
		} else if gerr != nil {
			return gerr
		}
	}
	// Every one exists now: one was deleted and made again meanwhile, or
	// the organization was. The answer stands, naming neither.
	return err
}

// missingUser is NotFound naming the user id.
func missingUser(err error, id string) error {
	err = missing(err, fieldUser)
	var ie *identity.Error
	if asError(err, &ie) && ie.UserID == "" {
		ie.UserID = id
	}
	return err
}

// RemoveMember treats Logto's 404 for a non-member as success once the
// organization and the user are found to exist: Logto answers the same
// 404 for all three (observed on Logto 1.37.1).
func (d *directory) RemoveMember(ctx context.Context, orgID, userID string) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: orgPath(orgID, "users", userID)})
	if providerCode(err) != codeNotFound {
		return err
	}
	return d.bothExist(ctx, orgID, userID)
}

// bothExist returns nil when the organization and the user exist, and
// NotFound naming the first that does not.
func (d *directory) bothExist(ctx context.Context, orgID, userID string) error {
	if _, err := d.GetOrganization(ctx, orgID); err != nil {
		return err
	}
	if _, err := d.GetUser(ctx, userID); err != nil {
		return missing(err, fieldUser)
	}
	return nil
}

// ListMembers pages with Logto's page numbers. Logto answers a missing
// organization's members with 200 [] (observed on Logto 1.37.1), so an
// empty page is followed by a read of the organization.
func (d *directory) ListMembers(ctx context.Context, orgID string, pageSize int, cursor string) (*driver.UserPage, error) {
	page := 1
	if cursor != "" {
		var ok bool
		if page, ok = cursorPage(memberCursor, cursor); !ok {
			return nil, driver.ForeignCursorError()
		}
	}
	size := driver.PageSize(pageSize, defaultPageSize, maxPageSize)
	var ws []httpx.JSON[wireUser]
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: orgPath(orgID, "users"),
		Query: url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)}}, Out: &ws})
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		if _, err := d.GetOrganization(ctx, orgID); err != nil {
			return nil, err
		}
	}
	out := &driver.UserPage{Users: make([]*identity.User, 0, len(ws))}
	for i := range ws {
		u, err := toUser(&ws[i])
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, u)
	}
	if more(resp, page, size, len(ws)) {
		out.NextCursor = pageCursor(memberCursor, page+1)
	}
	return out, nil
}

// ListUserOrganizations reads GET /api/users/{id}/organizations, which
// Logto does not page (observed on Logto 1.37.1).
func (d *directory) ListUserOrganizations(ctx context.Context, userID string) ([]*driver.Organization, error) {
	var raws []json.RawMessage
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: userPath(userID, organizationsListed), Out: &raws}); err != nil {
		return nil, missing(err, fieldUser)
	}
	return toOrganizations(raws)
}

// Organization roles.

func orgRoleNotFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Field: fieldRole, Role: name, Message: "no such organization role"}
}

// orgRoleCatalogue is the catalogue of organization roles. Logto answers
// an id that is gone with a foreign-key error where it is assigned, and
// with 404 entity.not_found where the role is deleted; a role whose type
// was changed to MachineToMachine meanwhile gives a constraint error
// (observed on Logto 1.37.1). Each means the cached id is no User role.
func (d *directory) orgRoleCatalogue() catalogue {
	return catalogue{cache: &d.orgRoles, path: httpx.Path("api", "organization-roles"), missing: orgRoleNotFound,
		stale: []string{codeForeignKey, codeNotFound, codeConstraint}}
}

func memberRolesPath(orgID, userID string, more ...string) string {
	return orgPath(orgID, append([]string{"users", userID, "roles"}, more...)...)
}

// notMember settles organization.require_membership, which Logto answers
// under /organizations/{id}/users/{userId}/roles for a non-member, a
// missing user and a missing organization alike (observed on Logto
// 1.37.1): NotFound naming what is missing, or err, FailedPrecondition,
// when both exist.
func (d *directory) notMember(ctx context.Context, orgID, userID string, err error) error {
	if providerCode(err) != codeNotMember {
		return err
	}
	if gerr := d.bothExist(ctx, orgID, userID); gerr != nil {
		return gerr
	}
	return err
}

func toOrgRole(r wireRole) *driver.OrganizationRole {
	o := &driver.OrganizationRole{Name: r.Name, Description: r.Description}
	for _, s := range r.Scopes {
		o.Permissions = append(o.Permissions, s.Name)
	}
	return o
}

// CreateOrganizationRole creates the permissions it names that are not
// yet organization scopes, then the role with those scopes in one POST.
// A role create whose answer was lost is settled by listing the roles, as
// CreateRole does: names of organization roles are unique.
func (d *directory) CreateOrganizationRole(ctx context.Context, r driver.OrganizationRole) (*driver.OrganizationRole, error) {
	scopes, err := d.scopeIDs(ctx, r.Permissions)
	if err != nil {
		return nil, err
	}
	b := map[string]any{"name": r.Name, "type": "User", "organizationScopeIds": scopes, "resourceScopeIds": []string{}}
	if r.Description != "" {
		b["description"] = r.Description
	}
	c := d.orgRoleCatalogue()
	before, knownBefore := c.cache.get(r.Name)
	w, err := d.createRoleOnce(ctx, c.path, b, r.Name, r.Description, before, knownBefore)
	if providerCode(err) == codeForeignKey {
		// A scope was deleted between its lookup and the create, and
		// Logto made the role all the same, without scopes (observed on
		// Logto 1.37.1): make the scopes again and give them to it.
		w, err = d.rescope(ctx, c, r)
	}
	if err != nil {
		return nil, err
	}
	if w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Logto created an organization role without an id")
	}
	c.cache.put(wireRole{ID: w.ID, Name: w.Name, Type: w.Type})
	return &driver.OrganizationRole{Name: r.Name, Description: r.Description, Permissions: slices.Clone(r.Permissions)}, nil
}

// rescope gives the role r names, made without its scopes, the scopes of
// r.Permissions.
func (d *directory) rescope(ctx context.Context, c catalogue, r driver.OrganizationRole) (wireRole, error) {
	c.cache.drop(r.Name)
	w, err := d.resolve(ctx, c, r.Name)
	if err != nil {
		return wireRole{}, err
	}
	scopes, err := d.scopeIDs(ctx, r.Permissions)
	if err != nil {
		return wireRole{}, err
	}
	_, err = d.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: httpx.Path("api", "organization-roles", w.ID, "scopes"),
		Body: map[string][]string{"organizationScopeIds": scopes}})
	return w, err
}

// scopeIDs returns the ids of the organization scopes named names,
// creating those that do not exist. Scope names are unique, so a create
// whose answer was lost, or that another caller beat, is settled by
// finding the name.
func (d *directory) scopeIDs(ctx context.Context, names []string) ([]string, error) {
	ids := []string{}
	if len(names) == 0 {
		return ids, nil
	}
	path := httpx.Path("api", "organization-scopes")
	all, err := d.allPages(ctx, path, url.Values{})
	if err != nil {
		return nil, err
	}
	byName := map[string]string{}
	for _, s := range all {
		byName[s.Name] = s.ID
	}
	for _, name := range names {
		id, ok := byName[name]
		if !ok {
			find := func(ctx context.Context, cause error) (wireRole, bool, error) {
				ss, err := d.allPages(ctx, path, url.Values{"q": {name}})
				if err != nil {
					return wireRole{}, false, createonce.Unsettled(cause, err)
				}
				i := slices.IndexFunc(ss, func(s wireRole) bool { return s.Name == name })
				if i < 0 {
					return wireRole{}, false, nil
				}
				return ss[i], true, nil
			}
			s, err := createonce.Create(ctx, d.creates.Attempts, func(ctx context.Context) (wireRole, error) {
				var s wireRole
				_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: path, Body: map[string]string{"name": name}, Out: &s})
				return s, err
			}, find)
			if identity.CodeOf(err) == identity.AlreadyExists {
				// Made by another caller since the listing: it is the
				// scope asked for all the same.
				var found bool
				if s, found, err = find(ctx, err); err == nil && !found {
					err = driver.Errorf(identity.Unavailable, "the organization scope %q was taken and then gone", name)
				}
			}
			if err != nil {
				return nil, err
			}
			id = s.ID
		}
		if id == "" {
			return nil, driver.Errorf(identity.Internal, "Logto returned an organization scope without an id")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// ListOrganizationRoles lists the User roles, each with its scopes, and
// refreshes the cache with them.
func (d *directory) ListOrganizationRoles(ctx context.Context) ([]*driver.OrganizationRole, error) {
	rs, err := d.orgRoleList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*driver.OrganizationRole, 0, len(rs))
	for _, r := range rs {
		out = append(out, toOrgRole(r))
	}
	return out, nil
}

// orgRoleList lists the User organization roles by id.
func (d *directory) orgRoleList(ctx context.Context) (map[string]wireRole, error) {
	c := d.orgRoleCatalogue()
	rs, err := d.allPages(ctx, c.path, url.Values{})
	if err != nil {
		return nil, err
	}
	byID := map[string]wireRole{}
	byName := map[string]wireRole{}
	for _, r := range rs {
		if !r.ofUsers() {
			continue
		}
		if r.ID == "" {
			return nil, driver.Errorf(identity.Internal, "Logto listed an organization role without an id")
		}
		byID[r.ID], byName[r.Name] = r, r
	}
	c.cache.fill(byName)
	return byID, nil
}

// DeleteOrganizationRole resolves the role first, so that a missing one
// is NotFound while a delete whose earlier attempt went through succeeds.
func (d *directory) DeleteOrganizationRole(ctx context.Context, name string) error {
	c := d.orgRoleCatalogue()
	err := d.withRole(ctx, c, name, func(id string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: httpx.Path("api", "organization-roles", id)})
		return httpx.DoneIfGone(err)
	})
	if err == nil {
		c.cache.drop(name)
	}
	return err
}

// AssignOrganizationRole's POST is marked idempotent: Logto answers 201
// for a role the member already holds (observed on Logto 1.37.1).
func (d *directory) AssignOrganizationRole(ctx context.Context, orgID, userID, role string) error {
	err := d.withRole(ctx, d.orgRoleCatalogue(), role, func(id string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: memberRolesPath(orgID, userID),
			Body: map[string][]string{"organizationRoleIds": {id}}, Idempotent: true})
		return err
	})
	// Settled outside withRole: the user lookup's 404 is no stale role.
	return d.notMember(ctx, orgID, userID, err)
}

// RevokeOrganizationRole: Logto answers 404 entity.not_found both for a
// role the member lacks and for a role id that is gone, so a 404 resolves
// the name afresh: the same id means the member lacks the role, which
// succeeds.
func (d *directory) RevokeOrganizationRole(ctx context.Context, orgID, userID, role string) error {
	c := d.orgRoleCatalogue()
	for try := 0; ; try++ {
		r, err := d.resolve(ctx, c, role)
		if err != nil {
			return err
		}
		_, err = d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: memberRolesPath(orgID, userID, r.ID)})
		if providerCode(err) != codeNotFound || try > 0 {
			return d.notMember(ctx, orgID, userID, httpx.DoneIfGone(err))
		}
		c.cache.drop(role)
		again, err := d.resolve(ctx, c, role)
		if err != nil || again.ID == r.ID {
			return err
		}
	}
}

// ListMemberRoles lists the member's roles, and the catalogue for their
// scopes, which the member's listing leaves out.
func (d *directory) ListMemberRoles(ctx context.Context, orgID, userID string) ([]*driver.OrganizationRole, error) {
	held, err := d.memberRoles(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	all, err := d.orgRoleList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*driver.OrganizationRole, 0, len(held))
	for _, r := range held {
		if full, ok := all[r.ID]; ok {
			r = full
		}
		if r.ofUsers() {
			out = append(out, toOrgRole(r))
		}
	}
	return out, nil
}

// memberRoles reads the member's roles, unpaged: Logto pages the listing
// only when asked to (observed on Logto 1.37.1).
func (d *directory) memberRoles(ctx context.Context, orgID, userID string) ([]wireRole, error) {
	var rs []wireRole
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: memberRolesPath(orgID, userID), Out: &rs})
	return rs, d.notMember(ctx, orgID, userID, err)
}

// SetMemberRoles resolves every name before its one PUT, which Logto
// runs in a transaction (observed on Logto 1.37.1): a missing name changes
// nothing. A role id that turns out gone resolves every name afresh once.
func (d *directory) SetMemberRoles(ctx context.Context, orgID, userID string, roles []string) error {
	c := d.orgRoleCatalogue()
	for try := 0; ; try++ {
		ids := make([]string, 0, len(roles))
		for _, name := range roles {
			r, err := d.resolve(ctx, c, name)
			if err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: memberRolesPath(orgID, userID),
			Body: map[string][]string{"organizationRoleIds": ids}})
		code := providerCode(err)
		if try > 0 || code != codeForeignKey && code != codeConstraint {
			return d.notMember(ctx, orgID, userID, err)
		}
		c.cache.fill(nil)
	}
}

// ListMemberPermissions reads GET .../users/{userId}/scopes, Logto's
// union of the member's roles' scopes. That endpoint answers 200 [] for a
// non-member and a missing organization (observed on Logto 1.37.1), so
// the member's roles are read first, for the errors.
func (d *directory) ListMemberPermissions(ctx context.Context, orgID, userID string) ([]string, error) {
	if _, err := d.memberRoles(ctx, orgID, userID); err != nil {
		return nil, err
	}
	var ss []wireRole
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: orgPath(orgID, "users", userID, "scopes"), Out: &ss}); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out, nil
}

var (
	_ driver.Organizations           = (*directory)(nil)
	_ driver.OrganizationRoles       = (*directory)(nil)
	_ driver.OrganizationPermissions = (*directory)(nil)
)
