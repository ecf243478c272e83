package identity

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/idport/identity/driver"
)

// The account-security methods below, like the rest, return Unsupported
// naming the operation before any request when the capability they need
// is off: RevokeSessions; Factors for ListFactors, DeleteFactor and
// ResetFactors; Identities for ListIdentities and UnlinkIdentity for
// UnlinkIdentity; Deprovision; HasPassword; Roles for SetRoles; and
// ResetPasswordLink or ResetPasswordTemporary for ResetPassword. For
// NotFound, Error.Field names what is missing: "user", "factor",
// "identity" or "role".
//
// Whether SuspendUser also ends a user's sessions is the provider's; code
// that suspends a user to sign them out everywhere calls RevokeSessions
// too.

// securityGroups are the account-security groups the backend implements;
// nil where it does not, or where the capability is off.
type securityGroups struct {
	sessions driver.Sessions
	factors  driver.Factors
	idents   driver.Identities
	deprov   driver.Deprovisioning
	pwState  driver.PasswordState
	roleSets driver.RoleSets
	resets   driver.PasswordResets
	hashes   driver.PasswordHashes
}

// maskSecurity finds the account-security groups d implements and turns
// off in c the capabilities of those it does not. c.Roles is already
// settled.
func maskSecurity(d driver.Directory, c *Capabilities) securityGroups {
	var g securityGroups
	if s, ok := d.(driver.Sessions); ok && c.RevokeSessions {
		g.sessions = s
	} else {
		c.RevokeSessions = false
	}
	if f, ok := d.(driver.Factors); ok && c.Factors {
		g.factors = f
	} else {
		c.Factors = false
	}
	if i, ok := d.(driver.Identities); ok && c.Identities {
		g.idents = i
	} else {
		c.Identities, c.UnlinkIdentity = false, false
	}
	if x, ok := d.(driver.Deprovisioning); ok && c.Deprovision && c.HasStatus(StatusDeprovisioned) {
		g.deprov = x
	} else {
		c.Deprovision = false
	}
	if p, ok := d.(driver.PasswordState); ok && c.HasPassword {
		g.pwState = p
	} else {
		c.HasPassword = false
	}
	if r, ok := d.(driver.RoleSets); ok && c.Roles {
		g.roleSets = r
	}
	if p, ok := d.(driver.PasswordResets); ok && (c.ResetPasswordLink || c.ResetPasswordTemporary) {
		g.resets = p
	} else {
		c.ResetPasswordLink, c.ResetPasswordTemporary = false, false
	}
	if h, ok := d.(driver.PasswordHashes); ok && c.ExportPasswordHash {
		g.hashes = h
	} else {
		c.ExportPasswordHash = false
	}
	if !c.SetPassword {
		c.PasswordHashes = nil
	}
	c.PasswordHashes = slices.Clone(c.PasswordHashes)
	return g
}

// userCall starts a call on one user: the gate, then the user's id.
func (d *Directory) userCall(ctx context.Context, op string, capable bool, userID string) error {
	if err := d.gate(ctx, op, capable); err != nil {
		return err
	}
	if err := checkID("userID", userID); err != nil {
		return d.fail(ctx, op, err, "", "")
	}
	return nil
}

// failUser is fail for a call whose only target is the user: a NotFound
// can only be the user's, and says so in Field where the backend did not.
func (d *Directory) failUser(ctx context.Context, op string, err error, userID string) error {
	err = d.fail(ctx, op, err, userID, "")
	var e *Error
	if errors.As(err, &e) && e.Code == NotFound && e.Field == "" {
		e.Field = "user"
	}
	return err
}

// RevokeSessions ends every session of the user and revokes the refresh
// tokens issued to it, so that the user is signed out everywhere once the
// access tokens already issued expire. A user with no session succeeds,
// so it is safe to call twice. It returns NotFound when there is no such
// user, and Unsupported unless Capabilities().RevokeSessions.
func (d *Directory) RevokeSessions(ctx context.Context, userID string) (err error) {
	const op = "RevokeSessions"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.RevokeSessions, userID); err != nil {
		return err
	}
	return d.failUser(ctx, op, d.sec.sessions.RevokeSessions(ctx, userID), userID)
}

