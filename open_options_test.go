package identity_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settingsOpener records what OpenDirectoryURLWith was given.
type settingsOpener struct {
	fakeOpener
	with   bool
	got    identity.OpenSettings
	secret identity.Secret
	err    error
}

func (o *settingsOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	o.with, o.got = true, s
	o.secret, o.err = s.LookupSecret(ctx, "FAKE_API_KEY")
	if o.err != nil {
		return nil, o.err
	}
	return o.OpenDirectoryURL(ctx, u)
}

func TestOpenPassesOptionsToTheOpener(t *testing.T) {
	ctx := context.Background()
	var m identity.URLMux
	o := &settingsOpener{}
	m.Register("fake", o)

	_, err := m.Open(ctx, "fake://host")
	require.NoError(t, err)
	assert.False(t, o.with, "without options the opener is called as before")

	logger := slog.New(slog.DiscardHandler)
	vault := map[string]identity.Secret{"FAKE_API_KEY": "from-the-vault"}
	_, err = m.Open(ctx, "fake://host",
		identity.WithHTTPOptions(identity.HTTPOptions{Logger: logger, Timeout: 5 * time.Second}),
		identity.WithSecrets(func(_ context.Context, name string) (identity.Secret, error) { return vault[name], nil }),
		nil, // ignored
	)
	require.NoError(t, err)
	require.True(t, o.with)
	require.NotNil(t, o.got.HTTP)
	assert.Same(t, logger, o.got.HTTP.Logger)
	assert.Equal(t, 5*time.Second, o.got.HTTP.Timeout)
	assert.Equal(t, identity.Secret("from-the-vault"), o.secret)
	assert.Equal(t, "host", o.fakeOpener.got.Host)
}

func TestOpenWithSecretsThatFail(t *testing.T) {
	ctx := context.Background()
	var m identity.URLMux
	o := &settingsOpener{}
	m.Register("fake", o)
	const canary = "vault-canary-7d1e"
	_, err := m.Open(ctx, "fake://host", identity.WithSecrets(func(context.Context, string) (identity.Secret, error) {
		return canary, errors.New("vault: sealed")
	}))
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.Unavailable, e.Code)
	assert.Equal(t, "FAKE_API_KEY", e.Field, "the secret's name, never its value")
	assert.Equal(t, "fake", e.Backend)
	assert.NotContains(t, err.Error(), canary)
	assert.Contains(t, err.Error(), "vault: sealed")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = m.Open(cctx, "fake://host", identity.WithSecrets(func(ctx context.Context, _ string) (identity.Secret, error) {
		return "", ctx.Err()
	}))
	assert.Equal(t, context.Canceled, err, "the context's own error, as it is")

	// Without a lookup there is nothing to find.
	s, err := identity.OpenSettings{}.LookupSecret(ctx, "FAKE_API_KEY")
	assert.NoError(t, err)
	assert.Empty(t, s)
}

func TestOpenOptionsNeedAnOpenerThatTakesThem(t *testing.T) {
	var m identity.URLMux
	m.Register("plain", &fakeOpener{})
	_, err := m.Open(context.Background(), "plain://host", identity.WithHTTPOptions(identity.HTTPOptions{}))
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.InvalidArgument, e.Code)
	assert.Equal(t, "opts", e.Field)
	assert.Contains(t, e.Message, "New", "says what to do instead")
}

func TestRegisterTwiceSaysWhatToDo(t *testing.T) {
	var m identity.URLMux
	m.Register("fake", &fakeOpener{})
	defer func() {
		msg, _ := recover().(string)
		assert.Contains(t, msg, "scheme fake registered twice")
		assert.Contains(t, msg, "identity.WithHTTPOptions", "names the way to configure a registered backend")
	}()
	m.Register("FAKE", &fakeOpener{})
	t.Error("a second Register of a scheme did not panic")
}
