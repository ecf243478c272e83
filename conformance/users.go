package conformance

import (
	"reflect"
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testCapabilities(t *testing.T, h Harness) {
	t.Run("Declared", func(t *testing.T) {
		e := newEnv(t, h)
		got, want := e.dir.Capabilities(), h.Capabilities()
		slices.Sort(got.Statuses)
		slices.Sort(want.Statuses)
		require.True(t, reflect.DeepEqual(want, got), "directory declares %+v, harness expects %+v", got, want)
		require.True(t, got.HasStatus(identity.StatusActive), "every backend has active users")
	})
	t.Run("Consistent", func(t *testing.T) {
		c := h.Capabilities()
		if c.PendingUntilPassword {
			require.True(t, c.SetPassword, "PendingUntilPassword needs SetPassword, or no user could become active")
			require.True(t, c.HasStatus(identity.StatusPending))
		}
		if c.PendingCreate {
			require.True(t, c.HasStatus(identity.StatusPending))
		}
		if c.Deprovision {
			require.True(t, c.HasStatus(identity.StatusDeprovisioned), "Deprovision needs the status it moves users to")
		}
		if c.UnlinkIdentity {
			require.True(t, c.Identities, "UnlinkIdentity implies Identities")
		}
	})
}

func testCreate(t *testing.T, h Harness) {
	t.Run("EmailOnly", func(t *testing.T) {
		e := newEnv(t, h)
		u, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("alice")})
		require.NoError(t, err)
		require.NotEmpty(t, u.ID)
		assert.Equal(t, e.email("alice"), u.Email)
		assert.Equal(t, e.createdStatus(false), u.Status)
		assert.NotEmpty(t, u.NativeStatus)
		assert.False(t, u.CreatedAt.IsZero(), "CreatedAt")
		assertSameUser(t, u, e.get(u.ID))
	})
	t.Run("AllFields", func(t *testing.T) {
		e := newEnv(t, h)
		nu := identity.NewUser{Email: e.email("bob")}
		if e.caps.Username {
			nu.Username = e.username("bob")
		}
		if e.caps.Phone {
			nu.Phone = e.phone(1)
		}
		if e.caps.Names {
			nu.GivenName, nu.FamilyName = "Bob", "Builder"
		}
		if e.caps.DisplayName {
			nu.DisplayName = "Bob the Builder"
		}
		if e.caps.Metadata {
			nu.Metadata = map[string]any{"plan": "pro", "seats": float64(3), "beta": true}
		}
		if e.caps.SetPassword {
			nu.Password = password
		}
		u := e.create(nu)
		want := &identity.User{ID: u.ID, Username: nu.Username, Email: nu.Email, Phone: nu.Phone,
			GivenName: nu.GivenName, FamilyName: nu.FamilyName, DisplayName: nu.DisplayName,
			Metadata: nu.Metadata, Status: e.createdStatus(nu.Password != "")}
		assertSameUser(t, want, u)
		assertSameUser(t, want, e.get(u.ID))
	})
	t.Run("UsernameOnly", func(t *testing.T) {
		e := newEnv(t, h)
		nu := identity.NewUser{Username: e.username("carol")}
		u, err := e.dir.CreateUser(e.ctx, nu)
		if !e.caps.Username {
			requireCode(t, err, identity.Unsupported)
			return
		}
		if e.caps.EmailRequired {
			// The shaped username doubles as the email on such backends,
			// or the backend says which field it needs.
			if err != nil {
				requireCode(t, err, identity.InvalidArgument)
				return
			}
		}
		require.NoError(t, err)
		assert.Equal(t, nu.Username, u.Username)
	})
	t.Run("PhoneOnly", func(t *testing.T) {
		e := newEnv(t, h)
		nu := identity.NewUser{Phone: e.phone(2)}
		u, err := e.dir.CreateUser(e.ctx, nu)
		switch {
		case !e.caps.Phone:
			requireCode(t, err, identity.Unsupported)
		case e.caps.EmailRequired:
			requireCode(t, err, identity.InvalidArgument)
			assert.Contains(t, err.Error(), "Email")
		default:
			require.NoError(t, err)
			assert.Equal(t, nu.Phone, u.Phone)
			assert.Equal(t, nu.Phone, e.get(u.ID).Phone)
		}
	})
	t.Run("Pending", func(t *testing.T) {
		e := newEnv(t, h)
		nu := e.newUser("pending")
		nu.Status = identity.StatusPending
		u, err := e.dir.CreateUser(e.ctx, nu)
		if !e.caps.PendingCreate {
			requireCode(t, err, identity.Unsupported)
			require.Empty(t, e.listTagged(identity.ListOptions{}), "a refused create made a user")
			return
		}
		require.NoError(t, err)
		assert.Equal(t, identity.StatusPending, u.Status)
		assert.Equal(t, identity.StatusPending, e.get(u.ID).Status)
	})
	t.Run("WithPassword", func(t *testing.T) {
		e := newEnv(t, h)
		nu := identity.NewUser{Email: e.email("pw"), Password: password}
		u, err := e.dir.CreateUser(e.ctx, nu)
		if !e.caps.SetPassword {
			requireCode(t, err, identity.Unsupported)
			return
		}
		require.NoError(t, err)
		assert.Equal(t, identity.StatusActive, u.Status)
		if e.caps.VerifyPassword {
			require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, password))
		}
	})
	t.Run("DuplicateEmail", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.UniqueEmail {
			t.Skip("emails need not be unique on this backend (UniqueEmail is false)")
		}
		e.create(e.newUser("dup"))
		_, err := e.dir.CreateUser(e.ctx, e.newUser("dup"))
		requireCode(t, err, identity.AlreadyExists)
		upper := e.newUser("dup")
		upper.Email = "DUP." + e.tag + "@EXAMPLE.COM"
		_, err = e.dir.CreateUser(e.ctx, upper)
		requireCode(t, err, identity.AlreadyExists, "emails are unique ignoring case")
		assert.Len(t, e.listTagged(identity.ListOptions{}), 1)
	})
	t.Run("DuplicateUsername", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Username {
			t.Skip("no usernames: UsernameOnly checks Unsupported")
		}
		a := e.newUser("a")
		a.Username = e.username("same")
		e.create(a)
		b := e.newUser("b")
		b.Username = a.Username
		_, err := e.dir.CreateUser(e.ctx, b)
		requireCode(t, err, identity.AlreadyExists)
	})
	t.Run("DuplicatePhone", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Phone || !e.caps.UniquePhone {
			t.Skip("phones are not stored, or need not be unique, on this backend")
		}
		a := e.newUser("a")
		a.Phone = e.phone(3)
		e.create(a)
		b := e.newUser("b")
		b.Phone = a.Phone
		_, err := e.dir.CreateUser(e.ctx, b)
		requireCode(t, err, identity.AlreadyExists)
	})
	t.Run("NoIdentifier", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.CreateUser(e.ctx, identity.NewUser{DisplayName: "Nobody"})
		requireCode(t, err, identity.InvalidArgument)
	})
	t.Run("UnsupportedFields", func(t *testing.T) {
		e := newEnv(t, h)
		cases := []struct {
			field     string
			supported bool
			set       func(*identity.NewUser)
		}{
			{"Username", e.caps.Username, func(u *identity.NewUser) { u.Username = e.username("x") }},
			{"Phone", e.caps.Phone, func(u *identity.NewUser) { u.Phone = e.phone(4) }},
			{"GivenName", e.caps.Names, func(u *identity.NewUser) { u.GivenName = "X" }},
			{"FamilyName", e.caps.Names, func(u *identity.NewUser) { u.FamilyName = "X" }},
			{"DisplayName", e.caps.DisplayName, func(u *identity.NewUser) { u.DisplayName = "X" }},
			{"Metadata", e.caps.Metadata, func(u *identity.NewUser) { u.Metadata = map[string]any{"plan": "x"} }},
			{"Password", e.caps.SetPassword, func(u *identity.NewUser) { u.Password = password }},
		}
		checked := 0
		for _, c := range cases {
			if c.supported {
				continue
			}
			nu := identity.NewUser{Email: e.email("unsup")}
			c.set(&nu)
			err := e.requireNoRequest("CreateUser with "+c.field, func() error { _, err := e.dir.CreateUser(e.ctx, nu); return err })
			requireCode(t, err, identity.Unsupported, c.field)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, c.field, ie.Field, "the error names the field")
			checked++
		}
		if checked == 0 {
			t.Skip("every field is supported: AllFields checks they are stored")
		}
		assert.Empty(t, e.listTagged(identity.ListOptions{}), "a refused create made a user")
	})
}

