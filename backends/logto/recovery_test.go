package logto_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faulty starts a schema-checked emulator with f in front of the checker
// and opens a directory on it.
func faulty(t *testing.T, f *faultinject.Faults) (*identity.Directory, *logtotest.Server) {
	t.Helper()
	check := openapicheck.Middleware(t, "logto", schemaOptions)
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret",
		Middleware: func(h http.Handler) http.Handler { return f.Wrap(check(h)) }})
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret",
		HTTPOptions: identity.HTTPOptions{Timeout: 500 * time.Millisecond, RetryBaseDelay: time.Millisecond}})
	require.NoError(t, err)
	return dir, srv
}

// TestCreateUserSettlesLostAnswers sends creates whose answers a fault
// spoils after Logto made the user, or that never reached it.
func TestCreateUserSettlesLostAnswers(t *testing.T) {
	ctx := context.Background()
	for _, k := range []faultinject.Fault{faultinject.ResetAfter, faultinject.Slow, faultinject.Truncated, faultinject.MalformedJSON,
		faultinject.WrongContentType, faultinject.ResetBefore, faultinject.Status502, faultinject.Status503} {
		t.Run(string(k), func(t *testing.T) {
			f := faultinject.New(faultinject.Options{Include: []string{"/api/users"}, Methods: []string{http.MethodPost}, SlowDelay: time.Minute})
			dir, srv := faulty(t, f)
			nu := identity.NewUser{Email: "ada@example.com", Username: "ada", Phone: "+14155550100", GivenName: "Ada", Metadata: map[string]any{"seats": 3}}
			f.Next(k)
			u, err := dir.CreateUser(ctx, nu)
			require.NoError(t, err)
			assert.Equal(t, "ada", u.Username)
			assert.Equal(t, 1, srv.UserCount(), "one user, whatever the fault")
			assert.Equal(t, 1, f.Injected())

			f.Next(k)
			_, err = dir.CreateUser(ctx, nu)
			require.ErrorIs(t, err, identity.ErrAlreadyExists, "the same create again is a duplicate, lost answer or not")
			assert.Equal(t, 1, srv.UserCount())
		})
	}
	t.Run("PhoneOnly", func(t *testing.T) {
		f := faultinject.New(faultinject.Options{Include: []string{"/api/users"}, Methods: []string{http.MethodPost}})
		dir, srv := faulty(t, f)
		f.Next(faultinject.ResetAfter)
		u, err := dir.CreateUser(ctx, identity.NewUser{Phone: "+14155550101"})
		require.NoError(t, err, "found by phone")
		assert.Equal(t, "+14155550101", u.Phone)
		assert.Equal(t, 1, srv.UserCount())
	})
}

func TestWritesRideOutFaults(t *testing.T) {
	ctx := context.Background()
	f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPatch, http.MethodDelete, http.MethodPost}})
	dir, srv := faulty(t, f)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)

	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	f.Next(faultinject.ResetAfter, faultinject.ResetAfter, faultinject.MalformedJSON)
	got, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{DisplayName: new("Ada L."), GivenName: new("Ada"), Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	assert.Equal(t, "Ada L.", got.DisplayName)
	assert.Equal(t, "pro", got.Metadata["plan"])
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.SetPassword(ctx, u.ID, "Corr3ct-Horse-Battery-Staple!"))

	f.Next(faultinject.ResetAfter)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err, "the role the lost create made is found")
	rs, err := dir.ListRoles(ctx)
	require.NoError(t, err)
	assert.Len(t, rs, 1)
	f.Next(faultinject.Status503)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "editor", Description: "other"})
	require.ErrorIs(t, err, identity.ErrAlreadyExists)
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"), "an assignment sent twice is one assignment")
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.DeleteRole(ctx, "editor"), "a delete whose answer was lost succeeded")
	require.ErrorIs(t, dir.DeleteRole(ctx, "editor"), identity.ErrNotFound)

	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.DeleteUser(ctx, u.ID), "a delete whose answer was lost succeeded")
	assert.Zero(t, srv.UserCount())
	f.Next(faultinject.ResetBefore)
	require.ErrorIs(t, dir.DeleteUser(ctx, u.ID), identity.ErrNotFound, "a user that is not there is NotFound, faults or not")
}

func TestTokenEndpointFaults(t *testing.T) {
	for _, k := range faultinject.TransientFaults {
		t.Run(string(k), func(t *testing.T) {
			f := faultinject.New(faultinject.Options{Include: []string{"/oidc/token"}, RetryAfter: "0", SlowDelay: time.Minute})
			dir, srv := faulty(t, f)
			f.Next(k)
			_, err := dir.GetUser(context.Background(), "missing00000")
			require.ErrorIs(t, err, identity.ErrNotFound, "the token was fetched again and the call went on")
			assert.Equal(t, 1, f.Injected())
			assert.LessOrEqual(t, srv.TokenRequests(), 2)
		})
	}
}
