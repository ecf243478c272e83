package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
)

// transcript runs command lines one after another and records each with
// what it printed and, when not 0, its exit status, as a terminal session
// would show them.
type transcript struct {
	h *harness
	b strings.Builder
}

// run runs args, with stdin when given, and returns the result; "{name}"
// in an argument is the id labelled name.
func (s *transcript) run(stdin string, args ...string) result {
	s.h.t.Helper()
	return s.record(false, stdin, args...)
}

// unordered runs a listing whose order is the ids' (Logto's
// organizations and members), which are random: its rows are recorded
// sorted by their labels.
func (s *transcript) unordered(args ...string) result {
	s.h.t.Helper()
	return s.record(true, "", args...)
}

func (s *transcript) record(sortRows bool, stdin string, args ...string) result {
	s.h.t.Helper()
	args = s.h.expand(args)
	s.h.stdin = stdin
	r := s.h.run(args...)
	if r.code == 0 && len(args) > 1 && args[1] == "create" && (args[0] == "users" || args[0] == "orgs") {
		s.h.labelOutput(strings.TrimSuffix(args[0], "s"), r.stdout)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	out := r.stdout
	if sortRows {
		lines := strings.Split(strings.TrimSuffix(s.h.normalise(out), "\n"), "\n")
		slices.Sort(lines[1:])
		out = strings.Join(lines, "\n") + "\n"
	}
	fmt.Fprintf(&s.b, "$ identity %s\n%s", strings.Join(quoted, " "), out)
	if r.stderr != "" {
		// A directory's error is recorded up to its code: the message
		// after it is the backend's wording, which this test is not of.
		fmt.Fprintf(&s.b, "[stderr] %s\n", errorHead.ReplaceAllString(strings.TrimSuffix(r.stderr, "\n"), "$1 ..."))
	}
	if r.code != 0 {
		fmt.Fprintf(&s.b, "[exit %d]\n", r.code)
	}
	s.b.WriteString("\n")
	return r
}

// shellQuote quotes a for a shell where it needs it, so that a
// transcript reads as what one would type.
func shellQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\n\"'{}$*?;&|<>()[]\\") {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// created runs a create that must succeed.
func (s *transcript) created(args ...string) {
	s.h.t.Helper()
	r := s.run("", args...)
	require.Equal(s.h.t, 0, r.code, "%v: %s", args, r.stderr)
}

var errorHead = regexp.MustCompile(`^(identity [a-z -]+: [a-z]+: [A-Za-z]+: [A-Za-z]+)\b.*$`)

var idLine = regexp.MustCompile(`(?m)^ID:\s+(\S+)$`)

// labelOutput labels the id of a field-by-field printout and returns it.
func (h *harness) labelOutput(kind, out string) string {
	h.t.Helper()
	m := idLine.FindStringSubmatch(out)
	require.NotNil(h.t, m, "no ID line in %q", out)
	h.name(m[1], kind)
	return m[1]
}

// expand replaces "{name}" in each argument with the id labelled name.
func (h *harness) expand(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		for _, l := range h.labels {
			a = strings.ReplaceAll(a, "{"+strings.TrimRight(l.name, ".")+"}", l.id)
		}
		out[i] = a
	}
	return out
}

