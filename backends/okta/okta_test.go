package okta_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
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
	"github.com/idport/identity/driver"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/backendtest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pw identity.Secret = "Sw0rdfish-Tuesday"

func requireCode(t *testing.T, err error, c identity.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, c, identity.CodeOf(err), "%v", err)
}

// requireStatus fails t unless the user id reads with the portable
// status st and Okta's own, native.
func requireStatus(t *testing.T, dir *identity.Directory, id string, st identity.Status, native, why string) {
	t.Helper()
	u, err := dir.GetUser(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, st, u.Status, why)
	assert.Equal(t, native, u.NativeStatus, why)
}

// listIDs returns the ids of the users dir lists with o.
func listIDs(t *testing.T, dir *identity.Directory, o identity.ListOptions) []string {
	t.Helper()
	var ids []string
	for u, err := range dir.ListUsers(t.Context(), o) {
		require.NoError(t, err)
		ids = append(ids, u.ID)
	}
	return ids
}

// TestOptions: Options that New refuses are InvalidArgument naming the
// field, and no form of them or of the error shows a secret they hold.
// A service app with an RSA key, in admin mode, opens and signs in.
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
			_, err := okta.New(t.Context(), c.opts)
			requireCode(t, err, identity.InvalidArgument)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, c.field, ie.Field)
			assert.NotContains(t, err.Error(), "X-Evil")
			canaries.Check(t, c.name, c.opts, &c.opts, err)
		})
	}
	assert.Contains(t, fmt.Sprintf("%+v", cases[1].opts), "dev-1.okta.com", "the host still shows")

	// A service app may sign with an RSA key (RS256) as well as with the
	// P-256 key (ES256) the kit runs one with.
	eo := oktatest.Options{NamesOptional: true, ServiceApps: map[string]crypto.PublicKey{"0oa-svc": key.Public()}}
	dir, srv := emulated(t, eo, okta.Options{ClientID: "0oa-svc", PrivateKey: key, KeyID: "kid-1", RoleMode: okta.RoleModeAdmin})
	_, err = dir.CreateUser(t.Context(), identity.NewUser{Email: "svc@example.com", Password: pw})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.TokenRequests())
}

// TestURLOpener: the URLs identity.Open refuses, and a service app
// configured from the environment, its key read by ParsePrivateKey.
func TestURLOpener(t *testing.T) {
	t.Setenv(okta.EnvAPIToken, "env-token")
	mux := new(identity.URLMux)
	mux.Register(okta.Scheme, &okta.URLOpener{})
	// insecure_http is TestKit/PlainHTTPOnlyToLoopback's.
	for _, bad := range []string{"okta://", "okta://dev-1.okta.com/path", "okta://dev-1.okta.com?colour=blue", "okta://dev-1.okta.com?roles=owners"} {
		_, err := mux.Open(t.Context(), bad)
		requireCode(t, err, identity.InvalidArgument)
	}
	dir, err := mux.Open(t.Context(), "okta://dev-1.okta.com?roles=admin")
	require.NoError(t, err)
	require.NoError(t, dir.Close())

	// A service app from the environment, its key in a PEM file of each
	// form ParsePrivateKey reads.
	t.Setenv(okta.EnvAPIToken, "")
	t.Setenv(okta.EnvClientID, "0oa-app")
	path := filepath.Join(t.TempDir(), "key.pem")
	t.Setenv(okta.EnvPrivateKeyFile, path)
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
		require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(b), 0o600))
		dir, err = mux.Open(t.Context(), "okta://dev-1.okta.com")
		require.NoError(t, err, b.Type)
		require.NoError(t, dir.Close())
	}
	for _, junk := range [][]byte{[]byte("not a key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})} {
		_, err = okta.ParsePrivateKey(junk)
		requireCode(t, err, identity.InvalidArgument)
		require.NoError(t, os.WriteFile(path, junk, 0o600))
		_, err = mux.Open(t.Context(), "okta://dev-1.okta.com")
		requireCode(t, err, identity.InvalidArgument)
		assert.NotContains(t, err.Error(), "not a key")
		assert.NotContains(t, err.Error(), "junk")
	}
}

