package kratos

import (
	"context"
	"errors"
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
	"github.com/idport/identity/internal/metaroles"
)

const (
	// Kratos's document caps page_size at 500; it defaults to 250.
	maxPageSize     = 500
	defaultPageSize = 250
)

type directory struct {
	*metaroles.Roles
	opts          Options
	admin, public *httpx.Client
	creates       createonce.Creator
}

func (d *directory) Capabilities() identity.Capabilities {
	t := &d.opts.Traits
	return identity.Capabilities{
		Username: t.Username != "", Phone: t.Phone != "",
		Names: t.GivenName != "" && t.FamilyName != "", DisplayName: t.DisplayName != "",
		Metadata: true, Roles: true, RoleCatalog: true,
		UniqueEmail: t.identifier("email"), UniquePhone: t.identifier("phone"),
		SetPassword: true, VerifyPassword: d.public != nil, ChangePassword: d.public != nil,
		RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, HasPassword: true, ResetPasswordLink: true,
		PasswordHashes: slices.Clone(hashAlgorithms), ExportPasswordHash: true,
		Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
	}
}

func (d *directory) Close() error { return nil }

// As sets target, a **Client, to the directory's Client; for any other
// target it reports false.
func (d *directory) As(target any) bool { return httpx.As(target, &Client{d.admin}) }

// Format prints "kratos.Client" for every verb, so that no form of a
// Client can show the key it sends.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, Scheme+".Client") }

