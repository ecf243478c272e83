package logtotest

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/idport/identity/internal/emulate"
)

// organization is an organization as Logto stores it (5.1.1, observed on
// Logto 1.37.1).
type organization struct {
	id          string
	name        string
	description *string
	customData  map[string]any
	mfaRequired bool
	color       map[string]any
	branding    map[string]any
	customCSS   *string
	// createdAt is a number PATCH may set to anything (5.1.1, observed).
	createdAt float64
}

func (o *organization) json() map[string]any {
	return map[string]any{
		"tenantId": "default", "id": o.id, "name": o.name, "description": o.description,
		"customData": orEmpty(o.customData), "isMfaRequired": o.mfaRequired, "color": orEmpty(o.color),
		"branding": orEmpty(o.branding), "customCss": o.customCSS, "createdAt": o.createdAt,
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// like is the q filter of the organization lists: ILIKE '%q%' with no
// escaping, so _ and % stay wildcards, and an empty q keeps everything
// (5.1.0, observed on Logto 1.37.1).
func like(q string, values ...string) bool {
	if q == "" {
		return true
	}
	return slices.ContainsFunc(values, func(v string) bool { return emulate.Like("%"+q+"%", v, false) })
}

// orgFields are the keys of an organization body; POST requires name.
// On create id, createdAt and tenantId are ignored, on PATCH id and
// createdAt are written (5.1.1 and 5.1.8 rule 4, observed on Logto
// 1.37.1); tenantId is ignored on PATCH too (Unpublished).
func orgFields(create bool) []field {
	specs := []field{
		{key: "name", kind: kString, min: 1, max: 128, required: create},
		{key: "description", kind: kNullable, max: 256},
		{key: "customData", kind: kObject},
		{key: "isMfaRequired", kind: kBool},
		{key: "color", kind: kObject},
		{key: "branding", kind: kObject},
		{key: "customCss", kind: kNullable},
	}
	if create {
		return specs
	}
	return append([]field{{key: "id", kind: kString, min: 1, max: 21}}, append(specs, field{key: "createdAt", kind: kNumber})...)
}

// apply writes the accepted fields onto o; customData, color and branding
// are replaced whole, not merged (5.1.1, observed on Logto 1.37.1).
func (o *organization) apply(f fields) {
	if v, ok := f["name"]; ok {
		o.name = v.(string)
	}
	if _, ok := f["description"]; ok {
		o.description = f.nullable("description")
	}
	if _, ok := f["customCss"]; ok {
		o.customCSS = f.nullable("customCss")
	}
	for key, dst := range map[string]*map[string]any{"customData": &o.customData, "color": &o.color, "branding": &o.branding} {
		if m := f.object(key); m != nil {
			*dst = m
		}
	}
	if v, ok := f["isMfaRequired"]; ok {
		o.mfaRequired = v.(bool)
	}
	if v, ok := f["createdAt"]; ok {
		o.createdAt = v.(float64)
	}
}

// createOrganization answers 201 with the organization; names need not be
// unique (5.1.1, observed on Logto 1.37.1).
func (e *Emulator) createOrganization(w http.ResponseWriter, r *http.Request) {
	f, _, ok := readGuarded(w, r, orgFields(true))
	if !ok {
		return
	}
	o := &organization{id: emulate.ID(emulate.Lower36, 12), createdAt: float64(ms(e.opts.Now()))}
	o.apply(f)
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		e.orgs[o.id] = o
		return emulate.JSON(http.StatusCreated, o.json())
	}))
}

func (e *Emulator) getOrganization(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		o, ok := e.orgs[id]
		if !ok {
			return notExistsWithID("organizations", id)
		}
		return emulate.JSON(http.StatusOK, o.json())
	}))
}

// listOrganizations answers the organizations by id ascending, filtered by
// q on name and id (not the description), paged; showFeatured=true adds
// usersCount and up to three featuredUsers (5.1.1, observed on Logto
// 1.37.1). Which three users are featured is Unpublished: the first by id.
func (e *Emulator) listOrganizations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size, ok := e.pagination(w, q)
	if !ok {
		return
	}
	e.mu.Lock()
	var hits []*organization
	for _, o := range e.orgs {
		if like(q.Get("q"), o.name, o.id) {
			hits = append(hits, o)
		}
	}
	slices.SortFunc(hits, func(a, b *organization) int { return strings.Compare(a.id, b.id) })
	out := rendered(w, r, hits, page, size, func(o *organization) map[string]any {
		m := o.json()
		if q.Get("showFeatured") == "true" {
			ids := slices.Sorted(maps.Keys(e.members[o.id]))
			featured := []map[string]any{}
			for _, uid := range ids[:min(len(ids), 3)] {
				featured = append(featured, map[string]any{"id": uid, "avatar": nil, "name": e.users[uid].json()["name"]})
			}
			m["usersCount"], m["featuredUsers"] = len(ids), featured
		}
		return m
	})
	e.mu.Unlock()
	emulate.WriteJSON(w, http.StatusOK, out)
}

