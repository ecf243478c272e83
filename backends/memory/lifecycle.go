package memory

import (
	"context"

	"github.com/idport/identity"
)

func (s *store) setStatus(r *record, st identity.Status) {
	r.user.Status = st
	r.user.NativeStatus = string(st)
	r.user.UpdatedAt = s.now()
}

// SuspendUser follows the providers' state machine: only an active user
// can be suspended.
func (s *store) SuspendUser(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok {
		return notFound(id)
	}
	switch r.user.Status {
	case identity.StatusActive:
		s.setStatus(r, identity.StatusSuspended)
		return nil
	case identity.StatusSuspended:
		return nil
	}
	return &identity.Error{Code: identity.FailedPrecondition, UserID: id,
		Message: "a " + string(r.user.Status) + " user cannot be suspended"}
}

// ActivateUser reaches Active from every status, as the portable contract
// asks; unlocking also forgets the failed attempts.
func (s *store) ActivateUser(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok {
		return notFound(id)
	}
	if r.user.Status != identity.StatusActive {
		s.setStatus(r, identity.StatusActive)
	}
	r.failures = 0
	return nil
}
