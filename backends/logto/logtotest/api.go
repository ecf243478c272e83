package logtotest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

type user struct {
	seq        int64
	id         string
	username   string
	email      string
	phone      string
	name       string
	customData map[string]any
	profile    map[string]any
	created    time.Time
	updated    time.Time
	suspended  bool
	pwSalt     []byte
	pwHash     []byte // nil: no password
	roles      map[string]bool
}

type role struct {
	seq         int64
	id          string
	name        string
	description string
	typ         string
}

// fail writes Logto's error body, {code, message, details?}.
func fail(w http.ResponseWriter, status int, code, msg string, details ...string) {
	b := map[string]any{"code": code, "message": msg}
	if len(details) > 0 {
		b["details"] = strings.Join(details, "\n")
	}
	emulate.WriteJSON(w, status, b)
}

func invalidInput(w http.ResponseWriter, details ...string) {
	fail(w, http.StatusBadRequest, "guard.invalid_input", "The request body is invalid.", details...)
}

func userNotFound(w http.ResponseWriter) {
	fail(w, http.StatusNotFound, "entity.not_found", "The resource does not exist.")
}

func roleNotFound(w http.ResponseWriter, id string) {
	fail(w, http.StatusNotFound, "entity.not_exists_with_id", fmt.Sprintf("The roles with ID `%s` does not exist.", id))
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func (u *user) json() map[string]any {
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	cd := u.customData
	if cd == nil {
		cd = map[string]any{}
	}
	pr := u.profile
	if pr == nil {
		pr = map[string]any{}
	}
	return map[string]any{
		"id": u.id, "username": null(u.username), "primaryEmail": null(u.email), "primaryPhone": null(u.phone),
		"name": null(u.name), "avatar": nil, "customData": cd, "identities": map[string]any{},
		"lastSignInAt": nil, "createdAt": ms(u.created), "updatedAt": ms(u.updated), "profile": pr,
		"applicationId": nil, "isSuspended": u.suspended, "hasPassword": u.pwHash != nil,
	}
}

func (r *role) json() map[string]any {
	return map[string]any{"tenantId": "default", "id": r.id, "name": r.name, "description": r.description, "type": r.typ, "isDefault": false}
}

// The identifier formats Logto's guards check (@logto/core-kit regex.ts).
var (
	usernameRE = regexp.MustCompile(`^[A-Z_a-z]\w*$`)
	emailRE    = regexp.MustCompile(`^\S+@\S+\.\S+$`)
	phoneRE    = regexp.MustCompile(`^\d+$`)
)

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oidc/token" {
		e.token(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/")
	if !ok {
		fail(w, http.StatusNotFound, "guard.invalid_input", "Not found.")
		return
	}
	if !e.authorize(w, r) {
		return
	}
	p := strings.Split(rest, "/")
	for i, s := range p {
		u, err := url.PathUnescape(s)
		if err != nil {
			invalidInput(w, "malformed path")
			return
		}
		p[i] = u
	}
	m := r.Method
	route := func(method string, parts ...string) bool {
		if m != method || len(p) != len(parts) {
			return false
		}
		for i, s := range parts {
			if s != "*" && s != p[i] {
				return false
			}
		}
		return true
	}
	switch {
	case route("GET", "users"):
		e.listUsers(w, r)
	case route("POST", "users"):
		e.createUser(w, r)
	case route("GET", "users", "*"):
		e.withUser(w, p[1], func(u *user) { emulate.WriteJSON(w, 200, u.json()) })
	case route("PATCH", "users", "*"):
		e.patchUser(w, r, p[1])
	case route("DELETE", "users", "*"):
		e.deleteUser(w, p[1])
	case route("GET", "users", "*", "custom-data"):
		e.withUser(w, p[1], func(u *user) { emulate.WriteJSON(w, 200, u.json()["customData"]) })
	case route("PATCH", "users", "*", "custom-data"):
		e.patchJSONB(w, r, p[1], "customData")
	case route("PATCH", "users", "*", "profile"):
		e.patchJSONB(w, r, p[1], "profile")
	case route("PATCH", "users", "*", "password"):
		e.setPassword(w, r, p[1])
	case route("POST", "users", "*", "password", "verify"):
		e.verifyPassword(w, r, p[1])
	case route("GET", "users", "*", "has-password"):
		e.withUser(w, p[1], func(u *user) { emulate.WriteJSON(w, 200, map[string]bool{"hasPassword": u.pwHash != nil}) })
	case route("PATCH", "users", "*", "is-suspended"):
		e.suspend(w, r, p[1])
	case route("GET", "users", "*", "roles"):
		e.listUserRoles(w, r, p[1])
	case route("POST", "users", "*", "roles"):
		e.assignRoles(w, r, p[1])
	case route("DELETE", "users", "*", "roles", "*"):
		e.revokeRole(w, p[1], p[3])
	case route("GET", "roles"):
		e.listRoles(w, r)
	case route("POST", "roles"):
		e.createRole(w, r)
	case route("GET", "roles", "*"):
		e.mu.Lock()
		ro, ok := e.roles[p[1]]
		var out map[string]any
		if ok {
			out = ro.json()
		}
		e.mu.Unlock()
		if !ok {
			roleNotFound(w, p[1])
			return
		}
		emulate.WriteJSON(w, 200, out)
	case route("DELETE", "roles", "*"):
		e.deleteRole(w, p[1])
	default:
		fail(w, http.StatusNotFound, "guard.invalid_input", "Not found.")
	}
}

// withUser runs fn on the user under the lock, or answers 404.
func (e *Emulator) withUser(w http.ResponseWriter, id string, fn func(*user)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[id]
	if !ok {
		userNotFound(w)
		return
	}
	fn(u)
}

// identifiers are the nullable string fields of create and update.
type identifiers struct {
	set      map[string]bool
	username string
	email    string
	phone    string
	name     string
}

// readIdentifiers reads username, primaryEmail, primaryPhone and name from
// a body: a string sets, null or "" clears (only when nullable).
func readIdentifiers(body map[string]json.RawMessage, nullable bool) (identifiers, string) {
	id := identifiers{set: map[string]bool{}}
	for _, f := range []struct {
		key string
		dst *string
		re  *regexp.Regexp
	}{{"username", &id.username, usernameRE}, {"primaryEmail", &id.email, emailRE}, {"primaryPhone", &id.phone, phoneRE}, {"name", &id.name, nil}} {
		raw, ok := body[f.key]
		if !ok {
			continue
		}
		if string(raw) == "null" {
			if !nullable {
				return id, fmt.Sprintf(`Error in key path "%s": (invalid_type) Expected string, received null`, f.key)
			}
			id.set[f.key] = true
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return id, fmt.Sprintf(`Error in key path "%s": (invalid_type) Expected string`, f.key)
		}
		if s != "" && f.re != nil && !f.re.MatchString(s) {
			return id, fmt.Sprintf(`Error in key path "%s": (invalid_string) Invalid`, f.key)
		}
		if s == "" && !nullable && f.re != nil {
			return id, fmt.Sprintf(`Error in key path "%s": (invalid_string) Invalid`, f.key)
		}
		*f.dst, id.set[f.key] = s, true
	}
	return id, ""
}

// collision answers 422 when another user holds an identifier. Callers
// hold e.mu.
func (e *Emulator) collision(w http.ResponseWriter, self string, id identifiers) bool {
	for _, o := range e.users {
		if o.id == self {
			continue
		}
		switch {
		case id.username != "" && o.username == id.username:
			fail(w, 422, "user.username_already_in_use", "This username is already in use.")
		case id.email != "" && strings.EqualFold(o.email, id.email):
			fail(w, 422, "user.email_already_in_use", "This email is associated with an existing account.")
		case id.phone != "" && o.phone == id.phone:
			fail(w, 422, "user.phone_already_in_use", "This phone number is associated with an existing account.")
		default:
			continue
		}
		return true
	}
	return false
}

func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var body map[string]json.RawMessage
	if err := emulate.ReadJSON(r, &body); err != nil || body == nil {
		invalidInput(w, "the body must be a JSON object")
		return nil, false
	}
	return body, true
}

