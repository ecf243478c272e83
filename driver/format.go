package driver

import (
	"fmt"
	"strconv"
	"strings"
)

// Format prints the fields that are set, by name, in the order NewUser
// declares them:
//
//	{Email:"ada@example.com" GivenName:"Ada" Password:[REDACTED]}
//
// %#v prefixes the type's name. Password and PasswordHash print as the
// placeholder whatever the verb, as they do on their own; a test that
// needs to tell two passwords apart uses the matchers of package mocks.
func (u NewUser) Format(f fmt.State, verb rune) {
	var b fieldWriter
	b.str("Username", u.Username)
	b.str("Email", u.Email)
	b.str("Phone", u.Phone)
	b.str("GivenName", u.GivenName)
	b.str("FamilyName", u.FamilyName)
	b.str("DisplayName", u.DisplayName)
	b.metadata(u.Metadata)
	if u.Password != "" {
		b.raw("Password", redacted)
	}
	if u.PasswordHash != "" {
		b.raw("PasswordHash", redacted)
	}
	b.str("Status", string(u.Status))
	b.write(f, verb, "driver.NewUser")
}

// Format prints the fields that are set, by name, in the order UserUpdate
// declares them, each pointer as the value it points to: a field set to
// the empty string, which clears it, prints as "":
//
//	{DisplayName:"Ada L." Phone:"" Metadata:map[plan:pro trial:<nil>]}
//
// %#v prefixes the type's name. A nil metadata value is a key to remove.
func (u UserUpdate) Format(f fmt.State, verb rune) {
	var b fieldWriter
	b.ptr("Username", u.Username)
	b.ptr("Email", u.Email)
	b.ptr("Phone", u.Phone)
	b.ptr("GivenName", u.GivenName)
	b.ptr("FamilyName", u.FamilyName)
	b.ptr("DisplayName", u.DisplayName)
	b.metadata(u.Metadata)
	b.write(f, verb, "driver.UserUpdate")
}

// fieldWriter collects name:value pairs for Format.
type fieldWriter struct{ parts []string }

func (b *fieldWriter) raw(name, value string) { b.parts = append(b.parts, name+":"+value) }

func (b *fieldWriter) str(name, v string) {
	if v != "" {
		b.raw(name, strconv.Quote(v))
	}
}

func (b *fieldWriter) ptr(name string, v *string) {
	if v != nil {
		b.raw(name, strconv.Quote(*v))
	}
}

func (b *fieldWriter) metadata(md map[string]any) {
	if md != nil {
		// fmt sorts the keys, and prints a Secret held in a value as its
		// placeholder, since it calls each value's own Format.
		b.raw("Metadata", fmt.Sprintf("%v", md))
	}
}

func (b *fieldWriter) write(f fmt.State, verb rune, typeName string) {
	sep := " "
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(typeName))
		sep = ", "
	}
	_, _ = f.Write([]byte("{" + strings.Join(b.parts, sep) + "}"))
}
