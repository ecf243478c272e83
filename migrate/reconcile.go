package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/idport/identity"
)

// leftAsIs ends the reason of a difference Copy leaves alone.
const leftAsIs = "; left as it is (Options.Update changes it)"

// reconcile brings the destination's user u to the source's state: all
// of it for a user Copy created, or with Options.Update or Overwrite;
// otherwise it only names, as losses, where u differs.
func (c *copier) reconcile(ctx context.Context, st *userState, u *identity.User, overwrite bool) (outcome, error) {
	write := st.owned || c.opts.Update || overwrite
	var changed []string
	if !st.fresh {
		upd, diffs := c.fieldDiff(st, u, overwrite)
		if len(diffs) > 0 {
			if write {
				if !c.dry {
					got, err := c.update(ctx, st, u.ID, upd)
					if err != nil {
						return outcome{}, err
					}
					if got != nil {
						u = got
					}
				}
				changed = append(changed, diffs...)
			} else {
				for _, f := range diffs {
					st.losses.add(f, "the destination's user has another value than the source's"+leftAsIs)
				}
			}
		}
	}
	steps := []func(context.Context, *userState, *identity.User, bool) (string, error){
		c.statusBefore, c.roles, c.memberships, c.statusAfter,
	}
	for _, step := range steps {
		what, err := step(ctx, st, u, write)
		if err != nil {
			return outcome{}, err
		}
		if what != "" {
			changed = append(changed, what)
		}
	}
	if !st.owned && st.plan.nu.PasswordHash != "" {
		if err := c.passwordOfMatched(ctx, st, u); err != nil {
			return outcome{}, err
		}
	}
	switch {
	case st.rec.EmailVerified && !u.EmailVerified:
		st.losses.add("EmailVerified", "the source's email is verified and the destination's is not: no portable call sets EmailVerified")
	case !st.rec.EmailVerified && u.EmailVerified && st.rec.Email != "":
		// Logto counts every primary email as verified.
		st.losses.add("EmailVerified", "the source's email is not verified, and the destination counts it as verified")
	}
	switch {
	case st.owned:
		return outcome{outcome: Created}, nil
	case len(changed) > 0:
		return outcome{outcome: Updated, changed: changed}, nil
	}
	return outcome{outcome: Matched}, nil
}

// passwordOfMatched names the loss of a hash the source has for a user
// the destination had already: no portable call sets a hash on an
// existing user. Where the destination says the user has a password, it
// is taken to be the one an earlier copy brought.
func (c *copier) passwordOfMatched(ctx context.Context, st *userState, u *identity.User) error {
	if !c.caps.HasPassword {
		st.losses.add("PasswordHash", "the destination had this user already, and cannot say whether it has a password: no portable call sets a password hash on an existing user, so the source's may not have moved")
		return nil
	}
	has, err := c.dst.HasPassword(ctx, u.ID)
	if err != nil {
		return err
	}
	if !has {
		st.losses.add("PasswordHash", "the destination had this user already, without a password: no portable call sets a password hash on an existing user, so the source's does not move")
	}
	return nil
}

