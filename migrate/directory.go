package migrate

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/idport/identity"
)

// sourceWindow is how many users FromDirectory reads ahead of the one it
// yields: their roles, organizations and password hashes are asked for
// at once, in order, so that a copy out of an HTTP backend is not one
// round trip per call.
const sourceWindow = 8

// FromDirectory returns a Source over dir's users, in its listing's
// order: each with its roles (ListUserRoles) where dir has roles, its
// organizations and its roles in each (ListUserOrganizations,
// ListMemberRoles) where dir has them, and its password hash where
// Capabilities().ExportPasswordHash. A password it cannot export is a
// Loss on the record (Field "PasswordHash"): for a user HasPassword says
// has one, or, where dir cannot say, for every user (but where dir has no
// passwords at all, as Passage has none). Two organizations
// of one name (Logto allows them) become one membership, named as a
// loss, since Copy finds organizations by name.
//
// Deprovisioned users are listed too, by a second listing by status
// where the first leaves them out (Okta's does unless asked).
//
// It implements CatalogueSource (dir's roles, organizations and
// organization roles) and yields the errors of dir's calls, retried as
// Copy retries them when they end RateLimited or Unavailable. A user
// deleted while the listing runs is left out.
func FromDirectory(dir *identity.Directory) Source {
	return &dirSource{dir: dir, retries: DefaultRetries}
}

type dirSource struct {
	dir     *identity.Directory
	retries int
}

// Catalogue returns dir's roles, organizations and organization roles.
func (s *dirSource) Catalogue(ctx context.Context) (*Catalogue, error) {
	if s.dir == nil {
		return nil, invalid("FromDirectory", "FromDirectory needs a directory")
	}
	caps := s.dir.Capabilities()
	c := &Catalogue{}
	if caps.Roles {
		var rs []*identity.Role
		if err := retry(ctx, s.retries, func() (err error) { rs, err = s.dir.ListRoles(ctx); return err }); err != nil {
			return nil, err
		}
		for _, r := range rs {
			c.Roles = append(c.Roles, *r)
		}
	}
	if caps.Organizations {
		for o, err := range s.dir.ListOrganizations(ctx, identity.OrganizationListOptions{}) {
			if err != nil {
				return nil, err
			}
			c.Organizations = append(c.Organizations, identity.NewOrganization{Name: o.Name, Description: o.Description, Metadata: o.Metadata})
		}
	}
	if caps.OrganizationRoles {
		var rs []*identity.OrganizationRole
		if err := retry(ctx, s.retries, func() (err error) { rs, err = s.dir.ListOrganizationRoles(ctx); return err }); err != nil {
			return nil, err
		}
		for _, r := range rs {
			c.OrganizationRoles = append(c.OrganizationRoles, *r)
		}
	}
	return c, nil
}

// pending is one user being read ahead.
type pending struct {
	done chan struct{}
	rec  *Record
	err  error
}

// users lists every user of dir, deprovisioned ones included: Okta's
// listing leaves those out unless asked for them by status, and a copy
// that did not ask would drop them without a word. Where the listing
// shows them already (memory), the second pass skips those it has seen.
func (s *dirSource) users(ctx context.Context) iter.Seq2[*identity.User, error] {
	return func(yield func(*identity.User, error) bool) {
		seen := map[string]bool{}
		for u, err := range s.dir.ListUsers(ctx, identity.ListOptions{}) {
			if err == nil && u.Status == identity.StatusDeprovisioned {
				seen[u.ID] = true
			}
			if !yield(u, err) || err != nil {
				return
			}
		}
		if !s.dir.Capabilities().HasStatus(identity.StatusDeprovisioned) {
			return
		}
		for u, err := range s.dir.ListUsers(ctx, identity.ListOptions{Status: identity.StatusDeprovisioned}) {
			if err == nil && seen[u.ID] {
				continue
			}
			if !yield(u, err) || err != nil {
				return
			}
		}
	}
}

// Records yields dir's users, deprovisioned ones included.
func (s *dirSource) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return s.recordsSkipping(ctx, nil)
}

// recordsSkipping is Records, but for a user skip names it yields only
// the id, reading none of the user's roles, memberships or hash: a
// resumed copy skips those users, and reading them again would cost the
// source's requests for nothing.
func (s *dirSource) recordsSkipping(ctx context.Context, skip func(id string) bool) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		if s.dir == nil {
			yield(nil, invalid("FromDirectory", "FromDirectory needs a directory"))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		queue := make(chan *pending, sourceWindow-1)
		go func() {
			defer close(queue)
			for u, err := range s.users(ctx) {
				p := &pending{done: make(chan struct{})}
				switch {
				case err != nil:
					p.err = err
					close(p.done)
				case skip != nil && skip(u.ID):
					p.rec = &Record{ID: u.ID}
					close(p.done)
				default:
					go func() {
						defer close(p.done)
						p.rec, p.err = s.record(ctx, u)
					}()
				}
				select {
				case queue <- p:
				case <-ctx.Done():
					<-p.done
					return
				}
				if err != nil {
					return
				}
			}
		}()
		defer func() {
			// However the loop ends, nothing this listing started is
			// left running.
			cancel()
			for p := range queue {
				<-p.done
			}
		}()
		for p := range queue {
			<-p.done
			if p.err != nil {
				yield(nil, p.err)
				return
			}
			if p.rec == nil {
				continue
			}
			if !yield(p.rec, nil) {
				return
			}
		}
	}
}

