package oktatest_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSortByTiesOrderedByID checks the spec's rule for sortBy: users with
// the same value are ordered by id, in both sort orders and across pages.
func TestSortByTiesOrderedByID(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	// Every user has lastName "Lee", so the whole order is the tie-break.
	// Users are added until creation order is not id order, so that the
	// two rules give different answers.
	var ids []string
	for len(ids) < 5 || slices.IsSorted(ids) {
		ids = append(ids, c.create(fmt.Sprintf("tie%d@example.com", len(ids)), password, true))
	}
	byID := slices.Sorted(slices.Values(ids))

	for _, order := range []string{"asc", "desc"} {
		t.Run(order, func(t *testing.T) {
			c.t = t
			q := url.Values{"search": {`profile.lastName eq "Lee"`}, "sortBy": {"profile.lastName"}, "sortOrder": {order}, "limit": {"2"}}
			var got []string
			path := "/api/v1/users?" + q.Encode()
			for path != "" {
				r := c.do("GET", path, nil)
				require.Equal(t, 200, r.status, string(r.raw))
				for _, u := range r.list() {
					got = append(got, u["id"].(string))
				}
				path = nextPath(t, c, r)
			}
			assert.Equal(t, byID, got)
		})
	}
}

// nextPath is the path of a page's rel="next" link, or "" on the last.
func nextPath(t *testing.T, c *client, r res) string {
	t.Helper()
	links := r.header.Values("Link")
	if len(links) < 2 {
		return ""
	}
	m := regexp.MustCompile(`^<` + regexp.QuoteMeta(c.srv.URL) + `(/api/v1/users\?[^>]+)>; rel="next"$`).FindStringSubmatch(links[1])
	require.NotNil(t, m, links[1])
	return m[1]
}

func TestOktaResponseOmissions(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	id := c.create("omit@example.com", password, true)
	cases := []struct {
		name        string
		contentType string
		creds       bool
		credLinks   bool
	}{
		{"none", "", true, true},
		{"plain", "application/json", true, true},
		{"credentials", "application/json; okta-response=omitCredentials", false, true},
		{"links", "application/json; okta-response=omitCredentialsLinks", true, false},
		{"both unquoted", "application/json; okta-response=omitCredentials,omitCredentialsLinks", false, false},
		{"both quoted", `application/json; okta-response="omitCredentials,omitCredentialsLinks,omitTransitioningToStatus"`, false, false},
		{"unknown flag", "application/json; okta-response=omitSomethingElse", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			var headers []string
			if tc.contentType != "" {
				headers = []string{"Content-Type", tc.contentType}
			}
			r := c.do("GET", "/api/v1/users/"+id, nil, headers...)
			require.Equal(t, 200, r.status, string(r.raw))
			u := r.obj()
			_, hasCreds := u["credentials"]
			assert.Equal(t, tc.creds, hasCreds, "credentials")
			links := u["_links"].(map[string]any)
			_, hasReset := links["resetPassword"]
			_, hasChange := links["changePassword"]
			assert.Equal(t, tc.credLinks, hasReset, "resetPassword link")
			assert.Equal(t, tc.credLinks, hasChange, "changePassword link")
			assert.Contains(t, links, "suspend", "links that do not act on credentials stay")

			r = c.do("GET", "/api/v1/users", nil, headers...)
			require.Equal(t, 200, r.status, string(r.raw))
			require.Len(t, r.list(), 1)
			_, hasCreds = r.list()[0]["credentials"]
			assert.Equal(t, tc.creds, hasCreds, "credentials in the list")
		})
	}
}
