package passagetest

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

type user struct {
	seq      int64
	id       string
	email    string
	phone    string
	status   string
	metadata map[string]any
	created  time.Time
	updated  time.Time
	devices  []*device
	// refreshTokens are the refresh tokens SignIn issued, until revoked.
	refreshTokens []string
}

// device is a registered WebAuthn device.
type device struct {
	id, credID, name, typ string
	created               time.Time
}

// json is the WebAuthnDevices object. The emulator never signs in, so a
// device's last login is its registration and its usage count 0; icons
// are null, as for an authenticator Passage has no artwork for
// (Unpublished).
func (d *device) json() map[string]any {
	return map[string]any{
		"id": d.id, "cred_id": d.credID, "friendly_name": d.name, "type": d.typ,
		"created_at": d.created.Format(timeFormat), "updated_at": d.created.Format(timeFormat),
		"last_login_at": d.created.Format(timeFormat), "usage_count": 0,
		"icons": map[string]any{"light": nil, "dark": nil},
	}
}

// failure is Passage's error body.
func failure(status int, code, msg string) emulate.Reply {
	return emulate.JSON(status, map[string]string{"code": code, "error": msg})
}

// fail writes Passage's error body.
func fail(w http.ResponseWriter, status int, code, msg string) { failure(status, code, msg).Write(w) }

// newRouter is the route table below /v1/apps/{app_id}/users. A path or
// method it does not serve is 404 user_not_found (Unpublished: Passage
// documents no 405).
func (e *Emulator) newRouter() *emulate.Router {
	notFound := func(w http.ResponseWriter) { fail(w, http.StatusNotFound, "user_not_found", "Not found.") }
	rt := &emulate.Router{
		CountPrefix:      "/v1/apps/{app_id}",
		NotFound:         func(w http.ResponseWriter, _ *http.Request) { notFound(w) },
		MethodNotAllowed: func(w http.ResponseWriter, _ *http.Request, _ []string) { notFound(w) },
	}
	const users = "/v1/apps/{app_id}/users"
	id := func(r *http.Request) string { return r.PathValue("id") }
	rt.Handle("GET "+users, e.list)
	rt.Handle("POST "+users, e.create)
	rt.Handle("GET "+users+"/{id}", func(w http.ResponseWriter, r *http.Request) { e.get(w, id(r)) })
	rt.Handle("PATCH "+users+"/{id}", func(w http.ResponseWriter, r *http.Request) { e.update(w, r, id(r)) })
	rt.Handle("DELETE "+users+"/{id}", func(w http.ResponseWriter, r *http.Request) { e.delete(w, id(r)) })
	rt.Handle("PATCH "+users+"/{id}/activate", func(w http.ResponseWriter, r *http.Request) { e.setStatus(w, id(r), "active") })
	rt.Handle("PATCH "+users+"/{id}/deactivate", func(w http.ResponseWriter, r *http.Request) { e.setStatus(w, id(r), "inactive") })
	rt.Handle("GET "+users+"/{id}/devices", func(w http.ResponseWriter, r *http.Request) { e.listDevices(w, id(r)) })
	rt.Handle("DELETE "+users+"/{id}/devices/{device_id}", func(w http.ResponseWriter, r *http.Request) {
		e.deleteDevice(w, id(r), r.PathValue("device_id"))
	})
	rt.Handle("DELETE "+users+"/{id}/tokens", func(w http.ResponseWriter, r *http.Request) { e.revokeTokens(w, id(r)) })
	return rt
}

// serve checks the API key and the app before routing, so that a bad key
// is 401 and another app 404 app_not_found on every path.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/apps/")
	if !ok {
		fail(w, http.StatusNotFound, "app_not_found", "Not found.")
		return
	}
	parts := strings.Split(rest, "/")
	auth := r.Header.Get("Authorization")
	key, isBearer := strings.CutPrefix(auth, "Bearer ")
	if !isBearer || subtle.ConstantTimeCompare([]byte(key), []byte(e.opts.APIKey)) != 1 {
		fail(w, http.StatusUnauthorized, "invalid_access_token", "Invalid access token.")
		return
	}
	if app, err := url.PathUnescape(parts[0]); err != nil || app != e.opts.AppID {
		fail(w, http.StatusNotFound, "app_not_found", "App not found.")
		return
	}
	if len(parts) < 2 || parts[1] != "users" {
		fail(w, http.StatusNotFound, "app_not_found", "Not found.")
		return
	}
	e.router.ServeHTTP(w, r)
}