// session is the scripted session the golden tests record, the same over
// every backend: what a backend cannot do shows as its error and exit
// status.
func session(t *testing.T, h *harness) string {
	s := &transcript{h: h}
	s.created("users", "create", "--email", "ada@example.com", "--username", "ada", "--given-name", "Ada", "--family-name", "Lovelace",
		"--metadata", `{"plan":"pro","seats":3}`)
	r := s.run("correct horse battery staple\n", "users", "create", "--email", "grace@example.com", "--display-name", "Grace Hopper", "--password-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	s.created("users", "create", "--email", "alan@example.com", "--given-name", "Alan", "--phone", "+14155550100")
	s.run("", "users", "list")
	s.run("", "users", "list", "--query", "a", "--limit", "2")
	s.run("", "users", "get", "{user-1}")
	s.run("", "users", "get", "--email", "GRACE@example.com")
	s.run("", "users", "update", "{user-1}", "--display-name", "Ada L.", "--metadata", `{"seats":null,"team":"analytical"}`)
	s.run("", "users", "suspend", "{user-3}")
	s.run("", "users", "list", "--status", "suspended")
	s.run("", "users", "activate", "{user-3}")
	s.run("new password\n", "users", "set-password", "{user-3}", "--password-stdin")
	s.run("", "users", "create", "--email", "ada@example.com")
	s.run("", "users", "create", "--email", "not an email")
	s.run("", "users", "create", "--email", "pat@example.com", "--pending")

	s.run("", "roles", "create", "editor", "--description", "Edits documents")
	s.run("", "roles", "create", "viewer")
	s.run("", "roles", "list")
	s.run("", "roles", "assign", "{user-1}", "editor", "viewer")
	s.run("", "roles", "revoke", "{user-1}", "viewer")
	s.run("", "roles", "list", "--user", "{user-1}")
	s.run("", "roles", "assign", "{user-1}", "nobody")

	s.created("orgs", "create", "Acme", "--description", "Acme Corp.", "--metadata", `{"tier":"gold"}`)
	s.created("orgs", "create", "Globex")
	s.unordered("orgs", "list")
	s.run("", "orgs", "update", "{org-2}", "--description", "Globex Corporation")
	s.run("", "orgs", "members", "add", "{org-1}", "{user-1}", "{user-2}")
	s.unordered("orgs", "members", "list", "{org-1}")
	s.run("", "orgs", "roles", "create", "admin", "--description", "Runs the tenant", "--permission", "write:docs", "--permission", "read:docs")
	s.run("", "orgs", "roles", "create", "member")
	s.run("", "orgs", "roles", "list")
	s.run("", "orgs", "roles", "assign", "{org-1}", "{user-1}", "admin", "member")
	s.run("", "orgs", "roles", "revoke", "{org-1}", "{user-1}", "member")
	s.run("", "orgs", "members", "roles", "{org-1}", "{user-1}")
	s.run("", "orgs", "roles", "assign", "{org-1}", "{user-3}", "admin")
	s.run("", "orgs", "members", "remove", "{org-1}", "{user-2}")
	s.run("", "orgs", "get", "{org-1}")
	s.run("", "orgs", "delete", "{org-2}")
	s.run("", "orgs", "get", "{org-2}")
	s.run("", "orgs", "roles", "delete", "member")
	s.run("", "roles", "delete", "viewer")

	s.run("", "users", "delete", "{user-2}")
	s.run("", "users", "get", "{user-2}")
	return s.b.String()
}

func TestSessionMemory(t *testing.T) {
	h := newHarness(t)
	out := session(t, h)
	h.golden("session-memory", out)

	// The session's passwords reached the directory, and no output.
	ctx := t.Context()
	dir := h.dir()
	alan, err := dir.GetUserByEmail(ctx, "alan@example.com")
	require.NoError(t, err)
	assert.NoError(t, dir.VerifyPassword(ctx, alan.ID, "new password"))
	assert.NotContains(t, out, "new password")
	assert.NotContains(t, out, "correct horse")
}

// TestJSON parses back what --json prints and checks it against the
// directory.
func TestJSON(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	dir := h.dir()
	var created userJSON
	h.stdin = "s3cret-Passw0rd\n"
	require.NoError(t, json.Unmarshal([]byte(h.ok("users", "create", "--json", "--email", "ada@example.com", "--given-name", "Ada",
		"--metadata", `{"plan":"pro","n":2}`, "--password-stdin")), &created))
	u, err := dir.GetUserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, toUserJSON(u), created)
	assert.Equal(t, map[string]any{"plan": "pro", "n": 2.0}, created.Metadata)
	assert.NoError(t, dir.VerifyPassword(ctx, u.ID, "s3cret-Passw0rd"))
	for i := range 3 {
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("u%d@example.com", i), Username: fmt.Sprintf("u%d", i)})
		require.NoError(t, err)
	}

	var listed []userJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("users", "list", "--json")), &listed))
	var want []userJSON
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{}) {
		require.NoError(t, err)
		want = append(want, toUserJSON(u))
	}
	assert.Equal(t, want, listed)
	require.Len(t, listed, 4)
	assert.Equal(t, "2026-03-14 15:09", when(*listed[0].CreatedAt))

	// The flags may come before the command, and --json anywhere.
	var got userJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("--json", "users", "get", u.ID)), &got))
	assert.Equal(t, created, got)
	require.NoError(t, json.Unmarshal([]byte(h.ok("users", "get", "--username", "u1", "--json")), &got))
	assert.Equal(t, "u1@example.com", got.Email)

	var empty []userJSON
	out := h.ok("users", "list", "--json", "--query", "nobody")
	assert.Equal(t, "[]\n", out)
	require.NoError(t, json.Unmarshal([]byte(out), &empty))

	var roles []roleJSON
	h.ok("roles", "create", "editor", "--description", "Edits")
	require.NoError(t, json.Unmarshal([]byte(h.ok("roles", "assign", u.ID, "editor", "--json")), &roles))
	assert.Equal(t, []roleJSON{{Name: "editor", Description: "Edits"}}, roles)

	var org orgJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("orgs", "create", "Acme", "--json", "--metadata", `{"tier":"gold"}`)), &org))
	o, err := dir.GetOrganization(ctx, org.ID)
	require.NoError(t, err)
	assert.Equal(t, toOrgJSON(o), org)
	var orgs []orgJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("orgs", "list", "--json")), &orgs))
	assert.Equal(t, []orgJSON{org}, orgs)

	assert.Empty(t, h.ok("orgs", "members", "add", org.ID, u.ID, "--json"), "a command without a result prints nothing with --json")
	var members []userJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("orgs", "members", "list", org.ID, "--json")), &members))
	require.Len(t, members, 1)
	assert.Equal(t, u.ID, members[0].ID)

	var orgRoles []orgRoleJSON
	h.ok("orgs", "roles", "create", "admin", "--permission", "read:docs")
	require.NoError(t, json.Unmarshal([]byte(h.ok("orgs", "roles", "assign", org.ID, u.ID, "admin", "--json")), &orgRoles))
	assert.Equal(t, []orgRoleJSON{{Name: "admin", Permissions: []string{"read:docs"}}}, orgRoles)
}

