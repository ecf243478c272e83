package kratos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emulated starts a schema-checked emulator and opens a directory with
// opts on it, the admin and public URLs both the emulator's.
func emulated(t *testing.T, opts kratos.Options, eo kratostest.Options) (*identity.Directory, *kratostest.Server) {
	t.Helper()
	eo.Middleware = openapicheck.Middleware(t, "kratos", schemaOptions)
	srv := kratostest.NewServer(t, eo)
	opts.AdminURL, opts.PublicURL = srv.URL, srv.URL
	if opts.Traits.Email == "" {
		opts.Traits = traits
	}
	dir, err := kratos.New(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = dir.Close() })
	return dir, srv
}

func TestOptionsRefused(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  kratos.Options
		field string
	}{
		{"no admin URL", kratos.Options{}, "AdminURL"},
		{"an admin URL with credentials", kratos.Options{AdminURL: "https://u:p@kratos.example.com"}, "AdminURL"},
		{"plain http elsewhere than loopback", kratos.Options{AdminURL: "http://kratos.example.com"}, "AdminURL"},
		{"a bad public URL", kratos.Options{AdminURL: "https://a.example.com", PublicURL: "ftp://b.example.com"}, "PublicURL"},
		{"an empty trait segment", kratos.Options{AdminURL: "https://a.example.com", Traits: kratos.Traits{Email: "contact..email"}}, "Traits.Email"},
		{"a pointer character in a trait", kratos.Options{AdminURL: "https://a.example.com", Traits: kratos.Traits{Email: "a/b"}}, "Traits.Email"},
		{"one trait for two fields", kratos.Options{AdminURL: "https://a.example.com", Traits: kratos.Traits{Email: "email", Username: "email"}}, "Traits."},
		{"an identifier without a trait", kratos.Options{AdminURL: "https://a.example.com", Traits: kratos.Traits{Email: "email", Identifiers: []string{"phone"}}}, "Traits.Identifiers"},
		{"an unknown identifier", kratos.Options{AdminURL: "https://a.example.com", Traits: kratos.Traits{Email: "email", Identifiers: []string{"name"}}}, "Traits.Identifiers"},
		{"an unknown metadata place", kratos.Options{AdminURL: "https://a.example.com", Metadata: "private"}, "Metadata"},
		{"a roles key with a slash", kratos.Options{AdminURL: "https://a.example.com", RolesKey: "a/b"}, "RolesKey"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := kratos.New(context.Background(), c.opts)
			var e *identity.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, identity.InvalidArgument, e.Code)
			assert.Contains(t, e.Field, c.field)
		})
	}
}

// TestTraitsFollowTheSchema: the fields the Options give traits are the
// capabilities; the defaults are Kratos's person schema's.
func TestTraitsFollowTheSchema(t *testing.T) {
	dir, err := kratos.New(context.Background(), kratos.Options{AdminURL: "https://kratos.example.com"})
	require.NoError(t, err)
	c := dir.Capabilities()
	assert.True(t, c.Names)
	assert.True(t, c.UniqueEmail)
	assert.False(t, c.Username || c.Phone || c.DisplayName || c.UniquePhone)
	assert.False(t, c.VerifyPassword, "no public URL, no password check")

	dir, err = kratos.New(context.Background(), kratos.Options{AdminURL: "https://kratos.example.com",
		Traits: kratos.Traits{Email: "contact.email", Phone: "contact.phone", Identifiers: []string{"email"}}})
	require.NoError(t, err)
	c = dir.Capabilities()
	assert.True(t, c.Phone && c.UniqueEmail)
	assert.False(t, c.UniquePhone, "a phone that is not an identifier is not unique")
	assert.False(t, c.Names)
}

