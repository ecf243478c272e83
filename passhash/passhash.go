// Package passhash parses, verifies and makes password hashes in the one
// encoding identity.PasswordHash carries, so that users can move between
// systems with the passwords they have.
//
// # Encoding
//
// Every hash is a string of fields separated by "$", led by the
// algorithm's name. Where a standard form exists it is that form; salts
// and values are base64 (standard alphabet; padding optional on input,
// written as shown):
//
//	$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>     PHC (also argon2i, argon2d); unpadded
//	$2b$10$<22 salt chars><31 hash chars>             bcrypt's own (also $2a$, $2y$)
//	$pbkdf2-sha256$i=310000,l=32$<salt>$<hash>        PHC (also pbkdf2-sha1, pbkdf2-sha512); unpadded
//	$scrypt$ln=15,r=8,p=1$<salt>$<hash>               PHC; ln is log2 of N; unpadded
//	$sha256$o=prefix$<salt>$<hash>                     salted digest: sha256(salt+password); unpadded
//	$sha256$o=suffix$<salt>$<hash>                     sha256(password+salt)
//	$sha256$<hash>                                     unsalted digest (also sha1, sha512, md5)
//	$firescrypt$ln=14,r=8,p=1$<salt>$<hash>$<salt separator>$<signer key>
//	                                                   Firebase's modified scrypt, as Ory Kratos
//	                                                   writes it; padded
//
// A hash holds enough to attack the password offline: treat it as a
// secret. [Hash] formats as a placeholder with every verb, and Parse's
// errors never quote their input.
package passhash

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"

	"github.com/idport/identity/internal/argon2d"
)

// Algorithm names a hash algorithm as the encoding spells it.
type Algorithm string

// The algorithms passhash knows.
const (
	Argon2id       Algorithm = "argon2id"
	Argon2i        Algorithm = "argon2i"
	Argon2d        Algorithm = "argon2d"
	Bcrypt         Algorithm = "bcrypt"
	PBKDF2SHA1     Algorithm = "pbkdf2-sha1"
	PBKDF2SHA256   Algorithm = "pbkdf2-sha256"
	PBKDF2SHA512   Algorithm = "pbkdf2-sha512"
	Scrypt         Algorithm = "scrypt"
	SHA1           Algorithm = "sha1"
	SHA256         Algorithm = "sha256"
	SHA512         Algorithm = "sha512"
	MD5            Algorithm = "md5"
	FirebaseScrypt Algorithm = "firescrypt"
)

// Algorithms lists every Algorithm, in the order above.
func Algorithms() []Algorithm {
	return []Algorithm{Argon2id, Argon2i, Argon2d, Bcrypt, PBKDF2SHA1, PBKDF2SHA256, PBKDF2SHA512,
		Scrypt, SHA1, SHA256, SHA512, MD5, FirebaseScrypt}
}

// IsArgon2 reports whether a is one of the three Argon2 variants.
func (a Algorithm) IsArgon2() bool { return a == Argon2id || a == Argon2i || a == Argon2d }

// IsDigest reports whether a is a plain digest (sha1, sha256, sha512, md5),
// salted or not.
func (a Algorithm) IsDigest() bool { return a == SHA1 || a == SHA256 || a == SHA512 || a == MD5 }

// IsPBKDF2 reports whether a is PBKDF2 with one of its HMAC digests.
func (a Algorithm) IsPBKDF2() bool { return a == PBKDF2SHA1 || a == PBKDF2SHA256 || a == PBKDF2SHA512 }

// SaltOrder says where a salted digest puts the salt.
type SaltOrder string

const (
	// SaltPrefix: digest(salt + password).
	SaltPrefix SaltOrder = "prefix"
	// SaltSuffix: digest(password + salt).
	SaltSuffix SaltOrder = "suffix"
)

// Hash is a parsed password hash. Which fields mean something depends on
// the Algorithm; the rest are zero.
type Hash struct {
	Algorithm Algorithm

	// Argon2: Version is 19 (0x13), the only one verified; Memory is in
	// KiB.
	Version uint32
	Memory  uint32
	Time    uint32
	Threads uint8

	// Bcrypt: Cost, and Variant "2a", "2b" or "2y". Salt and Value are
	// bcrypt's own 22 and 31 characters, not decoded bytes.
	Cost    int
	Variant string

	// PBKDF2: Iterations; the key length is len(Value).
	Iterations int

	// Scrypt and FirebaseScrypt: N (a power of two), R and P. Firebase
	// calls log2(N) the memory cost and R the rounds.
	N, R, P int

	// Salted digests: where the salt goes. Empty for an unsalted one.
	SaltOrder SaltOrder

	Salt  []byte
	Value []byte

	// FirebaseScrypt: the project's salt separator and signer key, which
	// Firebase's console shows under the password hash parameters.
	SaltSeparator []byte
	SignerKey     []byte
}

