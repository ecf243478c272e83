package logtotest_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unchecked is for rows whose requests the document itself refuses (the
// guard's 400s, bodies it calls incomplete) and so would be reported as
// violations; TestOrganizationsSchema runs valid traffic through the
// checker.
var unchecked = logtotest.Options{Middleware: func(h http.Handler) http.Handler { return h }}

// row is one request of SEMANTICS.md 5.1 and what Logto 1.37.1 answered.
// Rows of a table run in order against one emulator, as they were made
// against one server. {A}, {U}... in path and body are the fixture's ids.
type row struct {
	name, method, path, body string
	status                   int
	code                     string // the error code, when there is one
	check                    func(t *testing.T, r res)
}

func runRows(t *testing.T, c *client, ids *strings.Replacer, rows []row) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do(tc.method, ids.Replace(tc.path), ids.Replace(tc.body))
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.code != "" {
				assert.Equal(t, tc.code, r.code(), string(r.raw))
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func (c *client) created(path, body string) string {
	c.t.Helper()
	r := c.do("POST", path, body)
	require.Equal(c.t, 201, r.status, string(r.raw))
	return r.obj()["id"].(string)
}

// ids lists the id of each item of a list answer.
func ids(r res) []string {
	out := []string{}
	for _, it := range r.list() {
		out = append(out, fmt.Sprint(it["id"]))
	}
	return out
}

func names(r res) []string {
	out := []string{}
	for _, it := range r.list() {
		out = append(out, fmt.Sprint(it["name"]))
	}
	return out
}

func wantIDs(want ...string) func(*testing.T, res) {
	return func(t *testing.T, r res) { assert.ElementsMatch(t, want, ids(r)) }
}

func wantBody(want string) func(*testing.T, res) {
	return func(t *testing.T, r res) { assert.JSONEq(t, want, string(r.raw)) }
}

func wantCreatedText(t *testing.T, r res) {
	assert.Equal(t, "Created", string(r.raw))
	assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/plain"), r.header.Get("Content-Type"))
}

func wantNoBody(t *testing.T, r res) { assert.Empty(t, r.raw) }

// wantIssue checks the guard's 400: one zod issue of code at path.
func wantIssue(code string, path ...any) func(*testing.T, res) {
	return func(t *testing.T, r res) {
		data, _ := r.obj()["data"].(map[string]any)
		issues, _ := data["issues"].([]any)
		require.Len(t, issues, 1, string(r.raw))
		is := issues[0].(map[string]any)
		assert.Equal(t, code, is["code"])
		assert.Equal(t, path, is["path"])
	}
}

const (
	notFoundBody   = `{"code":"entity.not_found","message":"The resource does not exist."}`
	emptyPatchBody = `{"code":"entity.invalid_input","message":"Invalid input. Value list must not be empty."}`
	foreignKeyBody = `{"code":"entity.relation_foreign_key_not_found","message":"Cannot find one or more foreign keys. Please check the input and ensure that all referenced entities exist."}`
	uniqueBody     = `{"code":"entity.unique_integrity_violation","message":"The entity already exists. Please check the input and try again."}`
	constraintBody = `{"code":"entity.db_constraint_violated","message":"Database constraint violated."}`
	membershipBody = `{"code":"organization.require_membership","message":"The user must be a member of the organization to proceed."}`
)

var (
	orgIDRE  = regexp.MustCompile(`^[0-9a-z]{12}$`)
	roleIDRE = regexp.MustCompile(`^[0-9a-z]{21}$`)
)

// TestOrganizations covers the rows of 5.1.1.
func TestOrganizations(t *testing.T) {
	c := newClient(t, unchecked)
	a := c.created("/api/organizations", `{"name":"p2-org-a"}`)
	b := c.created("/api/organizations", `{"name":"p2-org-b","description":"desc b"}`)
	u := c.create(`{"username":"p2user1"}`)
	require.Equal(t, 201, c.do("POST", "/api/organizations/"+a+"/users", `{"userIds":["`+u+`"]}`).status)
	now := float64(c.clock.Now().UnixMilli())
	rp := strings.NewReplacer("{A}", a, "{B}", b, "{U}", u)
	rows := []row{
		{name: "create", method: "POST", path: "/api/organizations", body: `{"name":"p2-org-c"}`, status: 201, check: func(t *testing.T, r res) {
			body := r.obj()
			assert.Regexp(t, orgIDRE, body["id"])
			delete(body, "id")
			assert.Equal(t, map[string]any{"tenantId": "default", "name": "p2-org-c", "description": nil, "customData": map[string]any{},
				"isMfaRequired": false, "color": map[string]any{}, "branding": map[string]any{}, "customCss": nil, "createdAt": now}, body)
		}},
		{name: "create echoes description and customData", method: "POST", path: "/api/organizations",
			body: `{"name":"p2-org-d","description":"desc d","customData":{"k1":"v1","nested":{"x":1}}}`, status: 201, check: func(t *testing.T, r res) {
				assert.Equal(t, "desc d", r.obj()["description"])
				assert.Equal(t, map[string]any{"k1": "v1", "nested": map[string]any{"x": float64(1)}}, r.obj()["customData"])
			}},
		{name: "duplicate name", method: "POST", path: "/api/organizations", body: `{"name":"p2-org-a"}`, status: 201, check: func(t *testing.T, r res) {
			assert.NotEqual(t, a, r.obj()["id"])
		}},
		{name: "empty name", method: "POST", path: "/api/organizations", body: `{"name":""}`, status: 400, code: "guard.invalid_input", check: wantIssue("too_small", "name")},
		{name: "no name", method: "POST", path: "/api/organizations", body: `{}`, status: 400, code: "guard.invalid_input", check: wantIssue("invalid_type", "name")},
		{name: "null description", method: "POST", path: "/api/organizations", body: `{"name":"p2-org-e","description":null}`, status: 201, check: func(t *testing.T, r res) {
			assert.Nil(t, r.obj()["description"])
		}},
		{name: "customData not an object", method: "POST", path: "/api/organizations", body: `{"name":"x","customData":"notobj"}`, status: 400, code: "guard.invalid_input", check: func(t *testing.T, r res) {
			assert.Contains(t, string(r.raw), "Expected object, received string")
		}},
		{name: "id, createdAt and tenantId ignored on create", method: "POST", path: "/api/organizations",
			body: `{"name":"p2-org-f","unknownField":1,"id":"myownid","createdAt":1000,"tenantId":"other"}`, status: 201, check: func(t *testing.T, r res) {
				assert.Regexp(t, orgIDRE, r.obj()["id"])
				assert.Equal(t, now, r.obj()["createdAt"])
				assert.Equal(t, "default", r.obj()["tenantId"])
			}},
		{name: "get", method: "GET", path: "/api/organizations/{A}", status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, "p2-org-a", r.obj()["name"])
		}},
		{name: "get missing", method: "GET", path: "/api/organizations/missing", status: 404,
			check: wantBody("{\"code\":\"entity.not_exists_with_id\",\"message\":\"The organizations with ID `missing` does not exist.\"}")},
		{name: "list by id ascending", method: "GET", path: "/api/organizations", status: 200, check: func(t *testing.T, r res) {
			got := ids(r)
			assert.Len(t, got, 7)
			assert.True(t, slices.IsSorted(got), "%v", got)
			assert.Equal(t, "7", r.header.Get("Total-Number"))
			assert.NotEmpty(t, r.header.Values("Link"))
		}},
		{name: "q on name", method: "GET", path: "/api/organizations?q=org-b", status: 200, check: wantIDs(b)},
		{name: "q case-insensitive", method: "GET", path: "/api/organizations?q=P2-ORG-B", status: 200, check: wantIDs(b)},
		{name: "q on id", method: "GET", path: "/api/organizations?q={A}", status: 200, check: wantIDs(a)},
		{name: "q not on description", method: "GET", path: "/api/organizations?q=desc", status: 200, check: wantIDs()},
		{name: "q _ is a wildcard", method: "GET", path: "/api/organizations?q=p2_org_b", status: 200, check: wantIDs(b)},
		{name: "q % matches all", method: "GET", path: "/api/organizations?q=%25", status: 200, check: func(t *testing.T, r res) { assert.Len(t, r.list(), 7) }},
		{name: "empty q", method: "GET", path: "/api/organizations?q=", status: 200, check: func(t *testing.T, r res) { assert.Len(t, r.list(), 7) }},
		{name: "showFeatured", method: "GET", path: "/api/organizations?q={A}&showFeatured=true", status: 200, check: func(t *testing.T, r res) {
			require.Len(t, r.list(), 1)
			assert.Equal(t, float64(1), r.list()[0]["usersCount"])
			assert.Equal(t, []any{map[string]any{"id": u, "avatar": nil, "name": nil}}, r.list()[0]["featuredUsers"])
		}},
		{name: "no featured users unasked", method: "GET", path: "/api/organizations?q={A}", status: 200, check: func(t *testing.T, r res) {
			assert.NotContains(t, r.list()[0], "usersCount")
		}},
		{name: "patch name", method: "PATCH", path: "/api/organizations/{B}", body: `{"name":"p2-org-b2"}`, status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, "p2-org-b2", r.obj()["name"])
			assert.Equal(t, "desc b", r.obj()["description"], "only the fields sent change")
		}},
		{name: "patch description", method: "PATCH", path: "/api/organizations/{B}", body: `{"description":"desc b2"}`, status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, "p2-org-b2", r.obj()["name"])
			assert.Equal(t, "desc b2", r.obj()["description"])
		}},
		{name: "patch customData replaces", method: "PATCH", path: "/api/organizations/{B}", body: `{"customData":{"k1":"v1"}}`, status: 200},
		{name: "patch customData replaces again", method: "PATCH", path: "/api/organizations/{B}", body: `{"customData":{"k2":"v2"}}`, status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, map[string]any{"k2": "v2"}, r.obj()["customData"])
		}},
		{name: "patch clears description", method: "PATCH", path: "/api/organizations/{B}", body: `{"description":null}`, status: 200, check: func(t *testing.T, r res) {
			assert.Nil(t, r.obj()["description"])
		}},
		{name: "patch nothing", method: "PATCH", path: "/api/organizations/{B}", body: `{}`, status: 422, check: wantBody(emptyPatchBody)},
		{name: "patch empty name", method: "PATCH", path: "/api/organizations/{B}", body: `{"name":""}`, status: 400, code: "guard.invalid_input", check: wantIssue("too_small", "name")},
		{name: "patch to another's name", method: "PATCH", path: "/api/organizations/{B}", body: `{"name":"p2-org-a"}`, status: 200},
		{name: "createdAt is writable", method: "PATCH", path: "/api/organizations/{B}", body: `{"createdAt":2000}`, status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, float64(2000), r.obj()["createdAt"])
		}},
		{name: "id is writable", method: "PATCH", path: "/api/organizations/{A}", body: `{"id":"p2renamedid"}`, status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, "p2renamedid", r.obj()["id"])
		}},
		{name: "renamed id answers", method: "GET", path: "/api/organizations/p2renamedid", status: 200},
		{name: "old id is gone", method: "GET", path: "/api/organizations/{A}", status: 404, code: "entity.not_exists_with_id"},
		{name: "members follow the id", method: "GET", path: "/api/organizations/p2renamedid/users", status: 200, check: wantIDs(u)},
		{name: "patch missing", method: "PATCH", path: "/api/organizations/missing", body: `{"name":"x"}`, status: 404,
			check: wantBody(`{"code":"entity.not_exists","message":"The organization does not exist."}`)},
		{name: "body checked before existence", method: "PATCH", path: "/api/organizations/missing", body: `{"color":{"primaryColor":"red"}}`,
			status: 400, code: "guard.invalid_input", check: wantIssue("invalid_string", "color", "primaryColor")},
		{name: "delete", method: "DELETE", path: "/api/organizations/{B}", status: 204, check: wantNoBody},
		{name: "delete again", method: "DELETE", path: "/api/organizations/{B}", status: 404, check: wantBody(notFoundBody)},
	}
	runRows(t, c, rp, rows)
	assert.Equal(t, 6, c.srv.OrganizationCount())
}

