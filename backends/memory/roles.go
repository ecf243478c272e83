package memory

import (
	"context"

	"github.com/idport/identity"
)

func (s *store) CreateRole(_ context.Context, r identity.Role) (*identity.Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.roles[r.Name]; dup {
		return nil, &identity.Error{Code: identity.AlreadyExists, Role: r.Name, Message: "role already exists"}
	}
	s.roles[r.Name] = r
	return &r, nil
}

func (s *store) ListRoles(context.Context) ([]*identity.Role, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*identity.Role, 0, len(s.roles))
	for _, r := range s.roles {
		out = append(out, &r)
	}
	return out, nil
}

func (s *store) DeleteRole(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.roles[name]; !ok {
		return roleNotFound(name)
	}
	delete(s.roles, name)
	for _, u := range s.users {
		delete(u.roles, name)
	}
	return nil
}

func (s *store) ListUserRoles(_ context.Context, userID string) ([]*identity.Role, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[userID]
	if !ok {
		return nil, notFound(userID)
	}
	out := make([]*identity.Role, 0, len(u.roles))
	for name := range u.roles {
		r := s.roles[name]
		out = append(out, &r)
	}
	return out, nil
}

// member looks up the user and the role for AssignRole and RevokeRole.
// Callers hold the write lock.
func (s *store) member(userID, role string) (*record, error) {
	u, ok := s.users[userID]
	if !ok {
		return nil, notFound(userID)
	}
	if _, ok := s.roles[role]; !ok {
		return nil, roleNotFound(role)
	}
	return u, nil
}

func (s *store) AssignRole(_ context.Context, userID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.member(userID, role)
	if err != nil {
		return err
	}
	u.roles[role] = struct{}{}
	return nil
}

func (s *store) RevokeRole(_ context.Context, userID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.member(userID, role)
	if err != nil {
		return err
	}
	delete(u.roles, role)
	return nil
}