func newID() string { return emulate.ID(emulate.Base62, 24) }

const timeFormat = time.RFC3339Nano

func (u *user) json(full bool) map[string]any {
	var md any // null when the user has none, as the schema allows
	if len(u.metadata) > 0 {
		md = u.metadata
	}
	m := map[string]any{
		"id": u.id, "email": u.email, "email_verified": false, "phone": u.phone, "phone_verified": false,
		"status": u.status, "user_metadata": md,
		"created_at": u.created.Format(timeFormat), "updated_at": u.updated.Format(timeFormat),
		"last_login_at": time.Time{}.Format(timeFormat), "login_count": 0, "external_id": "",
	}
	if full {
		devices, types := []any{}, []any{}
		for _, d := range u.devices {
			devices = append(devices, d.json())
			if !slices.Contains(types, any(d.typ)) {
				types = append(types, d.typ)
			}
		}
		m["recent_events"] = []any{}
		m["social_connections"] = map[string]any{}
		m["webauthn"] = len(u.devices) > 0
		m["webauthn_devices"] = devices
		m["webauthn_types"] = types
	}
	return m
}

// withUser works out the answer from the user with id holding the lock,
// or answers 404 user_not_found; the answer is written after the lock is
// released, so that a slow client never holds the emulator up.
func (e *Emulator) withUser(w http.ResponseWriter, id string, fn func(*user) emulate.Reply) {
	e.mu.Lock()
	rp := failure(http.StatusNotFound, "user_not_found", "User not found.")
	if u, ok := e.users[id]; ok {
		rp = fn(u)
	}
	e.mu.Unlock()
	rp.Write(w)
}

// userReply is 200 {"user": ...}, the answer of get, update and the
// status changes.
func userReply(u *user) emulate.Reply {
	return emulate.JSON(http.StatusOK, map[string]any{"user": u.json(true)})
}

// listDevices answers 200 {"devices": [...]}, oldest first.
func (e *Emulator) listDevices(w http.ResponseWriter, id string) {
	e.withUser(w, id, func(u *user) emulate.Reply {
		out := []map[string]any{}
		for _, d := range u.devices {
			out = append(out, d.json())
		}
		return emulate.JSON(http.StatusOK, map[string]any{"devices": out})
	})
}

// deleteDevice answers 200 with an empty body, 404 device_not_found for a
// device the user does not have.
func (e *Emulator) deleteDevice(w http.ResponseWriter, id, deviceID string) {
	e.withUser(w, id, func(u *user) emulate.Reply {
		i := slices.IndexFunc(u.devices, func(d *device) bool { return d.id == deviceID })
		if i < 0 {
			return failure(http.StatusNotFound, "device_not_found", "Device not found.")
		}
		u.devices = slices.Delete(u.devices, i, i+1)
		u.updated = e.opts.Now().UTC()
		return emulate.Empty(http.StatusOK)
	})
}

// revokeTokens revokes every refresh token of the user's and answers 200
// with an empty body, also when there was none.
func (e *Emulator) revokeTokens(w http.ResponseWriter, id string) {
	e.withUser(w, id, func(u *user) emulate.Reply {
		u.refreshTokens = nil
		return emulate.Empty(http.StatusOK)
	})
}

// body is the create and update request: {email?, phone?, user_metadata?}.
// A present user_metadata key set to null removes that field
// (Unpublished: the merge rule of PATCH user_metadata).
type body struct {
	Email    *string         `json:"email"`
	Phone    *string         `json:"phone"`
	Metadata json.RawMessage `json:"user_metadata"`
}

