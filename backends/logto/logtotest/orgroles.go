package logtotest

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/idport/identity/internal/emulate"
)

// orgRole is an organization role: a tenant-wide template that members
// hold per organization (5.1.3, observed on Logto 1.37.1).
type orgRole struct {
	id          string
	name        string
	description *string
	typ         string
	scopes      map[string]bool // organization scope ids
}

func (ro *orgRole) json() map[string]any {
	return map[string]any{"tenantId": "default", "id": ro.id, "name": ro.name, "description": ro.description, "type": ro.typ}
}

// orgScope is an organization scope (5.1.5, observed on Logto 1.37.1).
type orgScope struct {
	id          string
	name        string
	description *string
}

func (s *orgScope) json() map[string]any {
	return map[string]any{"tenantId": "default", "id": s.id, "name": s.name, "description": s.description}
}

// byName orders roles and scopes by name byte-wise, as the observed
// server's C.UTF-8 collation does: uppercase first (5.1.8 rule 14,
// observed on Logto 1.37.1).
func byName[T any](items []T, name func(T) string) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(name(a), name(b)) })
}

// optionalPaging reads page and page_size for the lists whose pagination
// is optional: without either, the list is whole and has no Total-Number
// or Link (5.1.0, observed on Logto 1.37.1).
func (e *Emulator) optionalPaging(w http.ResponseWriter, r *http.Request) (page, size int, paged, ok bool) {
	q := r.URL.Query()
	if q.Get("page") == "" && q.Get("page_size") == "" {
		return 0, 0, false, true
	}
	page, size, ok = e.pagination(w, q)
	return page, size, true, ok
}

// pageOf cuts a page out of all when paged, writing its headers.
func pageOf(w http.ResponseWriter, r *http.Request, all []map[string]any, page, size int, paged bool) []map[string]any {
	if !paged {
		return all
	}
	start, end := paginate(w, r, len(all), page, size)
	return all[start:end]
}

// roleFields are the keys of an organization role body. On create,
// organizationScopeIds and resourceScopeIds are optional although the
// document requires them (5.1.3, observed on Logto 1.37.1).
func roleFields(create bool) []field {
	specs := []field{
		{key: "name", kind: kString, min: 1, max: 128, required: create},
		{key: "description", kind: kNullable, max: 256},
		{key: "type", kind: kEnum, enum: roleTypes},
	}
	if create {
		specs = append(specs, field{key: "organizationScopeIds", kind: kStrings}, field{key: "resourceScopeIds", kind: kStrings})
	}
	return specs
}

// roleNameTaken reports whether a role other than self has name, compared
// case-sensitively (5.1.3, observed on Logto 1.37.1). Callers hold e.mu.
func (e *Emulator) roleNameTaken(name, self string) bool {
	for _, ro := range e.orgRoles {
		if ro.name == name && ro.id != self {
			return true
		}
	}
	return false
}

// createOrgRole answers 201 with the role, of type User unless said; a
// taken name is 422 entity.unique_integrity_violation. A scope id that
// does not exist is 422 entity.relation_foreign_key_not_found, yet the
// role is created, with no scopes (5.1.3, 5.1.8 rule 3, observed on Logto
// 1.37.1). The emulator has no resource scopes, so any resourceScopeIds
// entry is such an id.
func (e *Emulator) createOrgRole(w http.ResponseWriter, r *http.Request) {
	f, _, ok := readGuarded(w, r, roleFields(true))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if e.roleNameTaken(f.str("name"), "") {
			return errUnique
		}
		ro := &orgRole{id: emulate.ID(emulate.Lower36, 21), name: f.str("name"), description: f.nullable("description"), typ: "User", scopes: map[string]bool{}}
		if t := f.str("type"); t != "" {
			ro.typ = t
		}
		e.orgRoles[ro.id] = ro
		scopes := f.strings("organizationScopeIds")
		if len(f.strings("resourceScopeIds")) > 0 || !e.scopesExist(scopes) {
			return errForeignKey
		}
		for _, sid := range scopes {
			ro.scopes[sid] = true
		}
		return emulate.JSON(http.StatusCreated, ro.json())
	}))
}

