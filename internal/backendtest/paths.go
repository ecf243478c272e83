package backendtest

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/idport/identity"
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
	"users", "a.b", "-", "_", "A-Z_0.9",
}

// validID is the portable layer's rule for ids: letters, digits, '-',
// '_' and '.', without "..".
var validID = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// route is one of a backend's Routes, parsed.
type route struct {
	template string           // with "{}" for every variable segment
	segments []*regexp.Regexp // nil for a user id
}

func parseRoutes(b *Backend) []route {
	var out []route
	for _, r := range b.Routes {
		var segs []*regexp.Regexp
		parts := strings.Split(r, "/")
		for i, p := range parts {
			if !strings.HasPrefix(p, "{") || !strings.HasSuffix(p, "}") {
				continue
			}
			var re *regexp.Regexp
			if p != "{user}" {
				re = regexp.MustCompile("^" + p[1:len(p)-1] + "$")
			}
			segs = append(segs, re)
			parts[i] = "{}"
		}
		out = append(out, route{strings.Join(parts, "/"), segs})
	}
	return out
}

// onRoute reports whether an escaped path has the shape of one of b's
// routes, with no empty, "." or ".." segment.
func onRoute(routes []route, escapedPath string) bool {
	for _, r := range routes {
		if _, ok := hostiletest.MatchRoute(escapedPath, r.template); ok {
			return true
		}
	}
	return false
}

// landed fails t unless every request went to one of b's routes, with
// userID as its user segment and ids the server made in the others.
func landed(t *testing.T, routes []route, label, userID string, reqs []hostiletest.Recorded) {
	t.Helper()
	for _, r := range reqs {
		ok := false
		for _, rt := range routes {
			vals, match := hostiletest.MatchRoute(r.Path, rt.template)
			if !match {
				continue
			}
			ok = true
			for i, v := range vals {
				if re := rt.segments[i]; re != nil {
					assert.Regexp(t, re, v, "%s: %s %s: a server-made id", label, r.Method, r.Path)
				} else {
					assert.Equal(t, userID, v, "%s: %s %s: the id is one segment, intact", label, r.Method, r.Path)
				}
			}
		}
		assert.True(t, ok, "%s: %s %s is not a route of the backend", label, r.Method, r.Path)
	}
}

// recorded starts an emulator in mode that records the requests it gets,
// with a user to aim at and, where roles are created, the role "editor";
// it returns the name of a role that exists.
func recorded(t *testing.T, b *Backend, m Mode) (*identity.Directory, *hostiletest.Recorder, *identity.User, string) {
	t.Helper()
	rec := &hostiletest.Recorder{}
	s := start(t, b, siteOptions{outer: []func(http.Handler) http.Handler{rec.Wrap}, mode: m.Name})
	dir := s.open(t, "", identity.HTTPOptions{})
	ctx := context.Background()
	nu := identity.NewUser{Email: "target@example.com"}
	if m.Capabilities.SetPassword {
		nu.Password = password
	}
	u, err := dir.CreateUser(ctx, nu)
	require.NoError(t, err)
	role := m.Role
	if role == "" && m.Capabilities.RoleCatalog {
		role = "editor"
		_, err = dir.CreateRole(ctx, identity.Role{Name: role})
		require.NoError(t, err)
	}
	rec.Take()
	return dir, rec, u, role
}

