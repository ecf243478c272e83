package okta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site is an emulator that records the requests it gets, with active
// users to aim at and a group, and a directory on it, through the
// portable layer and bare.
type site struct {
	dir    *identity.Directory
	raw    driver.Directory
	srv    *oktatest.Server
	rec    *hostiletest.Recorder
	target *identity.User
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{rec: &hostiletest.Recorder{}}
	s.dir, s.srv = emulated(t, oktatest.Options{NamesOptional: true, Middleware: s.rec.Wrap}, okta.Options{})
	s.raw = okta.RawDirectory(t, okta.Options{OrgURL: s.srv.URL, APIToken: testToken}, 1<<20)
	ctx := context.Background()
	for _, email := range []string{"target@example.com", "other@example.com", "o'brien+tag@example.com", "a&b@example.com"} {
		u, err := s.dir.CreateUser(ctx, identity.NewUser{Email: email, Password: pw})
		require.NoError(t, err)
		if s.target == nil {
			s.target = u
		}
	}
	_, err := s.dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	s.rec.Take()
	return s
}

// listed is a recorded request and, for a listing, how many users or
// groups the emulator answers it with; -1 for any other.
type listed struct {
	hostiletest.Recorded
	n int
}

// listings returns the requests recorded since the last call, so that a
// test can tell what a search expression matched on the server before
// the backend refines the page. It asks the emulator again to count,
// which changes nothing there.
func (s *site) listings(t *testing.T) []listed {
	t.Helper()
	var out []listed
	for _, r := range s.rec.Take() {
		l := listed{r, -1}
		if r.Method == http.MethodGet && (r.Path == "/api/v1/users" || r.Path == "/api/v1/groups") {
			req, err := http.NewRequest(http.MethodGet, s.srv.URL+r.Path+"?"+r.Query, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "SSWS "+testToken)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			var items []json.RawMessage
			if json.NewDecoder(resp.Body).Decode(&items) == nil {
				l.n = len(items)
			}
			resp.Body.Close()
		}
		out = append(out, l)
	}
	s.rec.Take() // the requests asked again
	return out
}

// TestRoleNamesMatchExactly: Okta's group names are unique ignoring
// case, and its group search matches prefixes; a role name resolves only
// to the group of exactly that name, never to one whose name it merely
// starts or matches but for case. The hostile names every backend meets
// are in TestKit/HostileRoleNamesNeverReachAPath.
func TestRoleNamesMatchExactly(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	_, err := s.dir.CreateRole(ctx, identity.Role{Name: "EDITOR"})
	assert.Error(t, err, "the name of another group but for case")
	for _, name := range []string{"edit", "EDITOR", "Every", "e", `x" or type eq "OKTA_GROUP`} {
		err := s.dir.AssignRole(ctx, s.target.ID, name)
		assert.ErrorIs(t, err, identity.ErrNotFound, name)
		var ie *identity.Error
		if assert.ErrorAs(t, err, &ie, name) {
			assert.Equal(t, name, ie.Role, name)
		}
	}
	roles, err := s.dir.ListUserRoles(ctx, s.target.ID)
	require.NoError(t, err)
	assert.Empty(t, roles)
}

// searchBreakers are values meant to end a search expression's string and
// add terms of their own.
var searchBreakers = []string{
	`x" or status eq "ACTIVE`, `x\" or status eq \"ACTIVE`, `") or (status eq "ACTIVE`, `" or "" eq "`,
	`x" or profile.email sw "`, `\`, `\\`, `"`, `""`, ` or `, `) or (`, `status eq "ACTIVE"`,
	`x") or (status eq "ACTIVE") or (profile.email co "x`, "x\u2028\u2029", "<&>", `\u0022 or status eq \u0022ACTIVE`,
}

// TestSearchValuesKeepTheirMeaning lists and looks users up with values
// full of search syntax, through the portable layer and, for emails and
// usernames the portable layer would refuse, straight to the backend:
// the emulator parses each expression as Okta would, and matches no
// user, where an expression the value had broken out of would match
// every active one or be refused as invalid.
func TestSearchValuesKeepTheirMeaning(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	allowed := []string{"search", "filter", "limit", "after"}
	noneMatched := func(label string) {
		t.Helper()
		ls := s.listings(t)
		require.NotEmpty(t, ls, label)
		for _, r := range ls {
			assert.Equal(t, "/api/v1/users", r.Path, label)
			assert.Zero(t, r.n, "%s: the emulator's search matched users", label)
			q, err := url.ParseQuery(r.Query)
			require.NoError(t, err, label)
			for k, vs := range q {
				assert.Contains(t, allowed, k, "%s: parameter %q", label, k)
				assert.Len(t, vs, 1, "%s: parameter %q", label, k)
			}
		}
	}
	for _, v := range searchBreakers {
		for u, err := range s.dir.ListUsers(ctx, identity.ListOptions{Query: v}) {
			require.NoError(t, err, v)
			t.Errorf("ListUsers(Query %q) gave %s", v, u.Email)
		}
		noneMatched("Query " + v)
		for name, o := range map[string]identity.ListOptions{
			"Email": {Email: v}, "Username": {Username: v}, "Query": {Query: v},
			"Email, deprovisioned": {Email: v, Status: identity.StatusDeprovisioned},
		} {
			page, err := s.raw.ListUsers(ctx, o, "")
			require.NoError(t, err, "%s %q", name, v)
			assert.Empty(t, page.Users, "%s %q", name, v)
			noneMatched(name + " " + v)
		}
		for _, by := range []driver.Identifier{driver.ByEmail, driver.ByUsername} {
			_, err := s.raw.FindUser(ctx, by, v)
			assert.ErrorIs(t, err, identity.ErrNotFound, "FindUser(%s, %q)", by, v)
			noneMatched(fmt.Sprintf("FindUser(%v, %q)", by, v))
		}
	}

	// Values with characters the grammar or the URL treats specially
	// still find the one user they name, and only that one.
	for _, email := range []string{"o'brien+tag@example.com", "a&b@example.com"} {
		got, err := s.dir.GetUserByEmail(ctx, email)
		require.NoError(t, err, email)
		assert.Equal(t, email, got.Email)
		got, err = s.raw.FindUser(ctx, driver.ByUsername, email)
		require.NoError(t, err, email)
		assert.Equal(t, email, got.Username)
		var found []string
		for u, err := range s.dir.ListUsers(ctx, identity.ListOptions{Query: email[:4]}) {
			require.NoError(t, err, email)
			found = append(found, u.Email)
		}
		assert.Equal(t, []string{email}, found)
		for _, r := range s.listings(t) {
			assert.Equal(t, 1, r.n, "%s: the emulator's search matched exactly the user", email)
		}
	}
}
