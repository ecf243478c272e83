package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idport/identity/internal/emulate"
	"github.com/idport/identity/passhash"
)

// Okta's user statuses.
const (
	staged          = "STAGED"
	provisioned     = "PROVISIONED"
	active          = "ACTIVE"
	recovery        = "RECOVERY"
	passwordExpired = "PASSWORD_EXPIRED"
	lockedOut       = "LOCKED_OUT"
	suspended       = "SUSPENDED"
	deprovisioned   = "DEPROVISIONED"
)

var statuses = []string{staged, provisioned, active, recovery, passwordExpired, lockedOut, suspended, deprovisioned}

type user struct {
	seq             int64
	id              string
	status          string
	created         time.Time
	activated       time.Time
	statusChanged   time.Time
	lastLogin       time.Time
	lastUpdated     time.Time
	passwordChanged time.Time
	// profile holds only properties that are set; values are strings,
	// json.Numbers, booleans or arrays of those.
	profile map[string]any
	// pw verifies the password: a salted digest of one set in plain, or
	// the hash imported (see passwordhash.go); nil is no password.
	pw       *passhash.Hash
	version  int64 // bumped on every change; the ETag
	failures int   // consecutive failed primary authentications
	roles    []*roleAssignment
	appLinks []AppLink
	// What the user did itself: factors enrolled, Okta sessions and the
	// refresh tokens of apps it signed in to, accounts at IdPs linked,
	// consents granted.
	factors       []*factor
	sessions      []string
	refreshTokens []string
	idps          []*idpLink
	grants        []*grant
}

func (u *user) login() string { s, _ := u.profile["login"].(string); return s }

// etag is a weak entity tag that changes on every change to the user
// (Unpublished format: Okta documents the header, not its value).
func (u *user) etag() string { return `W/"` + strconv.FormatInt(u.version, 10) + `"` }

// touch records a change: a new ETag and, unless only sign-in data
// changed, a new lastUpdated. Callers hold e.mu.
func (e *Emulator) touch(u *user, updated bool) {
	e.seq++
	u.version = e.seq
	if updated {
		u.lastUpdated = e.opts.Now()
	}
}

// setStatus moves a user to status, keeping the timestamps Okta keeps:
// statusChanged on every change, activated the first time the user can
// sign in. Callers hold e.mu.
func (e *Emulator) setStatus(u *user, status string) {
	now := e.opts.Now()
	if u.status != status {
		u.status, u.statusChanged = status, now
	}
	switch status {
	case active, passwordExpired, recovery, lockedOut, suspended:
		if u.activated.IsZero() {
			u.activated = now
		}
	}
	if status != lockedOut {
		u.failures = 0
	}
	e.touch(u, true)
}

// findUser resolves a path's user: an id, a login (ignoring case), or a
// login's short name (the part before @) when only one login has it (an
// ambiguous short name matching nobody is Unpublished). Callers hold e.mu.
func (e *Emulator) findUser(key string) *user {
	if u, ok := e.users[key]; ok {
		return u
	}
	if id, ok := e.logins[strings.ToLower(key)]; ok {
		return e.users[id]
	}
	if key == "" || strings.Contains(key, "@") {
		return nil
	}
	var hit *user
	for _, u := range e.users {
		if local, _, found := strings.Cut(u.login(), "@"); found && strings.EqualFold(local, key) {
			if hit != nil {
				return nil
			}
			hit = u
		}
	}
	return hit
}