func TestNestedTraitsAndLookupsWithoutIdentifier(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"traits":{"type":"object","properties":{
		"contact":{"type":"object","properties":{
			"email":{"type":"string","format":"email","ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}},
			"handle":{"type":"string"}}}}}}}`)
	ctx := context.Background()
	dir, srv := emulated(t, kratos.Options{Traits: kratos.Traits{Email: "contact.email", Username: "contact.handle", Identifiers: []string{"email"}}},
		kratostest.Options{Schema: schema})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Username: "ada"})
	require.NoError(t, err)
	_, err = dir.CreateUser(ctx, identity.NewUser{Email: "bob@example.com", Username: "bob"})
	require.NoError(t, err)
	var raw struct {
		Traits map[string]any `json:"traits"`
	}
	require.NoError(t, json.Unmarshal(u.Raw, &raw))
	assert.Equal(t, map[string]any{"contact": map[string]any{"email": "ada@example.com", "handle": "ada"}}, raw.Traits)

	got, err := dir.GetUserByUsername(ctx, "ada")
	require.NoError(t, err, "a username that is no identifier is found by reading every identity")
	assert.Equal(t, u.ID, got.ID)
	before := srv.Requests()["GET /admin/identities"]
	got, err = dir.GetUserByEmail(ctx, "ADA@example.com")
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	assert.Equal(t, before+1, srv.Requests()["GET /admin/identities"], "an identifier is one request")

	up, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Username: new("")})
	require.NoError(t, err)
	assert.Empty(t, up.Username)
	assert.Equal(t, "ada@example.com", up.Email)
}

// TestLookupByTraitNoIdentifierRefusesAmbiguity: a lookup by a trait the
// schema does not make an identifier, which Kratos does not keep unique,
// finds the one identity that has the value, and refuses to pick one of
// several, as Okta does for a shared email.
func TestLookupByTraitNoIdentifierRefusesAmbiguity(t *testing.T) {
	handleNoIdentifier := []byte(`{"type":"object","properties":{"traits":{"type":"object","properties":{
		"contact":{"type":"object","properties":{
			"email":{"type":"string","format":"email","ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}},
			"handle":{"type":"string"}}}}}}}`)
	emailNoIdentifier := []byte(`{"type":"object","properties":{"traits":{"type":"object","properties":{
		"email":{"type":"string","format":"email"},
		"username":{"type":"string","ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}}}}}}`)
	for _, tt := range []struct {
		name   string
		schema []byte
		traits kratos.Traits
		users  []identity.NewUser
		get    func(*identity.Directory, string) (*identity.User, error)
		shared string
		alone  string
		field  string
	}{
		{"username", handleNoIdentifier, kratos.Traits{Email: "contact.email", Username: "contact.handle", Identifiers: []string{"email"}},
			[]identity.NewUser{{Email: "ada@example.com", Username: "ada"}, {Email: "ada2@example.com", Username: "ada"}, {Email: "bob@example.com", Username: "bob"}},
			func(d *identity.Directory, v string) (*identity.User, error) {
				return d.GetUserByUsername(context.Background(), v)
			},
			"ada", "bob", "Username"},
		{"email", emailNoIdentifier, kratos.Traits{Email: "email", Username: "username", Identifiers: []string{"username"}},
			[]identity.NewUser{{Email: "ada@example.com", Username: "ada"}, {Email: "ADA@example.com", Username: "ada2"}, {Email: "bob@example.com", Username: "bob"}},
			func(d *identity.Directory, v string) (*identity.User, error) {
				return d.GetUserByEmail(context.Background(), v)
			},
			"ada@example.com", "bob@example.com", "Email"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := emulated(t, kratos.Options{Traits: tt.traits}, kratostest.Options{Schema: tt.schema})
			ids := map[string]string{}
			for _, nu := range tt.users {
				u, err := dir.CreateUser(context.Background(), nu)
				require.NoError(t, err)
				ids[nu.Username] = u.ID
			}
			got, err := tt.get(dir, tt.alone)
			require.NoError(t, err, "one identity has it")
			assert.Equal(t, ids["bob"], got.ID)

			_, err = tt.get(dir, tt.shared)
			require.ErrorIs(t, err, identity.ErrFailedPrecondition, "%v", err)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Contains(t, ie.Message, "more than one user has this "+tt.name)
		})
	}
}

// TestMetadataAdmin: metadata and roles share metadata_admin, and the
// roles key is neither shown as metadata nor writable as it.
func TestMetadataAdmin(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, kratos.Options{Metadata: kratos.MetadataAdmin, Roles: []identity.Role{{Name: "editor"}}}, kratostest.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"plan": "pro"}, got.Metadata)
	var raw struct {
		Public map[string]any `json:"metadata_public"`
		Admin  map[string]any `json:"metadata_admin"`
	}
	require.NoError(t, json.Unmarshal(got.Raw, &raw))
	assert.Empty(t, raw.Public)
	assert.Equal(t, map[string]any{"plan": "pro", "roles": []any{"editor"}}, raw.Admin)

	_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"roles": "admin"}})
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.InvalidArgument, e.Code)
	assert.Equal(t, "Metadata.roles", e.Field)
}