// hostileIDsStayInOneSegment calls every method that takes a user id,
// in every mode, with ids meant to reach another path, and checks that
// each was refused with InvalidArgument before any request exactly when
// the portable rule for ids refuses it, and otherwise sent as one escaped
// segment of the intended route.
func hostileIDsStayInOneSegment(t *testing.T, b *Backend) {
	routes := parseRoutes(b)
	ctx := context.Background()
	for _, m := range b.Modes {
		dir, rec, _, role := recorded(t, b, m)
		caps := m.Capabilities
		ops := map[string]func(id string) error{
			"GetUser":      func(id string) error { _, err := dir.GetUser(ctx, id); return err },
			"DeleteUser":   func(id string) error { return dir.DeleteUser(ctx, id) },
			"SuspendUser":  func(id string) error { return dir.SuspendUser(ctx, id) },
			"ActivateUser": func(id string) error { return dir.ActivateUser(ctx, id) },
			"UpdateUser": func(id string) error {
				up := identity.UserUpdate{Metadata: map[string]any{"plan": "x"}}
				if caps.DisplayName {
					up = identity.UserUpdate{DisplayName: new("x")}
				}
				_, err := dir.UpdateUser(ctx, id, up)
				return err
			},
		}
		if caps.Metadata {
			ops["UpdateUser removal"] = func(id string) error {
				_, err := dir.UpdateUser(ctx, id, identity.UserUpdate{Metadata: map[string]any{"plan": nil}})
				return err
			}
		}
		if caps.SetPassword {
			ops["SetPassword"] = func(id string) error { return dir.SetPassword(ctx, id, password) }
		}
		if caps.VerifyPassword {
			ops["VerifyPassword"] = func(id string) error { return dir.VerifyPassword(ctx, id, password) }
		}
		if caps.ChangePassword {
			ops["ChangePassword"] = func(id string) error { return dir.ChangePassword(ctx, id, password, password+"-2") }
		}
		if caps.ExpirePassword {
			ops["ExpirePassword"] = func(id string) error { return dir.ExpirePassword(ctx, id) }
		}
		if caps.Roles {
			ops["ListUserRoles"] = func(id string) error { _, err := dir.ListUserRoles(ctx, id); return err }
			ops["AssignRole"] = func(id string) error { return dir.AssignRole(ctx, id, role) }
			ops["RevokeRole"] = func(id string) error { return dir.RevokeRole(ctx, id, role) }
		}
		for _, id := range append(hostile, b.Hostile...) {
			for name, op := range ops {
				label := m.Name + " " + name + "(" + id + ")"
				err := op(id)
				reqs := rec.Take()
				if !validID.MatchString(id) || strings.Contains(id, "..") {
					assert.ErrorIs(t, err, identity.ErrInvalidArgument, label)
					assert.Empty(t, reqs, "%s was refused, after sending requests", label)
					continue
				}
				assert.ErrorIs(t, err, identity.ErrNotFound, label)
				assert.NotEmpty(t, reqs, "%s: an odd but valid id is sent, escaped", label)
				landed(t, routes, label, id, reqs)
			}
		}
	}
	for _, id := range append([]string{".", "a.b", "users"}, b.Sent...) {
		assert.True(t, validID.MatchString(id) && !strings.Contains(id, ".."), "%q is one of the ids the test proves are sent", id)
	}
}

// hostileRoleNamesNeverReachAPath creates, assigns, revokes and deletes,
// in every mode whose roles are created, roles whose names look like
// paths: the name travels only in bodies and queries (as the one value of
// its parameter, where the backend looks roles up by name), and ids that
// reach a path come from the server.
func hostileRoleNamesNeverReachAPath(t *testing.T, b *Backend) {
	routes := parseRoutes(b)
	ctx := context.Background()
	ran := false
	for _, m := range b.Modes {
		if !m.Capabilities.RoleCatalog {
			continue
		}
		ran = true
		dir, rec, u, _ := recorded(t, b, m)
		var made []string
		for _, name := range append(append(hostile, b.Hostile...), b.RoleNames...) {
			label := m.Name + " role " + name
			_, err := dir.CreateRole(ctx, identity.Role{Name: name})
			if identity.CodeOf(err) == identity.InvalidArgument {
				assert.Empty(t, rec.Take(), "%s was refused, after sending requests", label)
				continue
			}
			require.NoError(t, err, label)
			made = append(made, name)
			require.NoError(t, dir.AssignRole(ctx, u.ID, name), label)
			roles, err := dir.ListUserRoles(ctx, u.ID)
			require.NoError(t, err, label)
			if assert.Len(t, roles, 1, label) {
				assert.Equal(t, name, roles[0].Name, "%s is assigned, by its exact name", label)
			}
			require.NoError(t, dir.RevokeRole(ctx, u.ID, name), label)
			require.NoError(t, dir.DeleteRole(ctx, name), label)
			reqs := rec.Take()
			landed(t, routes, label, u.ID, reqs)
			if q := b.RoleQuery; q.Path != "" {
				for _, r := range reqs {
					if r.Method == http.MethodGet && r.Path == q.Path {
						CheckQuery(t, label, r, q.Allowed, q.Param, name)
					}
				}
			}
		}
		for _, name := range append([]string{"x?y=1", "a/b"}, b.Hostile...) {
			assert.Contains(t, made, name, "%s: a role may have any name", m.Name)
		}
	}
	if !ran {
		t.Skip("no mode of the backend creates roles")
	}
}

// CheckQuery fails t unless r's query has only allowed parameters, each
// once, and, where param is set, want as the one value of param.
func CheckQuery(t *testing.T, label string, r hostiletest.Recorded, allowed []string, param, want string) {
	t.Helper()
	q, err := url.ParseQuery(r.Query)
	require.NoError(t, err, label)
	for k, vs := range q {
		assert.Contains(t, allowed, k, "%s: parameter %q", label, k)
		assert.Len(t, vs, 1, "%s: parameter %q", label, k)
	}
	if param != "" {
		assert.Equal(t, []string{want}, q[param], label)
	}
}

