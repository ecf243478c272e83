package conformance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hashCase is a hash to import and the password it was made from.
type hashCase struct {
	name, encoded, password string
}

// hashCases are the published vectors of alg and, where passhash can
// make one, a hash of the suite's password with random salt: the
// vectors prove the encoding is read as its authors meant, the fresh
// hash that nothing depends on a vector's fixed salt.
func hashCases(t *testing.T, alg passhash.Algorithm) []hashCase {
	t.Helper()
	var out []hashCase
	for _, v := range passhashtest.Vectors {
		if v.Algorithm == alg {
			out = append(out, hashCase{v.Name, v.Encoded, v.Password})
		}
	}
	if alg != passhash.FirebaseScrypt {
		h, err := passhash.New(alg, string(password))
		require.NoError(t, err, "passhash.New(%s)", alg)
		out = append(out, hashCase{"new", h.Encode(), string(password)})
	}
	return out
}

// anyHash is a well-formed hash of alg, for calls that must be refused
// before the hash is looked at more closely.
func anyHash(t *testing.T, alg passhash.Algorithm) string {
	t.Helper()
	cs := hashCases(t, alg)
	require.NotEmpty(t, cs, "no hash of %s to try", alg)
	return cs[len(cs)-1].encoded
}

// exportGate is Directory.PasswordHash as a gate of its capability.
var exportGate = gate{"PasswordHash", func(c identity.Capabilities) bool { return c.ExportPasswordHash }, func(e *env, u *identity.User) error {
	_, err := e.dir.PasswordHash(e.ctx, u.ID)
	return err
}}

// exported returns the user's hash as Directory.PasswordHash hands it
// out, and checks it never prints.
func (e *env) exported(userID string) string {
	e.t.Helper()
	h, err := e.dir.PasswordHash(e.ctx, userID)
	require.NoError(e.t, err, "PasswordHash")
	requireSecretHidden(e.t, h, identity.Secret(h))
	return string(h)
}

// requireVerifies fails unless encoded is a hash in passhash's encoding
// of pw. That it refuses other passwords is passhash's own business,
// tested there; an imported vector's hash is costly enough to check once.
func requireVerifies(t *testing.T, encoded, pw string, what string) {
	t.Helper()
	ok, err := passhash.Verify(encoded, pw)
	require.NoError(t, err, "%s: the exported hash is not in passhash's encoding", what)
	require.True(t, ok, "%s: the exported hash does not verify with the password", what)
}

// testPasswordHashes checks NewUser.PasswordHash and Directory.PasswordHash.
// Each algorithm the backend declares imports every published vector of
// it and a fresh hash: the user has a password, VerifyPassword takes the
// original password and refuses a wrong one, and an export verifies
// before and after a sign-in (at which a provider may re-hash). Every
// other algorithm is Unsupported naming PasswordHash, and a hash beside a
// Password or a malformed one InvalidArgument, each before any request
// and creating nothing. Where ExportPasswordHash, a password set in the
// directory exports as a hash that verifies with it, no password as "",
// and a missing user is NotFound.
//
// A wrong password is tried once per user, well inside any lockout
// policy.
func testPasswordHashes(t *testing.T, h Harness) {
	c := h.Capabilities()
	t.Run("Consistent", func(t *testing.T) {
		for i, name := range c.PasswordHashes {
			assert.True(t, slices.Contains(passhash.Algorithms(), passhash.Algorithm(name)), "%q is not an algorithm passhash knows", name)
			assert.NotContains(t, c.PasswordHashes[:i], name, "%q is declared twice", name)
		}
		if len(c.PasswordHashes) > 0 {
			assert.True(t, c.SetPassword, "importing a password hash needs SetPassword")
		}
	})
	for _, alg := range passhash.Algorithms() {
		if !slices.Contains(c.PasswordHashes, string(alg)) {
			continue
		}
		t.Run("Import/"+string(alg), func(t *testing.T) {
			e := newEnv(t, h)
			imported := 0
			for i, hc := range hashCases(t, alg) {
				t.Run(hc.name, func(t *testing.T) {
					if e.sub(t).importHash(i, hc) {
						imported++
					}
				})
			}
			assert.NotZero(t, imported, "no hash of a declared algorithm was imported")
		})
	}
	if len(c.PasswordHashes) > 0 && c.VerifyPassword {
		t.Run("Replaced", func(t *testing.T) {
			e := newEnv(t, h)
			// The first case, of the first algorithm, that the backend
			// carries: Import checks that each declared one has one.
			var u *identity.User
			var old identity.Secret
			for _, alg := range c.PasswordHashes {
				for _, hc := range hashCases(t, passhash.Algorithm(alg)) {
					got, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: e.email("replaced"), PasswordHash: identity.PasswordHash(hc.encoded)})
					if isUncarried(err) {
						continue
					}
					require.NoError(t, err, "CreateUser with a declared algorithm's hash")
					u, old = got, identity.Secret(hc.password)
					break
				}
				if u != nil {
					break
				}
			}
			require.NotNil(t, u, "no declared algorithm's hash was imported")
			if c.ChangePassword {
				require.NoError(t, e.dir.ChangePassword(e.ctx, u.ID, old, newPassword), "ChangePassword from an imported hash")
			} else {
				require.NoError(t, e.dir.SetPassword(e.ctx, u.ID, newPassword))
			}
			require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, newPassword), "the new password")
			requireCode(t, e.dir.VerifyPassword(e.ctx, u.ID, old), identity.InvalidCredentials, "the imported password is gone")
			if c.ExportPasswordHash {
				requireVerifies(t, e.exported(u.ID), string(newPassword), "after the change")
			}
		})
	}
	t.Run("Refused", func(t *testing.T) { testHashRefusals(t, h) })
	if !c.ExportPasswordHash {
		t.Run("ExportUnsupported", func(t *testing.T) { requireUnsupportedOps(t, h, []gate{exportGate}) })
		return
	}
	t.Run("Export", func(t *testing.T) { testHashExport(t, h) })
}

