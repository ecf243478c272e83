// Package metaroles gives roles to backends whose provider has none: the
// role catalogue lives in this process, and each user's roles in a field
// of the user's own record at the provider (Passage's user_metadata,
// Kratos's metadata_admin), which the backend reads and writes through a
// [Store].
//
// A user's roles are read, changed and written back, which the provider
// guards against no concurrent writer; so within one process every change
// of one user's record goes through [Roles.Lock], and writers in other
// processes can still race with it. A backend that writes other parts of
// the same record by replacing it whole takes the same lock.
package metaroles

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

// Store is where a backend keeps each user's role names.
type Store interface {
	// UserRoles returns the role names the user's record holds, in any
	// order. Errors: NotFound for the user.
	UserRoles(ctx context.Context, userID string) ([]string, error)
	// SetUserRoles writes names, sorted and possibly empty, as the
	// user's roles. Errors: NotFound for the user.
	SetUserRoles(ctx context.Context, userID string, names []string) error
	// EachUser calls fn with every user's id and role names until fn
	// returns an error, which it returns.
	EachUser(ctx context.Context, fn func(userID string, names []string) error) error
}

// Roles implements driver.Roles and driver.RoleCatalog over a Store. It
// is safe for concurrent use.
type Roles struct {
	store Store
	check func(name string) error

	mu      sync.RWMutex
	catalog map[string]identity.Role

	locks [64]sync.Mutex
}

// New returns roles kept in store, with the catalogue seed. check, when
// not nil, refuses role names the store cannot hold (an InvalidArgument
// *identity.Error) before any call; New returns its error, with Role
// set, for a seed role it refuses.
func New(store Store, seed []identity.Role, check func(name string) error) (*Roles, error) {
	r := &Roles{store: store, check: check, catalog: make(map[string]identity.Role, len(seed))}
	for _, role := range seed {
		if err := r.checkName(role.Name); err != nil {
			var e *identity.Error
			if errors.As(err, &e) {
				e.Role = role.Name
			}
			return nil, err
		}
		r.catalog[role.Name] = role
	}
	return r, nil
}

func (r *Roles) checkName(name string) error {
	if r.check == nil {
		return nil
	}
	return r.check(name)
}

// Lock serializes the changes of one user's record within this process;
// call the function it returns to unlock.
func (r *Roles) Lock(userID string) (unlock func()) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID))
	m := &r.locks[h.Sum32()%uint32(len(r.locks))]
	m.Lock()
	return m.Unlock
}

func notFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Role: name, Message: "no such role"}
}

func (r *Roles) has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.catalog[name]
	return ok
}

// CreateRole adds r to the catalogue. Errors: AlreadyExists; the check's
// InvalidArgument.
func (r *Roles) CreateRole(_ context.Context, role identity.Role) (*identity.Role, error) {
	if err := r.checkName(role.Name); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.catalog[role.Name]; dup {
		return nil, &identity.Error{Code: identity.AlreadyExists, Role: role.Name, Message: "role already exists"}
	}
	r.catalog[role.Name] = role
	return &role, nil
}

// ListRoles returns the catalogue.
func (r *Roles) ListRoles(context.Context) ([]*identity.Role, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*identity.Role, 0, len(r.catalog))
	for _, role := range r.catalog {
		out = append(out, &role)
	}
	return out, nil
}

// DeleteRole removes the role from the catalogue, then from every user
// that has it, which walks every user. Errors: NotFound; the store's.
func (r *Roles) DeleteRole(ctx context.Context, name string) error {
	r.mu.Lock()
	if _, ok := r.catalog[name]; !ok {
		r.mu.Unlock()
		return notFound(name)
	}
	delete(r.catalog, name)
	r.mu.Unlock()
	return r.store.EachUser(ctx, func(id string, names []string) error {
		if !slices.Contains(names, name) {
			return nil
		}
		if err := r.change(ctx, id, name, false); err != nil && identity.CodeOf(err) != identity.NotFound {
			return err
		}
		return nil
	})
}

// ListUserRoles returns the user's roles that are in the catalogue; names
// the catalogue no longer has are left out. Errors: NotFound for the
// user.
func (r *Roles) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	names, err := r.store.UserRoles(ctx, userID)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*identity.Role
	for _, name := range names {
		if role, ok := r.catalog[name]; ok {
			out = append(out, &role)
		}
	}
	return out, nil
}

// AssignRole gives the user the role, writing only when the user lacks
// it. Errors: NotFound for the user, or for the role with Error.Role set.
func (r *Roles) AssignRole(ctx context.Context, userID, role string) error {
	if err := r.checkName(role); err != nil {
		return err
	}
	return r.change(ctx, userID, role, true)
}

// RevokeRole takes the role from the user, writing only when the user
// has it. Errors: NotFound for the user, or for the role.
func (r *Roles) RevokeRole(ctx context.Context, userID, role string) error {
	return r.change(ctx, userID, role, false)
}

// change adds or removes role in the user's roles. The user is read
// before the catalogue is consulted, so that a missing user is reported
// as such even for a role that does not exist either.
func (r *Roles) change(ctx context.Context, userID, role string, add bool) error {
	unlock := r.Lock(userID)
	defer unlock()
	have, err := r.store.UserRoles(ctx, userID)
	if err != nil {
		return err
	}
	if !r.has(role) && (add || !slices.Contains(have, role)) {
		return notFound(role)
	}
	next, changed := Change(have, role, add)
	if !changed {
		return nil
	}
	return r.store.SetUserRoles(ctx, userID, next)
}

// Change returns names with role added or removed, sorted and without
// repeats, and whether that differs from names.
func Change(names []string, role string, add bool) ([]string, bool) {
	have := slices.Clone(names)
	slices.Sort(have)
	have = slices.Compact(have)
	next := slices.DeleteFunc(slices.Clone(have), func(n string) bool { return n == role })
	if add {
		next = append(next, role)
		slices.Sort(next)
	}
	return next, !slices.Equal(next, names)
}

var (
	_ driver.Roles       = (*Roles)(nil)
	_ driver.RoleCatalog = (*Roles)(nil)
)
