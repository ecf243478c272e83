package identity_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
)

// FuzzOpen feeds arbitrary strings to the URL parser and the memory opener:
// never a panic, and every failure an InvalidArgument *identity.Error.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{"memory://", "memory://?x=1", "memory://host/path", "MEMORY://", "okta://", "://", "%zz://", "memory:opaque", "mem ory://", "memory://u:p@h"} {
		f.Add(s)
	}
	var mux identity.URLMux
	mux.Register(memory.Scheme, &memory.URLOpener{})
	f.Fuzz(func(t *testing.T, s string) {
		dir, err := mux.Open(context.Background(), s)
		if err != nil {
			if identity.CodeOf(err) != identity.InvalidArgument {
				t.Fatalf("Open(%q): want InvalidArgument, got %v", s, err)
			}
			return
		}
		if dir == nil {
			t.Fatalf("Open(%q): nil directory and nil error", s)
		}
		_ = dir.Close()
	})
}
