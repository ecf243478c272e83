package migrate

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/passhash"
)

// FromAuth0 returns a Source over an Auth0 export, which it reads once:
// either the NDJSON of Auth0's user export job (format "json": one user
// object per line), or the JSON array that Auth0's bulk user import
// takes, with password_hash or custom_password_hash; a file whose first
// character is '[' is the array. Each user becomes a Record as
// docs/MIGRATION.md's table says: user_id is the ID (a user without one,
// which the import format allows, is "#" and its place in the file),
// blocked is StatusSuspended, name is DisplayName, user_metadata and
// app_metadata are kept whole as the metadata keys of those names
// (app_metadata's "roles", a list of names, becomes Roles instead),
// nickname and picture are metadata keys too. A custom_password_hash
// becomes a passhash hash where passhash has its algorithm (bcrypt,
// argon2, pbkdf2 of sha1, sha256 and sha512, md5, sha1, sha256 and sha512
// salted or not, and ldap's {SHA}, {SSHA}, {SHA256}, {SSHA256},
// {SHA512}, {SSHA512}, {MD5} and {SMD5}, and scrypt), and a Loss naming
// why otherwise. Linked identities, enrolled factors, a verified phone
// and fields this reader does not know are Losses too; a user of the
// export job's database connection without a hash (the export never
// has one) has a Loss saying so.
//
// Its errors are *LineError naming the line of a user that is not an
// object, or has a field of the wrong type, wrapping InvalidArgument;
// r's own errors, wrapped; and FailedPrecondition on a second read.
func FromAuth0(r io.Reader) Source {
	return &auth0Source{streamOnce{r: r}}
}

type auth0Source struct{ streamOnce }

func (s *auth0Source) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		r, release, err := s.take("FromAuth0")
		if err != nil {
			yield(nil, err)
			return
		}
		defer release()
		br := bufio.NewReaderSize(r, 64<<10)
		first, err := firstByte(br)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			yield(nil, fmt.Errorf("migrate: reading the Auth0 file: %w", err))
			return
		}
		var next func() (map[string]json.RawMessage, int, error)
		if first == '[' {
			a := newArrayReader(br)
			if err := a.open(""); err != nil {
				yield(nil, err)
				return
			}
			next = a.next
		} else {
			next = newLineSource(br).next
		}
		for i := 1; ; i++ {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			obj, line, err := next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			rec, err := auth0Record(obj, line, i)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// firstByte peeks at the first byte that is not white space.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != 0xEF && b != 0xBB && b != 0xBF {
			return b, br.UnreadByte()
		}
	}
}

// auth0Ignored are the fields Auth0 keeps of its own bookkeeping, which
// no directory takes and which are not the user's: read, and dropped
// without a loss (docs/MIGRATION.md lists them).
var auth0Ignored = []string{"updated_at", "logins_count", "last_ip", "last_password_reset", "multifactor_last_modified",
	"tenant", "connection", "_id", "_tmp_is_unique", "password_set_date", "email_verified_date"}

