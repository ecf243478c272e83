package passhash_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
)

func TestVectors(t *testing.T) {
	for _, v := range passhashtest.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			h, err := passhash.Parse(v.Encoded)
			require.NoError(t, err)
			assert.True(t, h.Verify(v.Password), "the right password")
			assert.False(t, h.Verify(v.Password+"x"), "a wrong password")
			assert.False(t, h.Verify(""), "the empty password")
			again, err := passhash.Parse(h.Encode())
			require.NoError(t, err, "Encode gives what Parse takes")
			assert.Equal(t, h, again, "Parse(Encode()) round-trips")
			assert.True(t, again.Verify(v.Password))
		})
	}
}

func TestVectorsCoverEveryAlgorithm(t *testing.T) {
	seen := map[passhash.Algorithm]bool{}
	for _, v := range passhashtest.Vectors {
		h, err := passhash.Parse(v.Encoded)
		require.NoError(t, err, v.Name)
		assert.Equal(t, v.Algorithm, h.Algorithm, v.Name)
		seen[v.Algorithm] = true
	}
	for _, a := range passhash.Algorithms() {
		assert.True(t, seen[a], "no vector for %s", a)
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
		{"pbkdf2 length mismatch", "$pbkdf2-sha256$i=1,l=31$c2FsdA$" + passhashtest.B64Hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"), passhash.ErrMalformed},
		{"pbkdf2 iterations", "$pbkdf2-sha256$i=0,l=32$c2FsdA$" + passhashtest.B64Hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"), passhash.ErrMalformed},
		{"scrypt huge N", "$scrypt$ln=40,r=8,p=1$c2FsdA$AAAAAAAA", passhash.ErrMalformed},
		{"digest wrong size", "$sha256$AAAA", passhash.ErrMalformed},
		{"digest salt order", "$sha256$o=middle$c2FsdA$" + passhashtest.B64Hex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"), passhash.ErrMalformed},
		{"digest empty salt", "$sha256$o=prefix$$" + passhashtest.B64Hex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"), passhash.ErrMalformed},
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
	h, err := passhash.Parse(passhashtest.Vectors[0].Encoded)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(h), fmt.Sprintf("%v %+v %#v %s %q %x", h, h, h, h, h, h), fmt.Sprint([]*passhash.Hash{h})} {
		assert.NotContains(t, s, base64.RawStdEncoding.EncodeToString([]byte("somesalt")))
		assert.Contains(t, s, "[REDACTED]")
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range passhashtest.Vectors {
		f.Add(v.Encoded, v.Password)
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
