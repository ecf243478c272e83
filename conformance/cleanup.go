package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/wrap"
)

// WithCleanup wraps dir so that every user, role, organization and
// organization role created through it is deleted when the wrapper is closed or t ends, whichever comes first,
// whether or not the test passed. Live-mode harnesses use it so that a run
// leaves a real tenant as it found it.
func WithCleanup(t testing.TB, dir *identity.Directory) *identity.Directory {
	c := &cleaning{Backend: wrap.Backend{Dir: dir}, t: t}
	t.Cleanup(func() { _ = c.Close() })
	return identity.NewDirectory(dir.Backend(), c)
}

type cleaning struct {
	wrap.Backend
	t        testing.TB
	mu       sync.Mutex
	users    []string
	roles    []string
	orgs     []string
	orgRoles []string
	done     bool
}

func (c *cleaning) CreateUser(ctx context.Context, u identity.NewUser) (*identity.User, error) {
	got, err := c.Backend.CreateUser(ctx, u)
	if err == nil {
		c.mu.Lock()
		c.users = append(c.users, got.ID)
		c.mu.Unlock()
	}
	return got, err
}

func (c *cleaning) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	got, err := c.Backend.CreateRole(ctx, r)
	if err == nil {
		c.mu.Lock()
		c.roles = append(c.roles, got.Name)
		c.mu.Unlock()
	}
	return got, err
}

func (c *cleaning) CreateOrganization(ctx context.Context, o identity.NewOrganization) (*identity.Organization, error) {
	got, err := c.Backend.CreateOrganization(ctx, o)
	if err == nil {
		c.mu.Lock()
		c.orgs = append(c.orgs, got.ID)
		c.mu.Unlock()
	}
	return got, err
}

func (c *cleaning) CreateOrganizationRole(ctx context.Context, r identity.OrganizationRole) (*identity.OrganizationRole, error) {
	got, err := c.Backend.CreateOrganizationRole(ctx, r)
	if err == nil {
		c.mu.Lock()
		c.orgRoles = append(c.orgRoles, got.Name)
		c.mu.Unlock()
	}
	return got, err
}

// Close deletes what was created, then closes the underlying directory.
func (c *cleaning) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.Backend.Close()
	}
	c.done = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Organizations go first, and their memberships with them, so that
	// no provider refuses to delete a user for being a member.
	for _, id := range c.orgs {
		if err := c.Backend.DeleteOrganization(ctx, id); err != nil && identity.CodeOf(err) != identity.NotFound {
			c.t.Logf("cleanup: deleting organization %s: %v", id, err)
		}
	}
	for _, id := range c.users {
		if err := c.Backend.DeleteUser(ctx, id); err != nil && identity.CodeOf(err) != identity.NotFound {
			c.t.Logf("cleanup: deleting user %s: %v", id, err)
		}
	}
	for _, name := range c.roles {
		if err := c.Backend.DeleteRole(ctx, name); err != nil && identity.CodeOf(err) != identity.NotFound {
			c.t.Logf("cleanup: deleting role %q: %v", name, err)
		}
	}
	for _, name := range c.orgRoles {
		if err := c.Backend.DeleteOrganizationRole(ctx, name); err != nil && identity.CodeOf(err) != identity.NotFound {
			c.t.Logf("cleanup: deleting organization role %q: %v", name, err)
		}
	}
	return c.Backend.Close()
}
