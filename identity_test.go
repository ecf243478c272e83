package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorIsMatchesCode(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &identity.Error{Code: identity.NotFound, Op: "GetUser"})
	assert.ErrorIs(t, err, identity.ErrNotFound)
	assert.NotErrorIs(t, err, identity.ErrAlreadyExists)
	assert.Equal(t, identity.NotFound, identity.CodeOf(err))
	assert.Equal(t, identity.Unknown, identity.CodeOf(errors.New("plain")))
	assert.Equal(t, identity.Unknown, identity.CodeOf(nil))
	assert.False(t, errors.Is(err, &identity.Error{Code: identity.NotFound}),
		"only sentinels are targets; two ordinary errors are not equal by code")
}

func TestErrorString(t *testing.T) {
	cases := []struct {
		err  *identity.Error
		want string
	}{
		{&identity.Error{Code: identity.NotFound}, "NotFound"},
		{&identity.Error{Code: identity.InvalidArgument, Op: "CreateUser", Backend: "memory", Field: "Email", Message: "bad"},
			"memory: CreateUser: InvalidArgument (Email): bad"},
		{&identity.Error{Code: identity.RateLimited, Op: "ListUsers", Backend: "okta", HTTPStatus: 429, ProviderCode: "E0000047", RequestID: "r1", Err: errors.New("cause")},
			"okta: ListUsers: RateLimited [http 429 E0000047 request r1]: cause"},
		{&identity.Error{Code: identity.Unsupported, Role: "admin", UserID: "u1"}, `Unsupported user "u1" role "admin"`},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}
	assert.Equal(t, "Code(99)", identity.Code(99).String())
	assert.Equal(t, "InvalidCredentials", identity.InvalidCredentials.String())
}

func TestSecretNeverShows(t *testing.T) {
	const canary = "canary-s3cret-value"
	s := identity.Secret(canary)
	nu := identity.NewUser{Email: "a@example.com", Password: s}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("create", "user", nu, "password", s)
	j, err := json.Marshal(nu)
	require.NoError(t, err)
	forms := []string{
		fmt.Sprint(s), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%10s", s, s, s, s, s, s, s),
		fmt.Sprintf("%v|%+v|%#v", nu, nu, &nu), string(j), buf.String(),
	}
	for _, f := range forms {
		assert.NotContains(t, f, canary)
	}
	assert.Equal(t, canary, string(s), "the value is there for the one place that needs it")
}

type fakeOpener struct{ got *url.URL }

func (f *fakeOpener) OpenDirectoryURL(_ context.Context, u *url.URL) (*identity.Directory, error) {
	f.got = u
	return nil, nil
}

func TestURLMux(t *testing.T) {
	var m identity.URLMux
	o := &fakeOpener{}
	m.Register("fake", o)
	m.Register("other", &fakeOpener{})
	assert.Equal(t, []string{"fake", "other"}, m.Schemes())

	_, err := m.Open(context.Background(), "FAKE://host?x=1")
	require.NoError(t, err)
	assert.Equal(t, "host", o.got.Host)

	_, err = m.Open(context.Background(), "nope://x")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "fake, other")
	assert.NotContains(t, err.Error(), "import", "no package of this module is named nope")

	_, err = m.Open(context.Background(), "okta://dev-1.okta.com")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	assert.Contains(t, err.Error(), `_ "github.com/idport/identity/backends/okta"`, "the missing import of a backend this module has")

	_, err = m.Open(context.Background(), "fake://user:hunter2@host")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "hunter2")

	_, err = m.Open(context.Background(), "://bad url hunter2")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "hunter2", "a malformed URL is not echoed")

	_, err = m.Open(context.Background(), "no-scheme")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)

	assert.Panics(t, func() { m.Register("fake", o) }, "a scheme registered twice is a start-up bug")
	assert.Panics(t, func() { m.Register("", o) })
}

func TestUserUpdateIsZero(t *testing.T) {
	assert.True(t, identity.UserUpdate{}.IsZero())
	assert.True(t, identity.UserUpdate{Metadata: map[string]any{}}.IsZero())
	assert.False(t, identity.UserUpdate{Email: new("")}.IsZero(), "clearing a field is a change")
}

func TestStatusValid(t *testing.T) {
	for _, s := range []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended, identity.StatusLocked, identity.StatusDeprovisioned} {
		assert.True(t, s.Valid(), s)
	}
	assert.False(t, identity.Status("").Valid())
	assert.False(t, identity.Status(strings.ToUpper("active")).Valid())
}
