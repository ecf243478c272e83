// Package passhashtest holds published password-hash vectors, for the
// tests of package passhash and of every backend that imports hashes.
package passhashtest

import (
	"encoding/base64"
	"encoding/hex"

	"github.com/idport/identity/passhash"
)

// B64Hex turns hex into the unpadded base64 the encoding uses; it
// panics on input that is not hex, being for tables of vectors.
func B64Hex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// somesalt is the reference implementation's salt.
var somesalt = base64.RawStdEncoding.EncodeToString([]byte("somesalt"))

// Vector is a hash and the password it was made from.
type Vector struct {
	Name      string
	Algorithm passhash.Algorithm
	Encoded   string
	Password  string
}

// Vectors is a table of published ones, at least one per Algorithm:
// Argon2's reference implementation (as golang.org/x/crypto/argon2 tests
// it), OpenBSD bcrypt's, RFC 6070 and RFC 7914 for PBKDF2 and scrypt, the
// PBKDF2-HMAC-SHA512 vector of the usual test tables, plain digests of
// "password", and the example in Firebase's own scrypt repository.
var Vectors = []Vector{
	{"argon2i reference", passhash.Argon2i, "$argon2i$v=19$m=64,t=1,p=1$" + somesalt + "$" + B64Hex("b9c401d1844a67d50eae3967dc28870b22e508092e861a37"), "password"},
	{"argon2i reference README", passhash.Argon2i, "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "password"},
	{"argon2d reference", passhash.Argon2d, "$argon2d$v=19$m=64,t=2,p=2$" + somesalt + "$" + B64Hex("68e2462c98b8bc6bb60ec68db418ae2c9ed24fc6748a40e9"), "password"},
	{"argon2id reference", passhash.Argon2id, "$argon2id$v=19$m=64,t=2,p=2$" + somesalt + "$" + B64Hex("350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362"), "password"},
	{"bcrypt OpenBSD 2a", passhash.Bcrypt, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	{"bcrypt OpenBSD 2a second", passhash.Bcrypt, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"},
	{"pbkdf2-sha1 RFC 6070", passhash.PBKDF2SHA1, "$pbkdf2-sha1$i=4096,l=20$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + B64Hex("4b007901b765489abead49d926f721d065a429c1"), "password"},
	{"pbkdf2-sha256", passhash.PBKDF2SHA256, "$pbkdf2-sha256$i=4096,l=32$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + B64Hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"), "password"},
	{"pbkdf2-sha512", passhash.PBKDF2SHA512, "$pbkdf2-sha512$i=1,l=64$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + B64Hex("867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce"), "password"},
	// The same table's 4096-iteration row, the least Okta imports.
	{"pbkdf2-sha512 4096", passhash.PBKDF2SHA512, "$pbkdf2-sha512$i=4096,l=64$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + B64Hex("d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5"), "password"},
	{"scrypt RFC 7914", passhash.Scrypt, "$scrypt$ln=10,r=8,p=16$" + base64.RawStdEncoding.EncodeToString([]byte("NaCl")) + "$" + B64Hex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"), "password"},
	{"sha1", passhash.SHA1, "$sha1$" + B64Hex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"), "password"},
	{"sha256", passhash.SHA256, "$sha256$" + B64Hex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"), "password"},
	{"sha512", passhash.SHA512, "$sha512$" + B64Hex("b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb980b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86"), "password"},
	{"md5", passhash.MD5, "$md5$" + B64Hex("5f4dcc3b5aa765d61d8327deb882cf99"), "password"},
	// sha256("salt" + "password") and sha256("password" + "salt"), as sha256sum gives them.
	{"sha256 salt prefix", passhash.SHA256, "$sha256$o=prefix$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + B64Hex("13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322"), "password"},
	{"sha256 salt suffix", passhash.SHA256, "$sha256$o=suffix$" + base64.RawStdEncoding.EncodeToString([]byte("salt")) + "$" + B64Hex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"), "password"},
	{"firebase scrypt", passhash.FirebaseScrypt, "$firescrypt$ln=14,r=8,p=1$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==", "user1password"},
}
