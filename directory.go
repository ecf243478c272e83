package identity

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/idport/identity/driver"
)

// Directory is the portable API over one identity provider: its users,
// their lifecycle, roles and passwords. It is safe for concurrent use.
// Open one with [Open] or a backend's New; a backend's New calls
// [NewDirectory].
//
// Every method validates its arguments before the backend sees them, and
// answers a malformed id, email, username, role name or password with
// InvalidArgument naming it, having sent nothing. A method that needs a
// capability the backend lacks returns Unsupported naming the operation,
// also before any request; [Directory.Capabilities] tells in advance.
// Methods that take a user id return NotFound, with Field "user", when no
// such user exists; those that take a role name too say in Field which of
// the two is missing ("user" or "role"), the user first when both are.
// Any method can also return Unauthenticated or PermissionDenied (the
// backend's credentials were refused), RateLimited or Unavailable (try
// again later; see [Error.RetryAfter]), Internal (the provider answered
// with something the backend could not understand), FailedPrecondition
// with [ErrClosed] in its chain once the directory is closed, or the
// context's own error, unwrapped.
//
// Directory is a concrete type so that it can gain methods without
// breaking anyone; code that wants to be handed a fake uses the
// [UserDirectory] interface, which *Directory satisfies.
type Directory struct {
	backend string
	drv     driver.Directory
	caps    Capabilities
	closed  atomic.Bool

	// The optional groups the backend implements; nil where it does not.
	roles     driver.Roles
	catalog   driver.RoleCatalog
	passwords driver.Passwords
	orgs      driver.Organizations
	orgRoles  driver.OrganizationRoles
	orgPerms  driver.OrganizationPermissions
	sec       securityGroups
	// cons are the backend's rules beyond the portable ones.
	cons driver.Constraints

	// How ListUsers fetches: pages requested at once, the backend's
	// cursors of later pages (nil without), and its listing's order for
	// dropping users seen already (nil without).
	prefetch int
	ahead    driver.PagesAhead
	order    driver.ListingOrder

	tel telemetry
}

// NewDirectory wraps a backend in the portable layer. backend is the name
// errors carry, by convention the URL scheme ("okta"). A backend's
// constructor calls it; applications use the backend's New or [Open].
//
// The capabilities the directory reports are those d declares, less the
// groups of operations d does not implement: Roles without
// [driver.Roles], RoleCatalog without [driver.RoleCatalog] or without
// Roles, the four password capabilities without [driver.Passwords],
// Organizations without [driver.Organizations], OrganizationRoles without
// [driver.OrganizationRoles] or Organizations, OrganizationPermissions
// without [driver.OrganizationPermissions] or OrganizationRoles,
// RevokeSessions without [driver.Sessions], Factors without
// [driver.Factors], Identities without [driver.Identities],
// UnlinkIdentity without it or without Identities, Deprovision without
// [driver.Deprovisioning] or without StatusDeprovisioned among the
// Statuses, HasPassword without [driver.PasswordState], and the two
// ResetPassword capabilities without [driver.PasswordResets]. SetRoles
// needs Roles only: a backend without [driver.RoleSets] has its roles set
// by difference.
//
// opts, at most one (a later one replaces an earlier), are the portable
// layer's own settings, which a backend takes in its Options and passes
// on; without any, the defaults hold.
func NewDirectory(backend string, d driver.Directory, opts ...DirectoryOptions) *Directory {
	var o DirectoryOptions
	if len(opts) > 0 {
		o = opts[len(opts)-1]
	}
	dir := &Directory{backend: backend, drv: d, caps: d.Capabilities(), prefetch: o.prefetch(), tel: newTelemetry(backend, o)}
	dir.ahead, _ = d.(driver.PagesAhead)
	dir.order, _ = d.(driver.ListingOrder)
	dir.caps.Statuses = slices.Clone(dir.caps.Statuses)
	if r, ok := d.(driver.Roles); ok && dir.caps.Roles {
		dir.roles = r
	} else {
		dir.caps.Roles = false
	}
	if c, ok := d.(driver.RoleCatalog); ok && dir.caps.RoleCatalog && dir.caps.Roles {
		dir.catalog = c
	} else {
		dir.caps.RoleCatalog = false
	}
	if p, ok := d.(driver.Passwords); ok {
		dir.passwords = p
	} else {
		dir.caps.SetPassword, dir.caps.VerifyPassword, dir.caps.ChangePassword, dir.caps.ExpirePassword = false, false, false, false
	}
	if o, ok := d.(driver.Organizations); ok && dir.caps.Organizations {
		dir.orgs = o
	} else {
		dir.caps.Organizations, dir.caps.UniqueOrganizationName, dir.caps.OrganizationMetadata = false, false, false
	}
	if r, ok := d.(driver.OrganizationRoles); ok && dir.caps.OrganizationRoles && dir.caps.Organizations {
		dir.orgRoles = r
	} else {
		dir.caps.OrganizationRoles = false
	}
	if p, ok := d.(driver.OrganizationPermissions); ok && dir.caps.OrganizationPermissions && dir.caps.OrganizationRoles {
		dir.orgPerms = p
	} else {
		dir.caps.OrganizationPermissions = false
	}
	dir.sec = maskSecurity(d, &dir.caps)
	dir.cons = constraintsOf(d)
	return dir
}