// TestRateLimitedCallsWait exhausts a small quota behind the
// directory's back, then sends a create and a burst of three times the
// quota: the create meets a 429, waits until X-Rate-Limit-Reset and is
// sent again once, and the burst paces itself on the X-Rate-Limit
// headers, so that every call succeeds.
func TestRateLimitedCallsWait(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true, RateLimit: 10, RateWindow: time.Second}, okta.Options{})
	for range 10 {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/users", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "SSWS "+testToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	u, err := dir.CreateUser(t.Context(), identity.NewUser{Email: "late@example.com"})
	require.NoError(t, err, "the 429 is waited out")
	assert.Positive(t, srv.RateLimited())
	assert.Equal(t, 1, srv.UserCount(), "a create refused with 429 was not processed, and is sent again once")
	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range errs {
		wg.Go(func() { _, errs[i] = dir.GetUser(t.Context(), u.ID) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
}

// TestWhatOktaRefuses: on an org whose profile requires names, each
// call Okta refuses fails with its portable code and names the field,
// makes no user and keeps the password; the same calls made as Okta
// allows succeed. A password too short for SetPassword is
// TestKit/NoSecretLeaks'; finding a user by username at all,
// TestConformance/Get.
func TestWhatOktaRefuses(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{}, okta.Options{})
	c := t.Context()
	md := map[string]any{"tags": []any{"a", "b"}, "level": float64(3)}
	u, err := dir.CreateUser(c, identity.NewUser{Email: "grace@example.com", Username: "grace_h", GivenName: "Grace", FamilyName: "Hopper", Password: pw, Metadata: md})
	require.NoError(t, err, "names given, and metadata Okta can hold")
	assert.Equal(t, md, u.Metadata)
	create := func(nu identity.NewUser) func() error {
		return func() error { _, err := dir.CreateUser(c, nu); return err }
	}
	for _, r := range []struct {
		name  string
		call  func() error
		code  identity.Code
		field string
	}{
		{"no names", create(identity.NewUser{Email: "nameless@example.com"}), identity.InvalidArgument, "GivenName"},
		{"nested metadata", create(identity.NewUser{Email: "n@example.com", GivenName: "A", FamilyName: "L", Metadata: map[string]any{"address": map[string]any{"city": "Paris"}}}), identity.Unsupported,
			"Metadata.address"},
		{"a profile property as metadata", create(identity.NewUser{Email: "n@example.com", GivenName: "A", FamilyName: "L", Metadata: map[string]any{"login": "x"}}), identity.InvalidArgument, "Metadata.login"},
		{"a password against the policy", create(identity.NewUser{Email: "n@example.com", GivenName: "A", FamilyName: "L", Password: "short"}), identity.InvalidArgument, "Password"},
		{"a change against the policy", func() error { return dir.ChangePassword(c, u.ID, pw, "alllowercase") }, identity.FailedPrecondition, "Password"},
		{"GetUser by login", func() error { _, err := dir.GetUser(c, "grace_h"); return err }, identity.NotFound, "user"},
		{"a username but for case", func() error { _, err := dir.GetUserByUsername(c, "GRACE_H"); return err }, identity.NotFound, "user"},
	} {
		err := r.call()
		requireCode(t, err, r.code)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, r.field, ie.Field, r.name)
	}
	assert.Equal(t, 1, srv.UserCount(), "no refused create made a user")
	require.NoError(t, dir.VerifyPassword(c, u.ID, pw), "a refused change keeps the password")
}

// TestMetadataOktaCannotHold checks that metadata no profile property can
// hold is refused before any request, with Field the key's path alone
// and the reason in the message. Organizations' metadata reaches the
// backend's own check; users' is refused by the constraints first
// (TestWhatOktaRefuses).
func TestMetadataOktaCannotHold(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{}, okta.Options{})
	for _, tt := range []struct {
		name string
		md   map[string]any
		want string
	}{
		{"an object", map[string]any{"address": map[string]any{"city": "Paris"}},
			"the value does not fit an Okta profile property, which holds a string, number, boolean or an array of those"},
		{"an array of objects", map[string]any{"address": []any{map[string]any{"city": "Paris"}}},
			"an array of objects, arrays or nulls does not fit an Okta profile property, which holds a string, number, boolean or an array of those"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dir.CreateOrganization(t.Context(), identity.NewOrganization{Name: "Acme", Metadata: tt.md})
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, identity.Unsupported, ie.Code, "%v", err)
			assert.Equal(t, "Metadata.address", ie.Field)
			assert.Equal(t, tt.want, ie.Message)
		})
	}
	assert.Empty(t, groupNames(t, dir, "org:"), "no refused create made a group")
}