// TestPasswords: setting a password keeps everything else the identity
// has, and checking one leaves no session behind.
func TestPasswords(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, kratos.Options{Roles: []identity.Role{{Name: "editor"}}}, kratostest.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Username: "ada", GivenName: "Ada", Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
	require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "anything"), identity.ErrInvalidCredentials, "no password yet")

	require.NoError(t, dir.SetPassword(ctx, u.ID, "first-Password-1"))
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.Email, got.Email)
	assert.Equal(t, u.Username, got.Username)
	assert.Equal(t, "Ada", got.GivenName)
	assert.Equal(t, map[string]any{"plan": "pro"}, got.Metadata)
	roles, err := dir.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, roles, 1)

	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "first-Password-1"))
	require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "wrong"), identity.ErrInvalidCredentials)
	assert.Zero(t, srv.Sessions(u.ID), "the check's session was ended")

	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "first-Password-1"), "a suspended user's password still matches")
	require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "wrong"), identity.ErrInvalidCredentials)
	require.NoError(t, dir.ActivateUser(ctx, u.ID))

	// Updates never touch the credentials: the password still works.
	_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{GivenName: new("Augusta"), Metadata: map[string]any{"plan": nil, "seats": 3}})
	require.NoError(t, err)
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "first-Password-1"))
}

// TestSetPasswordBesideUpdates: within one process, a password set (a
// read and a whole replace) waits for metadata updates of the same user,
// so none of them is lost.
func TestSetPasswordBesideUpdates(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, kratos.Options{}, kratostest.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i, k := range keys {
		wg.Go(func() {
			_, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{k: i}})
			assert.NoError(t, err)
		})
		wg.Go(func() { assert.NoError(t, dir.SetPassword(ctx, u.ID, identity.Secret("pw-"+k+"-long-enough"))) })
	}
	wg.Wait()
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, got.Metadata, len(keys))
}

// TestRemovalsFromTwoProcesses: two directories, as two processes would,
// remove the same keys at once; Kratos refuses the removal that comes
// second, and the backend reads again and succeeds.
func TestRemovalsFromTwoProcesses(t *testing.T) {
	ctx := context.Background()
	one, srv := emulated(t, kratos.Options{}, kratostest.Options{})
	two, err := kratos.New(ctx, kratos.Options{AdminURL: srv.URL, PublicURL: srv.URL, Traits: traits})
	require.NoError(t, err)
	md := map[string]any{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		md[k] = k
	}
	for i := range 10 {
		u, err := one.CreateUser(ctx, identity.NewUser{Metadata: md, Email: fmt.Sprintf("u%d@example.com", i)})
		require.NoError(t, err)
		var wg sync.WaitGroup
		for _, dir := range []*identity.Directory{one, two} {
			for k := range md {
				wg.Go(func() {
					_, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{k: nil}})
					assert.NoError(t, err, k)
				})
			}
		}
		wg.Wait()
		got, err := one.GetUser(ctx, u.ID)
		require.NoError(t, err)
		assert.Empty(t, got.Metadata)
		require.NoError(t, one.DeleteUser(ctx, u.ID))
	}
}