// wireIdentity is the part of Kratos's identity the portable model reads.
type wireIdentity struct {
	ID                  string         `json:"id"`
	SchemaID            string         `json:"schema_id"`
	State               string         `json:"state"`
	Traits              map[string]any `json:"traits"`
	MetadataPublic      map[string]any `json:"metadata_public"`
	MetadataAdmin       map[string]any `json:"metadata_admin"`
	VerifiableAddresses []struct {
		Value    string `json:"value"`
		Verified bool   `json:"verified"`
		Via      string `json:"via"`
	} `json:"verifiable_addresses"`
	Credentials map[string]struct {
		Identifiers []string `json:"identifiers"`
	} `json:"credentials"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var states = map[string]identity.Status{"active": identity.StatusActive, "inactive": identity.StatusSuspended}

// metadataKey is the identity field the portable Metadata lives in.
func (d *directory) metadataKey() string { return "metadata_" + d.opts.Metadata }

// readIdentity returns the identity decoded from an answer, the body
// having been decoded once, straight into the wire type.
func readIdentity(j *httpx.JSON[wireIdentity]) (*wireIdentity, error) {
	if j.Err != nil || j.Value.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Kratos returned an identity the backend cannot read")
	}
	return &j.Value, nil
}

func (d *directory) toUser(raw []byte, w *wireIdentity) (*identity.User, error) {
	st, ok := states[w.State]
	if !ok {
		return nil, driver.Errorf(identity.Internal, "Kratos returned the unknown state %q", w.State)
	}
	t := &d.opts.Traits
	u := &identity.User{
		ID: w.ID, Status: st, NativeStatus: w.State,
		Email: trait(w.Traits, t.Email), Username: trait(w.Traits, t.Username), Phone: trait(w.Traits, t.Phone),
		GivenName: trait(w.Traits, t.GivenName), FamilyName: trait(w.Traits, t.FamilyName), DisplayName: trait(w.Traits, t.DisplayName),
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Raw: raw,
	}
	for _, a := range w.VerifiableAddresses {
		if a.Via == "email" && a.Verified && u.Email != "" && strings.EqualFold(a.Value, u.Email) {
			u.EmailVerified = true
		}
	}
	md := w.MetadataPublic
	if d.opts.Metadata == MetadataAdmin {
		md = w.MetadataAdmin
	}
	for k, v := range md {
		if d.opts.Metadata == MetadataAdmin && k == d.opts.RolesKey {
			continue // roles are read through the role methods
		}
		if u.Metadata == nil {
			u.Metadata = make(map[string]any, len(md))
		}
		u.Metadata[k] = v
	}
	return u, nil
}

// trait returns the string at the dotted path below traits, or "".
func trait(traits map[string]any, path string) string {
	if path == "" {
		return ""
	}
	var v any = traits
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[seg]
	}
	s, _ := v.(string)
	return s
}

// setTrait sets the string at the dotted path below traits, making the
// objects on the way.
func setTrait(traits map[string]any, path, value string) {
	segs := strings.Split(path, ".")
	m := traits
	for _, seg := range segs[:len(segs)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[seg] = next
		}
		m = next
	}
	m[segs[len(segs)-1]] = value
}

// pointer is the JSON Pointer (RFC 6901) of the member key of the
// identity field root; a dotted trait path is several members.
func pointer(root string, keys ...string) string {
	var b strings.Builder
	b.WriteString("/" + root)
	for _, k := range keys {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k))
	}
	return b.String()
}

func traitPointer(path string) string { return pointer("traits", strings.Split(path, ".")...) }

func identityPath(id string, more ...string) string {
	return httpx.Path(append([]string{"admin", "identities", id}, more...)...)
}

// call sends a request to the admin API whose answer is an identity.
func (d *directory) call(ctx context.Context, req *httpx.Request) (*identity.User, *wireIdentity, error) {
	j := new(httpx.JSON[wireIdentity])
	req.Out = j
	if _, err := d.admin.Do(ctx, req); err != nil {
		return nil, nil, d.fieldOf(err)
	}
	w, err := readIdentity(j)
	if err != nil {
		return nil, nil, err
	}
	u, err := d.toUser(j.Raw, w)
	return u, w, err
}

// fieldOf turns the trait path a validation error names into the
// portable field that trait holds.
func (d *directory) fieldOf(err error) error {
	var e *identity.Error
	if !errors.As(err, &e) || e.Field == "" || e.Code != identity.InvalidArgument {
		return err
	}
	path := strings.ReplaceAll(e.Field, "/", ".")
	t := &d.opts.Traits
	for name, p := range map[string]string{"Email": t.Email, "Username": t.Username, "Phone": t.Phone, "GivenName": t.GivenName, "FamilyName": t.FamilyName, "DisplayName": t.DisplayName} {
		if p != "" && (path == "traits."+p || strings.HasPrefix(path, "traits."+p+".")) {
			e.Field = name
			return e
		}
	}
	switch {
	case strings.HasPrefix(path, d.metadataKey()+"."):
		e.Field = "Metadata." + strings.TrimPrefix(path, d.metadataKey()+".")
	case strings.HasPrefix(path, "traits"):
		// A trait no portable field holds, such as one the schema
		// requires: the application's schema refused the user.
		e.Field = "Traits"
	default:
		e.Field = ""
	}
	return e
}

// checkMetadataKeys refuses the roles key as ordinary metadata when both
// live in metadata_admin, so that roles change only through the role
// methods.
func (d *directory) checkMetadataKeys(md map[string]any) error {
	if d.opts.Metadata != MetadataAdmin {
		return nil
	}
	if _, ok := md[d.opts.RolesKey]; ok {
		return driver.InvalidArgumentError("Metadata."+d.opts.RolesKey, "%q holds the user's roles; use AssignRole and RevokeRole", d.opts.RolesKey)
	}
	return nil
}

// fields are the portable fields of a NewUser or UserUpdate with the
// trait that holds each.
func (d *directory) fields(username, email, phone, given, family, display *string) []struct{ path, value *string } {
	t := &d.opts.Traits
	return []struct{ path, value *string }{
		{&t.Username, username}, {&t.Email, email}, {&t.Phone, phone},
		{&t.GivenName, given}, {&t.FamilyName, family}, {&t.DisplayName, display},
	}
}

func (d *directory) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
	if err := d.checkMetadataKeys(nu.Metadata); err != nil {
		return nil, err
	}
	traits := map[string]any{}
	for _, f := range d.fields(&nu.Username, &nu.Email, &nu.Phone, &nu.GivenName, &nu.FamilyName, &nu.DisplayName) {
		if *f.value != "" {
			setTrait(traits, *f.path, *f.value)
		}
	}
	b := map[string]any{"schema_id": d.opts.SchemaID, "state": "active", "traits": traits}
	if len(nu.Metadata) > 0 {
		b[d.metadataKey()] = nu.Metadata
	}
	switch {
	case nu.Password != "" && nu.PasswordHash != "":
		return nil, driver.InvalidArgumentError("PasswordHash", "a new user takes a Password or a PasswordHash, not both")
	case nu.Password != "":
		b["credentials"] = map[string]any{"password": map[string]any{"config": map[string]any{"password": string(nu.Password)}}}
	case nu.PasswordHash != "":
		hashed, err := kratosHash(nu.PasswordHash)
		if err != nil {
			return nil, err
		}
		b["credentials"] = map[string]any{"password": map[string]any{"config": map[string]any{"hashed_password": hashed}}}
	}
	return d.creates.User(ctx, nu, func(ctx context.Context) (*identity.User, error) {
		u, _, err := d.call(ctx, &httpx.Request{Method: http.MethodPost, Path: httpx.Path("admin", "identities"), Body: b})
		return u, err
	}, d.findFor)
}

// findFor looks a user up for createonce by the identifiers Kratos keeps
// unique.
func (d *directory) findFor(ctx context.Context, f createonce.Field, v string) (*identity.User, error) {
	field := strings.ToLower(string(f))
	if !d.opts.Traits.identifier(field) {
		return nil, driver.UnsupportedError("lookup by " + string(f))
	}
	return d.find(ctx, field, v)
}

func (d *directory) GetUser(ctx context.Context, id string) (*identity.User, error) {
	u, _, err := d.call(ctx, &httpx.Request{Method: http.MethodGet, Path: identityPath(id)})
	return u, err
}

// read reads the user and the identity as Kratos has it.
func (d *directory) read(ctx context.Context, id string) (*identity.User, *wireIdentity, error) {
	return d.call(ctx, &httpx.Request{Method: http.MethodGet, Path: identityPath(id)})
}

func (d *directory) FindUser(ctx context.Context, by driver.Identifier, value string) (*identity.User, error) {
	return d.find(ctx, by.String(), value)
}

// matches reports whether u's field ("email", "username" or "phone")
// is value: emails ignoring case, the others exactly.
func matches(u *identity.User, field, value string) bool {
	switch field {
	case "email":
		return strings.EqualFold(u.Email, value)
	case "username":
		return u.Username == value
	case "phone":
		return u.Phone == value
	}
	return false
}

// find returns the user whose field is value. For an identifier that is
// one request: credentials_identifier matches any of an identity's
// identifiers ignoring case, so the answer is checked against the field.
// For another field, Kratos has no filter, and every identity is read; and
// since Kratos keeps only identifiers unique, two identities may match:
// that is FailedPrecondition naming the field, since the first of them
// would be a guess at whose account the caller meant.
func (d *directory) find(ctx context.Context, field, value string) (*identity.User, error) {
	var found []*identity.User
	q := url.Values{}
	if d.opts.Traits.identifier(field) {
		q.Set("credentials_identifier", strings.ToLower(value))
	}
	err := d.each(ctx, q, func(u *identity.User, _ *wireIdentity) error {
		if matches(u, field, value) {
			if found = append(found, u); len(found) > 1 {
				return errStop
			}
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	switch {
	case len(found) == 0:
		return nil, driver.Errorf(identity.NotFound, "no user with that %s", field)
	case len(found) > 1:
		path := fieldPath(field)
		e := driver.Errorf(identity.FailedPrecondition, "more than one user has this %s, which the identity schema does not make an identifier, so Kratos does not keep it unique; look them up with ListUsers and ListOptions.%s", field, path)
		e.Field = path
		return nil, e
	}
	return found[0], nil
}

// fieldPath is the portable field path of field ("email": "Email").
func fieldPath(field string) string {
	switch field {
	case "email":
		return "Email"
	case "username":
		return "Username"
	case "phone":
		return "Phone"
	}
	return field
}

// errStop ends a walk early.
var errStop = errors.New("stop")

// each calls fn for every identity of the directory's schema that the
// listing query q gives, page by page, until fn returns an error.
func (d *directory) each(ctx context.Context, q url.Values, fn func(*identity.User, *wireIdentity) error) error {
	token := ""
	for {
		users, wires, next, err := d.listPage(ctx, q, maxPageSize, token)
		if err != nil {
			return err
		}
		for i, u := range users {
			if err := fn(u, wires[i]); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		if next == token {
			// A server that ignores page_token would be walked for ever.
			return driver.Errorf(identity.Internal, "Kratos answered a page with the same next page")
		}
		token = next
	}
}

// listPage fetches one page and the page_token of the next ("" on the
// last), leaving out identities of other schemas.
func (d *directory) listPage(ctx context.Context, q url.Values, size int, token string) ([]*identity.User, []*wireIdentity, string, error) {
	query := url.Values{"page_size": {strconv.Itoa(size)}}
	for k, v := range q {
		query[k] = v
	}
	if token != "" {
		query.Set("page_token", token)
	}
	var js []httpx.JSON[wireIdentity]
	resp, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: httpx.Path("admin", "identities"), Query: query, Out: &js})
	if err != nil {
		return nil, nil, "", err
	}
	users := make([]*identity.User, 0, len(js))
	wires := make([]*wireIdentity, 0, len(js))
	for i := range js {
		raw := js[i].Raw
		w, err := readIdentity(&js[i])
		if err != nil {
			return nil, nil, "", err
		}
		if w.SchemaID != d.opts.SchemaID {
			continue
		}
		u, err := d.toUser(raw, w)
		if err != nil {
			return nil, nil, "", err
		}
		users, wires = append(users, u), append(wires, w)
	}
	next := ""
	if len(js) > 0 {
		next = nextToken(resp.Header.Values("Link"))
	}
	return users, wires, next, nil
}

// nextToken reads the page_token of the rel="next" link Kratos sends
// while more rows exist.
func nextToken(links []string) string {
	for _, header := range links {
		for _, link := range strings.Split(header, ",") {
			target, params, ok := strings.Cut(link, ";")
			if !ok || !strings.Contains(params, `rel="next"`) {
				continue
			}
			target = strings.Trim(strings.TrimSpace(target), "<>")
			if u, err := url.Parse(target); err == nil {
				return u.Query().Get("page_token")
			}
		}
	}
	return ""
}

// Cursors carry Kratos's page_token, after a prefix that says which
// listing made them.
const cursorPrefix = "kr1."

func encodeCursor(token string) string { return driver.EncodeCursor(cursorPrefix, []byte(token)) }

func decodeCursor(s string) (string, bool) {
	b, ok := driver.DecodeCursor(cursorPrefix, s)
	return string(b), ok && len(b) > 0
}

// ListUsers pages through the identities of the schema in Kratos's
// order, by id. Kratos filters only by identifier, so Email and Username,
// where their trait is an identifier, are sent as credentials_identifier;
// everything else (Status, Query, and Email and Username otherwise) is
// applied to each page here, so pages can hold fewer users than
// PageSize, and none at all before the last. Paging is by the last id
// seen, so users created or deleted while a listing runs never make it
// repeat or skip another user.
func (d *directory) ListUsers(ctx context.Context, o identity.ListOptions, cursor string) (*identity.UserPage, error) {
	token := ""
	if cursor != "" {
		var ok bool
		if token, ok = decodeCursor(cursor); !ok {
			return nil, driver.ForeignCursorError()
		}
	}
	q := url.Values{}
	switch {
	case o.Email != "" && d.opts.Traits.identifier("email"):
		q.Set("credentials_identifier", strings.ToLower(o.Email))
	case o.Username != "" && d.opts.Traits.identifier("username"):
		q.Set("credentials_identifier", strings.ToLower(o.Username))
	}
	users, _, next, err := d.listPage(ctx, q, driver.PageSize(o.PageSize, defaultPageSize, maxPageSize), token)
	if err != nil {
		return nil, err
	}
	page := &identity.UserPage{Users: users[:0]}
	query := strings.ToLower(o.Query)
	for _, u := range users {
		if (o.Email == "" || strings.EqualFold(u.Email, o.Email)) &&
			(o.Username == "" || u.Username == o.Username) &&
			(o.Status == "" || u.Status == o.Status) &&
			(query == "" || strings.Contains(strings.ToLower(u.Email), query) || strings.Contains(strings.ToLower(u.Username), query)) {
			page.Users = append(page.Users, u)
		}
	}
	if next != "" {
		page.NextCursor = encodeCursor(next)
	}
	return page, nil
}

// patchOp is one RFC 6902 operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// UpdateUser sends the update as one JSON Patch; see the package doc.
func (d *directory) UpdateUser(ctx context.Context, id string, up identity.UserUpdate) (*identity.User, error) {
	if err := d.checkMetadataKeys(up.Metadata); err != nil {
		return nil, err
	}
	unlock := d.Lock(id)
	defer unlock()
	var (
		read *identity.User
		cur  *wireIdentity // read only when something is removed
		err  error
	)
	for try := 0; ; try++ {
		ops, removes := d.updateOps(up, cur)
		if removes && cur == nil {
			if read, cur, err = d.read(ctx, id); err != nil {
				return nil, err
			}
			continue
		}
		if len(ops) == 0 {
			return read, nil // every change removes what is already gone
		}
		u, _, err := d.call(ctx, &httpx.Request{Method: http.MethodPatch, Path: identityPath(id), Body: ops, Idempotent: true})
		if err == nil || !removedMeanwhile(err) || try > 2 {
			return u, err
		}
		// Someone else removed a key between the read and the patch (or
		// an earlier attempt of this patch did): read again.
		if read, cur, err = d.read(ctx, id); err != nil {
			return nil, err
		}
	}
}

// updateOps are the operations of up. A removal is an operation only when
// cur, the identity as read, has what it removes; without cur, removes
// reports that some change is a removal, which needs it.
func (d *directory) updateOps(up identity.UserUpdate, cur *wireIdentity) (ops []patchOp, removes bool) {
	for _, f := range d.fields(up.Username, up.Email, up.Phone, up.GivenName, up.FamilyName, up.DisplayName) {
		switch {
		case f.value == nil:
		case *f.value != "":
			ops = append(ops, patchOp{Op: "add", Path: traitPointer(*f.path), Value: *f.value})
		case cur == nil:
			removes = true
		case trait(cur.Traits, *f.path) != "":
			ops = append(ops, patchOp{Op: "remove", Path: traitPointer(*f.path)})
		}
	}
	var md map[string]any
	if cur != nil {
		md = cur.MetadataPublic
		if d.opts.Metadata == MetadataAdmin {
			md = cur.MetadataAdmin
		}
	}
	for k, v := range up.Metadata {
		switch _, has := md[k]; {
		case v != nil:
			ops = append(ops, patchOp{Op: "add", Path: pointer(d.metadataKey(), k), Value: v})
		case cur == nil:
			removes = true
		case has:
			ops = append(ops, patchOp{Op: "remove", Path: pointer(d.metadataKey(), k)})
		}
	}
	return ops, removes
}

// removedMeanwhile reports Kratos's refusal of a patch that removes what
// is not there.
func removedMeanwhile(err error) bool {
	var e *identity.Error
	return errors.As(err, &e) && e.HTTPStatus == http.StatusBadRequest && strings.Contains(e.Message, "nonexistent")
}

// DeleteUser reads the user before deleting it. A delete that is sent
// again after a reset meets 404 when the first attempt went through, and
// that must count as success; the read keeps a user that never existed
// NotFound.
func (d *directory) DeleteUser(ctx context.Context, id string) error {
	if _, _, err := d.read(ctx, id); err != nil {
		return err
	}
	_, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: identityPath(id)})
	return httpx.DoneIfGone(err)
}

func (d *directory) setState(ctx context.Context, id, state string) error {
	_, _, err := d.call(ctx, &httpx.Request{Method: http.MethodPatch, Path: identityPath(id),
		Body: []patchOp{{Op: "replace", Path: "/state", Value: state}}, Idempotent: true})
	return err
}

func (d *directory) SuspendUser(ctx context.Context, id string) error {
	return d.setState(ctx, id, "inactive")
}

func (d *directory) ActivateUser(ctx context.Context, id string) error {
	return d.setState(ctx, id, "active")
}
