package logtotest

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// pwDigest and pwMethod are passwordEncrypted and
	// passwordEncryptionMethod (see password.go); "" is no password.
	pwDigest string
	pwMethod string
	roles    map[string]bool
	// mfa are the user's MFA verifications, oldest first; identities
	// the social identities by connector target; pats the personal
	// access tokens, oldest first (see security.go).
	mfa        []*mfaVerification
	identities map[string]socialIdentity
	pats       []*pat
}

type role struct {
	seq         int64
	id          string
	name        string
	description string
	typ         string
}

// fail writes Logto's error body, {code, message}: the shape of its 404,
// 422 and non-guard 400 answers.
func fail(w http.ResponseWriter, status int, code, msg string) {
	emulate.WriteJSON(w, status, map[string]any{"code": code, "message": msg})
}

// issue is one zod issue, as Logto's guard lists them in data.issues:
// code, message and path, plus what the code adds (expected and received,
// minimum, options...).
type issue map[string]any

// detail is the issue's line in details, as koa-guard formats it: an
// invalid_type says "Expected X but received Y.", any other code its
// message.
func (i issue) detail() string {
	var path []string
	for _, p := range i["path"].([]any) {
		path = append(path, fmt.Sprint(p))
	}
	base := fmt.Sprintf(`Error in key path "%s": (%s) `, strings.Join(path, "."), i["code"])
	if i["code"] == "invalid_type" {
		return base + fmt.Sprintf("Expected %s but received %s.", i["expected"], i["received"])
	}
	return base + i["message"].(string)
}

// invalidType is zod's issue for a value of the wrong JSON type; a
// missing key is received "undefined", with the message "Required".
func invalidType(key, expected, received string) issue {
	msg := "Expected " + expected + ", received " + received
	if received == "undefined" {
		msg = "Required"
	}
	return issue{"code": "invalid_type", "expected": expected, "received": received, "path": keyPath(key), "message": msg}
}

// tooSmall is zod's issue for a string shorter than min.
func tooSmall(key string, min int) issue {
	return issue{"code": "too_small", "minimum": min, "type": "string", "inclusive": true, "exact": false,
		"message": fmt.Sprintf("String must contain at least %d character(s)", min), "path": keyPath(key)}
}

// tooBig is zod's issue for a string longer than max.
func tooBig(key string, max int) issue {
	return issue{"code": "too_big", "maximum": max, "type": "string", "inclusive": true, "exact": false,
		"message": fmt.Sprintf("String must contain at most %d character(s)", max), "path": keyPath(key)}
}

// invalidString is zod's issue for a string its regex refuses.
func invalidString(key string) issue {
	return issue{"code": "invalid_string", "validation": "regex", "message": "Invalid", "path": keyPath(key)}
}

// invalidEnum is zod's issue for a value outside an enum.
func invalidEnum(key string, options []string, received any) issue {
	quoted := make([]string, len(options))
	for i, o := range options {
		quoted[i] = "'" + o + "'"
	}
	return issue{"code": "invalid_enum_value", "options": options, "received": received, "path": keyPath(key),
		"message": fmt.Sprintf("Invalid enum value. Expected %s, received '%v'", strings.Join(quoted, " | "), received)}
}

func keyPath(key string) []any {
	if key == "" {
		return []any{}
	}
	return []any{key}
}

// jsonType is the zod name of a JSON value's type.
func jsonType(raw json.RawMessage) string {
	if raw == nil {
		return "undefined"
	}
	switch t := strings.TrimSpace(string(raw)); {
	case t == "null":
		return "null"
	case t == "true" || t == "false":
		return "boolean"
	case strings.HasPrefix(t, `"`):
		return "string"
	case strings.HasPrefix(t, "["):
		return "array"
	case strings.HasPrefix(t, "{"):
		return "object"
	}
	return "number"
}

// invalidInput is the guard's 400 for a body that fails its zod schema:
// {code, data: {issues, name: "ZodError"}, details, message}, as observed.
func invalidInput(w http.ResponseWriter, issues ...issue) {
	lines := make([]string, len(issues))
	for i, is := range issues {
		lines[i] = is.detail()
	}
	emulate.WriteJSON(w, http.StatusBadRequest, map[string]any{
		"code": "guard.invalid_input", "data": map[string]any{"issues": issues, "name": "ZodError"},
		"details": strings.Join(lines, "\n"), "message": "The request body is invalid.",
	})
}

