package okta_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecoveryIsNotActive puts a user into RECOVERY with Okta's
// reset_password, after which Okta's reference says the user cannot sign
// in until the reset is completed: the user reads as Pending and is
// listed so, VerifyPassword and ActivateUser say FailedPrecondition
// instead of a wrong password and a success that changes nothing, and a
// password set by the administrator makes it Active again.
func TestRecoveryIsNotActive(t *testing.T) {
	ctx := context.Background()
	c, dir, _ := clientFor(t, oktatest.Options{APIToken: "fidelity-token"}, nil)
	const pw = "Recovery-Passw0rd!"
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "L", Password: pw})
	require.NoError(t, err)
	other, err := dir.CreateUser(ctx, identity.NewUser{Email: "bob@example.com", GivenName: "Bob", FamilyName: "B", Password: pw})
	require.NoError(t, err)
	var reset struct {
		URL string `json:"resetPasswordUrl"`
	}
	require.NoError(t, c.Do(ctx, "POST", "/api/v1/users/"+u.ID+"/lifecycle/reset_password?sendEmail=false", nil, &reset))
	require.NotEmpty(t, reset.URL)

	status := func() (identity.Status, string) {
		t.Helper()
		got, err := dir.GetUser(ctx, u.ID)
		require.NoError(t, err)
		return got.Status, got.NativeStatus
	}
	st, native := status()
	assert.Equal(t, identity.StatusPending, st)
	assert.Equal(t, "RECOVERY", native)

	listed := func(s identity.Status) []string {
		t.Helper()
		var ids []string
		for u, err := range dir.ListUsers(ctx, identity.ListOptions{Status: s}) {
			require.NoError(t, err)
			ids = append(ids, u.ID)
		}
		return ids
	}
	assert.Equal(t, []string{u.ID}, listed(identity.StatusPending), "the Status filter agrees with the mapping")
	assert.Equal(t, []string{other.ID}, listed(identity.StatusActive))

	cases := []struct {
		name string
		call func() error
	}{
		{"VerifyPassword", func() error { return dir.VerifyPassword(ctx, u.ID, pw) }},
		{"ActivateUser", func() error { return dir.ActivateUser(ctx, u.ID) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			assert.ErrorIs(t, err, identity.ErrFailedPrecondition, "%v", err)
			assert.ErrorContains(t, err, "RECOVERY")
			_, native := status()
			assert.Equal(t, "RECOVERY", native, "nothing changed")
		})
	}

	require.NoError(t, dir.SetPassword(ctx, u.ID, "Another-Passw0rd!"))
	st, native = status()
	assert.Equal(t, identity.StatusActive, st, "a password set by the administrator ends the recovery")
	assert.Equal(t, "ACTIVE", native)
	assert.NoError(t, dir.VerifyPassword(ctx, u.ID, "Another-Passw0rd!"))
	assert.NoError(t, dir.ActivateUser(ctx, u.ID))
}
