package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
)

// seed gives the harness's memory directory three users: Ada with a
// password, a role and an organization role; Grace suspended; Alan with a
// phone. It labels them user-1 to user-3.
func seed(t *testing.T, h *harness) {
	t.Helper()
	ctx := t.Context()
	dir := h.dir()
	_, err := dir.CreateRole(ctx, identity.Role{Name: "editor", Description: "Edits documents"})
	require.NoError(t, err)
	org, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: "Acme"})
	require.NoError(t, err)
	_, err = dir.CreateOrganizationRole(ctx, identity.OrganizationRole{Name: "admin", Permissions: []string{"read:docs"}})
	require.NoError(t, err)
	ada, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Username: "lovelace", GivenName: "Ada", FamilyName: "Lovelace", Password: "analytical-engine",
		Metadata: map[string]any{"plan": "pro"}})
	require.NoError(t, err)
	require.NoError(t, dir.AssignRole(ctx, ada.ID, "editor"))
	require.NoError(t, dir.AddMembers(ctx, org.ID, ada.ID))
	require.NoError(t, dir.AssignOrganizationRole(ctx, org.ID, ada.ID, "admin"))
	grace, err := dir.CreateUser(ctx, identity.NewUser{Email: "grace@example.com", DisplayName: "Grace Hopper"})
	require.NoError(t, err)
	require.NoError(t, dir.SuspendUser(ctx, grace.ID))
	alan, err := dir.CreateUser(ctx, identity.NewUser{Email: "alan@example.com", Phone: "+14155550100"})
	require.NoError(t, err)
	for _, u := range []*identity.User{ada, grace, alan} {
		h.name(u.ID, "user")
	}
}

// newMemory adds a memory directory at url to the harness.
func (h *harness) newMemory(url string) *identity.Directory {
	h.t.Helper()
	d, err := memory.New(context.Background(), memory.Options{Hash: cheap, Now: clock()})
	require.NoError(h.t, err)
	h.t.Cleanup(func() { d.Close() })
	h.dirs[url] = d
	return d
}

func TestCopyMemoryToLogto(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret", Now: clock()})
	dstURL := logtoURL(srv)
	h.env[dstPrefix+logto.EnvAppID] = "m2m"
	h.env[dstPrefix+logto.EnvAppSecret] = "s3cret"
	journal := filepath.Join(t.TempDir(), "copy.journal")

	out := h.ok("copy", "memory://test", dstURL, "--journal", journal)
	h.goldenReport("copy-memory-logto", out)

	ctx := t.Context()
	dst, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	defer dst.Close()
	ada, err := dst.GetUserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	assert.NoError(t, dst.VerifyPassword(ctx, ada.ID, "analytical-engine"), "the password came over as its hash")
	roles, err := dst.ListUserRoles(ctx, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, []*identity.Role{{Name: "editor", Description: "Edits documents"}}, roles)
	grace, err := dst.GetUserByEmail(ctx, "grace@example.com")
	require.NoError(t, err)
	assert.Equal(t, identity.StatusSuspended, grace.Status)
	assert.NotContains(t, out, "analytical-engine")
	assert.NotContains(t, out, "$argon2", "no hash in the report")

	// A rerun skips what the journal says is done, and --json is the
	// whole report.
	var rep reportJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("copy", "memory://test", dstURL, "--journal", journal, "--json")), &rep))
	assert.Equal(t, 3, rep.Skipped)
	assert.Zero(t, rep.Created+rep.Conflicts+rep.Failed)
	require.Len(t, rep.Results, 3)
	for _, r := range rep.Results {
		assert.Equal(t, "skipped", r.Outcome)
		assert.NotEmpty(t, r.SourceID)
	}

	// Without the journal each user is found, not made again.
	require.NoError(t, json.Unmarshal([]byte(h.ok("copy", "memory://test", dstURL, "--json")), &rep))
	assert.Equal(t, 3, rep.Matched, "%+v", rep)
	n := 0
	for _, err := range dst.ListUsers(ctx, identity.ListOptions{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n, "no user twice")
}

