package passage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const canaryKey = "canary-passage-key-9f8e"

func TestOptionsAndURL(t *testing.T) {
	ctx := context.Background()
	bad := map[string]passage.Options{
		"AppID":      {APIKey: "k"},
		"APIKey":     {AppID: "app"},
		"BaseURL":    {AppID: "app", APIKey: canaryKey, BaseURL: "http://example.com/v1"},
		"RolesField": {AppID: "app", APIKey: "k", RolesField: " roles"},
		"Roles":      {AppID: "app", APIKey: "k", RolesField: "roles", Roles: []identity.Role{{Name: "a,b"}}},
	}
	for field, opts := range bad {
		_, err := passage.New(ctx, opts)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, identity.InvalidArgument, ie.Code, field)
		assert.Equal(t, field, ie.Field, field)
		assert.NotContains(t, err.Error(), canaryKey)
	}

	// The key from the environment, and roles from the URL; the URLs the
	// opener refuses are TestKit/PlainHTTPOnlyToLoopback's.
	t.Setenv(passage.EnvAPIKey, canaryKey)
	dir, err := identity.Open(ctx, "passage://app1?roles_field=roles&roles=admin,editor&base_url=https://api.example.com/v1")
	require.NoError(t, err)
	assert.True(t, dir.Capabilities().Roles)
	for _, f := range []string{fmt.Sprintf("%v", dir), fmt.Sprintf("%+v", dir), fmt.Sprintf("%#v", dir)} {
		assert.NotContains(t, f, canaryKey)
	}
}

func TestMetadataFieldNotDefined(t *testing.T) {
	dir, srv := emulated(t, passage.Options{})
	ctx := context.Background()
	_, err := dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com", Metadata: map[string]any{"undefined_field": "x"}})
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.InvalidArgument, ie.Code)
	assert.Equal(t, "Metadata.undefined_field", ie.Field)
	assert.Zero(t, srv.UserCount())

	_, err = dir.CreateUser(ctx, identity.NewUser{Email: "b@example.com", Metadata: map[string]any{"seats": "many"}})
	require.ErrorIs(t, err, identity.ErrInvalidArgument, "a value of the wrong type")
}

func TestRolesFieldIsNotMetadata(t *testing.T) {
	dir, _ := emulated(t, passage.Options{RolesField: "roles", Roles: []identity.Role{{Name: "admin"}}})
	ctx := context.Background()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "r@example.com", Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "admin"))
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"plan": "pro"}, got.Metadata, "the roles field stays out of Metadata")
	assert.True(t, strings.Contains(string(got.Raw), `"roles":"admin"`), "roles are kept in user_metadata: %s", got.Raw)
	_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"roles": "admin,root"}})
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "a,b"})
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
}

func TestListingIsAnchored(t *testing.T) {
	dir, _ := emulated(t, passage.Options{})
	ctx := context.Background()
	for i := range 5 {
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("a%d@example.com", i)})
		require.NoError(t, err)
	}
	pg, err := dir.ListUsersPage(ctx, identity.ListOptions{PageSize: 2}, "")
	require.NoError(t, err)
	require.Len(t, pg.Users, 2)
	seen := map[string]bool{}
	for _, u := range pg.Users {
		seen[u.ID] = true
	}
	// Users created mid-listing do not shift the pages still to come.
	for i := range 3 {
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("late%d@example.com", i)})
		require.NoError(t, err)
	}
	for cur := pg.NextCursor; cur != ""; {
		pg, err = dir.ListUsersPage(ctx, identity.ListOptions{PageSize: 2}, cur)
		require.NoError(t, err)
		for _, u := range pg.Users {
			assert.False(t, seen[u.ID], "listed twice")
			seen[u.ID] = true
		}
		cur = pg.NextCursor
	}
	assert.GreaterOrEqual(t, len(seen), 5, "every user that existed when the listing began")
}