// begin runs the checks every call starts with. It returns the error to
// give the caller, already wrapped, or nil to go ahead.
func (d *Directory) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.closed.Load() {
		return &Error{Code: FailedPrecondition, Op: op, Backend: d.backend, Err: ErrClosed}
	}
	return nil
}

// fail turns err from the backend, or from validation, into what the
// caller sees.
func (d *Directory) fail(ctx context.Context, op string, err error, userID, role string) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		// The call's own context ended; whatever the transport made of
		// that, the caller asked for the context's error.
		return cerr
	}
	var src *Error
	var e Error
	if errors.As(err, &src) {
		e = *src
	} else {
		e = Error{Code: Internal, Message: "unexpected error from backend", Err: err}
	}
	if e.Op == "" {
		e.Op = op
	}
	e.Backend = d.backend
	if e.UserID == "" && userID != "" && checkID("id", userID) == nil {
		e.UserID = userID
	}
	if e.Role == "" && role != "" && checkRoleName("role", role) == nil {
		e.Role = role
	}
	return &e
}

// Backend returns the backend's name, by convention the URL scheme it
// registers, such as "okta"; errors carry it as Error.Backend.
func (d *Directory) Backend() string { return d.backend }

// Format prints the backend's name only, for every verb: fmt does not
// call a Secret's own Format inside unexported fields, and a backend's
// state may hold its credential.
func (d *Directory) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "identity.Directory(%s)", d.backend)
}

// unsupported is the error of a call the capabilities rule out: what
// names the operation, or the field, the backend cannot carry.
func (d *Directory) unsupported(ctx context.Context, op, what string) error {
	return d.fail(ctx, op, driver.UnsupportedError(what), "", "")
}

// Capabilities reports what the backend supports: a call that needs what
// it leaves out returns Unsupported. It makes no call.
func (d *Directory) Capabilities() Capabilities {
	c := d.caps
	c.Statuses = slices.Clone(c.Statuses)
	return c
}

// As sets target to a backend-specific value, such as the backend's typed
// API client, and reports whether it did; each backend documents the
// types it hands out (for example **okta.Client). It is the escape hatch
// for what the portable API does not cover.
func (d *Directory) As(target any) bool {
	a, ok := d.drv.(driver.Aser)
	return ok && target != nil && a.As(target)
}

// Close releases the directory's resources. Calls after Close return
// FailedPrecondition with [ErrClosed] in the chain; a second Close
// returns nil.
func (d *Directory) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	if err := d.drv.Close(); err != nil {
		return d.fail(context.Background(), "Close", err, "", "")
	}
	return nil
}

// CreateUser creates a user and returns it as the provider stored it. It
// needs at least one identifier (username, email or phone) the backend
// accepts. It returns AlreadyExists when the username, email or phone
// belongs to another user, InvalidArgument for a malformed field, and
// Unsupported for a field or status the backend cannot carry.
func (d *Directory) CreateUser(ctx context.Context, u NewUser) (_ *User, err error) {
	const op = "CreateUser"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := validateNewUser(d.caps, &u); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if u.Status == "" {
		u.Status = StatusActive
	}
	// Normalised into a copy of its own, so that a backend holding on to
	// the map, or the caller changing it afterwards, cannot affect the
	// other.
	if err := d.constrainNewUser(&u); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	return d.user(ctx, op, "")(refusedUser(d.drv.CreateUser(ctx, u)))
}

