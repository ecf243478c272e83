package logto_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// routes are every path the backend may send to; "{}" is one segment.
var routes = []string{
	"/oidc/token",
	"/api/users", "/api/users/{}", "/api/users/{}/password", "/api/users/{}/password/verify",
	"/api/users/{}/is-suspended", "/api/users/{}/custom-data", "/api/users/{}/profile",
	"/api/users/{}/roles", "/api/users/{}/roles/{}", "/api/roles", "/api/roles/{}",
}

// hostile are ids and names meant to steer a request elsewhere: up the
// path, into the query or fragment, or past an escape.
var hostile = []string{
	"../admin", "..", ".", "./x", "%2F", "a%2Fb", "%252F", "a/b", "/", "x?y=1", "?", "x#frag", "#",
	"a b", " ", "ünï", "\u202e", "a\x00", "a\n", "a\\b", ";x", "a;b=c", "&x=1", "%", "%zz",
	"../../oidc/token", "users", "a.b", "-", "_", "A-Z_0.9",
}

var emulatorID = regexp.MustCompile(`^[a-z0-9]+$`)

// landed fails t unless every request went to a route, with userID as its
// user segment and an id the emulator made as its role segment.
func landed(t *testing.T, label, userID string, reqs []hostiletest.Recorded) {
	t.Helper()
	for _, r := range reqs {
		ok := false
		for _, route := range routes {
			vals, match := hostiletest.MatchRoute(r.Path, route)
			if !match {
				continue
			}
			ok = true
			switch route {
			case "/api/roles/{}":
				assert.Regexp(t, emulatorID, vals[0], "%s: %s %s", label, r.Method, r.Path)
			case "/api/users/{}/roles/{}":
				assert.Regexp(t, emulatorID, vals[1], "%s: %s %s", label, r.Method, r.Path)
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

// recorded starts an emulator that records the requests it gets, with a
// user and a role to aim at.
func recorded(t *testing.T) (*identity.Directory, *hostiletest.Recorder, *identity.User) {
	t.Helper()
	rec := &hostiletest.Recorder{}
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret", Middleware: rec.Wrap})
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	u, err := dir.CreateUser(context.Background(), identity.NewUser{Email: "target@example.com", Password: "pw-target-1"})
	require.NoError(t, err)
	_, err = dir.CreateRole(context.Background(), identity.Role{Name: "editor"})
	require.NoError(t, err)
	rec.Take()
	return dir, rec, u
}

// TestHostileIDsStayInOneSegment calls every method that takes a user id
// with ids meant to reach another path, and checks that each was either
// refused with InvalidArgument before any request, or sent as one escaped
// segment of the intended route.
func TestHostileIDsStayInOneSegment(t *testing.T) {
	dir, rec, _ := recorded(t)
	ctx := context.Background()
	ops := map[string]func(id string) error{
		"GetUser": func(id string) error { _, err := dir.GetUser(ctx, id); return err },
		"UpdateUser": func(id string) error {
			_, err := dir.UpdateUser(ctx, id, identity.UserUpdate{DisplayName: new("x"), Metadata: map[string]any{"k": nil}})
			return err
		},
		"DeleteUser":     func(id string) error { return dir.DeleteUser(ctx, id) },
		"SuspendUser":    func(id string) error { return dir.SuspendUser(ctx, id) },
		"ActivateUser":   func(id string) error { return dir.ActivateUser(ctx, id) },
		"SetPassword":    func(id string) error { return dir.SetPassword(ctx, id, "pw-1") },
		"VerifyPassword": func(id string) error { return dir.VerifyPassword(ctx, id, "pw-1") },
		"ChangePassword": func(id string) error { return dir.ChangePassword(ctx, id, "pw-1", "pw-2") },
		"ListUserRoles":  func(id string) error { _, err := dir.ListUserRoles(ctx, id); return err },
		"AssignRole":     func(id string) error { return dir.AssignRole(ctx, id, "editor") },
		"RevokeRole":     func(id string) error { return dir.RevokeRole(ctx, id, "editor") },
	}
	var sent, refused []string
	for _, id := range hostile {
		for name, op := range ops {
			err := op(id)
			reqs := rec.Take()
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
	for _, id := range []string{".", "a.b", "users"} {
		assert.Contains(t, sent, id, "an odd but valid id is sent, escaped")
	}
	for _, id := range []string{"..", "../admin", "%2F", "a/b", "x?y=1", "x#frag", "a b", "ünï", "a\x00"} {
		assert.Contains(t, refused, id, "refused before any request")
	}
}

// TestHostileRoleNamesNeverReachAPath creates, assigns, revokes and
// deletes roles whose names look like paths: the name travels only in
// bodies and queries, and role ids come from the server.
func TestHostileRoleNamesNeverReachAPath(t *testing.T) {
	dir, rec, u := recorded(t)
	ctx := context.Background()
	var made []string
	for _, name := range hostile {
		_, err := dir.CreateRole(ctx, identity.Role{Name: name})
		if identity.CodeOf(err) == identity.InvalidArgument {
			assert.Empty(t, rec.Take(), "CreateRole(%q) was refused, after sending requests", name)
			continue
		}
		require.NoError(t, err, name)
		made = append(made, name)
		require.NoError(t, dir.AssignRole(ctx, u.ID, name), name)
		roles, err := dir.ListUserRoles(ctx, u.ID)
		require.NoError(t, err, name)
		assert.True(t, slices.ContainsFunc(roles, func(r *identity.Role) bool { return r.Name == name }), "the role %q is assigned, by its exact name", name)
		require.NoError(t, dir.RevokeRole(ctx, u.ID, name), name)
		require.NoError(t, dir.DeleteRole(ctx, name), name)
		landed(t, "role "+name, u.ID, rec.Take())
	}
	assert.Contains(t, made, "../../oidc/token")
	assert.Contains(t, made, "x?y=1")
	assert.Contains(t, made, "a/b")
}

// TestQueryValuesStayValues looks users up by emails, usernames and
// search text full of query syntax: each reaches the listing route as the
// one value of its parameter, and adds no parameter of its own.
func TestQueryValuesStayValues(t *testing.T) {
	dir, rec, _ := recorded(t)
	ctx := context.Background()
	allowed := []string{"page", "page_size", "search.primaryEmail", "mode.primaryEmail", "search.username", "mode.username", "isCaseSensitive", "mode", "joint"}
	check := func(label, param, want string) {
		t.Helper()
		reqs := rec.Take()
		require.NotEmpty(t, reqs, label)
		for _, r := range reqs {
			require.Equal(t, "/api/users", r.Path, label)
			q, err := url.ParseQuery(r.Query)
			require.NoError(t, err, label)
			for k := range q {
				assert.Contains(t, allowed, k, "%s: parameter %q", label, k)
			}
			assert.Equal(t, []string{want}, q[param], label)
		}
	}
	for _, email := range []string{"a&b=c@example.com", "a#b@example.com", "a?b@example.com", "a%2Fb@example.com", "a+b@example.com", "a/b@example.com", "a=b&page_size=1000@example.com"} {
		_, err := dir.GetUserByEmail(ctx, email)
		assert.ErrorIs(t, err, identity.ErrNotFound, email)
		check(email, "search.primaryEmail", email)
	}
	for _, username := range []string{"a+b", "a@b", "a.b", "x_y-z"} {
		_, err := dir.GetUserByUsername(ctx, username)
		assert.ErrorIs(t, err, identity.ErrNotFound, username)
		check(username, "search.username", username)
	}
	for _, q := range []string{"&mode=posix", "#x", "a+b", "%", "_", "?page=2"} {
		for _, err := range dir.ListUsers(ctx, identity.ListOptions{Query: q}) {
			require.NoError(t, err, q)
		}
		check(q, "search.primaryEmail", "%"+q+"%")
	}
}
