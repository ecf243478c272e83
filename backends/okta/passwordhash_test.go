package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createBodies records the credentials of each POST /api/v1/users.
type createBodies struct {
	mu   sync.Mutex
	last map[string]any
}

func (cb *createBodies) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/users" {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			cb.mu.Lock()
			cb.last = m
			cb.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (cb *createBodies) password() map[string]any {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	creds, _ := cb.last["credentials"].(map[string]any)
	pw, _ := creds["password"].(map[string]any)
	return pw
}

// TestImportThroughDirectory imports each vector Okta takes through the
// schema-checked emulator: the body carries the hash and no value, the
// user is ACTIVE with a password, and signs in with the password only.
func TestImportThroughDirectory(t *testing.T) {
	cb := &createBodies{}
	dir, _ := emulated(t, oktatest.Options{Middleware: cb.wrap}, okta.Options{})
	ctx := context.Background()
	n := 0
	for _, v := range passhashtest.Vectors {
		if !slices.Contains(dir.Capabilities().PasswordHashes, string(v.Algorithm)) {
			continue
		}
		h, _ := passhash.Parse(v.Encoded)
		if h.Algorithm.IsPBKDF2() && h.Iterations < 4096 {
			continue // Okta's least; TestHashCredentialUnsupported
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: "v" + string(rune('a'+n)) + "@example.com", GivenName: "Ada", FamilyName: "L",
				PasswordHash: identity.PasswordHash(v.Encoded)})
			require.NoError(t, err)
			pw := cb.password()
			assert.NotContains(t, pw, "value", "no password in plain")
			require.Contains(t, pw, "hash")
			assert.Equal(t, identity.StatusActive, u.Status, "a hashed user is ACTIVE, not PROVISIONED")
			assert.Equal(t, "ACTIVE", u.NativeStatus)
			has, err := dir.HasPassword(ctx, u.ID)
			require.NoError(t, err)
			assert.True(t, has)
			require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(v.Password)))
			assert.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "Wr0ngPassword"), identity.ErrInvalidCredentials)
		})
	}
	assert.NotZero(t, n)
}

// TestImportPendingThenActivate: a pending user created with a hash is
// STAGED, cannot sign in, and signs in with the hash's password once
// activated; ChangePassword then checks the old password against it.
func TestImportPendingThenActivate(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{}, okta.Options{})
	ctx := context.Background()
	h := identity.PasswordHash("$md5$" + passhashtest.B64Hex("5f4dcc3b5aa765d61d8327deb882cf99"))
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "p@example.com", GivenName: "Ada", FamilyName: "L", PasswordHash: h, Status: identity.StatusPending})
	require.NoError(t, err)
	assert.Equal(t, "STAGED", u.NativeStatus)
	assert.Error(t, dir.VerifyPassword(ctx, u.ID, "password"), "a STAGED user cannot sign in")
	require.NoError(t, dir.ActivateUser(ctx, u.ID))
	status, _ := srv.UserStatus(u.ID)
	assert.Equal(t, "ACTIVE", status, "activated with the imported password")
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "password"))
	assert.ErrorIs(t, dir.ChangePassword(ctx, u.ID, "not it", "Str0ngPassw0rd"), identity.ErrInvalidCredentials)
	require.NoError(t, dir.ChangePassword(ctx, u.ID, "password", "Str0ngPassw0rd"))
	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "Str0ngPassw0rd"))
	assert.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "password"), identity.ErrInvalidCredentials)
}

// TestImportRefusedBeforeRequest refuses, with nothing sent, a hash of a
// declared algorithm Okta cannot carry, and export, which Okta has none
// of.
func TestImportRefusedBeforeRequest(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{}, okta.Options{})
	ctx := context.Background()
	// PBKDF2-HMAC-SHA512 of one iteration; Okta takes 4096 or more.
	h := "$pbkdf2-sha512$i=1,l=64$c2FsdA$" + passhashtest.B64Hex("867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce")
	before := srv.UserCount()
	_, err := dir.CreateUser(ctx, identity.NewUser{Email: "r@example.com", GivenName: "Ada", FamilyName: "L", PasswordHash: identity.PasswordHash(h)})
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.Unsupported, ie.Code)
	assert.Equal(t, "PasswordHash", ie.Field)
	assert.Equal(t, before, srv.UserCount())

	assert.False(t, dir.Capabilities().ExportPasswordHash, "Okta hands out no hashes")
	_, err = dir.PasswordHash(ctx, "00u1")
	assert.ErrorIs(t, err, identity.ErrUnsupported)
}