// user checks a user returned by the backend: a nil user with a nil error
// is a backend bug, reported as Internal rather than a nil dereference
// later.
func (d *Directory) user(ctx context.Context, op, id string) func(*User, error) (*User, error) {
	return func(u *User, err error) (*User, error) {
		if err != nil {
			return nil, d.failUser(ctx, op, err, id)
		}
		if u == nil {
			return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned no user"), id, "")
		}
		return u, nil
	}
}

// GetUser returns the user with the given id, or NotFound.
func (d *Directory) GetUser(ctx context.Context, id string) (_ *User, err error) {
	const op = "GetUser"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	return d.user(ctx, op, id)(d.drv.GetUser(ctx, id))
}

// GetUserByEmail returns the user whose email matches exactly, ignoring
// case, or NotFound.
func (d *Directory) GetUserByEmail(ctx context.Context, email string) (_ *User, err error) {
	const op = "GetUserByEmail"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkEmail("email", email); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	return d.user(ctx, op, "")(d.drv.FindUser(ctx, driver.ByEmail, email))
}

// GetUserByUsername returns the user whose username matches exactly, or
// NotFound. It returns Unsupported on a backend without usernames.
func (d *Directory) GetUserByUsername(ctx context.Context, username string) (_ *User, err error) {
	const op = "GetUserByUsername"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkUsername("username", username); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if !d.caps.Username {
		return nil, d.unsupported(ctx, op, op)
	}
	return d.user(ctx, op, "")(d.drv.FindUser(ctx, driver.ByUsername, username))
}

// UpdateUser changes only the fields set in u and returns the updated
// user. Metadata merges key by key; a key set to nil is removed.
// Concurrent updates of different fields or keys lose nothing. It returns
// NotFound, AlreadyExists when a new identifier belongs to another user,
// InvalidArgument, and Unsupported for a field the backend cannot carry.
// An update that changes nothing returns the user as it is.
func (d *Directory) UpdateUser(ctx context.Context, id string, u UserUpdate) (_ *User, err error) {
	const op = "UpdateUser"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if err := validateUpdate(d.caps, &u); err != nil {
		return nil, d.fail(ctx, op, err, id, "")
	}
	if err := d.constrainUpdate(&u); err != nil {
		return nil, d.fail(ctx, op, err, id, "")
	}
	if u.IsZero() {
		return d.user(ctx, op, id)(d.drv.GetUser(ctx, id))
	}
	return d.user(ctx, op, id)(refusedUser(d.drv.UpdateUser(ctx, id, u)))
}

// DeleteUser deletes the user permanently. It returns NotFound when there
// is no such user.
func (d *Directory) DeleteUser(ctx context.Context, id string) (err error) {
	const op = "DeleteUser"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	return d.failUser(ctx, op, d.drv.DeleteUser(ctx, id), id)
}

// ListUsersPage returns one page of users. Pass the empty cursor for the
// first page and the previous page's NextCursor for the next; the last
// page has an empty NextCursor. Users come in the backend's listing
// order (see the package doc). A cursor is opaque and belongs to the
// options it was made with: given with other ListOptions (another filter
// or PageSize) it gives InvalidArgument naming the cursor, as does a
// cursor this backend did not make. A cursor names no process: another
// instance of the application, or the same after a restart, takes it.
func (d *Directory) ListUsersPage(ctx context.Context, opts ListOptions, cursor string) (_ *UserPage, err error) {
	const op = "ListUsersPage"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := validateListOptions(d.caps, &opts); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if err := checkCursor(cursor); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	inner, err := unbindCursor(d.backend, opts, cursor)
	if err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	pg, err := d.page(ctx, op, opts, inner)
	if err != nil {
		return nil, err
	}
	out := *pg
	out.NextCursor = bindCursor(d.backend, opts, pg.NextCursor)
	return &out, nil
}