// TestOrganizationPaging covers the organization rows of 5.1.0.
func TestOrganizationPaging(t *testing.T) {
	c := newClient(t, unchecked)
	var all []string
	for i := range 6 {
		all = append(all, c.created("/api/organizations", fmt.Sprintf(`{"name":"P2 Org %d"}`, i)))
	}
	slices.Sort(all)
	base := c.srv.URL + "/organizations?"
	link := func(q, rel string) string { return "<" + base + q + `>; rel="` + rel + `"` }
	cases := []struct {
		query string
		links []string
		ids   []string
	}{
		{"", []string{link("page=1", "first"), link("page=1", "last")}, all},
		{"page=2&page_size=2", []string{link("page=1&page_size=2", "first"), link("page=3&page_size=2", "last"),
			link("page=1&page_size=2", "prev"), link("page=3&page_size=2", "next")}, all[2:4]},
		{"page=9&page_size=2", []string{link("page=1&page_size=2", "first"), link("page=3&page_size=2", "last"),
			link("page=8&page_size=2", "prev")}, []string{}},
		{"page_size=100", []string{link("page_size=100&page=1", "first"), link("page_size=100&page=1", "last")}, all},
		{"q=P2%20Org", []string{link("q=P2+Org&page=1", "first"), link("q=P2+Org&page=1", "last")}, all},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			r := c.do("GET", "/api/organizations?"+tc.query, "")
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, "6", r.header.Get("Total-Number"))
			assert.Equal(t, tc.links, r.header.Values("Link"))
			assert.Equal(t, tc.ids, ids(r))
		})
	}
	for _, q := range []string{"page=0", "page_size=0", "page_size=101"} {
		t.Run(q, func(t *testing.T) {
			c.t = t
			r := c.do("GET", "/api/organizations?"+q, "")
			assert.Equal(t, 400, r.status)
			assert.JSONEq(t, `{"code":"guard.invalid_pagination","message":"The request pagination value is invalid."}`, string(r.raw))
		})
	}
}

