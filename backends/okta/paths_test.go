package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile are ids and names meant to steer a request elsewhere: up the
// path, into the query or fragment, or past an escape.
var hostile = []string{
	"../admin", "..", ".", "./x", "%2F", "a%2Fb", "%252F", "a/b", "/", "x?y=1", "?", "x#frag", "#",
	"a b", " ", "ünï", "\u202e", "a\x00", "a\n", "a\\b", ";x", "a;b=c", "&x=1", "%", "%zz",
	"../../oauth2/v1/token", "../groups", "users", "lifecycle", "change_password", "a.b", "-", "_", "A-Z_0.9",
}

var (
	groupID      = regexp.MustCompile(`^00g[0-9A-Za-z]+$`)
	assignmentID = regexp.MustCompile(`^ra1[0-9A-Za-z]+$`)
)

// landed fails t unless every request went to a route, with userID as its
// user segment and an id the emulator made as its group or role
// assignment segment.
func landed(t *testing.T, label, userID string, reqs []hostiletest.Recorded) {
	t.Helper()
	for _, r := range reqs {
		ok := false
		for _, route := range oktaRoutes {
			vals, match := hostiletest.MatchRoute(r.Path, route)
			if !match {
				continue
			}
			ok = true
			switch route {
			case "/api/v1/groups/{}":
				assert.Regexp(t, groupID, vals[0], "%s: %s %s", label, r.Method, r.Path)
			case "/api/v1/groups/{}/users/{}":
				assert.Regexp(t, groupID, vals[0], "%s: %s %s", label, r.Method, r.Path)
				assert.Equal(t, userID, vals[1], "%s: %s %s: the id is one segment, intact", label, r.Method, r.Path)
			case "/api/v1/users/{}/roles/{}":
				assert.Regexp(t, assignmentID, vals[1], "%s: %s %s", label, r.Method, r.Path)
				fallthrough
			default:
				if len(vals) > 0 {
					assert.Equal(t, userID, vals[0], "%s: %s %s: the id is one segment, intact", label, r.Method, r.Path)
				}
			}
		}
		assert.True(t, ok, "%s: %s %s is not a route of the backend", label, r.Method, r.Path)
	}
}

// counter records how many users or groups each listing the emulator
// answered held, so that a test can tell what a search expression
// matched on the server, before the backend refines the page.
type counter struct {
	mu     sync.Mutex
	listed []int
}

func (c *counter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || (r.URL.Path != "/api/v1/users" && r.URL.Path != "/api/v1/groups") {
			next.ServeHTTP(w, r)
			return
		}
		tee := &recordingWriter{ResponseWriter: w}
		next.ServeHTTP(tee, r)
		var items []json.RawMessage
		n := -1 // an answer that is not a list
		if json.Unmarshal(tee.body.Bytes(), &items) == nil {
			n = len(items)
		}
		c.mu.Lock()
		c.listed = append(c.listed, n)
		c.mu.Unlock()
	})
}

// Take returns the counts recorded since the last Take.
func (c *counter) Take() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.listed
	c.listed = nil
	return out
}

type recordingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// site is an emulator that records the requests it gets and counts what
// its listings hold, with active users to aim at and a group, and
// directories on it in either role mode, through the portable layer and
// bare.
type site struct {
	dir, admin *identity.Directory
	raw        *directory
	rec        *hostiletest.Recorder
	count      *counter
	target     *identity.User
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{rec: &hostiletest.Recorder{}, count: &counter{}}
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: "okta-paths-token", NamesOptional: true,
		Middleware: func(h http.Handler) http.Handler { return s.rec.Wrap(s.count.Wrap(h)) }})
	ctx := context.Background()
	var err error
	s.dir, err = New(ctx, Options{OrgURL: srv.URL, APIToken: "okta-paths-token"})
	require.NoError(t, err)
	s.admin, err = New(ctx, Options{OrgURL: srv.URL, APIToken: "okta-paths-token", RoleMode: RoleModeAdmin})
	require.NoError(t, err)
	s.raw, err = newDirectory(Options{OrgURL: srv.URL, APIToken: "okta-paths-token"})
	require.NoError(t, err)
	for _, email := range []string{"target@example.com", "other@example.com", "o'brien+tag@example.com", "a&b@example.com"} {
		u, err := s.dir.CreateUser(ctx, identity.NewUser{Email: email, Password: "Sw0rdfish-Tuesday"})
		require.NoError(t, err)
		if s.target == nil {
			s.target = u
		}
	}
	_, err = s.dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	s.rec.Take()
	s.count.Take()
	return s
}