func auth0Record(obj map[string]json.RawMessage, line, n int) (*Record, error) {
	f := newFields(line, obj)
	r := &Record{
		ID:            f.str("user_id"),
		Email:         f.str("email"),
		EmailVerified: f.boolean("email_verified"),
		Username:      f.str("username"),
		Phone:         f.str("phone_number"),
		GivenName:     f.str("given_name"),
		FamilyName:    f.str("family_name"),
		DisplayName:   f.str("name"),
		CreatedAt:     f.isoTime("created_at"),
		LastSignInAt:  f.isoTime("last_login"),
	}
	if r.ID == "" {
		r.ID = fmt.Sprintf("#%d", n)
	}
	loss := func(field, format string, args ...any) {
		r.Losses = append(r.Losses, Loss{SourceID: r.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if f.boolean("blocked") {
		r.Status = identity.StatusSuspended
	}
	if f.boolean("phone_verified") {
		loss("PhoneVerified", "Auth0 says the phone is verified; the portable model does not carry that")
	}
	md := map[string]any{}
	if v := f.str("nickname"); v != "" {
		md["nickname"] = v
	}
	if v := f.str("picture"); v != "" {
		md["picture"] = v
	}
	if um := f.object("user_metadata"); len(um) > 0 {
		md["user_metadata"] = um
	}
	if am := f.object("app_metadata"); am != nil {
		takeRoles(r, md, "app_metadata", am)
	}
	if len(md) > 0 {
		r.Metadata = md
	}
	var identities []struct {
		Provider   string `json:"provider"`
		Connection string `json:"connection"`
		UserID     any    `json:"user_id"`
		IsSocial   bool   `json:"isSocial"`
	}
	f.decode("identities", &identities, "a list of identities")
	database := strings.HasPrefix(r.ID, "auth0|")
	for _, id := range identities {
		if id.Provider == "auth0" {
			database = true
			continue
		}
		loss("Identities."+id.Provider, "the user's linked %s account (connection %q) is not carried: the portable API cannot link an identity; the user signs in through it again to link it", id.Provider, id.Connection)
	}
	if f.has("mfa_factors") || f.has("multifactor") {
		loss("Factors", "the user's enrolled second factors are not carried: the portable API cannot enrol one; the user enrols again")
	}
	f.used["mfa_factors"], f.used["multifactor"] = true, true
	r.PasswordHash = auth0Password(f, loss)
	if r.PasswordHash == "" && database && len(identities) > 0 && !f.has("custom_password_hash") {
		loss("PasswordHash", "Auth0's user export holds no password hashes: the password does not move (Auth0 support exports hashes on request, in a file whose passwordHash this reader takes)")
	}
	for _, k := range auth0Ignored {
		f.used[k] = true
	}
	if f.err != nil {
		return nil, f.err
	}
	for _, k := range f.unused() {
		loss("Auth0."+k, "the Auth0 field %q is not carried: the portable model has no place for it", k)
	}
	return r, nil
}

// takeRoles moves a "roles" list of strings out of m, an export's claims
// or app metadata, into r.Roles, and keeps what is left of m, if any,
// under md[key].
func takeRoles(r *Record, md map[string]any, key string, m map[string]any) {
	if roles, ok := stringList(m["roles"]); ok {
		r.Roles = roles
		delete(m, "roles")
	}
	if len(m) > 0 {
		md[key] = m
	}
}

// stringList reports whether v is a JSON list of strings, and returns it.
func stringList(v any) ([]string, bool) {
	xs, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// auth0Hash is custom_password_hash.
type auth0Hash struct {
	Algorithm string `json:"algorithm"`
	Hash      struct {
		Value    string `json:"value"`
		Encoding string `json:"encoding"`
		Digest   string `json:"digest"`
		Key      *struct {
			Value    string `json:"value"`
			Encoding string `json:"encoding"`
		} `json:"key"`
	} `json:"hash"`
	Salt *struct {
		Value    string `json:"value"`
		Encoding string `json:"encoding"`
		Position string `json:"position"`
	} `json:"salt"`
	Password *struct {
		Encoding string `json:"encoding"`
	} `json:"password"`
	KeyLen          int `json:"keylen"`
	Cost            int `json:"cost"`
	BlockSize       int `json:"blockSize"`
	Parallelization int `json:"parallelization"`
}

// auth0Password returns the user's hash in passhash's encoding, from
// password_hash (bcrypt), passwordHash (Auth0 support's export, bcrypt)
// or custom_password_hash, naming the loss where it cannot.
func auth0Password(f *fields, loss func(field, format string, args ...any)) identity.PasswordHash {
	for _, k := range []string{"password_hash", "passwordHash"} {
		if s := f.str(k); s != "" {
			return checked(s, "the "+k+" field", loss)
		}
	}
	if !f.has("custom_password_hash") {
		f.used["custom_password_hash"] = true
		return ""
	}
	var h auth0Hash
	f.decode("custom_password_hash", &h, "a custom_password_hash object")
	if f.err != nil {
		return ""
	}
	enc, why := auth0Encode(&h)
	if why != "" {
		loss("PasswordHash", "the custom_password_hash (%s) cannot be carried: %s; the user is created without a password", h.Algorithm, why)
		return ""
	}
	return checked(enc, "the "+h.Algorithm+" custom_password_hash", loss)
}

// checked returns enc when passhash parses it, and names the loss when
// not; passhash's error never quotes the hash.
func checked(enc, what string, loss func(field, format string, args ...any)) identity.PasswordHash {
	if _, err := passhash.Parse(enc); err != nil {
		loss("PasswordHash", "%s is not a hash package passhash reads (%v); the user is created without a password", what, err)
		return ""
	}
	return identity.PasswordHash(enc)
}

// auth0Encode turns a custom_password_hash into passhash's encoding, or
// says why it cannot.
func auth0Encode(h *auth0Hash) (string, string) {
	if h.Password != nil && h.Password.Encoding != "" && !strings.EqualFold(h.Password.Encoding, "utf8") && !strings.EqualFold(h.Password.Encoding, "utf-8") {
		return "", fmt.Sprintf("the password was hashed in the %s encoding, and passhash hashes UTF-8", h.Password.Encoding)
	}
	switch strings.ToLower(h.Algorithm) {
	case "bcrypt", "argon2":
		// A PHC or bcrypt string, as passhash writes them.
		return h.Hash.Value, ""
	case "pbkdf2":
		// Auth0's PHC string, $pbkdf2-<digest>$i=…,l=…$salt$hash, is
		// passhash's for the digests it has.
		v := h.Hash.Value
		for _, d := range []string{"sha1", "sha256", "sha512"} {
			if strings.HasPrefix(v, "$pbkdf2-"+d+"$") {
				return v, ""
			}
		}
		digest, _, _ := strings.Cut(strings.TrimPrefix(v, "$pbkdf2-"), "$")
		return "", fmt.Sprintf("passhash has PBKDF2 with sha1, sha256 and sha512, not %q", digest)
	case "md5", "sha1", "sha256", "sha512":
		return auth0Digest(h)
	case "ldap":
		return ldapHash(h.Hash.Value)
	case "scrypt":
		return auth0Scrypt(h)
	case "md4":
		return "", "passhash has no MD4"
	case "hmac":
		return "", "passhash has no HMAC digests (the key would have to travel with every hash)"
	}
	return "", fmt.Sprintf("the algorithm %q is not one Auth0 documents", h.Algorithm)
}

var digestSizes = map[string]int{"md5": md5.Size, "sha1": sha1.Size, "sha256": sha256.Size, "sha512": sha512.Size}

func auth0Digest(h *auth0Hash) (string, string) {
	alg := strings.ToLower(h.Algorithm)
	sum, err := decodeAs(h.Hash.Value, h.Hash.Encoding, digestSizes[alg])
	if err != "" {
		return "", "the hash " + err
	}
	raw := base64.RawStdEncoding.EncodeToString
	if h.Salt == nil || h.Salt.Value == "" {
		return fmt.Sprintf("$%s$%s", alg, raw(sum)), ""
	}
	salt, err := decodeAs(h.Salt.Value, orDefault(h.Salt.Encoding, "utf8"), 0)
	if err != "" {
		return "", "the salt " + err
	}
	pos := strings.ToLower(h.Salt.Position)
	if pos != "prefix" && pos != "suffix" {
		return "", "the salt's position is neither prefix nor suffix"
	}
	return fmt.Sprintf("$%s$o=%s$%s$%s", alg, pos, raw(salt), raw(sum)), ""
}

func auth0Scrypt(h *auth0Hash) (string, string) {
	sum, err := decodeAs(h.Hash.Value, h.Hash.Encoding, 0)
	if err != "" {
		return "", "the hash " + err
	}
	if h.Salt == nil || h.Salt.Value == "" {
		return "", "an scrypt hash needs its salt"
	}
	salt, err := decodeAs(h.Salt.Value, orDefault(h.Salt.Encoding, "utf8"), 0)
	if err != "" {
		return "", "the salt " + err
	}
	if h.KeyLen != 0 && h.KeyLen != len(sum) {
		return "", fmt.Sprintf("keylen is %d and the hash %d bytes", h.KeyLen, len(sum))
	}
	n, r, p := orInt(h.Cost, 16384), orInt(h.BlockSize, 8), orInt(h.Parallelization, 1)
	ln := 0
	for 1<<ln < n && ln < 63 {
		ln++
	}
	if 1<<ln != n {
		return "", fmt.Sprintf("the cost %d is not a power of two", n)
	}
	raw := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", ln, r, p, raw(salt), raw(sum)), ""
}

// ldapHash turns an RFC 2307 userPassword value into passhash's
// encoding: {SHA}, {SHA256} and {SHA512} digests, their salted {SSHA…}
// forms (the salt follows the digest, and is hashed after the
// password), and {MD5} and {SMD5}.
func ldapHash(v string) (string, string) {
	scheme, rest, ok := strings.Cut(strings.TrimPrefix(v, "{"), "}")
	if !ok || !strings.HasPrefix(v, "{") {
		return "", "the value is not an LDAP {SCHEME}value"
	}
	scheme = strings.ToUpper(scheme)
	salted := strings.HasPrefix(scheme, "S") && scheme != "SHA" && scheme != "SHA256" && scheme != "SHA512"
	alg := map[string]string{"SHA": "sha1", "SSHA": "sha1", "SHA256": "sha256", "SSHA256": "sha256", "SHA512": "sha512", "SSHA512": "sha512", "MD5": "md5", "SMD5": "md5"}[scheme]
	if alg == "" {
		return "", fmt.Sprintf("passhash has no LDAP {%s}", scheme)
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", "the value after the scheme is not base64"
	}
	size := digestSizes[alg]
	raw := base64.RawStdEncoding.EncodeToString
	switch {
	case !salted && len(b) == size:
		return fmt.Sprintf("$%s$%s", alg, raw(b)), ""
	case salted && len(b) > size:
		return fmt.Sprintf("$%s$o=suffix$%s$%s", alg, raw(b[size:]), raw(b[:size])), ""
	}
	return "", fmt.Sprintf("the value is not as long as a {%s} hash", scheme)
}

// decodeAs decodes s in Auth0's encoding names (hex, base64, utf8), and
// checks its length when size is not 0. Its message never holds s.
func decodeAs(s, enc string, size int) ([]byte, string) {
	var b []byte
	var err error
	switch strings.ToLower(enc) {
	case "hex":
		b, err = hex.DecodeString(s)
	case "base64":
		b, err = decodeBase64(s)
	case "utf8", "utf-8":
		b = []byte(s)
	case "":
		return nil, "has no encoding (hex or base64)"
	default:
		return nil, fmt.Sprintf("has the encoding %q, not hex, base64 or utf8", enc)
	}
	if err != nil {
		return nil, "is not " + strings.ToLower(enc)
	}
	if size != 0 && len(b) != size {
		return nil, fmt.Sprintf("is %d bytes, not the digest's %d", len(b), size)
	}
	return b, ""
}

// decodeBase64 takes the standard and URL alphabets, padded or not, as
// Auth0 does.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func orInt(n, d int) int {
	if n == 0 {
		return d
	}
	return n
}
