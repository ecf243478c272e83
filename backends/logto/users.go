package logto

import (
	"context"
	"fmt"
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

const (
	maxPageSize     = 100
	defaultPageSize = 50
)

type directory struct {
	http     *httpx.Client
	roles    *roleCache
	orgRoles roleCache
	creates  createonce.Creator
}

func (d *directory) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true, Roles: true, RoleCatalog: true, UniqueEmail: true, UniquePhone: true,
		Organizations: true, OrganizationMetadata: true, OrganizationRoles: true, OrganizationPermissions: true,
		SetPassword: true, VerifyPassword: true, ChangePassword: true,
		PasswordHashes: slices.Clone(importedHashes), ExportPasswordHash: true,
		Factors: true, Identities: true, UnlinkIdentity: true, HasPassword: true,
		Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
	}
}

func (d *directory) Close() error { return nil }

// As sets target, a **Client, to the directory's Client; for any other
// target it reports false.
func (d *directory) As(target any) bool { return httpx.As(target, &Client{d.http}) }

// Format prints "logto.Client" for every verb, so that no form of a
// Client can show the token it sends.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, Scheme+".Client") }

// wireUser is the part of Logto's user the portable model reads.
type wireUser struct {
	ID           string         `json:"id"`
	Username     *string        `json:"username"`
	PrimaryEmail *string        `json:"primaryEmail"`
	PrimaryPhone *string        `json:"primaryPhone"`
	Name         *string        `json:"name"`
	CustomData   map[string]any `json:"customData"`
	Profile      struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"profile"`
	LastSignInAt *int64 `json:"lastSignInAt"`
	CreatedAt    int64  `json:"createdAt"`
	UpdatedAt    int64  `json:"updatedAt"`
	IsSuspended  bool   `json:"isSuspended"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// toUser reads a user decoded from an answer; its Raw is the user's JSON
// as it came, within the answer's body.
func toUser(j *httpx.JSON[wireUser]) (*identity.User, error) {
	w, raw := &j.Value, j.Raw
	if j.Err != nil || w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Logto returned a user the backend cannot read")
	}
	u := &identity.User{
		ID: w.ID, Username: str(w.Username), Email: str(w.PrimaryEmail), DisplayName: str(w.Name),
		GivenName: w.Profile.GivenName, FamilyName: w.Profile.FamilyName,
		Status: identity.StatusActive, NativeStatus: "active",
		CreatedAt: millis(w.CreatedAt), UpdatedAt: millis(w.UpdatedAt), Raw: raw,
	}
	u.EmailVerified = u.Email != ""
	if p := str(w.PrimaryPhone); p != "" {
		u.Phone = "+" + p
	}
	if w.IsSuspended {
		u.Status, u.NativeStatus = identity.StatusSuspended, "suspended"
	}
	if w.LastSignInAt != nil {
		u.LastSignInAt = millis(*w.LastSignInAt)
	}
	if len(w.CustomData) > 0 {
		u.Metadata = w.CustomData
	}
	return u, nil
}

// userFromBody reads a user from its JSON, as a request whose Out is an
// httpx.JSON[wireUser] does.
func userFromBody(body []byte) (*identity.User, error) {
	var j httpx.JSON[wireUser]
	if err := j.DecodeBody(body); err != nil {
		j.Err = err
	}
	return toUser(&j)
}

func userPath(id string, more ...string) string {
	return httpx.Path(append([]string{"api", "users", id}, more...)...)
}

// call sends a request whose answer is a user. idempotent marks a POST or
// PATCH as safe to send again.
func (d *directory) call(ctx context.Context, method, path string, body any, idempotent bool) (*identity.User, error) {
	j := new(httpx.JSON[wireUser])
	if _, err := d.http.Do(ctx, &httpx.Request{Method: method, Path: path, Body: body, Out: j, Idempotent: idempotent}); err != nil {
		return nil, err
	}
	return toUser(j)
}

// phone turns E.164 into Logto's digits-only form.
func phone(p string) string { return strings.TrimPrefix(p, "+") }