// TestMembers covers the rows of 5.1.2 and the membership cascades of
// 5.1.6.
func TestMembers(t *testing.T) {
	c := newClient(t, unchecked)
	a := c.created("/api/organizations", `{"name":"p2-org-a"}`)
	b := c.created("/api/organizations", `{"name":"p2-org-b"}`)
	u1 := c.create(`{"username":"p2user1","primaryEmail":"p2user1@example.com","name":"P2 User"}`)
	u2 := c.create(`{"username":"p2user2","primaryEmail":"p2user2@example.org","name":"P2 User"}`)
	u3 := c.create(`{"username":"p2user3","primaryPhone":"123456"}`)
	u4 := c.create(`{"username":"p2user4"}`)
	role := c.created("/api/organization-roles", `{"name":"p2-member"}`)
	rp := strings.NewReplacer("{A}", a, "{B}", b, "{U1}", u1, "{U2}", u2, "{U3}", u3, "{U4}", u4, "{R}", role)
	members := func(org string, want ...string) row {
		return row{name: "members of " + org, method: "GET", path: "/api/organizations/" + org + "/users", status: 200, check: wantIDs(want...)}
	}
	rows := []row{
		{name: "add", method: "POST", path: "/api/organizations/{A}/users", body: `{"userIds":["{U1}","{U2}"]}`, status: 201, check: wantCreatedText},
		{name: "add again, with a new one", method: "POST", path: "/api/organizations/{A}/users", body: `{"userIds":["{U1}","{U3}"]}`, status: 201, check: wantCreatedText},
		{name: "the same id twice", method: "POST", path: "/api/organizations/{A}/users", body: `{"userIds":["{U4}","{U4}"]}`, status: 201},
		members(a, u1, u2, u3, u4),
		{name: "remove u4", method: "DELETE", path: "/api/organizations/{A}/users/{U4}", status: 204, check: wantNoBody},
		{name: "a missing user", method: "POST", path: "/api/organizations/{A}/users", body: `{"userIds":["missing"]}`, status: 422, check: wantBody(foreignKeyBody)},
		{name: "atomic", method: "POST", path: "/api/organizations/{A}/users", body: `{"userIds":["{U4}","missing"]}`, status: 422, code: "entity.relation_foreign_key_not_found"},
		members(a, u1, u2, u3),
		{name: "a missing organization", method: "POST", path: "/api/organizations/missing/users", body: `{"userIds":["{U1}"]}`, status: 422, code: "entity.relation_foreign_key_not_found"},
		{name: "no ids", method: "POST", path: "/api/organizations/{A}/users", body: `{"userIds":[]}`, status: 400, check: wantIssue("too_small", "userIds")},
		{name: "no userIds", method: "POST", path: "/api/organizations/{A}/users", body: `{}`, status: 400, check: wantIssue("invalid_type", "userIds")},
		{name: "list items", method: "GET", path: "/api/organizations/{A}/users", status: 200, check: func(t *testing.T, r res) {
			got := ids(r)
			assert.True(t, slices.IsSorted(got), "by user id: %v", got)
			assert.Equal(t, "3", r.header.Get("Total-Number"))
			for _, it := range r.list() {
				assert.NotContains(t, it, "hasPassword")
				assert.Equal(t, []any{}, it["organizationRoles"])
			}
		}},
		{name: "paged", method: "GET", path: "/api/organizations/{A}/users?page=2&page_size=1", status: 200, check: func(t *testing.T, r res) {
			assert.Len(t, r.list(), 1)
			assert.Len(t, r.header.Values("Link"), 4, "first, last, prev and next")
		}},
		{name: "q on username", method: "GET", path: "/api/organizations/{A}/users?q=p2user2", status: 200, check: wantIDs(u2)},
		{name: "q on email", method: "GET", path: "/api/organizations/{A}/users?q=example.com", status: 200, check: wantIDs(u1)},
		{name: "q on name", method: "GET", path: "/api/organizations/{A}/users?q=P2%20User", status: 200, check: wantIDs(u1, u2)},
		{name: "q on phone", method: "GET", path: "/api/organizations/{A}/users?q=2345", status: 200, check: wantIDs(u3)},
		{name: "q on id, any case", method: "GET", path: "/api/organizations/{A}/users?q=" + strings.ToUpper(u1), status: 200, check: wantIDs(u1)},
		{name: "members of a missing organization", method: "GET", path: "/api/organizations/missing/users", status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, "[]", strings.TrimSpace(string(r.raw)))
			assert.Equal(t, "0", r.header.Get("Total-Number"))
		}},
		{name: "add u1 to B", method: "POST", path: "/api/organizations/{B}/users", body: `{"userIds":["{U1}","{U2}"]}`, status: 201},
		{name: "give u1 a role in A", method: "POST", path: "/api/organizations/{A}/users/{U1}/roles", body: `{"organizationRoleIds":["{R}"]}`, status: 201},
		{name: "a user's organizations", method: "GET", path: "/api/users/{U1}/organizations?page=1&page_size=1", status: 200, check: func(t *testing.T, r res) {
			want := []string{a, b}
			slices.Sort(want)
			assert.Equal(t, want, ids(r), "by id, unpaged")
			assert.Empty(t, r.header.Get("Total-Number"))
			for _, it := range r.list() {
				roles := []any{}
				if it["id"] == a {
					roles = []any{map[string]any{"id": role, "name": "p2-member"}}
				}
				assert.Equal(t, roles, it["organizationRoles"], "in %v", it["id"])
			}
		}},
		{name: "organizationRoles on members", method: "GET", path: "/api/organizations/{A}/users?q={U1}", status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, []any{map[string]any{"id": role, "name": "p2-member"}}, r.list()[0]["organizationRoles"])
		}},
		{name: "a missing user's organizations", method: "GET", path: "/api/users/missing/organizations", status: 404, check: wantBody(notFoundBody)},
		{name: "replace", method: "PUT", path: "/api/organizations/{B}/users", body: `{"userIds":["{U1}","{U3}"]}`, status: 204, check: wantNoBody},
		members(b, u1, u3),
		{name: "replace with a missing user", method: "PUT", path: "/api/organizations/{B}/users", body: `{"userIds":["{U3}","missing"]}`, status: 422, check: wantBody(foreignKeyBody)},
		{name: "replace with a repeat", method: "PUT", path: "/api/organizations/{B}/users", body: `{"userIds":["{U1}","{U1}"]}`, status: 422, check: wantBody(uniqueBody)},
		members(b, u1, u3),
		{name: "replace with none", method: "PUT", path: "/api/organizations/{B}/users", body: `{"userIds":[]}`, status: 204},
		members(b),
		{name: "replace in a missing organization", method: "PUT", path: "/api/organizations/missing/users", body: `{"userIds":["{U1}"]}`, status: 422, code: "entity.relation_foreign_key_not_found"},
		{name: "replace with none in a missing organization", method: "PUT", path: "/api/organizations/missing/users", body: `{"userIds":[]}`, status: 204},
		{name: "remove", method: "DELETE", path: "/api/organizations/{A}/users/{U2}", status: 204},
		{name: "remove again", method: "DELETE", path: "/api/organizations/{A}/users/{U2}", status: 404, check: wantBody(notFoundBody)},
		{name: "remove a missing user", method: "DELETE", path: "/api/organizations/{A}/users/missing", status: 404, code: "entity.not_found"},
		{name: "remove from a missing organization", method: "DELETE", path: "/api/organizations/missing/users/{U1}", status: 404, code: "entity.not_found"},
		// 5.1.6: a deleted user leaves every organization.
		{name: "add u3 to B", method: "POST", path: "/api/organizations/{B}/users", body: `{"userIds":["{U3}","{U1}"]}`, status: 201},
		{name: "delete u3", method: "DELETE", path: "/api/users/{U3}", status: 204},
		members(a, u1),
		members(b, u1),
		{name: "showFeatured counts go down", method: "GET", path: "/api/organizations?q={B}&showFeatured=true", status: 200, check: func(t *testing.T, r res) {
			assert.Equal(t, float64(1), r.list()[0]["usersCount"])
		}},
		// 5.1.6: a deleted organization leaves its members' lists.
		{name: "delete B", method: "DELETE", path: "/api/organizations/{B}", status: 204},
		{name: "B gone from the user's organizations", method: "GET", path: "/api/users/{U1}/organizations", status: 200, check: wantIDs(a)},
		members(b),
		{name: "the role is untouched", method: "GET", path: "/api/organization-roles/{R}", status: 200},
	}
	runRows(t, c, rp, rows)
	assert.Equal(t, []string{u1}, c.srv.Members(a))
	assert.Empty(t, c.srv.Members(b))
}