// invalidJSON is koa-body's answer to a body that is not JSON: a message
// and no code (observed).
func invalidJSON(w http.ResponseWriter) {
	emulate.WriteJSON(w, http.StatusBadRequest, map[string]any{"message": "invalid JSON, only supports object and array"})
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
		"name": null(u.name), "avatar": nil, "customData": cd, "identities": u.identitiesJSON(),
		"lastSignInAt": nil, "createdAt": ms(u.created), "updatedAt": ms(u.updated), "profile": pr,
		"applicationId": nil, "isSuspended": u.suspended, "hasPassword": u.pwDigest != "",
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

// newRouter is the route table. A path it does not serve, and a method a
// path does not take, get Koa's text/plain 404 Not Found and 405 Method
// Not Allowed (observed); a routed API call is authorized first.
func (e *Emulator) newRouter() *emulate.Router {
	rt := &emulate.Router{
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			emulate.WriteText(w, http.StatusNotFound, "Not Found")
		},
		MethodNotAllowed: func(w http.ResponseWriter, _ *http.Request, allow []string) {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			emulate.WriteText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		},
	}
	rt.Handle("POST /oidc/token", e.token)
	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request, id string)) {
		rt.Handle(pattern, func(w http.ResponseWriter, r *http.Request) {
			if e.authorize(w, r) {
				h(w, r, r.PathValue("id"))
			}
		})
	}
	api("GET /api/users", func(w http.ResponseWriter, r *http.Request, _ string) { e.listUsers(w, r) })
	api("POST /api/users", func(w http.ResponseWriter, r *http.Request, _ string) { e.createUser(w, r) })
	api("GET /api/users/{id}", func(w http.ResponseWriter, r *http.Request, id string) {
		e.withUser(w, id, func(u *user) { emulate.WriteJSON(w, 200, withHash(r.URL.Query(), u, u.json())) })
	})
	api("PATCH /api/users/{id}", e.patchUser)
	api("DELETE /api/users/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.deleteUser(w, id) })
	api("GET /api/users/{id}/custom-data", func(w http.ResponseWriter, _ *http.Request, id string) {
		e.withUser(w, id, func(u *user) { emulate.WriteJSON(w, 200, u.json()["customData"]) })
	})
	api("PATCH /api/users/{id}/custom-data", func(w http.ResponseWriter, r *http.Request, id string) { e.patchJSONB(w, r, id, "customData") })
	api("PATCH /api/users/{id}/profile", func(w http.ResponseWriter, r *http.Request, id string) { e.patchJSONB(w, r, id, "profile") })
	api("PATCH /api/users/{id}/password", e.setPassword)
	api("POST /api/users/{id}/password/verify", e.verifyPassword)
	api("GET /api/users/{id}/has-password", func(w http.ResponseWriter, _ *http.Request, id string) {
		e.withUser(w, id, func(u *user) { emulate.WriteJSON(w, 200, map[string]bool{"hasPassword": u.pwDigest != ""}) })
	})
	api("PATCH /api/users/{id}/is-suspended", e.suspend)
	api("GET /api/users/{id}/roles", e.listUserRoles)
	api("POST /api/users/{id}/roles", e.assignRoles)
	api("DELETE /api/users/{id}/roles/{roleId}", func(w http.ResponseWriter, r *http.Request, id string) {
		e.revokeRole(w, id, r.PathValue("roleId"))
	})
	api("GET /api/roles", func(w http.ResponseWriter, r *http.Request, _ string) { e.listRoles(w, r) })
	api("POST /api/roles", func(w http.ResponseWriter, r *http.Request, _ string) { e.createRole(w, r) })
	api("GET /api/roles/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.getRole(w, id) })
	api("DELETE /api/roles/{id}", func(w http.ResponseWriter, _ *http.Request, id string) { e.deleteRole(w, id) })
	e.organizationRoutes(api)
	e.orgRoleRoutes(api)
	e.securityRoutes(api)
	return rt
}

func (e *Emulator) getRole(w http.ResponseWriter, id string) {
	e.mu.Lock()
	ro, ok := e.roles[id]
	var out map[string]any
	if ok {
		out = ro.json()
	}
	e.mu.Unlock()
	if !ok {
		roleNotFound(w, id)
		return
	}
	emulate.WriteJSON(w, 200, out)
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
func readIdentifiers(body map[string]json.RawMessage, nullable bool) (identifiers, issue) {
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
				return id, invalidType(f.key, "string", "null")
			}
			id.set[f.key] = true
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return id, invalidType(f.key, "string", jsonType(raw))
		}
		if f.re != nil && (s != "" && !f.re.MatchString(s) || s == "" && !nullable) {
			return id, invalidString(f.key)
		}
		*f.dst, id.set[f.key] = s, true
	}
	return id, nil
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

