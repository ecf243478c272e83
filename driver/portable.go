package driver

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/idport/identity"
)

// NewUserDirectory wraps d in the portable layer and returns it as an
// identity.UserDirectory. backend is the name errors carry, by convention
// the URL scheme ("okta").
//
// The portable layer validates every argument before d sees it, answers
// Unsupported for what d's Capabilities leave out, returns the context's
// error untouched, fills Op, Backend, UserID and Role into d's errors (any
// error that is not an *identity.Error becomes Internal), makes
// SuspendUser and ActivateUser idempotent, and turns d's pages into an
// iterator.
func NewUserDirectory(backend string, d Directory) identity.UserDirectory {
	return &portable{backend: backend, d: d, caps: d.Capabilities()}
}

type portable struct {
	backend string
	d       Directory
	caps    identity.Capabilities
	closed  atomic.Bool
}

// begin runs the checks every call starts with. It returns the error to
// give the caller, already wrapped, or nil to go ahead.
func (p *portable) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.closed.Load() {
		return &identity.Error{Code: identity.FailedPrecondition, Op: op, Backend: p.backend, Message: "directory is closed"}
	}
	return nil
}

// fail turns err from d, or from validation, into what the caller sees.
func (p *portable) fail(ctx context.Context, op string, err error, userID, role string) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		// The call's own context ended; whatever the transport made of
		// that, the caller asked for the context's error.
		return cerr
	}
	var src *identity.Error
	var e identity.Error
	if errors.As(err, &src) {
		e = *src
	} else {
		e = identity.Error{Code: identity.Internal, Message: "unexpected error from backend", Err: err}
	}
	if e.Op == "" {
		e.Op = op
	}
	e.Backend = p.backend
	if e.UserID == "" && userID != "" && checkID("id", userID) == nil {
		e.UserID = userID
	}
	if e.Role == "" && role != "" && checkRoleName("role", role) == nil {
		e.Role = role
	}
	return &e
}

// Format prints the backend's name only, for every verb: fmt does not
// call a Secret's own Format inside unexported fields, and a backend's
// state may hold its credential.
func (p *portable) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "identity.UserDirectory(%s)", p.backend)
}

func (p *portable) unsupported(ctx context.Context, op, what string) error {
	return p.fail(ctx, op, identity.UnsupportedError(what), "", "")
}

func (p *portable) Capabilities() identity.Capabilities {
	c := p.caps
	c.Statuses = slices.Clone(c.Statuses)
	return c
}

func (p *portable) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	if err := p.d.Close(); err != nil {
		return p.fail(context.Background(), "Close", err, "", "")
	}
	return nil
}

func (p *portable) CreateUser(ctx context.Context, u identity.NewUser) (*identity.User, error) {
	const op = "CreateUser"
	if err := p.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := validateNewUser(p.caps, &u); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	if u.Status == "" {
		u.Status = identity.StatusActive
	}
	u.Metadata = cloneMap(u.Metadata)
	return p.user(ctx, op, "")(p.d.CreateUser(ctx, u))
}

// user checks a user returned by d: a nil user with a nil error is a
// backend bug, reported as Internal rather than a nil dereference later.
func (p *portable) user(ctx context.Context, op, id string) func(*identity.User, error) (*identity.User, error) {
	return func(u *identity.User, err error) (*identity.User, error) {
		if err != nil {
			return nil, p.fail(ctx, op, err, id, "")
		}
		if u == nil {
			return nil, p.fail(ctx, op, identity.Errorf(identity.Internal, "backend returned no user"), id, "")
		}
		return u, nil
	}
}

func (p *portable) GetUser(ctx context.Context, id string) (*identity.User, error) {
	const op = "GetUser"
	if err := p.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	return p.user(ctx, op, id)(p.d.GetUser(ctx, id))
}

func (p *portable) GetUserByEmail(ctx context.Context, email string) (*identity.User, error) {
	const op = "GetUserByEmail"
	if err := p.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkEmail("email", email); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	return p.user(ctx, op, "")(p.d.FindUser(ctx, ByEmail, email))
}

func (p *portable) GetUserByUsername(ctx context.Context, username string) (*identity.User, error) {
	const op = "GetUserByUsername"
	if err := p.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkUsername("username", username); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	if !p.caps.Username {
		return nil, p.unsupported(ctx, op, op)
	}
	return p.user(ctx, op, "")(p.d.FindUser(ctx, ByUsername, username))
}

