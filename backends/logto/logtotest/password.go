package logtotest

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"

	"golang.org/x/crypto/argon2"

	"github.com/idport/identity/passhash"
)

// How a user's password is kept: Logto's passwordEncrypted and
// passwordEncryptionMethod, as the user row holds them. A password set in
// plain is an Argon2i PHC string (utils/password.ts, encryptPassword); a
// digest imported at creation is kept as sent, under the method sent,
// and verified the way Logto 1.37 verifies that method
// (libraries/user.ts, verifyUserPassword).

// The passwordAlgorithm values, UsersPasswordEncryptionMethod, in the
// order the guard's enum lists them.
var passwordMethods = []string{"Argon2i", "Argon2id", "Argon2d", "SHA1", "SHA256", "MD5", "Bcrypt", "Legacy"}

// maxDigest is the guard's max(256) on passwordDigest, in UTF-16 code
// units as zod counts.
const maxDigest = 256

// Logto's Argon2i parameters (workers/tasks/argon2i.ts): 8 MiB, 8 passes,
// one lane, a 16-byte salt and a 32-byte hash.
const (
	logtoArgon2Memory = 8 * 1024
	logtoArgon2Time   = 8
)

// hashPlain is what Logto stores for a password set in plain.
func (e *Emulator) hashPlain(pw string) (digest, method string) {
	if !e.opts.LogtoArgon2 {
		h, err := passhash.New(passhash.Argon2i, pw)
		if err == nil {
			return h.Encode(), "Argon2i"
		}
	}
	h := &passhash.Hash{Algorithm: passhash.Argon2i, Version: argon2.Version, Memory: logtoArgon2Memory, Time: logtoArgon2Time, Threads: 1,
		Salt: make([]byte, 16)}
	_, _ = rand.Read(h.Salt)
	h.Value = argon2.Key([]byte(pw), h.Salt, h.Time, h.Memory, h.Threads, 32)
	return h.Encode(), "Argon2i"
}

// jsLen is the length of s as JavaScript counts it.
func jsLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// readDigest reads the guard's passwordDigest (a string of at most 256)
// and passwordAlgorithm (one of the methods) from a create body; each is
// "" when absent.
func readDigest(w http.ResponseWriter, body map[string]json.RawMessage) (digest, method string, ok bool) {
	if raw, has := body["passwordDigest"]; has {
		if json.Unmarshal(raw, &digest) != nil || string(raw) == "null" {
			invalidInput(w, invalidType("passwordDigest", "string", jsonType(raw)))
			return "", "", false
		}
		if jsLen(digest) > maxDigest {
			invalidInput(w, tooBig("passwordDigest", maxDigest))
			return "", "", false
		}
	}
	if raw, has := body["passwordAlgorithm"]; has {
		var v any
		_ = json.Unmarshal(raw, &v)
		if s, isString := v.(string); isString && slices.Contains(passwordMethods, s) {
			method = s
		} else {
			// zod's nativeEnum: invalid_enum_value whatever the type.
			invalidInput(w, invalidEnum("passwordAlgorithm", passwordMethods, v))
			return "", "", false
		}
	}
	return digest, method, true
}

// legacy is a parsed Legacy digest: [algorithm, args, digest].
type legacy struct {
	algorithm string
	args      []string
	expected  string
}