// readObject reads a body that must be a JSON object: one that is not
// JSON gets koa-body's answer, other JSON the guard's.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var raw json.RawMessage
	if err := emulate.ReadJSON(r, &raw); err != nil {
		if errors.Is(err, emulate.ErrTooLarge) {
			// Unobserved: koa-body's limit error is an HTTP 413 with its
			// message, which is what the emulator sends.
			emulate.WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"message": "request entity too large"})
		} else {
			invalidJSON(w)
		}
		return nil, false
	}
	var body map[string]json.RawMessage
	if json.Unmarshal(raw, &body) != nil || body == nil {
		invalidInput(w, invalidType("", "object", jsonType(raw)))
		return nil, false
	}
	return body, true
}

// readMaps reads the optional customData and profile objects of a body,
// answering the guard's 400 when one is not an object.
func readMaps(w http.ResponseWriter, body map[string]json.RawMessage) (customData, profile map[string]any, ok bool) {
	var out [2]map[string]any
	for i, key := range []string{"customData", "profile"} {
		raw := body[key]
		if raw == nil {
			continue
		}
		if json.Unmarshal(raw, &out[i]) != nil || out[i] == nil {
			invalidInput(w, invalidType(key, "object", jsonType(raw)))
			return nil, nil, false
		}
	}
	return out[0], out[1], true
}

