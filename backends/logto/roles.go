package logto

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

// wireRole is the part of a Logto role the backend reads.
type wireRole struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	// Scopes are an organization role's organization scopes, as
	// GET /api/organization-roles lists them.
	Scopes []wireRole `json:"scopes"`
}

// ofUsers reports whether r is a role of users. Logto's other type,
// MachineToMachine, is a role of apps: ListRoles leaves such roles out,
// Logto refuses to assign them to users, and so every role call here
// treats one's name as it treats a name no role has.
func (r wireRole) ofUsers() bool { return r.Type == "User" }

func (r wireRole) portable() *identity.Role {
	desc := r.Description
	if desc == r.Name {
		desc = "" // the stand-in CreateRole wrote for an empty description
	}
	return &identity.Role{Name: r.Name, Description: desc}
}

// roleCache maps role names to Logto roles. It is filled from a full
// listing when a name is missing, updated by creates and deletes, and
// dropped when Logto says a cached id no longer exists. The zero value is
// an empty cache.
type roleCache struct {
	mu     sync.Mutex
	byName map[string]wireRole
}

func newRoleCache() *roleCache { return &roleCache{} }

func (c *roleCache) get(name string) (wireRole, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byName[name]
	return r, ok
}

func (c *roleCache) put(r wireRole) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byName != nil {
		c.byName[r.Name] = r
	}
}

func (c *roleCache) drop(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byName, name)
}

func (c *roleCache) fill(m map[string]wireRole) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byName = m
}

// catalogue is one of Logto's role catalogues, the global roles or the
// organization roles: where it is listed, the error for a name no User
// role has, and the codes its calls answer for a cached id that is gone.
type catalogue struct {
	cache   *roleCache
	path    string
	missing func(name string) error
	stale   []string
}

func (d *directory) globalRoles() catalogue {
	return catalogue{cache: d.roles, path: httpx.Path("api", "roles"), missing: roleNotFound, stale: []string{"entity.not_exists_with_id"}}
}

// allPages fetches every page of a Logto listing.
func (d *directory) allPages(ctx context.Context, path string, q url.Values) ([]wireRole, error) {
	var all []wireRole
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		q.Set("page_size", strconv.Itoa(maxPageSize))
		var rs []wireRole
		resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Out: &rs})
		if err != nil {
			return nil, err
		}
		if page > 1 && len(rs) > 0 && rs[0].ID == all[len(all)-maxPageSize].ID {
			// A server or cache that ignores ?page= would be read for ever.
			return nil, driver.Errorf(identity.Internal, "Logto answered page %d with page %d again", page, page-1)
		}
		all = append(all, rs...)
		total, err := strconv.Atoi(resp.Header.Get("Total-Number"))
		if len(rs) < maxPageSize || err == nil && page*maxPageSize >= total {
			return all, nil
		}
	}
}

func roleNotFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Role: name, Message: "no such role"}
}

// resolve returns the User role of c named name, listing the catalogue
// once if the cache does not know it. It is c.missing for a name only a
// machine-to-machine role has, which the cache never holds.
func (d *directory) resolve(ctx context.Context, c catalogue, name string) (wireRole, error) {
	if r, ok := c.cache.get(name); ok {
		return r, nil
	}
	rs, err := d.allPages(ctx, c.path, url.Values{})
	if err != nil {
		return wireRole{}, err
	}
	m := make(map[string]wireRole, len(rs))
	for _, r := range rs {
		if !r.ofUsers() {
			continue
		}
		if r.ID == "" {
			// Put into a path, an empty id would name the collection:
			// DELETE /api/roles/ or /api/users/{id}/roles/.
			return wireRole{}, driver.Errorf(identity.Internal, "Logto listed a role without an id")
		}
		m[r.Name] = r
	}
	c.cache.fill(m)
	if r, ok := m[name]; ok {
		return r, nil
	}
	return wireRole{}, c.missing(name)
}

// stale reports whether err says a cached role id of c is gone, and
// drops it.
func (d *directory) stale(c catalogue, err error, name string) bool {
	if slices.Contains(c.stale, providerCode(err)) {
		c.cache.drop(name)
		return true
	}
	return false
}

// providerCode is Logto's code of err, or "".
func providerCode(err error) string {
	var ie *identity.Error
	if asError(err, &ie) {
		return ie.ProviderCode
	}
	return ""
}