// nodeHashes are the node:crypto digest names the emulator computes, in
// lower case, as OpenSSL 3 names them (createHash reads names without
// regard to case). Node knows more (ripemd160, blake2b512, sm3, ...):
// the emulator refuses those with Logto's unsupported_legacy_hash_algorithm
// rather than store a digest it could not verify.
var nodeHashes = map[string]func() hash.Hash{
	"md5": md5.New, "rsa-md5": md5.New,
	"sha1": sha1.New, "sha-1": sha1.New, "rsa-sha1": sha1.New,
	"sha224": sha256.New224, "sha-224": sha256.New224, "sha2-224": sha256.New224, "rsa-sha224": sha256.New224,
	"sha256": sha256.New, "sha-256": sha256.New, "sha2-256": sha256.New, "rsa-sha256": sha256.New,
	"sha384": sha512.New384, "sha-384": sha512.New384, "sha2-384": sha512.New384, "rsa-sha384": sha512.New384,
	"sha512": sha512.New, "sha-512": sha512.New, "sha2-512": sha512.New, "rsa-sha512": sha512.New,
	"sha512-224": sha512.New512_224, "sha2-512/224": sha512.New512_224,
	"sha512-256": sha512.New512_256, "sha2-512/256": sha512.New512_256,
	"sha3-224": func() hash.Hash { return sha3.New224() }, "sha3-256": func() hash.Hash { return sha3.New256() },
	"sha3-384": func() hash.Hash { return sha3.New384() }, "sha3-512": func() hash.Hash { return sha3.New512() },
}

// isPBKDF2 is Logto's isPbkdf2Algorithm: these two names exactly.
func isPBKDF2(alg string) bool { return alg == "pbkdf2Sync" || alg == "pbkdf2" }

// parseLegacy is Logto's parseLegacyPassword: the digest must be JSON
// of the tuple [string, string[] holding "@", string] and name an
// algorithm. It returns the error code and message Logto answers
// otherwise, both "" on success.
func parseLegacy(digest string) (l legacy, code, msg string) {
	if digest == "" {
		// assertThat(passwordDigest, unsupported_encryption_method):
		// the phrase's {{name}} is not given, and i18next leaves it
		// empty.
		return l, "password.unsupported_encryption_method", "The encryption method  is not supported."
	}
	var parts []json.RawMessage
	bad := json.Unmarshal([]byte(digest), &parts) != nil || len(parts) != 3 ||
		json.Unmarshal(parts[0], &l.algorithm) != nil || json.Unmarshal(parts[1], &l.args) != nil ||
		json.Unmarshal(parts[2], &l.expected) != nil ||
		isNull(parts[0]) || isNull(parts[1]) || isNull(parts[2])
	if !bad {
		var elems []json.RawMessage
		_ = json.Unmarshal(parts[1], &elems)
		bad = slices.ContainsFunc(elems, isNull) || !slices.Contains(l.args, "@")
	}
	if bad {
		return legacy{}, "password.invalid_legacy_password_format", "Invalid legacy password format."
	}
	if !isPBKDF2(l.algorithm) && nodeHashes[strings.ToLower(l.algorithm)] == nil {
		return legacy{}, "password.unsupported_legacy_hash_algorithm", fmt.Sprintf("Unsupported legacy hash algorithm: %s.", l.algorithm)
	}
	return l, "", ""
}

// isNull reports a JSON null, which json.Unmarshal takes for a string
// without complaint and zod's string() does not.
func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

// Bounds the emulator puts on a Legacy PBKDF2's cost, where node would
// compute whatever it is asked: beyond them it answers no match.
const (
	maxLegacyIterations = 10_000_000
	maxLegacyKeyLen     = 1024
)

// verifyLegacy is Logto's legacyVerify: the args with "@" replaced by the
// password, hashed with the algorithm (PBKDF2 taking salt, iterations,
// key length and digest from the first four), compared as lowercase
// hex. Any failure is a mismatch, as Logto catches every error.
func verifyLegacy(digest, pw string) bool {
	l, code, _ := parseLegacy(digest)
	if code != "" {
		return false
	}
	resolved := make([]string, len(l.args))
	for i, a := range l.args {
		resolved[i] = a
		if a == "@" {
			resolved[i] = pw
		}
	}
	var got []byte
	if isPBKDF2(l.algorithm) {
		if len(resolved) < 4 || resolved[0] == "" || resolved[1] == "" || resolved[2] == "" || resolved[3] == "" {
			return false
		}
		iter, ok1 := parseInt(resolved[1])
		keyLen, ok2 := parseInt(resolved[2])
		h := nodeHashes[strings.ToLower(resolved[3])]
		if !ok1 || !ok2 || h == nil || iter < 1 || iter > maxLegacyIterations || keyLen < 0 || keyLen > maxLegacyKeyLen {
			return false
		}
		if keyLen == 0 {
			got = []byte{}
		} else {
			key, err := pbkdf2.Key(h, pw, []byte(resolved[0]), iter, keyLen)
			if err != nil {
				return false
			}
			got = key
		}
	} else {
		h := nodeHashes[strings.ToLower(l.algorithm)]()
		h.Write([]byte(strings.Join(resolved, "")))
		got = h.Sum(nil)
	}
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(got)), []byte(l.expected)) == 1
}