func testGet(t *testing.T, h Harness) {
	t.Run("NotFound", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.GetUser(e.ctx, missingID)
		requireCode(t, err, identity.NotFound)
	})
	t.Run("ByEmail", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("find"))
		e.create(e.newUser("other"))
		got, err := e.dir.GetUserByEmail(e.ctx, e.email("find"))
		require.NoError(t, err)
		assert.Equal(t, u.ID, got.ID)
	})
	t.Run("ByEmailIgnoresCase", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("case"))
		got, err := e.dir.GetUserByEmail(e.ctx, "CASE."+e.tag+"@Example.COM")
		require.NoError(t, err)
		assert.Equal(t, u.ID, got.ID)
	})
	t.Run("ByEmailNotFound", func(t *testing.T) {
		e := newEnv(t, h)
		e.create(e.newUser("present"))
		_, err := e.dir.GetUserByEmail(e.ctx, e.email("absent"))
		requireCode(t, err, identity.NotFound)
		_, err = e.dir.GetUserByEmail(e.ctx, e.email("pres"))
		requireCode(t, err, identity.NotFound, "a prefix is not a match")
	})
	t.Run("ByUsername", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Username {
			_, err := e.dir.GetUserByUsername(e.ctx, "someone")
			requireCode(t, err, identity.Unsupported)
			return
		}
		nu := e.newUser("named")
		nu.Username = e.username("named")
		u := e.create(nu)
		got, err := e.dir.GetUserByUsername(e.ctx, nu.Username)
		require.NoError(t, err)
		assert.Equal(t, u.ID, got.ID)
		_, err = e.dir.GetUserByUsername(e.ctx, e.username("nobody"))
		requireCode(t, err, identity.NotFound)
	})
}