// TestCopySameKind copies between two Logto tenants, whose credentials
// differ: each side's come from its prefixed variables, and the plain
// ones, set to another app's, reach neither.
func TestCopySameKind(t *testing.T) {
	h := newHarness(t)
	src := logtotest.NewServer(t, logtotest.Options{AppID: "src-app", AppSecret: "src-secret", Now: clock()})
	dst := logtotest.NewServer(t, logtotest.Options{AppID: "dst-app", AppSecret: "dst-secret", Now: clock()})
	ctx := t.Context()
	sdir, err := logto.New(ctx, logto.Options{Endpoint: src.URL, AppID: "src-app", AppSecret: "src-secret"})
	require.NoError(t, err)
	defer sdir.Close()
	_, err = sdir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Password: "pw-of-ada"})
	require.NoError(t, err)

	h.env[logto.EnvAppID] = "src-app"
	h.env[logto.EnvAppSecret] = "src-secret"
	r := h.run("copy", logtoURL(src), logtoURL(dst))
	assert.Equal(t, exitInvalidArgument, r.code, "the plain names serve neither side: %s", r.stderr)
	assert.Contains(t, r.stderr, "source: ")
	assert.NotContains(t, r.stderr, "src-secret")

	h.env[srcPrefix+logto.EnvAppID] = "src-app"
	h.env[srcPrefix+logto.EnvAppSecret] = "src-secret"
	r = h.run("copy", logtoURL(src), logtoURL(dst))
	assert.Equal(t, exitInvalidArgument, r.code, r.stderr)
	assert.Contains(t, r.stderr, "destination: ")

	h.env[logto.EnvAppID] = "wrong-app"
	h.env[logto.EnvAppSecret] = "wrong-secret"
	h.env[dstPrefix+logto.EnvAppID] = "dst-app"
	h.env[dstPrefix+logto.EnvAppSecret] = "dst-secret"
	var rep reportJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("copy", logtoURL(src), logtoURL(dst), "--json")), &rep))
	assert.Equal(t, 1, rep.Created)

	ddir, err := logto.New(ctx, logto.Options{Endpoint: dst.URL, AppID: "dst-app", AppSecret: "dst-secret"})
	require.NoError(t, err)
	defer ddir.Close()
	u, err := ddir.GetUserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	assert.NoError(t, ddir.VerifyPassword(ctx, u.ID, "pw-of-ada"))
}

func TestCopyConflictsAndFailures(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	ctx := t.Context()

	// Ada's email is held by another username: a conflict, exit 4.
	dst := h.newMemory("memory://dst")
	_, err := dst.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Username: "not-ada"})
	require.NoError(t, err)
	r := h.run("copy", "memory://test", "memory://dst")
	assert.Equal(t, exitAlreadyExists, r.code, r.stderr)
	assert.Equal(t, "identity copy: copy finished with 1 conflict; see the report\n", r.stderr)
	assert.Contains(t, h.normalise(r.stdout), "Conflicts and failures (1):\nSOURCE ID              OUTCOME   REASON\nuser-1...............  conflict  ")

	// A destination that cannot create users: failures, exit 10.
	h.dirs["memory://broken"] = identity.NewDirectory("memory", refusing{keepOpen{wrapOf(h.newMemory("memory://inner"))}})
	r = h.run("copy", "memory://test", "memory://broken", "--json")
	assert.Equal(t, exitPartial, r.code, r.stderr)
	assert.Contains(t, r.stderr, "copy finished with 3 failed and 0 conflicts")
	var rep reportJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), "the report is printed whole")
	assert.Equal(t, 3, rep.Failed)
	for _, res := range rep.Results {
		assert.Equal(t, "failed", res.Outcome)
		assert.Contains(t, res.Reason, "Internal")
	}
}

// refusing is a backend whose creates fail, as a provider's might.
type refusing struct{ keepOpen }

func (refusing) CreateUser(context.Context, identity.NewUser) (*identity.User, error) {
	return nil, &identity.Error{Code: identity.Internal, Message: "injected"}
}

