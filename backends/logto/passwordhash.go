package logto

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/passhash"
)

// Logto's passwordAlgorithm values (UsersPasswordEncryptionMethod).
const (
	methodArgon2i  = "Argon2i"
	methodArgon2id = "Argon2id"
	methodArgon2d  = "Argon2d"
	methodBcrypt   = "Bcrypt"
	methodSHA1     = "SHA1"
	methodSHA256   = "SHA256"
	methodMD5      = "MD5"
	methodLegacy   = "Legacy"
)

// importedHashes are the passhash algorithms CreateUser imports, each as
// Logto 1.37 verifies it (packages/core/src/libraries/user.ts,
// verifyUserPassword): the Argon2 variants and bcrypt as their own
// strings, through hash-wasm; unsalted SHA-1, SHA-256 and MD5 as the
// lowercase hex digest Logto compares with its own; and everything else
// through the Legacy method (utils/password.ts, legacyVerify), a JSON
// array [algorithm, args, hex digest] whose args are joined, "@" standing
// for the password, and hashed with node:crypto: SHA-512 unsalted, every
// salted digest, and PBKDF2 with each HMAC digest (Legacy's "pbkdf2",
// which came with Logto 1.31). Scrypt and Firebase's scrypt have no form
// Logto verifies.
var importedHashes = []string{
	string(passhash.Argon2id), string(passhash.Argon2i), string(passhash.Argon2d), string(passhash.Bcrypt),
	string(passhash.PBKDF2SHA1), string(passhash.PBKDF2SHA256), string(passhash.PBKDF2SHA512),
	string(passhash.SHA1), string(passhash.SHA256), string(passhash.SHA512), string(passhash.MD5),
}

// maxDigestLen is the longest passwordDigest POST /api/users takes: zod's
// max(256), which counts UTF-16 code units, as JavaScript strings do.
const maxDigestLen = 256

// nativeDigests are the unsalted digests Logto verifies by name, and the
// node:crypto names Legacy uses for each digest.
var (
	nativeDigests = map[passhash.Algorithm]string{passhash.SHA1: methodSHA1, passhash.SHA256: methodSHA256, passhash.MD5: methodMD5}
	nodeDigests   = map[passhash.Algorithm]string{
		passhash.SHA1: "sha1", passhash.SHA256: "sha256", passhash.SHA512: "sha512", passhash.MD5: "md5",
		passhash.PBKDF2SHA1: "sha1", passhash.PBKDF2SHA256: "sha256", passhash.PBKDF2SHA512: "sha512",
	}
)

// hashUnsupported is the Unsupported error of a hash whose algorithm
// Logto imports but whose parameters it cannot carry.
func hashUnsupported(why string) *identity.Error {
	e := driver.UnsupportedError("PasswordHash")
	e.Message = "Logto cannot import this password hash: " + why
	return e
}

// passwordDigest returns the passwordDigest and passwordAlgorithm under
// which Logto verifies the passwords encoded does. It returns
// InvalidArgument (Field "PasswordHash") for a hash passhash cannot
// parse, and Unsupported (Field "PasswordHash") for one of an algorithm
// Logto has no form for, or whose salt Legacy cannot spell: Legacy's
// arguments are JavaScript strings hashed as UTF-8, so a salt must be
// valid UTF-8 and, as a whole argument, not "@"; PBKDF2 needs a salt;
// and the digest must fit Logto's 256 characters. No error quotes the
// hash.
func passwordDigest(encoded identity.PasswordHash) (digest, method string, err error) {
	h, err := passhash.Parse(string(encoded))
	if err != nil {
		return "", "", driver.InvalidArgumentError("PasswordHash", "PasswordHash: %v", err)
	}
	switch {
	case h.Algorithm.IsArgon2():
		// hash-wasm's argon2Verify reads unpadded base64 only, which
		// Encode writes whatever the input had.
		digest, method = h.Encode(), map[passhash.Algorithm]string{
			passhash.Argon2i: methodArgon2i, passhash.Argon2id: methodArgon2id, passhash.Argon2d: methodArgon2d}[h.Algorithm]
	case h.Algorithm == passhash.Bcrypt:
		digest, method = h.Encode(), methodBcrypt
	case h.Algorithm.IsDigest() && h.SaltOrder == "" && nativeDigests[h.Algorithm] != "":
		digest, method = hex.EncodeToString(h.Value), nativeDigests[h.Algorithm]
	case h.Algorithm.IsDigest():
		if digest, err = legacyDigest(h); err != nil {
			return "", "", err
		}
		method = methodLegacy
	case h.Algorithm.IsPBKDF2():
		if digest, err = legacyPBKDF2(h); err != nil {
			return "", "", err
		}
		method = methodLegacy
	default:
		return "", "", hashUnsupported("Logto verifies no " + string(h.Algorithm) + " hash")
	}
	if jsLen(digest) > maxDigestLen {
		return "", "", hashUnsupported("its Logto form is longer than the 256 characters Logto keeps")
	}
	return digest, method, nil
}