// patchOrganization changes only the fields sent. The body is checked
// before the organization is looked up (5.1.8 rule 20); {} is 422
// entity.invalid_input and a missing organization 404 entity.not_exists
// (5.1.1, observed on Logto 1.37.1). An empty body is refused before the
// lookup, and an id another organization holds is 422
// entity.unique_integrity_violation (both Unpublished). Memberships follow
// a changed id, as the relation's foreign key cascades on update
// (Unpublished).
func (e *Emulator) patchOrganization(w http.ResponseWriter, r *http.Request, id string) {
	f, ok := readPatch(w, r, orgFields(false))
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		o, ok := e.orgs[id]
		if !ok {
			return notExists("organization")
		}
		next := f.str("id")
		if _, taken := e.orgs[next]; next != "" && next != id && taken {
			return errUnique
		}
		o.apply(f)
		if next != "" && next != id {
			delete(e.orgs, id)
			o.id = next
			e.orgs[next] = o
			if m, ok := e.members[id]; ok {
				delete(e.members, id)
				e.members[next] = m
			}
		}
		return emulate.JSON(http.StatusOK, o.json())
	}))
}

// deleteOrganization answers 204, and 404 entity.not_found once gone; the
// organization's memberships and their roles go with it, its roles stay
// (5.1.1, 5.1.6, observed on Logto 1.37.1).
func (e *Emulator) deleteOrganization(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if _, ok := e.orgs[id]; !ok {
			return errNotFound
		}
		delete(e.orgs, id)
		delete(e.members, id)
		return noContent
	}))
}

// member is a user as the member list shows it: without hasPassword, with
// the user's roles in the organization (5.1.2, observed on Logto 1.37.1).
// Callers hold e.mu.
func (e *Emulator) member(u *user, orgID string) map[string]any {
	m := u.json()
	delete(m, "hasPassword")
	m["organizationRoles"] = e.roleRefs(e.members[orgID][u.id])
	return m
}

// roleRefs is the {id, name} of each role in held, by role id (5.1.8 rule
// 14: observed by role id). Callers hold e.mu.
func (e *Emulator) roleRefs(held map[string]bool) []map[string]any {
	out := []map[string]any{}
	for _, rid := range slices.Sorted(maps.Keys(held)) {
		out = append(out, map[string]any{"id": rid, "name": e.orgRoles[rid].name})
	}
	return out
}

// listMembers answers an organization's members by user id, filtered by q
// on id, primaryEmail, primaryPhone, username and name, paged; a missing
// organization has no members, 200 [] (5.1.2, observed on Logto 1.37.1).
func (e *Emulator) listMembers(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	page, size, ok := e.pagination(w, q)
	if !ok {
		return
	}
	e.mu.Lock()
	var hits []*user
	for uid := range e.members[id] {
		u := e.users[uid]
		if like(q.Get("q"), u.id, u.email, u.phone, u.username, u.name) {
			hits = append(hits, u)
		}
	}
	slices.SortFunc(hits, func(a, b *user) int { return strings.Compare(a.id, b.id) })
	out := rendered(w, r, hits, page, size, func(u *user) map[string]any {
		return e.member(u, id)
	})
	e.mu.Unlock()
	emulate.WriteJSON(w, http.StatusOK, out)
}

// usersExist reports whether the organization and every user exist: what
// the relation's foreign keys check. Callers hold e.mu.
func (e *Emulator) usersExist(orgID string, ids []string) bool {
	if _, ok := e.orgs[orgID]; !ok {
		return false
	}
	for _, uid := range ids {
		if _, ok := e.users[uid]; !ok {
			return false
		}
	}
	return true
}

// addMembers answers 201 "Created"; members already there keep their
// roles, a repeated id is added once, and one missing user or a missing
// organization is 422 entity.relation_foreign_key_not_found with nobody
// added (5.1.2, 5.1.6, observed on Logto 1.37.1).
func (e *Emulator) addMembers(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, []field{{key: "userIds", kind: kStrings, min: 1, required: true}})
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ids := f.strings("userIds")
		if !e.usersExist(id, ids) {
			return errForeignKey
		}
		if e.members[id] == nil {
			e.members[id] = map[string]map[string]bool{}
		}
		for _, uid := range ids {
			if e.members[id][uid] == nil {
				e.members[id][uid] = map[string]bool{}
			}
		}
		return created
	}))
}

