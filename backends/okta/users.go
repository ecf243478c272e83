package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

const (
	maxPageSize     = 200 // Okta's maximum for GET /api/v1/users
	defaultPageSize = 200
	// maxConflicts bounds how often an If-Match write is retried after
	// another writer changed the user between the read and the write.
	maxConflicts = 10
)

type directory struct {
	roleMapping
	catalog driver.RoleCatalog // nil in admin-role mode
	http    *httpx.Client
	authn   *httpx.Client
	creates createonce.Creator
	// orgPrefix starts the names of the groups that are organizations.
	orgPrefix string
	// namesOptional: the org's profile does not require firstName and
	// lastName (Options.NamesOptional).
	namesOptional bool
}

func (d *directory) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
		EmailRequired: true, PendingCreate: true, PendingUntilPassword: true, Roles: true, RoleCatalog: d.catalog != nil,
		Organizations: true, UniqueOrganizationName: true, OrganizationMetadata: true,
		SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
		PasswordHashes: importedHashList(),
		RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, Deprovision: true, HasPassword: true,
		ResetPasswordLink: true, ResetPasswordTemporary: true,
		Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended,
			identity.StatusLocked, identity.StatusDeprovisioned},
	}
}

func (d *directory) Close() error { return nil }

// As sets target, a **Client, to the directory's Client; for any other
// target it reports false.
func (d *directory) As(target any) bool { return httpx.As(target, &Client{d.http}) }

// Format prints "okta.Client" for every verb, so that no form of a
// Client can show the credential it sends.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, Scheme+".Client") }

// The profile properties the portable fields map to. Every other property
// is metadata.
const (
	propLogin       = "login"
	propEmail       = "email"
	propPhone       = "mobilePhone"
	propFirstName   = "firstName"
	propLastName    = "lastName"
	propDisplayName = "displayName"
)

func isMapped(k string) bool {
	switch k {
	case propLogin, propEmail, propPhone, propFirstName, propLastName, propDisplayName:
		return true
	}
	return false
}

// wireUser is the part of Okta's user the portable model reads.
type wireUser struct {
	ID          string         `json:"id"`
	Status      string         `json:"status"`
	Created     time.Time      `json:"created"`
	LastUpdated time.Time      `json:"lastUpdated"`
	LastLogin   time.Time      `json:"lastLogin"`
	Profile     map[string]any `json:"profile"`
	Credentials struct {
		Password *struct{} `json:"password"`
	} `json:"credentials"`
}

// statuses maps Okta's user statuses to portable ones. RECOVERY is
// Pending: a reset_password puts the user there, and Okta's reference says
// the user then cannot sign in until the reset is completed, which is
// what Pending means (not yet able to sign in, waiting for a password),
// whereas Active means able to sign in.
var statuses = map[string]identity.Status{
	"STAGED":           identity.StatusPending,
	"PROVISIONED":      identity.StatusPending,
	"RECOVERY":         identity.StatusPending,
	"ACTIVE":           identity.StatusActive,
	"PASSWORD_EXPIRED": identity.StatusActive,
	"SUSPENDED":        identity.StatusSuspended,
	"LOCKED_OUT":       identity.StatusLocked,
	"DEPROVISIONED":    identity.StatusDeprovisioned,
}