// ListFactors returns the second factors the user has enrolled, ordered
// by creation time, then id; a factor whose kind the backend could not
// name reads FactorOther. It returns NotFound when there is no such user,
// and Unsupported unless Capabilities().Factors.
func (d *Directory) ListFactors(ctx context.Context, userID string) (_ []*Factor, err error) {
	const op = "ListFactors"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.Factors, userID); err != nil {
		return nil, err
	}
	fs, err := d.sec.factors.ListFactors(ctx, userID)
	if err != nil {
		return nil, d.failUser(ctx, op, err, userID)
	}
	fs = slices.DeleteFunc(fs, func(f *Factor) bool { return f == nil })
	for _, f := range fs {
		if !f.Kind.Valid() {
			f.Kind = FactorOther
		}
	}
	slices.SortFunc(fs, func(a, b *Factor) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return fs, nil
}

// DeleteFactor removes one of the user's second factors, by the ID
// ListFactors gave it. It returns NotFound when the user does not exist
// (Error.Field "user") or has no such factor (Error.Field "factor"),
// which includes a factor deleted already; InvalidArgument for a
// malformed id; and Unsupported unless Capabilities().Factors.
func (d *Directory) DeleteFactor(ctx context.Context, userID, factorID string) (err error) {
	const op = "DeleteFactor"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.Factors, userID); err != nil {
		return err
	}
	if err := checkID("factorID", factorID); err != nil {
		return d.fail(ctx, op, err, userID, "")
	}
	return d.fail(ctx, op, d.sec.factors.DeleteFactor(ctx, userID, factorID), userID, "")
}

// ResetFactors removes every second factor of the user, as for a user who
// lost their phone; a user without any succeeds. It returns NotFound when
// there is no such user, and Unsupported unless Capabilities().Factors.
func (d *Directory) ResetFactors(ctx context.Context, userID string) (err error) {
	const op = "ResetFactors"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.Factors, userID); err != nil {
		return err
	}
	return d.failUser(ctx, op, d.sec.factors.ResetFactors(ctx, userID), userID)
}

// ListIdentities returns the accounts at other identity providers (social
// connectors, enterprise IdPs) linked to the user, ordered by provider,
// then subject. It returns NotFound when there is no such user, and
// Unsupported unless Capabilities().Identities.
func (d *Directory) ListIdentities(ctx context.Context, userID string) (_ []*LinkedIdentity, err error) {
	const op = "ListIdentities"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.Identities, userID); err != nil {
		return nil, err
	}
	ls, err := d.sec.idents.ListIdentities(ctx, userID)
	if err != nil {
		return nil, d.failUser(ctx, op, err, userID)
	}
	ls = slices.DeleteFunc(ls, func(l *LinkedIdentity) bool { return l == nil })
	slices.SortFunc(ls, func(a, b *LinkedIdentity) int {
		if c := strings.Compare(a.Provider, b.Provider); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	return ls, nil
}

// UnlinkIdentity removes the link between the user and their account at
// provider, a LinkedIdentity.Provider that ListIdentities gave. It returns
// NotFound when the user does not exist (Error.Field "user") or has no
// identity at that provider (Error.Field "identity"), which includes one
// unlinked already; InvalidArgument for a malformed provider; and
// Unsupported unless Capabilities().UnlinkIdentity.
func (d *Directory) UnlinkIdentity(ctx context.Context, userID, provider string) (err error) {
	const op = "UnlinkIdentity"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.UnlinkIdentity, userID); err != nil {
		return err
	}
	// A provider's name goes into a request path on every backend that
	// has links, as an id does, and is made of the same characters.
	if err := checkID("provider", provider); err != nil {
		return d.fail(ctx, op, err, userID, "")
	}
	return d.fail(ctx, op, d.sec.idents.UnlinkIdentity(ctx, userID, provider), userID, "")
}