func readBody(w http.ResponseWriter, r *http.Request) (*body, bool) {
	var b body
	if err := emulate.ReadJSON(r, &b); err != nil {
		fail(w, http.StatusBadRequest, "invalid_request", "invalid or oversized JSON body")
		return nil, false
	}
	return &b, true
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t\r\n<>")
}

func validPhone(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// metadata decodes and checks user_metadata against the app's schema.
func (e *Emulator) metadata(w http.ResponseWriter, raw json.RawMessage) (map[string]any, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var md map[string]any
	if err := json.Unmarshal(raw, &md); err != nil {
		fail(w, http.StatusBadRequest, "invalid_request", "user_metadata must be an object")
		return nil, false
	}
	for k, v := range md {
		t, ok := e.opts.MetadataFields[k]
		if !ok {
			fail(w, http.StatusNotFound, "metadata_field_not_found", fmt.Sprintf("metadata field %q not found", k))
			return nil, false
		}
		if v != nil && !t.accepts(v) {
			fail(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("metadata field %q must be a %s", k, t))
			return nil, false
		}
	}
	return md, true
}

func (t FieldType) accepts(v any) bool {
	switch t {
	case Boolean:
		_, ok := v.(bool)
		return ok
	case Integer:
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case Email:
		s, ok := v.(string)
		return ok && validEmail(s)
	case Phone:
		s, ok := v.(string)
		return ok && validPhone(s)
	case Date:
		s, ok := v.(string)
		_, err := time.Parse("2006-01-02", s)
		return ok && err == nil
	default:
		_, ok := v.(string)
		return ok
	}
}

// taken reports whether another user holds the email or phone. Callers
// hold e.mu.
func (e *Emulator) taken(id, email, phone string) bool {
	for _, u := range e.users {
		if u.id != id && (email != "" && u.email == email || phone != "" && u.phone == phone) {
			return true
		}
	}
	return false
}

// create answers 201 {"user": ...}. A duplicate email or phone gets 400
// invalid_request (Unpublished: the spec lists no 409 and no dedicated
// code).
func (e *Emulator) create(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	var email, phone string
	if b.Email != nil {
		email = strings.ToLower(strings.TrimSpace(*b.Email))
	}
	if b.Phone != nil {
		phone = *b.Phone
	}
	if email == "" && phone == "" {
		fail(w, http.StatusBadRequest, "invalid_request", "email or phone is required")
		return
	}
	if email != "" && !validEmail(email) || phone != "" && !validPhone(phone) {
		fail(w, http.StatusBadRequest, "invalid_request", "invalid email or phone")
		return
	}
	md, ok := e.metadata(w, b.Metadata)
	if !ok {
		return
	}
	for k, v := range md {
		if v == nil {
			delete(md, k)
		}
	}
	now := e.opts.Now().UTC()
	e.mu.Lock()
	if e.taken("", email, phone) {
		e.mu.Unlock()
		fail(w, http.StatusBadRequest, "invalid_request", "a user with this identifier already exists")
		return
	}
	e.seq++
	// Passage creates users active (Unpublished: when "pending" applies).
	u := &user{seq: e.seq, id: newID(), email: email, phone: phone, status: "active", metadata: md, created: now, updated: now}
	e.users[u.id] = u
	out := u.json(true)
	e.mu.Unlock()
	emulate.WriteJSON(w, http.StatusCreated, map[string]any{"user": out})
}

func (e *Emulator) get(w http.ResponseWriter, id string) { e.withUser(w, id, userReply) }

func (e *Emulator) update(w http.ResponseWriter, r *http.Request, id string) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	md, ok := e.metadata(w, b.Metadata)
	if !ok {
		return
	}
	e.withUser(w, id, func(u *user) emulate.Reply {
		email, phone := u.email, u.phone
		if b.Email != nil {
			email = strings.ToLower(strings.TrimSpace(*b.Email))
		}
		if b.Phone != nil {
			phone = *b.Phone
		}
		switch {
		case email != "" && !validEmail(email) || phone != "" && !validPhone(phone):
			return failure(http.StatusBadRequest, "invalid_request", "invalid email or phone")
		case email == "" && phone == "":
			return failure(http.StatusBadRequest, "invalid_request", "a user needs an email or a phone")
		case e.taken(id, email, phone):
			return failure(http.StatusBadRequest, "invalid_request", "a user with this identifier already exists")
		}
		u.email, u.phone = email, phone
		if len(md) > 0 {
			next := maps.Clone(u.metadata)
			if next == nil {
				next = make(map[string]any, len(md))
			}
			for k, v := range md {
				if v == nil {
					delete(next, k)
				} else {
					next[k] = v
				}
			}
			u.metadata = next
		}
		u.updated = e.opts.Now().UTC()
		return userReply(u)
	})
}