// checkUser refuses a user the backend cannot read: err is what decoding
// it reported.
func checkUser(w *wireUser, err error) error {
	if err != nil || w.ID == "" {
		return driver.Errorf(identity.Internal, "Okta returned a user the backend cannot read")
	}
	if _, ok := statuses[w.Status]; !ok {
		return driver.Errorf(identity.Internal, "Okta returned a user with an unknown status %q", truncate(w.Status))
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// toUser reads a user decoded from an answer; its Raw is the user's JSON
// as it came, within the answer's body.
func toUser(j *httpx.JSON[wireUser]) (*identity.User, error) {
	if err := checkUser(&j.Value, j.Err); err != nil {
		return nil, err
	}
	return j.Value.portable(j.Raw), nil
}

// userFromBody reads a user from its JSON, as a request whose Out is an
// httpx.JSON[wireUser] does.
func userFromBody(body []byte) (*identity.User, error) {
	var j httpx.JSON[wireUser]
	if err := j.DecodeBody(body); err != nil {
		return nil, checkUser(&j.Value, err)
	}
	return toUser(&j)
}

// portable makes the portable user of w, whose profile it takes as the
// user's metadata: the mapped properties and unset ones are removed from
// it, so that w.Profile must not be used afterwards.
func (w *wireUser) portable(raw json.RawMessage) *identity.User {
	s := func(k string) string {
		v, _ := w.Profile[k].(string)
		return v
	}
	u := &identity.User{
		ID: w.ID, Username: s(propLogin), Email: s(propEmail), Phone: s(propPhone),
		GivenName: s(propFirstName), FamilyName: s(propLastName), DisplayName: s(propDisplayName),
		Status: statuses[w.Status], NativeStatus: w.Status,
		CreatedAt: w.Created, UpdatedAt: w.LastUpdated, LastSignInAt: w.LastLogin, Raw: raw,
	}
	for k, v := range w.Profile {
		if isMapped(k) || v == nil {
			delete(w.Profile, k)
		}
	}
	if len(w.Profile) > 0 {
		// Decoded for this user alone: it becomes the metadata as it is,
		// rather than being copied into a map of its own.
		u.Metadata = w.Profile
	}
	w.Profile = nil
	return u
}

func (w *wireUser) hasPassword() bool { return w.Credentials.Password != nil }

// The route templates of user paths, for traces.
const (
	usersRoute = "/api/v1/users"
	userRoute  = usersRoute + "/{id}"
)

func usersPath(more ...string) string {
	return httpx.Path(append([]string{"api", "v1", "users"}, more...)...)
}

// get reads a user and its ETag. Okta's GET /users/{id} also answers to a
// login; a user found that way is not the user with that id, so it is
// NotFound here.
func (d *directory) get(ctx context.Context, id string) (*wireUser, json.RawMessage, string, error) {
	j := new(httpx.JSON[wireUser])
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: usersPath(id), Route: userRoute, Out: j})
	if err != nil {
		return nil, nil, "", err
	}
	if err := checkUser(&j.Value, j.Err); err != nil {
		return nil, nil, "", err
	}
	if j.Value.ID != id {
		return nil, nil, "", driver.Errorf(identity.NotFound, "no user with that id")
	}
	return &j.Value, j.Raw, resp.Header.Get("ETag"), nil
}

// call sends a request whose answer is a user.
func (d *directory) call(ctx context.Context, req *httpx.Request) (*identity.User, error) {
	j := new(httpx.JSON[wireUser])
	req.Out = j
	if _, err := d.http.Do(ctx, req); err != nil {
		return nil, err
	}
	return toUser(j)
}

// metadataValue checks that v fits an Okta profile property: a string,
// number, boolean, or an array of those.
func metadataValue(k string, v any) error {
	switch t := v.(type) {
	case string, bool, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return nil
	case []any:
		for _, x := range t {
			switch x.(type) {
			case string, bool, float64, float32, int, int64, json.Number:
			default:
				return unfitMetadata(k, "an array of objects, arrays or nulls does not fit an Okta profile property")
			}
		}
		return nil
	case []string, []float64, []int, []bool:
		return nil
	}
	return unfitMetadata(k, "the value does not fit an Okta profile property")
}

// unfitMetadata is the Unsupported error for metadata key k whose value
// no profile property can hold; Field is the key's path alone, so that a
// program can act on it, and why is for people.
func unfitMetadata(k, why string) error {
	return &identity.Error{Code: identity.Unsupported, Field: "Metadata." + k,
		Message: why + ", which holds a string, number, boolean or an array of those"}
}