func (d *Directory) page(ctx context.Context, op string, opts ListOptions, cursor string) (*UserPage, error) {
	if opts.Status != "" && !d.caps.HasStatus(opts.Status) {
		// No user of this backend can be in that status: the answer is
		// known without asking.
		return &UserPage{}, nil
	}
	pg, err := d.drv.ListUsers(ctx, opts, cursor)
	if err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if pg == nil {
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned no page"), "", "")
	}
	if slices.Contains(pg.Users, nil) {
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned a nil user in a page"), "", "")
	}
	return pg, nil
}

// ListUsers returns an iterator over the users that match opts, in the
// provider's order, fetching pages as the loop advances: up to
// DirectoryOptions.PrefetchPages of them ahead of the loop, as the
// backend's paging allows. Within one listing no user comes twice, even
// while users are created or deleted; a user deleted meanwhile may or may
// not come, and on a backend whose provider pages by number (Logto,
// Passage) a deletion can also make a user that stays be left out, the
// later pages having moved up. Iteration stops after the first error,
// which is yielded with a nil user. However the loop ends (a break, the
// context ending, an error), when it has, no request of the listing is
// still under way.
func (d *Directory) ListUsers(ctx context.Context, opts ListOptions) iter.Seq2[*User, error] {
	const op = "ListUsers"
	return func(yield func(*User, error) bool) {
		ctx, ot := d.observe(ctx, op)
		yield, errp := watch(ot.t != nil, yield)
		defer ot.end(errp)
		if err := d.begin(ctx, op); err != nil {
			yield(nil, err)
			return
		}
		if err := validateListOptions(d.caps, &opts); err != nil {
			yield(nil, d.fail(ctx, op, err, "", ""))
			return
		}
		ins := ot.ins
		l := &lister{ctx: ctx, limit: d.prefetch, get: func(ctx context.Context, cursor string) pageResult {
			pg, err := d.page(ctx, op, opts, cursor)
			if err != nil {
				return pageResult{err: err}
			}
			d.tel.page(ctx, ins, op)
			return pageResult{users: pg.Users, next: pg.NextCursor}
		}}
		if d.ahead != nil {
			l.ahead = func(cursor string, n int) (string, bool) { return d.ahead.CursorAhead(opts, cursor, n) }
			// A listing by email or username has one page at most, and
			// a search most often one: only a listing of every user, or
			// of every user in a status, is likely to have several.
			l.blind = opts.Email == "" && opts.Username == "" && opts.Query == ""
		}
		var keep func(*User) bool
		if d.order != nil {
			keep = onePass(d.order.CompareListed)
		}
		ot.listed(l.run(keep, func() error {
			return d.fail(ctx, op, driver.Errorf(Internal, "backend returned the same cursor twice"), "", "")
		}, yield))
	}
}

// lifecycle runs a status change and makes it idempotent: when the backend
// refuses the transition, a user already in the target status counts as
// success. capable is the capability the change needs; call is touched
// only once it holds.
func (d *Directory) lifecycle(ctx context.Context, op, id string, target Status, capable bool, call func(context.Context, string) error) (err error) {
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, capable); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	err = call(ctx, id)
	if err == nil || CodeOf(err) != FailedPrecondition {
		return d.failUser(ctx, op, err, id)
	}
	if u, gerr := d.drv.GetUser(ctx, id); gerr == nil && u != nil && u.Status == target {
		return nil
	}
	return d.failUser(ctx, op, err, id)
}

// SuspendUser stops the user from signing in. It is idempotent:
// suspending a suspended user succeeds. It returns FailedPrecondition when
// the provider cannot suspend a user in its current status (for example a
// Pending one).
func (d *Directory) SuspendUser(ctx context.Context, id string) error {
	return d.lifecycle(ctx, "SuspendUser", id, StatusSuspended, true, d.drv.SuspendUser)
}

// ActivateUser makes the user able to sign in: from Suspended, Pending,
// Locked or Deprovisioned, as far as the provider allows. It is
// idempotent: activating an active user succeeds. It returns
// FailedPrecondition when the provider cannot make the transition.
func (d *Directory) ActivateUser(ctx context.Context, id string) error {
	return d.lifecycle(ctx, "ActivateUser", id, StatusActive, true, d.drv.ActivateUser)
}