func TestCopyDryRun(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	dst := h.newMemory("memory://dst")
	journal := filepath.Join(t.TempDir(), "j")
	out := h.ok("copy", "memory://test", "memory://dst", "--dry-run", "--journal", journal)
	assert.True(t, strings.HasPrefix(out, "Dry run: nothing was changed. What would be done:\nCREATED  MATCHED"), out)
	for _, err := range dst.ListUsers(t.Context(), identity.ListOptions{}) {
		require.NoError(t, err)
		t.Fatal("a dry run created a user")
	}
	_, err := os.Stat(journal)
	assert.ErrorIs(t, err, os.ErrNotExist, "a dry run writes no journal")
}

// TestCopyInterrupted: Ctrl-C part way stops the copy with the journal
// flushed and the partial report printed, exit 130; the same command
// then finishes the rest, and nobody is created twice.
func TestCopyInterrupted(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	const users = 24
	for i := range users {
		_, err := h.dir().CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("u%02d@example.com", i)})
		require.NoError(t, err)
	}
	inner := h.newMemory("memory://inner")
	run, cancel := context.WithCancel(ctx)
	h.dirs["memory://dst"] = identity.NewDirectory("memory", &cancelling{keepOpen: keepOpen{wrapOf(inner)}, after: 5, cancel: cancel})
	journal := filepath.Join(t.TempDir(), "copy.journal")

	r := h.runCtx(run, "copy", "memory://test", "memory://dst", "--journal", journal, "--concurrency", "2")
	require.Equal(t, exitInterrupted, r.code, r.stderr)
	assert.Contains(t, r.stderr, "interrupted; the report above is what was done; the same command with the same --journal resumes")
	assert.Contains(t, r.stdout, "CREATED  MATCHED", "the partial report")
	j, err := os.ReadFile(journal)
	require.NoError(t, err)
	assert.NotEmpty(t, j, "the journal was flushed")

	var rep reportJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("copy", "memory://test", "memory://dst", "--journal", journal, "--json")), &rep))
	assert.Equal(t, users, rep.Created+rep.Skipped+rep.Matched, "%+v", rep)
	assert.Positive(t, rep.Skipped, "the first run's work is not done again")
	n := 0
	for _, err := range inner.ListUsers(ctx, identity.ListOptions{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, users, n, "every user once")
}

// cancelling is a destination whose creates cancel the run after a few,
// as a Ctrl-C part way through would.
type cancelling struct {
	keepOpen
	after  int32
	n      atomic.Int32
	cancel context.CancelFunc
}

func (c *cancelling) CreateUser(ctx context.Context, u identity.NewUser) (*identity.User, error) {
	if c.n.Add(1) > c.after {
		c.cancel()
	}
	return c.keepOpen.CreateUser(ctx, u)
}

func TestExportImport(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "users.jsonl")

	r := h.run("export", "-o", file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "exported 3 users to "+file+"\n", r.stderr)
	st, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the file holds hashes: its owner's only")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Len(t, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"), 4, "a header and a line per user")
	assert.NotContains(t, string(b), "analytical-engine")

	r = h.run("export", "-o", file)
	assert.Equal(t, exitOther, r.code, "an export never replaces a file")
	assert.Contains(t, r.stderr, "file exists")

	h.terminal = true
	r = h.run("export")
	assert.Equal(t, exitUsage, r.code, "no hashes on a terminal")
	assert.Empty(t, r.stdout)
	h.terminal = false
	r = h.run("export")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, string(b), r.stdout, "without -o the file is stdout")

	dst := h.newMemory("memory://dst")
	out := h.ok("import", file, "--url", "memory://dst")
	h.goldenReport("import-identity", out)
	ada, err := dst.GetUserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	assert.NoError(t, dst.VerifyPassword(ctx, ada.ID, "analytical-engine"))
	orgs, err := dst.ListUserOrganizations(ctx, ada.ID)
	require.NoError(t, err)
	require.Len(t, orgs, 1)
	roles, err := dst.ListMemberRoles(ctx, orgs[0].ID, ada.ID)
	require.NoError(t, err)
	require.Len(t, roles, 1)
	assert.Equal(t, "admin", roles[0].Name)

	// From stdin, again: every user is found.
	h.stdin = string(b)
	var rep reportJSON
	require.NoError(t, json.Unmarshal([]byte(h.ok("import", "-", "--url", "memory://dst", "--json")), &rep))
	assert.Equal(t, 3, rep.Matched)

	h.stdin = "not the format\n"
	r = h.run("import", "-", "--url", "memory://dst")
	assert.Equal(t, exitInvalidArgument, r.code, r.stderr)
	assert.Contains(t, r.stderr, "line 1")

	r = h.run("import", filepath.Join(t.TempDir(), "missing"), "--url", "memory://dst")
	assert.Equal(t, exitOther, r.code)
}

