package kratostest

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"
	//lint:ignore SA1019 Kratos verifies imported hmac-md4 hashes, and so must its emulator
	"golang.org/x/crypto/md4"

	"github.com/idport/identity/passhash"
)

// knownHash is Kratos's list of hash formats it can import
// (hash.IsValidHashFormat): a hashed_password must start with one of
// these, and nothing else about it is checked until a login.
var knownHash = regexp.MustCompile(`^(\$md5-crypt\$|\$2[abzy]?\$|\$sha256-crypt\$|\$sha512-crypt\$|\$argon2id\$|\$argon2i\$|\$pbkdf2-sha[0-9]{1,3}\$|\$scrypt\$|\{SSHA(256|512)?\}|\$sha(1|256|512)\$|\$firescrypt\$|\$md5\$|\$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)\$)`)

var (
	isBcrypt = regexp.MustCompile(`^\$2[abzy]?\$`)
	isPBKDF2 = regexp.MustCompile(`^\$pbkdf2-sha[0-9]{1,3}\$`)
	isSSHA   = regexp.MustCompile(`^\{SSHA(256|512)?\}`)
	isSHA    = regexp.MustCompile(`^\$sha(1|256|512)\$`)
	isHMAC   = regexp.MustCompile(`^\$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)\$`)
)

// compareHash reports whether pw matches a hashed_password, as Kratos
// v1.3.1's hash.Compare decides (read from hash/hash_comparator.go): the
// format is the first of its prefixes that matches, and each is decoded
// as Kratos decodes it. Where passhash has the algorithm (argon2id,
// argon2i, PBKDF2 with SHA-1, SHA-256 or SHA-512, scrypt, Firebase's
// scrypt) the hash is converted to passhash's encoding and verified
// there, within passhash's bounds on costs and sizes; the cheap digests
// (salt templates, SSHA, HMAC) and PBKDF2's other digests are computed
// here as Kratos computes them. Kratos's quirks are kept: scrypt's "ln"
// is N itself; salted digests take a "pf=" template of {SALT} and
// {PASSWORD}; pbkdf2-sha224 and -sha384 are SHA-3's and any other digest
// name is SHA-256; an HMAC hash is the base64 of the hex digest; a bcrypt
// password longer than 72 bytes never matches. The crypt(3) formats
// (md5-crypt, sha256-crypt, sha512-crypt) are imported and never match
// here (Unobserved: checking them needs a crypt(3) implementation).
func compareHash(stored, pw string) bool {
	switch {
	case strings.HasPrefix(stored, "$md5-crypt$"), strings.HasPrefix(stored, "$sha256-crypt$"), strings.HasPrefix(stored, "$sha512-crypt$"):
		return false
	case isBcrypt.MatchString(stored):
		return len(pw) <= 72 && bcrypt.CompareHashAndPassword([]byte(stored), []byte(pw)) == nil
	case strings.HasPrefix(stored, "$argon2id$"):
		return verifyAs(argon2Of(passhash.Argon2id, stored), pw)
	case strings.HasPrefix(stored, "$argon2i$"):
		return verifyAs(argon2Of(passhash.Argon2i, stored), pw)
	case isPBKDF2.MatchString(stored):
		return comparePBKDF2(stored, pw)
	case strings.HasPrefix(stored, "$scrypt$"):
		return verifyAs(scryptOf(stored), pw)
	case isSSHA.MatchString(stored):
		return compareSSHA(stored, pw)
	case isSHA.MatchString(stored):
		return compareTemplate(stored, pw)
	case strings.HasPrefix(stored, "$firescrypt$"):
		return verifyAs(firebaseOf(stored), pw)
	case strings.HasPrefix(stored, "$md5$"):
		return compareTemplate(stored, pw)
	case isHMAC.MatchString(stored):
		return compareHMAC(stored, pw)
	}
	return false
}

// verifyAs verifies pw against h after passhash has parsed it, so that
// its bounds hold; nil never matches.
func verifyAs(h *passhash.Hash, pw string) bool {
	if h == nil {
		return false
	}
	p, err := passhash.Parse(h.Encode())
	return err == nil && p.Verify(pw)
}

var (
	rawStrict = base64.RawStdEncoding.Strict().DecodeString
	stdStrict = base64.StdEncoding.Strict().DecodeString
)

// decodeB64 decodes each field with dec, or reports false.
func decodeB64(dec func(string) ([]byte, error), fields ...string) ([][]byte, bool) {
	out := make([][]byte, len(fields))
	for i, f := range fields {
		b, err := dec(f)
		if err != nil {
			return nil, false
		}
		out[i] = b
	}
	return out, true
}

// argon2Of reads "$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>", unpadded.
func argon2Of(alg passhash.Algorithm, stored string) *passhash.Hash {
	f := strings.Split(stored, "$")
	if len(f) != 6 {
		return nil
	}
	var version int
	if _, err := fmt.Sscanf(f[2], "v=%d", &version); err != nil || version != 19 {
		return nil
	}
	var m uint64
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return nil
	}
	b, ok := decodeB64(rawStrict, f[4], f[5])
	if !ok {
		return nil
	}
	return &passhash.Hash{Algorithm: alg, Version: 19, Memory: uint32(m), Time: t, Threads: p, Salt: b[0], Value: b[1]}
}