func TestDuplicateIsAlreadyExists(t *testing.T) {
	dir, _ := emulated(t, passage.Options{})
	ctx := context.Background()
	a, err := dir.CreateUser(ctx, identity.NewUser{Email: "dup@example.com", Phone: "+14155550111"})
	require.NoError(t, err)
	b, err := dir.CreateUser(ctx, identity.NewUser{Email: "other@example.com"})
	require.NoError(t, err)
	_, err = dir.UpdateUser(ctx, b.ID, identity.UserUpdate{Phone: new("+14155550111")})
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.AlreadyExists, ie.Code)
	assert.Equal(t, "Phone", ie.Field)
	assert.Equal(t, "invalid_request", ie.ProviderCode, "the provider's answer is kept")
	_, err = dir.UpdateUser(ctx, a.ID, identity.UserUpdate{Email: new("not valid@x")})
	assert.True(t, errors.Is(err, identity.ErrInvalidArgument))
}
func TestAppIDCannotSteerPaths(t *testing.T) {
	for _, app := range []string{"../x", "a/b", "a%2Fb", "a?b", "a#b", "a b", "a.b", "..", "ünï", "a\x00"} {
		_, err := passage.New(context.Background(), passage.Options{AppID: app, APIKey: "k"})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, app)
		assert.Equal(t, identity.InvalidArgument, ie.Code, app)
		assert.Equal(t, "AppID", ie.Field, app)
	}
}

// TestFactorsAndSessions maps the user's devices onto factors and back,
// and revokes the refresh tokens SignIn issued.
func TestFactorsAndSessions(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, passage.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ann@example.com"})
	require.NoError(t, err)
	key, ok := srv.AddDevice(u.ID, passagetest.Device{FriendlyName: "YubiKey", Type: "security_key"})
	require.True(t, ok)
	_, ok = srv.AddDevice(u.ID, passagetest.Device{FriendlyName: "Phone"})
	require.True(t, ok)

	fs, err := dir.ListFactors(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, fs, 2)
	kinds := map[string]string{}
	for _, f := range fs {
		assert.Equal(t, identity.FactorWebAuthn, f.Kind)
		assert.False(t, f.CreatedAt.IsZero())
		assert.True(t, f.LastUsedAt.IsZero(), "a device never used has no last use")
		assert.NotEmpty(t, f.Raw)
		kinds[f.Name] = f.ProviderType
	}
	assert.Equal(t, map[string]string{"YubiKey": "security_key", "Phone": "passkey"}, kinds)

	cases := []struct {
		name   string
		call   func() error
		code   identity.Code // Unknown: success
		field  string
		remain int
	}{
		{"delete one", func() error { return dir.DeleteFactor(ctx, u.ID, key) }, identity.Unknown, "", 1},
		{"delete it again", func() error { return dir.DeleteFactor(ctx, u.ID, key) }, identity.NotFound, "factor", 1},
		{"delete of a missing user", func() error { return dir.DeleteFactor(ctx, "missing", key) }, identity.NotFound, "user", 1},
		{"reset", func() error { return dir.ResetFactors(ctx, u.ID) }, identity.Unknown, "", 0},
		{"reset again", func() error { return dir.ResetFactors(ctx, u.ID) }, identity.Unknown, "", 0},
		{"reset of a missing user", func() error { return dir.ResetFactors(ctx, "missing") }, identity.NotFound, "user", 0},
	}
	for _, tc := range cases {
		err := tc.call()
		assert.Equal(t, tc.code, identity.CodeOf(err), "%s: %v", tc.name, err)
		var ie *identity.Error
		if tc.field != "" && assert.ErrorAs(t, err, &ie, tc.name) {
			assert.Equal(t, tc.field, ie.Field, tc.name)
		}
		fs, err := dir.ListFactors(ctx, u.ID)
		require.NoError(t, err)
		assert.Len(t, fs, tc.remain, tc.name)
	}

	_, ok = srv.SignIn(u.ID)
	require.True(t, ok)
	require.NoError(t, dir.RevokeSessions(ctx, u.ID))
	assert.Zero(t, srv.RefreshTokens(u.ID))
	require.NoError(t, dir.RevokeSessions(ctx, u.ID), "revoking twice")
	assert.ErrorIs(t, dir.RevokeSessions(ctx, "missing"), identity.ErrNotFound)
}
