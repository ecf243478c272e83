package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
)

func TestPasswordFromStdin(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		want        identity.Secret
	}{
		{"a line", "horse staple\n", "horse staple"},
		{"a CRLF line", "horse staple\r\n", "horse staple"},
		{"no newline at the end", "horse staple", "horse staple"},
		{"only the first line", "first one\nsecond one\n", "first one"},
		{"spaces kept", "  spaced  \n", "  spaced  "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := t.Context()
			u, err := h.dir().CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
			require.NoError(t, err)
			h.stdin = tc.stdin
			out := h.ok("users", "set-password", u.ID, "--password-stdin")
			assert.NoError(t, h.dir().VerifyPassword(ctx, u.ID, tc.want))
			assert.NotContains(t, out, string(tc.want))

			h.stdin = tc.stdin
			out = h.ok("users", "create", "--email", "new@example.com", "--password-stdin", "--json")
			nu, err := h.dir().GetUserByEmail(ctx, "new@example.com")
			require.NoError(t, err)
			assert.NoError(t, h.dir().VerifyPassword(ctx, nu.ID, tc.want))
			assert.NotContains(t, out, string(tc.want))
		})
	}
}

func TestPasswordRefused(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	u, err := h.dir().CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	long := strings.Repeat("x", identity.MaxPasswordLen+1)
	huge := strings.Repeat("y", 10*maxLine)
	for _, tc := range []struct {
		name, stdin string
		code        int
	}{
		{"empty", "\n", exitInvalidArgument},
		{"no input", "", exitInvalidArgument},
		{"longer than any backend takes", long + "\n", exitInvalidArgument},
		{"unbounded", huge, exitInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.stdin = tc.stdin
			r := h.run("users", "set-password", u.ID, "--password-stdin")
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.NotContains(t, r.stderr, "xxxx", "the password is not quoted")
			assert.NotContains(t, r.stderr, "yyyy", "the password is not quoted")
			assert.Error(t, h.dir().VerifyPassword(ctx, u.ID, identity.Secret(strings.TrimSuffix(tc.stdin, "\n"))))
		})
	}
}

func TestPasswordPrompt(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	u, err := h.dir().CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)

	h.terminal = true
	h.passwords = [][]byte{[]byte("typed twice"), []byte("typed twice")}
	r := h.run("users", "set-password", u.ID)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NoError(t, h.dir().VerifyPassword(ctx, u.ID, "typed twice"))
	assert.Equal(t, "Password: \nPassword again: \n", r.stderr, "the prompts go to stderr, and the password is not echoed")
	assert.NotContains(t, r.stdout, "typed twice")
	assert.Empty(t, h.passwords, "asked twice")

	h.passwords = [][]byte{[]byte("one"), []byte("other")}
	r = h.run("users", "set-password", u.ID)
	assert.Equal(t, exitInvalidArgument, r.code)
	assert.Contains(t, r.stderr, "the two passwords differ")
	assert.NotContains(t, r.stderr, "one")
	assert.NoError(t, h.dir().VerifyPassword(ctx, u.ID, "typed twice"), "unchanged")

	h.passwords = [][]byte{[]byte("at create"), []byte("at create")}
	r = h.run("users", "create", "--email", "grace@example.com", "--password-prompt")
	require.Equal(t, 0, r.code, r.stderr)
	g, err := h.dir().GetUserByEmail(ctx, "grace@example.com")
	require.NoError(t, err)
	assert.NoError(t, h.dir().VerifyPassword(ctx, g.ID, "at create"))

	// Without a terminal there is nowhere to ask: a usage error, naming
	// the way that works.
	h.terminal = false
	r = h.run("users", "set-password", u.ID)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--password-stdin")
	r = h.run("users", "create", "--email", "alan@example.com", "--password-prompt")
	assert.Equal(t, exitUsage, r.code)
	_, err = h.dir().GetUserByEmail(ctx, "alan@example.com")
	assert.ErrorIs(t, err, identity.ErrNotFound, "nothing created")

	// No flag takes a password.
	r = h.run("users", "create", "--email", "alan@example.com", "--password", "hunter2")
	assert.Equal(t, exitUsage, r.code)
	assert.NotContains(t, r.stderr, "hunter2")
}