// listOrgRoles answers the roles by name, filtered by q on id, name and
// description, paged, each with scopes {id, name} and resourceScopes []
// (5.1.3, observed on Logto 1.37.1).
func (e *Emulator) listOrgRoles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size, ok := e.pagination(w, q)
	if !ok {
		return
	}
	e.mu.Lock()
	var hits []*orgRole
	for _, ro := range e.orgRoles {
		desc := ""
		if ro.description != nil {
			desc = *ro.description
		}
		if like(q.Get("q"), ro.id, ro.name, desc) {
			hits = append(hits, ro)
		}
	}
	byName(hits, func(ro *orgRole) string { return ro.name })
	out := rendered(w, r, hits, page, size, func(ro *orgRole) map[string]any {
		m := ro.json()
		scopes := []map[string]any{}
		for _, sid := range slices.Sorted(maps.Keys(ro.scopes)) {
			scopes = append(scopes, map[string]any{"id": sid, "name": e.orgScopes[sid].name})
		}
		m["scopes"], m["resourceScopes"] = scopes, []any{}
		return m
	})
	e.mu.Unlock()
	emulate.WriteJSON(w, http.StatusOK, out)
}

// getOrgRole answers the bare role; a missing one is 404 entity.not_found,
// not not_exists_with_id as for organizations (5.1.3, observed on Logto
// 1.37.1).
func (e *Emulator) getOrgRole(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ro, ok := e.orgRoles[id]
		if !ok {
			return errNotFound
		}
		return emulate.JSON(http.StatusOK, ro.json())
	}))
}

// patchOrgRole changes name, description or type; {} is 422
// entity.invalid_input, a taken name 422 entity.unique_integrity_violation,
// a missing role 404 entity.not_exists (5.1.3, observed on Logto 1.37.1).
// id and tenantId are ignored (Unpublished).
func (e *Emulator) patchOrgRole(w http.ResponseWriter, r *http.Request, id string) {
	f, ok := readPatch(w, r, roleFields(false))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ro, ok := e.orgRoles[id]
		switch {
		case !ok:
			return notExists("organization_role")
		case f["name"] != nil && e.roleNameTaken(f.str("name"), id):
			return errUnique
		}
		if f["name"] != nil {
			ro.name = f.str("name")
		}
		if _, ok := f["description"]; ok {
			ro.description = f.nullable("description")
		}
		if f["type"] != nil {
			ro.typ = f.str("type")
		}
		return emulate.JSON(http.StatusOK, ro.json())
	}))
}

// deleteOrgRole answers 204 and takes the role from every member who held
// it (5.1.3, 5.1.6, observed on Logto 1.37.1).
func (e *Emulator) deleteOrgRole(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if _, ok := e.orgRoles[id]; !ok {
			return errNotFound
		}
		delete(e.orgRoles, id)
		for _, m := range e.members {
			for _, held := range m {
				delete(held, id)
			}
		}
		return noContent
	}))
}

// memberRoleFields are the keys of a member's roles body: ids, names, or
// both (5.1.4, observed on Logto 1.37.1).
var memberRoleFields = []field{{key: "organizationRoleIds", kind: kStrings}, {key: "organizationRoleNames", kind: kStrings}}

// resolveRoles is the union of the ids and the roles named, repeats
// removed. A name no role has, compared case-sensitively, is 422
// organization.role_names_not_found; an id no role has is 422
// entity.relation_foreign_key_not_found; a MachineToMachine role is 422
// entity.db_constraint_violated (5.1.4, 5.1.8 rule 12, observed on Logto
// 1.37.1). The order of these checks, and how several unknown names are
// joined, are Unpublished. Callers hold e.mu.
func (e *Emulator) resolveRoles(ids, names []string) ([]string, emulate.Reply, bool) {
	var unknown []string
	for _, n := range names {
		found := false
		for _, ro := range e.orgRoles {
			if ro.name == n {
				ids, found = append(ids, ro.id), true
				break
			}
		}
		if !found {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, failure(http.StatusUnprocessableEntity, "organization.role_names_not_found",
			"Invalid role names detected: "+strings.Join(unknown, ", ")+". Please create these roles first before proceeding."), false
	}
	var out []string
	for _, rid := range ids {
		ro, ok := e.orgRoles[rid]
		if !ok {
			return nil, errForeignKey, false
		}
		if ro.typ != "User" {
			return nil, errConstraint, false
		}
		if !slices.Contains(out, rid) {
			out = append(out, rid)
		}
	}
	return out, emulate.Reply{}, true
}

// memberRoles runs fn on the roles a member holds in an organization;
// anyone else, a missing user or organization included, is 422
// organization.require_membership for every verb (5.1.4, observed on Logto
// 1.37.1). The body is checked before membership (Unpublished).
func (e *Emulator) memberRoles(w http.ResponseWriter, orgID, userID string, fn func(held map[string]bool) emulate.Reply) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		held := e.members[orgID][userID]
		if held == nil {
			return errMembership
		}
		return fn(held)
	}))
}

