package okta_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faulty starts a schema-checked emulator with f in front of the checker
// and opens a directory on it.
func faulty(t *testing.T, f *faultinject.Faults) (*identity.Directory, *oktatest.Server) {
	t.Helper()
	check := openapicheck.Middleware(t, "okta", schemaOptions)
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken, NamesOptional: true,
		Middleware: func(h http.Handler) http.Handler { return f.Wrap(check(h)) }})
	dir, err := okta.New(context.Background(), okta.Options{OrgURL: srv.URL, APIToken: testToken,
		HTTPOptions: identity.HTTPOptions{Timeout: 500 * time.Millisecond, RetryBaseDelay: time.Millisecond}})
	require.NoError(t, err)
	return dir, srv
}

// TestCreateUserSettlesLostAnswers sends creates whose answers a fault
// spoils after Okta made the user, or that never reached it: the login,
// which Okta keeps unique, tells which.
func TestCreateUserSettlesLostAnswers(t *testing.T) {
	ctx := context.Background()
	for _, k := range []faultinject.Fault{faultinject.ResetAfter, faultinject.Slow, faultinject.Truncated, faultinject.MalformedJSON,
		faultinject.WrongContentType, faultinject.ResetBefore, faultinject.Status502, faultinject.Status503} {
		for _, nu := range []identity.NewUser{
			{Email: "ada@example.com", Password: pw, Metadata: map[string]any{"seats": float64(3)}},
			{Email: "ada@example.com", Username: "ada_l", GivenName: "Ada"},
		} {
			t.Run(string(k)+"/"+nu.Username, func(t *testing.T) {
				f := faultinject.New(faultinject.Options{Include: []string{"/api/v1/users"}, Methods: []string{http.MethodPost}, SlowDelay: time.Minute})
				dir, srv := faulty(t, f)
				f.Next(k)
				u, err := dir.CreateUser(ctx, nu)
				require.NoError(t, err)
				assert.Equal(t, "ada@example.com", u.Email)
				assert.Equal(t, 1, srv.UserCount(), "one user, whatever the fault")
				assert.Equal(t, 1, f.Injected())

				f.Next(k)
				_, err = dir.CreateUser(ctx, nu)
				require.ErrorIs(t, err, identity.ErrAlreadyExists, "the same login again is taken, lost answer or not")
				assert.Equal(t, 1, srv.UserCount())
			})
		}
	}
}

func TestWritesRideOutFaults(t *testing.T) {
	ctx := context.Background()
	f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPost, http.MethodPut, http.MethodDelete}, Exclude: []string{"/api/v1/authn"}})
	dir, srv := faulty(t, f)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Password: pw, Metadata: map[string]any{"plan": "free"}})
	require.NoError(t, err)

	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.SuspendUser(ctx, u.ID), "a suspend sent again meets E0000001, and the user is suspended")
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.ActivateUser(ctx, u.ID))
	f.Next(faultinject.ResetAfter, faultinject.ResetAfter)
	got, err := dir.UpdateUser(ctx, u.ID, identity.UserUpdate{DisplayName: new("Ada L."), Metadata: map[string]any{"plan": nil, "tier": "b"}})
	require.NoError(t, err, "a replacement sent again meets 412, and is merged anew")
	assert.Equal(t, "Ada L.", got.DisplayName)
	assert.Equal(t, map[string]any{"tier": "b"}, got.Metadata)

	// A change whose answer was lost: signing in with the new password
	// tells that it happened.
	const next identity.Secret = "N3w-Secr3t-phrase"
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.ChangePassword(ctx, u.ID, pw, next))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, next))
	// A refused change whose answer was lost: sent again, Okta's own
	// answer comes back.
	f.Next(faultinject.ResetAfter)
	require.ErrorIs(t, dir.ChangePassword(ctx, u.ID, "Wr0ng-old-password", pw), identity.ErrInvalidCredentials)
	// A change that never arrived is sent again.
	f.Next(faultinject.Status503)
	require.NoError(t, dir.ChangePassword(ctx, u.ID, next, pw))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, pw))

	f.Next(faultinject.ResetAfter)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "editors", Description: "edit"})
	require.NoError(t, err, "the group the lost create made is found")
	rs, err := dir.ListRoles(ctx)
	require.NoError(t, err)
	assert.Len(t, rs, 1)
	f.Next(faultinject.Status503)
	_, err = dir.CreateRole(ctx, identity.Role{Name: "editors", Description: "other"})
	require.ErrorIs(t, err, identity.ErrAlreadyExists)
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.DeleteRole(ctx, "editors"), "a delete whose answer was lost succeeded")
	require.ErrorIs(t, dir.DeleteRole(ctx, "editors"), identity.ErrNotFound)

	f.Next(faultinject.ResetAfter, faultinject.ResetAfter)
	require.NoError(t, dir.DeleteUser(ctx, u.ID), "deletes whose answers were lost succeeded")
	assert.Zero(t, srv.UserCount())
	f.Next(faultinject.ResetBefore)
	require.ErrorIs(t, dir.DeleteUser(ctx, u.ID), identity.ErrNotFound, "a user that is not there is NotFound, faults or not")
}
