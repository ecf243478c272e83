package memory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

// ResetLinkLifetime is how long a reset link from ResetPassword works.
const ResetLinkLifetime = time.Hour

// ResetLinkPrefix begins every reset link a memory directory makes; the
// rest is a random one-time token.
const ResetLinkPrefix = "memory://password-reset/"

// resetLink is the outstanding reset link of a user: only its hash is
// kept, as a provider keeps a token's.
type resetLink struct {
	hash    [sha256.Size]byte
	expires time.Time
}

// security is a user's account-security state. Callers hold the store's
// write lock to change it.
type security struct {
	sessions   int
	factors    []*identity.Factor // in enrolment order
	identities []*identity.LinkedIdentity
	reset      *resetLink
}

func factorNotFound(userID, id string) error {
	return &identity.Error{Code: identity.NotFound, Field: "factor", UserID: userID, Message: "the user has no factor " + id}
}

func identityNotFound(userID, provider string) error {
	return &identity.Error{Code: identity.NotFound, Field: "identity", UserID: userID, Message: "the user has no identity at " + provider}
}

// userFor looks the user up for a call on its security state, with a
// NotFound that says the user is what is missing. Callers hold the lock.
func (s *store) userFor(id string) (*record, error) {
	r, ok := s.users[id]
	if !ok {
		return nil, &identity.Error{Code: identity.NotFound, Field: "user", UserID: id, Message: "no such user"}
	}
	return r, nil
}

// How withUser holds the store's lock.
const (
	reading = false
	writing = true
)