// userJSON is the User object. A single user carries the lifecycle links
// its status allows; a user in a collection only self.
func (e *Emulator) userJSON(u *user, origin string, single bool) map[string]any {
	profile := make(map[string]any, len(u.profile))
	for k, v := range u.profile {
		if v != nil {
			profile[k] = v
		}
	}
	creds := map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}}
	if u.pw != nil {
		creds["password"] = map[string]any{}
	}
	self := origin + "/api/v1/users/" + u.id
	links := map[string]any{"self": map[string]string{"href": self}}
	if single {
		action := func(rel, path string) {
			links[rel] = map[string]string{"href": self + path, "method": "POST"}
		}
		switch u.status {
		case staged:
			action("activate", "/lifecycle/activate")
		case provisioned:
			action("activate", "/lifecycle/activate")
			action("reactivate", "/lifecycle/reactivate")
		case active:
			action("suspend", "/lifecycle/suspend")
		case suspended:
			action("unsuspend", "/lifecycle/unsuspend")
		case lockedOut:
			action("unlock", "/lifecycle/unlock")
		case deprovisioned:
			action("activate", "/lifecycle/activate")
		}
		if u.status != deprovisioned {
			action("deactivate", "/lifecycle/deactivate")
		}
		switch u.status {
		case active, passwordExpired, recovery, lockedOut:
			action("resetPassword", "/lifecycle/reset_password")
		}
		if u.pw != nil && (u.status == active || u.status == passwordExpired) {
			action("expirePassword", "/lifecycle/expire_password")
		}
		if u.pw != nil && changeAllowed(u.status) {
			action("changePassword", "/credentials/change_password")
		}
		links["type"] = map[string]string{"href": origin + "/api/v1/meta/types/user/" + e.typeID}
	}
	return map[string]any{
		"id": u.id, "status": u.status, "created": stamp(u.created), "activated": nullStamp(u.activated),
		"statusChanged": nullStamp(u.statusChanged), "lastLogin": nullStamp(u.lastLogin),
		"lastUpdated": stamp(u.lastUpdated), "passwordChanged": nullStamp(u.passwordChanged),
		"type": map[string]string{"id": e.typeID}, "profile": profile, "credentials": creds, "_links": links,
	}
}

// userReply is 200 with a single user and its ETag.
func (e *Emulator) userReply(u *user, r *http.Request) reply {
	rp := ok(e.userJSON(u, requestOrigin(r), true))
	rp.Header = http.Header{"Etag": {u.etag()}}
	return rp
}

// baseAttrs are the properties of Okta's default user profile with the
// length limits its schema sets (min, max; 0 for none). Every one is a
// string.
var baseAttrs = map[string][2]int{
	"login": {5, 100}, "email": {5, 100}, "secondEmail": {0, 100}, "firstName": {1, 50}, "lastName": {1, 50},
	"middleName": {}, "honorificPrefix": {}, "honorificSuffix": {}, "title": {}, "displayName": {}, "nickName": {},
	"profileUrl": {}, "primaryPhone": {0, 100}, "mobilePhone": {0, 100}, "streetAddress": {0, 1024}, "city": {0, 128},
	"state": {0, 128}, "zipCode": {0, 50}, "countryCode": {0, 2}, "postalAddress": {0, 4096}, "preferredLanguage": {},
	"locale": {}, "timezone": {}, "userType": {}, "employeeNumber": {}, "costCenter": {}, "organization": {},
	"division": {}, "department": {}, "managerId": {}, "manager": {},
}