func readMap(raw json.RawMessage) (map[string]any, bool) {
	if raw == nil {
		return nil, true
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

func hashPassword(salt []byte, pw string) []byte {
	h := sha256.Sum256(append(append([]byte{}, salt...), pw...))
	return h[:]
}

func readPassword(w http.ResponseWriter, body map[string]json.RawMessage) (string, bool) {
	var pw string
	if json.Unmarshal(body["password"], &pw) != nil || pw == "" {
		invalidInput(w, `Error in key path "password": (too_small) String must contain at least 1 character(s)`)
		return "", false
	}
	return pw, true
}

// createUser answers 200 with the user (not 201, as observed).
func (e *Emulator) createUser(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	ids, bad := readIdentifiers(body, false)
	if bad != "" {
		invalidInput(w, bad)
		return
	}
	cd, ok1 := readMap(body["customData"])
	pr, ok2 := readMap(body["profile"])
	if !ok1 || !ok2 {
		invalidInput(w, "customData and profile must be objects")
		return
	}
	var pw string
	if _, has := body["password"]; has {
		if pw, ok = readPassword(w, body); !ok {
			return
		}
	}
	now := e.opts.Now()
	u := &user{id: emulate.ID(emulate.Lower36, 12), username: ids.username, email: ids.email, phone: ids.phone, name: ids.name,
		customData: cd, profile: pr, created: now, updated: now, roles: map[string]bool{}}
	if pw != "" {
		u.pwSalt = []byte(emulate.ID(emulate.Base62, 16))
		u.pwHash = hashPassword(u.pwSalt, pw)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.collision(w, "", ids) {
		return
	}
	e.seq++
	u.seq = e.seq
	e.users[u.id] = u
	emulate.WriteJSON(w, 200, u.json())
}

// patchUser updates identifiers and name; customData and profile given
// here replace the stored objects.
func (e *Emulator) patchUser(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	ids, bad := readIdentifiers(body, true)
	if bad != "" {
		invalidInput(w, bad)
		return
	}
	cd, ok1 := readMap(body["customData"])
	pr, ok2 := readMap(body["profile"])
	if !ok1 || !ok2 {
		invalidInput(w, "customData and profile must be objects")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[id]
	if !ok {
		userNotFound(w)
		return
	}
	if e.collision(w, id, ids) {
		return
	}
	for key, dst := range map[string]*string{"username": &u.username, "primaryEmail": &u.email, "primaryPhone": &u.phone, "name": &u.name} {
		if ids.set[key] {
			*dst = map[string]string{"username": ids.username, "primaryEmail": ids.email, "primaryPhone": ids.phone, "name": ids.name}[key]
		}
	}
	if body["customData"] != nil {
		u.customData = cd
	}
	if body["profile"] != nil {
		u.profile = pr
	}
	u.updated = e.opts.Now()
	emulate.WriteJSON(w, 200, u.json())
}

// patchJSONB merges {field: {...}} into the user's customData or profile,
// key by key (Logto's jsonb merge), and answers with the merged object.
func (e *Emulator) patchJSONB(w http.ResponseWriter, r *http.Request, id, field string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	patch, ok := readMap(body[field])
	if !ok || patch == nil {
		invalidInput(w, fmt.Sprintf(`Error in key path "%s": (invalid_type) Expected object`, field))
		return
	}
	e.withUser(w, id, func(u *user) {
		dst := &u.customData
		if field == "profile" {
			dst = &u.profile
		}
		next := make(map[string]any, len(*dst)+len(patch))
		for k, v := range *dst {
			next[k] = v
		}
		for k, v := range patch {
			next[k] = v
		}
		*dst = next
		u.updated = e.opts.Now()
		emulate.WriteJSON(w, 200, next)
	})
}

func (e *Emulator) deleteUser(w http.ResponseWriter, id string) {
	e.withUser(w, id, func(u *user) {
		delete(e.users, id)
		w.WriteHeader(http.StatusNoContent)
	})
}

func (e *Emulator) setPassword(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	pw, ok := readPassword(w, body)
	if !ok {
		return
	}
	e.withUser(w, id, func(u *user) {
		u.pwSalt = []byte(emulate.ID(emulate.Base62, 16))
		u.pwHash = hashPassword(u.pwSalt, pw)
		u.updated = e.opts.Now()
		emulate.WriteJSON(w, 200, u.json())
	})
}

// verifyPassword answers 204 on a match and 422 session.invalid_credentials
// otherwise, also for a user without a password; suspension does not
// matter (observed).
func (e *Emulator) verifyPassword(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	pw, ok := readPassword(w, body)
	if !ok {
		return
	}
	e.withUser(w, id, func(u *user) {
		if u.pwHash != nil && subtle.ConstantTimeCompare(hashPassword(u.pwSalt, pw), u.pwHash) == 1 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		fail(w, 422, "session.invalid_credentials", "Incorrect account or password. Please check your input.")
	})
}

func (e *Emulator) suspend(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var s bool
	if json.Unmarshal(body["isSuspended"], &s) != nil {
		invalidInput(w, `Error in key path "isSuspended": (invalid_type) Expected boolean`)
		return
	}
	e.withUser(w, id, func(u *user) {
		u.suspended, u.updated = s, e.opts.Now()
		emulate.WriteJSON(w, 200, u.json())
	})
}

// pagination reads page and page_size as koa-pagination does.
func (e *Emulator) pagination(w http.ResponseWriter, q url.Values) (page, size int, ok bool) {
	page, size = 1, 20
	for key, dst := range map[string]*int{"page": &page, "page_size": &size} {
		if s := q.Get(key); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || key == "page_size" && n > e.opts.MaxPageSize {
				fail(w, http.StatusBadRequest, "guard.invalid_pagination", "The request pagination value is invalid.")
				return 0, 0, false
			}
			*dst = n
		}
	}
	return page, size, true
}

// paginate writes Total-Number and the Link headers, whose URLs leave out
// the /api prefix (observed), and returns the page's bounds.
func paginate(w http.ResponseWriter, r *http.Request, total, page, size int) (int, int) {
	last := max(1, (total+size-1)/size)
	link := func(p int, rel string) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		path := strings.TrimPrefix(r.URL.Path, "/api")
		w.Header().Add("Link", fmt.Sprintf(`<%s%s?%s>; rel="%s"`, requestOrigin(r), path, q.Encode(), rel))
	}
	w.Header().Set("Total-Number", strconv.Itoa(total))
	link(1, "first")
	if page > 1 {
		link(page-1, "prev")
	}
	link(last, "last")
	if page < last {
		link(page+1, "next")
	}
	start := min((page-1)*size, total)
	return start, min(start+size, total)
}

// search is a parsed user search: per-field conditions joined by or/and.
type search struct {
	fields        map[string][]string // field -> values
	modes         map[string]string
	defaultMode   string
	and           bool
	caseSensitive bool
}

var searchFields = []string{"id", "primaryEmail", "primaryPhone", "username", "name"}

func parseSearch(q url.Values) (*search, string) {
	s := &search{fields: map[string][]string{}, modes: map[string]string{}, defaultMode: "like"}
	for key, vals := range q {
		switch {
		case key == "search":
			for _, f := range searchFields {
				s.fields[f] = append(s.fields[f], vals...)
			}
		case strings.HasPrefix(key, "search."):
			f := strings.TrimPrefix(key, "search.")
			if !slices.Contains(searchFields, f) {
				return nil, "unknown search field " + f
			}
			s.fields[f] = append(s.fields[f], vals...)
		case key == "mode":
			s.defaultMode = vals[0]
		case strings.HasPrefix(key, "mode."):
			s.modes[strings.TrimPrefix(key, "mode.")] = vals[0]
		case key == "joint" || key == "jointMode":
			if vals[0] != "or" && vals[0] != "and" {
				return nil, "joint must be or or and"
			}
			s.and = vals[0] == "and"
		case key == "isCaseSensitive":
			s.caseSensitive = vals[0] == "true"
		}
	}
	for f, vals := range s.fields {
		switch mode := s.mode(f); mode {
		case "exact":
		case "like", "posix":
			if len(vals) > 1 {
				return nil, "only exact mode accepts several values for " + f
			}
		case "similar_to":
			// SQL SIMILAR TO is not emulated.
			return nil, "similar_to is not supported by the emulator"
		default:
			return nil, "unknown search mode " + mode
		}
	}
	return s, ""
}

func (s *search) mode(f string) string {
	if m, ok := s.modes[f]; ok {
		return m
	}
	return s.defaultMode
}

func (s *search) matches(u *user) bool {
	if len(s.fields) == 0 {
		return true
	}
	value := map[string]string{"id": u.id, "primaryEmail": u.email, "primaryPhone": u.phone, "username": u.username, "name": u.name}
	hits := 0
	for f, vals := range s.fields {
		v, hit := value[f], false
		switch s.mode(f) {
		case "exact":
			for _, want := range vals {
				hit = hit || v == want || !s.caseSensitive && strings.EqualFold(v, want)
			}
		case "like":
			hit = v != "" && emulate.Like(vals[0], v, s.caseSensitive)
		case "posix":
			expr := vals[0]
			if !s.caseSensitive {
				expr = "(?i)" + expr
			}
			re, err := regexp.Compile(expr)
			hit = err == nil && v != "" && re.MatchString(v)
		}
		if hit {
			hits++
		}
	}
	if s.and {
		return hits == len(s.fields)
	}
	return hits > 0
}

// listUsers answers with users newest first.
func (e *Emulator) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size, ok := e.pagination(w, q)
	if !ok {
		return
	}
	s, bad := parseSearch(q)
	if bad != "" {
		fail(w, http.StatusBadRequest, "request.invalid_input", "Input is invalid. "+bad)
		return
	}
	e.mu.Lock()
	var hits []*user
	for _, u := range e.users {
		if s.matches(u) {
			hits = append(hits, u)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].seq > hits[j].seq })
	start, end := paginate(w, r, len(hits), page, size)
	out := make([]map[string]any, 0, end-start)
	for _, u := range hits[start:end] {
		out = append(out, u.json())
	}
	e.mu.Unlock()
	emulate.WriteJSON(w, 200, out)
}

