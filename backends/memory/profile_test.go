package memory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/conformance"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// passageFields are the user_metadata fields the conformance suite uses,
// as the Passage kit's emulator defines them.
func passageFields() map[string]identity.ValueType {
	f := map[string]identity.ValueType{
		"plan": identity.StringType, "tier": identity.StringType, "note": identity.StringType,
		"seats": identity.IntegerType, "beta": identity.BooleanType, memory.PassageRolesField: identity.StringType,
	}
	for i := range conformance.Goroutines {
		f[fmt.Sprintf("k%d", i)] = identity.StringType
	}
	return f
}

// profileHarness runs the suite on memory directories of one profile,
// acting as users through the memory harness's Actor.
type profileHarness struct {
	harness
	opts memory.Options
}

func (h profileHarness) MakeDirectory(ctx context.Context, _ *testing.T) (*identity.Directory, error) {
	return memory.New(ctx, h.opts)
}

// Capabilities are the profile's own: that they are the backend's is
// what each backend's profile test asserts.
func (h profileHarness) Capabilities() identity.Capabilities {
	dir, err := memory.New(context.Background(), h.opts)
	if err != nil {
		// MakeDirectory fails the subtest with the same error.
		return identity.Capabilities{}
	}
	return dir.Capabilities()
}

func likeOptions(like string) memory.Options {
	o := cheap
	o.Like = like
	if like == memory.LikePassage || like == memory.LikePortable {
		o.MetadataFields = passageFields()
	}
	return o
}

// TestProfilesConstraints proves every profile's declared rules hold on
// memory as the conformance suite proves them at each backend's emulator.
func TestProfilesConstraints(t *testing.T) {
	for _, like := range memory.Profiles() {
		t.Run(like, func(t *testing.T) {
			_, err := memory.New(context.Background(), likeOptions(like))
			require.NoError(t, err)
			conformance.RunConstraints(t, profileHarness{opts: likeOptions(like)})
		})
	}
}

// TestProfilesConformance runs the whole suite on the profiles whose
// rules its inputs keep: like=okta and like=portable require names, or
// keep to Okta's metadata keys, that the suite's users lack.
func TestProfilesConformance(t *testing.T) {
	for _, like := range []string{memory.LikeLogto, memory.LikePassage, memory.LikeKratos} {
		t.Run(like, func(t *testing.T) { conformance.Run(t, profileHarness{opts: likeOptions(like)}) })
	}
}

func TestProfileOptions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		url   string
		field string // "" when it opens
		words []string
	}{
		{url: "memory://"},
		{url: "memory://?like=okta"},
		{url: "memory://?like=portable"},
		{url: "memory://?like=passage&metadata_fields=plan:string,roles:string"},
		{url: "memory://?like=oktaa", field: "Like", words: memory.Profiles()},
		{url: "memory://?like="}, // no profile: plain memory
		{url: "memory://?like=okta&metadata_fields=plan:string", field: "MetadataFields", words: []string{"passage"}},
		{url: "memory://?metadata_fields=plan:string", field: "MetadataFields"},
		{url: "memory://?like=passage&metadata_fields=plan:text,roles:string", field: "MetadataFields", words: []string{"text"}},
		{url: "memory://?like=passage&metadata_fields=plan", field: "MetadataFields", words: []string{"name:type"}},
		{url: "memory://?like=passage&metadata_fields=plan:string", field: "MetadataFields", words: []string{"roles"}},
		{url: "memory://?like=portable&metadata_fields=title:integer,roles:string", field: "Like", words: []string{"title"}},
		{url: "memory://?nope=1", field: "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			dir, err := identity.Open(ctx, tt.url)
			if tt.field == "" {
				require.NoError(t, err)
				require.NoError(t, dir.Close())
				return
			}
			require.ErrorIs(t, err, identity.ErrInvalidArgument)
			var e *identity.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, memory.Scheme, e.Backend)
			for _, w := range tt.words {
				assert.Contains(t, e.Message, w)
			}
		})
	}
}

