package okta

import (
	"encoding/base64"
	"fmt"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/passhash"
)

// importedHashes are the passhash algorithms CreateUser imports, as
// credentials.password.hash (the PasswordCredentialHash of Okta's
// document): BCRYPT, the four digests salted or not, and PBKDF2 with the
// two PRFs its DigestAlgorithm has, SHA256_HMAC and SHA512_HMAC. Okta
// takes no PBKDF2 with HMAC-SHA-1, no Argon2 and no scrypt.
var importedHashes = []string{
	string(passhash.Bcrypt), string(passhash.PBKDF2SHA256), string(passhash.PBKDF2SHA512),
	string(passhash.SHA1), string(passhash.SHA256), string(passhash.SHA512), string(passhash.MD5),
}

// The limits Okta's document sets on a hash: a BCRYPT workFactor of 1 to
// 20, a PBKDF2 iterationCount of 4096 or more.
const (
	maxBcryptWorkFactor = 20
	minPBKDF2Iterations = 4096
)

var (
	hashAlgorithms = map[passhash.Algorithm]string{
		passhash.SHA1: "SHA-1", passhash.SHA256: "SHA-256", passhash.SHA512: "SHA-512", passhash.MD5: "MD5",
	}
	pbkdf2PRFs = map[passhash.Algorithm]string{passhash.PBKDF2SHA256: "SHA256_HMAC", passhash.PBKDF2SHA512: "SHA512_HMAC"}
)

// hashCredential returns the credentials.password.hash object under which
// Okta verifies the passwords encoded does: for bcrypt the algorithm, the
// cost as workFactor, and bcrypt's 22-character salt and 31-character
// hash as they are; for a digest the standard base64 of the digest and,
// when salted, of the salt, with saltOrder PREFIX or POSTFIX; for PBKDF2
// the PRF as digestAlgorithm, iterationCount, keySize in bytes, and base64
// salt and value. It returns InvalidArgument (Field "PasswordHash") for a
// hash passhash cannot parse, and Unsupported (Field "PasswordHash") for
// an algorithm Okta has no form for, a bcrypt cost above 20, a PBKDF2 of
// fewer than 4096 iterations or without salt. No error quotes the hash.
func hashCredential(encoded identity.PasswordHash) (map[string]any, error) {
	h, err := passhash.Parse(string(encoded))
	if err != nil {
		return nil, driver.InvalidArgumentError("PasswordHash", "PasswordHash: %v", err)
	}
	std := base64.StdEncoding.EncodeToString
	switch {
	case h.Algorithm == passhash.Bcrypt:
		if h.Cost > maxBcryptWorkFactor {
			return nil, hashUnsupported(fmt.Sprintf("its bcrypt cost is %d, and Okta's workFactor goes up to %d", h.Cost, maxBcryptWorkFactor))
		}
		// Okta takes no variant: $2a$, $2b$ and $2y$ hash alike.
		return map[string]any{"algorithm": "BCRYPT", "workFactor": h.Cost, "salt": string(h.Salt), "value": string(h.Value)}, nil
	case h.Algorithm.IsDigest():
		out := map[string]any{"algorithm": hashAlgorithms[h.Algorithm], "value": std(h.Value)}
		if h.SaltOrder != "" {
			out["salt"] = std(h.Salt)
			out["saltOrder"] = map[passhash.SaltOrder]string{passhash.SaltPrefix: "PREFIX", passhash.SaltSuffix: "POSTFIX"}[h.SaltOrder]
		}
		return out, nil
	case pbkdf2PRFs[h.Algorithm] != "":
		switch {
		case h.Iterations < minPBKDF2Iterations:
			return nil, hashUnsupported(fmt.Sprintf("its PBKDF2 has %d iterations, and Okta takes %d or more", h.Iterations, minPBKDF2Iterations))
		case len(h.Salt) == 0:
			return nil, hashUnsupported("Okta's PBKDF2 needs a salt")
		}
		return map[string]any{
			"algorithm": "PBKDF2", "digestAlgorithm": pbkdf2PRFs[h.Algorithm], "iterationCount": h.Iterations,
			"keySize": len(h.Value), "salt": std(h.Salt), "value": std(h.Value),
		}, nil
	}
	return nil, hashUnsupported("Okta imports no " + string(h.Algorithm) + " hash")
}

// hashUnsupported is the Unsupported error of a hash Okta cannot import.
func hashUnsupported(why string) *identity.Error {
	e := driver.UnsupportedError("PasswordHash")
	e.Message = "Okta cannot import this password hash: " + why
	return e
}

// importedHashList is a copy of importedHashes, for a Capabilities.
func importedHashList() []string { return append([]string(nil), importedHashes...) }