// importHash creates the i-th user of the subtest with hc and checks
// what the directory makes of it. It reports whether the hash was
// imported: a provider may refuse a hash of an algorithm it declares
// whose parameters it cannot carry (Okta's PBKDF2 below 4096 iterations,
// Logto's salts that are not text), with Unsupported naming
// PasswordHash, before any request; each declared algorithm must still
// import one of its cases.
func (e *env) importHash(i int, hc hashCase) bool {
	t := e.t
	t.Helper()
	nu := identity.NewUser{Email: e.email(fmt.Sprintf("hash%d", i)), PasswordHash: identity.PasswordHash(hc.encoded)}
	sent := e.requests()
	u, err := e.dir.CreateUser(e.ctx, nu)
	if isUncarried(err) {
		if sent >= 0 {
			require.Equal(t, sent, e.requests(), "a hash the backend cannot carry is refused before any request")
		}
		requireNoSecret(t, err, identity.Secret(hc.encoded))
		t.Logf("not imported: %v", err)
		return false
	}
	require.NoError(t, err, "CreateUser with a declared algorithm's hash")
	requireSecretHidden(t, u, identity.Secret(hc.encoded))
	assert.Equal(t, e.createdStatus(true), u.Status, "an imported hash is a password")
	if e.caps.HasPassword {
		has, err := e.dir.HasPassword(e.ctx, u.ID)
		require.NoError(t, err, "HasPassword")
		assert.True(t, has, "a user with an imported hash has a password")
	}
	var before string
	if e.caps.ExportPasswordHash {
		before = e.exported(u.ID)
		requireVerifies(t, before, hc.password, "as imported")
	}
	if !e.caps.VerifyPassword {
		return true
	}
	require.NoError(t, e.dir.VerifyPassword(e.ctx, u.ID, identity.Secret(hc.password)), "the password the hash was made from")
	err = e.dir.VerifyPassword(e.ctx, u.ID, wrongPassword)
	requireCode(t, err, identity.InvalidCredentials, "a wrong password")
	// The vectors' passwords are words such as "password", which an
	// error may well contain; the suite's own is checked.
	requireNoSecret(t, err, wrongPassword, password, identity.Secret(hc.encoded))
	if e.caps.ExportPasswordHash {
		// A provider may re-hash at a sign-in with its own algorithm.
		if after := e.exported(u.ID); after != before {
			requireVerifies(t, after, hc.password, "after a sign-in")
		}
	}
	return true
}

// isUncarried reports whether err is a backend's refusal of a hash of a
// declared algorithm whose parameters it cannot carry.
func isUncarried(err error) bool {
	var ie *identity.Error
	return errors.As(err, &ie) && ie.Code == identity.Unsupported && ie.Field == "PasswordHash"
}