func readPassword(w http.ResponseWriter, body map[string]json.RawMessage) (string, bool) {
	var pw string
	raw := body["password"]
	if json.Unmarshal(raw, &pw) != nil {
		invalidInput(w, invalidType("password", "string", jsonType(raw)))
		return "", false
	}
	if pw == "" {
		invalidInput(w, tooSmall("password", 1))
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
	if bad != nil {
		invalidInput(w, bad)
		return
	}
	cd, pr, ok := readMaps(w, body)
	if !ok {
		return
	}
	var pw string
	if _, has := body["password"]; has {
		if pw, ok = readPassword(w, body); !ok {
			return
		}
	}
	digest, method, ok := readDigest(w, body)
	if !ok {
		return
	}
	switch {
	case pw != "" && digest != "":
		fail(w, http.StatusBadRequest, "user.password_and_digest", "You cannot set both plain text password and password digest.")
		return
	case digest != "" && method == "":
		fail(w, http.StatusBadRequest, "user.password_algorithm_required", "Password algorithm is required.")
		return
	}
	now := e.opts.Now()
	u := &user{id: emulate.ID(emulate.Lower36, 12), username: ids.username, email: ids.email, phone: ids.phone, name: ids.name,
		customData: cd, profile: pr, created: now, updated: now, roles: map[string]bool{}}
	switch {
	case pw != "":
		u.pwDigest, u.pwMethod = e.hashPlain(pw)
	case digest != "":
		// Kept as sent: Logto reads it only when verifying.
		u.pwDigest, u.pwMethod = digest, method
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.collision(w, "", ids) {
		return
	}
	if method == "Legacy" {
		// After the identifiers, as Logto checks it.
		if _, code, msg := parseLegacy(digest); code != "" {
			fail(w, http.StatusBadRequest, code, msg)
			return
		}
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
	if bad != nil {
		invalidInput(w, bad)
		return
	}
	cd, pr, ok := readMaps(w, body)
	if !ok {
		return
	}
	e.withUser(w, id, func(u *user) {
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
	})
}

// patchJSONB merges {field: {...}} into the user's customData or profile,
// key by key (Logto's jsonb merge), and answers with the merged object.
func (e *Emulator) patchJSONB(w http.ResponseWriter, r *http.Request, id, field string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var patch map[string]any
	if raw := body[field]; json.Unmarshal(raw, &patch) != nil || patch == nil {
		invalidInput(w, invalidType(field, "object", jsonType(raw)))
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
		e.dropMemberships(id)
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
	digest, method := e.hashPlain(pw)
	e.withUser(w, id, func(u *user) {
		u.pwDigest, u.pwMethod = digest, method
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
	// One check of a user's password at a time: a client that gives up
	// on a slow Argon2 digest and sends again then waits for the first
	// check, and meets the digest it migrated, rather than hashing the
	// same costly digest beside it. Logto would run both; the answers
	// are the same, and a loaded test machine finishes.
	e.mu.Lock()
	lock := e.verifying[id]
	if _, exists := e.users[id]; exists && lock == nil {
		lock = new(sync.Mutex)
		e.verifying[id] = lock
	}
	e.mu.Unlock()
	if lock == nil {
		userNotFound(w)
		return
	}
	lock.Lock()
	defer lock.Unlock()
	e.mu.Lock()
	u, found := e.users[id]
	var digest, method string
	if found {
		digest, method = u.pwDigest, u.pwMethod
	}
	e.mu.Unlock()
	if !found {
		userNotFound(w)
		return
	}
	// Hashing runs outside the lock: an Argon2 digest can take a while.
	match, thrown := verifyStored(digest, method, pw)
	switch {
	case thrown:
		emulate.WriteJSON(w, http.StatusInternalServerError, map[string]any{"message": "Internal server error."})
		return
	case !match:
		fail(w, 422, "session.invalid_credentials", "Incorrect account or password. Please check your input.")
		return
	}
	if method != "Argon2i" {
		// Logto moves every other method to its own Argon2i once a
		// password matches (verifyUserPassword's migration).
		next, nextMethod := e.hashPlain(pw)
		e.mu.Lock()
		if u.pwDigest == digest && e.users[id] == u {
			u.pwDigest, u.pwMethod = next, nextMethod
		}
		e.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) suspend(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var s bool
	if raw := body["isSuspended"]; json.Unmarshal(raw, &s) != nil {
		invalidInput(w, invalidType("isSuspended", "boolean", jsonType(raw)))
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

// paginate writes Total-Number and the Link headers, one per relation in
// the order first, last, prev, next, and returns the page's bounds. Past
// the last page prev is still page-1 and there is no next (observed).
func paginate(w http.ResponseWriter, r *http.Request, total, page, size int) (int, int) {
	last := max(1, (total+size-1)/size)
	link := func(p int, rel string) {
		w.Header().Add("Link", fmt.Sprintf(`<%s?%s>; rel="%s"`, linkBase(r), withPage(r.URL.RawQuery, p), rel))
	}
	w.Header().Set("Total-Number", strconv.Itoa(total))
	link(1, "first")
	link(last, "last")
	if page > 1 {
		link(page-1, "prev")
	}
	if page < last {
		link(page+1, "next")
	}
	start := min((page-1)*size, total)
	return start, min(start+size, total)
}

// linkBase is the origin and path a Link points at, without the /api
// prefix, as observed.
func linkBase(r *http.Request) string {
	return requestOrigin(r) + strings.TrimPrefix(r.URL.EscapedPath(), "/api")
}

// withPage is the query with page set as URLSearchParams.set does it:
// the other parameters keep their order, page takes the place of its
// first occurrence (or goes last), and every pair is serialised again as
// application/x-www-form-urlencoded, a space becoming "+".
func withPage(rawQuery string, page int) string {
	var pairs []string
	placed := false
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, v = formDecode(k), formDecode(v)
		if k == "page" {
			if placed {
				continue
			}
			v, placed = strconv.Itoa(page), true
		}
		pairs = append(pairs, formEncode(k)+"="+formEncode(v))
	}
	if !placed {
		pairs = append(pairs, "page="+strconv.Itoa(page))
	}
	return strings.Join(pairs, "&")
}

func formDecode(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// formEncode is the WHATWG urlencoded serialiser: alphanumerics and
// *-._ stay, a space is "+", every other byte is percent-encoded.
func formEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("*-._", c) >= 0:
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
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

// searchModes are the match modes, in the order Logto's errors list them.
var searchModes = []string{"exact", "like", "similar_to", "posix"}

// parseSearch reads the search parameters as Logto's utils/search.ts does,
// answering its TypeError texts for what it refuses.
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
				return nil, fmt.Sprintf("Search field `%s` is not allowed. Expect one of %s.", f, strings.Join(searchFields, ", "))
			}
			s.fields[f] = append(s.fields[f], vals...)
		case key == "mode" || strings.HasPrefix(key, "mode."):
			f, perField := strings.CutPrefix(key, "mode.")
			if !slices.Contains(searchModes, vals[0]) {
				at := ""
				if perField {
					at = fmt.Sprintf(" for field `%s`", f)
				}
				return nil, fmt.Sprintf("Search match mode `%s`%s is not valid, expect one of %s.", vals[0], at, strings.Join(searchModes, ", "))
			}
			if perField {
				s.modes[f] = vals[0]
			} else {
				s.defaultMode = vals[0]
			}
		case key == "joint" || key == "jointMode":
			if vals[0] != "or" && vals[0] != "and" {
				return nil, fmt.Sprintf("Search joint mode `%s` is not valid, expect one of or, and.", vals[0])
			}
			s.and = vals[0] == "and"
		case key == "isCaseSensitive":
			s.caseSensitive = vals[0] == "true"
		}
	}
	for f, vals := range s.fields {
		if slices.Contains(vals, "") {
			return nil, "Search value cannot be empty."
		}
		mode := s.mode(f)
		if mode != "exact" && len(vals) > 1 {
			return nil, "Only one search value is allowed when search mode is not `exact`."
		}
		if mode == "similar_to" && !s.caseSensitive {
			return nil, "Cannot use case-insensitive match for `similar to`."
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
		case "similar_to":
			re, err := similarTo(vals[0])
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

// similarTo compiles a SQL SIMILAR TO pattern as PostgreSQL reads it: the
// whole value must match; % is any run of characters and _ one; | * + ?
// {m,n} ( ) and bracket expressions are regular-expression operators; a
// backslash escapes the next character; anything else, the dot included,
// is literal.
func similarTo(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)^(?:`)
	rs := []rune(pattern)
	inBracket := false
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs):
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case inBracket:
			inBracket = c != ']'
			b.WriteRune(c)
		case c == '[':
			inBracket = true
			b.WriteRune(c)
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteString(".")
		case strings.ContainsRune("|*+?{}()", c):
			b.WriteRune(c)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	return regexp.Compile(b.String())
}

// listUsers answers with users newest first: by createdAt, as Logto's
// "order by created_at desc" does, whatever order concurrent creates
// took the lock in (the later created first among equal times).
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
	slices.SortFunc(hits, func(x, y *user) int {
		if c := y.created.Compare(x.created); c != 0 {
			return c
		}
		return cmp.Compare(y.seq, x.seq)
	})
	out := rendered(w, r, hits, page, size, func(u *user) map[string]any {
		return withHash(q, u, u.json())
	})
	e.mu.Unlock()
	emulate.WriteJSON(w, 200, out)
}

// roleTypes are the values of a role's type.
var roleTypes = []string{"User", "MachineToMachine"}

// createRole answers 200 with the role; name and description are required
// strings of 1 to 128 characters, a taken name is 422 role.name_in_use.
func (e *Emulator) createRole(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	fields := map[string]string{"type": "User"}
	var issues []issue
	for _, key := range []string{"name", "description", "type"} {
		raw, present := body[key]
		var v string
		switch {
		case !present && key == "type":
			continue
		case json.Unmarshal(raw, &v) != nil || !present:
			issues = append(issues, invalidType(key, "string", jsonType(raw)))
		case key == "type" && !slices.Contains(roleTypes, v):
			issues = append(issues, invalidEnum(key, roleTypes, v))
		case v == "":
			issues = append(issues, tooSmall(key, 1))
		case utf8.RuneCountInString(v) > 128:
			issues = append(issues, tooBig(key, 128))
		}
		fields[key] = v
	}
	if len(issues) > 0 {
		invalidInput(w, issues...)
		return
	}
	b := struct{ Name, Description, Type string }{fields["name"], fields["description"], fields["type"]}
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
	out := rendered(w, r, hits, page, size, func(ro *role) map[string]any {
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
		return m
	})
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
		out := rendered(w, r, hits, page, size, (*role).json)
		emulate.WriteJSON(w, 200, out)
	})
}

// assignRoles answers 201 {roleIds, addedRoleIds}; roles already assigned
// are ignored, a MachineToMachine role is 422 user.invalid_role_type.
func (e *Emulator) assignRoles(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var b struct{ RoleIDs []string }
	if raw := body["roleIds"]; json.Unmarshal(raw, &b.RoleIDs) != nil || b.RoleIDs == nil {
		invalidInput(w, invalidType("roleIds", "array", jsonType(raw)))
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

// rendered cuts the page out of hits, writing its headers as paginate
// does, and renders each of its items with js.
func rendered[T any](w http.ResponseWriter, r *http.Request, hits []T, page, size int, js func(T) map[string]any) []map[string]any {
	start, end := paginate(w, r, len(hits), page, size)
	out := make([]map[string]any, 0, end-start)
	for _, h := range hits[start:end] {
		out = append(out, js(h))
	}
	return out
}