// CreateUser is POST /api/users. A PasswordHash goes as passwordDigest
// and passwordAlgorithm (see passwordDigest), which Logto keeps as sent
// until the first password that matches it, and then replaces with its
// own Argon2i hash of that password.
func (d *directory) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
	b := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			b[k] = v
		}
	}
	set("username", nu.Username)
	set("primaryEmail", nu.Email)
	set("primaryPhone", phone(nu.Phone))
	set("name", nu.DisplayName)
	set("password", string(nu.Password))
	if nu.PasswordHash != "" {
		digest, method, err := passwordDigest(nu.PasswordHash)
		if err != nil {
			return nil, err
		}
		b["passwordDigest"], b["passwordAlgorithm"] = digest, method
	}
	if nu.GivenName != "" || nu.FamilyName != "" {
		pr := map[string]string{}
		if nu.GivenName != "" {
			pr["givenName"] = nu.GivenName
		}
		if nu.FamilyName != "" {
			pr["familyName"] = nu.FamilyName
		}
		b["profile"] = pr
	}
	if len(nu.Metadata) > 0 {
		b["customData"] = nu.Metadata
	}
	return d.creates.User(ctx, nu, func(ctx context.Context) (*identity.User, error) {
		return d.call(ctx, http.MethodPost, httpx.Path("api", "users"), b, false)
	}, d.findFor)
}

// findFor looks a user up for createonce: Logto keeps usernames, emails
// and phones unique.
func (d *directory) findFor(ctx context.Context, f createonce.Field, v string) (*identity.User, error) {
	switch f {
	case createonce.Username:
		return d.FindUser(ctx, driver.ByUsername, v)
	case createonce.Email:
		return d.FindUser(ctx, driver.ByEmail, v)
	}
	q := url.Values{"page_size": {"2"}, "search.primaryPhone": {phone(v)}, "mode.primaryPhone": {"exact"}}
	users, _, err := d.listUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(users) != 1 {
		return nil, driver.Errorf(identity.NotFound, "no user with that phone")
	}
	return users[0], nil
}

func (d *directory) GetUser(ctx context.Context, id string) (*identity.User, error) {
	j := new(httpx.JSON[wireUser])
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: userPath(id), Route: "/api/users/{id}", Out: j}); err != nil {
		return nil, err
	}
	return toUser(j)
}

// FindUser searches in exact mode. Logto's exact mode ignores case unless
// told otherwise, which is right for emails; usernames match exactly.
func (d *directory) FindUser(ctx context.Context, by driver.Identifier, value string) (*identity.User, error) {
	q := url.Values{"page_size": {"2"}}
	field := "primaryEmail"
	if by == driver.ByUsername {
		field = "username"
		q.Set("isCaseSensitive", "true")
	}
	q.Set("search."+field, value)
	q.Set("mode."+field, "exact")
	users, _, err := d.listUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(users) != 1 {
		return nil, driver.Errorf(identity.NotFound, "no user with that %s", by)
	}
	return users[0], nil
}

// UpdateUser sends each part where Logto takes it: identifiers and name to
// the user, names to the profile (merged), metadata to custom-data.
func (d *directory) UpdateUser(ctx context.Context, id string, up identity.UserUpdate) (*identity.User, error) {
	main := map[string]any{}
	nullable := func(k string, v *string, conv func(string) string) {
		if v == nil {
			return
		}
		if *v == "" {
			main[k] = nil
			return
		}
		main[k] = conv(*v)
	}
	same := func(s string) string { return s }
	nullable("username", up.Username, same)
	nullable("primaryEmail", up.Email, same)
	nullable("primaryPhone", up.Phone, phone)
	nullable("name", up.DisplayName, same)

	// Every PATCH here sets fields to values (or merges the same keys
	// again), so sending one twice does what sending it once does.
	var u *identity.User
	var err error
	if len(main) > 0 {
		if u, err = d.call(ctx, http.MethodPatch, userPath(id), main, true); err != nil {
			return nil, err
		}
	}
	if up.GivenName != nil || up.FamilyName != nil {
		pr := map[string]string{}
		if up.GivenName != nil {
			pr["givenName"] = *up.GivenName
		}
		if up.FamilyName != nil {
			pr["familyName"] = *up.FamilyName
		}
		if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPatch, Path: userPath(id, "profile"), Body: map[string]any{"profile": pr}, Idempotent: true}); err != nil {
			return nil, err
		}
		u = nil
	}
	if len(up.Metadata) > 0 {
		if err := d.updateCustomData(ctx, id, up.Metadata); err != nil {
			return nil, err
		}
		u = nil
	}
	if u == nil {
		return d.GetUser(ctx, id)
	}
	return u, nil
}

