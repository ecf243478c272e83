package okta_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pw identity.Secret = "Sw0rdfish-Tuesday"

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func requireCode(t *testing.T, err error, c identity.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, c, identity.CodeOf(err), "%v", err)
}

// TestOptions: Options that New refuses are InvalidArgument naming the
// field, and no form of them or of the error shows a secret they hold.
// The org URL's scheme and host are TestKit/PlainHTTPOnlyToLoopback; the
// printed forms of Options with each credential, TestKit/NoSecretLeaks.
func TestOptions(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	canaries := secrettest.New(t)
	inURL := "https://admin:" + canaries.Make("url-password") + "@dev-1.okta.com"
	cases := []struct {
		name  string
		opts  okta.Options
		field string
	}{
		{"no org", okta.Options{APIToken: "t"}, "OrgURL"},
		{"password in the org URL", okta.Options{OrgURL: inURL, APIToken: "t"}, "OrgURL"},
		{"no credentials", okta.Options{OrgURL: "https://dev-1.okta.com"}, "APIToken"},
		{"both credentials", okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t", ClientID: "c", PrivateKey: key}, "APIToken"},
		{"token with a line break", okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t\r\nX-Evil: 1"}, "APIToken"},
		{"service app without key", okta.Options{OrgURL: "https://dev-1.okta.com", ClientID: "c"}, "PrivateKey"},
		{"short RSA key", okta.Options{OrgURL: "https://dev-1.okta.com", ClientID: "c", PrivateKey: small}, "PrivateKey"},
		{"P-384 key", okta.Options{OrgURL: "https://dev-1.okta.com", ClientID: "c", PrivateKey: p384}, "PrivateKey"},
		{"role mode", okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t", RoleMode: "owners"}, "RoleMode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := okta.New(ctx(t), c.opts)
			requireCode(t, err, identity.InvalidArgument)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, c.field, ie.Field)
			assert.NotContains(t, err.Error(), "X-Evil")
			canaries.Check(t, c.name, c.opts, &c.opts, err)
		})
	}
	assert.Contains(t, fmt.Sprintf("%+v", cases[1].opts), "dev-1.okta.com", "the host still shows")
	dir, err := okta.New(ctx(t), okta.Options{OrgURL: "https://dev-1.okta.com", ClientID: "c", PrivateKey: key, RoleMode: okta.RoleModeAdmin})
	require.NoError(t, err)
	require.NoError(t, dir.Close())
}

func TestURLOpener(t *testing.T) {
	t.Setenv(okta.EnvAPIToken, "env-token")
	mux := new(identity.URLMux)
	mux.Register(okta.Scheme, &okta.URLOpener{})
	// insecure_http is TestKit/PlainHTTPOnlyToLoopback's.
	for _, bad := range []string{"okta://", "okta://dev-1.okta.com/path", "okta://dev-1.okta.com?colour=blue", "okta://dev-1.okta.com?roles=owners"} {
		_, err := mux.Open(ctx(t), bad)
		requireCode(t, err, identity.InvalidArgument)
	}
	dir, err := mux.Open(ctx(t), "okta://dev-1.okta.com?roles=admin")
	require.NoError(t, err)
	require.NoError(t, dir.Close())

	// A service app from the environment, its key in a PEM file.
	t.Setenv(okta.EnvAPIToken, "")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	t.Setenv(okta.EnvClientID, "0oa-app")
	t.Setenv(okta.EnvPrivateKeyFile, path)
	dir, err = mux.Open(ctx(t), "okta://dev-1.okta.com")
	require.NoError(t, err)
	require.NoError(t, dir.Close())

	require.NoError(t, os.WriteFile(path, []byte("not a key"), 0o600))
	_, err = mux.Open(ctx(t), "okta://dev-1.okta.com")
	requireCode(t, err, identity.InvalidArgument)
	assert.NotContains(t, err.Error(), "not a key")
}

func TestParsePrivateKey(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalECPrivateKey(ek)
	require.NoError(t, err)
	p8, err := x509.MarshalPKCS8PrivateKey(rk)
	require.NoError(t, err)
	for _, b := range []*pem.Block{
		{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)},
		{Type: "EC PRIVATE KEY", Bytes: ecDER},
		{Type: "PRIVATE KEY", Bytes: p8},
	} {
		k, err := okta.ParsePrivateKey(pem.EncodeToMemory(b))
		require.NoError(t, err, b.Type)
		require.NotNil(t, k)
	}
	_, err = okta.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")}))
	requireCode(t, err, identity.InvalidArgument)
}