// gate starts a call of an optional group: the usual checks, then the
// capability.
func (d *Directory) gate(ctx context.Context, op string, capable bool) error {
	if err := d.begin(ctx, op); err != nil {
		return err
	}
	if !capable {
		return d.unsupported(ctx, op, op)
	}
	return nil
}

// CreateRole creates a role. It returns AlreadyExists when the name is
// taken, InvalidArgument for a malformed name or description, and
// Unsupported unless Capabilities().RoleCatalog.
func (d *Directory) CreateRole(ctx context.Context, r Role) (_ *Role, err error) {
	const op = "CreateRole"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.RoleCatalog); err != nil {
		return nil, err
	}
	if err := d.checkNewRole("Role.Name", r.Name); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	if err := checkText("Role.Description", r.Description, MaxDescriptionLen); err != nil {
		return nil, d.fail(ctx, op, err, "", r.Name)
	}
	got, err := d.catalog.CreateRole(ctx, r)
	if err = refused(err); err != nil {
		return nil, d.fail(ctx, op, err, "", r.Name)
	}
	if got == nil {
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned no role"), "", r.Name)
	}
	return got, nil
}

// DeleteRole deletes the role and every assignment of it. It returns
// NotFound when there is no such role, and Unsupported unless
// Capabilities().RoleCatalog.
func (d *Directory) DeleteRole(ctx context.Context, name string) (err error) {
	const op = "DeleteRole"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.RoleCatalog); err != nil {
		return err
	}
	if err := d.checkRole("role", name); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	err = d.fail(ctx, op, d.catalog.DeleteRole(ctx, name), "", name)
	return missing(err, "role")
}

func sortRoles(rs []*Role) []*Role {
	rs = slices.DeleteFunc(rs, func(r *Role) bool { return r == nil })
	slices.SortFunc(rs, func(a, b *Role) int { return strings.Compare(a.Name, b.Name) })
	return rs
}

// ListRoles returns every role, ordered by name. It returns Unsupported
// unless Capabilities().Roles.
func (d *Directory) ListRoles(ctx context.Context) (_ []*Role, err error) {
	const op = "ListRoles"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.Roles); err != nil {
		return nil, err
	}
	rs, err := d.roles.ListRoles(ctx)
	if err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	return sortRoles(rs), nil
}

// ListUserRoles returns the roles assigned to the user, ordered by name.
// It returns Unsupported unless Capabilities().Roles.
func (d *Directory) ListUserRoles(ctx context.Context, userID string) (_ []*Role, err error) {
	const op = "ListUserRoles"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.Roles); err != nil {
		return nil, err
	}
	if err := checkID("userID", userID); err != nil {
		return nil, d.fail(ctx, op, err, "", "")
	}
	rs, err := d.roles.ListUserRoles(ctx, userID)
	if err != nil {
		return nil, d.failUser(ctx, op, err, userID)
	}
	return sortRoles(rs), nil
}

// userRole runs AssignRole or RevokeRole; call is a closure so that the
// backend's optional group is touched only once the capability holds.
func (d *Directory) userRole(ctx context.Context, op, userID, role string, call func(context.Context, string, string) error) (err error) {
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.gate(ctx, op, d.caps.Roles); err != nil {
		return err
	}
	if err := checkID("userID", userID); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	if err := d.checkRole("role", role); err != nil {
		return d.fail(ctx, op, err, userID, "")
	}
	return d.failUserRole(ctx, op, refused(call(ctx, userID, role)), userID, role)
}

// failUserRole is fail for a call on a user and a role. A NotFound the
// backend gave with Error.Role set, or Field "role", is the role's, and
// any other the user's, as [driver.Roles] has it; Field then says which,
// and Role is set only when it is the role that is missing.
func (d *Directory) failUserRole(ctx context.Context, op string, err error, userID, role string) error {
	var src *Error
	if !errors.As(err, &src) || src.Code != NotFound {
		return d.fail(ctx, op, err, userID, role)
	}
	if src.Field == "role" || src.Field == "" && src.Role != "" {
		// A backend may resolve the role before the user: a user missing
		// too is named first, as the contract has it, at the cost of a
		// read on this path alone.
		if _, uerr := d.drv.GetUser(ctx, userID); CodeOf(uerr) == NotFound {
			return missing(d.fail(ctx, op, uerr, userID, ""), "user")
		}
		return missing(d.fail(ctx, op, err, userID, role), "role")
	}
	return missing(d.fail(ctx, op, err, userID, ""), "user")
}

