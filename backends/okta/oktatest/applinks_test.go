package oktatest_test

import (
	"testing"

	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppLinks(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	withLinks := c.create("ann@example.com", password, true)
	without := c.create("bob@example.com", password, true)
	gone := c.create("cy@example.com", password, false)
	mail := oktatest.AppLink{
		ID: "0oa1mail", Label: "Mail", LinkURL: "https://org.example/home/mail/0oa1mail/50",
		LogoURL: "https://org.example/img/mail.png", AppName: "mail", AppInstanceID: "0oa1mail",
		AppAssignmentID: "0ua1mail", SortOrder: 1,
	}
	wiki := oktatest.AppLink{ID: "0oa2wiki", Label: "Wiki", AppName: "wiki", AppInstanceID: "0oa2wiki", CredentialsSetup: true, Hidden: true}
	require.True(t, c.srv.AddAppLink(withLinks, mail))
	require.True(t, c.srv.AddAppLink("ann@example.com", wiki), "a login names the user too")
	require.True(t, c.srv.AddAppLink(gone, mail))
	assert.False(t, c.srv.AddAppLink("00uNOPE", mail))
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+gone, nil).status)
	require.Equal(t, 204, c.do("DELETE", "/api/v1/users/"+gone, nil).status)

	link := func(l oktatest.AppLink) map[string]any {
		return map[string]any{
			"id": l.ID, "label": l.Label, "linkUrl": l.LinkURL, "logoUrl": l.LogoURL, "appName": l.AppName,
			"appInstanceId": l.AppInstanceID, "appAssignmentId": l.AppAssignmentID,
			"credentialsSetup": l.CredentialsSetup, "hidden": l.Hidden, "sortOrder": float64(l.SortOrder),
		}
	}
	cases := []struct {
		name, user string
		status     int
		want       []map[string]any
	}{
		{"links in the order added", withLinks, 200, []map[string]any{link(mail), link(wiki)}},
		{"by login", "ann@example.com", 200, []map[string]any{link(mail), link(wiki)}},
		{"no links is an empty array", without, 200, []map[string]any{}},
		{"unknown user", "00uNOPE", 404, nil},
		{"deleted user", gone, 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			r := c.do("GET", "/api/v1/users/"+tc.user+"/appLinks", nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status != 200 {
				assert.Equal(t, "E0000007", r.code())
				assert.Equal(t, "Not found: Resource not found: "+tc.user+" (User)", r.obj()["errorSummary"])
				return
			}
			assert.Equal(t, tc.want, r.list())
			if len(tc.want) == 0 {
				assert.JSONEq(t, "[]", string(r.raw), "an array, not null")
			}
		})
	}
}