// legacyDigest writes a digest as Legacy's [algorithm, args, hex]: the
// salt before or after the "@" that stands for the password.
func legacyDigest(h *passhash.Hash) (string, error) {
	args := []string{"@"}
	if h.SaltOrder != "" {
		salt, err := legacySalt(h.Salt)
		if err != nil {
			return "", err
		}
		if h.SaltOrder == passhash.SaltPrefix {
			args = []string{salt, "@"}
		} else {
			args = []string{"@", salt}
		}
	}
	return legacyJSON(nodeDigests[h.Algorithm], args, h.Value)
}

// legacyPBKDF2 writes PBKDF2 as Legacy's ["pbkdf2", [salt, iterations,
// key length, digest, "@"], hex], the form Logto's documentation gives:
// the first four arguments are pbkdf2Sync's, the password is the input.
func legacyPBKDF2(h *passhash.Hash) (string, error) {
	if len(h.Salt) == 0 {
		return "", hashUnsupported("Logto's PBKDF2 needs a salt")
	}
	salt, err := legacySalt(h.Salt)
	if err != nil {
		return "", err
	}
	args := []string{salt, strconv.Itoa(h.Iterations), strconv.Itoa(len(h.Value)), nodeDigests[h.Algorithm], "@"}
	return legacyJSON("pbkdf2", args, h.Value)
}

// legacySalt is a salt as one of Legacy's arguments.
func legacySalt(salt []byte) (string, error) {
	switch s := string(salt); {
	case !utf8.Valid(salt):
		return "", hashUnsupported("Logto's Legacy method takes salts as text, and this salt is not UTF-8")
	case s == "@":
		return "", hashUnsupported(`Logto's Legacy method reads an argument "@" as the password, and this salt is "@"`)
	default:
		return s, nil
	}
}

func legacyJSON(alg string, args []string, value []byte) (string, error) {
	b, err := json.Marshal([]any{alg, args, hex.EncodeToString(value)})
	if err != nil {
		return "", driver.Errorf(identity.Internal, "encoding a Legacy password digest: %v", err)
	}
	return string(b), nil
}

// jsLen is the length JavaScript gives s: its UTF-16 code units.
func jsLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// PasswordHash reads GET /api/users/{userId}?includePasswordHash=true,
// Logto's passwordDigest and passwordAlgorithm, and turns them into
// passhash's encoding: the Argon2 and bcrypt strings as they are, the
// hex digests and Legacy's arrays as the digests, salted digests and
// PBKDF2 they are. A digest null means no password: "". It returns
// NotFound for a missing user, and Unsupported (Field "PasswordHash")
// for a digest passhash cannot encode (a Legacy array of another
// algorithm or shape, or a digest no password can match), and for a
// Logto that answers without the fields: includePasswordHash came after
// Logto 1.37, whose user has no passwordDigest.
func (d *directory) PasswordHash(ctx context.Context, userID string) (identity.PasswordHash, error) {
	// Decoded field by field: whether passwordDigest came at all, null
	// or not, is what tells a Logto that hands hashes out from one that
	// ignores the parameter.
	var raw map[string]json.RawMessage
	_, err := d.http.Do(ctx, &httpx.Request{
		Method: http.MethodGet, Path: userPath(userID), Route: "/api/users/{id}",
		Query: url.Values{"includePasswordHash": {"true"}}, Out: &raw,
	})
	if err != nil {
		return "", err
	}
	var id string
	if json.Unmarshal(raw["id"], &id) != nil || id == "" {
		return "", driver.Errorf(identity.Internal, "Logto returned a user the backend cannot read")
	}
	digestRaw, sent := raw["passwordDigest"]
	if !sent {
		var has *bool
		if json.Unmarshal(raw["hasPassword"], &has) == nil && has != nil && !*has {
			return "", nil
		}
		e := driver.UnsupportedError("PasswordHash")
		e.Message = "this Logto hands out no password hashes: includePasswordHash came after Logto 1.37"
		return "", e
	}
	var digest, method *string
	if json.Unmarshal(digestRaw, &digest) != nil || raw["passwordAlgorithm"] != nil && json.Unmarshal(raw["passwordAlgorithm"], &method) != nil {
		return "", driver.Errorf(identity.Internal, "Logto returned a password digest the backend cannot read")
	}
	if digest == nil || *digest == "" {
		return "", nil
	}
	m := ""
	if method != nil {
		m = *method
	}
	enc, err := exportDigest(*digest, m)
	if err != nil {
		return "", err
	}
	return identity.PasswordHash(enc), nil
}

