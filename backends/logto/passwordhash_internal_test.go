package logto

import (
	"encoding/base64"
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

func b64(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }

// vec is the encoding of the published vector so named.
func vec(t *testing.T, name string) string {
	t.Helper()
	for _, v := range passhashtest.Vectors {
		if v.Name == name {
			return v.Encoded
		}
	}
	t.Fatalf("no vector %q", name)
	return ""
}

// TestPasswordDigestWire pins what CreateUser sends for each form: the
// digest and method exactly, as Logto's documentation and code read them.
func TestPasswordDigestWire(t *testing.T) {
	for _, tc := range []struct {
		name, hash, digest, method string
	}{
		{"argon2id", vec(t, "argon2id reference"), vec(t, "argon2id reference"), "Argon2id"},
		{"argon2i", vec(t, "argon2i reference"), vec(t, "argon2i reference"), "Argon2i"},
		{"argon2d", vec(t, "argon2d reference"), vec(t, "argon2d reference"), "Argon2d"},
		// hash-wasm reads unpadded base64 only.
		{"argon2 padded", strings.Replace(vec(t, "argon2i reference"), "$c29tZXNhbHQ$", "$c29tZXNhbHQ=$", 1), vec(t, "argon2i reference"), "Argon2i"},
		{"bcrypt", vec(t, "bcrypt OpenBSD 2a"), vec(t, "bcrypt OpenBSD 2a"), "Bcrypt"},
		{"sha1", vec(t, "sha1"), "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", "SHA1"},
		{"sha256", vec(t, "sha256"), "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "SHA256"},
		{"md5", vec(t, "md5"), "5f4dcc3b5aa765d61d8327deb882cf99", "MD5"},
		{"sha512", vec(t, "sha512"), `["sha512",["@"],"b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb980b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86"]`, "Legacy"},
		{"sha256 prefix", vec(t, "sha256 salt prefix"), `["sha256",["salt","@"],"13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322"]`, "Legacy"},
		{"sha256 suffix", vec(t, "sha256 salt suffix"), `["sha256",["@","salt"],"7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"]`, "Legacy"},
		{"md5 salted", "$md5$o=prefix$" + b64("sält@") + "$" + passhashtest.B64Hex("00112233445566778899aabbccddeeff"),
			`["md5",["sält@","@"],"00112233445566778899aabbccddeeff"]`, "Legacy"},
		{"pbkdf2-sha1", vec(t, "pbkdf2-sha1 RFC 6070"), `["pbkdf2",["salt","4096","20","sha1","@"],"4b007901b765489abead49d926f721d065a429c1"]`, "Legacy"},
		{"pbkdf2-sha512", vec(t, "pbkdf2-sha512"), `["pbkdf2",["salt","1","64","sha512","@"],"867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce"]`, "Legacy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			digest, method, err := passwordDigest(identity.PasswordHash(tc.hash))
			require.NoError(t, err)
			assert.Equal(t, tc.digest, digest)
			assert.Equal(t, tc.method, method)
		})
	}
}

// TestPasswordDigestUnsupported checks the hashes of declared algorithms
// whose parameters Logto cannot carry, and the undeclared ones: each
// Unsupported naming PasswordHash, never quoting the hash.
func TestPasswordDigestUnsupported(t *testing.T) {
	binary := base64.RawStdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00, 0x80})
	sha := passhashtest.B64Hex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")
	for name, hash := range map[string]string{
		"binary salt":        "$sha256$o=prefix$" + binary + "$" + sha,
		"salt @":             "$sha256$o=suffix$" + b64("@") + "$" + sha,
		"pbkdf2 binary salt": "$pbkdf2-sha256$i=10,l=32$" + binary + "$" + sha,
		"pbkdf2 no salt":     "$pbkdf2-sha256$i=10,l=32$$" + sha,
		"pbkdf2 salt @":      "$pbkdf2-sha256$i=10,l=32$" + b64("@") + "$" + sha,
		"too long":           "$sha512$o=prefix$" + b64(strings.Repeat("s", 200)) + "$" + passhashtest.B64Hex(strings.Repeat("ab", 64)),
		"argon2 too long":    "$argon2id$v=19$m=64,t=1,p=1$" + b64(strings.Repeat("s", 100)) + "$" + b64(strings.Repeat("h", 100)),
		"scrypt":             vec(t, "scrypt RFC 7914"),
		"firescrypt":         vec(t, "firebase scrypt"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := passhash.Parse(hash)
			require.NoError(t, err, "the case is a well-formed hash")
			_, _, err = passwordDigest(identity.PasswordHash(hash))
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, identity.Unsupported, ie.Code)
			assert.Equal(t, "PasswordHash", ie.Field)
			assert.NotContains(t, err.Error(), hash)
		})
	}
	_, _, err := passwordDigest("$sha256$nope")
	assert.Equal(t, identity.InvalidArgument, identity.CodeOf(err), "a malformed hash")
}