// withUser runs f on the record of user id with the store's lock held,
// the write lock when write is writing and the read lock otherwise, and
// returns what f does. For a user that does not exist f does not run,
// and it returns userFor's NotFound.
func withUser[T any](s *store, write bool, id string, f func(*record) (T, error)) (T, error) {
	if write {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	r, err := s.userFor(id)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(r)
}

// changeUser is withUser for a change that returns only an error.
func (s *store) changeUser(id string, f func(*record) error) error {
	_, err := withUser(s, writing, id, func(r *record) (struct{}, error) { return struct{}{}, f(r) })
	return err
}

func (s *store) RevokeSessions(_ context.Context, userID string) error {
	return s.changeUser(userID, func(r *record) error {
		r.sec.sessions = 0
		return nil
	})
}

func (s *store) ListFactors(_ context.Context, userID string) ([]*identity.Factor, error) {
	return withUser(s, reading, userID, func(r *record) ([]*identity.Factor, error) {
		out := make([]*identity.Factor, len(r.sec.factors))
		for i, f := range r.sec.factors {
			c := *f
			out[i] = &c
		}
		return out, nil
	})
}

func (s *store) DeleteFactor(_ context.Context, userID, factorID string) error {
	return s.changeUser(userID, func(r *record) error {
		i := slices.IndexFunc(r.sec.factors, func(f *identity.Factor) bool { return f.ID == factorID })
		if i < 0 {
			return factorNotFound(userID, factorID)
		}
		r.sec.factors = slices.Delete(r.sec.factors, i, i+1)
		return nil
	})
}

func (s *store) ResetFactors(_ context.Context, userID string) error {
	return s.changeUser(userID, func(r *record) error {
		r.sec.factors = nil
		return nil
	})
}

func (s *store) ListIdentities(_ context.Context, userID string) ([]*identity.LinkedIdentity, error) {
	return withUser(s, reading, userID, func(r *record) ([]*identity.LinkedIdentity, error) {
		out := make([]*identity.LinkedIdentity, len(r.sec.identities))
		for i, l := range r.sec.identities {
			out[i] = &identity.LinkedIdentity{Provider: l.Provider, Subject: l.Subject, Details: slices.Clone(l.Details)}
		}
		return out, nil
	})
}

func (s *store) UnlinkIdentity(_ context.Context, userID, provider string) error {
	return s.changeUser(userID, func(r *record) error {
		i := slices.IndexFunc(r.sec.identities, func(l *identity.LinkedIdentity) bool { return l.Provider == provider })
		if i < 0 {
			return identityNotFound(userID, provider)
		}
		r.sec.identities = slices.Delete(r.sec.identities, i, i+1)
		return nil
	})
}

// DeprovisionUser reaches Deprovisioned from every status and signs the
// user out, as a leaver's deactivation does at Okta. Factors, identities
// and the password stay, so that ActivateUser brings the same account
// back.
func (s *store) DeprovisionUser(_ context.Context, userID string) error {
	return s.changeUser(userID, func(r *record) error {
		if r.user.Status != identity.StatusDeprovisioned {
			s.setStatus(r, identity.StatusDeprovisioned)
		}
		r.sec.sessions = 0
		s.dropReset(r)
		return nil
	})
}

func (s *store) HasPassword(_ context.Context, userID string) (bool, error) {
	return withUser(s, reading, userID, func(r *record) (bool, error) { return r.password != nil, nil })
}

// SetRoles changes all or nothing: every role is checked before any is
// given.
func (s *store) SetRoles(_ context.Context, userID string, names []string) error {
	return s.changeUser(userID, func(r *record) error {
		for _, n := range names {
			if _, ok := s.roles[n]; !ok {
				return &identity.Error{Code: identity.NotFound, Field: "role", Role: n, Message: "no such role"}
			}
		}
		r.roles = make(map[string]struct{}, len(names))
		for _, n := range names {
			r.roles[n] = struct{}{}
		}
		return nil
	})
}

// resettable refuses a reset for a user who could not use it.
func resettable(r *record) error {
	switch r.user.Status {
	case identity.StatusSuspended, identity.StatusDeprovisioned:
		return &identity.Error{Code: identity.FailedPrecondition, Field: "Status", UserID: r.user.ID,
			Message: "a " + string(r.user.Status) + " user's password cannot be reset"}
	}
	return nil
}

// ResetPassword makes a link that CompletePasswordReset of the Actor
// redeems once, within ResetLinkLifetime, replacing any earlier link; or
// a temporary password that replaces the user's, expired, so that it must
// be changed at the next sign-in. A link leaves the current password
// working until it is used.
func (s *store) ResetPassword(_ context.Context, userID string, opts identity.ResetOptions) (*identity.PasswordReset, error) {
	if opts.Kind == identity.ResetTemporaryPassword {
		return s.temporaryPassword(userID)
	}
	token := randomToken()
	return withUser(s, writing, userID, func(r *record) (*identity.PasswordReset, error) {
		if err := resettable(r); err != nil {
			return nil, err
		}
		s.dropReset(r)
		link := &resetLink{hash: sha256.Sum256([]byte(token)), expires: s.now().Add(ResetLinkLifetime)}
		r.sec.reset = link
		s.resets[link.hash] = userID
		return &identity.PasswordReset{Kind: identity.ResetLink, Link: identity.Secret(ResetLinkPrefix + token), ExpiresAt: link.expires}, nil
	})
}

func (s *store) temporaryPassword(userID string) (*identity.PasswordReset, error) {
	pw := temporaryPassword()
	// Hashing is slow by design; do it outside the lock.
	h := hashPassword(s.hash, pw)
	return withUser(s, writing, userID, func(r *record) (*identity.PasswordReset, error) {
		if err := resettable(r); err != nil {
			return nil, err
		}
		s.dropReset(r)
		r.password, r.expired, r.failures = h, true, 0
		r.user.NativeStatus = "password_expired"
		r.user.UpdatedAt = s.now()
		return &identity.PasswordReset{Kind: identity.ResetTemporaryPassword, TemporaryPassword: identity.Secret(pw)}, nil
	})
}

// dropReset forgets the user's reset link, if any. Callers hold the
// write lock.
func (s *store) dropReset(r *record) {
	if r.sec.reset != nil {
		delete(s.resets, r.sec.reset.hash)
		r.sec.reset = nil
	}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// temporaryPassword returns 20 random characters with an upper- and a
// lower-case letter, a digit and a symbol among them, so that it passes
// the password policies providers commonly set, which an application
// moving to one of them expects. Passwords missing a class are drawn
// again rather than patched, so that no position is predictable.
func temporaryPassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digit  = "23456789"
		symbol = "-_.!#%"
		all    = upper + lower + digit + symbol
		// limit is the largest multiple of len(all) a byte can hold, so
		// that every character is as likely.
		limit = 256 / len(all) * len(all)
	)
	out := make([]byte, 0, 20)
	var b [64]byte
	for {
		out = out[:0]
		for len(out) < cap(out) {
			_, _ = rand.Read(b[:])
			for _, x := range b {
				if int(x) < limit && len(out) < cap(out) {
					out = append(out, all[int(x)%len(all)])
				}
			}
		}
		if containsAny(out, upper) && containsAny(out, lower) && containsAny(out, digit) && containsAny(out, symbol) {
			return string(out)
		}
	}
}