func testUpdate(t *testing.T, h Harness) {
	t.Run("Names", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Names || !e.caps.DisplayName {
			t.Skip("names unsupported: UnsupportedFields checks Unsupported")
		}
		nu := e.newUser("names")
		nu.GivenName, nu.FamilyName, nu.DisplayName = "Ada", "Byron", "Ada B."
		u := e.create(nu)
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{FamilyName: ptr("Lovelace"), DisplayName: ptr("Ada L.")})
		require.NoError(t, err)
		assert.Equal(t, "Ada", got.GivenName, "an unset field must not change")
		assert.Equal(t, "Lovelace", got.FamilyName)
		assert.Equal(t, "Ada L.", got.DisplayName)
		assertSameUser(t, got, e.get(u.ID))
	})
	t.Run("Email", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("old"))
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Email: ptr(e.email("new"))})
		require.NoError(t, err)
		assert.Equal(t, e.email("new"), got.Email)
		found, err := e.dir.GetUserByEmail(e.ctx, e.email("new"))
		require.NoError(t, err)
		assert.Equal(t, u.ID, found.ID)
		_, err = e.dir.GetUserByEmail(e.ctx, e.email("old"))
		requireCode(t, err, identity.NotFound, "the old email must be free")
	})
	t.Run("EmailTaken", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.UniqueEmail {
			t.Skip("emails need not be unique on this backend (UniqueEmail is false)")
		}
		e.create(e.newUser("taken"))
		u := e.create(e.newUser("mover"))
		_, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Email: ptr(e.email("taken"))})
		requireCode(t, err, identity.AlreadyExists)
		assert.Equal(t, e.email("mover"), e.get(u.ID).Email)
	})
	t.Run("Username", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Username {
			t.Skip("no usernames: UnsupportedFields checks Unsupported")
		}
		u := e.create(e.newUser("un"))
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Username: ptr(e.username("renamed"))})
		require.NoError(t, err)
		assert.Equal(t, e.username("renamed"), got.Username)
	})
	t.Run("Phone", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Phone {
			t.Skip("no phones: UnsupportedFields checks Unsupported")
		}
		u := e.create(e.newUser("ph"))
		p := e.phone(5)
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Phone: &p})
		require.NoError(t, err)
		assert.Equal(t, p, got.Phone)
		assert.Equal(t, p, e.get(u.ID).Phone)
	})
	t.Run("MetadataMerge", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Metadata {
			t.Skip("no metadata: UnsupportedFields checks Unsupported")
		}
		nu := e.newUser("md")
		nu.Metadata = map[string]any{"plan": "free", "tier": "a"}
		u := e.create(nu)
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"tier": "b", "seats": float64(5)}})
		require.NoError(t, err)
		want := map[string]any{"plan": "free", "tier": "b", "seats": float64(5)}
		assert.Equal(t, want, got.Metadata)
		assert.Equal(t, want, e.get(u.ID).Metadata)
	})
	t.Run("MetadataRemove", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Metadata {
			t.Skip("no metadata: UnsupportedFields checks Unsupported")
		}
		nu := e.newUser("mdrm")
		nu.Metadata = map[string]any{"plan": "free", "beta": true}
		u := e.create(nu)
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"beta": nil, "note": "hi"}})
		require.NoError(t, err)
		want := map[string]any{"plan": "free", "note": "hi"}
		assert.Equal(t, want, got.Metadata)
		assert.Equal(t, want, e.get(u.ID).Metadata)
	})
	t.Run("NoChange", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("same"))
		got, err := e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{})
		require.NoError(t, err)
		assertSameUser(t, u, got)
	})
	t.Run("NotFound", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.UpdateUser(e.ctx, missingID, identity.UserUpdate{Email: ptr(e.email("x"))})
		requireCode(t, err, identity.NotFound)
	})
	t.Run("UnsupportedFields", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("upd"))
		cases := []struct {
			field     string
			supported bool
			upd       identity.UserUpdate
		}{
			{"Username", e.caps.Username, identity.UserUpdate{Username: ptr(e.username("x"))}},
			{"Phone", e.caps.Phone, identity.UserUpdate{Phone: ptr(e.phone(6))}},
			{"GivenName", e.caps.Names, identity.UserUpdate{GivenName: ptr("X")}},
			{"FamilyName", e.caps.Names, identity.UserUpdate{FamilyName: ptr("X")}},
			{"DisplayName", e.caps.DisplayName, identity.UserUpdate{DisplayName: ptr("X")}},
			{"Metadata", e.caps.Metadata, identity.UserUpdate{Metadata: map[string]any{"plan": "x"}}},
		}
		before := e.snapshot()
		for _, c := range cases {
			if c.supported {
				continue
			}
			_, err := e.dir.UpdateUser(e.ctx, u.ID, c.upd)
			requireCode(t, err, identity.Unsupported, c.field)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, c.field, ie.Field)
		}
		e.requireUnchanged(before, "an unsupported update")
	})
}