// comparePBKDF2 reads "$pbkdf2-<digest>$i=…,l=…$<salt>$<hash>", unpadded;
// the key length is the hash's, whatever l says.
func comparePBKDF2(stored, pw string) bool {
	f := strings.Split(stored, "$")
	if len(f) != 5 {
		return false
	}
	_, digest, _ := strings.Cut(f[1], "-")
	var iter, keyLen uint32
	if _, err := fmt.Sscanf(f[2], "i=%d,l=%d", &iter, &keyLen); err != nil {
		return false
	}
	b, ok := decodeB64(rawStrict, f[3], f[4])
	if !ok {
		return false
	}
	salt, value := b[0], b[1]
	if alg, ok := map[string]passhash.Algorithm{"sha1": passhash.PBKDF2SHA1, "sha256": passhash.PBKDF2SHA256, "sha512": passhash.PBKDF2SHA512}[digest]; ok {
		return verifyAs(&passhash.Hash{Algorithm: alg, Iterations: int(iter), Salt: salt, Value: value}, pw)
	}
	prf := func() hash.Hash { return sha256.New() }
	switch digest {
	case "sha224":
		prf = func() hash.Hash { return sha3.New224() }
	case "sha384":
		prf = func() hash.Hash { return sha3.New384() }
	}
	if iter < 1 || iter > 10_000_000 || len(value) == 0 {
		return false
	}
	key, err := pbkdf2.Key(prf, pw, salt, int(iter), len(value))
	return err == nil && subtle.ConstantTimeCompare(key, value) == 1
}

// scryptOf reads "$scrypt$ln=<N>,r=…,p=…$<salt>$<hash>", padded: Kratos
// passes "ln" to scrypt as N.
func scryptOf(stored string) *passhash.Hash {
	f := strings.Split(stored, "$")
	if len(f) != 5 {
		return nil
	}
	var n, r, p uint32
	if _, err := fmt.Sscanf(f[2], "ln=%d,r=%d,p=%d", &n, &r, &p); err != nil {
		return nil
	}
	if n < 2 || n&(n-1) != 0 {
		return nil // scrypt refuses an N that is not a power of two
	}
	b, ok := decodeB64(stdStrict, f[3], f[4])
	if !ok {
		return nil
	}
	return &passhash.Hash{Algorithm: passhash.Scrypt, N: int(n), R: int(r), P: int(p), Salt: b[0], Value: b[1]}
}

// firebaseOf reads "$firescrypt$ln=…,r=…,p=…$<salt>$<hash>$<salt
// separator>$<signer key>", padded; here ln is log2(N).
func firebaseOf(stored string) *passhash.Hash {
	f := strings.Split(stored, "$")
	if len(f) != 7 {
		return nil
	}
	var ln, r, p uint32
	if _, err := fmt.Sscanf(f[2], "ln=%d,r=%d,p=%d", &ln, &r, &p); err != nil || ln > 30 {
		return nil
	}
	b, ok := decodeB64(stdStrict, f[3:]...)
	if !ok {
		return nil
	}
	return &passhash.Hash{Algorithm: passhash.FirebaseScrypt, N: 1 << ln, R: int(r), P: int(p), Salt: b[0], Value: b[1], SaltSeparator: b[2], SignerKey: b[3]}
}

// digests are the hashes Kratos's salted digests and SSHA name.
var digests = map[string]func() hash.Hash{"sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New, "md5": md5.New}

// compareTemplate reads "$sha256$pf=<template>$<salt>$<hash>", padded,
// where the template places {SALT} and {PASSWORD}; and md5's unsalted
// "$md5$<hash>". sha1, sha256 and sha512 have no unsalted form.
func compareTemplate(stored, pw string) bool {
	f := strings.Split(stored, "$")
	if len(f) < 3 {
		return false
	}
	d := digests[f[1]]
	if d == nil {
		return false
	}
	var input, want []byte
	switch {
	case len(f) == 3 && f[1] == "md5":
		b, ok := decodeB64(stdStrict, f[2])
		if !ok {
			return false
		}
		input, want = []byte(pw), b[0]
	case len(f) == 5:
		var pf string
		if _, err := fmt.Sscanf(f[2], "pf=%s", &pf); err != nil {
			return false
		}
		b, ok := decodeB64(stdStrict, pf, f[3], f[4])
		if !ok {
			return false
		}
		input = []byte(strings.NewReplacer("{SALT}", string(b[1]), "{PASSWORD}", pw).Replace(string(b[0])))
		want = b[2]
	default:
		return false
	}
	h := d()
	h.Write(input)
	return subtle.ConstantTimeCompare(h.Sum(nil), want) == 1
}

// compareSSHA reads LDAP's "{SSHA256}base64(digest + salt)", where the
// digest is of the password and then the salt.
func compareSSHA(stored, pw string) bool {
	name := isSSHA.FindString(stored)
	alg := map[string]string{"{SSHA}": "sha1", "{SSHA256}": "sha256", "{SSHA512}": "sha512"}[name]
	b, err := base64.StdEncoding.DecodeString(stored[len(name):])
	h := digests[alg]()
	if err != nil || len(b) <= h.Size() {
		return false
	}
	h.Write([]byte(pw))
	h.Write(b[h.Size():])
	return subtle.ConstantTimeCompare(h.Sum(nil), b[:h.Size()]) == 1
}

// compareHMAC reads "$hmac-<digest>$<hash>$<key>", padded, where the hash
// is the base64 of the hex HMAC of the password.
func compareHMAC(stored, pw string) bool {
	f := strings.Split(stored, "$")
	if len(f) != 4 {
		return false
	}
	d := map[string]func() hash.Hash{"hmac-md4": md4.New, "hmac-md5": md5.New, "hmac-sha1": sha1.New, "hmac-sha224": sha256.New224,
		"hmac-sha256": sha256.New, "hmac-sha384": sha512.New384, "hmac-sha512": sha512.New}[f[1]]
	b, ok := decodeB64(stdStrict, f[2], f[3])
	if d == nil || !ok {
		return false
	}
	mac := hmac.New(d, b[1])
	mac.Write([]byte(pw))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(mac.Sum(nil))), b[0]) == 1
}