// TestLifecycleFromEveryStatus walks Okta's native statuses and what
// each allows. The portable transitions every backend has (suspend and
// activate, a pending user not suspended) are TestConformance/Lifecycle;
// a suspended user's password refused, TestKit/NoSecretLeaks.
func TestLifecycleFromEveryStatus(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := t.Context()
	mk := func(email string, p identity.Secret, status identity.Status) *identity.User {
		u, err := dir.CreateUser(c, identity.NewUser{Email: email, Password: p, Status: status})
		require.NoError(t, err)
		return u
	}

	staged := mk("staged@example.com", pw, identity.StatusPending)
	requireStatus(t, dir, staged.ID, identity.StatusPending, "STAGED", "created pending")
	require.NoError(t, dir.ActivateUser(c, staged.ID))
	requireStatus(t, dir, staged.ID, identity.StatusActive, "ACTIVE", "activated")

	noPassword := mk("stagednopw@example.com", "", identity.StatusPending)
	requireCode(t, dir.ActivateUser(c, noPassword.ID), identity.FailedPrecondition)
	requireStatus(t, dir, noPassword.ID, identity.StatusPending, "STAGED", "a refused activation changes nothing")

	provisioned := mk("prov@example.com", "", identity.StatusActive)
	requireStatus(t, dir, provisioned.ID, identity.StatusPending, "PROVISIONED", "pending until a password is set")
	requireCode(t, dir.ActivateUser(c, provisioned.ID), identity.FailedPrecondition)
	require.NoError(t, dir.SetPassword(c, provisioned.ID, pw))
	requireStatus(t, dir, provisioned.ID, identity.StatusActive, "ACTIVE", "a password set")

	locked := mk("locked@example.com", pw, identity.StatusActive)
	require.True(t, srv.SetStatus(locked.ID, "LOCKED_OUT"))
	requireStatus(t, dir, locked.ID, identity.StatusLocked, "LOCKED_OUT", "locked out")
	requireCode(t, dir.VerifyPassword(c, locked.ID, pw), identity.FailedPrecondition)
	require.NoError(t, dir.ActivateUser(c, locked.ID), "unlock")
	requireStatus(t, dir, locked.ID, identity.StatusActive, "ACTIVE", "unlocked")

	deprov := mk("deprov@example.com", pw, identity.StatusActive)
	require.True(t, srv.SetStatus(deprov.ID, "DEPROVISIONED"))
	requireStatus(t, dir, deprov.ID, identity.StatusDeprovisioned, "DEPROVISIONED", "deactivated")
	_, err := dir.UpdateUser(c, deprov.ID, identity.UserUpdate{DisplayName: new("X")})
	requireCode(t, err, identity.FailedPrecondition)
	require.NoError(t, dir.ActivateUser(c, deprov.ID), "activate again")
	requireStatus(t, dir, deprov.ID, identity.StatusActive, "ACTIVE", "activated again")

	require.NoError(t, dir.ExpirePassword(c, staged.ID))
	requireStatus(t, dir, staged.ID, identity.StatusActive, "PASSWORD_EXPIRED", "an expired password")
	require.NoError(t, dir.ActivateUser(c, staged.ID), "PASSWORD_EXPIRED is already active")
}

func TestListingLeavesOutDeprovisioned(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	var ids []string
	for i := range 3 {
		u, err := dir.CreateUser(t.Context(), identity.NewUser{Email: fmt.Sprintf("l%d@example.com", i), Password: pw})
		require.NoError(t, err)
		ids = append(ids, u.ID)
	}
	require.True(t, srv.SetStatus(ids[1], "DEPROVISIONED"))
	assert.ElementsMatch(t, []string{ids[0], ids[2]}, listIDs(t, dir, identity.ListOptions{PageSize: 1}))
	assert.ElementsMatch(t, []string{ids[0], ids[2]}, listIDs(t, dir, identity.ListOptions{Query: "example", PageSize: 1}))
	assert.Equal(t, []string{ids[1]}, listIDs(t, dir, identity.ListOptions{Status: identity.StatusDeprovisioned}))
	assert.Equal(t, []string{ids[1]}, listIDs(t, dir, identity.ListOptions{Email: "L1@EXAMPLE.com", Status: identity.StatusDeprovisioned}))
}