func (p *portable) UpdateUser(ctx context.Context, id string, u identity.UserUpdate) (*identity.User, error) {
	const op = "UpdateUser"
	if err := p.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	if err := validateUpdate(p.caps, &u); err != nil {
		return nil, p.fail(ctx, op, err, id, "")
	}
	if u.IsZero() {
		return p.user(ctx, op, id)(p.d.GetUser(ctx, id))
	}
	u.Metadata = cloneMap(u.Metadata)
	return p.user(ctx, op, id)(p.d.UpdateUser(ctx, id, u))
}

func (p *portable) DeleteUser(ctx context.Context, id string) error {
	const op = "DeleteUser"
	if err := p.begin(ctx, op); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return p.fail(ctx, op, err, "", "")
	}
	return p.fail(ctx, op, p.d.DeleteUser(ctx, id), id, "")
}

func (p *portable) ListUsersPage(ctx context.Context, opts identity.ListOptions, cursor string) (*identity.UserPage, error) {
	const op = "ListUsersPage"
	if err := p.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := validateListOptions(p.caps, &opts); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	if err := checkCursor(cursor); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	return p.page(ctx, op, opts, cursor)
}

func (p *portable) page(ctx context.Context, op string, opts identity.ListOptions, cursor string) (*identity.UserPage, error) {
	if opts.Status != "" && !p.caps.HasStatus(opts.Status) {
		// No user of this backend can be in that status: the answer is
		// known without asking.
		return &identity.UserPage{}, nil
	}
	pg, err := p.d.ListUsers(ctx, opts, cursor)
	if err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	if pg == nil {
		return nil, p.fail(ctx, op, identity.Errorf(identity.Internal, "backend returned no page"), "", "")
	}
	if slices.Contains(pg.Users, nil) {
		return nil, p.fail(ctx, op, identity.Errorf(identity.Internal, "backend returned a nil user in a page"), "", "")
	}
	return pg, nil
}

func (p *portable) ListUsers(ctx context.Context, opts identity.ListOptions) iter.Seq2[*identity.User, error] {
	const op = "ListUsers"
	return func(yield func(*identity.User, error) bool) {
		if err := p.begin(ctx, op); err != nil {
			yield(nil, err)
			return
		}
		if err := validateListOptions(p.caps, &opts); err != nil {
			yield(nil, p.fail(ctx, op, err, "", ""))
			return
		}
		cursor := ""
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			pg, err := p.page(ctx, op, opts, cursor)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, u := range pg.Users {
				if !yield(u, nil) {
					return
				}
			}
			if pg.NextCursor == "" {
				return
			}
			if pg.NextCursor == cursor {
				// A cursor that does not move would loop for ever.
				yield(nil, p.fail(ctx, op, identity.Errorf(identity.Internal, "backend returned the same cursor twice"), "", ""))
				return
			}
			cursor = pg.NextCursor
		}
	}
}

// lifecycle runs a status change and makes it idempotent: when the backend
// refuses the transition, a user already in the target status counts as
// success.
func (p *portable) lifecycle(ctx context.Context, op, id string, target identity.Status, call func(context.Context, string) error) error {
	if err := p.begin(ctx, op); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return p.fail(ctx, op, err, "", "")
	}
	err := call(ctx, id)
	if err == nil || identity.CodeOf(err) != identity.FailedPrecondition {
		return p.fail(ctx, op, err, id, "")
	}
	if u, gerr := p.d.GetUser(ctx, id); gerr == nil && u != nil && u.Status == target {
		return nil
	}
	return p.fail(ctx, op, err, id, "")
}

func (p *portable) SuspendUser(ctx context.Context, id string) error {
	return p.lifecycle(ctx, "SuspendUser", id, identity.StatusSuspended, p.d.SuspendUser)
}

func (p *portable) ActivateUser(ctx context.Context, id string) error {
	return p.lifecycle(ctx, "ActivateUser", id, identity.StatusActive, p.d.ActivateUser)
}

// roleCall starts a role method: the usual checks, then the capability.
func (p *portable) roleCall(ctx context.Context, op string) error {
	if err := p.begin(ctx, op); err != nil {
		return err
	}
	if !p.caps.Roles {
		return p.unsupported(ctx, op, op)
	}
	return nil
}

func (p *portable) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	const op = "CreateRole"
	if err := p.roleCall(ctx, op); err != nil {
		return nil, err
	}
	if err := checkRoleName("Role.Name", r.Name); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	if err := checkText("Role.Description", r.Description, MaxDescriptionLen); err != nil {
		return nil, p.fail(ctx, op, err, "", r.Name)
	}
	got, err := p.d.CreateRole(ctx, r)
	if err != nil {
		return nil, p.fail(ctx, op, err, "", r.Name)
	}
	if got == nil {
		return nil, p.fail(ctx, op, identity.Errorf(identity.Internal, "backend returned no role"), "", r.Name)
	}
	return got, nil
}