// record reads what Record holds of u beyond the listing. It returns a
// nil record for a user deleted meanwhile.
func (s *dirSource) record(ctx context.Context, u *identity.User) (*Record, error) {
	caps := s.dir.Capabilities()
	r := &Record{
		ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified, Phone: u.Phone,
		GivenName: u.GivenName, FamilyName: u.FamilyName, DisplayName: u.DisplayName,
		Status: u.Status, Metadata: maps.Clone(u.Metadata), CreatedAt: u.CreatedAt, LastSignInAt: u.LastSignInAt,
	}
	gone := func(err error) bool { return identity.CodeOf(err) == identity.NotFound }
	if caps.Roles {
		var rs []*identity.Role
		err := retry(ctx, s.retries, func() (err error) { rs, err = s.dir.ListUserRoles(ctx, u.ID); return err })
		if gone(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		r.Roles = make([]string, 0, len(rs))
		for _, x := range rs {
			r.Roles = append(r.Roles, x.Name)
		}
	}
	if caps.Organizations {
		ms, losses, err := s.memberships(ctx, caps, u.ID)
		if gone(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		r.Organizations = ms
		r.Losses = append(r.Losses, losses...)
	}
	l, err := s.password(ctx, caps, r)
	if gone(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if l != nil {
		r.Losses = append(r.Losses, *l)
	}
	return r, nil
}

func (s *dirSource) memberships(ctx context.Context, caps identity.Capabilities, userID string) ([]Membership, []Loss, error) {
	var os []*identity.Organization
	if err := retry(ctx, s.retries, func() (err error) { os, err = s.dir.ListUserOrganizations(ctx, userID); return err }); err != nil {
		return nil, nil, err
	}
	ms := make([]Membership, 0, len(os))
	byName := map[string]int{}
	var losses []Loss
	for _, o := range os {
		var roles []string
		if caps.OrganizationRoles {
			var rs []*identity.OrganizationRole
			err := retry(ctx, s.retries, func() (err error) { rs, err = s.dir.ListMemberRoles(ctx, o.ID, userID); return err })
			if err != nil {
				// No longer a member, or the organization is gone: the
				// listing of a moment ago is stale for this one.
				var e *identity.Error
				if c := identity.CodeOf(err); c == identity.FailedPrecondition ||
					c == identity.NotFound && errors.As(err, &e) && e.Field == "organization" {
					continue
				}
				return nil, nil, err
			}
			for _, x := range rs {
				roles = append(roles, x.Name)
			}
		}
		if i, dup := byName[o.Name]; dup {
			for _, x := range roles {
				if !slices.Contains(ms[i].Roles, x) {
					ms[i].Roles = append(ms[i].Roles, x)
				}
			}
			slices.Sort(ms[i].Roles)
			losses = append(losses, Loss{SourceID: userID, Field: "Organizations." + o.Name,
				Reason: fmt.Sprintf("the user is a member of more than one organization named %q in the source; they become one membership, with the roles of each", o.Name)})
			continue
		}
		byName[o.Name] = len(ms)
		ms = append(ms, Membership{Name: o.Name, Roles: roles})
	}
	return ms, losses, nil
}

// password sets r's hash where dir exports it, and returns the loss of
// one it cannot.
func (s *dirSource) password(ctx context.Context, caps identity.Capabilities, r *Record) (*Loss, error) {
	if caps.ExportPasswordHash {
		var h identity.PasswordHash
		err := retry(ctx, s.retries, func() (err error) { h, err = s.dir.PasswordHash(ctx, r.ID); return err })
		if identity.CodeOf(err) == identity.Unsupported {
			// The provider keeps this user's hash in a form passhash
			// cannot encode; its message says which, never the hash.
			var e *identity.Error
			errors.As(err, &e)
			return &Loss{SourceID: r.ID, Field: "PasswordHash", Reason: "the source cannot export this user's password hash: " + e.Message}, nil
		}
		if err != nil {
			return nil, err
		}
		r.PasswordHash = h
		return nil, nil
	}
	if caps.HasPassword {
		var has bool
		if err := retry(ctx, s.retries, func() (err error) { has, err = s.dir.HasPassword(ctx, r.ID); return err }); err != nil {
			return nil, err
		}
		if !has {
			return nil, nil
		}
		return &Loss{SourceID: r.ID, Field: "PasswordHash",
			Reason: fmt.Sprintf("the user has a password, and the source (%s) cannot export password hashes: the password does not move", s.dir.Backend())}, nil
	}
	if !caps.SetPassword && !caps.VerifyPassword && !caps.ChangePassword {
		// A passwordless provider (Passage): there is no password to lose.
		return nil, nil
	}
	return &Loss{SourceID: r.ID, Field: "PasswordHash",
		Reason: fmt.Sprintf("the source (%s) can neither export password hashes nor say whether the user has a password: a password, if any, does not move", s.dir.Backend())}, nil
}