// TestRecoveryIsNotActive puts a user into RECOVERY with Okta's
// reset_password, sent through the typed client, after which Okta's
// reference says the user cannot sign in until the reset is completed:
// the user reads as Pending and is listed so, VerifyPassword and
// ActivateUser say FailedPrecondition instead of a wrong password and a
// success that changes nothing, and a password set by the administrator
// makes it Active again.
func TestRecoveryIsNotActive(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{}, okta.Options{})
	c := t.Context()
	var client *okta.Client
	require.True(t, dir.As(&client))
	u, err := dir.CreateUser(c, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "L", Password: pw})
	require.NoError(t, err)
	other, err := dir.CreateUser(c, identity.NewUser{Email: "bob@example.com", GivenName: "Bob", FamilyName: "B", Password: pw})
	require.NoError(t, err)
	var reset struct {
		URL string `json:"resetPasswordUrl"`
	}
	require.NoError(t, client.Do(c, "POST", "/api/v1/users/"+u.ID+"/lifecycle/reset_password?sendEmail=false", nil, &reset))
	require.NotEmpty(t, reset.URL)
	requireStatus(t, dir, u.ID, identity.StatusPending, "RECOVERY", "a reset begun")
	assert.Equal(t, []string{u.ID}, listIDs(t, dir, identity.ListOptions{Status: identity.StatusPending}), "the Status filter agrees with the mapping")
	assert.Equal(t, []string{other.ID}, listIDs(t, dir, identity.ListOptions{Status: identity.StatusActive}))
	for name, call := range map[string]func() error{
		"VerifyPassword": func() error { return dir.VerifyPassword(c, u.ID, pw) },
		"ActivateUser":   func() error { return dir.ActivateUser(c, u.ID) },
	} {
		err := call()
		assert.ErrorIs(t, err, identity.ErrFailedPrecondition, "%s: %v", name, err)
		assert.ErrorContains(t, err, "RECOVERY", name)
		requireStatus(t, dir, u.ID, identity.StatusPending, "RECOVERY", name+" changed nothing")
	}
	require.NoError(t, dir.SetPassword(c, u.ID, "Another-Passw0rd!"))
	requireStatus(t, dir, u.ID, identity.StatusActive, "ACTIVE", "a password set by the administrator ends the recovery")
	assert.NoError(t, dir.VerifyPassword(c, u.ID, "Another-Passw0rd!"))
	assert.NoError(t, dir.ActivateUser(c, u.ID))
}

// TestDeleteIsTwoStep: Okta deletes a user with a deactivation and a
// deletion; a user already deactivated elsewhere is deleted by the first
// DELETE. Deleting an active user, and deleting twice, are
// TestConformance/Delete.
func TestDeleteIsTwoStep(t *testing.T) {
	dir, srv := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	u, err := dir.CreateUser(t.Context(), identity.NewUser{Email: "b@example.com", Password: pw})
	require.NoError(t, err)
	require.True(t, srv.SetStatus(u.ID, "DEPROVISIONED"))
	require.NoError(t, dir.DeleteUser(t.Context(), u.ID))
	assert.Zero(t, srv.UserCount())
}