// checkMetadata refuses keys that are mapped profile properties, which a
// metadata write would silently turn into another field, and values a
// profile cannot hold.
func checkMetadata(md map[string]any) error {
	for k, v := range md {
		if isMapped(k) {
			return driver.InvalidArgumentError("Metadata."+k, "metadata key %q is the Okta profile property of a portable field; set the field instead", k)
		}
		if v != nil {
			if err := metadataValue(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *directory) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
	if err := checkMetadata(nu.Metadata); err != nil {
		return nil, err
	}
	login, email := nu.Username, nu.Email
	if login == "" {
		login = email
	}
	if email == "" {
		email = login // the portable layer has checked it is an address
	}
	profile := map[string]any{propLogin: login, propEmail: email}
	set := func(k, v string) {
		if v != "" {
			profile[k] = v
		}
	}
	set(propPhone, nu.Phone)
	set(propFirstName, nu.GivenName)
	set(propLastName, nu.FamilyName)
	set(propDisplayName, nu.DisplayName)
	for k, v := range nu.Metadata {
		profile[k] = v
	}
	body := map[string]any{"profile": profile}
	if nu.Password != "" {
		body["credentials"] = map[string]any{"password": map[string]string{"value": string(nu.Password)}}
	}
	if nu.PasswordHash != "" {
		// Okta checks an imported hash at the first sign-in; the user
		// has a password, so activate makes it ACTIVE, not PROVISIONED.
		hash, err := hashCredential(nu.PasswordHash)
		if err != nil {
			return nil, err
		}
		body["credentials"] = map[string]any{"password": map[string]any{"hash": hash}}
	}
	q := url.Values{"activate": {strconv.FormatBool(nu.Status != identity.StatusPending)}}
	return d.creates.User(ctx, nu, func(ctx context.Context) (*identity.User, error) {
		return d.call(ctx, &httpx.Request{Method: http.MethodPost, Path: usersPath(), Query: q, Body: body})
	}, func(ctx context.Context, f createonce.Field, v string) (*identity.User, error) {
		// Only logins are unique in Okta, and the login is the Username,
		// or the Email when there is none.
		if f == createonce.Username || f == createonce.Email && login == v {
			return d.FindUser(ctx, driver.ByUsername, v)
		}
		return nil, driver.UnsupportedError("lookup by " + string(f))
	})
}

func (d *directory) GetUser(ctx context.Context, id string) (*identity.User, error) {
	w, raw, _, err := d.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return w.portable(raw), nil
}

// FindUser looks a username up with a filter, which is exact and
// consistent, and an email with a search, which ignores case. Okta keeps
// emails unique only if the org says so: when several users share one,
// the first Okta lists is returned.
func (d *directory) FindUser(ctx context.Context, by driver.Identifier, value string) (*identity.User, error) {
	q := url.Values{"limit": {"20"}}
	if by == driver.ByUsername {
		q.Set("filter", propertyEq(propLogin, value))
	} else {
		q.Set("search", propertyEq(propEmail, value))
	}
	users, _, err := d.listUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	var found []*identity.User
	for _, u := range users {
		if by == driver.ByUsername && u.Username == value || by == driver.ByEmail && strings.EqualFold(u.Email, value) {
			found = append(found, u)
		}
	}
	switch {
	case len(found) == 0:
		return nil, driver.Errorf(identity.NotFound, "no user with that %s", by)
	case len(found) > 1:
		// Okta keeps only logins unique: the first of several would be a
		// guess at whose account the caller meant.
		e := driver.Errorf(identity.FailedPrecondition, "%d users have this email, which Okta does not keep unique; look them up with ListUsers and ListOptions.Email, or by username", len(found))
		e.Field = "Email"
		return nil, e
	}
	return found[0], nil
}

// propertyEq is `profile.{p} eq "{v}"`, the value a JSON string as Okta's
// filter grammar asks.
func propertyEq(p, v string) string { return "profile." + p + " eq " + jsonString(v) }

// jsonString quotes s without HTML escaping: "a&b" stays "a&b" rather than
// "a\u0026b", which Okta's parser is not documented to decode.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// UpdateUser sends the changed properties as a partial update, which Okta
// merges; a removal (a cleared field or a nil metadata value) needs the
// whole profile replaced under If-Match instead.
func (d *directory) UpdateUser(ctx context.Context, id string, up identity.UserUpdate) (*identity.User, error) {
	if up.Username != nil && *up.Username == "" {
		return nil, driver.InvalidArgumentError("Username", "an Okta user's login cannot be cleared")
	}
	if err := checkMetadata(up.Metadata); err != nil {
		return nil, err
	}
	changes := map[string]any{}
	field := func(k string, v *string) {
		if v != nil {
			if *v == "" {
				changes[k] = nil
			} else {
				changes[k] = *v
			}
		}
	}
	field(propLogin, up.Username)
	field(propEmail, up.Email)
	field(propPhone, up.Phone)
	field(propFirstName, up.GivenName)
	field(propLastName, up.FamilyName)
	field(propDisplayName, up.DisplayName)
	removes := false
	for k, v := range up.Metadata {
		changes[k] = v
	}
	for _, v := range changes {
		removes = removes || v == nil
	}
	if !removes {
		// Sending the same values twice is harmless.
		return d.call(ctx, &httpx.Request{Method: http.MethodPost, Path: usersPath(id), Body: map[string]any{"profile": changes}, Idempotent: true})
	}
	return d.replaceProfile(ctx, id, func(profile map[string]any) {
		for k, v := range changes {
			if v == nil {
				delete(profile, k)
			} else {
				profile[k] = v
			}
		}
	})
}

// replaceProfile reads the user, applies edit to its profile and writes it
// back with If-Match, again from the read when another write came first.
func (d *directory) replaceProfile(ctx context.Context, id string, edit func(map[string]any)) (*identity.User, error) {
	for attempt := 1; ; attempt++ {
		w, _, etag, err := d.get(ctx, id)
		if err != nil {
			return nil, err
		}
		if w.Profile == nil {
			w.Profile = map[string]any{}
		}
		edit(w.Profile)
		req := &httpx.Request{Method: http.MethodPut, Path: usersPath(id), Body: map[string]any{"profile": w.Profile}}
		if etag != "" {
			req.Header = http.Header{"If-Match": {etag}}
		}
		u, err := d.call(ctx, req)
		if providerCode(err) != "E0000231" || attempt >= maxConflicts {
			return u, err
		}
		// Another writer won the race: wait a little, so that many
		// writers do not collide again in lockstep, then merge anew.
		t := time.NewTimer(time.Duration(rand.N(attempt*20)+1) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// DeleteUser deletes in Okta's two steps: a DELETE deactivates a user
// that is not yet DEPROVISIONED, and a DELETE of a DEPROVISIONED user
// deletes it. The user is read first, so that a missing user is NotFound
// while a DELETE whose answer was lost, sent again and finding the user
// already gone, is success.
func (d *directory) DeleteUser(ctx context.Context, id string) error {
	w, _, _, err := d.get(ctx, id)
	if err != nil {
		return err
	}
	del := &httpx.Request{Method: http.MethodDelete, Path: usersPath(id)}
	if w.Status != "DEPROVISIONED" {
		if _, err := d.http.Do(ctx, del); err != nil {
			return httpx.DoneIfGone(err) // resends made both steps
		}
		// A resend inside that call may already have made the second
		// step; the user existed a moment ago, so NotFound now means it
		// is gone, as asked.
		if _, err := d.http.Do(ctx, del); identity.CodeOf(err) != identity.NotFound {
			return err
		}
		return nil
	}
	_, err = d.http.Do(ctx, del)
	return httpx.DoneIfGone(err)
}

func (d *directory) lifecycle(ctx context.Context, id, op string, q url.Values) error {
	// A lifecycle call that is resent after it took effect gets Okta's
	// wrong-state answer, which the portable layer reads as success once
	// it sees the status it wanted.
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: usersPath(id, "lifecycle", op), Query: q, Idempotent: true})
	return err
}

// SuspendUser suspends an ACTIVE user. Okta answers a user in another
// status with E0000001, which here is FailedPrecondition.
func (d *directory) SuspendUser(ctx context.Context, id string) error {
	return withCode(d.lifecycle(ctx, id, "suspend", nil), "E0000001", identity.FailedPrecondition)
}

// ActivateUser picks Okta's call from the user's status.
func (d *directory) ActivateUser(ctx context.Context, id string) error {
	w, _, _, err := d.get(ctx, id)
	if err != nil {
		return err
	}
	switch w.Status {
	case "ACTIVE", "PASSWORD_EXPIRED":
		return nil
	case "RECOVERY":
		// Okta has no call that ends a recovery for the user, and the
		// password the user could sign in with is not known here.
		return driver.Errorf(identity.FailedPrecondition, "the user is in RECOVERY: it can sign in again once it completes the password reset, or once it is given a password with SetPassword")
	case "SUSPENDED":
		return withCode(d.lifecycle(ctx, id, "unsuspend", nil), "E0000001", identity.FailedPrecondition)
	case "LOCKED_OUT":
		return d.lifecycle(ctx, id, "unlock", nil)
	case "STAGED":
		if !w.hasPassword() {
			return driver.Errorf(identity.FailedPrecondition, "the user is STAGED and has no password: Okta would leave it PROVISIONED, unable to sign in; set a password first")
		}
		return d.lifecycle(ctx, id, "activate", url.Values{"sendEmail": {"false"}})
	case "DEPROVISIONED":
		// activate is Okta's only way out of DEPROVISIONED (reactivate
		// takes PROVISIONED and RECOVERY users). Okta deleted the
		// password at deactivation, and a DEPROVISIONED user takes no new
		// one, so without one the user can only be moved to PROVISIONED,
		// where SetPassword makes it ACTIVE.
		if err := withCode(d.lifecycle(ctx, id, "activate", url.Values{"sendEmail": {"false"}}), "E0000016", identity.FailedPrecondition); err != nil || w.hasPassword() {
			return err
		}
		e := driver.Errorf(identity.FailedPrecondition, "the user was DEPROVISIONED, and Okta deleted its password then: it is now PROVISIONED (Pending), and SetPassword makes it Active")
		e.Field = "Password"
		return e
	case "PROVISIONED":
		return driver.Errorf(identity.FailedPrecondition, "the user is PROVISIONED: it becomes active once it has a password")
	}
	return driver.Errorf(identity.FailedPrecondition, "the user is %s", w.Status)
}

// listUsers fetches one page and the after cursor of the next ("" on the
// last).
func (d *directory) listUsers(ctx context.Context, q url.Values) ([]*identity.User, string, error) {
	var ws []httpx.JSON[wireUser]
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: usersPath(), Route: usersRoute, Query: q, Out: &ws})
	if err != nil {
		return nil, "", err
	}
	users := make([]*identity.User, 0, len(ws))
	for i := range ws {
		u, err := toUser(&ws[i])
		if err != nil {
			return nil, "", err
		}
		users = append(users, u)
	}
	return users, nextAfter(resp.Header), nil
}

// nextAfter reads the after parameter of the Link header's rel="next".
func nextAfter(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, link := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(link, ";")
			if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
				continue
			}
			target = strings.Trim(strings.TrimSpace(target), "<>")
			u, err := url.Parse(target)
			if err != nil {
				continue
			}
			if a := u.Query().Get("after"); a != "" {
				return a
			}
		}
	}
	return ""
}

