// Command organizations is a two-tenant app on whichever backend
// IDENTITY_URL names (memory:// when unset): it creates the organizations
// Acme and Globex, a catalogue of organization roles with their
// permissions, and two users who hold different roles in each, then
// prints who may do what where, and cleans up after itself. It exits
// non-zero on the first failure, and says so when the backend has no
// organizations.
//
//	go run ./examples/organizations
//	IDENTITY_URL=logto://auth.example.com LOGTO_M2M_APP_ID=... LOGTO_M2M_APP_SECRET=... go run ./examples/organizations
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/idport/identity"
	_ "github.com/idport/identity/backends/logto"
	_ "github.com/idport/identity/backends/memory"
	_ "github.com/idport/identity/backends/okta"
	_ "github.com/idport/identity/backends/passage"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Getenv("IDENTITY_URL")); err != nil {
		fmt.Fprintln(os.Stderr, "organizations:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, dirURL string) (err error) {
	if dirURL == "" {
		dirURL = "memory://"
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	dir, err := identity.Open(ctx, dirURL)
	if err != nil {
		return err
	}
	defer dir.Close()
	caps := dir.Capabilities()
	if !caps.Organizations {
		return fmt.Errorf("%s has no organizations (Capabilities().Organizations is false)", dir.Backend())
	}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	tag := randomTag()

	// What this run creates is deleted at the end, pass or fail, so that
	// it leaves a real tenant as it found it.
	var cleanup []func(context.Context) error
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for i := len(cleanup) - 1; i >= 0; i-- {
			if cerr := cleanup[i](ctx); cerr != nil && !errors.Is(cerr, identity.ErrNotFound) {
				err = errors.Join(err, cerr)
			}
		}
	}()

	orgs := map[string]*identity.Organization{}
	for _, name := range []string{"Acme", "Globex"} {
		o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: name + " " + tag, Description: name + ", a tenant"})
		if err != nil {
			return err
		}
		orgs[name] = o
		cleanup = append(cleanup, func(ctx context.Context) error { return dir.DeleteOrganization(ctx, o.ID) })
		say("created organization %s", name)
	}

	users := map[string]*identity.User{}
	for _, name := range []string{"ada", "grace"} {
		u, err := dir.CreateUser(ctx, identity.NewUser{Email: name + "." + tag + "@example.com"})
		if err != nil {
			return err
		}
		users[name] = u
		cleanup = append(cleanup, func(ctx context.Context) error { return dir.DeleteUser(ctx, u.ID) })
	}
	for _, o := range orgs {
		if err := dir.AddMembers(ctx, o.ID, users["ada"].ID, users["grace"].ID); err != nil {
			return err
		}
	}
	say("ada and grace are members of both")

	if !caps.OrganizationRoles {
		say("%s has no organization roles: members only", dir.Backend())
		return nil
	}
	admin, viewer := "admin-"+tag, "viewer-"+tag
	for _, r := range []identity.OrganizationRole{
		{Name: admin, Description: "runs the tenant", Permissions: []string{"read:docs", "write:docs", "invite:members"}},
		{Name: viewer, Description: "reads only", Permissions: []string{"read:docs"}},
	} {
		if !caps.OrganizationPermissions {
			r.Permissions = nil
		}
		if _, err := dir.CreateOrganizationRole(ctx, r); err != nil {
			return err
		}
		cleanup = append(cleanup, func(ctx context.Context) error { return dir.DeleteOrganizationRole(ctx, r.Name) })
	}

	// Ada runs Acme and only reads at Globex; Grace the other way round.
	grants := []struct{ user, org, role string }{
		{"ada", "Acme", admin}, {"ada", "Globex", viewer},
		{"grace", "Acme", viewer}, {"grace", "Globex", admin},
	}
	for _, g := range grants {
		if err := dir.AssignOrganizationRole(ctx, orgs[g.org].ID, users[g.user].ID, g.role); err != nil {
			return err
		}
	}
	for _, g := range grants {
		rs, err := dir.ListMemberRoles(ctx, orgs[g.org].ID, users[g.user].ID)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s at %s: %s", g.user, g.org, strings.TrimSuffix(roleNames(rs), "-"+tag))
		if caps.OrganizationPermissions {
			ps, err := dir.ListMemberPermissions(ctx, orgs[g.org].ID, users[g.user].ID)
			if err != nil {
				return err
			}
			line += " (may " + strings.Join(ps, ", ") + ")"
		}
		say("%s", line)
	}
	return nil
}

func roleNames(rs []*identity.OrganizationRole) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// randomTag keeps this run's names apart from another's on a shared tenant.
func randomTag() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
