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
		RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, Deprovision: true,
		HasPassword: true, ResetPasswordLink: true, ResetPasswordTemporary: true,
		PasswordHashes: []string{"argon2id", "argon2i", "argon2d", "bcrypt", "pbkdf2-sha1", "pbkdf2-sha256", "pbkdf2-sha512",
			"scrypt", "sha1", "sha256", "sha512", "md5", "firescrypt"},
		ExportPasswordHash: true,
		Statuses:           []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended, identity.StatusLocked, identity.StatusDeprovisioned},
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, harness{}) }

// actor is what a directory's users do at the memory provider.
func actor(dir *identity.Directory) (*memory.Actor, error) {
	var a *memory.Actor
	if !dir.As(&a) {
		return nil, &identity.Error{Code: identity.Internal, Message: "a memory directory hands out no *memory.Actor"}
	}
	return a, nil
}

// The harness implements conformance.Actor through *memory.Actor.

func (harness) AddFactor(ctx context.Context, dir *identity.Directory, userID string, kind identity.FactorKind) (string, error) {
	a, err := actor(dir)
	if err != nil {
		return "", err
	}
	f, err := a.AddFactor(ctx, userID, identity.Factor{Kind: kind, Name: "conformance " + string(kind)})
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

func (harness) LinkIdentity(ctx context.Context, dir *identity.Directory, userID, provider, subject string) (string, error) {
	a, err := actor(dir)
	if err != nil {
		return "", err
	}
	return provider, a.LinkIdentity(ctx, userID, identity.LinkedIdentity{Provider: provider, Subject: subject, Details: []byte(`{"conformance":true}`)})
}

func (harness) SignIn(ctx context.Context, dir *identity.Directory, userID string) error {
	a, err := actor(dir)
	if err != nil {
		return err
	}
	return a.SignIn(ctx, userID)
}

func (harness) Sessions(ctx context.Context, dir *identity.Directory, userID string) (int, error) {
	a, err := actor(dir)
	if err != nil {
		return 0, err
	}
	return a.Sessions(ctx, userID)
}

var _ conformance.Actor = harness{}