func containsAny(b []byte, chars string) bool {
	for _, c := range b {
		for i := 0; i < len(chars); i++ {
			if c == chars[i] {
				return true
			}
		}
	}
	return false
}

// Actor acts on a memory directory as its users would, outside the admin
// API the portable methods are: signing in, enrolling a second factor,
// linking an account at another provider, following a reset link. Tests
// use it to give users the state that RevokeSessions, ListFactors,
// ListIdentities and the rest read and manage. Get one with As:
//
//	var a *memory.Actor
//	if dir.As(&a) { err = a.SignIn(ctx, userID) }
//
// Its methods take ids as the portable methods do, and return NotFound
// (Error.Field "user") for a user that does not exist.
type Actor struct{ s *store }

// As hands out an *Actor, for a target of type **Actor.
func (s *store) As(target any) bool {
	if p, ok := target.(**Actor); ok {
		*p = &Actor{s: s}
		return true
	}
	return false
}

// SignIn starts a session of the user, as a sign-in at the provider
// would; RevokeSessions ends it. It returns FailedPrecondition unless the
// user is StatusActive: pending, suspended, locked and deprovisioned users
// cannot sign in.
func (a *Actor) SignIn(_ context.Context, userID string) error {
	return a.s.changeUser(userID, func(r *record) error {
		if r.user.Status != identity.StatusActive {
			return &identity.Error{Code: identity.FailedPrecondition, Field: "Status", UserID: userID,
				Message: "a " + string(r.user.Status) + " user cannot sign in"}
		}
		r.sec.sessions++
		return nil
	})
}

// Sessions returns how many sessions of the user are open.
func (a *Actor) Sessions(_ context.Context, userID string) (int, error) {
	return withUser(a.s, reading, userID, func(r *record) (int, error) { return r.sec.sessions, nil })
}

// AddFactor enrols f as the user's second factor, as the user would at
// the provider, and returns it as ListFactors will: with an ID, a
// CreatedAt, and f.Kind as its ProviderType where f has none. f.ID and
// f.CreatedAt are ignored. It returns InvalidArgument for a Kind that is
// not a portable one.
func (a *Actor) AddFactor(_ context.Context, userID string, f identity.Factor) (*identity.Factor, error) {
	if !f.Kind.Valid() {
		return nil, driver.InvalidArgumentError("Factor.Kind", "unknown factor kind %q", f.Kind)
	}
	s := a.s
	return withUser(s, writing, userID, func(r *record) (*identity.Factor, error) {
		taken := make(map[string]bool, len(r.sec.factors))
		for _, x := range r.sec.factors {
			taken[x.ID] = true
		}
		f.ID = newID("f", taken)
		f.CreatedAt = s.now()
		if f.ProviderType == "" {
			f.ProviderType = string(f.Kind)
		}
		f.Raw = slices.Clone(f.Raw)
		r.sec.factors = append(r.sec.factors, &f)
		c := f
		return &c, nil
	})
}