func testDelete(t *testing.T, h Harness) {
	t.Run("Deletes", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("gone"))
		keep := e.create(e.newUser("kept"))
		require.NoError(t, e.dir.DeleteUser(e.ctx, u.ID))
		_, err := e.dir.GetUser(e.ctx, u.ID)
		requireCode(t, err, identity.NotFound)
		_, err = e.dir.GetUserByEmail(e.ctx, e.email("gone"))
		requireCode(t, err, identity.NotFound)
		assert.Equal(t, []string{keep.ID}, ids(e.listTagged(identity.ListOptions{})))
	})
	t.Run("FreesIdentifiers", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("again"))
		require.NoError(t, e.dir.DeleteUser(e.ctx, u.ID))
		u2 := e.create(e.newUser("again"))
		assert.NotEqual(t, u.ID, u2.ID)
	})
	t.Run("Suspended", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("suspdel")
		require.NoError(t, e.dir.SuspendUser(e.ctx, u.ID))
		require.NoError(t, e.dir.DeleteUser(e.ctx, u.ID))
		_, err := e.dir.GetUser(e.ctx, u.ID)
		requireCode(t, err, identity.NotFound)
	})
	t.Run("NotFound", func(t *testing.T) {
		e := newEnv(t, h)
		requireCode(t, e.dir.DeleteUser(e.ctx, missingID), identity.NotFound)
	})
	t.Run("Twice", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("twice"))
		require.NoError(t, e.dir.DeleteUser(e.ctx, u.ID))
		requireCode(t, e.dir.DeleteUser(e.ctx, u.ID), identity.NotFound)
	})
}

func ptr[T any](v T) *T { return &v }
