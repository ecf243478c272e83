package identity_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClosedDirectoryHasItsOwnSentinel(t *testing.T) {
	ctx := context.Background()
	dir, err := identity.Open(ctx, "memory://")
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "closed@example.com"})
	require.NoError(t, err)
	require.NoError(t, dir.Close())

	_, err = dir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrClosed)
	assert.ErrorIs(t, err, identity.ErrFailedPrecondition, "still FailedPrecondition, as before ErrClosed")
	assert.Equal(t, "memory: GetUser: FailedPrecondition: the directory is closed", err.Error())
	assert.Equal(t, http.StatusServiceUnavailable, identity.HTTPStatus(err))
	for _, l := range dir.ListUsers(ctx, identity.ListOptions{}) {
		assert.ErrorIs(t, l, identity.ErrClosed, "ListUsers")
	}

	// A user's state forbidding the call is not a closed directory.
	refused := &identity.Error{Code: identity.FailedPrecondition, Op: "SuspendUser", Field: "Status"}
	assert.NotErrorIs(t, refused, identity.ErrClosed)
	assert.Equal(t, http.StatusConflict, identity.HTTPStatus(refused))
}

// TestNotFoundSaysWhatIsMissing: the portable layer names the missing
// target in Field where the backend did not, and for a call on a user
// and a role tells them apart by what the backend said.
func TestNotFoundSaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	notFound := func(role string) error {
		return &identity.Error{Code: identity.NotFound, Role: role, Message: "no such thing"}
	}
	cases := []struct {
		name      string
		backend   error
		call      func(*identity.Directory) error
		field     string
		user, rol string
	}{
		{"GetUser", notFound(""), func(d *identity.Directory) error { _, err := d.GetUser(ctx, "u1"); return err }, "user", "u1", ""},
		{"GetUserByEmail", notFound(""), func(d *identity.Directory) error { _, err := d.GetUserByEmail(ctx, "a@example.com"); return err }, "user", "", ""},
		{"UpdateUser", notFound(""), func(d *identity.Directory) error {
			_, err := d.UpdateUser(ctx, "u1", identity.UserUpdate{GivenName: new("A")})
			return err
		}, "user", "u1", ""},
		{"DeleteUser", notFound(""), func(d *identity.Directory) error { return d.DeleteUser(ctx, "u1") }, "user", "u1", ""},
		{"SuspendUser", notFound(""), func(d *identity.Directory) error { return d.SuspendUser(ctx, "u1") }, "user", "u1", ""},
		{"SetPassword", notFound(""), func(d *identity.Directory) error { return d.SetPassword(ctx, "u1", "Passw0rd!x") }, "user", "u1", ""},
		{"ListUserRoles", notFound(""), func(d *identity.Directory) error { _, err := d.ListUserRoles(ctx, "u1"); return err }, "user", "u1", ""},
		{"DeleteRole", notFound(""), func(d *identity.Directory) error { return d.DeleteRole(ctx, "editor") }, "role", "", "editor"},
		{"AssignRole/user", notFound(""), func(d *identity.Directory) error { return d.AssignRole(ctx, "u1", "editor") }, "user", "u1", ""},
		{"AssignRole/role", notFound("editor"), func(d *identity.Directory) error { return d.AssignRole(ctx, "u1", "editor") }, "role", "u1", "editor"},
		{"RevokeRole/role by field", &identity.Error{Code: identity.NotFound, Field: "role"},
			func(d *identity.Directory) error { return d.RevokeRole(ctx, "u1", "editor") }, "role", "u1", "editor"},
		{"RevokeRole/user", notFound(""), func(d *identity.Directory) error { return d.RevokeRole(ctx, "u1", "editor") }, "user", "u1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b driver.Directory = &counting{caps: all, err: c.backend}
			if strings.HasSuffix(c.name, "/role") || strings.HasSuffix(c.name, "by field") {
				b = userExists{&counting{caps: all, err: c.backend}}
			}
			d := identity.NewDirectory("test", b)
			err := c.call(d)
			var e *identity.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, identity.NotFound, e.Code)
			assert.Equal(t, c.field, e.Field, "Field names what is missing: %v", err)
			assert.Equal(t, c.user, e.UserID, "UserID")
			assert.Equal(t, c.rol, e.Role, "Role is set only when the role is missing")
			if c.field == "user" && c.user != "" || c.field == "role" && c.rol != "" {
				assert.NotContains(t, err.Error(), "("+c.field+")", "the target is not named twice: %v", err)
			}
		})
	}
}

