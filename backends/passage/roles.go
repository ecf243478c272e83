package passage

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

func asError(err error, target **identity.Error) bool { return errors.As(err, target) }

// catalog is the roles mode's role list, kept in this process.
type catalog struct {
	mu    sync.RWMutex
	roles map[string]identity.Role
}

func newCatalog(seed []identity.Role) *catalog {
	c := &catalog{roles: make(map[string]identity.Role, len(seed))}
	for _, r := range seed {
		c.roles[r.Name] = r
	}
	return c
}

func (c *catalog) has(name string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.roles[name]
	return ok
}

// stripes serializes read-modify-writes of one user's roles field within
// this process.
type stripes [64]sync.Mutex

func (s *stripes) lock(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &s[h.Sum32()%uint32(len(s))]
	m.Lock()
	return m.Unlock
}

func checkRoleName(name string) *identity.Error {
	if strings.Contains(name, ",") {
		return driver.InvalidArgumentError("role", "role names cannot contain ',' on Passage, which keeps a user's roles as a comma-separated list")
	}
	return nil
}

func roleNotFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Role: name, Message: "no such role"}
}

func (d *directory) CreateRole(_ context.Context, r identity.Role) (*identity.Role, error) {
	if err := checkRoleName(r.Name); err != nil {
		return nil, err
	}
	d.roles.mu.Lock()
	defer d.roles.mu.Unlock()
	if _, dup := d.roles.roles[r.Name]; dup {
		return nil, &identity.Error{Code: identity.AlreadyExists, Role: r.Name, Message: "role already exists"}
	}
	d.roles.roles[r.Name] = r
	return &r, nil
}

func (d *directory) ListRoles(context.Context) ([]*identity.Role, error) {
	d.roles.mu.RLock()
	defer d.roles.mu.RUnlock()
	out := make([]*identity.Role, 0, len(d.roles.roles))
	for _, r := range d.roles.roles {
		out = append(out, &r)
	}
	return out, nil
}

// DeleteRole removes the role from the catalogue, then from every user
// that has it.
func (d *directory) DeleteRole(ctx context.Context, name string) error {
	d.roles.mu.Lock()
	if _, ok := d.roles.roles[name]; !ok {
		d.roles.mu.Unlock()
		return roleNotFound(name)
	}
	delete(d.roles.roles, name)
	d.roles.mu.Unlock()

	first := "" // the first user of the last page
	for page := 1; ; page++ {
		env, err := d.listPage(ctx, url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(maxPageSize)}})
		if err != nil {
			return err
		}
		for i, raw := range env.Users {
			var w wireUser
			if err := json.Unmarshal(raw, &w); err != nil {
				return driver.Errorf(identity.Internal, "Passage returned a user the backend cannot read")
			}
			if i == 0 && page > 1 && w.ID == first {
				// A server or cache that ignores ?page= would be walked for ever.
				return driver.Errorf(identity.Internal, "Passage answered page %d with page %d again", page, page-1)
			}
			if i == 0 {
				first = w.ID
			}
			if slices.Contains(d.parseRoles(w.Metadata), name) {
				if err := d.changeRoles(ctx, w.ID, name, false, false); err != nil && identity.CodeOf(err) != identity.NotFound {
					return err
				}
			}
		}
		if len(env.Users) == 0 || env.Limit <= 0 || int64(page)*int64(env.Limit) >= env.Total {
			return nil
		}
	}
}

func (d *directory) parseRoles(md map[string]any) []string {
	s, _ := md[d.opts.RolesField].(string)
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

// ListUserRoles reads the roles field; names no longer in the catalogue
// are left out.
func (d *directory) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	u, err := d.rawUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	d.roles.mu.RLock()
	defer d.roles.mu.RUnlock()
	var out []*identity.Role
	for _, name := range d.parseRoles(u.Metadata) {
		if r, ok := d.roles.roles[name]; ok {
			out = append(out, &r)
		}
	}
	return out, nil
}

func (d *directory) rawUser(ctx context.Context, id string) (*wireUser, error) {
	var env userEnvelope
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: d.path(id), Out: &env}); err != nil {
		return nil, err
	}
	var w wireUser
	if err := json.Unmarshal(env.User, &w); err != nil || w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Passage returned a user the backend cannot read")
	}
	return &w, nil
}

func (d *directory) AssignRole(ctx context.Context, userID, role string) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	return d.changeRoles(ctx, userID, role, true, true)
}

func (d *directory) RevokeRole(ctx context.Context, userID, role string) error {
	return d.changeRoles(ctx, userID, role, false, true)
}

// changeRoles adds or removes role in the user's roles field, writing only
// when that changes it. checkCatalog makes an unknown role NotFound.
func (d *directory) changeRoles(ctx context.Context, userID, role string, add, checkCatalog bool) error {
	unlock := d.locks.lock(userID)
	defer unlock()
	u, err := d.rawUser(ctx, userID)
	if err != nil {
		return err
	}
	if checkCatalog && !d.roles.has(role) {
		return roleNotFound(role)
	}
	have := d.parseRoles(u.Metadata)
	next := slices.DeleteFunc(slices.Clone(have), func(r string) bool { return r == role })
	if add {
		next = append(next, role)
	}
	sort.Strings(next)
	if slices.Equal(next, have) {
		return nil
	}
	var value any = strings.Join(next, ",")
	if len(next) == 0 {
		value = nil
	}
	_, err = d.do(ctx, http.MethodPatch, d.path(userID), nil, map[string]any{"user_metadata": map[string]any{d.opts.RolesField: value}})
	return err
}