// TestHostileIDsStayInOneSegment calls every method that takes a user id,
// in both role modes, with ids meant to reach another path, and checks
// that each was either refused with InvalidArgument before any request,
// or sent as one escaped segment of the intended route.
func TestHostileIDsStayInOneSegment(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	ops := map[string]func(id string) error{
		"GetUser": func(id string) error { _, err := s.dir.GetUser(ctx, id); return err },
		"UpdateUser": func(id string) error {
			_, err := s.dir.UpdateUser(ctx, id, identity.UserUpdate{DisplayName: new("x")})
			return err
		},
		"UpdateUser removal": func(id string) error {
			_, err := s.dir.UpdateUser(ctx, id, identity.UserUpdate{Metadata: map[string]any{"k": nil}})
			return err
		},
		"DeleteUser":           func(id string) error { return s.dir.DeleteUser(ctx, id) },
		"SuspendUser":          func(id string) error { return s.dir.SuspendUser(ctx, id) },
		"ActivateUser":         func(id string) error { return s.dir.ActivateUser(ctx, id) },
		"SetPassword":          func(id string) error { return s.dir.SetPassword(ctx, id, "Sw0rdfish-1") },
		"VerifyPassword":       func(id string) error { return s.dir.VerifyPassword(ctx, id, "Sw0rdfish-1") },
		"ChangePassword":       func(id string) error { return s.dir.ChangePassword(ctx, id, "Sw0rdfish-1", "Sw0rdfish-2") },
		"ExpirePassword":       func(id string) error { return s.dir.ExpirePassword(ctx, id) },
		"ListUserRoles":        func(id string) error { _, err := s.dir.ListUserRoles(ctx, id); return err },
		"AssignRole":           func(id string) error { return s.dir.AssignRole(ctx, id, "editor") },
		"RevokeRole":           func(id string) error { return s.dir.RevokeRole(ctx, id, "editor") },
		"ListUserRoles, admin": func(id string) error { _, err := s.admin.ListUserRoles(ctx, id); return err },
		"AssignRole, admin":    func(id string) error { return s.admin.AssignRole(ctx, id, "USER_ADMIN") },
		"RevokeRole, admin":    func(id string) error { return s.admin.RevokeRole(ctx, id, "USER_ADMIN") },
	}
	var sent, refused []string
	for _, id := range hostile {
		for name, op := range ops {
			err := op(id)
			reqs := s.rec.Take()
			if identity.CodeOf(err) == identity.InvalidArgument {
				assert.Empty(t, reqs, "%s(%q) was refused, after sending requests", name, id)
				refused = append(refused, id)
				continue
			}
			assert.ErrorIs(t, err, identity.ErrNotFound, "%s(%q)", name, id)
			landed(t, name+"("+id+")", id, reqs)
			sent = append(sent, id)
		}
	}
	for _, id := range []string{".", "a.b", "users", "lifecycle", "change_password"} {
		assert.Contains(t, sent, id, "an odd but valid id is sent, escaped")
	}
	for _, id := range []string{"..", "../admin", "%2F", "a/b", "x?y=1", "x#frag", "a b", "ünï", "a\x00", "../../oauth2/v1/token"} {
		assert.Contains(t, refused, id, "refused before any request")
	}
}

