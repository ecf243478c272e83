package memory_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
)

// vector returns the published vector named name.
func vector(name string) passhashtest.Vector {
	for _, v := range passhashtest.Vectors {
		if v.Name == name {
			return v
		}
	}
	panic("no vector " + name)
}

// bcryptVector is OpenBSD's bcrypt vector, of the password "U*U".
var bcryptVector = vector("bcrypt OpenBSD 2a")

func TestImportedHashLocksOut(t *testing.T) {
	ctx := context.Background()
	o := cheap
	o.LockoutThreshold = 3
	dir, err := memory.New(ctx, o)
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", PasswordHash: identity.PasswordHash(bcryptVector.Encoded)})
	require.NoError(t, err)

	require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(bcryptVector.Password)))
	for range 3 {
		require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "wrong"), identity.ErrInvalidCredentials)
	}
	got, err := dir.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, identity.StatusLocked, got.Status, "wrong passwords against an imported hash count towards lockout")
	require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(bcryptVector.Password)), identity.ErrInvalidCredentials, "a locked user's password never verifies")

	require.NoError(t, dir.ActivateUser(ctx, u.ID))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(bcryptVector.Password)), "unlocked, the imported password works again")
	exp, err := dir.PasswordHash(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, bcryptVector.Encoded, string(exp), "an imported hash is kept as given until the password changes")
}

func TestOwnHashesAreArgon2idWithTheOptions(t *testing.T) {
	ctx := context.Background()
	dir, err := memory.New(ctx, memory.Options{Hash: memory.HashParams{Time: 1, MemoryKiB: 64, Threads: 2}})
	require.NoError(t, err)
	sha := vector("sha256 salt prefix")
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", PasswordHash: identity.PasswordHash(sha.Encoded)})
	require.NoError(t, err)
	require.NoError(t, dir.SetPassword(ctx, u.ID, "N3w-Passw0rd!"))

	exp, err := dir.PasswordHash(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(exp), "$argon2id$v=19$m=64,t=1,p=2$"), "SetPassword replaces an imported hash with memory's own argon2id")
	h, err := passhash.Parse(string(exp))
	require.NoError(t, err)
	assert.Len(t, h.Salt, 16)
	assert.Len(t, h.Value, 32)
	assert.True(t, h.Verify("N3w-Passw0rd!"))
	require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(sha.Password)), identity.ErrInvalidCredentials)

	// A hash made under other Options still verifies: it carries its
	// parameters.
	other, err := memory.New(ctx, memory.Options{Hash: memory.HashParams{Time: 2, MemoryKiB: 128, Threads: 1}})
	require.NoError(t, err)
	v, err := other.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", PasswordHash: exp})
	require.NoError(t, err)
	require.NoError(t, other.VerifyPassword(ctx, v.ID, "N3w-Passw0rd!"))
}

func TestTemporaryPasswordReplacesImportedHash(t *testing.T) {
	ctx := context.Background()
	dir, err := memory.New(ctx, cheap)
	require.NoError(t, err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", PasswordHash: identity.PasswordHash(bcryptVector.Encoded)})
	require.NoError(t, err)
	pr, err := dir.ResetPassword(ctx, u.ID, identity.ResetOptions{Kind: identity.ResetTemporaryPassword})
	require.NoError(t, err)
	require.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(bcryptVector.Password)), identity.ErrInvalidCredentials)
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, pr.TemporaryPassword))
	exp, err := dir.PasswordHash(ctx, u.ID)
	require.NoError(t, err)
	ok, err := passhash.Verify(string(exp), string(pr.TemporaryPassword))
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestPasswordHashNotFound(t *testing.T) {
	ctx := context.Background()
	dir, err := memory.New(ctx, cheap)
	require.NoError(t, err)
	_, err = dir.PasswordHash(ctx, "nobody")
	require.ErrorIs(t, err, identity.ErrNotFound)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "user", ie.Field)
}

// Moving a user from another system with the password it has: the old
// system's bcrypt hash becomes the user's password, and the directory
// hands the hash on in turn.
func ExampleNew_importPasswordHash() {
	ctx := context.Background()
	dir, _ := memory.New(ctx, memory.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{
		Email:        "ada@example.com",
		PasswordHash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", // bcrypt of "U*U"
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dir.VerifyPassword(ctx, u.ID, "U*U"))
	fmt.Println(identity.CodeOf(dir.VerifyPassword(ctx, u.ID, "U*V")))
	h, _ := dir.PasswordHash(ctx, u.ID)
	fmt.Println(h) // a hash is a secret: it prints as a placeholder
	fmt.Println(strings.HasPrefix(string(h), "$2a$05$"))
	// Output:
	// <nil>
	// InvalidCredentials
	// [REDACTED]
	// true
}
