package oktatest

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/idport/identity/passhash"
)

// wireHash is credentials.password.hash, the PasswordCredentialHash of
// Okta's document: the algorithm, and what each needs.
type wireHash struct {
	Algorithm       *string `json:"algorithm"`
	DigestAlgorithm *string `json:"digestAlgorithm"`
	IterationCount  *int    `json:"iterationCount"`
	KeySize         *int    `json:"keySize"`
	Salt            *string `json:"salt"`
	SaltOrder       *string `json:"saltOrder"`
	Value           *string `json:"value"`
	WorkFactor      *int    `json:"workFactor"`
}

// The digests Okta imports (PasswordCredentialHashAlgorithm), and the
// PBKDF2 PRFs (DigestAlgorithm): no SHA-1 HMAC, no Argon2, no scrypt.
var (
	hashDigests = map[string]passhash.Algorithm{"SHA-1": passhash.SHA1, "SHA-256": passhash.SHA256, "SHA-512": passhash.SHA512, "MD5": passhash.MD5}
	pbkdf2PRFs  = map[string]passhash.Algorithm{"SHA256_HMAC": passhash.PBKDF2SHA256, "SHA512_HMAC": passhash.PBKDF2SHA512}
)

// bcryptAlphabet is bcrypt's Radix-64.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// minPBKDF2Iterations is the least iterationCount Okta takes ("Must be
// >= 4096", the document's PasswordCredentialHash).
const minPBKDF2Iterations = 4096

// hashCause is an E0000001 cause about the hash. The wording is
// Unpublished: Okta documents the rules, not the texts.
func hashCause(text string) reply { return invalid("password", "password: "+text) }

// readHash turns an imported hash into the passhash.Hash the emulator
// verifies sign-ins with. The rules are the document's: BCRYPT takes
// bcrypt's 22-character salt, its 31-character value and a workFactor
// of 1 to 20; SHA-512, SHA-256, SHA-1 and MD5 a base64 value of the
// digest's length and, when salted, a base64 salt and a saltOrder of
// PREFIX or POSTFIX; PBKDF2 a digestAlgorithm, an iterationCount of
// 4096 or more, a keySize in bytes, a base64 salt and value. A value or
// salt that is not base64 or of the wrong length is refused too
// (Unpublished), rather than stored as a password nothing matches. An
// algorithm outside the enum is a body Okta cannot read: 400 E0000003.
func readHash(raw json.RawMessage) (*passhash.Hash, reply, bool) {
	var w wireHash
	if json.Unmarshal(raw, &w) != nil {
		return nil, malformed(), false
	}
	if w.Algorithm == nil {
		return nil, hashCause("The hash algorithm is required."), false
	}
	if w.Value == nil || *w.Value == "" {
		return nil, hashCause("The hash value is required."), false
	}
	b64 := func(s string) ([]byte, bool) {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(s)
		}
		return b, err == nil
	}
	alg := *w.Algorithm
	var h *passhash.Hash
	switch {
	case alg == "BCRYPT":
		salt, value := "", *w.Value
		if w.Salt != nil {
			salt = *w.Salt
		}
		switch {
		case len(salt) != 22:
			return nil, hashCause("The salt of a BCRYPT hash must be 22 characters long."), false
		case len(value) != 31:
			return nil, hashCause("The value of a BCRYPT hash must be 31 characters long."), false
		case w.WorkFactor == nil || *w.WorkFactor < 1 || *w.WorkFactor > 20:
			return nil, hashCause("The workFactor of a BCRYPT hash must be between 1 and 20."), false
		}
		if strings.Trim(salt+value, bcryptAlphabet) != "" {
			return nil, hashCause("The salt and value of a BCRYPT hash must be Radix-64."), false
		}
		// A work factor under bcrypt's least, 4, is taken and never
		// verifies: golang.org/x/crypto/bcrypt computes no such hash.
		h = &passhash.Hash{Algorithm: passhash.Bcrypt, Variant: "2b", Cost: *w.WorkFactor, Salt: []byte(salt), Value: []byte(value)}
	case hashDigests[alg] != "":
		value, ok := b64(*w.Value)
		if !ok {
			return nil, hashCause("The hash value must be base64."), false
		}
		h = &passhash.Hash{Algorithm: hashDigests[alg], Value: value}
		if w.Salt != nil && *w.Salt != "" {
			salt, ok := b64(*w.Salt)
			if !ok {
				return nil, hashCause("The salt must be base64."), false
			}
			order := ""
			if w.SaltOrder != nil {
				order = strings.ToUpper(*w.SaltOrder)
			}
			switch order {
			case "PREFIX":
				h.SaltOrder = passhash.SaltPrefix
			case "POSTFIX":
				h.SaltOrder = passhash.SaltSuffix
			default:
				return nil, hashCause("The saltOrder must be PREFIX or POSTFIX."), false
			}
			h.Salt = salt
		}
		if _, err := passhash.Parse(h.Encode()); err != nil {
			return nil, hashCause("The hash value is not a " + alg + " digest."), false
		}
	case alg == "PBKDF2":
		if w.DigestAlgorithm == nil {
			return nil, hashCause("The digestAlgorithm of a PBKDF2 hash is required."), false
		}
		prf := pbkdf2PRFs[*w.DigestAlgorithm]
		if prf == "" {
			return nil, malformed(), false
		}
		switch {
		case w.IterationCount == nil || *w.IterationCount < minPBKDF2Iterations:
			return nil, hashCause("The iterationCount of a PBKDF2 hash must be at least 4096."), false
		case w.Salt == nil || *w.Salt == "":
			return nil, hashCause("The salt of a PBKDF2 hash is required."), false
		}
		salt, ok1 := b64(*w.Salt)
		value, ok2 := b64(*w.Value)
		if !ok1 || !ok2 {
			return nil, hashCause("The salt and value of a PBKDF2 hash must be base64."), false
		}
		if w.KeySize == nil || *w.KeySize != len(value) {
			return nil, hashCause("The keySize of a PBKDF2 hash must be the length of its value in bytes."), false
		}
		h = &passhash.Hash{Algorithm: prf, Iterations: *w.IterationCount, Salt: salt, Value: value}
		if _, err := passhash.Parse(h.Encode()); err != nil {
			// passhash's bounds, which keep the emulator's sign-ins
			// short: Okta's own are Unpublished.
			return nil, hashCause("The PBKDF2 hash's parameters are out of range."), false
		}
	default:
		return nil, malformed(), false
	}
	return h, reply{}, true
}