// fieldDiff returns the update that brings u's fields to the source's,
// and the fields it changes. Fields the record leaves empty are left as
// they are, and an identifier u holds is changed only on Overwrite (it
// differs only in a conflict).
func (c *copier) fieldDiff(st *userState, u *identity.User, overwrite bool) (identity.UserUpdate, []string) {
	nu := st.plan.nu
	var upd identity.UserUpdate
	var diffs []string
	set := func(p **string, v, name string) {
		*p = &v
		diffs = append(diffs, name)
	}
	if nu.Username != "" && nu.Username != u.Username && (u.Username == "" || overwrite) {
		set(&upd.Username, nu.Username, "Username")
	}
	if nu.Email != "" && !strings.EqualFold(nu.Email, u.Email) && (u.Email == "" || overwrite) {
		set(&upd.Email, nu.Email, "Email")
	}
	if nu.Phone != "" && nu.Phone != u.Phone && (u.Phone == "" || overwrite) {
		set(&upd.Phone, nu.Phone, "Phone")
	}
	if nu.GivenName != "" && nu.GivenName != u.GivenName {
		set(&upd.GivenName, nu.GivenName, "GivenName")
	}
	if nu.FamilyName != "" && nu.FamilyName != u.FamilyName {
		set(&upd.FamilyName, nu.FamilyName, "FamilyName")
	}
	if nu.DisplayName != "" && nu.DisplayName != u.DisplayName {
		set(&upd.DisplayName, nu.DisplayName, "DisplayName")
	}
	for _, k := range sortedKeys(st.plan.metadata) {
		v := st.plan.metadata[k]
		if !sameJSON(u.Metadata[k], v) {
			if upd.Metadata == nil {
				upd.Metadata = map[string]any{}
			}
			upd.Metadata[k] = v
			diffs = append(diffs, "Metadata."+k)
		}
	}
	return upd, diffs
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// update applies upd, dropping what the destination refuses of it as
// the create does.
func (c *copier) update(ctx context.Context, st *userState, id string, upd identity.UserUpdate) (*identity.User, error) {
	for tries := 0; ; tries++ {
		if upd.IsZero() {
			return nil, nil
		}
		u, err := c.dst.UpdateUser(ctx, id, upd)
		if err == nil {
			return u, nil
		}
		if tries < maxDrops && dropUpdate(err, &upd, st) {
			continue
		}
		return nil, err
	}
}

// dropUpdate is dropNew for an update.
func dropUpdate(err error, u *identity.UserUpdate, st *userState) bool {
	return dropRefused(err, u.Metadata, map[string]func() (bool, string){
		"GivenName":   func() (bool, string) { return clearPointer(&u.GivenName), "" },
		"FamilyName":  func() (bool, string) { return clearPointer(&u.FamilyName), "" },
		"DisplayName": func() (bool, string) { return clearPointer(&u.DisplayName), "" },
		"Metadata": func() (bool, string) {
			held := len(u.Metadata) > 0
			u.Metadata = nil
			return held, ""
		},
	}, st)
}

// statusBefore brings u to the status the source's user has, but for
// deprovisioning, which statusAfter does once roles and memberships are
// set: a deprovisioned user may refuse changes, and a suspended one is
// suspended at once, before it holds any role.
func (c *copier) statusBefore(ctx context.Context, st *userState, u *identity.User, write bool) (string, error) {
	if st.plan.status == identity.StatusDeprovisioned {
		return "", nil
	}
	return c.status(ctx, st, u, write)
}

func (c *copier) statusAfter(ctx context.Context, st *userState, u *identity.User, write bool) (string, error) {
	if st.plan.status != identity.StatusDeprovisioned {
		return "", nil
	}
	return c.status(ctx, st, u, write)
}

func (c *copier) status(ctx context.Context, st *userState, u *identity.User, write bool) (string, error) {
	want := st.plan.status
	if u.Status == want {
		return "", nil
	}
	if !write {
		st.losses.add("Status", "the destination's user is %s, the source's %s"+leftAsIs, u.Status, statusWord(st.rec.Status))
		return "", nil
	}
	if want == identity.StatusPending {
		st.losses.add("Status", "the source's user is pending and no portable call makes a user pending: the destination's user stays %s", u.Status)
		return "", nil
	}
	if c.dry {
		return "Status", nil
	}
	var err error
	switch want {
	case identity.StatusActive:
		err = c.dst.ActivateUser(ctx, u.ID)
		if identity.CodeOf(err) == identity.FailedPrecondition {
			// Okta keeps a user without a password pending until it has
			// one: the destination's own rule, said as it said it.
			st.losses.add("Status", "the source's user is active, and the destination keeps its user %s: %s", u.Status, message(err))
			return "", nil
		}
	case identity.StatusSuspended:
		err = c.dst.SuspendUser(ctx, u.ID)
		if identity.CodeOf(err) == identity.FailedPrecondition && c.caps.Deprovision {
			if derr := c.deprovision(ctx, st, u); derr != nil {
				return "", derr
			}
			st.losses.add("Status", "the destination refused to suspend its user (%s), which is deprovisioned instead, so that it cannot sign in", message(err))
			return "Status", nil
		}
	case identity.StatusDeprovisioned:
		err = c.deprovision(ctx, st, u)
	}
	if err != nil {
		return "", err
	}
	return "Status", nil
}

// deprovision deprovisions u, and names the loss of the password where
// the destination deletes it on the way (Okta's deactivation does).
func (c *copier) deprovision(ctx context.Context, st *userState, u *identity.User) error {
	if err := c.dst.DeprovisionUser(ctx, u.ID); err != nil {
		return err
	}
	if st.plan.nu.PasswordHash != "" && c.caps.HasPassword {
		if has, err := c.dst.HasPassword(ctx, u.ID); err == nil && !has {
			st.losses.add("PasswordHash", "the destination deleted the user's password when it deprovisioned the user; activated again, the user needs a new one")
		}
	}
	return nil
}

func statusWord(s identity.Status) identity.Status {
	if s == "" {
		return identity.StatusActive
	}
	return s
}

// message is an error's own message, without the backend and operation
// that Error() leads with.
func message(err error) string {
	var e *identity.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// roles sets the user's roles to the source's, those the destination
// has or can create.
func (c *copier) roles(ctx context.Context, st *userState, u *identity.User, write bool) (string, error) {
	if st.plan.roles == nil {
		return "", nil
	}
	want, err := c.cat.roles(ctx, st.plan.roles, &st.losses)
	if err != nil {
		return "", err
	}
	var have []string
	if !st.fresh {
		var rs []*identity.Role
		if rs, err = c.dst.ListUserRoles(ctx, u.ID); err != nil {
			return "", err
		}
		for _, r := range rs {
			have = append(have, r.Name)
		}
	}
	slices.Sort(have)
	if slices.Equal(want, have) || len(want) == 0 && len(have) == 0 {
		return "", nil
	}
	if !write {
		st.losses.add("Roles", "the destination's user has the roles [%s], the source's [%s]"+leftAsIs, strings.Join(have, ", "), strings.Join(want, ", "))
		return "", nil
	}
	if !c.dry {
		if err := c.dst.SetRoles(ctx, u.ID, want...); err != nil {
			return "", err
		}
	}
	return "Roles", nil
}

// memberships makes the user a member of the source's organizations,
// with its roles in each. Memberships of other organizations are left
// as they are: the source does not speak of them.
func (c *copier) memberships(ctx context.Context, st *userState, u *identity.User, write bool) (string, error) {
	if len(st.plan.orgs) == 0 {
		return "", nil
	}
	member := map[string]bool{}
	if !st.fresh {
		os, err := c.dst.ListUserOrganizations(ctx, u.ID)
		if err != nil {
			return "", err
		}
		for _, o := range os {
			member[o.ID] = true
		}
	}
	changed := ""
	for _, m := range st.plan.orgs {
		o, err := c.cat.org(ctx, m.Name, &st.losses)
		if err != nil {
			return "", err
		}
		field := "Organizations." + m.Name
		want, err := c.cat.orgRoles(ctx, m.Roles, field+".Roles", &st.losses)
		if err != nil {
			return "", err
		}
		if o.id == "" || !member[o.id] {
			if !write {
				st.losses.add(field, "the destination's user is not a member of %s"+leftAsIs, m.Name)
				continue
			}
			changed = "Organizations"
			if c.dry {
				continue
			}
			if err := c.dst.AddMembers(ctx, o.id, u.ID); err != nil {
				return "", err
			}
			if len(want) > 0 {
				if err := c.dst.SetMemberRoles(ctx, o.id, u.ID, want...); err != nil {
					return "", err
				}
			}
			continue
		}
		if !c.caps.OrganizationRoles {
			continue
		}
		rs, err := c.dst.ListMemberRoles(ctx, o.id, u.ID)
		if err != nil {
			return "", err
		}
		var have []string
		for _, r := range rs {
			have = append(have, r.Name)
		}
		slices.Sort(have)
		if slices.Equal(want, have) || len(want) == 0 && len(have) == 0 {
			continue
		}
		if !write {
			st.losses.add(field+".Roles", "the destination's user has the roles [%s] in %s, the source's [%s]"+leftAsIs, strings.Join(have, ", "), m.Name, strings.Join(want, ", "))
			continue
		}
		changed = "Organizations"
		if !c.dry {
			if err := c.dst.SetMemberRoles(ctx, o.id, u.ID, want...); err != nil {
				return "", err
			}
		}
	}
	return changed, nil
}

// dryClaims are the identifiers of the users a dry run would create, so
// that a second record with one of them is reported as the real run
// would find it.
type dryClaims struct {
	mu sync.Mutex
	m  map[string]*claim
}

type claim struct {
	id string
	nu identity.NewUser
}

func claimKeys(nu *identity.NewUser) []string {
	var ks []string
	if nu.Username != "" {
		ks = append(ks, "u:"+nu.Username)
	}
	if nu.Email != "" {
		ks = append(ks, "e:"+strings.ToLower(nu.Email))
	}
	if nu.Phone != "" {
		ks = append(ks, "p:"+nu.Phone)
	}
	return ks
}

// dryCreate says what creating the user would come to, calling nothing
// that writes.
func (c *copier) dryCreate(ctx context.Context, st *userState) (outcome, error) {
	nu := &st.plan.nu
	c.claim.mu.Lock()
	if c.claim.m == nil {
		c.claim.m = map[string]*claim{}
	}
	var holders []*claim
	for _, k := range claimKeys(nu) {
		if h := c.claim.m[k]; h != nil && !slices.Contains(holders, h) {
			holders = append(holders, h)
		}
	}
	if len(holders) == 0 {
		cl := &claim{id: st.rec.ID, nu: *nu}
		for _, k := range claimKeys(nu) {
			c.claim.m[k] = cl
		}
	}
	c.claim.mu.Unlock()
	switch {
	case len(holders) > 1:
		return outcome{outcome: Conflict, reason: fmt.Sprintf("its identifiers would be held by the users this run would create for the source's %s and %s", holders[0].id, holders[1].id)}, nil
	case len(holders) == 1:
		h := holders[0]
		if bad := disagree(c.caps, nu, &identity.User{Username: h.nu.Username, Email: h.nu.Email, Phone: h.nu.Phone}); len(bad) > 0 {
			return outcome{outcome: Conflict, reason: fmt.Sprintf("the user this run would create for the source's %s would hold an identifier of it, with another %s", h.id, strings.Join(bad, " and "))}, nil
		}
		return outcome{outcome: Matched, reason: fmt.Sprintf("it would match the user this run would create for the source's %s", h.id)}, nil
	}
	if st.plan.roles != nil {
		if _, err := c.cat.roles(ctx, st.plan.roles, &st.losses); err != nil {
			return outcome{}, err
		}
	}
	for _, m := range st.plan.orgs {
		if _, err := c.cat.org(ctx, m.Name, &st.losses); err != nil {
			return outcome{}, err
		}
		if _, err := c.cat.orgRoles(ctx, m.Roles, "Organizations."+m.Name+".Roles", &st.losses); err != nil {
			return outcome{}, err
		}
	}
	if st.rec.EmailVerified {
		st.losses.add("EmailVerified", "the source's email is verified, and the user would be created unverified: no portable call sets EmailVerified")
	}
	if st.plan.status == identity.StatusActive && c.caps.PendingUntilPassword && nu.PasswordHash == "" {
		st.losses.add("Status", "the source's user is active, and the destination would keep its user pending until it has a password")
	}
	return outcome{outcome: Created}, nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
