package oktatest

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idport/identity/internal/emulate"
)

// Group types the emulator has: groups made through the API, and the
// built-in Everyone group.
const (
	oktaGroup = "OKTA_GROUP"
	builtIn   = "BUILT_IN"
)

type group struct {
	seq                   int64
	id                    string
	typ                   string
	created               time.Time
	lastUpdated           time.Time
	lastMembershipUpdated time.Time
	profile               map[string]any // name, description and any custom properties
	members               map[string]bool
}

func (g *group) name() string { s, _ := g.profile["name"].(string); return s }

// isMember reports membership; every user is in Everyone. Callers hold
// e.mu.
func (e *Emulator) isMember(g *group, uid string) bool {
	return g.id == e.everyone || g.members[uid]
}

func (e *Emulator) groupJSON(g *group, origin string) map[string]any {
	self := origin + "/api/v1/groups/" + g.id
	logo := "https://op1static.oktacdn.com/assets/img/logos/groups/okta-"
	return map[string]any{
		"id": g.id, "created": stamp(g.created), "lastUpdated": stamp(g.lastUpdated),
		"lastMembershipUpdated": stamp(g.lastMembershipUpdated), "objectClass": []string{"okta:user_group"},
		"type": g.typ, "profile": g.profile,
		"_links": map[string]any{
			"logo": []map[string]string{
				{"name": "medium", "href": logo + "medium.png", "type": "image/png"},
				{"name": "large", "href": logo + "large.png", "type": "image/png"},
			},
			"users": map[string]string{"href": self + "/users"},
			"apps":  map[string]string{"href": self + "/apps"},
		},
	}
}

// groupAttr is the getter filter and search evaluate against.
func groupAttr(g *group) func(string) []string {
	return func(attr string) []string {
		switch attr {
		case "id":
			return []string{g.id}
		case "type":
			return []string{g.typ}
		case "created":
			return []string{stamp(g.created)}
		case "lastUpdated":
			return []string{stamp(g.lastUpdated)}
		case "lastMembershipUpdated":
			return []string{stamp(g.lastMembershipUpdated)}
		}
		if name, isProfile := strings.CutPrefix(attr, "profile."); isProfile {
			return values(g.profile[name])
		}
		return nil
	}
}

