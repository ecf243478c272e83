package okta

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

// wireGroup is the part of an Okta group the backend reads.
type wireGroup struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	Profile struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"profile"`
}

// okGroup is the group type whose membership the API can change; BUILT_IN
// (Everyone) and APP_GROUP are not roles.
const okGroup = "OKTA_GROUP"

// roleMapping is what a portable role is at Okta, chosen once by
// Options.RoleMode: a group (groupRoles) or an administrator role type
// (adminRoleTypes). The directory's role methods are its methods; only
// groups make a catalogue the application manages (driver.RoleCatalog).
type roleMapping = driver.Roles

// CreateRole creates a group; it is called only in group mode, where
// catalog is set, since only then is RoleCatalog declared.
func (d *directory) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	return d.catalog.CreateRole(ctx, r)
}

// DeleteRole deletes a group; see CreateRole.
func (d *directory) DeleteRole(ctx context.Context, name string) error {
	return d.catalog.DeleteRole(ctx, name)
}

// groupRoles maps roles to OKTA_GROUP groups by name, leaving out the
// groups that are organizations.
type groupRoles struct {
	*directory
	cache *groupCache
}

func (g wireGroup) role() *identity.Role {
	return &identity.Role{Name: g.Profile.Name, Description: g.Profile.Description}
}

// groupsAsRoles returns the roles among gs: the groups that are not
// organizations.
func (d *directory) groupsAsRoles(gs []wireGroup) []*identity.Role {
	out := make([]*identity.Role, 0, len(gs))
	for _, g := range gs {
		if !d.isOrgName(g.Profile.Name) {
			out = append(out, g.role())
		}
	}
	return out
}

// groupCache maps role names to group ids. It is filled as names are
// resolved, updated by CreateRole and DeleteRole, and an entry is dropped
// when Okta says its group no longer exists.
type groupCache struct {
	mu     sync.Mutex
	byName map[string]string
}

func newGroupCache() *groupCache { return &groupCache{byName: map[string]string{}} }

func (c *groupCache) get(name string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byName[name]
	return id, ok
}

func (c *groupCache) put(name, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byName[name] = id
}

func (c *groupCache) drop(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byName, name)
}

func groupsPath(more ...string) string {
	return httpx.Path(append([]string{"api", "v1", "groups"}, more...)...)
}

func roleNotFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Role: name, Message: "no such role"}
}

// allGroups follows the Link header through every page of a group
// listing, keeping the OKTA_GROUP groups.
func (d *directory) allGroups(ctx context.Context, path string, q url.Values) ([]wireGroup, error) {
	var all []wireGroup
	for {
		var gs []wireGroup
		resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Out: &gs})
		if err != nil {
			return nil, err
		}
		gs, err = okGroups(gs)
		if err != nil {
			return nil, err
		}
		all = append(all, gs...)
		after := nextAfter(resp.Header)
		if after == "" || after == q.Get("after") {
			return all, nil
		}
		q.Set("after", after)
	}
}

// okGroups returns the OKTA_GROUP groups of a listing, in place.
func okGroups(gs []wireGroup) ([]wireGroup, error) {
	out := gs[:0]
	for _, g := range gs {
		if g.Type != okGroup {
			continue
		}
		if g.ID == "" {
			// It would go into a path: refuse it rather than call
			// /groups/ or /groups//users.
			return nil, driver.Errorf(identity.Internal, "Okta listed a group without an id")
		}
		out = append(out, g)
	}
	return out, nil
}

// resolve returns the id of the group named name; a name that is an
// organization's is no role's. Okta's q matches names
// by prefix, ignoring case; the exact name is picked from the answer.
func (d groupRoles) resolve(ctx context.Context, name string) (string, error) {
	if d.isOrgName(name) {
		return "", roleNotFound(name)
	}
	if id, ok := d.cache.get(name); ok {
		return id, nil
	}
	gs, err := d.allGroups(ctx, groupsPath(), url.Values{"q": {name}, "limit": {"200"}})
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if g.Profile.Name == name {
			d.cache.put(name, g.ID)
			return g.ID, nil
		}
	}
	return "", roleNotFound(name)
}

// withGroup runs call with the group's id, resolving the name again once
// if Okta says a cached id is gone.
func (d groupRoles) withGroup(ctx context.Context, name string, call func(gid string) error) error {
	for fresh := false; ; fresh = true {
		gid, err := d.resolve(ctx, name)
		if err != nil {
			return err
		}
		err = call(gid)
		if !isGroupMissing(err, gid) {
			return err
		}
		d.cache.drop(name)
		if fresh {
			return roleNotFound(name)
		}
	}
}

// isGroupMissing reports whether err is Okta's 404 about the group gid
// rather than about a user.
func isGroupMissing(err error, gid string) bool {
	var ie *identity.Error
	return errors.As(err, &ie) && ie.Code == identity.NotFound && strings.Contains(ie.Message, gid)
}

// CreateRole creates the group; a name with the organization prefix is
// InvalidArgument, since that group would be an organization.
func (d groupRoles) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	if d.isOrgName(r.Name) {
		return nil, driver.InvalidArgumentError("Role.Name", "role name %q starts with %q, the group-name prefix of organizations", r.Name, d.orgPrefix)
	}
	before, knownBefore := d.cache.get(r.Name)
	g, _, err := d.createGroup(ctx, map[string]any{"name": r.Name, "description": r.Description}, func(g wireGroup) bool {
		// A group this directory knew before the create is not the
		// one it made.
		return !(knownBefore && before == g.ID)
	})
	if err != nil {
		return nil, err
	}
	d.cache.put(g.Profile.Name, g.ID)
	return g.role(), nil
}

// createGroup creates a group with profile, whose name and description
// are strings, and returns it and its JSON (nil when the create was
// settled by a lookup, whose answer is not kept). A create whose answer was lost
// is settled by looking the name up: a group of that name and
// description that made accepts is the one the create made; another
// holding the name (Okta's names are unique, ignoring case) is
// AlreadyExists.
func (d *directory) createGroup(ctx context.Context, profile map[string]any, made func(wireGroup) bool) (wireGroup, json.RawMessage, error) {
	name, _ := profile["name"].(string)
	desc, _ := profile["description"].(string)
	type created struct {
		g   wireGroup
		raw json.RawMessage
	}
	c, err := createonce.Create(ctx, d.creates.Attempts, func(ctx context.Context) (created, error) {
		var raw json.RawMessage
		if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: groupsPath(), Body: map[string]any{"profile": profile}, Out: &raw}); err != nil {
			return created{}, err
		}
		var g wireGroup
		if err := json.Unmarshal(raw, &g); err != nil {
			return created{}, driver.Errorf(identity.Internal, "Okta returned a group the backend cannot read")
		}
		return created{g, raw}, nil
	}, func(ctx context.Context, cause error) (created, bool, error) {
		gs, err := d.allGroups(ctx, groupsPath(), url.Values{"q": {name}, "limit": {"200"}})
		if err != nil {
			return created{}, false, createonce.Unsettled(cause, err)
		}
		for _, g := range gs {
			if !strings.EqualFold(g.Profile.Name, name) {
				continue
			}
			if g.Profile.Name == name && g.Profile.Description == desc && made(g) {
				return created{g: g}, true, nil
			}
			if identity.CodeOf(cause) == identity.AlreadyExists {
				return created{}, false, cause
			}
			return created{}, false, &identity.Error{Code: identity.AlreadyExists, Err: cause,
				Message: "the group name is in use: the create's answer was lost, and the group holding the name is not one this create made"}
		}
		return created{}, false, nil
	})
	if err != nil {
		return wireGroup{}, nil, err
	}
	if c.g.ID == "" {
		return wireGroup{}, nil, driver.Errorf(identity.Internal, "Okta returned a group without an id")
	}
	return c.g, c.raw, nil
}

func (d groupRoles) ListRoles(ctx context.Context) ([]*identity.Role, error) {
	gs, err := d.allGroups(ctx, groupsPath(), url.Values{"limit": {"200"}})
	if err != nil {
		return nil, err
	}
	return d.groupsAsRoles(gs), nil
}

func (d groupRoles) DeleteRole(ctx context.Context, name string) error {
	err := d.withGroup(ctx, name, func(gid string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: groupsPath(gid)})
		return httpx.DoneIfGone(err)
	})
	d.cache.drop(name)
	return err
}

func (d groupRoles) ListUserRoles(ctx context.Context, userID string) ([]*identity.Role, error) {
	gs, err := d.allGroups(ctx, usersPath(userID, "groups"), url.Values{})
	if err != nil {
		return nil, err
	}
	return d.groupsAsRoles(gs), nil
}

// AssignRole adds the user to the group; Okta's PUT of a membership is
// idempotent.
func (d groupRoles) AssignRole(ctx context.Context, userID, role string) error {
	return d.withGroup(ctx, role, func(gid string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: groupsPath(gid, "users", userID)})
		return err
	})
}

// RevokeRole removes the user from the group; removing a non-member
// succeeds, as Okta's DELETE of a membership does. Okta answers 204 for a
// user that does not exist too, so the user is checked first.
func (d groupRoles) RevokeRole(ctx context.Context, userID, role string) error {
	if _, _, _, err := d.get(ctx, userID); err != nil {
		return err
	}
	return d.withGroup(ctx, role, func(gid string) error {
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: groupsPath(gid, "users", userID)})
		return err
	})
}