func TestPortableIsTheIntersection(t *testing.T) {
	ctx := context.Background()
	open := func(like string) *identity.Directory {
		dir, err := memory.New(ctx, likeOptions(like))
		require.NoError(t, err)
		return dir
	}
	portable := open(memory.LikePortable)
	c, k := portable.Capabilities(), portable.Constraints()
	for _, like := range []string{memory.LikeOkta, memory.LikeLogto, memory.LikePassage, memory.LikeKratos} {
		o := open(like).Capabilities()
		// Every ability of portable is every backend's.
		for name, on := range map[string][2]bool{
			"Username": {c.Username, o.Username}, "Phone": {c.Phone, o.Phone}, "Names": {c.Names, o.Names},
			"Roles": {c.Roles, o.Roles}, "RoleCatalog": {c.RoleCatalog, o.RoleCatalog}, "SetPassword": {c.SetPassword, o.SetPassword},
			"Organizations": {c.Organizations, o.Organizations}, "Factors": {c.Factors, o.Factors},
			"RevokeSessions": {c.RevokeSessions, o.RevokeSessions}, "Identities": {c.Identities, o.Identities},
		} {
			assert.False(t, on[0] && !on[1], "portable has %s, which %s lacks", name, like)
		}
		for _, s := range c.Statuses {
			assert.Contains(t, o.Statuses, s, "a status of portable that %s lacks", like)
		}
	}
	assert.Equal(t, []identity.Status{identity.StatusActive, identity.StatusSuspended}, c.Statuses)
	assert.True(t, c.EmailRequired, "Okta's restriction holds")
	assert.True(t, c.Roles && c.RoleCatalog && c.Factors)
	assert.False(t, c.Username || c.Names || c.SetPassword || c.PendingUntilPassword, "Passage has none")
	assert.Empty(t, c.PasswordHashes)

	assert.Empty(t, k.Required, "names are required by Okta's default profile, which Passage cannot carry")
	assert.Equal(t, "org:", k.Role.ReservedPrefix)
	assert.Equal(t, ",", k.Role.Forbid)
	assert.Equal(t, identity.OrderUnspecified, k.Order)
	assert.True(t, k.Case.LowercasesEmail && k.Case.UsernameUniqueIgnoringCase && k.Case.RoleNameUniqueIgnoringCase)
	m := k.Metadata
	assert.True(t, m.Closed, "Passage's fields")
	assert.Equal(t, `[A-Za-z][A-Za-z0-9_]*`, m.KeyPattern, "Okta's keys")
	assert.Contains(t, m.Reserved, "firstName")
	assert.Contains(t, m.Reserved, memory.PassageRolesField)
	assert.Equal(t, identity.MetadataValue{Type: identity.IntegerType, Shape: identity.Scalars}, m.Fields["seats"])
	require.NoError(t, k.Check())
}