// TestHostileRoleNamesNeverReachAPath creates, assigns, revokes and
// deletes roles whose names look like paths or search syntax: the name
// travels only in bodies and as the one value of q, a group's id from the
// server is what reaches a path, and only the group of exactly that name
// is used, never one whose name it merely starts.
func TestHostileRoleNamesNeverReachAPath(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	u := s.target
	names := append(slices.Clone(hostile), `x" or type eq "BUILT_IN`, `Every`, `EDITOR`, `edit`, `\`, `"`)
	var made []string
	for _, name := range names {
		_, err := s.dir.CreateRole(ctx, identity.Role{Name: name})
		if identity.CodeOf(err) == identity.InvalidArgument || name == "EDITOR" {
			// Okta's group names are unique ignoring case.
			assert.Error(t, err, name)
			s.rec.Take()
			continue
		}
		require.NoError(t, err, name)
		made = append(made, name)
		require.NoError(t, s.dir.AssignRole(ctx, u.ID, name), name)
		roles, err := s.dir.ListUserRoles(ctx, u.ID)
		require.NoError(t, err, name)
		assert.True(t, slices.ContainsFunc(roles, func(r *identity.Role) bool { return r.Name == name }), "the role %q is assigned, by its exact name", name)
		assert.Len(t, roles, 1, name)
		require.NoError(t, s.dir.RevokeRole(ctx, u.ID, name), name)
		require.NoError(t, s.dir.DeleteRole(ctx, name), name)
		reqs := s.rec.Take()
		landed(t, "role "+name, u.ID, reqs)
		for _, r := range reqs {
			if r.Path != "/api/v1/groups" || r.Method != http.MethodGet {
				continue
			}
			q, err := url.ParseQuery(r.Query)
			require.NoError(t, err, name)
			for k := range q {
				assert.Contains(t, []string{"q", "limit", "after"}, k, "%s: parameter %q", name, k)
			}
			assert.Equal(t, []string{name}, q["q"], "%s: the name is the one value of q", name)
		}
	}
	for _, name := range []string{"../../oauth2/v1/token", "x?y=1", "a/b", `x" or type eq "BUILT_IN`, `\`, `"`, "Every", "edit"} {
		assert.Contains(t, made, name)
	}

	// Names the server's prefix match finds, but that are not the name.
	for _, name := range []string{"edit", "EDITOR", "Every", "e", `x" or type eq "OKTA_GROUP`} {
		err := s.dir.AssignRole(ctx, u.ID, name)
		assert.ErrorIs(t, err, identity.ErrNotFound, name)
		var ie *identity.Error
		if assert.ErrorAs(t, err, &ie, name) {
			assert.Equal(t, name, ie.Role, name)
		}
	}
	roles, err := s.dir.ListUserRoles(ctx, u.ID)
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
		counts := s.count.Take()
		require.NotEmpty(t, counts, label)
		for _, n := range counts {
			assert.Zero(t, n, "%s: the emulator's search matched users", label)
		}
		for _, r := range s.rec.Take() {
			assert.Equal(t, "/api/v1/users", r.Path, label)
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
		for _, n := range s.count.Take() {
			assert.Equal(t, 1, n, "%s: the emulator's search matched exactly the user", email)
		}
		s.rec.Take()
	}
}

// TestServerIDsStayInTheirSegment: ids the server hands out, which the
// backend puts into paths, are held to what a segment may be: a group or
// role assignment listed with an empty id does not make a request to
// /api/v1/groups//users/{id}, the groups collection, or the user's roles
// collection.
func TestServerIDsStayInTheirSegment(t *testing.T) {
	srv := hostiletest.NewServer(t)
	user := `{"id":"u1","status":"ACTIVE","profile":{"login":"ada@example.com","email":"ada@example.com"},"credentials":{"password":{}}}`
	for _, c := range []struct {
		name string
		mode RoleMode
		list string
		call func(context.Context, *directory) error
	}{
		{"AssignRole", RoleModeGroups, `[{"id":"","type":"OKTA_GROUP","profile":{"name":"editor"}}]`,
			func(ctx context.Context, d *directory) error { return d.AssignRole(ctx, "u1", "editor") }},
		{"RevokeRole", RoleModeGroups, `[{"id":"","type":"OKTA_GROUP","profile":{"name":"editor"}}]`,
			func(ctx context.Context, d *directory) error { return d.RevokeRole(ctx, "u1", "editor") }},
		{"DeleteRole", RoleModeGroups, `[{"id":"","type":"OKTA_GROUP","profile":{"name":"editor"}}]`,
			func(ctx context.Context, d *directory) error { return d.DeleteRole(ctx, "editor") }},
		{"RevokeRole, admin", RoleModeAdmin, `[{"id":"","type":"USER_ADMIN","label":"Group Administrator"}]`,
			func(ctx context.Context, d *directory) error { return d.RevokeRole(ctx, "u1", "USER_ADMIN") }},
	} {
		var mu sync.Mutex
		var off []string
		ctx := srv.Round(t, 100, func(r *http.Request) hostiletest.Answer {
			if !onRoute(r.URL.EscapedPath()) {
				mu.Lock()
				off = append(off, r.Method+" "+r.URL.EscapedPath())
				mu.Unlock()
			}
			switch r.URL.Path {
			case "/api/v1/users/u1":
				return hostiletest.JSON(200, user)
			case "/api/v1/groups", "/api/v1/users/u1/roles":
				return hostiletest.JSON(200, c.list)
			}
			return hostiletest.Answer{Status: http.StatusNoContent}
		})
		d, err := newDirectory(Options{OrgURL: srv.URL, APIToken: "okta-paths-token", RoleMode: c.mode, HTTPOptions: identity.HTTPOptions{HTTPClient: srv.Client(), MaxAttempts: 1}})
		require.NoError(t, err)
		err = c.call(ctx, d)
		hostiletest.CheckError(t, c.name, err)
		mu.Lock()
		assert.Empty(t, off, "%s: requests off the backend's routes", c.name)
		mu.Unlock()
	}
}