// LinkIdentity links the user's account l.Subject at l.Provider, as
// signing in through that connector would. Provider and Subject are
// required, and Provider is made of what ids are (letters, digits, '-',
// '_' and '.'), since UnlinkIdentity takes it. Linking the same account
// again succeeds; it returns AlreadyExists when the user has another
// account at that provider, or another user has this one.
func (a *Actor) LinkIdentity(_ context.Context, userID string, l identity.LinkedIdentity) error {
	if err := checkProvider(l.Provider); err != nil {
		return err
	}
	if l.Subject == "" {
		return driver.InvalidArgumentError("LinkedIdentity.Subject", "LinkedIdentity.Subject is empty")
	}
	s := a.s
	return s.changeUser(userID, func(r *record) error {
		for _, other := range s.users {
			for _, x := range other.sec.identities {
				if x.Provider != l.Provider {
					continue
				}
				switch {
				case other == r && x.Subject == l.Subject:
					return nil
				case other == r:
					return &identity.Error{Code: identity.AlreadyExists, Field: "LinkedIdentity.Provider", UserID: userID,
						Message: "the user has another account at " + l.Provider}
				case x.Subject == l.Subject:
					return &identity.Error{Code: identity.AlreadyExists, Field: "LinkedIdentity.Subject", UserID: userID,
						Message: "that account is linked to another user"}
				}
			}
		}
		r.sec.identities = append(r.sec.identities, &identity.LinkedIdentity{Provider: l.Provider, Subject: l.Subject, Details: slices.Clone(l.Details)})
		return nil
	})
}

func checkProvider(p string) error {
	ok := p != "" && len(p) <= identity.MaxIDLen
	for i := 0; ok && i < len(p); i++ {
		c := p[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
	}
	if !ok {
		return driver.InvalidArgumentError("LinkedIdentity.Provider", "LinkedIdentity.Provider %q is empty, too long, or not letters, digits, '-', '_' and '.'", p)
	}
	return nil
}

// CompletePasswordReset follows a reset link as the user would, setting
// newPassword and ending the user's sessions. A link works once, until a
// later ResetPassword replaces it, and for ResetLinkLifetime. It returns
// InvalidCredentials for a link that does not work (used, replaced,
// expired, or never made), and FailedPrecondition when the user's status
// now forbids a reset.
func (a *Actor) CompletePasswordReset(_ context.Context, link, newPassword identity.Secret) error {
	if newPassword == "" || len(newPassword) > identity.MaxPasswordLen {
		return driver.InvalidArgumentError("newPassword", "newPassword is empty or longer than %d bytes", identity.MaxPasswordLen)
	}
	bad := &identity.Error{Code: identity.InvalidCredentials, Field: "link", Message: "the reset link is used, replaced, expired or unknown"}
	token, ok := strings.CutPrefix(string(link), ResetLinkPrefix)
	if !ok || token == "" {
		return bad
	}
	sum := sha256.Sum256([]byte(token))
	s := a.s
	// Hashing is slow by design; do it outside the lock.
	h := hashPassword(s.hash, string(newPassword))
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.resets[sum]
	if !ok {
		return bad
	}
	r, ok := s.users[id]
	if !ok || r.sec.reset == nil || r.sec.reset.hash != sum {
		delete(s.resets, sum)
		return bad
	}
	if !s.now().Before(r.sec.reset.expires) {
		s.dropReset(r)
		return bad
	}
	if err := resettable(r); err != nil {
		return err
	}
	s.dropReset(r)
	r.password, r.expired, r.failures = h, false, 0
	r.user.NativeStatus = string(r.user.Status)
	r.user.UpdatedAt = s.now()
	r.sec.sessions = 0
	return nil
}
