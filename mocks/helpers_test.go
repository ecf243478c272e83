package mocks_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/idport/identity"
	_ "github.com/idport/identity/backends/kratos"
	_ "github.com/idport/identity/backends/logto"
	_ "github.com/idport/identity/backends/memory"
	_ "github.com/idport/identity/backends/okta"
	_ "github.com/idport/identity/backends/passage"
	"github.com/idport/identity/mocks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// reporter records what gomock reports, and stops the call at a fatal
// one, as a test's t would.
type reporter struct{ msgs []string }

type fatal struct{}

func (r *reporter) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *reporter) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}
func (r *reporter) Helper() {}

// failure runs call on a mock expecting expect, and returns what gomock
// said of the mismatch.
func failure(t *testing.T, expect func(*mocks.MockUserDirectory), call func(identity.UserDirectory)) string {
	t.Helper()
	rep := &reporter{}
	dir := mocks.NewMockUserDirectory(gomock.NewController(rep))
	expect(dir)
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(fatal); !ok {
					panic(p)
				}
			}
		}()
		call(dir)
	}()
	require.NotEmpty(t, rep.msgs, "gomock reported nothing")
	return strings.Join(rep.msgs, "\n")
}

func TestSecretEqShowsWhichSecretDiffers(t *testing.T) {
	const want, got = "the-right-Passw0rd", "the-wrong-Passw0rd"
	msg := failure(t, func(d *mocks.MockUserDirectory) {
		d.EXPECT().SetPassword(gomock.Any(), "u1", mocks.SecretEq(want))
	}, func(d identity.UserDirectory) { _ = d.SetPassword(context.Background(), "u1", got) })
	assert.Contains(t, msg, "Got: "+mocks.Fingerprint(identity.Secret(got)))
	assert.Contains(t, msg, "Want: is the secret "+mocks.Fingerprint(identity.Secret(want)))
	assert.NotContains(t, msg, want)
	assert.NotContains(t, msg, got)

	assert.True(t, mocks.SecretEq(want).Matches(identity.Secret(want)))
	assert.False(t, mocks.SecretEq(want).Matches(want), "a plain string is not a Secret")
}

func TestEqShowsFieldsAndFingerprints(t *testing.T) {
	const want, got = "the-right-Passw0rd", "wrong-Passw0rd"
	msg := failure(t, func(d *mocks.MockUserDirectory) {
		d.EXPECT().CreateUser(gomock.Any(), mocks.Eq(identity.NewUser{Email: "ada@example.com", Password: want}))
	}, func(d identity.UserDirectory) {
		_, _ = d.CreateUser(context.Background(), identity.NewUser{Email: "ada@example.com", Password: got})
	})
	assert.Contains(t, msg, `Got: identity.NewUser{Email:"ada@example.com" Password:`+mocks.Fingerprint(identity.Secret(got))+"}")
	assert.Contains(t, msg, `Want: is equal to identity.NewUser{Email:"ada@example.com" Password:`+mocks.Fingerprint(identity.Secret(want))+"}")
	assert.NotContains(t, msg, want)
	assert.NotContains(t, msg, got)

	name := "Ada L."
	msg = failure(t, func(d *mocks.MockUserDirectory) {
		d.EXPECT().UpdateUser(gomock.Any(), "u1", mocks.Eq(identity.UserUpdate{DisplayName: &name}))
	}, func(d identity.UserDirectory) {
		_, _ = d.UpdateUser(context.Background(), "u1", identity.UserUpdate{DisplayName: new("Ada"), Metadata: map[string]any{"key": identity.Secret(got)}})
	})
	assert.Contains(t, msg, `Got: identity.UserUpdate{DisplayName:&"Ada" Metadata:map["key":`+mocks.Fingerprint(identity.Secret(got))+"]}")
	assert.Contains(t, msg, `Want: is equal to identity.UserUpdate{DisplayName:&"Ada L."}`)
	assert.NotContains(t, msg, "0x", "no pointer prints as an address")
}

func TestEqMatchesAsGomockEq(t *testing.T) {
	u := identity.NewUser{Email: "a@example.com", Password: "pw", Metadata: map[string]any{"n": 1.0}}
	same := u
	same.Metadata = map[string]any{"n": 1.0}
	assert.True(t, mocks.Eq(u).Matches(same))
	same.Password = "other"
	assert.False(t, mocks.Eq(u).Matches(same))
	assert.True(t, mocks.Eq(nil).Matches(nil))
}

func TestFingerprint(t *testing.T) {
	a, b := mocks.Fingerprint(identity.Secret("one")), mocks.Fingerprint(identity.Secret("two"))
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, mocks.Fingerprint(identity.Secret("one")))
	assert.Regexp(t, `^\[REDACTED 3 bytes #[0-9a-f]{8}\]$`, a)
}

func TestUsersIterates(t *testing.T) {
	ada, grace := &identity.User{ID: "ada"}, &identity.User{ID: "grace"}
	var got []string
	for u, err := range mocks.Users(ada, grace) {
		require.NoError(t, err)
		got = append(got, u.ID)
	}
	assert.Equal(t, []string{"ada", "grace"}, got)
	for range mocks.Users(ada, grace) {
		break // stops without a panic
	}

	boom := errors.New("page 2")
	got, last := nil, error(nil)
	for u, err := range mocks.UsersThen(boom, ada) {
		if err != nil {
			last = err
			assert.Nil(t, u)
			continue
		}
		got = append(got, u.ID)
	}
	assert.Equal(t, []string{"ada"}, got)
	assert.Equal(t, boom, last)
}

func TestCapabilitiesOfABackend(t *testing.T) {
	ctx := context.Background()
	for url, check := range map[string]func(identity.Capabilities) bool{
		"memory://":                                    func(c identity.Capabilities) bool { return c.RoleCatalog && c.ExpirePassword },
		"okta://dev-1.okta.com":                        func(c identity.Capabilities) bool { return c.RoleCatalog && c.PendingCreate },
		"okta://dev-1.okta.com?roles=admin":            func(c identity.Capabilities) bool { return c.Roles && !c.RoleCatalog },
		"logto://tenant.logto.app":                     func(c identity.Capabilities) bool { return c.Organizations && !c.ExpirePassword },
		"kratos://kratos.example.com":                  func(c identity.Capabilities) bool { return !c.VerifyPassword },
		"passage://app1":                               func(c identity.Capabilities) bool { return !c.SetPassword && !c.Roles },
		"passage://app1?roles_field=roles&roles=admin": func(c identity.Capabilities) bool { return c.Roles },
	} {
		caps, err := mocks.CapabilitiesOf(ctx, url)
		require.NoError(t, err, url)
		assert.True(t, check(caps), "%s: %+v", url, caps)
	}
	_, err := mocks.CapabilitiesOf(ctx, "nope://x")
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
}

func TestMockWithCapabilities(t *testing.T) {
	caps, err := mocks.CapabilitiesOf(context.Background(), "okta://dev-1.okta.com?roles=admin")
	require.NoError(t, err)
	dir := mocks.NewMockUserDirectoryWith(gomock.NewController(t), caps)
	for range 3 {
		assert.Equal(t, caps, dir.Capabilities(), "stubbed for any number of calls")
	}
	c := dir.Capabilities()
	c.Statuses[0] = "changed"
	assert.Equal(t, caps, dir.Capabilities(), "each call's copy is the caller's")
}