func (d *directory) updateCustomData(ctx context.Context, id string, md map[string]any) error {
	removes := false
	for _, v := range md {
		removes = removes || v == nil
	}
	if !removes {
		// The server merges: concurrent updates of other keys survive.
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPatch, Path: userPath(id, "custom-data"), Body: map[string]any{"customData": md}, Idempotent: true})
		return err
	}
	// A removal cannot be expressed as a merge: read, merge, replace.
	var cur map[string]any
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: userPath(id, "custom-data"), Out: &cur}); err != nil {
		return err
	}
	if cur == nil {
		cur = map[string]any{}
	}
	for k, v := range md {
		if v == nil {
			delete(cur, k)
		} else {
			cur[k] = v
		}
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPatch, Path: userPath(id), Body: map[string]any{"customData": cur}, Idempotent: true})
	return err
}

// DeleteUser reads the user before deleting it. A delete that is sent
// again after a reset meets 404 when the first attempt went through, and
// that must count as success; the read keeps a user that never existed
// NotFound.
func (d *directory) DeleteUser(ctx context.Context, id string) error {
	if _, err := d.GetUser(ctx, id); err != nil {
		return err
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: userPath(id)})
	return httpx.DoneIfGone(err)
}

func (d *directory) setSuspended(ctx context.Context, id string, s bool) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPatch, Path: userPath(id, "is-suspended"), Body: map[string]bool{"isSuspended": s}, Idempotent: true})
	return err
}

func (d *directory) SuspendUser(ctx context.Context, id string) error {
	return d.setSuspended(ctx, id, true)
}

func (d *directory) ActivateUser(ctx context.Context, id string) error {
	return d.setSuspended(ctx, id, false)
}

// listUsers fetches one page and the total count.
func (d *directory) listUsers(ctx context.Context, q url.Values) ([]*identity.User, int, error) {
	var ws []httpx.JSON[wireUser]
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/users", Route: "/api/users", Query: q, Out: &ws})
	if err != nil {
		return nil, 0, err
	}
	total, err := strconv.Atoi(resp.Header.Get("Total-Number"))
	if err != nil {
		total = -1
	}
	users := make([]*identity.User, 0, len(ws))
	for i := range ws {
		u, err := toUser(&ws[i])
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	return users, total, nil
}

// Cursors carry the next page number, after a prefix that says which
// listing made them; a user listing's cursor also carries Logto's total
// when the cursor was made, and the last page that total makes, so that
// CursorAhead names no page past the end, and so that a page answered
// while the total was another than its predecessor's has a cursor of its
// own: the portable layer then fetches it again (see driver.PagesAhead).
const userCursor = "lg1."

// pageHint is what a user listing's cursor stands for: the page, and the
// last page and total as Logto said (0 when unknown).
type pageHint struct{ page, last, total int }

func encodeCursor(h pageHint) string {
	if h.last <= 0 {
		return pageCursor(userCursor, h.page)
	}
	return driver.EncodeCursor(userCursor, []byte(strconv.Itoa(h.page)+"/"+strconv.Itoa(h.last)+"/"+strconv.Itoa(h.total)))
}

// decodeCursor reads a user listing's cursor; a cursor of "page/last",
// from before totals were carried, has a total of 0.
func decodeCursor(s string) (pageHint, bool) {
	b, ok := driver.DecodeCursor(userCursor, s)
	if !ok {
		return pageHint{}, false
	}
	parts := strings.Split(string(b), "/")
	if len(parts) > 3 {
		return pageHint{}, false
	}
	var h pageHint
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 1 && p[0] == '0' || p == "" {
			return pageHint{}, false
		}
		switch i {
		case 0:
			h.page = n
		case 1:
			h.last = n
		case 2:
			h.total = n
		}
	}
	if h.page < 2 || len(parts) > 1 && h.last < h.page {
		return pageHint{}, false
	}
	return h, true
}

func pageCursor(prefix string, page int) string {
	return driver.EncodeCursor(prefix, []byte(strconv.Itoa(page)))
}