// createRoleOnce POSTs body, a User role named name with description
// desc, to path, the roles collection of a catalogue (global or
// organization roles, whose names are unique). A create whose answer was
// lost is settled by listing the collection: a User role of that name and
// description that is not before (the cached role, when knownBefore) is
// the one it made; another holder of the name is AlreadyExists; none
// means the create is sent again.
func (d *directory) createRoleOnce(ctx context.Context, path string, body any, name, desc string, before wireRole, knownBefore bool) (wireRole, error) {
	return createonce.Create(ctx, d.creates.Attempts, func(ctx context.Context) (wireRole, error) {
		var w wireRole
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: path, Body: body, Out: &w})
		return w, err
	}, func(ctx context.Context, cause error) (wireRole, bool, error) {
		rs, err := d.allPages(ctx, path, url.Values{})
		if err != nil {
			return wireRole{}, false, createonce.Unsettled(cause, err)
		}
		for _, o := range rs {
			if o.Name != name {
				continue
			}
			if o.ofUsers() && o.Description == desc && !(knownBefore && before.ID == o.ID) {
				return o, true, nil
			}
			if identity.CodeOf(cause) == identity.AlreadyExists {
				return wireRole{}, false, cause
			}
			return wireRole{}, false, &identity.Error{Code: identity.AlreadyExists, Role: name, Err: cause,
				Message: "the role name is in use: the create's answer was lost, and the role holding the name is not one this create made"}
		}
		return wireRole{}, false, nil
	})
}

// CreateRole settles a create whose answer was lost by listing the roles:
// a User role of that name and description that was not known before the
// create is the one it made; another holder of the name is AlreadyExists;
// none means the create is sent again.
func (d *directory) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	desc := r.Description
	if desc == "" {
		desc = r.Name // Logto requires a description
	}
	before, knownBefore := d.roles.get(r.Name)
	w, err := d.createRoleOnce(ctx, httpx.Path("api", "roles"), map[string]string{"name": r.Name, "description": desc, "type": "User"},
		r.Name, desc, before, knownBefore)
	if err != nil {
		return nil, err
	}
	if w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Logto created a role without an id")
	}
	d.roles.put(w)
	return w.portable(), nil
}

func (d *directory) ListRoles(ctx context.Context) ([]*identity.Role, error) {
	rs, err := d.allPages(ctx, httpx.Path("api", "roles"), url.Values{"type": {"User"}})
	if err != nil {
		return nil, err
	}
	out := make([]*identity.Role, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.portable())
	}
	return out, nil
}

// DeleteRole deletes a User role; the machine-to-machine roles Logto also
// keeps are not roles of users and stay out of reach (see ofUsers).
func (d *directory) DeleteRole(ctx context.Context, name string) error {
	err := d.withRole(ctx, d.globalRoles(), name, func(id string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: httpx.Path("api", "roles", id)})
		return httpx.DoneIfGone(err)
	})
	if err == nil {
		d.roles.drop(name)
	}
	return err
}

func (d *directory) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	rs, err := d.allPages(ctx, userPath(userID, "roles"), url.Values{})
	if err != nil {
		return nil, err
	}
	out := make([]*identity.Role, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.portable())
	}
	return out, nil
}

// withRole resolves name and runs call with its id, resolving afresh once
// if the cached id turns out to be gone.
func (d *directory) withRole(ctx context.Context, c catalogue, name string, call func(id string) error) error {
	for try := 0; ; try++ {
		r, err := d.resolve(ctx, c, name)
		if err != nil {
			return err
		}
		err = call(r.ID)
		if err == nil || !d.stale(c, err, name) {
			return err
		}
		if try > 0 {
			return c.missing(name)
		}
	}
}

// AssignRole's POST is marked idempotent: Logto skips roles the user
// already has and answers 201 all the same, so an assignment sent again
// after a reset succeeds.
func (d *directory) AssignRole(ctx context.Context, userID, role string) error {
	return d.withRole(ctx, d.globalRoles(), role, func(id string) error {
		var out struct {
			RoleIDs []string `json:"roleIds"`
		}
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: userPath(userID, "roles"),
			Body: map[string][]string{"roleIds": {id}}, Out: &out, Idempotent: true})
		return err
	})
}

// RevokeRole treats Logto's 404 for a role the user lacks as success,
// after checking that the user itself exists.
func (d *directory) RevokeRole(ctx context.Context, userID, role string) error {
	return d.withRole(ctx, d.globalRoles(), role, func(id string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: userPath(userID, "roles", id)})
		var ie *identity.Error
		if asError(err, &ie) && ie.ProviderCode == "entity.not_found" {
			if _, gerr := d.GetUser(ctx, userID); gerr != nil {
				return gerr
			}
			return nil
		}
		return err
	})
}