func TestImportAuth0ToLogto(t *testing.T) {
	h, srv := logtoHarness(t)
	out := h.ok("import", "--from", "auth0", filepath.Join("testdata", "auth0-users.ndjson"))
	h.goldenReport("import-auth0-logto", out)

	ctx := t.Context()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	defer dir.Close()
	ada, err := dir.GetUserByUsername(ctx, "ada")
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", ada.Email)
	roles, err := dir.ListUserRoles(ctx, ada.ID)
	require.NoError(t, err)
	require.Len(t, roles, 1)
	assert.Equal(t, "admin", roles[0].Name, "app_metadata's roles became roles")
	bob, err := dir.GetUserByEmail(ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, identity.StatusSuspended, bob.Status, "blocked is suspended")
}

// The public example of Firebase's scrypt (github.com/firebase/scrypt):
// the project's parameters, and user1password's hash in the fixture.
const (
	firebaseSignerKey = "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
	firebaseSaltSep   = "Bw=="
)

func TestImportFirebase(t *testing.T) {
	h := newHarness(t)
	file := filepath.Join("testdata", "firebase-users.json")

	r := h.run("import", "--from", "firebase", file)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, EnvFirebaseSignerKey)

	h.env[EnvFirebaseSignerKey] = "not base64!" + firebaseSignerKey
	h.env[EnvFirebaseSaltSeparator] = firebaseSaltSep
	r = h.run("import", "--from", "firebase", file)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "$"+EnvFirebaseSignerKey+" is not base64")
	assert.NotContains(t, r.stderr, firebaseSignerKey, "the key is not quoted")

	h.env[EnvFirebaseSignerKey] = firebaseSignerKey
	r = h.run("import", "--from", "firebase", file, "--rounds", "0")
	assert.Equal(t, exitUsage, r.code)

	out := h.ok("import", "--from", "firebase", file)
	assert.NotContains(t, out, firebaseSignerKey)
	ctx := t.Context()
	u, err := h.dir().GetUserByEmail(ctx, "user1@example.com")
	require.NoError(t, err)
	assert.NoError(t, h.dir().VerifyPassword(ctx, u.ID, "user1password"), "Firebase's scrypt hash came over with the project's parameters")
	g, err := h.dir().GetUserByEmail(ctx, "grace@example.com")
	require.NoError(t, err)
	assert.Equal(t, identity.StatusSuspended, g.Status)

	r = h.run("import", "--from", "okta", file)
	assert.Equal(t, exitUsage, r.code)
}

// TestProgress: the bar is drawn on a terminal's stderr, with the count
// and the rate, and never anywhere else.
func TestProgress(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	for i := range 12 {
		_, err := h.dir().CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("u%02d@example.com", i)})
		require.NoError(t, err)
	}
	h.newMemory("memory://dst")
	h.terminal = true
	r := h.run("copy", "memory://test", "memory://dst")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "copying")
	assert.Regexp(t, `\(\d+/(12|-), \d+ users/(s|min|hr)\)`, r.stderr, "the count and the rate")
	assert.NotContains(t, r.stdout, "copying", "the bar is not in the report")

	h.terminal = false
	h.newMemory("memory://dst2")
	r = h.run("copy", "memory://test", "memory://dst2")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr, "no bar off a terminal")
}