// cursorPage reads a cursor of pageCursor's; the first page has none.
func cursorPage(prefix, s string) (int, bool) {
	b, ok := driver.DecodeCursor(prefix, s)
	n, err := strconv.Atoi(string(b))
	return n, ok && err == nil && n >= 2
}

// CursorAhead implements driver.PagesAhead: Logto's pages are numbered,
// so the cursor of a later page is the same cursor with a larger number,
// up to the last page the cursor knows of. Before the first answer the
// number alone names a page: the request for it is the same.
func (d *directory) CursorAhead(_ identity.ListOptions, cursor string, n int) (string, bool) {
	if cursor == "" {
		return encodeCursor(pageHint{page: 1 + n}), n >= 1
	}
	h, ok := decodeCursor(cursor)
	if !ok || n < 1 || h.last == 0 || h.page+n > h.last {
		return "", false
	}
	h.page += n
	return encodeCursor(h), true
}

// CompareListed implements driver.ListingOrder: Logto lists users newest
// first by creation, so a user created while a listing runs moves the
// later pages down by one.
func (d *directory) CompareListed(a, b *identity.User) int {
	return b.CreatedAt.Compare(a.CreatedAt)
}

// ListUsers sends one filter to Logto and applies the rest to each page:
// Username (exact, case-sensitive) before Email (exact) before Query (like
// on email or username). Logto has no search on isSuspended, so Status is
// always applied here. Pages can therefore hold fewer users than
// PageSize. Logto lists newest first by page number, so users created
// while a listing runs shift later pages: the portable layer drops the
// users that come again (see CompareListed), and users deleted meanwhile
// can make a later user be left out.
func (d *directory) ListUsers(ctx context.Context, o identity.ListOptions, cursor string) (*identity.UserPage, error) {
	page := 1
	if cursor != "" {
		h, ok := decodeCursor(cursor)
		if !ok {
			return nil, driver.ForeignCursorError()
		}
		page = h.page
	}
	size := driver.PageSize(o.PageSize, defaultPageSize, maxPageSize)
	q := url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)}}
	switch {
	case o.Username != "":
		q.Set("search.username", o.Username)
		q.Set("mode.username", "exact")
		q.Set("isCaseSensitive", "true")
	case o.Email != "":
		q.Set("search.primaryEmail", o.Email)
		q.Set("mode.primaryEmail", "exact")
	case o.Query != "":
		pattern := "%" + o.Query + "%"
		q.Set("search.primaryEmail", pattern)
		q.Set("search.username", pattern)
		q.Set("mode", "like")
		q.Set("joint", "or")
	}
	users, total, err := d.listUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &identity.UserPage{Users: users[:0]}
	for _, u := range users {
		if keep(u, &o) {
			out.Users = append(out.Users, u)
		}
	}
	last := 0
	if total >= 0 {
		last = (total + size - 1) / size
	}
	if total < 0 && len(users) == size || total >= 0 && page*size < total {
		out.NextCursor = encodeCursor(pageHint{page + 1, last, max(total, 0)})
	}
	return out, nil
}

func keep(u *identity.User, o *identity.ListOptions) bool {
	q := strings.ToLower(o.Query)
	return (o.Username == "" || u.Username == o.Username) &&
		(o.Email == "" || strings.EqualFold(u.Email, o.Email)) &&
		(o.Status == "" || u.Status == o.Status) &&
		(q == "" || strings.Contains(strings.ToLower(u.Email), q) || strings.Contains(strings.ToLower(u.Username), q))
}

func (d *directory) SetPassword(ctx context.Context, id string, pw identity.Secret) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPatch, Path: userPath(id, "password"), Body: map[string]string{"password": string(pw)}, Idempotent: true})
	return err
}

func (d *directory) VerifyPassword(ctx context.Context, id string, pw identity.Secret) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: userPath(id, "password", "verify"), Body: map[string]string{"password": string(pw)}, Idempotent: true})
	return err
}

// ChangePassword checks the old password, then sets the new one: Logto's
// Management API has no single call for it.
func (d *directory) ChangePassword(ctx context.Context, id string, old, new identity.Secret) error {
	if err := d.VerifyPassword(ctx, id, old); err != nil {
		return err
	}
	return d.SetPassword(ctx, id, new)
}

func (d *directory) ExpirePassword(context.Context, string) error {
	return driver.UnsupportedError("ExpirePassword")
}
