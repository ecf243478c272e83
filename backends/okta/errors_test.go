package okta_test

import (
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorsReadOnce: Okta's summary names the property its first cause
// starts with ("Api validation failed: login", "login: An object with
// this field already exists"); the message names it once, Field holds
// the portable field, and a lifecycle refusal names the user's Status,
// not a metadata key.
func TestErrorsReadOnce(t *testing.T) {
	ctx := t.Context()
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	_, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	pending, err := dir.CreateUser(ctx, identity.NewUser{Email: "pending@example.com", Status: identity.StatusPending})
	require.NoError(t, err)

	_, dup := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	_, weak := dir.CreateUser(ctx, identity.NewUser{Email: "weak@example.com", Password: "short"})
	for _, c := range []struct {
		name  string
		err   error
		code  identity.Code
		field string
		says  string
	}{
		{"taken login", dup, identity.AlreadyExists, "Username", "Api validation failed: login: An object with this field already exists"},
		{"weak password", weak, identity.InvalidArgument, "Password", "Api validation failed: password: Password requirements were not met"},
		{"suspend a pending user", dir.SuspendUser(ctx, pending.ID), identity.FailedPrecondition, "Status", "Api validation failed: status: Cannot suspend a user that is not active"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var e *identity.Error
			require.ErrorAs(t, c.err, &e)
			assert.Equal(t, c.code, e.Code)
			assert.Equal(t, c.field, e.Field)
			assert.Contains(t, e.Message, c.says)
			requireNoRepeat(t, c.err)
		})
	}
}

// requireNoRepeat fails when two neighbouring ": "-separated parts of
// err's text are the same, as in "login: login: ...".
func requireNoRepeat(t *testing.T, err error) {
	t.Helper()
	parts := strings.Split(err.Error(), ": ")
	for i := 1; i < len(parts); i++ {
		assert.NotEqual(t, parts[i-1], parts[i], "%q says %q twice", err.Error(), parts[i])
	}
}