func sortRoles(rs []*identity.Role) []*identity.Role {
	rs = slices.DeleteFunc(rs, func(r *identity.Role) bool { return r == nil })
	slices.SortFunc(rs, func(a, b *identity.Role) int { return strings.Compare(a.Name, b.Name) })
	return rs
}

func (p *portable) ListRoles(ctx context.Context) ([]*identity.Role, error) {
	const op = "ListRoles"
	if err := p.roleCall(ctx, op); err != nil {
		return nil, err
	}
	rs, err := p.d.ListRoles(ctx)
	if err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	return sortRoles(rs), nil
}

func (p *portable) DeleteRole(ctx context.Context, name string) error {
	const op = "DeleteRole"
	if err := p.roleCall(ctx, op); err != nil {
		return err
	}
	if err := checkRoleName("role", name); err != nil {
		return p.fail(ctx, op, err, "", "")
	}
	return p.fail(ctx, op, p.d.DeleteRole(ctx, name), "", name)
}

func (p *portable) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	const op = "ListUserRoles"
	if err := p.roleCall(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("userID", userID); err != nil {
		return nil, p.fail(ctx, op, err, "", "")
	}
	rs, err := p.d.ListUserRoles(ctx, userID)
	if err != nil {
		return nil, p.fail(ctx, op, err, userID, "")
	}
	return sortRoles(rs), nil
}

func (p *portable) userRole(ctx context.Context, op, userID, role string, call func(context.Context, string, string) error) error {
	if err := p.roleCall(ctx, op); err != nil {
		return err
	}
	if err := checkID("userID", userID); err != nil {
		return p.fail(ctx, op, err, "", "")
	}
	if err := checkRoleName("role", role); err != nil {
		return p.fail(ctx, op, err, userID, "")
	}
	return p.fail(ctx, op, call(ctx, userID, role), userID, role)
}

func (p *portable) AssignRole(ctx context.Context, userID, role string) error {
	return p.userRole(ctx, "AssignRole", userID, role, p.d.AssignRole)
}

func (p *portable) RevokeRole(ctx context.Context, userID, role string) error {
	return p.userRole(ctx, "RevokeRole", userID, role, p.d.RevokeRole)
}

// passwordCall starts a password method: the usual checks, the capability,
// the user id, and each password given.
func (p *portable) passwordCall(ctx context.Context, op string, supported bool, userID string, pw ...identity.Secret) error {
	if err := p.begin(ctx, op); err != nil {
		return err
	}
	if !supported {
		return p.unsupported(ctx, op, op)
	}
	if err := checkID("userID", userID); err != nil {
		return p.fail(ctx, op, err, "", "")
	}
	names := []string{"password", "new password"}
	if len(pw) == 2 {
		names = []string{"old password", "new password"}
	}
	for i, s := range pw {
		if err := checkPassword(names[i], s); err != nil {
			return p.fail(ctx, op, err, userID, "")
		}
	}
	return nil
}

func (p *portable) SetPassword(ctx context.Context, userID string, password identity.Secret) error {
	const op = "SetPassword"
	if err := p.passwordCall(ctx, op, p.caps.SetPassword, userID, password); err != nil {
		return err
	}
	return p.fail(ctx, op, p.d.SetPassword(ctx, userID, password), userID, "")
}

func (p *portable) VerifyPassword(ctx context.Context, userID string, password identity.Secret) error {
	const op = "VerifyPassword"
	if err := p.passwordCall(ctx, op, p.caps.VerifyPassword, userID, password); err != nil {
		return err
	}
	return p.fail(ctx, op, p.d.VerifyPassword(ctx, userID, password), userID, "")
}

func (p *portable) ChangePassword(ctx context.Context, userID string, old, new identity.Secret) error {
	const op = "ChangePassword"
	if err := p.passwordCall(ctx, op, p.caps.ChangePassword, userID, old, new); err != nil {
		return err
	}
	return p.fail(ctx, op, p.d.ChangePassword(ctx, userID, old, new), userID, "")
}

func (p *portable) ExpirePassword(ctx context.Context, userID string) error {
	const op = "ExpirePassword"
	if err := p.passwordCall(ctx, op, p.caps.ExpirePassword, userID); err != nil {
		return err
	}
	return p.fail(ctx, op, p.d.ExpirePassword(ctx, userID), userID, "")
}

// cloneMap copies the caller's metadata so that a backend holding on to it,
// or the caller changing it afterwards, cannot affect the other.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return maps(m)
}