func (e *Emulator) createRole(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Type        string `json:"type"`
	}
	if err := emulate.ReadJSON(r, &b); err != nil || b.Name == "" || b.Description == "" || len(b.Name) > 128 || len(b.Description) > 128 {
		invalidInput(w, "name and description are required strings of 1 to 128 characters")
		return
	}
	if b.Type == "" {
		b.Type = "User"
	}
	if b.Type != "User" && b.Type != "MachineToMachine" {
		invalidInput(w, `Error in key path "type": (invalid_enum_value)`)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, o := range e.roles {
		if o.name == b.Name {
			fail(w, 422, "role.name_in_use", fmt.Sprintf("This role name %s is already in use", b.Name))
			return
		}
	}
	e.seq++
	ro := &role{seq: e.seq, id: emulate.ID(emulate.Lower36, 21), name: b.Name, description: b.Description, typ: b.Type}
	e.roles[ro.id] = ro
	emulate.WriteJSON(w, 200, ro.json())
}

func (e *Emulator) listRoles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size, ok := e.pagination(w, q)
	if !ok {
		return
	}
	e.mu.Lock()
	var hits []*role
	for _, ro := range e.roles {
		if t := q.Get("type"); t == "" || t == ro.typ {
			hits = append(hits, ro)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].seq > hits[j].seq })
	start, end := paginate(w, r, len(hits), page, size)
	out := make([]map[string]any, 0, end-start)
	for _, ro := range hits[start:end] {
		m := ro.json()
		count, featured := 0, []map[string]any{}
		for _, u := range e.users {
			if u.roles[ro.id] {
				count++
				if len(featured) < 3 {
					featured = append(featured, map[string]any{"id": u.id, "avatar": nil, "name": u.json()["name"]})
				}
			}
		}
		m["usersCount"], m["featuredUsers"] = count, featured
		m["applicationsCount"], m["featuredApplications"] = 0, []any{}
		out = append(out, m)
	}
	e.mu.Unlock()
	emulate.WriteJSON(w, 200, out)
}

