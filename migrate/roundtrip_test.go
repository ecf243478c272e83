package migrate_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/migrate"
)

// populate fills dir with users in every status it has, metadata of every
// JSON kind, roles, organizations with metadata, organization roles with
// permissions, and passwords; it returns each user's password by email
// or username.
func populate(t *testing.T, dir *identity.Directory) map[string]identity.Secret {
	t.Helper()
	ctx := context.Background()
	for _, r := range []identity.Role{{Name: "admin", Description: "Administrators"}, {Name: "editor"}, {Name: "unused", Description: "held by nobody"}} {
		_, err := dir.CreateRole(ctx, r)
		require.NoError(t, err)
	}
	acme, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "Acme", Description: "Acme Corp", Metadata: map[string]any{"tier": "gold", "seats": 12.0}})
	require.NoError(t, err)
	globex, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "Globex"})
	require.NoError(t, err)
	_, err = dir.CreateOrganization(ctx, identity.NewOrganization{Name: "Empty", Description: "no members"})
	require.NoError(t, err)
	for _, r := range []identity.OrganizationRole{{Name: "owner", Description: "Owns it", Permissions: []string{"read", "write"}}, {Name: "member", Permissions: []string{"read"}}} {
		_, err := dir.CreateOrganizationRole(ctx, r)
		require.NoError(t, err)
	}
	passwords := map[string]identity.Secret{}
	mk := func(nu identity.NewUser) *identity.User {
		u, err := dir.CreateUser(ctx, nu)
		require.NoError(t, err)
		if nu.Password != "" {
			key := nu.Email
			if key == "" {
				key = nu.Username
			}
			passwords[key] = nu.Password
		}
		return u
	}
	ada := mk(identity.NewUser{Username: "ada", Email: "ada@example.com", Phone: "+14155550100", GivenName: "Ada", FamilyName: "Lovelace",
		DisplayName: "Ada L.", Password: "correct horse 1",
		Metadata: map[string]any{"plan": "pro", "limits": map[string]any{"seats": 5.0, "sso": true}, "tags": []any{"a", "b"}, "score": 1.5}})
	require.NoError(t, dir.SetRoles(ctx, ada.ID, "admin", "editor"))
	require.NoError(t, dir.AddMembers(ctx, acme.ID, ada.ID))
	require.NoError(t, dir.SetMemberRoles(ctx, acme.ID, ada.ID, "owner", "member"))
	require.NoError(t, dir.AddMembers(ctx, globex.ID, ada.ID))

	bob := mk(identity.NewUser{Email: "bob@example.com", GivenName: "Bob", Password: "hunter2 hunter2"})
	require.NoError(t, dir.AssignRole(ctx, bob.ID, "editor"))
	require.NoError(t, dir.AddMembers(ctx, acme.ID, bob.ID))
	require.NoError(t, dir.SuspendUser(ctx, bob.ID))

	mk(identity.NewUser{Username: "cy", Phone: "+14155550101", Status: identity.StatusPending})

	dee := mk(identity.NewUser{Email: "dee@example.com", Password: "dee's password", Metadata: map[string]any{"left": "2024"}})
	require.NoError(t, dir.DeprovisionUser(ctx, dee.ID))

	mk(identity.NewUser{Username: "eve", DisplayName: "Eve", Password: "eve eve eve"})
	return passwords
}

