package memory_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/conformance"
)

// cheap makes password hashing fast enough for a suite that hashes
// thousands of times under the race detector.
var cheap = memory.Options{Hash: memory.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}}

type harness struct{}

func (harness) MakeDirectory(ctx context.Context, _ *testing.T) (*identity.Directory, error) {
	return memory.New(ctx, cheap)
}

func (harness) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
		PendingCreate: true, Roles: true, RoleCatalog: true, UniqueEmail: true, UniquePhone: true,
		Organizations: true, OrganizationMetadata: true, UniqueOrganizationName: true, OrganizationRoles: true, OrganizationPermissions: true,
		SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
		Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended, identity.StatusLocked},
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, harness{}) }