var (
	// emailRE is the shape the emulator requires of an email address:
	// something, @, a domain with a dot, no white space.
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	// attrNameRE is what the Profile Editor allows as a custom
	// attribute's variable name.
	attrNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// parseProfile reads a profile object, keeping numbers exact. Absent or
// null is an empty profile; anything but an object is malformed.
func parseProfile(raw json.RawMessage) (map[string]any, bool) {
	p := map[string]any{}
	if len(raw) == 0 || string(raw) == "null" {
		return p, true
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&p) != nil || p == nil {
		return nil, false
	}
	return p, true
}

// normalize drops an empty string from an optional default attribute, so
// that "" clears it as null does (Unpublished: the emulator's reading of
// minLength on optional attributes).
func normalize(p map[string]any) {
	for k, v := range p {
		if s, isStr := v.(string); isStr && s == "" && k != "login" && k != "email" {
			if _, base := baseAttrs[k]; base {
				delete(p, k)
			}
		}
		if v == nil {
			delete(p, k)
		}
	}
}

// checkProfile validates a whole profile as Okta's default schema (open to
// custom attributes) would, and returns the error causes, the field at
// fault first in each. self is the user being updated, "" on create.
//
// The causes for a blank required field, a malformed email, a login that
// is not an email under Options.EmailLogins, and a taken login are Okta's
// own. Those for a length outside the default schema's limits, a value of
// the wrong type and a custom attribute name the Profile Editor would not
// allow are Unpublished wordings. Callers hold e.mu.
func (e *Emulator) checkProfile(p map[string]any, self string) []string {
	var causes []string
	required := []string{"login", "email"}
	if !e.opts.NamesOptional {
		required = append(required, "firstName", "lastName")
	}
	blank := func(k string) bool {
		v, present := p[k]
		s, isStr := v.(string)
		return !present || v == nil || isStr && strings.TrimSpace(s) == ""
	}
	for _, k := range required {
		if blank(k) {
			causes = append(causes, k+": The field cannot be left blank")
		}
	}
	keys := slices.Sorted(maps.Keys(p))
	// The identifying attributes come first, as Okta lists them.
	slices.SortStableFunc(keys, func(a, b string) int { return rank(a) - rank(b) })
	for _, k := range keys {
		v := p[k]
		limits, base := baseAttrs[k]
		if !base {
			if !attrNameRE.MatchString(k) {
				causes = append(causes, k+": Property name is not valid")
			} else if !customValue(v) {
				causes = append(causes, k+": Property value is not a valid type")
			}
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			causes = append(causes, k+": Property value is not a valid type")
			continue
		}
		if blank(k) && slices.Contains(required, k) {
			continue // reported above
		}
		n := utf8.RuneCountInString(s)
		switch {
		case limits[0] > 0 && n < limits[0]:
			causes = append(causes, fmt.Sprintf("%s: The field cannot be shorter than %d characters", k, limits[0]))
			continue
		case limits[1] > 0 && n > limits[1]:
			causes = append(causes, fmt.Sprintf("%s: The field cannot be longer than %d characters", k, limits[1]))
			continue
		}
		switch k {
		case "email", "secondEmail":
			if !emailRE.MatchString(s) {
				causes = append(causes, k+": Does not match required pattern")
			}
		case "login":
			switch {
			case e.opts.EmailLogins && !emailRE.MatchString(s):
				causes = append(causes, "login: Username must be in the form of an email address")
			case strings.IndexFunc(s, unicode.IsSpace) >= 0 || strings.IndexFunc(s, unicode.IsControl) >= 0:
				causes = append(causes, "login: Does not match required pattern")
			default:
				if id, taken := e.logins[strings.ToLower(s)]; taken && id != self {
					causes = append(causes, "login: An object with this field already exists in the current organization")
				}
			}
		}
	}
	return causes
}

func rank(k string) int {
	if i := slices.Index([]string{"login", "email", "firstName", "lastName"}, k); i >= 0 {
		return i
	}
	return 4
}

// customValue reports whether v fits a custom attribute: a string,
// number, boolean or null, or an array of those.
func customValue(v any) bool {
	switch t := v.(type) {
	case nil, string, json.Number, bool:
		return true
	case []any:
		for _, x := range t {
			switch x.(type) {
			case nil, string, json.Number, bool:
			default:
				return false
			}
		}
		return true
	}
	return false
}

// profileFailure turns causes into the E0000001 reply, naming the first
// field in the summary.
func profileFailure(causes []string) reply {
	field, _, _ := strings.Cut(causes[0], ":")
	return invalid(field, causes...)
}

// policyText is the cause Okta gives when a password fails the default
// password policy.
const policyText = "password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username."

// meetsPolicy applies Okta's default password policy: at least 8
// characters with a lowercase letter, an uppercase letter and a digit,
// and not containing the login's local part (when that is at least 3
// characters long; the threshold is Unpublished).
func meetsPolicy(pw, login string) bool {
	var lower, upper, digit bool
	for _, c := range pw {
		lower = lower || unicode.IsLower(c)
		upper = upper || unicode.IsUpper(c)
		digit = digit || unicode.IsDigit(c)
	}
	if utf8.RuneCountInString(pw) < 8 || !lower || !upper || !digit {
		return false
	}
	local, _, _ := strings.Cut(login, "@")
	return len(local) < 3 || !strings.Contains(strings.ToLower(pw), strings.ToLower(local))
}

// setPassword stores a salted hash, never the password. Callers hold e.mu.
func (e *Emulator) setPassword(u *user, pw string) {
	// passhash.New makes every digest; were it ever to fail, the user
	// would be left with no password rather than the old one.
	h, _ := passhash.New(passhash.SHA256, pw)
	u.pw, u.passwordChanged = h, e.opts.Now()
}

// setCredential stores what a body's credentials.password gave: a
// password, or an imported hash. Callers hold e.mu.
func (e *Emulator) setCredential(u *user, c *credential) {
	if c.hash != nil {
		u.pw, u.passwordChanged = c.hash, e.opts.Now()
		return
	}
	e.setPassword(u, c.value)
}

func (u *user) passwordIs(pw string) bool { return u.pw != nil && u.pw.Verify(pw) }

// userBody is the body of create, update and replace.
type userBody struct {
	Profile     json.RawMessage `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value *string         `json:"value"`
			Hash  json.RawMessage `json:"hash"`
			Hook  json.RawMessage `json:"hook"`
		} `json:"password"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
	Type     *struct {
		ID string `json:"id"`
	} `json:"type"`
}

// credential is what a body's credentials.password sets: a password in
// plain, or an imported hash.
type credential struct {
	value string
	hash  *passhash.Hash
}

// password returns what a body sets as the password, or nil. A hash is
// read by readHash; one beside a value is refused (Unpublished). Password
// hooks are not emulated: they are refused with 400 E0000001 rather than
// ignored.
func (b *userBody) password() (c *credential, rp reply, good bool) {
	if b.Credentials == nil || b.Credentials.Password == nil {
		return nil, reply{}, true
	}
	p := b.Credentials.Password
	if len(p.Hook) > 0 && string(p.Hook) != "null" {
		return nil, invalid("password", "password: Password import by hook is not supported by the emulator"), false
	}
	if len(p.Hash) > 0 && string(p.Hash) != "null" {
		if p.Value != nil {
			return nil, invalid("password", "password: A password may have a value or a hash, not both."), false
		}
		h, rp, good := readHash(p.Hash)
		if !good {
			return nil, rp, false
		}
		return &credential{hash: h}, reply{}, true
	}
	if p.Value == nil {
		return nil, reply{}, true
	}
	return &credential{value: *p.Value}, reply{}, true
}

// checkType refuses a user type other than the org's default one, the
// only one the emulator has, with 400 E0000001 (Unpublished).
func (e *Emulator) checkType(b *userBody) (reply, bool) {
	if b.Type != nil && b.Type.ID != "" && b.Type.ID != e.typeID {
		return invalid("type", "type: The user type does not exist"), false
	}
	return reply{}, true
}

// maxGroupIDs is how many groups a user can be put in on creation.
const maxGroupIDs = 20

// createUser answers 200 with the new user. With activate=false it is
// STAGED; activated, it is ACTIVE when given a password and PROVISIONED
// otherwise; nextLogin=changePassword makes it PASSWORD_EXPIRED. An
// unknown id in groupIds is 400 E0000001 (Unpublished; the documented
// responses of createUser have no 404).
func (e *Emulator) createUser(r *http.Request, _ []string) reply {
	q := r.URL.Query()
	activate := true
	if v := q.Get("activate"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalid("activate", "activate: The value must be true or false")
		}
		activate = b
	}
	var b userBody
	if rp, good := readBody(r, &b); !good {
		return rp
	}
	profile, good := parseProfile(b.Profile)
	if !good {
		return malformed()
	}
	cred, rp, good := b.password()
	if !good {
		return rp
	}
	hasPw := cred != nil
	expire := false
	switch next := q.Get("nextLogin"); {
	case next == "":
	case next != "changePassword":
		return invalid("nextLogin", "nextLogin: The value must be changePassword")
	case !activate:
		return fail(http.StatusBadRequest, "E0000125", `Could not create user. To create a user and expire their password immediately, "activate" must be true`)
	case !hasPw:
		return fail(http.StatusBadRequest, "E0000124", "Could not create user. To create a user and expire their password immediately, a password must be specified")
	default:
		expire = true
	}
	if rp, good := e.checkType(&b); !good {
		return rp
	}
	if len(b.GroupIDs) > maxGroupIDs {
		return fail(http.StatusBadRequest, "E0000093", "Target count limit exceeded")
	}
	normalize(profile)

	e.mu.Lock()
	defer e.mu.Unlock()
	if causes := e.checkProfile(profile, ""); len(causes) > 0 {
		return profileFailure(causes)
	}
	if hasPw && cred.hash == nil && !meetsPolicy(cred.value, profile["login"].(string)) {
		// An imported hash is taken whatever the password it hides:
		// Okta cannot apply the policy to it.
		return invalid("password", policyText)
	}
	for _, gid := range b.GroupIDs {
		if _, known := e.groups[gid]; !known {
			return invalid("groupIds", "groupIds: The group does not exist: "+gid)
		}
	}
	now := e.opts.Now()
	e.seq++
	u := &user{seq: e.seq, id: "00u" + emulate.ID(emulate.Base62, 17), status: staged, created: now, lastUpdated: now, profile: profile}
	if hasPw {
		e.setCredential(u, cred)
	}
	switch {
	case expire:
		e.setStatus(u, passwordExpired)
	case activate && hasPw:
		e.setStatus(u, active)
	case activate:
		e.setStatus(u, provisioned)
	default:
		e.touch(u, true)
	}
	e.users[u.id] = u
	e.logins[strings.ToLower(u.login())] = u.id
	for _, gid := range b.GroupIDs {
		g := e.groups[gid]
		if g.typ == oktaGroup && !g.members[u.id] {
			g.members[u.id] = true
			g.lastMembershipUpdated = now
		}
	}
	return e.userReply(u, r)
}