// TestExitCodes gives each class of error its status.
func TestExitCodes(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	u, err := h.dir().CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	require.NoError(t, err)
	org, err := h.dir().CreateOrganization(ctx, identity.NewOrganization{Name: "Acme"})
	require.NoError(t, err)
	_, err = h.dir().CreateOrganizationRole(ctx, identity.OrganizationRole{Name: "admin"})
	require.NoError(t, err)
	h.dirs["memory://no-roles"] = withCaps(t, h.dir(), func(c *identity.Capabilities) { c.Roles, c.RoleCatalog = false, false })

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"ok", []string{"users", "get", u.ID}, exitOK},
		{"usage", []string{"users", "get"}, exitUsage},
		{"not found", []string{"users", "get", "unobody"}, exitNotFound},
		{"already exists", []string{"users", "create", "--email", "ADA@example.com"}, exitAlreadyExists},
		{"invalid argument", []string{"users", "create", "--email", "@"}, exitInvalidArgument},
		{"unsupported", []string{"roles", "list", "--url", "memory://no-roles"}, exitUnsupported},
		{"failed precondition", []string{"orgs", "roles", "assign", org.ID, u.ID, "admin"}, exitFailedPrecondition},
		{"unknown scheme", []string{"users", "list", "--url", "nosuch://x"}, exitInvalidArgument},
		{"credentials missing", []string{"users", "list", "--url", "okta://dev-1.okta.com"}, exitInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.run(tc.args...)
			assert.Equal(t, tc.code, r.code, "stderr %q", r.stderr)
			if tc.code != exitOK {
				assert.Regexp(t, `^identity [a-z ]+: .+\n$`, r.stderr, "one line on stderr")
			}
		})
	}

	// Codes only a provider gives, through a directory whose calls fail
	// with them.
	for code, want := range map[identity.Code]int{
		identity.Unauthenticated:    exitDenied,
		identity.PermissionDenied:   exitDenied,
		identity.Unavailable:        exitUnavailable,
		identity.RateLimited:        exitUnavailable,
		identity.Internal:           exitOther,
		identity.InvalidCredentials: exitOther,
	} {
		h.dirs["memory://failing"] = identity.NewDirectory("memory", failing{keepOpen{wrapOf(h.dir())}, code})
		r := h.run("users", "get", u.ID, "--url", "memory://failing")
		assert.Equal(t, want, r.code, "%v: %s", code, r.stderr)
		assert.Contains(t, r.stderr, code.String())
	}

	cancelled, cancel := contextWithCancel(t)
	cancel()
	r := h.runCtx(cancelled, "users", "list")
	assert.Equal(t, exitInterrupted, r.code)
	assert.Equal(t, "identity users list: interrupted\n", r.stderr)
}

// logtoHarness is a harness whose IDENTITY_URL is a Logto emulator on the
// fixed clock, opened by the real opener with its secrets from the
// environment the harness gives.
func logtoHarness(t *testing.T) (*harness, *logtotest.Server) {
	h := newHarness(t)
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret", Now: clock()})
	h.env[EnvURL] = logtoURL(srv)
	h.env[logto.EnvAppID] = "m2m"
	h.env[logto.EnvAppSecret] = "s3cret"
	return h, srv
}

func logtoURL(srv *logtotest.Server) string {
	return "logto://" + strings.TrimPrefix(srv.URL, "http://") + "?insecure_http=true"
}

func TestSessionLogto(t *testing.T) {
	h, srv := logtoHarness(t)
	out := session(t, h)
	h.golden("session-logto", out)

	ctx := t.Context()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	defer dir.Close()
	alan, err := dir.GetUserByEmail(ctx, "alan@example.com")
	require.NoError(t, err)
	assert.NoError(t, dir.VerifyPassword(ctx, alan.ID, "new password"), "the password given on stdin is the user's")
	assert.NotContains(t, out, "s3cret")
	assert.NotContains(t, out, "correct horse")
}