// replaceMembers answers 204 and resets every member's roles, those who
// stay included, since Logto deletes the memberships and inserts them
// again; [] clears, even for a missing organization; a missing user or
// organization is 422 entity.relation_foreign_key_not_found and a repeated
// id 422 entity.unique_integrity_violation, both leaving the members as
// they were (5.1.2, 5.1.6, 5.1.8 rule 1, observed on Logto 1.37.1). With
// both faults in one body the foreign key is reported (Unpublished).
func (e *Emulator) replaceMembers(w http.ResponseWriter, r *http.Request, id string) {
	f, _, ok := readGuarded(w, r, []field{{key: "userIds", kind: kStrings, required: true}})
	if !ok {
		return
	}
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		ids := f.strings("userIds")
		switch {
		case len(ids) == 0:
			delete(e.members, id)
			return noContent
		case !e.usersExist(id, ids):
			return errForeignKey
		case hasRepeat(ids):
			return errUnique
		}
		set := map[string]map[string]bool{}
		for _, uid := range ids {
			set[uid] = map[string]bool{}
		}
		e.members[id] = set
		return noContent
	}))
}

func hasRepeat(ids []string) bool {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

// removeMember answers 204, its roles in the organization going with the
// membership; a user who is not a member, or a missing user or
// organization, is 404 entity.not_found (5.1.2, 5.1.6, observed on Logto
// 1.37.1).
func (e *Emulator) removeMember(w http.ResponseWriter, id, userID string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if e.members[id][userID] == nil {
			return errNotFound
		}
		delete(e.members[id], userID)
		return noContent
	}))
}

// userOrganizations answers the user's organizations by id, each with the
// user's roles in it, unpaged; a missing user is 404 entity.not_found
// (5.1.2, observed on Logto 1.37.1).
func (e *Emulator) userOrganizations(w http.ResponseWriter, id string) {
	send(w, emulate.Locked(&e.mu, func() emulate.Reply {
		if _, ok := e.users[id]; !ok {
			return errNotFound
		}
		out := []map[string]any{}
		for _, oid := range slices.Sorted(maps.Keys(e.members)) {
			if held := e.members[oid][id]; held != nil {
				m := e.orgs[oid].json()
				m["organizationRoles"] = e.roleRefs(held)
				out = append(out, m)
			}
		}
		return emulate.JSON(http.StatusOK, out)
	}))
}

// dropMemberships removes a deleted user from every organization, with
// its roles there (5.1.6, observed on Logto 1.37.1). Callers hold e.mu.
func (e *Emulator) dropMemberships(userID string) {
	for _, m := range e.members {
		delete(m, userID)
	}
}

// OrganizationCount returns how many organizations exist.
func (e *Emulator) OrganizationCount() int {
	return emulate.Locked(&e.mu, func() int { return len(e.orgs) })
}

// Members returns the ids of an organization's members, sorted; none for
// a missing organization.
func (e *Emulator) Members(orgID string) []string {
	return emulate.Locked(&e.mu, func() []string { return slices.Sorted(maps.Keys(e.members[orgID])) })
}

// organizationRoutes adds the organization endpoints to the route table.
func (e *Emulator) organizationRoutes(api func(string, func(http.ResponseWriter, *http.Request, string))) {
	api("POST /api/organizations", func(w http.ResponseWriter, r *http.Request, _ string) { e.createOrganization(w, r) })
	api("GET /api/organizations", func(w http.ResponseWriter, r *http.Request, _ string) { e.listOrganizations(w, r) })
	api("GET /api/organizations/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.getOrganization(w, id) })
	api("PATCH /api/organizations/{id}", e.patchOrganization)
	api("DELETE /api/organizations/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.deleteOrganization(w, id) })
	api("GET /api/organizations/{id}/users", e.listMembers)
	api("POST /api/organizations/{id}/users", e.addMembers)
	api("PUT /api/organizations/{id}/users", e.replaceMembers)
	api("DELETE /api/organizations/{id}/users/{userId}", func(w http.ResponseWriter, r *http.Request, id string) {
		e.removeMember(w, id, r.PathValue("userId"))
	})
	api("GET /api/users/{id}/organizations", func(w http.ResponseWriter, _ *http.Request, id string) { e.userOrganizations(w, id) })
}