// Cursors carry Okta's after value.
const cursorPrefix = "ok1."

func encodeCursor(after string) string { return driver.EncodeCursor(cursorPrefix, []byte(after)) }

func decodeCursor(s string) (string, bool) {
	b, ok := driver.DecodeCursor(cursorPrefix, s)
	return string(b), ok
}

// statusTerms lists the Okta statuses of each portable status.
var statusTerms = map[identity.Status][]string{
	identity.StatusPending:       {"STAGED", "PROVISIONED", "RECOVERY"},
	identity.StatusActive:        {"ACTIVE", "PASSWORD_EXPIRED"},
	identity.StatusSuspended:     {"SUSPENDED"},
	identity.StatusLocked:        {"LOCKED_OUT"},
	identity.StatusDeprovisioned: {"DEPROVISIONED"},
}

// listQuery translates the portable filters into Okta's search grammar,
// which, unlike filter, compares values ignoring case. Username and Query
// are refined on each page (exactly and by substring of the username),
// and without a Status filter DEPROVISIONED users are left out, as Okta's
// plain listing does but its search does not.
func listQuery(o identity.ListOptions) url.Values {
	var terms []string
	if o.Email != "" {
		terms = append(terms, propertyEq(propEmail, o.Email))
	}
	if o.Username != "" {
		terms = append(terms, propertyEq(propLogin, o.Username))
	}
	if o.Query != "" {
		v := jsonString(o.Query)
		terms = append(terms, "(profile.email co "+v+" or profile.login co "+v+")")
	}
	if o.Status != "" {
		var or []string
		for _, s := range statusTerms[o.Status] {
			or = append(or, `status eq "`+s+`"`)
		}
		terms = append(terms, "("+strings.Join(or, " or ")+")")
	}
	q := url.Values{}
	if len(terms) > 0 {
		q.Set("search", strings.Join(terms, " and "))
	}
	return q
}

