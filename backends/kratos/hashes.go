package kratos

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/passhash"
)

// The formats below are those Kratos v1.3.1 decodes in
// hash/hash_comparator.go, where they differ from passhash's:
//
//   - argon2id, argon2i, bcrypt and PBKDF2 with SHA-1, SHA-256 or SHA-512
//     are the same strings (PHC, unpadded base64; bcrypt's own).
//   - scrypt is PHC-shaped but its "ln" is N itself, not log2(N), and salt
//     and hash are padded base64: "$scrypt$ln=16384,r=8,p=1$<salt>$<hash>".
//   - a salted digest names where the salt goes with a template, in padded
//     base64, instead of passhash's o=prefix or o=suffix:
//     "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$<salt>$<hash>" for
//     "{SALT}{PASSWORD}". sha1, sha256 and sha512 have no unsalted form,
//     so an unsalted digest is the template "{PASSWORD}" with an empty
//     salt; md5 has one, "$md5$<hash>".
//   - Firebase's scrypt is the string passhash took its form from.
//
// Kratos has no argon2d.

// hashAlgorithms are the passhash algorithms CreateUser imports.
var hashAlgorithms = []string{
	string(passhash.Argon2id), string(passhash.Argon2i), string(passhash.Bcrypt),
	string(passhash.PBKDF2SHA1), string(passhash.PBKDF2SHA256), string(passhash.PBKDF2SHA512),
	string(passhash.Scrypt), string(passhash.SHA1), string(passhash.SHA256), string(passhash.SHA512),
	string(passhash.MD5), string(passhash.FirebaseScrypt),
}

// Kratos's salt templates.
const (
	templatePrefix = "{SALT}{PASSWORD}"
	templateSuffix = "{PASSWORD}{SALT}"
	templateBare   = "{PASSWORD}"
)

var std = base64.StdEncoding.EncodeToString

// kratosHash writes a hash in passhash's encoding as Kratos's
// hashed_password. It returns InvalidArgument for a hash passhash cannot
// parse and Unsupported for an algorithm Kratos does not verify; neither
// error holds the hash.
func kratosHash(encoded identity.PasswordHash) (string, error) {
	h, err := passhash.Parse(string(encoded))
	if err != nil {
		return "", driver.InvalidArgumentError("PasswordHash", "PasswordHash: %v", err)
	}
	switch a := h.Algorithm; {
	case a == passhash.Argon2id, a == passhash.Argon2i, a == passhash.Bcrypt, a.IsPBKDF2(), a == passhash.FirebaseScrypt:
		return h.Encode(), nil
	case a == passhash.Scrypt:
		return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", h.N, h.R, h.P, std(h.Salt), std(h.Value)), nil
	case a == passhash.MD5 && h.SaltOrder == "":
		return "$md5$" + std(h.Value), nil
	case a.IsDigest():
		template := templateBare
		switch h.SaltOrder {
		case passhash.SaltPrefix:
			template = templatePrefix
		case passhash.SaltSuffix:
			template = templateSuffix
		}
		return fmt.Sprintf("$%s$pf=%s$%s$%s", a, std([]byte(template)), std(h.Salt), std(h.Value)), nil
	}
	e := driver.UnsupportedError("PasswordHash")
	e.Message = fmt.Sprintf("Kratos does not verify %s password hashes", h.Algorithm)
	return "", e
}

// kratosFormat matches the formats Kratos knows (hash.IsValidHashFormat),
// capturing the name of each, which is not secret.
var kratosFormat = regexp.MustCompile(`^(?:\$(md5-crypt|2[abzy]?|sha256-crypt|sha512-crypt|argon2id|argon2i|pbkdf2-sha[0-9]{1,3}|scrypt|sha1|sha256|sha512|firescrypt|md5|hmac-(?:md4|md5|sha1|sha224|sha256|sha384|sha512))\$|\{(SSHA(?:256|512)?)\})`)

