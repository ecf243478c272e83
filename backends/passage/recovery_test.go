package passage_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faulty starts a schema-checked emulator with f in front of the checker
// and opens a directory on it.
func faulty(t *testing.T, f *faultinject.Faults, opts passage.Options) (*identity.Directory, *passagetest.Server) {
	t.Helper()
	check := openapicheck.Middleware(t, "passage", openapicheck.Options{BasePath: "/v1"})
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "test-key", MetadataFields: metadataFields(),
		Middleware: func(h http.Handler) http.Handler { return f.Wrap(check(h)) }})
	opts.AppID, opts.APIKey, opts.BaseURL = "app1", "test-key", srv.URL+"/v1"
	opts.Timeout, opts.RetryBaseDelay = 500*time.Millisecond, time.Millisecond
	dir, err := passage.New(context.Background(), opts)
	require.NoError(t, err)
	return dir, srv
}

// TestCreateUserSettlesLostAnswers sends creates whose answers a fault
// spoils after Passage made the user, or that never reached it.
func TestCreateUserSettlesLostAnswers(t *testing.T) {
	ctx := context.Background()
	for _, k := range []faultinject.Fault{faultinject.ResetAfter, faultinject.Slow, faultinject.Truncated, faultinject.MalformedJSON,
		faultinject.WrongContentType, faultinject.ResetBefore, faultinject.Status502, faultinject.Status503} {
		t.Run(string(k), func(t *testing.T) {
			f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPost}, SlowDelay: time.Minute})
			dir, srv := faulty(t, f, passage.Options{})
			nu := identity.NewUser{Email: "Ada@Example.com", Phone: "+14155550100", Metadata: map[string]any{"seats": 3}}
			f.Next(k)
			u, err := dir.CreateUser(ctx, nu)
			require.NoError(t, err)
			assert.Equal(t, "ada@example.com", u.Email)
			assert.Equal(t, 1, srv.UserCount(), "one user, whatever the fault")
			assert.Equal(t, 1, f.Injected())

			f.Next(k)
			_, err = dir.CreateUser(ctx, nu)
			require.ErrorIs(t, err, identity.ErrAlreadyExists, "the same create again is a duplicate, lost answer or not")
			assert.Equal(t, 1, srv.UserCount())
		})
	}
	t.Run("PhoneOnly", func(t *testing.T) {
		f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPost}})
		dir, srv := faulty(t, f, passage.Options{})
		f.Next(faultinject.ResetAfter)
		u, err := dir.CreateUser(ctx, identity.NewUser{Phone: "+14155550101"})
		require.NoError(t, err, "found by phone")
		assert.Equal(t, "+14155550101", u.Phone)
		assert.Equal(t, 1, srv.UserCount())
	})
}

func TestWritesRideOutFaults(t *testing.T) {
	ctx := context.Background()
	f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPatch, http.MethodDelete}})
	dir, srv := faulty(t, f, passage.Options{RolesField: "roles", Roles: []identity.Role{{Name: "editor"}}})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)

	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.ActivateUser(ctx, u.ID))
	f.Next(faultinject.MalformedJSON)
	got, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	assert.Equal(t, "pro", got.Metadata["plan"])
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"))
	rs, err := dir.ListUserRoles(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1)

	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.DeleteUser(ctx, u.ID), "a delete whose answer was lost succeeded")
	assert.Zero(t, srv.UserCount())
	require.ErrorIs(t, dir.DeleteUser(ctx, u.ID), identity.ErrNotFound)
}