// TestPasswordDigestRoundTrip sends every vector of a declared algorithm
// through Logto's form and back: export gives the same hash.
func TestPasswordDigestRoundTrip(t *testing.T) {
	for _, v := range passhashtest.Vectors {
		if !slices.Contains(importedHashes, string(v.Algorithm)) {
			continue
		}
		digest, method, err := passwordDigest(identity.PasswordHash(v.Encoded))
		require.NoError(t, err, v.Name)
		back, err := exportDigest(digest, method)
		require.NoError(t, err, v.Name)
		want, _ := passhash.Parse(v.Encoded)
		assert.Equal(t, want.Encode(), back, v.Name)
		ok, err := passhash.Verify(back, v.Password)
		require.NoError(t, err)
		assert.True(t, ok, v.Name)
	}
}

// TestExportDigest reads Logto's stored forms, including ones CreateUser
// never makes, and refuses those passhash cannot encode.
func TestExportDigest(t *testing.T) {
	const hex256 = "13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322"
	saltPrefix := "$sha256$o=prefix$" + b64("salt") + "$" + passhashtest.B64Hex(hex256)
	for _, tc := range []struct {
		name, digest, method, want string
	}{
		{"salt split over args", `["sha256",["sa","lt","@"],"` + hex256 + `"]`, "Legacy", saltPrefix},
		{"empty args around", `["sha256",["","salt","@",""],"` + hex256 + `"]`, "Legacy", saltPrefix},
		{"digest name in capitals", `["SHA256",["salt","@"],"` + hex256 + `"]`, "Legacy", saltPrefix},
		{"pbkdf2Sync", `["pbkdf2Sync",["salt","4096","20","SHA1","@"],"4b007901b765489abead49d926f721d065a429c1"]`, "Legacy",
			"$pbkdf2-sha1$i=4096,l=20$" + b64("salt") + "$" + passhashtest.B64Hex("4b007901b765489abead49d926f721d065a429c1")},
		{"argon2id under Argon2i", vec(t, "argon2id reference"), "Argon2i", vec(t, "argon2id reference")},
		{"uppercase hex", strings.ToUpper(hex256), "SHA256", ""},
		{"short hex", hex256[:20], "SHA256", ""},
		{"bcrypt under Argon2i", vec(t, "bcrypt OpenBSD 2a"), "Argon2i", ""},
		{"argon2 under Bcrypt", vec(t, "argon2i reference"), "Bcrypt", ""},
		{"legacy not JSON", "sha256(@)", "Legacy", ""},
		{"legacy of four", `["sha256",["@"],"` + hex256 + `",1]`, "Legacy", ""},
		{"legacy without @", `["sha256",["salt"],"` + hex256 + `"]`, "Legacy", ""},
		{"legacy @ twice", `["sha256",["@","@"],"` + hex256 + `"]`, "Legacy", ""},
		{"legacy salted both sides", `["sha256",["a","@","b"],"` + hex256 + `"]`, "Legacy", ""},
		{"legacy uppercase hex", `["sha256",["salt","@"],"` + strings.ToUpper(hex256) + `"]`, "Legacy", ""},
		{"legacy of another digest", `["ripemd160",["@"],"` + hex256[:40] + `"]`, "Legacy", ""},
		{"legacy wrong length", `["sha512",["@"],"` + hex256 + `"]`, "Legacy", ""},
		{"legacy PBKDF2 in capitals", `["PBKDF2",["salt","4096","20","sha1","@"],"4b007901b765489abead49d926f721d065a429c1"]`, "Legacy", ""},
		{"legacy pbkdf2 key length", `["pbkdf2",["salt","4096","32","sha1","@"],"4b007901b765489abead49d926f721d065a429c1"]`, "Legacy", ""},
		{"legacy pbkdf2 @ first", `["pbkdf2",["@","salt","4096","20","sha1"],"4b007901b765489abead49d926f721d065a429c1"]`, "Legacy", ""},
		{"legacy pbkdf2 sha384", `["pbkdf2",["salt","4096","20","sha384","@"],"4b007901b765489abead49d926f721d065a429c1"]`, "Legacy", ""},
		{"unknown method", "x", "Scrypt", ""},
		{"no method", "x", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := exportDigest(tc.digest, tc.method)
			if tc.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			var ie *identity.Error
			require.ErrorAs(t, err, &ie, "got %q", got)
			assert.Equal(t, identity.Unsupported, ie.Code)
			assert.Equal(t, "PasswordHash", ie.Field)
			assert.NotContains(t, err.Error(), hex256[:16], "no part of the digest in the error")
		})
	}
}

func TestJSLen(t *testing.T) {
	for s, n := range map[string]int{"": 0, "abc": 3, "é": 1, "😀": 2, "a😀b": 4} {
		assert.Equal(t, n, jsLen(s), fmt.Sprintf("%q", s))
	}
}