// DeprovisionUser deprovisions a leaver: the user moves to
// StatusDeprovisioned and can no longer sign in, but the record stays,
// unlike with DeleteUser. It is idempotent: deprovisioning a
// deprovisioned user succeeds. ActivateUser brings the user back. It
// returns NotFound, FailedPrecondition when the provider cannot make the
// transition, and Unsupported unless Capabilities().Deprovision.
func (d *Directory) DeprovisionUser(ctx context.Context, id string) error {
	return d.lifecycle(ctx, "DeprovisionUser", id, StatusDeprovisioned, d.caps.Deprovision, func(ctx context.Context, id string) error {
		return d.sec.deprov.DeprovisionUser(ctx, id)
	})
}

// HasPassword reports whether the user has a password, expired or not. It
// returns NotFound when there is no such user, and Unsupported unless
// Capabilities().HasPassword.
func (d *Directory) HasPassword(ctx context.Context, userID string) (_ bool, err error) {
	const op = "HasPassword"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.HasPassword, userID); err != nil {
		return false, err
	}
	has, err := d.sec.pwState.HasPassword(ctx, userID)
	if err != nil {
		return false, d.failUser(ctx, op, err, userID)
	}
	return has, nil
}

// PasswordHash returns the user's stored password hash in package
// passhash's encoding, or "" when the user has no password: what a
// migration carries to another directory so that the user keeps the
// password. It returns NotFound when there is no such user, and
// Unsupported unless Capabilities().ExportPasswordHash, or (Field
// "PasswordHash") when the provider holds this user's hash in a form
// passhash cannot encode.
func (d *Directory) PasswordHash(ctx context.Context, userID string) (_ PasswordHash, err error) {
	const op = "PasswordHash"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.ExportPasswordHash, userID); err != nil {
		return "", err
	}
	h, err := d.sec.hashes.PasswordHash(ctx, userID)
	if err != nil {
		return "", d.failUser(ctx, op, err, userID)
	}
	return h, nil
}

// SetRoles leaves the user with exactly the named roles (none clears
// them); a name given twice counts once. It returns NotFound when the user
// (Error.Field "user") or a role (Error.Field "role", Error.Role naming
// it) does not exist, having changed nothing, InvalidArgument for a
// malformed name, and Unsupported unless Capabilities().Roles.
//
// Where the provider replaces a user's roles in one call (Logto), so does
// SetRoles. Elsewhere it reads the user's roles and the catalogue, then
// revokes the extra roles and assigns the missing ones, call by call:
// that is not atomic, so a failure part way, or a concurrent change of
// the same user's roles, can leave a set that is neither the old nor the
// new. It revokes before it assigns, so that such a set holds no role
// the caller did not ask for.
func (d *Directory) SetRoles(ctx context.Context, userID string, roles ...string) (err error) {
	const op = "SetRoles"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.Roles, userID); err != nil {
		return err
	}
	for _, r := range roles {
		if err := d.checkRole("roles", r); err != nil {
			return d.fail(ctx, op, err, userID, "")
		}
	}
	names := slices.Compact(slices.Sorted(slices.Values(roles)))
	if names == nil {
		names = []string{}
	}
	if d.sec.roleSets != nil {
		return d.failUser(ctx, op, refused(d.sec.roleSets.SetRoles(ctx, userID, names)), userID)
	}
	return d.failUser(ctx, op, refused(d.setRolesByDifference(ctx, userID, names)), userID)
}