const redacted = "[REDACTED]"

// String returns a placeholder: a hash is a secret.
func (h *Hash) String() string { return redacted }

// GoString returns a placeholder.
func (h *Hash) GoString() string { return redacted }

// Format writes a placeholder for every verb.
func (h *Hash) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue keeps the hash out of log/slog output.
func (h *Hash) LogValue() slog.Value { return slog.StringValue(redacted) }

// ErrMalformed is wrapped by every error Parse returns for a string that
// is not a hash in this encoding.
var ErrMalformed = errors.New("malformed password hash")

// ErrUnknownAlgorithm is wrapped by Parse's error for a well-formed hash
// of an algorithm passhash does not know.
var ErrUnknownAlgorithm = errors.New("unknown password hash algorithm")

func malformed(alg, format string, args ...any) error {
	if alg == "" {
		return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("%w: %s: %s", ErrMalformed, alg, fmt.Sprintf(format, args...))
}

// Upper bounds on cost parameters, so that a hostile file cannot make
// Verify run for hours or allocate gigabytes.
const (
	maxArgon2Memory  = 4 << 20 // KiB: 4 GiB
	maxArgon2Time    = 64
	maxPBKDF2Iter    = 10_000_000
	maxScryptLogN    = 22
	maxScryptRP      = 1 << 20
	maxHashFieldLen  = 1024
	maxEncodedLength = 4096
)

// Parse parses an encoded hash. Its errors wrap ErrMalformed or
// ErrUnknownAlgorithm, name the algorithm and the field at fault, and
// never quote the input.
func Parse(encoded string) (*Hash, error) {
	if len(encoded) > maxEncodedLength {
		return nil, malformed("", "longer than %d bytes", maxEncodedLength)
	}
	if !strings.HasPrefix(encoded, "$") {
		return nil, malformed("", "does not start with $")
	}
	parts := strings.Split(encoded[1:], "$")
	id := parts[0]
	switch {
	case id == "2a" || id == "2b" || id == "2y":
		return parseBcrypt(id, encoded)
	case Algorithm(id).IsArgon2():
		return parseArgon2(Algorithm(id), parts[1:])
	case Algorithm(id).IsPBKDF2():
		return parsePBKDF2(Algorithm(id), parts[1:])
	case Algorithm(id) == Scrypt:
		return parseScrypt(parts[1:])
	case Algorithm(id).IsDigest():
		return parseDigest(Algorithm(id), parts[1:])
	case Algorithm(id) == FirebaseScrypt:
		return parseFirebase(parts[1:])
	}
	if !validName(id) {
		return nil, malformed("", "the algorithm name is not a word")
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownAlgorithm, id)
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// params parses "k=v,k=v" into integers, refusing unknown or repeated
// keys and missing ones.
func params(alg Algorithm, s string, keys ...string) (map[string]int, error) {
	out := make(map[string]int, len(keys))
	for kv := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, malformed(string(alg), "parameter %d is not key=value", len(out)+1)
		}
		known := false
		for _, want := range keys {
			known = known || k == want
		}
		if !known || !validName(k) {
			return nil, malformed(string(alg), "unknown parameter")
		}
		if _, dup := out[k]; dup {
			return nil, malformed(string(alg), "parameter %s given twice", k)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, malformed(string(alg), "parameter %s is not a non-negative integer", k)
		}
		out[k] = n
	}
	for _, k := range keys {
		if _, ok := out[k]; !ok {
			return nil, malformed(string(alg), "parameter %s is missing", k)
		}
	}
	return out, nil
}

// b64 decodes standard base64 with or without padding.
func b64(alg Algorithm, field, s string) ([]byte, error) {
	if len(s) > maxHashFieldLen {
		return nil, malformed(string(alg), "the %s is longer than %d characters", field, maxHashFieldLen)
	}
	enc := base64.RawStdEncoding
	if strings.HasSuffix(s, "=") {
		enc = base64.StdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, malformed(string(alg), "the %s is not base64", field)
	}
	return b, nil
}

