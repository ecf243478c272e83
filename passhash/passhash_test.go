package passhash_test

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity/passhash"
)

func b64hex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

var somesalt = base64.RawStdEncoding.EncodeToString([]byte("somesalt"))

// vectors are published ones: Argon2's reference implementation (as
// golang.org/x/crypto/argon2 tests it), OpenBSD bcrypt's, RFC 6070 and
// RFC 7914 for PBKDF2 and scrypt, plain digests of "password", and the
// example in Firebase's own scrypt repository.
var vectors = []struct {
	name, encoded, password string
}{
	{"argon2i reference", "$argon2i$v=19$m=64,t=1,p=1$" + somesalt + "$" + b64hex("b9c401d1844a67d50eae3967dc28870b22e508092e861a37"), "password"},
	{"argon2i reference README", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "password"},
	{"argon2d reference", "$argon2d$v=19$m=64,t=2,p=2$" + somesalt + "$" + b64hex("68e2462c98b8bc6bb60ec68db418ae2c9ed24fc6748a40e9"), "password"},
	{"argon2id reference", "$argon2id$v=19$m=64,t=2,p=2$" + somesalt + "$" + b64hex("350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362"), "password"},
	{"bcrypt OpenBSD 2a", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	{"bcrypt OpenBSD 2a second", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"},
	{"pbkdf2-sha1 RFC 6070", "$pbkdf2-sha1$i=4096,l=20$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + b64hex("4b007901b765489abead49d926f721d065a429c1"), "password"},
	{"pbkdf2-sha256", "$pbkdf2-sha256$i=4096,l=32$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + b64hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"), "password"},
	{"scrypt RFC 7914", "$scrypt$ln=10,r=8,p=16$" + base64.RawStdEncoding.EncodeToString([]byte("NaCl")) + "$" + b64hex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"), "password"},
	{"sha1", "$sha1$" + b64hex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"), "password"},
	{"sha256", "$sha256$" + b64hex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"), "password"},
	{"sha512", "$sha512$" + b64hex("b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb980b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86"), "password"},
	{"md5", "$md5$" + b64hex("5f4dcc3b5aa765d61d8327deb882cf99"), "password"},
	// sha256("salt" + "password") and sha256("password" + "salt"), as sha256sum gives them.
	{"sha256 salt prefix", "$sha256$o=prefix$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + b64hex("13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322"), "password"},
	{"sha256 salt suffix", "$sha256$o=suffix$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + b64hex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"), "password"},
	{"firebase scrypt", "$firescrypt$ln=14,r=8,p=1$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==", "user1password"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			h, err := passhash.Parse(v.encoded)
			require.NoError(t, err)
			assert.True(t, h.Verify(v.password), "the right password")
			assert.False(t, h.Verify(v.password+"x"), "a wrong password")
			assert.False(t, h.Verify(""), "the empty password")
			again, err := passhash.Parse(h.Encode())
			require.NoError(t, err, "Encode gives what Parse takes")
			assert.Equal(t, h, again, "Parse(Encode()) round-trips")
			assert.True(t, again.Verify(v.password))
		})
	}
}

func TestNewVerifies(t *testing.T) {
	for _, alg := range passhash.Algorithms() {
		if alg == passhash.FirebaseScrypt {
			_, err := passhash.New(alg, "pw")
			assert.Error(t, err, "Firebase's signer key is the project's own")
			continue
		}
		t.Run(string(alg), func(t *testing.T) {
			h, err := passhash.New(alg, "correct horse")
			require.NoError(t, err)
			assert.Equal(t, alg, h.Algorithm)
			ok, err := passhash.Verify(h.Encode(), "correct horse")
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = passhash.Verify(h.Encode(), "wrong horse")
			require.NoError(t, err)
			assert.False(t, ok)
			other, _ := passhash.New(alg, "correct horse")
			assert.NotEqual(t, h.Encode(), other.Encode(), "salts are random")
		})
	}
}

func TestParseRefuses(t *testing.T) {
	long := strings.Repeat("A", 5000)
	for _, tc := range []struct {
		name, encoded string
		want          error
	}{
		{"empty", "", passhash.ErrMalformed},
		{"no dollar", "argon2id", passhash.ErrMalformed},
		{"unknown algorithm", "$whirlpool$abc", passhash.ErrUnknownAlgorithm},
		{"algorithm not a word", "$ARGON$x", passhash.ErrMalformed},
		{"argon2 fields", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ", passhash.ErrMalformed},
		{"argon2 old version", "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAA", passhash.ErrMalformed},
		{"argon2 huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$AAAAAAAA", passhash.ErrMalformed},
		{"argon2 zero time", "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$AAAAAAAA", passhash.ErrMalformed},
		{"argon2 repeated parameter", "$argon2id$v=19$m=64,m=64,t=1$c29tZXNhbHQ$AAAAAAAA", passhash.ErrMalformed},
		{"argon2 missing parameter", "$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$AAAAAAAA", passhash.ErrMalformed},
		{"argon2 bad base64", "$argon2id$v=19$m=64,t=1,p=1$c29tZX!hbHQ$AAAAAAAA", passhash.ErrMalformed},
		{"bcrypt short", "$2b$10$abc", passhash.ErrMalformed},
		{"bcrypt cost", "$2b$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", passhash.ErrMalformed},
		{"bcrypt alphabet", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe+", passhash.ErrMalformed},
		{"pbkdf2 length mismatch", "$pbkdf2-sha256$i=1,l=31$c2FsdA$" + b64hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"), passhash.ErrMalformed},
		{"pbkdf2 iterations", "$pbkdf2-sha256$i=0,l=32$c2FsdA$" + b64hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"), passhash.ErrMalformed},
		{"scrypt huge N", "$scrypt$ln=40,r=8,p=1$c2FsdA$AAAAAAAA", passhash.ErrMalformed},
		{"digest wrong size", "$sha256$AAAA", passhash.ErrMalformed},
		{"digest salt order", "$sha256$o=middle$c2FsdA$" + b64hex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"), passhash.ErrMalformed},
		{"digest empty salt", "$sha256$o=prefix$$" + b64hex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"), passhash.ErrMalformed},
		{"firebase fields", "$firescrypt$ln=14,r=8,p=1$c2FsdA==$AAAA", passhash.ErrMalformed},
		{"firebase hash length", "$firescrypt$ln=14,r=8,p=1$c2FsdA==$AAAA$Bw==$AAAAAAAA", passhash.ErrMalformed},
		{"too long", "$sha256$" + long, passhash.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := passhash.Parse(tc.encoded)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "%v", err)
			if len(tc.encoded) > 12 {
				assert.NotContains(t, err.Error(), tc.encoded[len(tc.encoded)-8:], "the error quotes no part of the hash")
			}
		})
	}
}

func TestHashFormatsAsPlaceholder(t *testing.T) {
	h, err := passhash.Parse(vectors[0].encoded)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(h), fmt.Sprintf("%v %+v %#v %s %q %x", h, h, h, h, h, h), fmt.Sprint([]*passhash.Hash{h})} {
		assert.NotContains(t, s, somesalt)
		assert.Contains(t, s, "[REDACTED]")
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.encoded, v.password)
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		h, err := passhash.Parse(encoded)
		if err != nil {
			if !errors.Is(err, passhash.ErrMalformed) && !errors.Is(err, passhash.ErrUnknownAlgorithm) {
				t.Fatalf("error wraps neither sentinel: %v", err)
			}
			return
		}
		again, err := passhash.Parse(h.Encode())
		if err != nil {
			t.Fatalf("Encode of a parsed hash does not parse: %v", err)
		}
		if h.Encode() != again.Encode() {
			t.Fatal("Encode is not stable")
		}
		// Bounded costs: verifying a fuzzed hash must not hang; the
		// bounds keep it under a second for small parameters only, so
		// verify only the cheap ones.
		if h.Algorithm.IsDigest() {
			_ = h.Verify(password)
		}
	})
}