// setRolesByDifference is SetRoles through driver.Roles; names is sorted
// and distinct.
func (d *Directory) setRolesByDifference(ctx context.Context, userID string, names []string) error {
	held, err := d.roles.ListUserRoles(ctx, userID)
	if err != nil {
		return err
	}
	has := make(map[string]bool, len(held))
	for _, r := range held {
		if r != nil {
			has[r.Name] = true
		}
	}
	var add []string
	for _, n := range names {
		if !has[n] {
			add = append(add, n)
		}
	}
	if len(add) > 0 {
		// Every missing role must exist before anything changes, so that
		// a typo in one name leaves the user as it was.
		catalogue, err := d.roles.ListRoles(ctx)
		if err != nil {
			return err
		}
		exists := make(map[string]bool, len(catalogue))
		for _, r := range catalogue {
			if r != nil {
				exists[r.Name] = true
			}
		}
		for _, n := range add {
			if !exists[n] {
				return &Error{Code: NotFound, Field: "role", Role: n, Message: "no such role"}
			}
		}
	}
	for _, r := range held {
		if r != nil && !slices.Contains(names, r.Name) {
			if err := d.roles.RevokeRole(ctx, userID, r.Name); err != nil {
				return err
			}
		}
	}
	for _, n := range add {
		if err := d.roles.AssignRole(ctx, userID, n); err != nil {
			return err
		}
	}
	return nil
}

// ResetPassword starts a password reset without mailing the user, and
// returns what the application hands the user to finish it: a one-time
// link (ResetLink), or a temporary password the user must change at the
// next sign-in (ResetTemporaryPassword). opts.Kind "" takes the first the
// backend supports, a link before a temporary password; the result's
// Kind says which it is, and only that kind's Secret is set. The secrets
// are never logged, and print as a placeholder.
//
// It returns NotFound when there is no such user; InvalidArgument for an
// unknown Kind; Unsupported naming "ResetOptions.Kind" for a kind the
// backend lacks, and naming the operation unless
// Capabilities().ResetPasswordLink or ResetPasswordTemporary; and
// FailedPrecondition when the user's status forbids a reset.
func (d *Directory) ResetPassword(ctx context.Context, userID string, opts ResetOptions) (_ *PasswordReset, err error) {
	const op = "ResetPassword"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.userCall(ctx, op, d.caps.ResetPasswordLink || d.caps.ResetPasswordTemporary, userID); err != nil {
		return nil, err
	}
	if err := resolveResetKind(d.caps, &opts); err != nil {
		return nil, d.fail(ctx, op, err, userID, "")
	}
	pr, err := d.sec.resets.ResetPassword(ctx, userID, opts)
	if err != nil {
		return nil, d.failUser(ctx, op, err, userID)
	}
	if why := checkReset(pr, opts.Kind); why != "" {
		return nil, d.fail(ctx, op, driver.Errorf(Internal, "backend returned %s", why), userID, "")
	}
	return pr, nil
}

// resolveResetKind checks opts.Kind against the capabilities, and
// replaces "" with the first kind the backend supports.
func resolveResetKind(c Capabilities, opts *ResetOptions) error {
	switch opts.Kind {
	case "":
		opts.Kind = ResetLink
		if !c.ResetPasswordLink {
			opts.Kind = ResetTemporaryPassword
		}
		return nil
	case ResetLink:
		if c.ResetPasswordLink {
			return nil
		}
	case ResetTemporaryPassword:
		if c.ResetPasswordTemporary {
			return nil
		}
	default:
		return driver.InvalidArgumentError("ResetOptions.Kind", "unknown reset kind %s; want %q or %q", quote(string(opts.Kind)), ResetLink, ResetTemporaryPassword)
	}
	return &Error{Code: Unsupported, Field: "ResetOptions.Kind", Message: "a reset of kind " + string(opts.Kind) + " is not supported by this backend"}
}

// checkReset says what is wrong with a reset the backend returned for
// kind, or "".
func checkReset(pr *PasswordReset, kind ResetKind) string {
	switch {
	case pr == nil:
		return "no reset"
	case pr.Kind != kind:
		return "a reset of another kind than asked"
	case kind == ResetLink && (pr.Link == "" || pr.TemporaryPassword != ""):
		return "a link reset without a link, or with a password"
	case kind == ResetTemporaryPassword && (pr.TemporaryPassword == "" || pr.Link != ""):
		return "a temporary password reset without a password, or with a link"
	}
	return ""
}