// TestProfileBehaviours checks what each profile takes on beyond its
// rules: pending until a password, listings, case rules.
func TestProfileBehaviours(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T, like string) *identity.Directory {
		t.Helper()
		dir, err := memory.New(ctx, likeOptions(like))
		require.NoError(t, err)
		return dir
	}
	const pw identity.Secret = "Corr3ct-Horse-Battery"
	named := func(email string) identity.NewUser {
		return identity.NewUser{Email: email, GivenName: "Ada", FamilyName: "Lovelace"}
	}

	t.Run("okta/pending until a password", func(t *testing.T) {
		dir := open(t, memory.LikeOkta)
		u, err := dir.CreateUser(ctx, named("ada@example.com"))
		require.NoError(t, err)
		assert.Equal(t, identity.StatusPending, u.Status, "created active without a password: Okta's PROVISIONED")
		require.ErrorIs(t, dir.SuspendUser(ctx, u.ID), identity.ErrFailedPrecondition)
		err = dir.ActivateUser(ctx, u.ID)
		require.ErrorIs(t, err, identity.ErrFailedPrecondition)
		var e *identity.Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "Password", e.Field)
		require.NoError(t, dir.SetPassword(ctx, u.ID, pw))
		got, err := dir.GetUser(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, identity.StatusActive, got.Status)
		require.NoError(t, dir.SuspendUser(ctx, u.ID))

		staged, err := dir.CreateUser(ctx, identity.NewUser{Email: "grace@example.com", GivenName: "Grace", FamilyName: "Hopper", Status: identity.StatusPending})
		require.NoError(t, err)
		require.NoError(t, dir.SetPassword(ctx, staged.ID, pw))
		got, err = dir.GetUser(ctx, staged.ID)
		require.NoError(t, err)
		assert.Equal(t, identity.StatusPending, got.Status, "a user created pending stays so, as a STAGED one does")
		require.NoError(t, dir.ActivateUser(ctx, staged.ID), "with a password it can be activated")

		withPw := named("alan@example.com")
		withPw.Password = pw
		u, err = dir.CreateUser(ctx, withPw)
		require.NoError(t, err)
		assert.Equal(t, identity.StatusActive, u.Status)
	})
	t.Run("okta/deprovisioned left out of unfiltered listings", func(t *testing.T) {
		dir := open(t, memory.LikeOkta)
		nu := named("ada@example.com")
		nu.Password = pw
		u, err := dir.CreateUser(ctx, nu)
		require.NoError(t, err)
		require.NoError(t, dir.DeprovisionUser(ctx, u.ID))
		count := func(o identity.ListOptions) int {
			n := 0
			for _, err := range dir.ListUsers(ctx, o) {
				require.NoError(t, err)
				n++
			}
			return n
		}
		assert.Zero(t, count(identity.ListOptions{}))
		assert.Equal(t, 1, count(identity.ListOptions{Status: identity.StatusDeprovisioned}))
	})
	for _, tt := range []struct {
		like       string
		ignoreCase bool
	}{{memory.LikeOkta, true}, {memory.LikeKratos, true}, {memory.LikeLogto, false}, {"", false}} {
		t.Run(tt.like+"/usernames by case", func(t *testing.T) {
			dir := open(t, tt.like)
			a := named("a@example.com")
			a.Username, a.Password = "ada_lovelace", pw
			_, err := dir.CreateUser(ctx, a)
			require.NoError(t, err)
			b := named("b@example.com")
			b.Username, b.Password = "Ada_Lovelace", pw
			_, err = dir.CreateUser(ctx, b)
			if tt.ignoreCase {
				require.ErrorIs(t, err, identity.ErrAlreadyExists)
			} else {
				require.NoError(t, err)
			}
			_, err = dir.GetUserByUsername(ctx, "ADA_LOVELACE")
			require.ErrorIs(t, err, identity.ErrNotFound, "lookups stay exact")
		})
	}
	t.Run("okta/role names by case", func(t *testing.T) {
		dir := open(t, memory.LikeOkta)
		_, err := dir.CreateRole(ctx, identity.Role{Name: "editor"})
		require.NoError(t, err)
		_, err = dir.CreateRole(ctx, identity.Role{Name: "Editor"})
		require.ErrorIs(t, err, identity.ErrAlreadyExists)
		_, err = dir.CreateRole(ctx, identity.Role{Name: "org:acme"})
		require.ErrorIs(t, err, identity.ErrInvalidArgument, "the organization prefix")
	})
	t.Run("passage/emails in lower case", func(t *testing.T) {
		dir := open(t, memory.LikePassage)
		u, err := dir.CreateUser(ctx, identity.NewUser{Email: "Ada@Example.COM"})
		require.NoError(t, err)
		assert.Equal(t, "ada@example.com", u.Email)
		e := "Grace@Example.com"
		u, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Email: &e})
		require.NoError(t, err)
		assert.Equal(t, "grace@example.com", u.Email)
		_, err = dir.CreateRole(ctx, identity.Role{Name: "read,write"})
		require.ErrorIs(t, err, identity.ErrInvalidArgument)
	})
	for _, tt := range []struct {
		like  string
		order func(ids []string) []string
	}{
		{memory.LikeOkta, func(ids []string) []string { return ids }},
		{memory.LikeLogto, func(ids []string) []string { slices.Reverse(ids); return ids }},
		{memory.LikeKratos, func(ids []string) []string { return slices.Sorted(slices.Values(ids)) }},
	} {
		t.Run(tt.like+"/listing order across pages", func(t *testing.T) {
			dir := open(t, tt.like)
			var made []string
			for i := range 7 {
				nu := named(fmt.Sprintf("u%d@example.com", i))
				nu.Password = pw
				u, err := dir.CreateUser(ctx, nu)
				require.NoError(t, err)
				made = append(made, u.ID)
			}
			var listed []string
			cursor := ""
			for {
				pg, err := dir.ListUsersPage(ctx, identity.ListOptions{PageSize: 3}, cursor)
				require.NoError(t, err)
				for _, u := range pg.Users {
					listed = append(listed, u.ID)
				}
				if pg.NextCursor == "" {
					break
				}
				cursor = pg.NextCursor
			}
			assert.Equal(t, tt.order(slices.Clone(made)), listed)
			_, err := dir.ListUsersPage(ctx, identity.ListOptions{}, "bm90LW91cnM")
			require.ErrorIs(t, err, identity.ErrInvalidArgument, "a cursor the profile did not make")
		})
	}
}