// getUser answers the user with its ETag, leaving out what the request's
// okta-response parameter asks to omit.
func (e *Emulator) getUser(r *http.Request, p []string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(p[0])
	if u == nil {
		return notFound(p[0], "User")
	}
	rp := e.userReply(u, r)
	readOmissions(r).apply(rp.Body.(map[string]any))
	return rp
}

// omissions are the parts of a User that the okta-response parameter of
// the request's Content-Type header leaves out, as GET /users and GET
// /users/{id} document it: omitCredentials drops the credentials object,
// omitCredentialsLinks the links that act on credentials.
// omitTransitioningToStatus needs nothing, as the emulator never sends
// transitioningToStatus.
type omissions struct {
	credentials, credentialLinks bool
}

// credentialLinks are the _links relations omitCredentialsLinks removes.
var credentialLinks = []string{"changePassword", "changeRecoveryQuestion", "forgotPassword", "resetPassword", "resetFactors", "unlock"}

// readOmissions reads okta-response from Content-Type, quoted or not
// (Okta's example quotes the list; unquoted, its commas would not parse as
// a MIME parameter, so the header is split by hand). Unknown values are
// ignored.
func readOmissions(r *http.Request) omissions {
	var o omissions
	for _, param := range strings.Split(r.Header.Get("Content-Type"), ";") {
		k, v, found := strings.Cut(param, "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "okta-response") {
			continue
		}
		for _, flag := range strings.Split(strings.Trim(strings.TrimSpace(v), `"`), ",") {
			switch strings.TrimSpace(flag) {
			case "omitCredentials":
				o.credentials = true
			case "omitCredentialsLinks":
				o.credentialLinks = true
			}
		}
	}
	return o
}