// delete answers 200 with an empty body.
func (e *Emulator) delete(w http.ResponseWriter, id string) {
	e.withUser(w, id, func(u *user) emulate.Reply {
		delete(e.users, u.id)
		return emulate.Empty(http.StatusOK)
	})
}

// setStatus serves activate and deactivate. Repeating either succeeds
// (Unpublished).
func (e *Emulator) setStatus(w http.ResponseWriter, id, status string) {
	e.withUser(w, id, func(u *user) emulate.Reply {
		if u.status != status {
			u.status, u.updated = status, e.opts.Now().UTC()
		}
		return userReply(u)
	})
}

// filter is one of the documented list filters: an optional operator
// prefix (ne:, gt:, lt:, like:, not_like:) and a value.
type filter struct {
	field, op, value string
}

var filterFields = []string{"identifier", "id", "login_count", "status", "created_at", "updated_at", "last_login_at"}

func parseFilter(field, raw string) filter {
	for _, op := range []string{"not_like", "like", "ne", "gt", "lt"} {
		if v, ok := strings.CutPrefix(raw, op+":"); ok {
			return filter{field, op, v}
		}
	}
	return filter{field, "eq", raw}
}

const filterTimeFormat = "2006-01-02T15:04:05.000000Z"

func (f filter) matches(u *user) bool {
	var vals []string
	var num bool
	var at time.Time
	switch f.field {
	case "identifier":
		vals = []string{u.email, u.phone}
	case "id":
		vals = []string{u.id}
	case "status":
		vals = []string{u.status}
	case "login_count":
		vals, num = []string{"0"}, true
	case "created_at":
		at = u.created
	case "updated_at":
		at = u.updated
	case "last_login_at":
		at = time.Time{}
	}
	// On a timestamp or a count, like and not_like test equality
	// (Unpublished).
	op := f.op
	if op == "like" || op == "not_like" {
		op = "eq"
	}
	if vals == nil {
		want, err := time.Parse(filterTimeFormat, f.value)
		return err == nil && emulate.Compare(op, at.Compare(want))
	}
	if num {
		have, _ := strconv.Atoi(vals[0])
		want, err := strconv.Atoi(f.value)
		return err == nil && emulate.Compare(op, cmp.Compare(have, want))
	}
	anyOf := func(pred func(string) bool) bool {
		return slices.ContainsFunc(vals, func(v string) bool { return v != "" && pred(v) })
	}
	switch f.op {
	case "like":
		return anyOf(func(v string) bool { return emulate.Like(f.value, v, false) })
	case "not_like":
		return !anyOf(func(v string) bool { return emulate.Like(f.value, v, false) })
	case "ne":
		return !anyOf(func(v string) bool { return strings.EqualFold(v, f.value) })
	case "gt":
		return anyOf(func(v string) bool { return v > f.value })
	case "lt":
		return anyOf(func(v string) bool { return v < f.value })
	}
	return anyOf(func(v string) bool { return strings.EqualFold(v, f.value) })
}