func parseArgon2(alg Algorithm, f []string) (*Hash, error) {
	if len(f) != 4 {
		return nil, malformed(string(alg), "want $%s$v=19$m=…,t=…,p=…$salt$hash", alg)
	}
	v, err := params(alg, f[0], "v")
	if err != nil {
		return nil, err
	}
	if v["v"] != argon2.Version {
		return nil, malformed(string(alg), "version %d is not 19", v["v"])
	}
	p, err := params(alg, f[1], "m", "t", "p")
	if err != nil {
		return nil, err
	}
	h := &Hash{Algorithm: alg, Version: argon2.Version}
	switch {
	case p["t"] < 1 || p["t"] > maxArgon2Time:
		return nil, malformed(string(alg), "t must be 1 to %d", maxArgon2Time)
	case p["p"] < 1 || p["p"] > 255:
		return nil, malformed(string(alg), "p must be 1 to 255")
	case p["m"] < 8*p["p"] || p["m"] > maxArgon2Memory:
		return nil, malformed(string(alg), "m must be 8×p to %d KiB", maxArgon2Memory)
	}
	h.Memory, h.Time, h.Threads = uint32(p["m"]), uint32(p["t"]), uint8(p["p"])
	if h.Salt, err = b64(alg, "salt", f[2]); err != nil {
		return nil, err
	}
	if h.Value, err = b64(alg, "hash", f[3]); err != nil {
		return nil, err
	}
	if len(h.Salt) < 8 || len(h.Value) < 4 {
		return nil, malformed(string(alg), "the salt must be 8 bytes or more and the hash 4 or more")
	}
	return h, nil
}

const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func parseBcrypt(variant, encoded string) (*Hash, error) {
	// $2b$10$ + 53 characters.
	if len(encoded) != 60 || encoded[3] != '$' || encoded[6] != '$' {
		return nil, malformed(string(Bcrypt), "want $%s$<cost>$<53 characters>", variant)
	}
	cost, err := strconv.Atoi(encoded[4:6])
	if err != nil || cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, malformed(string(Bcrypt), "the cost must be two digits from %02d to %d", bcrypt.MinCost, bcrypt.MaxCost)
	}
	rest := encoded[7:]
	for _, c := range rest {
		if !strings.ContainsRune(bcryptAlphabet, c) {
			return nil, malformed(string(Bcrypt), "the salt and hash hold a character outside bcrypt's alphabet")
		}
	}
	return &Hash{Algorithm: Bcrypt, Variant: variant, Cost: cost, Salt: []byte(rest[:22]), Value: []byte(rest[22:])}, nil
}

func parsePBKDF2(alg Algorithm, f []string) (*Hash, error) {
	if len(f) != 3 {
		return nil, malformed(string(alg), "want $%s$i=…,l=…$salt$hash", alg)
	}
	p, err := params(alg, f[0], "i", "l")
	if err != nil {
		return nil, err
	}
	if p["i"] < 1 || p["i"] > maxPBKDF2Iter {
		return nil, malformed(string(alg), "i must be 1 to %d", maxPBKDF2Iter)
	}
	h := &Hash{Algorithm: alg, Iterations: p["i"]}
	if h.Salt, err = b64(alg, "salt", f[1]); err != nil {
		return nil, err
	}
	if h.Value, err = b64(alg, "hash", f[2]); err != nil {
		return nil, err
	}
	if len(h.Value) != p["l"] || len(h.Value) < 4 {
		return nil, malformed(string(alg), "l must be the hash's length in bytes, 4 or more")
	}
	return h, nil
}

func scryptParams(alg Algorithm, s string) (n, r, p int, err error) {
	v, err := params(alg, s, "ln", "r", "p")
	if err != nil {
		return 0, 0, 0, err
	}
	switch {
	case v["ln"] < 1 || v["ln"] > maxScryptLogN:
		return 0, 0, 0, malformed(string(alg), "ln must be 1 to %d", maxScryptLogN)
	case v["r"] < 1 || v["p"] < 1 || v["r"]*v["p"] >= maxScryptRP:
		return 0, 0, 0, malformed(string(alg), "r and p must be 1 or more, and r×p below %d", maxScryptRP)
	}
	return 1 << v["ln"], v["r"], v["p"], nil
}

func parseScrypt(f []string) (*Hash, error) {
	if len(f) != 3 {
		return nil, malformed(string(Scrypt), "want $scrypt$ln=…,r=…,p=…$salt$hash")
	}
	n, r, p, err := scryptParams(Scrypt, f[0])
	if err != nil {
		return nil, err
	}
	h := &Hash{Algorithm: Scrypt, N: n, R: r, P: p}
	if h.Salt, err = b64(Scrypt, "salt", f[1]); err != nil {
		return nil, err
	}
	if h.Value, err = b64(Scrypt, "hash", f[2]); err != nil {
		return nil, err
	}
	if len(h.Value) < 4 {
		return nil, malformed(string(Scrypt), "the hash must be 4 bytes or more")
	}
	return h, nil
}