// addMemberRoles answers 201 "Created", also when the roles were held;
// neither ids nor names is 422 entity.invalid_input, not the guard's 400
// (5.1.4, 5.1.8 rule 6, observed on Logto 1.37.1).
func (e *Emulator) addMemberRoles(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, memberRoleFields)
	if !ok {
		return
	}
	e.memberRoles(w, id, r.PathValue("userId"), func(held map[string]bool) emulate.Reply {
		if len(f.strings("organizationRoleIds"))+len(f.strings("organizationRoleNames")) == 0 {
			return errEmptyPatch
		}
		ids, bad, ok := e.resolveRoles(f.strings("organizationRoleIds"), f.strings("organizationRoleNames"))
		if !ok {
			return bad
		}
		for _, rid := range ids {
			held[rid] = true
		}
		return created
	})
}

// replaceMemberRoles answers 204; repeats are dropped and [] or {} clears;
// a failed check leaves the roles as they were (5.1.4, 5.1.8 rule 8,
// observed on Logto 1.37.1).
func (e *Emulator) replaceMemberRoles(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, memberRoleFields)
	if !ok {
		return
	}
	e.memberRoles(w, id, r.PathValue("userId"), func(held map[string]bool) emulate.Reply {
		ids, bad, ok := e.resolveRoles(f.strings("organizationRoleIds"), f.strings("organizationRoleNames"))
		if !ok {
			return bad
		}
		clear(held)
		for _, rid := range ids {
			held[rid] = true
		}
		return noContent
	})
}

// listMemberRoles answers the member's roles by role id, paged only when
// asked, q ignored (5.1.4, observed on Logto 1.37.1).
func (e *Emulator) listMemberRoles(w http.ResponseWriter, r *http.Request, id string) {
	page, size, paged, ok := e.optionalPaging(w, r)
	if !ok {
		return
	}
	e.memberRoles(w, id, r.PathValue("userId"), func(held map[string]bool) emulate.Reply {
		all := []map[string]any{}
		for _, rid := range slices.Sorted(maps.Keys(held)) {
			all = append(all, e.orgRoles[rid].json())
		}
		return emulate.JSON(http.StatusOK, pageOf(w, r, all, page, size, paged))
	})
}

// removeMemberRole answers 204; a role the member does not hold is 404
// entity.not_found (5.1.4, observed on Logto 1.37.1).
func (e *Emulator) removeMemberRole(w http.ResponseWriter, r *http.Request, id string) {
	e.memberRoles(w, id, r.PathValue("userId"), func(held map[string]bool) emulate.Reply {
		rid := r.PathValue("roleId")
		if !held[rid] {
			return errNotFound
		}
		delete(held, rid)
		return noContent
	})
}

// assignRolesToMembers is the bulk POST: every user gets every role,
// 201 "Created". It takes ids only; a user who is not a member is 422
// entity.relation_foreign_key_not_found, not require_membership, and any
// fault changes nothing (5.1.4, 5.1.8 rule 11, observed on Logto 1.37.1).
func (e *Emulator) assignRolesToMembers(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, []field{
		{key: "userIds", kind: kStrings, min: 1, required: true},
		{key: "organizationRoleIds", kind: kStrings, min: 1, required: true},
	})
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		users := f.strings("userIds")
		for _, uid := range users {
			if e.members[id][uid] == nil {
				return errForeignKey
			}
		}
		ids, bad, ok := e.resolveRoles(f.strings("organizationRoleIds"), nil)
		if !ok {
			return bad
		}
		for _, uid := range users {
			for _, rid := range ids {
				e.members[id][uid][rid] = true
			}
		}
		return created
	}))
}

// scopeNameTaken reports whether a scope other than self has name,
// compared case-sensitively (5.1.5, observed on Logto 1.37.1). Callers
// hold e.mu.
func (e *Emulator) scopeNameTaken(name, self string) bool {
	for _, s := range e.orgScopes {
		if s.name == name && s.id != self {
			return true
		}
	}
	return false
}

// scopesExist reports whether every id is an organization scope. Callers
// hold e.mu.
func (e *Emulator) scopesExist(ids []string) bool {
	for _, sid := range ids {
		if _, ok := e.orgScopes[sid]; !ok {
			return false
		}
	}
	return true
}