// list serves GET /users. Without order_by users come oldest first
// (Unpublished). Without created_before the anchor is the end of the
// current second, so that users created before the call are all in it;
// users created after the anchor are left out of every page of the
// listing, which keeps it stable.
func (e *Emulator) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	intParam := func(name string, def int) (int, bool) {
		s := q.Get(name)
		if s == "" {
			return def, true
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fail(w, http.StatusBadRequest, "invalid_request", name+" must be a positive integer")
			return 0, false
		}
		return n, true
	}
	page, ok := intParam("page", 1)
	if !ok {
		return
	}
	limit, ok := intParam("limit", e.opts.DefaultPageSize)
	if !ok {
		return
	}
	if limit > e.opts.MaxPageSize {
		fail(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("limit must be at most %d", e.opts.MaxPageSize))
		return
	}
	anchor := e.opts.Now().Unix() + 1
	if s := q.Get("created_before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fail(w, http.StatusBadRequest, "invalid_request", "created_before must be a Unix timestamp")
			return
		}
		anchor = n
	}
	var filters []filter
	for _, f := range filterFields {
		for _, v := range q[f] {
			filters = append(filters, parseFilter(f, v))
		}
	}
	type order struct {
		field string
		desc  bool
	}
	var orders []order
	if s := q.Get("order_by"); s != "" {
		for _, term := range strings.Split(s, ",") {
			field, dir, _ := strings.Cut(term, ":")
			if !slices.Contains([]string{"id", "email", "phone", "status", "login_count", "created_at", "updated_at", "last_login_at"}, field) ||
				(dir != "" && !strings.EqualFold(dir, "ASC") && !strings.EqualFold(dir, "DESC")) {
				fail(w, http.StatusBadRequest, "invalid_request", "cannot order by "+term)
				return
			}
			orders = append(orders, order{field, strings.EqualFold(dir, "DESC")})
		}
	}

	e.mu.Lock()
	var hits []*user
	for _, u := range e.users {
		if u.created.Unix() >= anchor {
			continue
		}
		keep := true
		for _, f := range filters {
			if !f.matches(u) {
				keep = false
				break
			}
		}
		if keep {
			hits = append(hits, u)
		}
	}
	key := func(u *user, field string) string {
		switch field {
		case "id":
			return u.id
		case "email":
			return u.email
		case "phone":
			return u.phone
		case "status":
			return u.status
		case "updated_at":
			return fmt.Sprintf("%020d", u.updated.UnixNano())
		case "created_at":
			return fmt.Sprintf("%020d", u.created.UnixNano())
		}
		return ""
	}
	// seq is unique, so the order is total and needs no stable sort.
	slices.SortFunc(hits, func(x, y *user) int {
		for _, o := range orders {
			if c := strings.Compare(key(x, o.field), key(y, o.field)); c != 0 {
				if o.desc {
					return -c
				}
				return c
			}
		}
		return cmp.Compare(x.seq, y.seq)
	})
	total := len(hits)
	start := min((page-1)*limit, total)
	end := min(start+limit, total)
	items := make([]map[string]any, 0, end-start)
	for _, u := range hits[start:end] {
		items = append(items, u.json(false))
	}
	e.mu.Unlock()

	last := max(1, (total+limit-1)/limit)
	link := func(p int) map[string]string {
		if p < 1 || p > last {
			// Unpublished: what next and previous hold past the ends; the
			// schema requires them, so they are present and empty.
			return map[string]string{"href": ""}
		}
		lq := url.Values{}
		for k, v := range q {
			lq[k] = v
		}
		lq.Set("page", strconv.Itoa(p))
		lq.Set("limit", strconv.Itoa(limit))
		lq.Set("created_before", strconv.FormatInt(anchor, 10))
		return map[string]string{"href": "/v1/apps/" + e.opts.AppID + "/users?" + lq.Encode()}
	}
	emulate.WriteJSON(w, http.StatusOK, map[string]any{
		"users": items, "created_before": anchor, "limit": limit, "page": page, "total_users": total,
		"_links": map[string]any{"first": link(1), "last": link(last), "next": link(page + 1), "previous": link(page - 1), "self": link(page)},
	})
}