// missing names what a NotFound is about, where the backend did not: the
// one target the call has of that kind.
func missing(err error, what string) error {
	var e *Error
	if errors.As(err, &e) && e.Code == NotFound && e.Field == "" {
		e.Field = what
	}
	return err
}

// AssignRole gives the user the named role. It is idempotent. It returns
// NotFound when the user or the role does not exist, with Field "user" or
// "role" saying which (the user when both are missing; Error.Role is set
// only when it is the role), and Unsupported unless Capabilities().Roles.
func (d *Directory) AssignRole(ctx context.Context, userID, role string) error {
	return d.userRole(ctx, "AssignRole", userID, role, func(ctx context.Context, userID, role string) error {
		return d.roles.AssignRole(ctx, userID, role)
	})
}

// RevokeRole takes the named role from the user. It is idempotent:
// revoking a role the user lacks succeeds. It returns NotFound when the
// user or the role does not exist, with Field saying which as for
// AssignRole, and Unsupported unless Capabilities().Roles.
func (d *Directory) RevokeRole(ctx context.Context, userID, role string) error {
	return d.userRole(ctx, "RevokeRole", userID, role, func(ctx context.Context, userID, role string) error {
		return d.roles.RevokeRole(ctx, userID, role)
	})
}

// passwordCall starts a password method: the usual checks, the capability,
// the user id, and each password given.
func (d *Directory) passwordCall(ctx context.Context, op string, capable bool, userID string, pw ...Secret) error {
	if err := d.gate(ctx, op, capable); err != nil {
		return err
	}
	if err := checkID("userID", userID); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	names := []string{"password", "new password"}
	if len(pw) == 2 {
		names = []string{"old password", "new password"}
	}
	for i, s := range pw {
		if err := checkPassword(names[i], s); err != nil {
			return d.fail(ctx, op, err, userID, "")
		}
	}
	return nil
}

// SetPassword sets the user's password without knowing the old one. It
// returns InvalidArgument for an empty password, FailedPrecondition when
// the provider's password policy refuses it, and Unsupported unless
// Capabilities().SetPassword.
func (d *Directory) SetPassword(ctx context.Context, userID string, password Secret) (err error) {
	const op = "SetPassword"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.passwordCall(ctx, op, d.caps.SetPassword, userID, password); err != nil {
		return err
	}
	return d.failUser(ctx, op, d.passwords.SetPassword(ctx, userID, password), userID)
}

// VerifyPassword returns nil when password is the user's password and
// InvalidCredentials when it is not, or when the user has none. It
// returns Unsupported unless Capabilities().VerifyPassword.
func (d *Directory) VerifyPassword(ctx context.Context, userID string, password Secret) (err error) {
	const op = "VerifyPassword"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.passwordCall(ctx, op, d.caps.VerifyPassword, userID, password); err != nil {
		return err
	}
	return d.failUser(ctx, op, d.passwords.VerifyPassword(ctx, userID, password), userID)
}

// ChangePassword replaces the user's password, checking the old one
// first. It returns InvalidCredentials when oldPassword is wrong,
// FailedPrecondition when a policy refuses newPassword, and Unsupported
// unless Capabilities().ChangePassword.
func (d *Directory) ChangePassword(ctx context.Context, userID string, oldPassword, newPassword Secret) (err error) {
	const op = "ChangePassword"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.passwordCall(ctx, op, d.caps.ChangePassword, userID, oldPassword, newPassword); err != nil {
		return err
	}
	return d.failUser(ctx, op, d.passwords.ChangePassword(ctx, userID, oldPassword, newPassword), userID)
}

// ExpirePassword forces the user to choose a new password at the next
// sign-in. It returns Unsupported unless Capabilities().ExpirePassword.
func (d *Directory) ExpirePassword(ctx context.Context, userID string) (err error) {
	const op = "ExpirePassword"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.passwordCall(ctx, op, d.caps.ExpirePassword, userID); err != nil {
		return err
	}
	return d.failUser(ctx, op, d.passwords.ExpirePassword(ctx, userID), userID)
}