// scopeFields are the keys of an organization scope body: a name of at
// least one character and nothing more asked of it (5.1.5, observed on
// Logto 1.37.1).
func scopeFields(create bool) []field {
	return []field{{key: "name", kind: kString, min: 1, max: 128, required: create}, {key: "description", kind: kNullable, max: 256}}
}

// createOrgScope answers 201 with the scope; a taken name is 422
// entity.unique_integrity_violation (5.1.5, observed on Logto 1.37.1).
func (e *Emulator) createOrgScope(w http.ResponseWriter, r *http.Request) {
	f, _, ok := readGuarded(w, r, scopeFields(true))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if e.scopeNameTaken(f.str("name"), "") {
			return errUnique
		}
		s := &orgScope{id: emulate.ID(emulate.Lower36, 21), name: f.str("name"), description: f.nullable("description")}
		e.orgScopes[s.id] = s
		return emulate.JSON(http.StatusCreated, s.json())
	}))
}

// listOrgScopes answers the scopes by name, filtered by q on the name
// only, paged only when asked (5.1.5, observed on Logto 1.37.1).
func (e *Emulator) listOrgScopes(w http.ResponseWriter, r *http.Request) {
	page, size, paged, ok := e.optionalPaging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query().Get("q")
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		var hits []*orgScope
		for _, s := range e.orgScopes {
			if like(q, s.name) {
				hits = append(hits, s)
			}
		}
		byName(hits, func(s *orgScope) string { return s.name })
		all := make([]map[string]any, 0, len(hits))
		for _, s := range hits {
			all = append(all, s.json())
		}
		return emulate.JSON(http.StatusOK, pageOf(w, r, all, page, size, paged))
	}))
}

func (e *Emulator) getOrgScope(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		s, ok := e.orgScopes[id]
		if !ok {
			return notExistsWithID("organization_scopes", id)
		}
		return emulate.JSON(http.StatusOK, s.json())
	}))
}

// patchOrgScope changes name or description; {} is 422
// entity.invalid_input, a taken name 422 entity.unique_integrity_violation,
// a missing scope 404 entity.not_exists (5.1.5, observed on Logto 1.37.1).
func (e *Emulator) patchOrgScope(w http.ResponseWriter, r *http.Request, id string) {
	f, ok := readPatch(w, r, scopeFields(false))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		s, ok := e.orgScopes[id]
		switch {
		case !ok:
			return notExists("organization_scope")
		case f["name"] != nil && e.scopeNameTaken(f.str("name"), id):
			return errUnique
		}
		if f["name"] != nil {
			s.name = f.str("name")
		}
		if _, ok := f["description"]; ok {
			s.description = f.nullable("description")
		}
		return emulate.JSON(http.StatusOK, s.json())
	}))
}

// deleteOrgScope answers 204 and takes the scope from every role, and so
// from every member's scopes (5.1.5, 5.1.6, observed on Logto 1.37.1).
func (e *Emulator) deleteOrgScope(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if _, ok := e.orgScopes[id]; !ok {
			return errNotFound
		}
		delete(e.orgScopes, id)
		for _, ro := range e.orgRoles {
			delete(ro.scopes, id)
		}
		return noContent
	}))
}

// scopeList is the scopes of ids, by scope id: the order the server was
// seen to give role scopes and member scopes, though it sets none (5.1.8
// rule 14, observed on Logto 1.37.1). Callers hold e.mu.
func (e *Emulator) scopeList(ids map[string]bool) []map[string]any {
	out := []map[string]any{}
	for _, sid := range slices.Sorted(maps.Keys(ids)) {
		out = append(out, e.orgScopes[sid].json())
	}
	return out
}

func scopeIDsField(min int) []field {
	return []field{{key: "organizationScopeIds", kind: kStrings, min: min, required: true}}
}

// addRoleScopes answers 201 "Created", also for scopes already there; a
// missing role or scope is 422 entity.relation_foreign_key_not_found and
// [] the guard's 400 too_small (5.1.5, observed on Logto 1.37.1).
func (e *Emulator) addRoleScopes(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, scopeIDsField(1))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ro, ok := e.orgRoles[id]
		ids := f.strings("organizationScopeIds")
		if !ok || !e.scopesExist(ids) {
			return errForeignKey
		}
		for _, sid := range ids {
			ro.scopes[sid] = true
		}
		return created
	}))
}

