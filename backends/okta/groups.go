package okta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

// wireGroup is the part of an Okta group the backend reads.
type wireGroup struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
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

// groupRoles maps roles to OKTA_GROUP groups by name.
type groupRoles struct {
	*directory
	cache *groupCache
}

func (g wireGroup) role() *identity.Role {
	return &identity.Role{Name: g.Profile.Name, Description: g.Profile.Description}
}

func groupsAsRoles(gs []wireGroup) []*identity.Role {
	out := make([]*identity.Role, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.role())
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
// listing.
func (d groupRoles) allGroups(ctx context.Context, path string, q url.Values) ([]wireGroup, error) {
	var all []wireGroup
	for {
		var gs []wireGroup
		resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Out: &gs})
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if g.Type != okGroup {
				continue
			}
			if g.ID == "" {
				// It would go into a path: refuse it rather than call
				// /groups/ or /groups//users.
				return nil, driver.Errorf(identity.Internal, "Okta listed a group without an id")
			}
			all = append(all, g)
		}
		after := nextAfter(resp.Header)
		if after == "" || after == q.Get("after") {
			return all, nil
		}
		q.Set("after", after)
	}
}

// resolve returns the id of the group named name. Okta's q matches names
// by prefix, ignoring case; the exact name is picked from the answer.
func (d groupRoles) resolve(ctx context.Context, name string) (string, error) {
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

func (d groupRoles) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	body := map[string]any{"profile": map[string]string{"name": r.Name, "description": r.Description}}
	before, knownBefore := d.cache.get(r.Name)
	g, err := createonce.Create(ctx, d.creates.Attempts, func(ctx context.Context) (wireGroup, error) {
		var g wireGroup
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: groupsPath(), Body: body, Out: &g})
		return g, err
	}, func(ctx context.Context, cause error) (wireGroup, bool, error) {
		// The answer was lost: a group of that name and description that
		// this directory did not know before is the one the create made.
		gs, err := d.allGroups(ctx, groupsPath(), url.Values{"q": {r.Name}, "limit": {"200"}})
		if err != nil {
			return wireGroup{}, false, createonce.Unsettled(cause, err)
		}
		for _, g := range gs {
			if !strings.EqualFold(g.Profile.Name, r.Name) {
				continue
			}
			if g.Profile.Name == r.Name && g.Profile.Description == r.Description && !(knownBefore && before == g.ID) {
				return g, true, nil
			}
			if identity.CodeOf(cause) == identity.AlreadyExists {
				return wireGroup{}, false, cause
			}
			return wireGroup{}, false, &identity.Error{Code: identity.AlreadyExists, Err: cause,
				Message: "the group name is in use: the create's answer was lost, and the group holding the name is not one this create made"}
		}
		return wireGroup{}, false, nil
	})
	if err != nil {
		return nil, err
	}
	if g.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Okta returned a group without an id")
	}
	d.cache.put(g.Profile.Name, g.ID)
	return g.role(), nil
}

func (d groupRoles) ListRoles(ctx context.Context) ([]*identity.Role, error) {
	gs, err := d.allGroups(ctx, groupsPath(), url.Values{"limit": {"200"}})
	if err != nil {
		return nil, err
	}
	return groupsAsRoles(gs), nil
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
	return groupsAsRoles(gs), nil
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
