package identity

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestModuleBackendsAreListed: every backend package of the module is
// one the unknown-scheme message can name, so that a missing import is
// always named.
func TestModuleBackendsAreListed(t *testing.T) {
	entries, err := os.ReadDir("backends")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if !slices.Equal(dirs, moduleBackends) {
		t.Errorf("backends/ holds %v, moduleBackends lists %v", dirs, moduleBackends)
	}
	var m URLMux
	_, err = m.Open(context.Background(), "kratos://127.0.0.1:4434")
	if err == nil || !strings.Contains(err.Error(), `import its package: _ "github.com/idport/identity/backends/kratos"`) {
		t.Errorf("Open of an unregistered module scheme: %v", err)
	}
	_, err = m.Open(context.Background(), "mysql://db")
	if err == nil || strings.Contains(err.Error(), "backends/mysql") {
		t.Errorf("Open of a scheme no backend has names a package that does not exist: %v", err)
	}
}
