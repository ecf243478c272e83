package driver_test

import (
	"fmt"
	"testing"

	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
)

func TestNewUserPrintsSetFields(t *testing.T) {
	const pw, hash = "format-canary-pw-1", "$2b$10$formatcanaryhashformatcanaryhashformatcanary12"
	u := driver.NewUser{Email: "ada@example.com", GivenName: "Ada", Password: pw, PasswordHash: hash,
		Metadata: map[string]any{"plan": "pro", "key": driver.Secret(pw)}, Status: driver.StatusPending}
	cases := []struct{ verb, want string }{
		{"%v", `{Email:"ada@example.com" GivenName:"Ada" Metadata:map[key:[REDACTED] plan:pro] Password:[REDACTED] PasswordHash:[REDACTED] Status:"pending"}`},
		{"%+v", `{Email:"ada@example.com" GivenName:"Ada" Metadata:map[key:[REDACTED] plan:pro] Password:[REDACTED] PasswordHash:[REDACTED] Status:"pending"}`},
		{"%#v", `driver.NewUser{Email:"ada@example.com", GivenName:"Ada", Metadata:map[key:[REDACTED] plan:pro], Password:[REDACTED], PasswordHash:[REDACTED], Status:"pending"}`},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, fmt.Sprintf(c.verb, u), c.verb)
		assert.Equal(t, c.want, fmt.Sprintf(c.verb, &u), c.verb+" of a pointer")
	}
	for _, verb := range []string{"%s", "%q", "%x", "%d", "%10v"} {
		s := fmt.Sprintf(verb, u)
		assert.NotContains(t, s, pw, verb)
		assert.NotContains(t, s, hash, verb)
	}
	assert.Equal(t, "{}", fmt.Sprint(driver.NewUser{}))
}

func TestUserUpdatePrintsValuesNotAddresses(t *testing.T) {
	name, empty := "Ada L.", ""
	u := driver.UserUpdate{DisplayName: &name, Phone: &empty, Metadata: map[string]any{"plan": "pro", "trial": nil}}
	assert.Equal(t, `{Phone:"" DisplayName:"Ada L." Metadata:map[plan:pro trial:<nil>]}`, fmt.Sprint(u))
	assert.Equal(t, `driver.UserUpdate{Phone:"", DisplayName:"Ada L.", Metadata:map[plan:pro trial:<nil>]}`, fmt.Sprintf("%#v", &u))
	assert.Equal(t, "{}", fmt.Sprint(driver.UserUpdate{}))
	assert.NotContains(t, fmt.Sprint(u), "0x", "no pointer prints as an address")
}