func (e *Emulator) deleteRole(w http.ResponseWriter, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.roles[id]; !ok {
		roleNotFound(w, id)
		return
	}
	delete(e.roles, id)
	for _, u := range e.users {
		delete(u.roles, id)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) listUserRoles(w http.ResponseWriter, r *http.Request, id string) {
	page, size, ok := e.pagination(w, r.URL.Query())
	if !ok {
		return
	}
	e.withUser(w, id, func(u *user) {
		var hits []*role
		for rid := range u.roles {
			hits = append(hits, e.roles[rid])
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].seq > hits[j].seq })
		start, end := paginate(w, r, len(hits), page, size)
		out := make([]map[string]any, 0, end-start)
		for _, ro := range hits[start:end] {
			out = append(out, ro.json())
		}
		emulate.WriteJSON(w, 200, out)
	})
}

// assignRoles answers 201 {roleIds, addedRoleIds}; roles already assigned
// are ignored, a MachineToMachine role is 422 user.invalid_role_type.
func (e *Emulator) assignRoles(w http.ResponseWriter, r *http.Request, id string) {
	var b struct {
		RoleIDs []string `json:"roleIds"`
	}
	if err := emulate.ReadJSON(r, &b); err != nil || b.RoleIDs == nil {
		invalidInput(w, `Error in key path "roleIds": (invalid_type) Expected array`)
		return
	}
	e.withUser(w, id, func(u *user) {
		for _, rid := range b.RoleIDs {
			ro, ok := e.roles[rid]
			if !ok {
				roleNotFound(w, rid)
				return
			}
			if ro.typ != "User" {
				fail(w, 422, "user.invalid_role_type", "Can not assign machine to machine role to user.")
				return
			}
		}
		added := []string{}
		for _, rid := range b.RoleIDs {
			if !u.roles[rid] {
				u.roles[rid] = true
				added = append(added, rid)
			}
		}
		emulate.WriteJSON(w, 201, map[string]any{"roleIds": b.RoleIDs, "addedRoleIds": added})
	})
}

// revokeRole answers 204, or 404 entity.not_found when the user lacks the
// role (a DeletionError in Logto).
func (e *Emulator) revokeRole(w http.ResponseWriter, id, rid string) {
	e.withUser(w, id, func(u *user) {
		if !u.roles[rid] {
			userNotFound(w)
			return
		}
		delete(u.roles, rid)
		w.WriteHeader(http.StatusNoContent)
	})
}
