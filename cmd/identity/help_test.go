package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk calls f with the path of every command in the tree, groups
// included, root first.
func walk(cmd *command, path []string, f func(path []string, cmd *command)) {
	f(path, cmd)
	for _, s := range cmd.subs {
		walk(s, append(path[:len(path):len(path)], s.name), f)
	}
}

func TestHelpEverywhere(t *testing.T) {
	h := newHarness(t)
	n := 0
	walk(root(), nil, func(path []string, cmd *command) {
		n++
		name := "identity " + strings.Join(path, " ")
		for _, form := range [][]string{
			append(path[:len(path):len(path)], "--help"),
			append(path[:len(path):len(path)], "-h"),
			append([]string{"help"}, path...),
		} {
			r := h.run(form...)
			assert.Equal(t, 0, r.code, "%v", form)
			assert.Empty(t, r.stderr, "%v", form)
			assert.Contains(t, r.stdout, "Usage: "+strings.TrimSpace(name), "%v", form)
			assert.Regexp(t, `Example:\n  (export .*\n  )?([A-Z_]+=\S+ )*identity `, r.stdout, "%v: every command's help shows an example", form)
			assert.NotEmpty(t, cmd.example, "%v", form)
		}
		if cmd.run != nil {
			// A leaf says what its flags are.
			r := h.run(append(path[:len(path):len(path)], "--help")...)
			assert.Contains(t, r.stdout, "Flags:\n", name)
			if name != "identity help" {
				assert.Contains(t, r.stdout, "--json", name)
			}
		}
	})
	assert.Greater(t, n, 30, "the walk reached every command")
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	walk(root(), nil, func(path []string, cmd *command) {
		if cmd.name == "help" {
			return
		}
		args := append(path[:len(path):len(path)], "--no-such-flag")
		if cmd.run == nil && len(path) > 0 {
			args = append(path[:len(path):len(path)], "no-such-command")
		}
		r := h.run(args...)
		assert.Equal(t, exitUsage, r.code, "%v", args)
		assert.Empty(t, r.stdout, "%v", args)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if assert.Len(t, lines, 1, "%v: a usage error is one line: %q", args, r.stderr) {
			assert.Contains(t, lines[0], "--help')", "%v: the line says where the usage is", args)
		}
	})

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users"}, "needs a command"},
		{[]string{"users", "get"}, "want one of ID, --email or --username"},
		{[]string{"users", "get", "a", "b"}, "too many arguments"},
		{[]string{"users", "update", "u1"}, "nothing to change"},
		{[]string{"users", "list", "extra"}, `takes no arguments, got "extra"`},
		{[]string{"users", "list", "--status", "gone"}, `--status "gone"`},
		{[]string{"users", "list", "--limit", "x"}, `invalid value "x" for flag -limit`},
		{[]string{"users", "create", "--email", "a@example.com", "--metadata", "[1]"}, "--metadata is not a JSON object"},
		{[]string{"users", "create", "--password-stdin", "--password-prompt"}, "exclude each other"},
		{[]string{"roles", "assign", "u1"}, "want USER_ID ROLE..."},
		{[]string{"orgs", "roles", "assign", "o1", "u1"}, "want ORG_ID USER_ID ROLE..."},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
	} {
		r := h.run(tc.args...)
		assert.Equal(t, exitUsage, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
	}

	r := h.run()
	assert.Equal(t, exitUsage, r.code, "no command at all")
	assert.Contains(t, r.stderr, "Usage: identity COMMAND", "the bare command prints its usage on stderr")
	assert.Empty(t, r.stdout)

	h.env[EnvURL] = ""
	r = h.run("users", "list")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "pass --url or set IDENTITY_URL")
}

func TestHelpTopics(t *testing.T) {
	h := newHarness(t)
	out := h.ok("help", "exit-codes")
	for _, code := range []int{exitOK, exitOther, exitUsage, exitNotFound, exitAlreadyExists, exitInvalidArgument,
		exitUnsupported, exitDenied, exitUnavailable, exitFailedPrecondition, exitPartial, exitInterrupted} {
		assert.Regexp(t, `(?m)^  `+strconv.Itoa(code)+` +\S`, out, "exit status %d is documented", code)
	}
	out = h.ok("help", "environment")
	for _, b := range backendEnv {
		for _, name := range b.names {
			assert.Contains(t, out, name)
		}
	}
	assert.Contains(t, out, "SRC_")
	assert.Contains(t, out, "DST_")
}

// TestExitCodesDocumented keeps the package doc's table of exit statuses
// the same as what "identity help exit-codes" prints.
func TestExitCodesDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(exitCodesHelp, "\n"), "\n")
	require.Greater(t, len(lines), 12)
	for _, l := range lines[2:] {
		assert.Contains(t, string(src), "//\t"+strings.TrimPrefix(l, "  ")+"\n", "the package doc has the line")
	}
}

// TestReadmeExamples runs the README's commands that need no provider, so
// that the set-up section stays true.
func TestReadmeExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "identity --url memory:// ") {
			continue
		}
		cmd, _, _ := strings.Cut(line, "#")
		args := strings.Fields(cmd)[1:]
		h := newHarness(t)
		h.env[EnvURL] = ""
		r := h.run(args...)
		assert.Equal(t, 0, r.code, "%s: %s", line, r.stderr)
		assert.Contains(t, r.stdout, "ID:", line)
		n++
	}
	assert.Positive(t, n, "the README has a command to try")
}
