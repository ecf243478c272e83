package passage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/metaroles"
)

const (
	maxPageSize     = 500
	defaultPageSize = 100
)

type directory struct {
	opts             Options
	appPath          []string
	http             *httpx.Client
	*metaroles.Roles // nil unless roles mode
	creates          createonce.Creator
}

func (d *directory) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Phone: true, Metadata: true, Roles: d.Roles != nil, RoleCatalog: d.Roles != nil, UniqueEmail: true, UniquePhone: true,
		RevokeSessions: true, Factors: true,
		Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended},
	}
}

func (d *directory) Close() error { return nil }

// As sets target, a **Client, to the directory's Client; for any other
// target it reports false.
func (d *directory) As(target any) bool { return httpx.As(target, &Client{d.http}) }

// Format prints "passage.Client" for every verb, so that no form of a
// Client can show the API key it sends.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, Scheme+".Client") }

func (d *directory) path(more ...string) string {
	return httpx.Path(append(append([]string(nil), d.appPath...), more...)...)
}

// wireUser is the part of Passage's UserInfo the portable model reads.
type wireUser struct {
	ID            string         `json:"id"`
	Email         string         `json:"email"`
	EmailVerified bool           `json:"email_verified"`
	Phone         string         `json:"phone"`
	Status        string         `json:"status"`
	Metadata      map[string]any `json:"user_metadata"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	LastLoginAt   time.Time      `json:"last_login_at"`
}

var statuses = map[string]identity.Status{
	"active":   identity.StatusActive,
	"inactive": identity.StatusSuspended,
	"pending":  identity.StatusPending,
}

// toUser reads a user decoded from an answer; its Raw is the user's JSON
// as it came, within the answer's body. The decoded metadata becomes the
// user's own, less the roles field.
func (d *directory) toUser(j *httpx.JSON[wireUser]) (*identity.User, error) {
	w := &j.Value
	if j.Err != nil || w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Passage returned a user the backend cannot read")
	}
	st, ok := statuses[w.Status]
	if !ok {
		return nil, driver.Errorf(identity.Internal, "Passage returned the unknown status %q", w.Status)
	}
	u := &identity.User{
		ID: w.ID, Email: w.Email, EmailVerified: w.EmailVerified, Phone: w.Phone,
		Status: st, NativeStatus: w.Status, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		Raw: j.Raw,
	}
	if w.LastLoginAt.Year() > 1 {
		u.LastSignInAt = w.LastLoginAt
	}
	if d.Roles != nil {
		delete(w.Metadata, d.opts.RolesField) // roles are read through the role methods
	}
	if len(w.Metadata) > 0 {
		u.Metadata = w.Metadata
	}
	w.Metadata = nil
	return u, nil
}

// userFromBody reads a user from its JSON, as a request whose Out is an
// httpx.JSON[wireUser] does.
func (d *directory) userFromBody(body []byte) (*identity.User, error) {
	var j httpx.JSON[wireUser]
	if err := j.DecodeBody(body); err != nil {
		j.Err = err
	}
	return d.toUser(&j)
}

// userEnvelope is {"user": UserInfo}.
type userEnvelope struct {
	User httpx.JSON[wireUser] `json:"user"`
}

// do sends a request whose answer is a user. Every PATCH this backend
// sends sets fields to values, so PATCHes are marked safe to send again;
// the POST that creates a user is not.
func (d *directory) do(ctx context.Context, method, path string, query url.Values, body any) (*identity.User, error) {
	var env userEnvelope
	req := &httpx.Request{Method: method, Path: path, Query: query, Body: body, Out: &env, Idempotent: method == http.MethodPatch}
	if _, err := d.http.Do(ctx, req); err != nil {
		return nil, err
	}
	if env.User.Raw == nil {
		return nil, driver.Errorf(identity.Internal, "Passage answered without a user")
	}
	return d.toUser(&env.User)
}

// checkMetadataKeys refuses the roles field as ordinary metadata, so that
// roles change only through the role methods.
func (d *directory) checkMetadataKeys(md map[string]any) error {
	if d.Roles != nil {
		if _, ok := md[d.opts.RolesField]; ok {
			return driver.InvalidArgumentError("Metadata."+d.opts.RolesField, "%q holds the user's roles; use AssignRole and RevokeRole", d.opts.RolesField)
		}
	}
	return nil
}

type userBody struct {
	Email    *string        `json:"email,omitempty"`
	Phone    *string        `json:"phone,omitempty"`
	Metadata map[string]any `json:"user_metadata,omitempty"`
}

func (d *directory) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
	if err := d.checkMetadataKeys(nu.Metadata); err != nil {
		return nil, err
	}
	b := userBody{Metadata: nu.Metadata}
	if nu.Email != "" {
		b.Email = &nu.Email
	}
	if nu.Phone != "" {
		b.Phone = &nu.Phone
	}
	return d.creates.User(ctx, nu, func(ctx context.Context) (*identity.User, error) {
		u, err := d.do(ctx, http.MethodPost, d.path(), nil, b)
		if err != nil {
			return nil, d.duplicate(ctx, err, "", nu.Email, nu.Phone)
		}
		return u, nil
	}, d.findFor)
}

// findFor looks a user up for createonce by email or phone, which Passage
// keeps unique.
func (d *directory) findFor(ctx context.Context, f createonce.Field, v string) (*identity.User, error) {
	switch f {
	case createonce.Email:
		return d.FindUser(ctx, driver.ByEmail, v)
	case createonce.Phone:
		u, err := d.findIdentifier(ctx, v)
		if err != nil {
			return nil, err
		}
		if u.Phone != v {
			return nil, driver.Errorf(identity.NotFound, "no user with that phone")
		}
		return u, nil
	}
	return nil, driver.UnsupportedError("lookup by " + string(f))
}

// duplicate turns Passage's generic 400 for a taken identifier into
// AlreadyExists. Passage publishes no code for it, so the backend asks:
// if another user holds the email or phone, that was the reason.
func (d *directory) duplicate(ctx context.Context, err error, self, email, phone string) error {
	var ie *identity.Error
	if identity.CodeOf(err) != identity.InvalidArgument || !asError(err, &ie) || ie.ProviderCode != "invalid_request" {
		return err
	}
	for field, ident := range map[string]string{"Email": strings.ToLower(email), "Phone": phone} {
		if ident == "" {
			continue
		}
		other, ferr := d.findIdentifier(ctx, ident)
		if ferr == nil && other.ID != self {
			return &identity.Error{Code: identity.AlreadyExists, Field: field, Message: field + " is already in use",
				HTTPStatus: ie.HTTPStatus, ProviderCode: ie.ProviderCode, RequestID: ie.RequestID}
		}
	}
	return err
}

func (d *directory) GetUser(ctx context.Context, id string) (*identity.User, error) {
	return d.do(ctx, http.MethodGet, d.path(id), nil, nil)
}

// findIdentifier returns the user whose email or phone is exactly ident,
// as Passage's SDKs look users up.
func (d *directory) findIdentifier(ctx context.Context, ident string) (*identity.User, error) {
	page, err := d.listPage(ctx, url.Values{"identifier": {ident}, "limit": {"1"}})
	if err != nil {
		return nil, err
	}
	if len(page.Users) == 0 {
		return nil, driver.Errorf(identity.NotFound, "no user with that identifier")
	}
	return d.toUser(&page.Users[0])
}

func (d *directory) FindUser(ctx context.Context, by driver.Identifier, value string) (*identity.User, error) {
	// Usernames are not a capability, so only ByEmail reaches here.
	u, err := d.findIdentifier(ctx, strings.ToLower(value))
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(u.Email, value) {
		return nil, driver.Errorf(identity.NotFound, "no user with that email")
	}
	return u, nil
}

func (d *directory) UpdateUser(ctx context.Context, id string, up identity.UserUpdate) (*identity.User, error) {
	if err := d.checkMetadataKeys(up.Metadata); err != nil {
		return nil, err
	}
	b := userBody{Email: up.Email, Phone: up.Phone, Metadata: up.Metadata}
	u, err := d.do(ctx, http.MethodPatch, d.path(id), nil, b)
	if err != nil {
		var email, phone string
		if up.Email != nil {
			email = *up.Email
		}
		if up.Phone != nil {
			phone = *up.Phone
		}
		return nil, d.duplicate(ctx, err, id, email, phone)
	}
	return u, nil
}

// DeleteUser reads the user before deleting it. A delete that is sent
// again after a reset meets 404 when the first attempt went through, and
// that must count as success; the read keeps a user that never existed
// NotFound.
func (d *directory) DeleteUser(ctx context.Context, id string) error {
	if _, err := d.rawUser(ctx, id); err != nil {
		return err
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: d.path(id)})
	return httpx.DoneIfGone(err)
}

func (d *directory) SuspendUser(ctx context.Context, id string) error {
	_, err := d.do(ctx, http.MethodPatch, d.path(id, "deactivate"), nil, nil)
	return err
}

func (d *directory) ActivateUser(ctx context.Context, id string) error {
	_, err := d.do(ctx, http.MethodPatch, d.path(id, "activate"), nil, nil)
	return err
}

// listEnvelope is Passage's paginated list.
type listEnvelope struct {
	Users         []httpx.JSON[wireUser] `json:"users"`
	CreatedBefore int64                  `json:"created_before"`
	Limit         int                    `json:"limit"`
	Page          int                    `json:"page"`
	Total         int64                  `json:"total_users"`
}

func (d *directory) listPage(ctx context.Context, q url.Values) (*listEnvelope, error) {
	var env listEnvelope
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: d.path(), Query: q, Out: &env}); err != nil {
		return nil, err
	}
	return &env, nil
}

// cursor is where the next page starts: its number and the anchor that
// keeps the listing stable while users are created, and Passage's total
// when the cursor was made with the last page it makes (0 when unknown),
// so that CursorAhead names no page past the end, and so that a page
// answered while the total was another than its predecessor's (a user
// deleted between the two) has a cursor of its own: the portable layer
// then fetches it again (see driver.PagesAhead). Anchor is 0 in a cursor
// CursorAhead makes before the first answer: Passage then anchors the
// page itself, as it does the first.
type cursor struct {
	Page   int   `json:"p"`
	Anchor int64 `json:"a"`
	Last   int   `json:"l,omitempty"`
	Total  int64 `json:"t,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return driver.EncodeCursor("ps1.", b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, ok := driver.DecodeCursor("ps1.", s)
	if !ok || json.Unmarshal(b, &c) != nil || c.Page < 2 || c.Anchor < 0 || c.Last != 0 && c.Last < c.Page || c.Total < 0 {
		return cursor{}, false
	}
	return c, true
}

