package passage_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// routes are every path the backend may send to; "{}" is one segment.
var routes = []string{
	"/v1/apps/app1/users", "/v1/apps/app1/users/{}",
	"/v1/apps/app1/users/{}/activate", "/v1/apps/app1/users/{}/deactivate",
}

// hostile are ids and names meant to steer a request elsewhere: up the
// path, into the query or fragment, or past an escape.
var hostile = []string{
	"../admin", "..", ".", "./x", "%2F", "a%2Fb", "%252F", "a/b", "/", "x?y=1", "?", "x#frag", "#",
	"a b", " ", "ünï", "\u202e", "a\x00", "a\n", "a\\b", ";x", "a;b=c", "&x=1", "%", "%zz",
	"../../other-app/users", "users", "activate", "a.b", "-", "_", "A-Z_0.9",
}

// landed fails t unless every request went to a route with userID as its
// user segment.
func landed(t *testing.T, label, userID string, reqs []hostiletest.Recorded) {
	t.Helper()
	for _, r := range reqs {
		ok := false
		for _, route := range routes {
			if vals, match := hostiletest.MatchRoute(r.Path, route); match {
				ok = true
				if len(vals) > 0 && userID != "" {
					assert.Equal(t, userID, vals[0], "%s: %s %s: the id is one segment, intact", label, r.Method, r.Path)
				}
			}
		}
		assert.True(t, ok, "%s: %s %s is not a route of the backend", label, r.Method, r.Path)
	}
}

func recorded(t *testing.T) (*identity.Directory, *hostiletest.Recorder, *identity.User) {
	t.Helper()
	rec := &hostiletest.Recorder{}
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "test-key", MetadataFields: metadataFields(), Middleware: rec.Wrap})
	dir, err := passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1", RolesField: "roles"})
	require.NoError(t, err)
	u, err := dir.CreateUser(context.Background(), identity.NewUser{Email: "target@example.com"})
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
			_, err := dir.UpdateUser(ctx, id, identity.UserUpdate{Metadata: map[string]any{"plan": "x"}})
			return err
		},
		"DeleteUser":    func(id string) error { return dir.DeleteUser(ctx, id) },
		"SuspendUser":   func(id string) error { return dir.SuspendUser(ctx, id) },
		"ActivateUser":  func(id string) error { return dir.ActivateUser(ctx, id) },
		"ListUserRoles": func(id string) error { _, err := dir.ListUserRoles(ctx, id); return err },
		"AssignRole":    func(id string) error { return dir.AssignRole(ctx, id, "editor") },
		"RevokeRole":    func(id string) error { return dir.RevokeRole(ctx, id, "editor") },
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
	for _, id := range []string{".", "a.b", "users", "activate"} {
		assert.Contains(t, sent, id, "an odd but valid id is sent, escaped")
	}
	for _, id := range []string{"..", "../admin", "%2F", "a/b", "x?y=1", "x#frag", "a b", "ünï", "a\x00"} {
		assert.Contains(t, refused, id, "refused before any request")
	}
}

// TestHostileRoleNames assigns roles whose names look like paths: they
// travel only inside the roles metadata field, exactly, and never in a
// path.
func TestHostileRoleNames(t *testing.T) {
	dir, rec, u := recorded(t)
	ctx := context.Background()
	var made []string
	for _, name := range hostile {
		_, err := dir.CreateRole(ctx, identity.Role{Name: name})
		if identity.CodeOf(err) == identity.InvalidArgument {
			continue
		}
		require.NoError(t, err, name)
		made = append(made, name)
		require.NoError(t, dir.AssignRole(ctx, u.ID, name), name)
		roles, err := dir.ListUserRoles(ctx, u.ID)
		require.NoError(t, err, name)
		require.Len(t, roles, 1, name)
		assert.Equal(t, name, roles[0].Name)
		require.NoError(t, dir.RevokeRole(ctx, u.ID, name), name)
		require.NoError(t, dir.DeleteRole(ctx, name), name)
		landed(t, "role "+name, "", rec.Take())
	}
	assert.Contains(t, made, "../../other-app/users")
	assert.Contains(t, made, "x?y=1")
}

// TestQueryValuesStayValues looks users up by emails and search text full
// of query syntax: each reaches the listing route as the one value of its
// parameter, and adds no parameter of its own.
func TestQueryValuesStayValues(t *testing.T) {
	dir, rec, _ := recorded(t)
	ctx := context.Background()
	allowed := []string{"page", "limit", "identifier", "status", "created_before"}
	check := func(label, want string) {
		t.Helper()
		reqs := rec.Take()
		require.NotEmpty(t, reqs, label)
		for _, r := range reqs {
			require.Equal(t, "/v1/apps/app1/users", r.Path, label)
			q, err := url.ParseQuery(r.Query)
			require.NoError(t, err, label)
			for k := range q {
				assert.Contains(t, allowed, k, "%s: parameter %q", label, k)
			}
			assert.Equal(t, []string{want}, q["identifier"], label)
		}
	}
	for _, email := range []string{"a&b=c@example.com", "a#b@example.com", "a?b@example.com", "a%2Fb@example.com", "a+b@example.com", "a/b@example.com", "a=b&limit=1000@example.com"} {
		_, err := dir.GetUserByEmail(ctx, email)
		assert.ErrorIs(t, err, identity.ErrNotFound, email)
		check(email, strings.ToLower(email))
	}
	for _, q := range []string{"&status=active", "#x", "a+b", "%", "_", "?page=2"} {
		for _, err := range dir.ListUsers(ctx, identity.ListOptions{Query: q}) {
			require.NoError(t, err, q)
		}
		check(q, "like:%"+strings.ToLower(q)+"%")
	}
}

// TestAppIDCannotSteerPaths: the app id is a path segment of every
// request, so anything but an id's characters is refused at New.
func TestAppIDCannotSteerPaths(t *testing.T) {
	for _, app := range []string{"../x", "a/b", "a%2Fb", "a?b", "a#b", "a b", "a.b", "..", "ünï", "a\x00"} {
		_, err := passage.New(context.Background(), passage.Options{AppID: app, APIKey: "k"})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, app)
		assert.Equal(t, identity.InvalidArgument, ie.Code, app)
		assert.Equal(t, "AppID", ie.Field, app)
	}
}