// testHashRefusals checks what CreateUser refuses in a PasswordHash,
// each before any request, and that nothing was created.
func testHashRefusals(t *testing.T, h Harness) {
	e := newEnv(t, h)
	c := e.caps
	type refusal struct {
		name, hash string
		password   identity.Secret
		want       identity.Code
	}
	var rs []refusal
	for _, alg := range passhash.Algorithms() {
		if !slices.Contains(c.PasswordHashes, string(alg)) {
			rs = append(rs, refusal{"Undeclared/" + string(alg), anyHash(t, alg), "", identity.Unsupported})
		}
	}
	// Both a password and a hash: InvalidArgument, or Unsupported where
	// the backend takes no password at all.
	rs = append(rs, refusal{"WithPassword", anyHash(t, passhash.Bcrypt), password, gated(c.SetPassword)})
	for name, bad := range map[string]string{
		"NoDollar":         "argon2id",
		"UnknownAlgorithm": "$whirlpool$abc",
		"Truncated":        "$argon2id$v=19$m=64,t=2,p=2$c29tZXNhbHQ",
		"BadBase64":        "$sha256$" + strings.Repeat("!", 43),
		"HugeCost":         "$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAA",
		"Plain":            string(password),
	} {
		rs = append(rs, refusal{"Malformed/" + name, bad, "", identity.InvalidArgument})
	}
	before := e.snapshot()
	for _, r := range rs {
		t.Run(r.name, func(t *testing.T) {
			sub := e.sub(t)
			nu := identity.NewUser{Email: sub.email("refused"), Password: r.password, PasswordHash: identity.PasswordHash(r.hash)}
			err := sub.requireNoRequest("CreateUser", func() error { _, err := sub.dir.CreateUser(sub.ctx, nu); return err })
			requireCode(t, err, r.want)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			want := "PasswordHash"
			if r.want == identity.Unsupported && r.password != "" {
				want = "Password"
			}
			assert.Equal(t, want, ie.Field, "the error names the field")
			requireNoSecret(t, err, identity.Secret(r.hash))
		})
	}
	t.Run("Unchanged", func(t *testing.T) { e.sub(t).requireUnchanged(before, "a refused PasswordHash") })
}

// testHashExport checks Directory.PasswordHash on passwords the directory
// set itself and on users without one.
func testHashExport(t *testing.T, h Harness) {
	e := newEnv(t, h)
	c := e.caps
	t.Run("None", func(t *testing.T) {
		e := e.sub(t)
		u := e.create(identity.NewUser{Email: e.email("nopw")})
		assert.Empty(t, e.exported(u.ID), "a user without a password exports no hash")
	})
	if c.SetPassword {
		t.Run("AtCreation", func(t *testing.T) {
			e := e.sub(t)
			u := e.create(identity.NewUser{Email: e.email("pw"), Password: password})
			requireVerifies(t, e.exported(u.ID), string(password), "a password given at creation")
		})
		t.Run("AfterSetPassword", func(t *testing.T) {
			e := e.sub(t)
			u := e.create(identity.NewUser{Email: e.email("later")})
			require.NoError(t, e.dir.SetPassword(e.ctx, u.ID, newPassword))
			requireVerifies(t, e.exported(u.ID), string(newPassword), "a password set later")
		})
		t.Run("Reimport", func(t *testing.T) {
			// What a migration does: the hash one user exports becomes
			// another's password, where the backend imports its algorithm.
			e := e.sub(t)
			u := e.create(identity.NewUser{Email: e.email("from"), Password: password})
			exp := e.exported(u.ID)
			ph, err := passhash.Parse(exp)
			require.NoError(t, err)
			if !slices.Contains(c.PasswordHashes, string(ph.Algorithm)) {
				t.Skipf("the backend exports %s hashes, which it does not import", ph.Algorithm)
			}
			v := e.create(identity.NewUser{Email: e.email("to"), PasswordHash: identity.PasswordHash(exp)})
			if c.VerifyPassword {
				require.NoError(t, e.dir.VerifyPassword(e.ctx, v.ID, password))
			}
			requireVerifies(t, e.exported(v.ID), string(password), "a re-imported export")
		})
	}
	t.Run("NotFound", func(t *testing.T) {
		_, err := e.dir.PasswordHash(e.ctx, missingID)
		requireMissing(t, err, "user", "", "PasswordHash")
	})
	t.Run("BadInput", func(t *testing.T) {
		e := e.sub(t)
		victim := e.create(identity.NewUser{Email: e.email("victim")})
		e.refuses(t, victim.ID, []badCall{{"PasswordHash", func(e *env, _, v string) error {
			_, err := e.dir.PasswordHash(e.ctx, v)
			return err
		}, identity.InvalidArgument}}, badIDs)
	})
}