// TestServiceAppSignsWithRSA: a service app may sign its assertion with
// an RSA key (RS256) as well as the P-256 key (ES256) with which the kit
// runs it, TestKit/TokensAreCachedAndReplaced among them.
func TestServiceAppSignsWithRSA(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	eo := oktatest.Options{NamesOptional: true, ServiceApps: map[string]crypto.PublicKey{"0oa-svc": key.Public()}}
	dir, srv := emulated(t, eo, okta.Options{ClientID: "0oa-svc", PrivateKey: key, KeyID: "kid-1"})
	_, err = dir.CreateUser(ctx(t), identity.NewUser{Email: "svc@example.com", Password: pw})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.TokenRequests())
}

// TestRateLimitedBurstSucceeds sends a burst three times a small quota;
// the client paces itself on the X-Rate-Limit headers and waits out any
// 429 until X-Rate-Limit-Reset, so every call succeeds.
func TestRateLimitedBurstSucceeds(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true, RateLimit: 10, RateWindow: time.Second}, okta.Options{})
	u, err := dir.CreateUser(ctx(t), identity.NewUser{Email: "burst@example.com"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range errs {
		wg.Go(func() { _, errs[i] = dir.GetUser(ctx(t), u.ID) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	t.Logf("429s answered by the emulator: %d", srv.RateLimited())
}

// TestRateLimitedCallWaits exhausts the quota behind the directory's
// back: its first call meets a 429, waits until X-Rate-Limit-Reset and
// succeeds.
func TestRateLimitedCallWaits(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true, RateLimit: 5, RateWindow: time.Second}, okta.Options{})
	for range 5 {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/users", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "SSWS "+testToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	_, err := dir.CreateUser(ctx(t), identity.NewUser{Email: "late@example.com"})
	require.NoError(t, err, "the 429 is waited out")
	assert.Positive(t, srv.RateLimited())
	assert.Equal(t, 1, srv.UserCount(), "a create refused with 429 was not processed, and is sent again once")
}

func TestNamesRequiredByDefault(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{}, okta.Options{})
	_, err := dir.CreateUser(ctx(t), identity.NewUser{Email: "nameless@example.com"})
	requireCode(t, err, identity.InvalidArgument)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, []string{"GivenName", "FamilyName"}, ie.Field)
	assert.Zero(t, srv.UserCount())
	_, err = dir.CreateUser(ctx(t), identity.NewUser{Email: "named@example.com", GivenName: "Ada", FamilyName: "Lovelace"})
	require.NoError(t, err)
}

func TestGetUserByLoginIsNotFound(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	_, err := dir.CreateUser(ctx(t), identity.NewUser{Username: "grace_h", Email: "grace@example.com"})
	require.NoError(t, err)
	_, err = dir.GetUser(ctx(t), "grace_h")
	requireCode(t, err, identity.NotFound)
	u, err := dir.GetUserByUsername(ctx(t), "grace_h")
	require.NoError(t, err)
	assert.Equal(t, "grace@example.com", u.Email)
	_, err = dir.GetUserByUsername(ctx(t), "GRACE_H")
	requireCode(t, err, identity.NotFound)
}

// TestLifecycleFromEveryStatus walks Okta's native statuses and what
// each allows. The portable transitions every backend has (suspend and
// activate, a pending user not suspended) are TestConformance/Lifecycle;
// a suspended user's password refused, TestKit/NoSecretLeaks.
func TestLifecycleFromEveryStatus(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := ctx(t)
	mk := func(email string, p identity.Secret, status identity.Status) *identity.User {
		u, err := dir.CreateUser(c, identity.NewUser{Email: email, Password: p, Status: status})
		require.NoError(t, err)
		return u
	}
	is := func(id string, s identity.Status, native, why string) {
		t.Helper()
		u, err := dir.GetUser(c, id)
		require.NoError(t, err)
		assert.Equal(t, s, u.Status, why)
		assert.Equal(t, native, u.NativeStatus, why)
	}

	staged := mk("staged@example.com", pw, identity.StatusPending)
	is(staged.ID, identity.StatusPending, "STAGED", "created pending")
	require.NoError(t, dir.ActivateUser(c, staged.ID))
	is(staged.ID, identity.StatusActive, "ACTIVE", "activated")

	noPassword := mk("stagednopw@example.com", "", identity.StatusPending)
	requireCode(t, dir.ActivateUser(c, noPassword.ID), identity.FailedPrecondition)
	is(noPassword.ID, identity.StatusPending, "STAGED", "a refused activation changes nothing")

	provisioned := mk("prov@example.com", "", identity.StatusActive)
	is(provisioned.ID, identity.StatusPending, "PROVISIONED", "pending until a password is set")
	requireCode(t, dir.ActivateUser(c, provisioned.ID), identity.FailedPrecondition)
	require.NoError(t, dir.SetPassword(c, provisioned.ID, pw))
	is(provisioned.ID, identity.StatusActive, "ACTIVE", "a password set")

	locked := mk("locked@example.com", pw, identity.StatusActive)
	require.True(t, srv.SetStatus(locked.ID, "LOCKED_OUT"))
	is(locked.ID, identity.StatusLocked, "LOCKED_OUT", "locked out")
	requireCode(t, dir.VerifyPassword(c, locked.ID, pw), identity.FailedPrecondition)
	require.NoError(t, dir.ActivateUser(c, locked.ID), "unlock")
	is(locked.ID, identity.StatusActive, "ACTIVE", "unlocked")

	deprov := mk("deprov@example.com", pw, identity.StatusActive)
	require.True(t, srv.SetStatus(deprov.ID, "DEPROVISIONED"))
	is(deprov.ID, identity.StatusDeprovisioned, "DEPROVISIONED", "deactivated")
	_, err := dir.UpdateUser(c, deprov.ID, identity.UserUpdate{DisplayName: new("X")})
	requireCode(t, err, identity.FailedPrecondition)
	require.NoError(t, dir.ActivateUser(c, deprov.ID), "activate again")
	is(deprov.ID, identity.StatusActive, "ACTIVE", "activated again")

	require.NoError(t, dir.ExpirePassword(c, staged.ID))
	is(staged.ID, identity.StatusActive, "PASSWORD_EXPIRED", "an expired password")
	require.NoError(t, dir.ActivateUser(c, staged.ID), "PASSWORD_EXPIRED is already active")
}

func TestListingLeavesOutDeprovisioned(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := ctx(t)
	var ids []string
	for i := range 3 {
		u, err := dir.CreateUser(c, identity.NewUser{Email: fmt.Sprintf("l%d@example.com", i), Password: pw})
		require.NoError(t, err)
		ids = append(ids, u.ID)
	}
	require.True(t, srv.SetStatus(ids[1], "DEPROVISIONED"))
	collect := func(o identity.ListOptions) []string {
		var out []string
		for u, err := range dir.ListUsers(c, o) {
			require.NoError(t, err)
			out = append(out, u.ID)
		}
		return out
	}
	assert.ElementsMatch(t, []string{ids[0], ids[2]}, collect(identity.ListOptions{PageSize: 1}))
	assert.ElementsMatch(t, []string{ids[0], ids[2]}, collect(identity.ListOptions{Query: "example", PageSize: 1}))
	assert.Equal(t, []string{ids[1]}, collect(identity.ListOptions{Status: identity.StatusDeprovisioned}))
	assert.Equal(t, []string{ids[1]}, collect(identity.ListOptions{Email: "L1@EXAMPLE.com", Status: identity.StatusDeprovisioned}))
}

// TestDeleteIsTwoStep: Okta deletes a user with a deactivation and a
// deletion; a user already deactivated elsewhere is deleted by the first
// DELETE. Deleting an active user, and deleting twice, are
// TestConformance/Delete.
func TestDeleteIsTwoStep(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	u, err := dir.CreateUser(ctx(t), identity.NewUser{Email: "b@example.com", Password: pw})
	require.NoError(t, err)
	require.True(t, srv.SetStatus(u.ID, "DEPROVISIONED"))
	require.NoError(t, dir.DeleteUser(ctx(t), u.ID))
	assert.Zero(t, srv.UserCount())
}

// TestConcurrentRemovalsLoseNothing removes and adds metadata keys from
// many goroutines: removals replace the profile under If-Match, so every
// write that raced with another is redone from a fresh read.
func TestConcurrentRemovalsLoseNothing(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := ctx(t)
	md := map[string]any{}
	for i := range 8 {
		md[fmt.Sprintf("old%d", i)] = "x"
	}
	u, err := dir.CreateUser(c, identity.NewUser{Email: "md@example.com", Metadata: md})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range 16 {
		wg.Go(func() {
			up := map[string]any{fmt.Sprintf("new%d", i): float64(i)}
			if i < 8 {
				up = map[string]any{fmt.Sprintf("old%d", i): nil}
			}
			_, errs[i] = dir.UpdateUser(c, u.ID, identity.UserUpdate{Metadata: up})
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err := dir.GetUser(c, u.ID)
	require.NoError(t, err)
	want := map[string]any{}
	for i := 8; i < 16; i++ {
		want[fmt.Sprintf("new%d", i)] = float64(i)
	}
	assert.Equal(t, want, got.Metadata)
}

func TestMetadataOktaCannotHold(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := ctx(t)
	_, err := dir.CreateUser(c, identity.NewUser{Email: "n@example.com", Metadata: map[string]any{"address": map[string]any{"city": "Paris"}}})
	requireCode(t, err, identity.Unsupported)
	assert.Contains(t, err.Error(), "Metadata.address")
	_, err = dir.CreateUser(c, identity.NewUser{Email: "n@example.com", Metadata: map[string]any{"login": "x"}})
	requireCode(t, err, identity.InvalidArgument)
	assert.Zero(t, srv.UserCount())
	u, err := dir.CreateUser(c, identity.NewUser{Email: "n@example.com", Metadata: map[string]any{"tags": []any{"a", "b"}, "level": float64(3)}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"tags": []any{"a", "b"}, "level": float64(3)}, u.Metadata)
}

func TestVerifyPasswordThroughAuthn(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true, MFARequired: true}, okta.Options{})
	c := ctx(t)
	u, err := dir.CreateUser(c, identity.NewUser{Email: "mfa@example.com", Password: pw})
	require.NoError(t, err)
	require.NoError(t, dir.VerifyPassword(c, u.ID, pw), "MFA_REQUIRED means the password matched")
	requireCode(t, dir.VerifyPassword(c, u.ID, "Wr0ng-password"), identity.InvalidCredentials)
}

func TestPasswordPolicy(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := ctx(t)
	u, err := dir.CreateUser(c, identity.NewUser{Email: "pol@example.com", Password: pw})
	require.NoError(t, err)
	requireCode(t, dir.SetPassword(c, u.ID, "short"), identity.FailedPrecondition)
	requireCode(t, dir.ChangePassword(c, u.ID, pw, "alllowercase"), identity.FailedPrecondition)
	require.NoError(t, dir.VerifyPassword(c, u.ID, pw), "refused changes keep the password")
	_, err = dir.CreateUser(c, identity.NewUser{Email: "pol2@example.com", Password: "short"})
	requireCode(t, err, identity.InvalidArgument)
}

// TestAdminRoles: in admin mode the roles are Okta's twelve standard
// administrator role types. What the portable calls do with them is
// TestConformanceAdminRoles: Roles (assign, revoke, unknown role and
// user) and Gates (CreateRole and DeleteRole Unsupported).
func TestAdminRoles(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{RoleMode: okta.RoleModeAdmin})
	rs, err := dir.ListRoles(ctx(t))
	require.NoError(t, err)
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	assert.Len(t, names, 12)
	assert.Subset(t, names, []string{"SUPER_ADMIN", "USER_ADMIN", "HELP_DESK_ADMIN", "READ_ONLY_ADMIN"})
}

// TestPasswordChangesRideOutFaults: a password change whose answer a
// fault loses, refused or not, and one that never arrived, each end as if
// the fault had not happened; the Authentication API tells which.
func TestPasswordChangesRideOutFaults(t *testing.T) {
	f := faultinject.New(faultinject.Options{Methods: []string{http.MethodPost, http.MethodPut, http.MethodDelete}, Exclude: []string{"/api/v1/authn"}})
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true, Middleware: f.Wrap},
		okta.Options{HTTPOptions: identity.HTTPOptions{Timeout: 500 * time.Millisecond, RetryBaseDelay: time.Millisecond}})
	c := ctx(t)
	u, err := dir.CreateUser(c, identity.NewUser{Email: "ada@example.com", Password: pw})
	require.NoError(t, err)

	// A change whose answer was lost: signing in with the new password
	// tells that it happened.
	const next identity.Secret = "N3w-Secr3t-phrase"
	f.Next(faultinject.ResetAfter)
	require.NoError(t, dir.ChangePassword(c, u.ID, pw, next))
	require.NoError(t, dir.VerifyPassword(c, u.ID, next))
	// A refused change whose answer was lost: sent again, Okta's own
	// answer comes back.
	f.Next(faultinject.ResetAfter)
	require.ErrorIs(t, dir.ChangePassword(c, u.ID, "Wr0ng-old-password", pw), identity.ErrInvalidCredentials)
	// A change that never arrived is sent again.
	f.Next(faultinject.Status503)
	require.NoError(t, dir.ChangePassword(c, u.ID, next, pw))
	require.NoError(t, dir.VerifyPassword(c, u.ID, pw))
	assert.Equal(t, 3, f.Injected())
}