// TestConcurrentRemovalsLoseNothing removes and adds metadata keys from
// many goroutines: removals replace the profile under If-Match, so every
// write that raced with another is redone from a fresh read.
func TestConcurrentRemovalsLoseNothing(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	c := t.Context()
	md, want := map[string]any{}, map[string]any{}
	for i := range 8 {
		md[fmt.Sprintf("old%d", i)] = "x"
		want[fmt.Sprintf("new%d", i+8)] = float64(i + 8)
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
	assert.Equal(t, want, got.Metadata, "the removals and the additions")
}

func TestVerifyPasswordThroughAuthn(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true, MFARequired: true}, okta.Options{})
	c := t.Context()
	u, err := dir.CreateUser(c, identity.NewUser{Email: "mfa@example.com", Password: pw})
	require.NoError(t, err)
	require.NoError(t, dir.VerifyPassword(c, u.ID, pw), "MFA_REQUIRED means the password matched")
	requireCode(t, dir.VerifyPassword(c, u.ID, "Wr0ng-password"), identity.InvalidCredentials)
}

// TestAdminRoles: in admin mode the roles are Okta's twelve standard
// administrator role types. What the portable calls do with them is
// TestConformanceAdminRoles: Roles (assign, revoke, unknown role and
// user) and Gates (CreateRole and DeleteRole Unsupported).
func TestAdminRoles(t *testing.T) {
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{RoleMode: okta.RoleModeAdmin})
	rs, err := dir.ListRoles(t.Context())
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
	c := t.Context()
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

// site is an emulator that records the requests it gets, with active
// users to aim at and a group, and a directory on it, through the
// portable layer and bare.
type site struct {
	dir    *identity.Directory
	raw    driver.Directory
	srv    *oktatest.Server
	rec    *hostiletest.Recorder
	target *identity.User
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{rec: &hostiletest.Recorder{}}
	s.dir, s.srv = emulated(t, oktatest.Options{NamesOptional: true, Middleware: s.rec.Wrap}, okta.Options{})
	s.raw = okta.RawDirectory(t, okta.Options{OrgURL: s.srv.URL, APIToken: testToken}, 1<<20)
	ctx := context.Background()
	for _, email := range []string{"target@example.com", "other@example.com", "o'brien+tag@example.com", "a&b@example.com"} {
		u, err := s.dir.CreateUser(ctx, identity.NewUser{Email: email, Password: pw})
		require.NoError(t, err)
		if s.target == nil {
			s.target = u
		}
	}
	_, err := s.dir.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	s.rec.Take()
	return s
}

// listed is a recorded request and, for a listing, how many users or
// groups the emulator answers it with; -1 for any other.
type listed struct {
	hostiletest.Recorded
	n int
}

// listings returns the requests recorded since the last call, so that a
// test can tell what a search expression matched on the server before
// the backend refines the page. It asks the emulator again to count,
// which changes nothing there.
func (s *site) listings(t *testing.T) []listed {
	t.Helper()
	var out []listed
	for _, r := range s.rec.Take() {
		l := listed{r, -1}
		if r.Method == http.MethodGet && (r.Path == "/api/v1/users" || r.Path == "/api/v1/groups") {
			req, err := http.NewRequest(http.MethodGet, s.srv.URL+r.Path+"?"+r.Query, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "SSWS "+testToken)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			var items []json.RawMessage
			if json.NewDecoder(resp.Body).Decode(&items) == nil {
				l.n = len(items)
			}
			resp.Body.Close()
		}
		out = append(out, l)
	}
	s.rec.Take() // the requests asked again
	return out
}

// TestRoleNamesMatchExactly: Okta's group names are unique ignoring
// case, and its group search matches prefixes; a role name resolves only
// to the group of exactly that name, never to one whose name it merely
// starts or matches but for case. The hostile names every backend meets
// are in TestKit/HostileRoleNamesNeverReachAPath.
func TestRoleNamesMatchExactly(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	_, err := s.dir.CreateRole(ctx, identity.Role{Name: "EDITOR"})
	assert.Error(t, err, "the name of another group but for case")
	for _, name := range []string{"edit", "EDITOR", "Every", "e", `x" or type eq "OKTA_GROUP`} {
		err := s.dir.AssignRole(ctx, s.target.ID, name)
		assert.ErrorIs(t, err, identity.ErrNotFound, name)
		var ie *identity.Error
		if assert.ErrorAs(t, err, &ie, name) {
			assert.Equal(t, name, ie.Role, name)
		}
	}
	roles, err := s.dir.ListUserRoles(ctx, s.target.ID)
	require.NoError(t, err)
	assert.Empty(t, roles)
}