// apply removes the omitted parts from a userJSON map and returns it.
func (o omissions) apply(u map[string]any) map[string]any {
	if o.credentials {
		delete(u, "credentials")
	}
	if links, isMap := u["_links"].(map[string]any); isMap && o.credentialLinks {
		for _, rel := range credentialLinks {
			delete(links, rel)
		}
	}
	return u
}

// etagRE is one entity tag of an If-Match list.
var etagRE = regexp.MustCompile(`^(W/)?"[^"]*"$`)

// checkIfMatch honours If-Match: 400 E0000242 when it is not a list of
// entity tags (or *), 412 E0000231 when none is the user's. Callers hold
// e.mu.
func checkIfMatch(r *http.Request, u *user) (reply, bool) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return reply{}, true
	}
	want := strings.TrimPrefix(u.etag(), "W/")
	hit := false
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		if !etagRE.MatchString(t) {
			return fail(http.StatusBadRequest, "E0000242", "ETag syntax is invalid."), false
		}
		hit = hit || strings.TrimPrefix(t, "W/") == want
	}
	if !hit {
		return fail(http.StatusPreconditionFailed, "E0000231", "ETag value doesn't match."), false
	}
	return reply{}, true
}

// updateUser is the partial update: the profile properties given replace
// the stored ones (null removes one), the others stay.
func (e *Emulator) updateUser(r *http.Request, p []string) reply { return e.writeUser(r, p[0], false) }