// queryValuesStayValues looks users up by emails, usernames and search
// text full of query syntax: each reaches the listing route with only the
// parameters the backend sends there, each once, and, where the backend
// says what the value becomes, as the one value of its parameter.
func queryValuesStayValues(t *testing.T, b *Backend) {
	dir, rec, _, _ := recorded(t, b, b.Modes[0])
	ctx := context.Background()
	q := b.Query
	check := func(label, param, want string) {
		t.Helper()
		reqs := rec.Take()
		require.NotEmpty(t, reqs, label)
		for _, r := range reqs {
			require.Equal(t, q.Path, r.Path, label)
			CheckQuery(t, label, r, q.Allowed, param, want)
		}
	}
	value := func(f func(string) string, v string) string {
		if f == nil {
			return ""
		}
		return f(v)
	}
	param := func(p string, f func(string) string) string {
		if f == nil {
			return ""
		}
		return p
	}
	for _, email := range []string{"a&b=c@example.com", "a#b@example.com", "a?b@example.com", "a%2Fb@example.com", "a+b@example.com",
		"a/b@example.com", "a=b&page_size=1000@example.com", "a=b&limit=1000@example.com"} {
		_, err := dir.GetUserByEmail(ctx, email)
		assert.ErrorIs(t, err, identity.ErrNotFound, email)
		check(email, param(q.Email, q.Value), value(q.Value, email))
	}
	if b.Modes[0].Capabilities.Username {
		for _, username := range []string{"a+b", "a@b", "a.b", "x_y-z"} {
			_, err := dir.GetUserByUsername(ctx, username)
			assert.ErrorIs(t, err, identity.ErrNotFound, username)
			check(username, param(q.Username, q.Value), value(q.Value, username))
		}
	}
	for _, s := range []string{"&mode=posix", "&status=active", "#x", "a+b", "%", "_", "?page=2", `" or "" eq "`} {
		for _, err := range dir.ListUsers(ctx, identity.ListOptions{Query: s}) {
			require.NoError(t, err, s)
		}
		check(s, param(q.Search, q.SearchValue), value(q.SearchValue, s))
	}
}

// ServerID is a case of ServerIDsStayInTheirSegment: a call whose
// requests are answered with ids the server made, empty or hostile, that
// the call then puts into a path.
type ServerID struct {
	Name string
	// Mode is the Mode.Name of the directory.
	Mode string
	// Answers maps a request path to the JSON body answered there with
	// 200; any other path is answered with 204.
	Answers map[string]string
	// Call makes the call on a directory from Backend.Raw.
	Call func(ctx context.Context, d driver.Directory) error
}

// serverIDsStayInTheirSegment: ids the server hands out, which the
// backend puts into paths, are held to what a segment may be: a call on
// an empty or hostile one never sends a request off the backend's
// routes (to a collection, say, for an empty last segment).
func serverIDsStayInTheirSegment(t *testing.T, b *Backend) {
	if len(b.ServerIDs) == 0 {
		t.Skip(b.Name + " puts no id the server made into a path")
	}
	routes := parseRoutes(b)
	srv := hostiletest.NewServer(t)
	for _, c := range b.ServerIDs {
		var mu sync.Mutex
		var off []string
		ctx := srv.Round(t, 100, func(r *http.Request) hostiletest.Answer {
			if !onRoute(routes, r.URL.EscapedPath()) {
				mu.Lock()
				off = append(off, r.Method+" "+r.URL.EscapedPath())
				mu.Unlock()
			}
			if body, ok := c.Answers[r.URL.Path]; ok {
				return hostiletest.JSON(http.StatusOK, body)
			}
			return hostiletest.Answer{Status: http.StatusNoContent}
		})
		d := b.Raw(t, Config{URL: srv.URL, Secret: secret, Mode: c.Mode, HTTP: identity.HTTPOptions{HTTPClient: srv.Client()}}, 1<<20)
		hostiletest.CheckError(t, c.Name, c.Call(ctx, d))
		mu.Lock()
		assert.Empty(t, off, "%s: requests off the backend's routes", c.Name)
		mu.Unlock()
	}
}

// RoleCalls are the ServerID cases of a backend whose role calls put an
// id the server listed into a path: AssignRole and RevokeRole of the role
// "editor" for the user "u1", and DeleteRole of "editor", each answered
// from answers, in mode.
func RoleCalls(mode string, answers map[string]string) []ServerID {
	return []ServerID{
		{Name: "AssignRole", Mode: mode, Answers: answers, Call: func(ctx context.Context, d driver.Directory) error {
			return d.(driver.Roles).AssignRole(ctx, "u1", "editor")
		}},
		{Name: "RevokeRole", Mode: mode, Answers: answers, Call: func(ctx context.Context, d driver.Directory) error {
			return d.(driver.Roles).RevokeRole(ctx, "u1", "editor")
		}},
		{Name: "DeleteRole", Mode: mode, Answers: answers, Call: func(ctx context.Context, d driver.Directory) error {
			return d.(driver.RoleCatalog).DeleteRole(ctx, "editor")
		}},
	}
}
