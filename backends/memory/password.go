package memory

import (
	"context"

	"github.com/idport/identity"
	"github.com/idport/identity/passhash"
)

func badPassword(id string) error {
	return &identity.Error{Code: identity.InvalidCredentials, UserID: id, Message: "password does not match"}
}

func (s *store) SetPassword(_ context.Context, id string, password identity.Secret) error {
	h := hashPassword(s.hash, string(password))
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok {
		return notFound(id)
	}
	r.password, r.expired = h, false
	r.user.NativeStatus = string(r.user.Status)
	r.user.UpdatedAt = s.now()
	return nil
}

// VerifyPassword counts failures towards the lockout threshold; a locked
// user's password never verifies, as at a provider whose lockout policy
// blocks sign-in.
func (s *store) VerifyPassword(_ context.Context, id string, password identity.Secret) error {
	s.mu.RLock()
	r, ok := s.users[id]
	var h *passhash.Hash
	if ok {
		h = r.password
	}
	s.mu.RUnlock()
	if !ok {
		return notFound(id)
	}
	match := h != nil && h.Verify(string(password))

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[id] != r {
		return notFound(id) // deleted while we hashed
	}
	if r.user.Status == identity.StatusLocked {
		return badPassword(id)
	}
	if match && r.password == h {
		r.failures = 0
		return nil
	}
	r.failures++
	if s.opts.LockoutThreshold > 0 && r.failures >= s.opts.LockoutThreshold && r.user.Status == identity.StatusActive {
		s.setStatus(r, identity.StatusLocked)
	}
	return badPassword(id)
}

func (s *store) ChangePassword(ctx context.Context, id string, old, new identity.Secret) error {
	if err := s.VerifyPassword(ctx, id, old); err != nil {
		return err
	}
	return s.SetPassword(ctx, id, new)
}

func (s *store) ExpirePassword(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok {
		return notFound(id)
	}
	r.expired = true
	r.user.NativeStatus = "password_expired"
	return nil
}