// TestExportImportRoundTrip exports a directory to the file format and
// imports the file into an empty one: users, statuses, metadata, roles
// and their descriptions, organizations with their metadata, organization
// roles with their permissions, memberships and member roles compare
// equal field by field, every password verifies, and the only losses are
// the creation and sign-in times no portable call sets.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, dst := newMemory(t), newMemory(t)
	passwords := populate(t, src)

	var file bytes.Buffer
	exp, err := migrate.Export(ctx, migrate.FromDirectory(src), &file)
	require.NoError(t, err)
	assert.Equal(t, 5, exp.Users)
	assert.Empty(t, exp.Losses)
	assert.NotContains(t, file.String(), "[REDACTED]", "the file carries the hashes themselves")
	assert.Equal(t, 6, strings.Count(file.String(), "\n"), "a header and a line per user")

	rep, err := migrate.Import(ctx, dst, &file, migrate.Options{})
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Created)
	assert.Zero(t, rep.Failed+rep.Conflicts+rep.Matched+rep.Updated+rep.Skipped, "%+v", rep.Results)
	for _, l := range rep.Losses {
		assert.Contains(t, []string{"CreatedAt", "LastSignInAt"}, l.Field, "%+v", l)
	}
	assert.ElementsMatch(t, []migrate.Made{{Kind: "role", Name: "admin"}, {Kind: "role", Name: "editor"}, {Kind: "role", Name: "unused"},
		{Kind: "organization", Name: "Acme"}, {Kind: "organization", Name: "Globex"}, {Kind: "organization", Name: "Empty"},
		{Kind: "organization role", Name: "owner"}, {Kind: "organization role", Name: "member"}}, rep.Made)

	want, got := snap(t, src), snap(t, dst)
	require.Equal(t, want.UserCount, got.UserCount)
	for i := range want.Users {
		assert.Equal(t, want.Users[i], got.Users[i], "user %d", i)
	}
	assert.Equal(t, want.Roles, got.Roles)
	assert.Equal(t, want.Orgs, got.Orgs)
	assert.Equal(t, want.OrgRoles, got.OrgRoles)

	for who, pw := range passwords {
		var u *identity.User
		if strings.Contains(who, "@") {
			u, err = dst.GetUserByEmail(ctx, who)
		} else {
			u, err = dst.GetUserByUsername(ctx, who)
		}
		require.NoError(t, err)
		assert.NoError(t, dst.VerifyPassword(ctx, u.ID, pw), "%s's password", who)
		assert.ErrorIs(t, dst.VerifyPassword(ctx, u.ID, "not it"), identity.ErrInvalidCredentials)
	}
}

// TestCopyTwiceMatches copies a directory twice: the second run creates
// nothing, and matches every user.
func TestCopyTwiceMatches(t *testing.T) {
	ctx := context.Background()
	src, dst := newMemory(t), newMemory(t)
	populate(t, src)
	_, err := migrate.Copy(ctx, src, dst, migrate.Options{})
	require.NoError(t, err)
	before := snap(t, dst)
	rep, err := migrate.Copy(ctx, src, dst, migrate.Options{})
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Matched, "%+v", rep.Results)
	assert.Empty(t, rep.Made)
	assert.Empty(t, rep.Losses, "a user that matches in every field loses nothing")
	assert.Equal(t, before, snap(t, dst))
}

// TestFromDirectoryPasswords: where the source cannot export hashes, a
// loss names each password that does not move: the users HasPassword
// says have one, or every user where the source cannot say, and none
// where the source has no passwords at all.
func TestFromDirectoryPasswords(t *testing.T) {
	inner := newMemory(t)
	_, err := inner.CreateUser(context.Background(), identity.NewUser{Email: "pw@example.com", Password: "a password"})
	require.NoError(t, err)
	_, err = inner.CreateUser(context.Background(), identity.NewUser{Email: "none@example.com"})
	require.NoError(t, err)
	tests := []struct {
		name   string
		caps   func(*identity.Capabilities)
		losses int
	}{
		{"exports", func(*identity.Capabilities) {}, 0},
		{"says who has one", func(c *identity.Capabilities) { c.ExportPasswordHash = false }, 1},
		{"cannot say", func(c *identity.Capabilities) { c.ExportPasswordHash, c.HasPassword = false, false }, 2},
		{"passwordless", func(c *identity.Capabilities) {
			c.ExportPasswordHash, c.HasPassword, c.SetPassword, c.VerifyPassword, c.ChangePassword, c.ExpirePassword = false, false, false, false, false, false
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, src := newFaulty(t, inner, tt.caps)
			n, hashes := 0, 0
			for _, r := range readAll(t, migrate.FromDirectory(src)) {
				for _, l := range r.Losses {
					assert.Equal(t, "PasswordHash", l.Field)
					n++
				}
				if r.PasswordHash != "" {
					hashes++
				}
			}
			assert.Equal(t, tt.losses, n)
			if tt.name == "exports" {
				assert.Equal(t, 1, hashes)
			}
		})
	}
}

// TestFromDirectoryDeprovisioned: deprovisioned users come, once each,
// whether the source's listing shows them (memory) or leaves them out
// unless asked by status (Okta).
func TestFromDirectoryDeprovisioned(t *testing.T) {
	inner := newMemory(t)
	populate(t, inner)
	for _, okta := range []bool{false, true} {
		f, src := newFaulty(t, inner)
		f.okta = okta
		var ids []string
		for _, r := range readAll(t, migrate.FromDirectory(src)) {
			ids = append(ids, r.ID)
		}
		assert.Len(t, ids, 5, "okta=%v", okta)
		assert.Len(t, slices.Compact(slices.Sorted(slices.Values(ids))), 5, "none twice")
	}
}