// CursorAhead implements driver.PagesAhead: Passage's pages are numbered
// under one anchor, so the cursor of a later page is the same cursor with
// a larger number, up to the last page the cursor knows of. Before the
// first answer a page has no anchor yet: Passage anchors it at the
// second it is asked for, which for pages asked for together with the
// first is, but for the turn of a second, the first page's anchor; a
// page anchored otherwise names another cursor after it, and is asked
// for again.
func (d *directory) CursorAhead(_ identity.ListOptions, cur string, n int) (string, bool) {
	if cur == "" {
		return cursor{Page: 1 + n}.encode(), n >= 1
	}
	c, ok := decodeCursor(cur)
	if !ok || n < 1 || c.Last == 0 || c.Page+n > c.Last {
		return "", false
	}
	c.Page += n
	return c.encode(), true
}

var statusWords = map[identity.Status]string{
	identity.StatusActive: "active", identity.StatusSuspended: "inactive", identity.StatusPending: "pending",
}

// ListUsers maps the filters onto Passage's: Email onto an exact
// identifier, Status onto status, and Query onto identifier=like:%q%.
// Passage's identifier also matches phones and its LIKE treats % and _ as
// wildcards, so the backend keeps only users whose email really contains
// the query; such pages can hold fewer users than PageSize.
func (d *directory) ListUsers(ctx context.Context, o identity.ListOptions, cur string) (*identity.UserPage, error) {
	q := url.Values{"limit": {strconv.Itoa(driver.PageSize(o.PageSize, defaultPageSize, maxPageSize))}, "page": {"1"}}
	if cur != "" {
		c, ok := decodeCursor(cur)
		if !ok {
			return nil, driver.ForeignCursorError()
		}
		q.Set("page", strconv.Itoa(c.Page))
		if c.Anchor > 0 {
			q.Set("created_before", strconv.FormatInt(c.Anchor, 10))
		}
	}
	switch {
	case o.Email != "":
		q.Set("identifier", strings.ToLower(o.Email))
	case o.Query != "":
		q.Set("identifier", "like:%"+strings.ToLower(o.Query)+"%")
	}
	if o.Status != "" {
		q.Set("status", statusWords[o.Status])
	}
	env, err := d.listPage(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &identity.UserPage{Users: make([]*identity.User, 0, len(env.Users))}
	for i := range env.Users {
		u, err := d.toUser(&env.Users[i])
		if err != nil {
			return nil, err
		}
		if o.Email != "" && !strings.EqualFold(u.Email, o.Email) {
			continue
		}
		if o.Query != "" && !strings.Contains(strings.ToLower(u.Email), strings.ToLower(o.Query)) {
			continue
		}
		page.Users = append(page.Users, u)
	}
	if env.Limit > 0 && int64(env.Page)*int64(env.Limit) < env.Total {
		last := (env.Total + int64(env.Limit) - 1) / int64(env.Limit)
		page.NextCursor = cursor{Page: env.Page + 1, Anchor: env.CreatedBefore, Last: int(min(last, 1<<30)), Total: env.Total}.encode()
	}
	return page, nil
}