// cannotExport is the error for a stored hash passhash has no encoding
// for, naming its format and never the hash.
func cannotExport(stored, why string) error {
	e := driver.UnsupportedError("PasswordHash")
	name := "an unknown format"
	if m := kratosFormat.FindStringSubmatch(stored); m != nil {
		name = "a " + m[1] + m[2] + " hash"
	}
	e.Message = "Kratos holds this user's password as " + name + ", which " + why
	return e
}

// passhashOf reads a hashed_password as Kratos stores it into passhash's
// encoding, or returns Unsupported (Field "PasswordHash") for a format or
// parameters that passhash cannot encode: the crypt(3) formats, HMAC,
// PBKDF2 with another digest, a digest with another salt template.
func passhashOf(stored string) (identity.PasswordHash, error) {
	m := kratosFormat.FindStringSubmatch(stored)
	if m == nil {
		return "", cannotExport(stored, "passhash cannot encode")
	}
	var h *passhash.Hash
	var err error
	switch name := m[1] + m[2]; {
	case name == "2a" || name == "2b" || name == "2y", name == "argon2id", name == "argon2i", name == "firescrypt":
		h, err = passhash.Parse(stored)
	case name == "pbkdf2-sha1" || name == "pbkdf2-sha256" || name == "pbkdf2-sha512":
		h, err = fromPBKDF2(passhash.Algorithm(name), stored)
	case name == "scrypt":
		h, err = fromScrypt(stored)
	case name == "sha1" || name == "sha256" || name == "sha512" || name == "md5":
		h, err = fromDigest(passhash.Algorithm(name), stored)
	case strings.HasPrefix(name, "SSHA"):
		h, err = fromSSHA(name, stored)
	default:
		return "", cannotExport(stored, "passhash has no encoding for")
	}
	if err != nil {
		return "", cannotExport(stored, "passhash cannot encode with these parameters")
	}
	// Parse checks what the conversion built: costs within bounds, sizes
	// that fit the algorithm.
	if _, err := passhash.Parse(h.Encode()); err != nil {
		return "", cannotExport(stored, "passhash cannot encode with these parameters")
	}
	return identity.PasswordHash(h.Encode()), nil
}

var errFormat = fmt.Errorf("not in Kratos's format")

// stdStrict and rawStrict decode padded and unpadded base64 as Kratos
// does.
var (
	stdStrict = base64.StdEncoding.Strict().DecodeString
	rawStrict = base64.RawStdEncoding.Strict().DecodeString
)

// fromPBKDF2 reads "$pbkdf2-sha256$i=<iterations>,l=<length>$<salt>$<hash>",
// unpadded. Kratos takes the key length from the hash and ignores l
// (observed: l=99 on a 32-byte hash signs in), so passhash's l is the
// hash's length too.
func fromPBKDF2(alg passhash.Algorithm, stored string) (*passhash.Hash, error) {
	f := strings.Split(stored, "$")
	if len(f) != 5 {
		return nil, errFormat
	}
	var keyLen int
	h := &passhash.Hash{Algorithm: alg}
	if n, err := fmt.Sscanf(f[2], "i=%d,l=%d", &h.Iterations, &keyLen); err != nil || n != 2 {
		return nil, errFormat
	}
	var err error
	if h.Salt, err = rawStrict(f[3]); err != nil {
		return nil, err
	}
	if h.Value, err = rawStrict(f[4]); err != nil {
		return nil, err
	}
	return h, nil
}