func digestSize(alg Algorithm) int {
	switch alg {
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case SHA512:
		return sha512.Size
	}
	return md5.Size
}

func parseDigest(alg Algorithm, f []string) (*Hash, error) {
	h := &Hash{Algorithm: alg}
	var err error
	switch len(f) {
	case 1:
		h.Value, err = b64(alg, "hash", f[0])
	case 3:
		switch f[0] {
		case "o=prefix":
			h.SaltOrder = SaltPrefix
		case "o=suffix":
			h.SaltOrder = SaltSuffix
		default:
			return nil, malformed(string(alg), "the salt order must be o=prefix or o=suffix")
		}
		if h.Salt, err = b64(alg, "salt", f[1]); err != nil {
			return nil, err
		}
		if len(h.Salt) == 0 {
			return nil, malformed(string(alg), "a salted digest needs a salt")
		}
		h.Value, err = b64(alg, "hash", f[2])
	default:
		return nil, malformed(string(alg), "want $%s$hash or $%s$o=prefix|suffix$salt$hash", alg, alg)
	}
	if err != nil {
		return nil, err
	}
	if len(h.Value) != digestSize(alg) {
		return nil, malformed(string(alg), "the hash must be %d bytes", digestSize(alg))
	}
	return h, nil
}

func parseFirebase(f []string) (*Hash, error) {
	const alg = FirebaseScrypt
	if len(f) != 5 {
		return nil, malformed(string(alg), "want $firescrypt$ln=…,r=…,p=…$salt$hash$salt separator$signer key")
	}
	n, r, p, err := scryptParams(alg, f[0])
	if err != nil {
		return nil, err
	}
	h := &Hash{Algorithm: alg, N: n, R: r, P: p}
	for i, dst := range []*[]byte{&h.Salt, &h.Value, &h.SaltSeparator, &h.SignerKey} {
		name := [...]string{"salt", "hash", "salt separator", "signer key"}[i]
		if *dst, err = b64(alg, name, f[i+1]); err != nil {
			return nil, err
		}
	}
	if len(h.SignerKey) == 0 || len(h.Value) != len(h.SignerKey) {
		return nil, malformed(string(alg), "the hash must be as long as the signer key")
	}
	return h, nil
}

func log2(n int) int {
	l := 0
	for n > 1 {
		n >>= 1
		l++
	}
	return l
}

// Encode writes h in the package's encoding; Parse(h.Encode()) gives h
// back. It writes whatever h holds: a Hash built by hand that Parse would
// refuse encodes to a string Parse refuses.
func (h *Hash) Encode() string {
	raw := base64.RawStdEncoding.EncodeToString
	switch {
	case h.Algorithm.IsArgon2():
		return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", h.Algorithm, h.Version, h.Memory, h.Time, h.Threads, raw(h.Salt), raw(h.Value))
	case h.Algorithm == Bcrypt:
		return fmt.Sprintf("$%s$%02d$%s%s", h.Variant, h.Cost, h.Salt, h.Value)
	case h.Algorithm.IsPBKDF2():
		return fmt.Sprintf("$%s$i=%d,l=%d$%s$%s", h.Algorithm, h.Iterations, len(h.Value), raw(h.Salt), raw(h.Value))
	case h.Algorithm == Scrypt:
		return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", log2(h.N), h.R, h.P, raw(h.Salt), raw(h.Value))
	case h.Algorithm.IsDigest():
		if h.SaltOrder == "" {
			return fmt.Sprintf("$%s$%s", h.Algorithm, raw(h.Value))
		}
		return fmt.Sprintf("$%s$o=%s$%s$%s", h.Algorithm, h.SaltOrder, raw(h.Salt), raw(h.Value))
	case h.Algorithm == FirebaseScrypt:
		std := base64.StdEncoding.EncodeToString
		return fmt.Sprintf("$firescrypt$ln=%d,r=%d,p=%d$%s$%s$%s$%s", log2(h.N), h.R, h.P, std(h.Salt), std(h.Value), std(h.SaltSeparator), std(h.SignerKey))
	}
	return "$" + string(h.Algorithm)
}

