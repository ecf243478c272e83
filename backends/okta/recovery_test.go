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

// TestPasswordChangesRideOutFaults: a password change whose answer a
// fault loses, refused or not, and one that never arrived, each end as if
// the fault had not happened; the Authentication API tells which.
func TestPasswordChangesRideOutFaults(t *testing.T) {
	ctx := context.Background()
	f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPost, http.MethodPut, http.MethodDelete}, Exclude: []string{"/api/v1/authn"}})
	dir, _ := faulty(t, f)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Password: pw})
	require.NoError(t, err)

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
	assert.Equal(t, 3, f.Injected())
}