// replaceUser replaces the whole profile: properties not given are
// removed.
func (e *Emulator) replaceUser(r *http.Request, p []string) reply { return e.writeUser(r, p[0], true) }

// writeUser updates or replaces a user's profile and, with
// credentials.password.value, sets the password as an admin does. A user
// who could not sign in for want of a password (PROVISIONED), or had to
// change it (PASSWORD_EXPIRED, RECOVERY), becomes ACTIVE; the last two
// are Unpublished. A DEPROVISIONED user is 403 E0000038.
func (e *Emulator) writeUser(r *http.Request, id string, replace bool) reply {
	var b userBody
	if rp, good := readBody(r, &b); !good {
		return rp
	}
	patch, good := parseProfile(b.Profile)
	if !good {
		return malformed()
	}
	cred, rp, good := b.password()
	if !good {
		return rp
	}
	hasPw := cred != nil
	if rp, good := e.checkType(&b); !good {
		return rp
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(id)
	if u == nil {
		return notFound(id, "User")
	}
	if rp, good := checkIfMatch(r, u); !good {
		return rp
	}
	if u.status == deprovisioned {
		return wrongStatus()
	}
	if hasPw && cred.hash != nil && u.status != staged {
		// Okta's answer, as reported on its developer forum.
		return invalid("password", "password: An imported password may only be specified for a user with status: STAGED")
	}
	next := patch
	if !replace {
		next = maps.Clone(u.profile)
		if next == nil {
			next = map[string]any{}
		}
		for k, v := range patch {
			next[k] = v
		}
	}
	normalize(next)
	if causes := e.checkProfile(next, u.id); len(causes) > 0 {
		return profileFailure(causes)
	}
	login := next["login"].(string)
	if hasPw && cred.hash == nil && !meetsPolicy(cred.value, login) {
		return invalid("password", policyText)
	}
	delete(e.logins, strings.ToLower(u.login()))
	u.profile = next
	e.logins[strings.ToLower(login)] = u.id
	if hasPw {
		e.setCredential(u, cred)
		switch u.status {
		case provisioned, passwordExpired, recovery:
			e.setStatus(u, active)
		}
	}
	e.touch(u, true)
	return e.userReply(u, r)
}

// deleteUser is Okta's two-step delete: a user who is not DEPROVISIONED
// is deactivated, a DEPROVISIONED one is deleted, with its group
// memberships and role assignments. Both answer 204.
func (e *Emulator) deleteUser(_ *http.Request, p []string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(p[0])
	if u == nil {
		return notFound(p[0], "User")
	}
	if u.status != deprovisioned {
		e.deactivate(u)
		return noContent()
	}
	delete(e.users, u.id)
	delete(e.logins, strings.ToLower(u.login()))
	now := e.opts.Now()
	for _, g := range e.groups {
		if g.members[u.id] {
			delete(g.members, u.id)
			g.lastMembershipUpdated = now
		}
	}
	return noContent()
}