// userExists is a backend whose GetUser finds every user, whatever else
// it answers.
type userExists struct{ *counting }

func (userExists) GetUser(_ context.Context, id string) (*identity.User, error) {
	return &identity.User{ID: id}, nil
}

// roleFirst resolves the role before the user, as Okta's groups do: both
// missing, it says the role is.
type roleFirst struct{ *counting }

func (roleFirst) AssignRole(context.Context, string, string) error {
	return &identity.Error{Code: identity.NotFound, Role: "editor", Message: "no such role"}
}

func (roleFirst) GetUser(context.Context, string) (*identity.User, error) {
	return nil, &identity.Error{Code: identity.NotFound, Message: "no such user"}
}

func TestMissingUserIsNamedBeforeMissingRole(t *testing.T) {
	err := identity.NewDirectory("test", roleFirst{&counting{caps: all}}).AssignRole(context.Background(), "u1", "editor")
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.NotFound, e.Code)
	assert.Equal(t, "user", e.Field)
	assert.Equal(t, "u1", e.UserID)
	assert.Empty(t, e.Role)
	assert.Equal(t, "AssignRole", e.Op)
}

func TestHTTPStatus(t *testing.T) {
	closed := &identity.Error{Code: identity.FailedPrecondition, Err: identity.ErrClosed}
	cases := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{&identity.Error{Code: identity.NotFound}, 404},
		{&identity.Error{Code: identity.AlreadyExists}, 409},
		{&identity.Error{Code: identity.InvalidArgument}, 400},
		{&identity.Error{Code: identity.FailedPrecondition}, 409},
		{closed, 503},
		{fmt.Errorf("handler: %w", closed), 503},
		{&identity.Error{Code: identity.InvalidCredentials}, 401},
		{&identity.Error{Code: identity.Unauthenticated, HTTPStatus: 401}, 500},
		{&identity.Error{Code: identity.PermissionDenied, HTTPStatus: 403}, 500},
		{&identity.Error{Code: identity.RateLimited}, 503},
		{&identity.Error{Code: identity.Unavailable, Err: context.DeadlineExceeded}, 503},
		{&identity.Error{Code: identity.Unsupported}, 501},
		{&identity.Error{Code: identity.Internal}, 500},
		{&identity.Error{Code: identity.Code(99)}, 500},
		{context.DeadlineExceeded, 504},
		{fmt.Errorf("op: %w", context.Canceled), identity.StatusClientClosedRequest},
		{errors.New("plain"), 500},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, identity.HTTPStatus(c.err), "%v", c.err)
	}
}

// TestUnknownSchemeSaysWhatExists: the hint for a scheme nothing is
// registered for lists what is, and names the import for a backend of
// this module.
func TestUnknownSchemeSaysWhatExists(t *testing.T) {
	var m identity.URLMux
	_, err := m.Open(context.Background(), "auth0://tenant")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	for _, b := range []string{"kratos", "logto", "memory", "okta", "passage"} {
		assert.True(t, strings.Contains(err.Error(), b), "the message lists %s: %v", b, err)
	}
}

// TestErrorSaysEachThingOnce: a provider code that is only the HTTP
// status, as Kratos's mostly are, is not printed twice, and a Field that
// names the target printed beside it is not repeated.
func TestErrorSaysEachThingOnce(t *testing.T) {
	for _, c := range []struct {
		err  *identity.Error
		want string
	}{
		{&identity.Error{Code: identity.AlreadyExists, Backend: "kratos", Op: "CreateUser", HTTPStatus: 409, ProviderCode: "409", Message: "conflict"},
			"kratos: CreateUser: AlreadyExists: conflict [http 409]"},
		{&identity.Error{Code: identity.Unauthenticated, HTTPStatus: 401, ProviderCode: "E0000011"}, "Unauthenticated [http 401 E0000011]"},
		{&identity.Error{Code: identity.NotFound, UserID: "u1", Field: "user"}, `NotFound user "u1"`},
		{&identity.Error{Code: identity.NotFound, Role: "admin", UserID: "u1", Field: "role"}, `NotFound user "u1" role "admin"`},
		{&identity.Error{Code: identity.NotFound, Field: "user"}, "NotFound (user)"},
		{&identity.Error{Code: identity.NotFound, Organization: "o1", Field: "organization"}, `NotFound organization "o1"`},
	} {
		assert.Equal(t, c.want, c.err.Error())
	}
}
