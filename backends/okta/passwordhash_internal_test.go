package okta

import (
	"encoding/base64"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vector is the encoding of the published vector so named.
func vector(t *testing.T, name string) string {
	t.Helper()
	for _, v := range passhashtest.Vectors {
		if v.Name == name {
			return v.Encoded
		}
	}
	t.Fatalf("no vector %q", name)
	return ""
}

func stdHex(s string) string {
	b, _ := hex.DecodeString(s)
	return base64.StdEncoding.EncodeToString(b)
}

// TestHashCredentialWire pins the credentials.password.hash object
// CreateUser sends for each form.
func TestHashCredentialWire(t *testing.T) {
	salt := base64.StdEncoding.EncodeToString([]byte("salt"))
	for _, tc := range []struct {
		name, hash string
		want       map[string]any
	}{
		{"bcrypt", vector(t, "bcrypt OpenBSD 2a"),
			map[string]any{"algorithm": "BCRYPT", "workFactor": 5, "salt": "CCCCCCCCCCCCCCCCCCCCC.", "value": "E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}},
		{"sha1", vector(t, "sha1"), map[string]any{"algorithm": "SHA-1", "value": stdHex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")}},
		{"sha512", vector(t, "sha512"), map[string]any{"algorithm": "SHA-512", "value": stdHex("b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb980b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86")}},
		{"md5", vector(t, "md5"), map[string]any{"algorithm": "MD5", "value": stdHex("5f4dcc3b5aa765d61d8327deb882cf99")}},
		{"sha256 prefix", vector(t, "sha256 salt prefix"), map[string]any{"algorithm": "SHA-256", "salt": salt, "saltOrder": "PREFIX",
			"value": stdHex("13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322")}},
		{"sha256 suffix", vector(t, "sha256 salt suffix"), map[string]any{"algorithm": "SHA-256", "salt": salt, "saltOrder": "POSTFIX",
			"value": stdHex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99")}},
		{"pbkdf2-sha256", vector(t, "pbkdf2-sha256"), map[string]any{"algorithm": "PBKDF2", "digestAlgorithm": "SHA256_HMAC",
			"iterationCount": 4096, "keySize": 32, "salt": salt, "value": stdHex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")}},
		{"pbkdf2-sha512", vector(t, "pbkdf2-sha512 4096"), map[string]any{"algorithm": "PBKDF2", "digestAlgorithm": "SHA512_HMAC",
			"iterationCount": 4096, "keySize": 64, "salt": salt, "value": stdHex("d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hashCredential(identity.PasswordHash(tc.hash))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestHashCredentialUnsupported checks what Okta cannot import, each
// Unsupported naming PasswordHash without quoting the hash: the
// algorithms it has no form for, and parameters outside its rules.
func TestHashCredentialUnsupported(t *testing.T) {
	bcrypt21 := "$2b$21$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
	noSalt := "$pbkdf2-sha256$i=4096,l=32$$" + passhashtest.B64Hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
	for name, hash := range map[string]string{
		"argon2id":           vector(t, "argon2id reference"),
		"argon2i":            vector(t, "argon2i reference"),
		"argon2d":            vector(t, "argon2d reference"),
		"scrypt":             vector(t, "scrypt RFC 7914"),
		"firescrypt":         vector(t, "firebase scrypt"),
		"pbkdf2-sha1":        vector(t, "pbkdf2-sha1 RFC 6070"),
		"pbkdf2 1 iteration": vector(t, "pbkdf2-sha512"),
		"pbkdf2 no salt":     noSalt,
		"bcrypt cost 21":     bcrypt21,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := passhash.Parse(hash)
			require.NoError(t, err, "the case is a well-formed hash")
			_, err = hashCredential(identity.PasswordHash(hash))
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, identity.Unsupported, ie.Code)
			assert.Equal(t, "PasswordHash", ie.Field)
			assert.NotContains(t, err.Error(), hash)
		})
	}
	_, err := hashCredential("$md5$nope")
	assert.Equal(t, identity.InvalidArgument, identity.CodeOf(err), "a malformed hash")
}

// TestImportedHashesDeclared keeps the declaration and the mapping
// together: every declared algorithm has a vector that maps, and every
// other algorithm none.
func TestImportedHashesDeclared(t *testing.T) {
	mapped := map[passhash.Algorithm]bool{}
	for _, v := range passhashtest.Vectors {
		if _, err := hashCredential(identity.PasswordHash(v.Encoded)); err == nil {
			mapped[v.Algorithm] = true
		}
	}
	for _, alg := range passhash.Algorithms() {
		assert.Equal(t, slices.Contains(importedHashes, string(alg)), mapped[alg], "%s", alg)
	}
}