// parseInt is JavaScript's parseInt(s, 10): leading white space, a sign,
// then as many digits as there are; none is NaN (false).
func parseInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r\u00a0\ufeff")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	n, digits := 0, 0
	for ; digits < len(s) && s[digits] >= '0' && s[digits] <= '9'; digits++ {
		if n > 1<<31 {
			continue // past any bound the callers allow
		}
		n = n*10 + int(s[digits]-'0')
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// argon2RE is hash-wasm's argon2Verify pattern: unpadded base64, the
// three parameters in any order.
var argon2RE = regexp.MustCompile(`^\$argon2(id|i|d)\$v=([0-9]+)\$((?:[mtp]=[0-9]+,){2}[mtp]=[0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)

// bcryptRE is the form hash-wasm's bcryptVerify reads.
var bcryptRE = regexp.MustCompile(`^\$2[axyb]\$[0-9]{2}\$[./A-Za-z0-9]{53}$`)

// verifyStored checks pw against a stored digest as verifyUserPassword
// does. thrown reports a digest hash-wasm throws on (an Argon2 or bcrypt
// string it cannot read), which Logto lets through as a 500.
func verifyStored(digest, method, pw string) (match, thrown bool) {
	switch method {
	case "Argon2i", "Argon2id", "Argon2d":
		// The PHC string's own variant decides, whatever the method.
		if !argon2RE.MatchString(digest) {
			return false, true
		}
		h, err := passhash.Parse(digest)
		if err != nil {
			return false, true
		}
		return h.Verify(pw), false
	case "Bcrypt":
		if !bcryptRE.MatchString(digest) {
			return false, true
		}
		h, err := passhash.Parse(digest)
		if err != nil {
			return false, true
		}
		return h.Verify(pw), false
	case "SHA1", "SHA256", "MD5":
		var sum []byte
		switch method {
		case "SHA1":
			s := sha1.Sum([]byte(pw))
			sum = s[:]
		case "SHA256":
			s := sha256.Sum256([]byte(pw))
			sum = s[:]
		default:
			s := md5.Sum([]byte(pw))
			sum = s[:]
		}
		return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum)), []byte(digest)) == 1, false
	case "Legacy":
		return verifyLegacy(digest, pw), false
	}
	return false, false
}

// yes is @silverhand/essentials' yes(): the strings that mean true.
func yes(s string) bool {
	switch strings.ToLower(s) {
	case "1", "true", "y", "yes", "yep", "yeah":
		return true
	}
	return false
}

// withHash adds passwordDigest and passwordAlgorithm to a user's JSON
// when the query has includePasswordHash (null for no password), as
// Logto does since the parameter came (logto-io/logto#8493, after
// 1.37.1, whose document lacks it).
func withHash(q url.Values, u *user, m map[string]any) map[string]any {
	if !yes(q.Get("includePasswordHash")) {
		return m
	}
	m["passwordDigest"], m["passwordAlgorithm"] = nil, nil
	if u.pwDigest != "" {
		m["passwordDigest"], m["passwordAlgorithm"] = u.pwDigest, u.pwMethod
	}
	return m
}
