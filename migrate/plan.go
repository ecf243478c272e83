package migrate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idport/identity"
	"github.com/idport/identity/passhash"
)

// plan is what the destination can hold of one record, worked out from
// its capabilities alone, before any call: the create, the status to
// reach, the roles and memberships, and the losses that follow.
type plan struct {
	// nu is the create, but for its Metadata, which is metadata.
	nu       identity.NewUser
	metadata map[string]any
	// status is the status the destination's user is to end in.
	status identity.Status
	// roles and orgs are nil where the record does not say, or the
	// destination has none.
	roles []string
	orgs  []Membership
	// losses are named for every user Copy creates or matches;
	// timestamps only for one it creates.
	losses     []Loss
	timestamps *Loss
	// fail, when set, is why the user cannot be copied at all.
	fail string
}

func (p *plan) dropKey(k string) { delete(p.metadata, k) }

func (c *copier) plan(r *Record) *plan {
	caps := c.caps
	p := &plan{}
	loss := func(field, format string, args ...any) {
		p.losses = append(p.losses, Loss{SourceID: r.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	p.nu = identity.NewUser{Email: r.Email, PasswordHash: r.PasswordHash}
	if r.Username != "" {
		if caps.Username {
			p.nu.Username = r.Username
		} else {
			loss("Username", "the destination has no usernames; the username is not carried")
		}
	}
	if r.Phone != "" {
		if caps.Phone {
			p.nu.Phone = r.Phone
		} else {
			loss("Phone", "the destination does not store phone numbers; the phone is not carried")
		}
	}
	if r.GivenName != "" || r.FamilyName != "" {
		if caps.Names {
			p.nu.GivenName, p.nu.FamilyName = r.GivenName, r.FamilyName
		} else {
			if r.GivenName != "" {
				loss("GivenName", "the destination does not store given names; it is not carried")
			}
			if r.FamilyName != "" {
				loss("FamilyName", "the destination does not store family names; it is not carried")
			}
		}
	}
	if r.DisplayName != "" {
		if caps.DisplayName {
			p.nu.DisplayName = r.DisplayName
		} else {
			loss("DisplayName", "the destination does not store display names; it is not carried")
		}
	}
	if p.nu.Username == "" && p.nu.Email == "" && p.nu.Phone == "" {
		p.fail = "the user has no identifier the destination can hold (a username, an email or a phone)"
		return p
	}
	if len(r.Metadata) > 0 {
		if caps.Metadata {
			p.metadata = c.planMetadata(r, loss)
		} else {
			loss("Metadata", "the destination does not store metadata; the keys %s are not carried", keyList(r.Metadata))
		}
	}
	c.planStatus(r, p, loss)
	c.planPassword(r, p, loss)
	if len(r.Roles) > 0 && !caps.Roles {
		loss("Roles", "the destination has no roles; the user's roles %s are not carried", strings.Join(r.Roles, ", "))
	} else if r.Roles != nil && caps.Roles {
		p.roles = []string{}
		for _, n := range r.Roles {
			if !validName(n) {
				loss("Roles", "the role name %q is not one the portable API takes (1 to %d characters, no surrounding space, no control characters); it is not carried", n, identity.MaxRoleNameLen)
				continue
			}
			if !slices.Contains(p.roles, n) {
				p.roles = append(p.roles, n)
			}
		}
		slices.Sort(p.roles)
	}
	if len(r.Organizations) > 0 && !caps.Organizations {
		names := make([]string, 0, len(r.Organizations))
		for _, m := range r.Organizations {
			names = append(names, m.Name)
		}
		loss("Organizations", "the destination has no organizations; the user's memberships of %s are not carried", strings.Join(names, ", "))
	} else if r.Organizations != nil && caps.Organizations {
		p.orgs = []Membership{}
		for _, m := range r.Organizations {
			m.Roles = slices.Compact(slices.Sorted(slices.Values(m.Roles)))
			if len(m.Roles) > 0 && !caps.OrganizationRoles {
				loss("Organizations."+m.Name+".Roles", "the destination has no organization roles; the user's roles %s in %s are not carried", strings.Join(m.Roles, ", "), m.Name)
				m.Roles = nil
			}
			var keep []string
			for _, n := range m.Roles {
				if validName(n) {
					keep = append(keep, n)
				} else {
					loss("Organizations."+m.Name+".Roles", "the organization role name %q is not one the portable API takes; it is not carried", n)
				}
			}
			m.Roles = keep
			p.orgs = append(p.orgs, m)
		}
	}
	switch {
	case !r.CreatedAt.IsZero() && !r.LastSignInAt.IsZero():
		p.timestamps = &Loss{SourceID: r.ID, Field: "CreatedAt", Reason: fmt.Sprintf(
			"no portable call sets a user's creation or last sign-in time: the source's (created %s, last signed in %s) are not carried, and the destination's user has its own",
			r.CreatedAt.UTC().Format(time.RFC3339), r.LastSignInAt.UTC().Format(time.RFC3339))}
	case !r.CreatedAt.IsZero():
		p.timestamps = &Loss{SourceID: r.ID, Field: "CreatedAt", Reason: fmt.Sprintf(
			"no portable call sets a user's creation time: the source's (%s) is not carried, and the destination's user has its own", r.CreatedAt.UTC().Format(time.RFC3339))}
	case !r.LastSignInAt.IsZero():
		p.timestamps = &Loss{SourceID: r.ID, Field: "LastSignInAt", Reason: fmt.Sprintf(
			"no portable call sets a user's last sign-in time: the source's (%s) is not carried", r.LastSignInAt.UTC().Format(time.RFC3339))}
	}
	return p
}

// planMetadata returns the record's metadata as the destination is to
// hold it: each value as JSON decodes it, so that it compares with what
// a backend gives back, less the keys and values the portable model
// cannot carry.
func (c *copier) planMetadata(r *Record, loss func(field, format string, args ...any)) map[string]any {
	md := make(map[string]any, len(r.Metadata))
	for k, v := range r.Metadata {
		if k == "" || len(k) > identity.MaxMetadataKeyLen || !utf8.ValidString(k) || strings.ContainsFunc(k, unicode.IsControl) {
			loss("Metadata", "the key %q is not one the portable API takes (1 to %d bytes of text without control characters); its value is not carried", k, identity.MaxMetadataKeyLen)
			continue
		}
		b, err := json.Marshal(v)
		var nv any
		if err == nil {
			err = json.Unmarshal(b, &nv)
		}
		switch {
		case err != nil:
			loss("Metadata."+k, "the value is not JSON (%T); it is not carried", v)
		case nv == nil:
			loss("Metadata."+k, "the value is null, which a new user's metadata cannot hold (null removes a key); it is not carried")
		default:
			md[k] = nv
		}
	}
	return md
}

// planStatus works out the status to create the user in and to end in.
func (c *copier) planStatus(r *Record, p *plan, loss func(field, format string, args ...any)) {
	caps := c.caps
	stops := func(what string) {
		switch {
		case caps.HasStatus(identity.StatusSuspended):
			p.status = identity.StatusSuspended
			loss("Status", "%s; the user is suspended instead, which ActivateUser lifts", what)
		case caps.Deprovision:
			p.status = identity.StatusDeprovisioned
			loss("Status", "%s, and the destination has no suspended status; the user is deprovisioned instead", what)
		default:
			p.fail = what + ", and the destination has no status that stops a user signing in: the user is not created, so as not to let it sign in"
		}
	}
	p.nu.Status = identity.StatusActive
	switch r.Status {
	case "", identity.StatusActive:
		p.status = identity.StatusActive
	case identity.StatusPending:
		if caps.PendingCreate {
			p.status, p.nu.Status = identity.StatusPending, identity.StatusPending
		} else {
			p.status = identity.StatusActive
			loss("Status", "the destination cannot create a pending user; the user is created active")
		}
	case identity.StatusSuspended:
		if caps.HasStatus(identity.StatusSuspended) {
			p.status = identity.StatusSuspended
		} else {
			stops("the destination has no suspended status")
		}
	case identity.StatusLocked:
		stops("the source's user is locked, which no portable call sets (a provider's policy locks users)")
	case identity.StatusDeprovisioned:
		if caps.Deprovision {
			p.status = identity.StatusDeprovisioned
		} else {
			stops("the destination cannot deprovision users")
		}
	default:
		p.fail = fmt.Sprintf("the record's status %q is not a portable status", r.Status)
	}
}

// planPassword keeps the hash where the destination imports its
// algorithm, and names the loss where it does not.
func (c *copier) planPassword(r *Record, p *plan, loss func(field, format string, args ...any)) {
	if r.PasswordHash == "" {
		return
	}
	h, err := passhash.Parse(string(r.PasswordHash))
	switch {
	case err != nil:
		// passhash's errors name the algorithm and the field at fault,
		// never the hash.
		loss("PasswordHash", "the source's password hash is not one package passhash reads (%v); the user is created without a password", err)
		p.nu.PasswordHash = ""
	case !slices.Contains(c.caps.PasswordHashes, string(h.Algorithm)):
		if len(c.caps.PasswordHashes) == 0 {
			loss("PasswordHash", "the destination imports no password hashes; the user is created without a password")
		} else {
			loss("PasswordHash", "the destination does not import %s password hashes (it imports %s); the user is created without a password",
				h.Algorithm, strings.Join(c.caps.PasswordHashes, ", "))
		}
		p.nu.PasswordHash = ""
	}
}

// validName reports whether the portable API takes n as a role's name.
func validName(n string) bool {
	return strings.TrimSpace(n) == n && n != "" && len(n) <= identity.MaxRoleNameLen &&
		utf8.ValidString(n) && !strings.ContainsFunc(n, unicode.IsControl)
}

func keyList(md map[string]any) string {
	ks := make([]string, 0, len(md))
	for k := range md {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}