// exportDigest turns Logto's passwordDigest and passwordAlgorithm into
// passhash's encoding, or Unsupported (Field "PasswordHash").
func exportDigest(digest, method string) (string, error) {
	cannot := func(why string) error {
		e := driver.UnsupportedError("PasswordHash")
		e.Message = "Logto holds this user's password in a form passhash cannot encode: " + why
		return e
	}
	switch method {
	case methodArgon2i, methodArgon2id, methodArgon2d, methodBcrypt:
		h, err := passhash.Parse(digest)
		if err != nil || h.Algorithm.IsArgon2() != (method != methodBcrypt) {
			return "", cannot("a " + method + " digest that is not one")
		}
		return h.Encode(), nil
	case methodSHA1, methodSHA256, methodMD5:
		alg := map[string]passhash.Algorithm{methodSHA1: passhash.SHA1, methodSHA256: passhash.SHA256, methodMD5: passhash.MD5}[method]
		v, ok := lowerHex(digest)
		h := &passhash.Hash{Algorithm: alg, Value: v}
		if !ok || !roundTrips(h) {
			// Logto compares its own lowercase hex with the digest, so
			// any other digest matches no password.
			return "", cannot("a " + method + " digest that is not the lowercase hex of one")
		}
		return h.Encode(), nil
	case methodLegacy:
		h, why := fromLegacy(digest)
		if h == nil {
			return "", cannot(why)
		}
		return h.Encode(), nil
	}
	return "", cannot("the unknown algorithm " + strconv.Quote(truncate(method)))
}

// fromLegacy reads one of Legacy's arrays as the hash it stands for, or
// says why it cannot.
func fromLegacy(digest string) (*passhash.Hash, string) {
	var parts []json.RawMessage
	var alg, expected string
	var args []string
	if json.Unmarshal([]byte(digest), &parts) != nil || len(parts) != 3 ||
		json.Unmarshal(parts[0], &alg) != nil || json.Unmarshal(parts[1], &args) != nil || json.Unmarshal(parts[2], &expected) != nil {
		return nil, "a Legacy digest that is not [algorithm, [args], digest]"
	}
	value, ok := lowerHex(expected)
	if !ok {
		return nil, "a Legacy digest whose digest is not lowercase hex"
	}
	ats := 0
	for _, a := range args {
		if a == "@" {
			ats++
		}
	}
	if ats != 1 {
		return nil, `a Legacy digest that does not use the password exactly once`
	}
	switch name := strings.ToLower(alg); {
	case alg == "pbkdf2" || alg == "pbkdf2Sync":
		// Logto tells PBKDF2 by these two exact names; any other
		// spelling goes to node's createHash, which has no PBKDF2.
		if len(args) != 5 || args[4] != "@" {
			return nil, "a Legacy PBKDF2 digest whose arguments are not [salt, iterations, key length, digest, \"@\"]"
		}
		a := map[string]passhash.Algorithm{"sha1": passhash.PBKDF2SHA1, "sha256": passhash.PBKDF2SHA256, "sha512": passhash.PBKDF2SHA512}[strings.ToLower(args[3])]
		iter, err1 := strconv.Atoi(args[1])
		keyLen, err2 := strconv.Atoi(args[2])
		h := &passhash.Hash{Algorithm: a, Iterations: iter, Salt: []byte(args[0]), Value: value}
		if a == "" || err1 != nil || err2 != nil || keyLen != len(value) || !roundTrips(h) {
			return nil, "a Legacy PBKDF2 digest of another digest, or with parameters passhash refuses"
		}
		return h, ""
	default:
		// node's createHash reads digest names without regard to case.
		a := map[string]passhash.Algorithm{"sha1": passhash.SHA1, "sha256": passhash.SHA256, "sha512": passhash.SHA512, "md5": passhash.MD5}[name]
		if a == "" {
			return nil, "a Legacy digest of " + strconv.Quote(truncate(alg)) + ", which passhash has no encoding for"
		}
		h := &passhash.Hash{Algorithm: a, Value: value}
		at := 0
		for i, arg := range args {
			if arg == "@" {
				at = i
			}
		}
		before, after := strings.Join(args[:at], ""), strings.Join(args[at+1:], "")
		switch {
		case before != "" && after != "":
			return nil, "a Legacy digest salted on both sides of the password"
		case before != "":
			h.SaltOrder, h.Salt = passhash.SaltPrefix, []byte(before)
		case after != "":
			h.SaltOrder, h.Salt = passhash.SaltSuffix, []byte(after)
		}
		if !roundTrips(h) {
			return nil, "a Legacy digest of the wrong length"
		}
		return h, ""
	}
}

// lowerHex decodes lowercase hex, the only form Logto's digests match.
func lowerHex(s string) ([]byte, bool) {
	if s != strings.ToLower(s) {
		return nil, false
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// roundTrips reports whether passhash reads h's encoding back, which
// checks lengths and costs the way passhash.Parse does.
func roundTrips(h *passhash.Hash) bool {
	_, err := passhash.Parse(h.Encode())
	return err == nil
}

// truncate shortens what a server sent for an error message.
func truncate(s string) string {
	if len(s) > 40 {
		for i := 40; i > 0; i-- {
			if utf8.RuneStart(s[i]) {
				return s[:i] + "..."
			}
		}
	}
	return s
}