// checkGroupProfile validates a group profile: a name of 1 to 255
// characters, unique ignoring case across all groups, and a description
// of at most 1024 (the limits Okta Workflows documents for groups).
// A taken name is 400 E0000001 with the cause Okta gives for a taken
// login (Unpublished: Okta refuses duplicate group names, but the body is
// not documented). Callers hold e.mu.
func (e *Emulator) checkGroupProfile(p map[string]any, self string) []string {
	var causes []string
	name, isStr := p["name"].(string)
	switch {
	case p["name"] != nil && !isStr:
		causes = append(causes, "name: Property value is not a valid type")
	case strings.TrimSpace(name) == "":
		causes = append(causes, "name: The field cannot be left blank")
	case utf8.RuneCountInString(name) > 255:
		causes = append(causes, "name: The field cannot be longer than 255 characters")
	default:
		for _, g := range e.groups {
			if g.id != self && strings.EqualFold(g.name(), name) {
				causes = append(causes, "name: An object with this field already exists in the current organization")
				break
			}
		}
	}
	if d, present := p["description"]; present && d != nil {
		if s, isStr := d.(string); !isStr {
			causes = append(causes, "description: Property value is not a valid type")
		} else if utf8.RuneCountInString(s) > 1024 {
			causes = append(causes, "description: The field cannot be longer than 1024 characters")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if k == "name" || k == "description" {
			continue
		}
		if !attrNameRE.MatchString(k) {
			causes = append(causes, k+": Property name is not valid")
		} else if !customValue(p[k]) {
			causes = append(causes, k+": Property value is not a valid type")
		}
	}
	return causes
}

// readGroupBody reads {profile: {...}} into a profile without nulls.
func readGroupBody(r *http.Request) (map[string]any, reply, bool) {
	var b struct {
		Profile json.RawMessage `json:"profile"`
	}
	if rp, good := readBody(r, &b); !good {
		return nil, rp, false
	}
	p, good := parseProfile(b.Profile)
	if !good {
		return nil, malformed(), false
	}
	for k, v := range p {
		if v == nil {
			delete(p, k)
		}
	}
	return p, reply{}, true
}

func (e *Emulator) createGroup(r *http.Request, _ []string) reply {
	p, rp, good := readGroupBody(r)
	if !good {
		return rp
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if causes := e.checkGroupProfile(p, ""); len(causes) > 0 {
		return profileFailure(causes)
	}
	now := e.opts.Now()
	e.seq++
	g := &group{
		seq: e.seq, id: "00g" + emulate.ID(emulate.Base62, 17), typ: oktaGroup,
		created: now, lastUpdated: now, lastMembershipUpdated: now, profile: p, members: map[string]bool{},
	}
	e.groups[g.id] = g
	return ok(e.groupJSON(g, requestOrigin(r)))
}

// withGroup runs fn on the group with id under the lock, or answers 404
// "(UserGroup)". With writable, the BUILT_IN group is 403 E0000006
// (Unpublished): its profile and members are Okta's to manage.
func (e *Emulator) withGroup(id string, writable bool, fn func(*group) reply) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, found := e.groups[id]
	if !found {
		return notFound(id, "UserGroup")
	}
	if writable && g.typ != oktaGroup {
		return forbidden()
	}
	return fn(g)
}

func (e *Emulator) getGroup(r *http.Request, p []string) reply {
	return e.withGroup(p[0], false, func(g *group) reply { return ok(e.groupJSON(g, requestOrigin(r))) })
}

// replaceGroup replaces the profile of an OKTA_GROUP.
func (e *Emulator) replaceGroup(r *http.Request, p []string) reply {
	prof, rp, good := readGroupBody(r)
	if !good {
		return rp
	}
	return e.withGroup(p[0], true, func(g *group) reply {
		if causes := e.checkGroupProfile(prof, g.id); len(causes) > 0 {
			return profileFailure(causes)
		}
		g.profile, g.lastUpdated = prof, e.opts.Now()
		return ok(e.groupJSON(g, requestOrigin(r)))
	})
}

func (e *Emulator) deleteGroup(_ *http.Request, p []string) reply {
	return e.withGroup(p[0], true, func(g *group) reply {
		delete(e.groups, g.id)
		return noContent()
	})
}

// listGroups pages groups in creation order (Everyone first). q is a
// prefix of the name, ignoring case; filter and search take the
// attributes of groupFilterAllowed and groupSearchAllowed. The default and
// maximum limit is 10,000.
func (e *Emulator) listGroups(r *http.Request, _ []string) reply {
	q := r.URL.Query()
	limit, rp, good := readLimit(q, 10000, 10000)
	if !good {
		return rp
	}
	var conds []expr
	for _, f := range []struct {
		param   string
		allowed func(string, string) bool
		fold    bool
	}{{"filter", groupFilterAllowed, false}, {"search", groupSearchAllowed, true}} {
		if s := q.Get(f.param); s != "" {
			x, err := parse(s, f.allowed, f.fold)
			if err != nil {
				return badSearch()
			}
			conds = append(conds, x)
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	e.mu.Lock()
	defer e.mu.Unlock()
	var items []item
	for _, g := range e.groups {
		if prefix != "" && !strings.HasPrefix(strings.ToLower(g.name()), prefix) {
			continue
		}
		hit := true
		for _, c := range conds {
			hit = hit && c.eval(groupAttr(g))
		}
		if hit {
			items = append(items, item{seq: g.seq, obj: g})
		}
	}
	lo, hi, next, rp, good := e.paginate(items, false, q.Get("after"), limit)
	if !good {
		return rp
	}
	out := make([]map[string]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		out = append(out, e.groupJSON(it.obj.(*group), requestOrigin(r)))
	}
	rp = ok(out)
	rp.Header = pageLinks(r, limit, next)
	return rp
}

// listGroupUsers pages a group's members in creation order, deactivated
// ones included (Unpublished); default and maximum limit 1,000.
func (e *Emulator) listGroupUsers(r *http.Request, p []string) reply {
	q := r.URL.Query()
	limit, rp, good := readLimit(q, 1000, 1000)
	if !good {
		return rp
	}
	return e.withGroup(p[0], false, func(g *group) reply {
		var items []item
		for _, u := range e.users {
			if e.isMember(g, u.id) {
				items = append(items, item{seq: u.seq, obj: u})
			}
		}
		lo, hi, next, rp, good := e.paginate(items, false, q.Get("after"), limit)
		if !good {
			return rp
		}
		out := make([]map[string]any, 0, hi-lo)
		for _, it := range items[lo:hi] {
			out = append(out, e.userJSON(it.obj.(*user), requestOrigin(r), false))
		}
		rp = ok(out)
		rp.Header = pageLinks(r, limit, next)
		return rp
	})
}

// addMember and removeMember change an OKTA_GROUP's members; both are
// idempotent and answer 204.
func (e *Emulator) addMember(_ *http.Request, p []string) reply { return e.membership(p, true) }

func (e *Emulator) removeMember(_ *http.Request, p []string) reply { return e.membership(p, false) }

func (e *Emulator) membership(p []string, add bool) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, found := e.groups[p[0]]
	if !found {
		return notFound(p[0], "UserGroup")
	}
	u := e.findUser(p[1])
	if u == nil {
		return notFound(p[1], "User")
	}
	if g.typ != oktaGroup {
		return forbidden()
	}
	if g.members[u.id] != add {
		if add {
			g.members[u.id] = true
		} else {
			delete(g.members, u.id)
		}
		g.lastMembershipUpdated = e.opts.Now()
	}
	return noContent()
}

// listUserGroups lists every group the user is in, Everyone included, in
// creation order; it does not paginate.
func (e *Emulator) listUserGroups(r *http.Request, p []string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(p[0])
	if u == nil {
		return notFound(p[0], "User")
	}
	var gs []*group
	for _, g := range e.groups {
		if e.isMember(g, u.id) {
			gs = append(gs, g)
		}
	}
	slices.SortFunc(gs, func(a, b *group) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, e.groupJSON(g, requestOrigin(r)))
	}
	return ok(out)
}