// replaceRoleScopes answers 204; [] clears, and is 204 even for a missing
// role; a missing scope is 422 entity.relation_foreign_key_not_found, a
// repeated id 422 entity.unique_integrity_violation, both leaving the
// scopes as they were (5.1.5, observed on Logto 1.37.1). A missing role
// with scopes listed is the foreign-key 422, as for members (Unpublished).
func (e *Emulator) replaceRoleScopes(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, scopeIDsField(0))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ro, ok := e.orgRoles[id]
		ids := f.strings("organizationScopeIds")
		switch {
		case len(ids) == 0:
			if ok {
				clear(ro.scopes)
			}
			return noContent
		case !ok || !e.scopesExist(ids):
			return errForeignKey
		case hasRepeat(ids):
			return errUnique
		}
		clear(ro.scopes)
		for _, sid := range ids {
			ro.scopes[sid] = true
		}
		return noContent
	}))
}

// listRoleScopes answers the role's scopes, paged only when asked; a
// missing role is 404 entity.not_found (5.1.5, observed on Logto 1.37.1).
func (e *Emulator) listRoleScopes(w http.ResponseWriter, r *http.Request, id string) {
	page, size, paged, ok := e.optionalPaging(w, r)
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ro, ok := e.orgRoles[id]
		if !ok {
			return errNotFound
		}
		return emulate.JSON(http.StatusOK, pageOf(w, r, e.scopeList(ro.scopes), page, size, paged))
	}))
}

// removeRoleScope answers 204; a scope the role lacks, or a missing role,
// is 404 entity.not_found (5.1.5, observed on Logto 1.37.1).
func (e *Emulator) removeRoleScope(w http.ResponseWriter, id, scopeID string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ro, ok := e.orgRoles[id]
		if !ok || !ro.scopes[scopeID] {
			return errNotFound
		}
		delete(ro.scopes, scopeID)
		return noContent
	}))
}

// memberScopes answers the union of the scopes of the member's roles in
// the organization, unpaged; for anyone who is not a member it is 200 [],
// with no membership check (5.1.5, 5.1.8 rule 11, observed on Logto
// 1.37.1).
func (e *Emulator) memberScopes(w http.ResponseWriter, id, userID string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ids := map[string]bool{}
		for rid := range e.members[id][userID] {
			maps.Copy(ids, e.orgRoles[rid].scopes)
		}
		return emulate.JSON(http.StatusOK, e.scopeList(ids))
	}))
}

// orgRoleRoutes adds the organization role, member role and scope
// endpoints to the route table.
func (e *Emulator) orgRoleRoutes(api func(string, func(http.ResponseWriter, *http.Request, string))) {
	api("POST /api/organization-roles", func(w http.ResponseWriter, r *http.Request, _ string) { e.createOrgRole(w, r) })
	api("GET /api/organization-roles", func(w http.ResponseWriter, r *http.Request, _ string) { e.listOrgRoles(w, r) })
	api("GET /api/organization-roles/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.getOrgRole(w, id) })
	api("PATCH /api/organization-roles/{id}", e.patchOrgRole)
	api("DELETE /api/organization-roles/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.deleteOrgRole(w, id) })
	api("GET /api/organization-roles/{id}/scopes", e.listRoleScopes)
	api("POST /api/organization-roles/{id}/scopes", e.addRoleScopes)
	api("PUT /api/organization-roles/{id}/scopes", e.replaceRoleScopes)
	api("DELETE /api/organization-roles/{id}/scopes/{scopeId}", func(w http.ResponseWriter, r *http.Request, id string) {
		e.removeRoleScope(w, id, r.PathValue("scopeId"))
	})
	api("POST /api/organization-scopes", func(w http.ResponseWriter, r *http.Request, _ string) { e.createOrgScope(w, r) })
	api("GET /api/organization-scopes", func(w http.ResponseWriter, r *http.Request, _ string) { e.listOrgScopes(w, r) })
	api("GET /api/organization-scopes/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.getOrgScope(w, id) })
	api("PATCH /api/organization-scopes/{id}", e.patchOrgScope)
	api("DELETE /api/organization-scopes/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.deleteOrgScope(w, id) })
	api("GET /api/organizations/{id}/users/{userId}/roles", e.listMemberRoles)
	api("POST /api/organizations/{id}/users/{userId}/roles", e.addMemberRoles)
	api("PUT /api/organizations/{id}/users/{userId}/roles", e.replaceMemberRoles)
	api("DELETE /api/organizations/{id}/users/{userId}/roles/{roleId}", e.removeMemberRole)
	api("POST /api/organizations/{id}/users/roles", e.assignRolesToMembers)
	api("GET /api/organizations/{id}/users/{userId}/scopes", func(w http.ResponseWriter, r *http.Request, id string) {
		e.memberScopes(w, id, r.PathValue("userId"))
	})
}