// searchBreakers are values meant to end a search expression's string and
// add terms of their own.
var searchBreakers = []string{
	`x" or status eq "ACTIVE`, `x\" or status eq \"ACTIVE`, `") or (status eq "ACTIVE`, `" or "" eq "`,
	`x" or profile.email sw "`, `\`, `\\`, `"`, `""`, ` or `, `) or (`, `status eq "ACTIVE"`,
	`x") or (status eq "ACTIVE") or (profile.email co "x`, "x\u2028\u2029", "<&>", `\u0022 or status eq \u0022ACTIVE`,
}

// TestSearchValuesKeepTheirMeaning lists and looks users up with values
// full of search syntax, through the portable layer and, for emails and
// usernames the portable layer would refuse, straight to the backend:
// the emulator parses each expression as Okta would, and matches no
// user, where an expression the value had broken out of would match
// every active one or be refused as invalid.
func TestSearchValuesKeepTheirMeaning(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	noneMatched := func(label string) {
		t.Helper()
		ls := s.listings(t)
		require.NotEmpty(t, ls, label)
		for _, r := range ls {
			assert.Equal(t, "/api/v1/users", r.Path, label)
			assert.Zero(t, r.n, "%s: the emulator's search matched users", label)
			backendtest.CheckQuery(t, label, r.Recorded, kit.Query.Allowed, "", "")
		}
	}
	for _, v := range searchBreakers {
		for u, err := range s.dir.ListUsers(ctx, identity.ListOptions{Query: v}) {
			require.NoError(t, err, v)
			t.Errorf("ListUsers(Query %q) gave %s", v, u.Email)
		}
		noneMatched("Query " + v)
		for name, o := range map[string]identity.ListOptions{
			"Email": {Email: v}, "Username": {Username: v}, "Query": {Query: v},
			"Email, deprovisioned": {Email: v, Status: identity.StatusDeprovisioned},
		} {
			page, err := s.raw.ListUsers(ctx, o, "")
			require.NoError(t, err, "%s %q", name, v)
			assert.Empty(t, page.Users, "%s %q", name, v)
			noneMatched(name + " " + v)
		}
		for _, by := range []driver.Identifier{driver.ByEmail, driver.ByUsername} {
			_, err := s.raw.FindUser(ctx, by, v)
			assert.ErrorIs(t, err, identity.ErrNotFound, "FindUser(%s, %q)", by, v)
			noneMatched(fmt.Sprintf("FindUser(%v, %q)", by, v))
		}
	}

	// Values with characters the grammar or the URL treats specially
	// still find the one user they name, and only that one.
	for _, email := range []string{"o'brien+tag@example.com", "a&b@example.com"} {
		got, err := s.dir.GetUserByEmail(ctx, email)
		require.NoError(t, err, email)
		assert.Equal(t, email, got.Email)
		got, err = s.raw.FindUser(ctx, driver.ByUsername, email)
		require.NoError(t, err, email)
		assert.Equal(t, email, got.Username)
		var found []string
		for u, err := range s.dir.ListUsers(ctx, identity.ListOptions{Query: email[:4]}) {
			require.NoError(t, err, email)
			found = append(found, u.Email)
		}
		assert.Equal(t, []string{email}, found)
		for _, r := range s.listings(t) {
			assert.Equal(t, 1, r.n, "%s: the emulator's search matched exactly the user", email)
		}
	}
}

// TestAmbiguousEmail: Okta keeps only logins unique, so an email two
// users share is an error saying so, not the first of them.
func TestAmbiguousEmail(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, oktatest.Options{NamesOptional: true}, okta.Options{})
	for _, login := range []string{"ada.one@example.com", "ada.two@example.com"} {
		_, err := dir.CreateUser(ctx, identity.NewUser{Username: login, Email: "ada@example.com"})
		require.NoError(t, err)
	}
	_, err := dir.GetUserByEmail(ctx, "ADA@example.com")
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.FailedPrecondition, e.Code)
	assert.Equal(t, "Email", e.Field)
	assert.Contains(t, e.Message, "2 users have this email")
	u, err := dir.GetUserByEmail(ctx, "nobody@example.com")
	assert.Nil(t, u)
	assert.ErrorIs(t, err, identity.ErrNotFound)
}