func keep(u *identity.User, o *identity.ListOptions) bool {
	q := strings.ToLower(o.Query)
	return (o.Username == "" || u.Username == o.Username) &&
		(o.Email == "" || strings.EqualFold(u.Email, o.Email)) &&
		(o.Status == "" && u.Status != identity.StatusDeprovisioned || u.Status == o.Status) &&
		(q == "" || strings.Contains(strings.ToLower(u.Email), q) || strings.Contains(strings.ToLower(u.Username), q))
}

// ListUsers pages with Okta's after cursor. Pages refined here can hold
// fewer users than PageSize.
func (d *directory) ListUsers(ctx context.Context, o identity.ListOptions, cursor string) (*identity.UserPage, error) {
	q := listQuery(o)
	if cursor != "" {
		after, ok := decodeCursor(cursor)
		if !ok {
			return nil, driver.ForeignCursorError()
		}
		q.Set("after", after)
	}
	q.Set("limit", strconv.Itoa(driver.PageSize(o.PageSize, defaultPageSize, maxPageSize)))
	users, after, err := d.listUsers(ctx, q)
	if err != nil {
		var ie *identity.Error
		if cursor != "" && errors.As(err, &ie) && ie.Code == identity.InvalidArgument {
			ie.Field = "cursor" // Okta refused the after value inside it
		}
		return nil, err
	}
	out := &identity.UserPage{Users: users[:0]}
	for _, u := range users {
		if keep(u, &o) {
			out.Users = append(out.Users, u)
		}
	}
	if after != "" {
		out.NextCursor = encodeCursor(after)
	}
	return out, nil
}

