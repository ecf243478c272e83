package identity_test

import (
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
)

// holder is a backend whose state keeps its credential in an unexported
// field, where fmt would print it raw, Secret or not.
type holder struct {
	driver.Directory
	key identity.Secret
}

func (holder) Capabilities() identity.Capabilities { return identity.Capabilities{} }

func TestDirectoryPrintsNoBackendState(t *testing.T) {
	const key = "format-canary-key-31d7"
	dir := identity.NewDirectory("fake", holder{key: key})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%T %[1]p"} {
		s := fmt.Sprintf(verb, dir)
		assert.NotContains(t, s, key, verb)
	}
	assert.Equal(t, "identity.Directory(fake)", fmt.Sprint(dir))
}
