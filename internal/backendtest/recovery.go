package backendtest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/faultinject"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lost is what the tests of lost answers need from a backend.
type Lost struct {
	// CreatePaths are the path prefixes of the user create, where faults
	// are injected ("" for every POST).
	CreatePaths []string
	// Users are the users the creates make; each is created under each
	// fault.
	Users []identity.NewUser
	// WriteMethods are the methods of the backend's writes after a create
	// (the methods faults are injected into), and WriteExclude the path
	// prefixes among them left alone.
	WriteMethods, WriteExclude []string
	// WriteMode is the mode the writes run in.
	WriteMode string
	// UpdateFaults are the faults an update meets, in order; DeleteFaults
	// those a user's delete meets (one per request it makes).
	UpdateFaults, DeleteFaults []faultinject.Fault
}

// lostCreateFaults are the faults that spoil a create's answer after the
// provider made the user, or before it saw the request.
var lostCreateFaults = []faultinject.Fault{faultinject.ResetAfter, faultinject.Slow, faultinject.Truncated, faultinject.MalformedJSON,
	faultinject.WrongContentType, faultinject.ResetBefore, faultinject.Status502, faultinject.Status503}

// createUserSettlesLostAnswers sends creates whose answers a fault spoils
// after the provider made the user, or that never reached it: each
// returns the one user made, and the same create again is a duplicate,
// lost answer or not. A user with only a phone is found by its phone
// where phones are unique.
func createUserSettlesLostAnswers(t *testing.T, b *Backend) {
	ctx := context.Background()
	caps := b.Modes[0].Capabilities
	require.NotEmpty(t, b.Lost.Users, "the backend names the users its creates make")
	for _, k := range lostCreateFaults {
		for i, nu := range b.Lost.Users {
			t.Run(string(k)+"/"+string(rune('a'+i)), func(t *testing.T) {
				f := faultinject.New(faultinject.Options{Include: b.Lost.CreatePaths, Methods: []string{http.MethodPost}, SlowDelay: time.Minute})
				dir, s := faulty(t, b, "", f)
				f.Next(k)
				u, err := dir.CreateUser(ctx, nu)
				require.NoError(t, err)
				assert.True(t, strings.EqualFold(nu.Email, u.Email), "the user made has the email %q, not %q", nu.Email, u.Email)
				if nu.Username != "" {
					assert.Equal(t, nu.Username, u.Username)
				}
				if nu.Phone != "" {
					assert.Equal(t, nu.Phone, u.Phone)
				}
				assert.Equal(t, 1, s.emu.UserCount(), "one user, whatever the fault")
				assert.Equal(t, 1, f.Injected())

				f.Next(k)
				_, err = dir.CreateUser(ctx, nu)
				require.ErrorIs(t, err, identity.ErrAlreadyExists, "the same create again is a duplicate, lost answer or not")
				assert.Equal(t, 1, s.emu.UserCount())
			})
		}
	}
	if !caps.Phone || !caps.UniquePhone {
		return
	}
	t.Run("PhoneOnly", func(t *testing.T) {
		f := faultinject.New(faultinject.Options{Include: b.Lost.CreatePaths, Methods: []string{http.MethodPost}})
		dir, s := faulty(t, b, "", f)
		f.Next(faultinject.ResetAfter)
		u, err := dir.CreateUser(ctx, identity.NewUser{Phone: "+14155550101"})
		require.NoError(t, err, "found by phone")
		assert.Equal(t, "+14155550101", u.Phone)
		assert.Equal(t, 1, s.emu.UserCount())
	})
}

// writesRideOutFaults makes every write after a create meet a fault that
// loses its answer after the provider acted, or one that stops it before:
// each write succeeds once, as if the fault had not happened, a create
// sent again is found, a delete whose answer was lost counts as done, and
// each step proves its faults were met.
func writesRideOutFaults(t *testing.T, b *Backend) {
	ctx := context.Background()
	l := b.Lost
	m := b.mode(l.WriteMode)
	caps := m.Capabilities
	f := faultinject.New(faultinject.Options{Methods: l.WriteMethods, Exclude: l.WriteExclude})
	dir, s := faulty(t, b, m.Name, f)
	step := func(label string, faults []faultinject.Fault, call func() error) {
		t.Helper()
		before := f.Injected()
		f.Next(faults...)
		require.NoError(t, call(), label)
		require.Equal(t, len(faults), f.Injected()-before, "%s met its faults", label)
	}
	once := []faultinject.Fault{faultinject.ResetAfter}

	nu := identity.NewUser{Email: "ada@example.com"}
	if caps.Metadata {
		nu.Metadata = map[string]any{"plan": "free"}
	}
	if caps.SetPassword {
		nu.Password = password
	}
	u, err := dir.CreateUser(ctx, nu)
	require.NoError(t, err)
	step("SuspendUser", once, func() error { return dir.SuspendUser(ctx, u.ID) })
	step("ActivateUser", once, func() error { return dir.ActivateUser(ctx, u.ID) })

	up := identity.UserUpdate{}
	if caps.DisplayName {
		up.DisplayName = new("Ada L.")
	}
	if caps.Names {
		up.GivenName = new("Ada")
	}
	if caps.Metadata {
		up.Metadata = map[string]any{"plan": nil, "tier": "b"}
	}
	var got *identity.User
	step("UpdateUser", l.UpdateFaults, func() (err error) { got, err = dir.UpdateUser(ctx, u.ID, up); return err })
	if caps.DisplayName {
		assert.Equal(t, "Ada L.", got.DisplayName)
	}
	if caps.Metadata {
		assert.Equal(t, map[string]any{"tier": "b"}, got.Metadata, "the removal and the addition, once each")
	}
	if caps.SetPassword {
		step("SetPassword", once, func() error { return dir.SetPassword(ctx, u.ID, password+"-2") })
	}

	if caps.Roles {
		role := m.Role
		if role == "" {
			role = "editors"
			create := func() error {
				_, err := dir.CreateRole(ctx, identity.Role{Name: role, Description: "edit"})
				return err
			}
			if m.LocalCatalog {
				require.NoError(t, create())
			} else {
				step("CreateRole", once, create)
				rs, err := dir.ListRoles(ctx)
				require.NoError(t, err)
				assert.Len(t, rs, 1, "the role the lost create made is found, and made once")
				f.Next(faultinject.Status503)
				_, err = dir.CreateRole(ctx, identity.Role{Name: role, Description: "other"})
				require.ErrorIs(t, err, identity.ErrAlreadyExists)
			}
		}
		step("AssignRole", once, func() error { return dir.AssignRole(ctx, u.ID, role) })
		rs, err := dir.ListUserRoles(ctx, u.ID)
		require.NoError(t, err)
		assert.Len(t, rs, 1, "an assignment sent twice is one assignment")
		if m.Role == "" {
			step("DeleteRole", once, func() error { return dir.DeleteRole(ctx, role) })
			require.ErrorIs(t, dir.DeleteRole(ctx, role), identity.ErrNotFound)
		}
	}

	step("DeleteUser", l.DeleteFaults, func() error { return dir.DeleteUser(ctx, u.ID) })
	assert.Zero(t, s.emu.UserCount(), "deletes whose answers were lost succeeded")
	f.Next(faultinject.ResetBefore)
	require.ErrorIs(t, dir.DeleteUser(ctx, u.ID), identity.ErrNotFound, "a user that is not there is NotFound, faults or not")
}