func TestProgressBar(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, desc: "importing", on: true}
	p.update(0, 12, "")
	p.update(6, 12, "1 conflict")
	out := b.String()
	assert.Contains(t, out, "importing (1 conflict)  50%")
	assert.Regexp(t, `\(6/12, \d+ users/(s|min|hr)\)`, out, "the count and the rate")
	assert.Contains(t, out, "[0s:0s]", "the time taken and the time left")
	p.finish()
	assert.True(t, strings.HasSuffix(b.String(), "\r"), "the bar is cleared for the report")

	var s strings.Builder
	p = &progress{w: &s, desc: "exporting", on: true}
	p.update(3, -1, "")
	p.finish()
	assert.Regexp(t, `exporting \(\d+/-, \d+ users/(s|min|hr)\) \[0s\]`, s.String(), "no total: a count and a rate, no time left")
	assert.True(t, strings.HasSuffix(s.String(), "\r"), "the spinner is cleared for the report")
	n := s.Len()
	time.Sleep(250 * time.Millisecond)
	assert.Equal(t, n, s.Len(), "a finished spinner draws no more")

	b.Reset()
	p = &progress{w: &b, desc: "exporting"}
	p.update(3, 10, "")
	p.finish()
	assert.Empty(t, b.String(), "off a terminal, nothing")
}

// TestMemoryToOkta is the README's walkthrough: an application's memory
// directory exported to a file, which the command imports into Okta.
func TestMemoryToOkta(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: "okta-token"})
	oktaURL := "okta://" + strings.TrimPrefix(srv.URL, "http://") + "?insecure_http=true"
	h.env[okta.EnvAPIToken] = "okta-token"
	file := filepath.Join(t.TempDir(), "users.jsonl")
	r := h.run("export", "-o", file)
	require.Equal(t, 0, r.code, r.stderr)

	journal := filepath.Join(t.TempDir(), "okta.journal")
	out := h.ok("import", file, "--url", oktaURL, "--dry-run")
	h.goldenReport("import-memory-okta-dry-run", out)

	// Okta's default profile needs both names, which Grace and Alan
	// lack: they fail, and the rest is done.
	r = h.run("import", file, "--url", oktaURL, "--journal", journal, "--json")
	assert.Equal(t, exitPartial, r.code)
	assert.Equal(t, "identity import: import finished with 2 failed and 0 conflicts; see the report\n", r.stderr)
	var rep reportJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, 1, rep.Created)
	var failed []string
	for _, res := range rep.Results {
		if res.Outcome == "failed" {
			failed = append(failed, strings.TrimRight(h.normalise(res.SourceID), "."))
			assert.Contains(t, res.Reason, "InvalidArgument", "Okta refused the user as it stands")
		}
	}
	assert.Equal(t, []string{"user-2", "user-3"}, failed)

	// Given their names, a rerun with the journal does the two left.
	ctx := t.Context()
	for _, up := range []struct{ email, given, family string }{
		{"grace@example.com", "Grace", "Hopper"}, {"alan@example.com", "Alan", "Turing"},
	} {
		u, err := h.dir().GetUserByEmail(ctx, up.email)
		require.NoError(t, err)
		_, err = h.dir().UpdateUser(ctx, u.ID, identity.UserUpdate{GivenName: &up.given, FamilyName: &up.family})
		require.NoError(t, err)
	}
	require.NoError(t, os.Remove(file))
	r = h.run("export", "-o", file)
	require.Equal(t, 0, r.code, r.stderr)
	out = h.ok("import", file, "--url", oktaURL, "--journal", journal)
	h.goldenReport("import-memory-okta", out)
	assert.NotContains(t, out, "okta-token")

	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: "okta-token"})
	require.NoError(t, err)
	defer dir.Close()
	for _, email := range []string{"ada@example.com", "grace@example.com", "alan@example.com"} {
		_, err := dir.GetUserByEmail(ctx, email)
		assert.NoError(t, err, email)
	}
}
