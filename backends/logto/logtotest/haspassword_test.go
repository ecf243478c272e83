package logtotest_test

import (
	"testing"

	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHasPassword runs its steps in order: a user gains a password half
// way through.
func TestHasPassword(t *testing.T) {
	c := newClient(t, logtotest.Options{})
	withPw := c.create(`{"username":"ann","password":"right"}`)
	noPw := c.create(`{"username":"bob"}`)
	gone := c.create(`{"username":"cy","password":"right"}`)
	require.Equal(t, 204, c.do("DELETE", "/api/users/"+gone, "").status)
	cases := []struct {
		name, before, user string
		status             int
		body               string
	}{
		{"created with a password", "", withPw, 200, `{"hasPassword":true}`},
		{"created without one", "", noPw, 200, `{"hasPassword":false}`},
		{"after one is set", "/api/users/" + noPw + "/password", noPw, 200, `{"hasPassword":true}`},
		{"unknown user", "", "doesnotexist", 404, `{"code":"entity.not_found","message":"The resource does not exist."}`},
		{"deleted user", "", gone, 404, `{"code":"entity.not_found","message":"The resource does not exist."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			if tc.before != "" {
				require.Equal(t, 200, c.do("PATCH", tc.before, `{"password":"new"}`).status)
			}
			r := c.do("GET", "/api/users/"+tc.user+"/has-password", "")
			assert.Equal(t, tc.status, r.status)
			assert.JSONEq(t, tc.body, string(r.raw))
		})
	}
}