func passwordBody(pw identity.Secret) map[string]any {
	return map[string]any{"credentials": map[string]any{"password": map[string]string{"value": string(pw)}}}
}

// policyRefused turns Okta's "password: Password requirements were not
// met" into FailedPrecondition, as the driver contract asks of password
// calls.
func policyRefused(err error) error {
	var ie *identity.Error
	if errors.As(err, &ie) && ie.Field == "Password" && ie.Code == identity.InvalidArgument {
		ie.Code = identity.FailedPrecondition
	}
	return err
}

// SetPassword sets the password with a partial update; a PROVISIONED user
// becomes ACTIVE.
func (d *directory) SetPassword(ctx context.Context, id string, pw identity.Secret) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: usersPath(id), Body: passwordBody(pw), Idempotent: true})
	return policyRefused(err)
}

// authnStatuses are the transaction states of a primary authentication
// that the password passed.
var authnStatuses = map[string]bool{
	"SUCCESS": true, "MFA_REQUIRED": true, "MFA_ENROLL": true, "MFA_CHALLENGE": true,
	"PASSWORD_WARN": true, "PASSWORD_EXPIRED": true,
}

// VerifyPassword signs the user in through the Authentication API.
func (d *directory) VerifyPassword(ctx context.Context, id string, pw identity.Secret) error {
	w, _, _, err := d.get(ctx, id)
	if err != nil {
		return err
	}
	if !w.hasPassword() {
		return driver.Errorf(identity.InvalidCredentials, "the user has no password")
	}
	switch w.Status {
	case "SUSPENDED", "LOCKED_OUT", "DEPROVISIONED", "RECOVERY":
		// Okta's primary authentication refuses these users whatever the
		// password, with the answer a wrong password gets.
		return driver.Errorf(identity.FailedPrecondition, "Okta checks passwords only of users who can sign in; the user is %s", w.Status)
	}
	login, _ := w.Profile[propLogin].(string)
	var out struct {
		Status string `json:"status"`
	}
	_, err = d.authn.Do(ctx, &httpx.Request{
		Method: http.MethodPost, Path: httpx.Path("api", "v1", "authn"),
		Body: map[string]string{"username": login, "password": string(pw)}, Idempotent: true, Out: &out,
	})
	switch {
	case err != nil:
		return err // a wrong password is 401 E0000004, InvalidCredentials
	case authnStatuses[out.Status]:
		return nil
	case out.Status == "LOCKED_OUT":
		return driver.Errorf(identity.FailedPrecondition, "the user is locked out")
	}
	return driver.Errorf(identity.Internal, "Okta's authn answered with the unknown status %q", truncate(out.Status))
}