// Verify reports whether password is the one h was made from, comparing
// in constant time. A Hash that Parse would refuse never verifies.
func (h *Hash) Verify(password string) bool {
	got, ok := h.derive([]byte(password))
	return ok && subtle.ConstantTimeCompare(got, h.Value) == 1
}

// derive computes what Value must be for password.
func (h *Hash) derive(password []byte) ([]byte, bool) {
	switch h.Algorithm {
	case Argon2id, Argon2i, Argon2d:
		if h.Version != argon2.Version || h.Time < 1 || h.Threads < 1 || len(h.Value) == 0 {
			return nil, false
		}
		key := argon2.IDKey
		if h.Algorithm == Argon2i {
			key = argon2.Key
		} else if h.Algorithm == Argon2d {
			key = argon2d.Key
		}
		return key(password, h.Salt, h.Time, h.Memory, h.Threads, uint32(len(h.Value))), true
	case Bcrypt:
		err := bcrypt.CompareHashAndPassword([]byte(h.Encode()), password)
		// CompareHashAndPassword compares in constant time itself; the
		// caller's comparison of Value with itself then always holds.
		return h.Value, err == nil
	case PBKDF2SHA1, PBKDF2SHA256, PBKDF2SHA512:
		key, err := pbkdf2.Key(h.newHash(), string(password), h.Salt, h.Iterations, len(h.Value))
		return key, err == nil
	case Scrypt:
		key, err := scrypt.Key(password, h.Salt, h.N, h.R, h.P, len(h.Value))
		return key, err == nil
	case SHA1, SHA256, SHA512, MD5:
		d := h.newHash()()
		switch h.SaltOrder {
		case SaltPrefix:
			d.Write(h.Salt)
			d.Write(password)
		case SaltSuffix:
			d.Write(password)
			d.Write(h.Salt)
		default:
			d.Write(password)
		}
		return d.Sum(nil), true
	case FirebaseScrypt:
		return firebaseScrypt(password, h)
	}
	return nil, false
}

func (h *Hash) newHash() func() hash.Hash {
	switch h.Algorithm {
	case SHA1, PBKDF2SHA1:
		return sha1.New
	case SHA256, PBKDF2SHA256:
		return sha256.New
	case SHA512, PBKDF2SHA512:
		return sha512.New
	}
	return md5.New
}

// firebaseScrypt is Firebase's modified scrypt: the scrypt key of the
// password under salt+separator encrypts the signer key with AES-256-CTR
// and a zero IV; the ciphertext is the hash.
func firebaseScrypt(password []byte, h *Hash) ([]byte, bool) {
	salt := append(append([]byte{}, h.Salt...), h.SaltSeparator...)
	key, err := scrypt.Key(password, salt, h.N, h.R, h.P, 32)
	if err != nil {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	out := make([]byte, len(h.SignerKey))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(out, h.SignerKey)
	return out, true
}

// Verify parses encoded and verifies password against it. It returns
// Parse's error for a malformed hash, and otherwise whether the password
// matches.
func Verify(encoded, password string) (bool, error) {
	h, err := Parse(encoded)
	if err != nil {
		return false, err
	}
	return h.Verify(password), nil
}

// New hashes password with alg and parameters suited to tests and to
// moving users: light enough to make thousands of hashes in seconds, and
// random salts. Production systems choose their own costs; New is for
// the hashes a test, an emulator or the memory backend needs. It returns
// an error for FirebaseScrypt, whose signer key only a Firebase project
// has; build that Hash by hand.
func New(alg Algorithm, password string) (*Hash, error) {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (Go 1.24+)
	h := &Hash{Algorithm: alg, Salt: salt}
	switch {
	case alg.IsArgon2():
		h.Version, h.Memory, h.Time, h.Threads = argon2.Version, 1024, 1, 1
		h.Value = make([]byte, 32)
	case alg == Bcrypt:
		b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if err != nil {
			return nil, fmt.Errorf("passhash: %w", err)
		}
		return Parse(string(b))
	case alg.IsPBKDF2():
		h.Iterations = 1000
		h.Value = make([]byte, 32)
	case alg == Scrypt:
		h.N, h.R, h.P = 1<<10, 8, 1
		h.Value = make([]byte, 32)
	case alg.IsDigest():
		h.SaltOrder = SaltPrefix
		h.Value = make([]byte, digestSize(alg))
	default:
		return nil, fmt.Errorf("passhash: New cannot make a %s hash", alg)
	}
	v, _ := h.derive([]byte(password))
	h.Value = v
	return h, nil
}