// fromScrypt reads "$scrypt$ln=<N>,r=<r>,p=<p>$<salt>$<hash>".
func fromScrypt(stored string) (*passhash.Hash, error) {
	f := strings.Split(stored, "$")
	if len(f) != 5 {
		return nil, errFormat
	}
	h := &passhash.Hash{Algorithm: passhash.Scrypt}
	if n, err := fmt.Sscanf(f[2], "ln=%d,r=%d,p=%d", &h.N, &h.R, &h.P); err != nil || n != 3 {
		return nil, errFormat
	}
	if h.N < 2 || h.N&(h.N-1) != 0 {
		return nil, errFormat // passhash writes log2(N)
	}
	var err error
	if h.Salt, err = stdStrict(f[3]); err != nil {
		return nil, err
	}
	if h.Value, err = stdStrict(f[4]); err != nil {
		return nil, err
	}
	return h, nil
}

// fromDigest reads "$sha256$pf=<template>$<salt>$<hash>" and md5's
// unsalted "$md5$<hash>".
func fromDigest(alg passhash.Algorithm, stored string) (*passhash.Hash, error) {
	f := strings.Split(stored, "$")
	h := &passhash.Hash{Algorithm: alg}
	var err error
	switch {
	case len(f) == 3 && alg == passhash.MD5:
		h.Value, err = stdStrict(f[2])
		return h, err
	case len(f) != 5 || !strings.HasPrefix(f[2], "pf="):
		return nil, errFormat
	}
	template, err := stdStrict(strings.TrimPrefix(f[2], "pf="))
	if err != nil {
		return nil, err
	}
	if h.Salt, err = stdStrict(f[3]); err != nil {
		return nil, err
	}
	if h.Value, err = stdStrict(f[4]); err != nil {
		return nil, err
	}
	switch string(template) {
	case templatePrefix:
		h.SaltOrder = passhash.SaltPrefix
	case templateSuffix:
		h.SaltOrder = passhash.SaltSuffix
	case templateBare:
		h.Salt = nil
	default:
		return nil, errFormat
	}
	if len(h.Salt) == 0 {
		// With no salt, either template is the bare digest.
		h.SaltOrder, h.Salt = "", nil
	}
	return h, nil
}

// fromSSHA reads LDAP's "{SSHA256}base64(digest + salt)": the digest of
// the password and then the salt.
func fromSSHA(name, stored string) (*passhash.Hash, error) {
	alg := map[string]passhash.Algorithm{"SSHA": passhash.SHA1, "SSHA256": passhash.SHA256, "SSHA512": passhash.SHA512}[name]
	size := map[passhash.Algorithm]int{passhash.SHA1: 20, passhash.SHA256: 32, passhash.SHA512: 64}[alg]
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(stored, "{"+name+"}"))
	if err != nil || len(b) <= size {
		return nil, errFormat
	}
	return &passhash.Hash{Algorithm: alg, SaltOrder: passhash.SaltSuffix, Value: b[:size], Salt: b[size:]}, nil
}

// PasswordHash reads the password credential's hashed_password
// (include_credential=password) and writes it in passhash's encoding: ""
// when the identity has none. A hash Kratos keeps in a form passhash has
// no encoding for is Unsupported naming PasswordHash, and so is a
// password the password migration hook holds, which Kratos never sees.
func (d *directory) PasswordHash(ctx context.Context, userID string) (identity.PasswordHash, error) {
	creds, err := d.credentials(ctx, userID, "password")
	if err != nil {
		return "", err
	}
	c, ok := creds["password"]
	if !ok || len(c.Config) == 0 {
		return "", nil
	}
	var cfg struct {
		HashedPassword   string `json:"hashed_password"`
		UseMigrationHook bool   `json:"use_password_migration_hook"`
	}
	if json.Unmarshal(c.Config, &cfg) != nil {
		return "", driver.Errorf(identity.Internal, "Kratos returned a password credential the backend cannot read")
	}
	switch {
	case cfg.HashedPassword != "":
		return passhashOf(cfg.HashedPassword)
	case cfg.UseMigrationHook:
		e := driver.UnsupportedError("PasswordHash")
		e.Message = "the user's password is checked by Kratos's password migration hook, and Kratos holds no hash of it"
		return "", e
	}
	return "", nil
}