// ChangePassword uses Okta's change_password, which checks the old
// password itself. It cannot simply be sent again when its answer is
// lost, since once it has taken effect the old password no longer
// matches: the outcome is settled by signing in with the new password
// before sending it again.
func (d *directory) ChangePassword(ctx context.Context, id string, old, new identity.Secret) error {
	body := map[string]any{
		"oldPassword": map[string]string{"value": string(old)},
		"newPassword": map[string]string{"value": string(new)},
	}
	_, err := createonce.Create(ctx, d.creates.Attempts, func(ctx context.Context) (struct{}, error) {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: usersPath(id, "credentials", "change_password"), Body: body})
		return struct{}{}, policyRefused(err)
	}, func(ctx context.Context, cause error) (struct{}, bool, error) {
		switch err := d.VerifyPassword(ctx, id, new); {
		case err == nil:
			return struct{}{}, true, nil // the lost attempt took effect
		case identity.CodeOf(err) == identity.InvalidCredentials:
			// It did not: sending it again gets Okta's own answer,
			// including a wrong old password's.
			return struct{}{}, false, nil
		case driver.IsContextError(err):
			return struct{}{}, false, err
		default:
			return struct{}{}, false, &identity.Error{Code: identity.Unavailable, Retryable: true, Err: cause,
				Message: "the password may or may not have been changed: the answer was lost, and signing in to find out failed (" + identity.CodeOf(err).String() + ")"}
		}
	})
	return err
}

// ExpirePassword moves the user to PASSWORD_EXPIRED, which is still
// StatusActive: the user signs in and must choose a new password.
func (d *directory) ExpirePassword(ctx context.Context, id string) error {
	return d.lifecycle(ctx, id, "expire_password", nil)
}
