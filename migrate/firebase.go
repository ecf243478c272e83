package migrate

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/passhash"
)

// FirebaseParams are a Firebase project's password hash parameters, as
// the console shows them (Authentication › Users, the menu above the
// list, "Password hash parameters"): the signer key and salt separator
// decoded from their base64, the rounds and the memory cost. They are
// as sensitive as the hashes: a FirebaseParams prints its keys as a
// placeholder.
type FirebaseParams struct {
	SignerKey     []byte // base64_signer_key, decoded
	SaltSeparator []byte // base64_salt_separator, decoded
	Rounds        int    // rounds: scrypt's r
	MemCost       int    // mem_cost: log2 of scrypt's N
}

// IsZero reports whether no parameter is set.
func (p FirebaseParams) IsZero() bool {
	return len(p.SignerKey) == 0 && len(p.SaltSeparator) == 0 && p.Rounds == 0 && p.MemCost == 0
}

// String prints the rounds and memory cost, and the keys as a
// placeholder.
func (p FirebaseParams) String() string {
	shown := func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		return "[REDACTED]"
	}
	return fmt.Sprintf("{SignerKey:%s SaltSeparator:%s Rounds:%d MemCost:%d}", shown(p.SignerKey), shown(p.SaltSeparator), p.Rounds, p.MemCost)
}

// GoString prints what String prints.
func (p FirebaseParams) GoString() string { return "migrate.FirebaseParams" + p.String() }

// Format prints what String prints, for every verb.
func (p FirebaseParams) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// check refuses parameters that are neither all given nor all absent.
func (p FirebaseParams) check() error {
	if p.IsZero() {
		return nil
	}
	switch {
	case len(p.SignerKey) == 0:
		return invalid("FirebaseParams.SignerKey", "FirebaseParams needs the SignerKey with the other parameters")
	case p.Rounds < 1 || p.Rounds > 64:
		return invalid("FirebaseParams.Rounds", "FirebaseParams.Rounds is %d; Firebase's rounds are 1 to 8", p.Rounds)
	case p.MemCost < 1 || p.MemCost > 22:
		return invalid("FirebaseParams.MemCost", "FirebaseParams.MemCost is %d; Firebase's memory cost is 1 to 14", p.MemCost)
	}
	return nil
}

// FromFirebase returns a Source over the JSON of `firebase auth:export
// --format=json` (an object whose "users" array holds the users), which
// it reads once. Each user becomes a Record as docs/MIGRATION.md's table
// says: localId is the ID, disabled is StatusSuspended, displayName is
// DisplayName, createdAt and lastSignedInAt are the times, the custom
// claims (customAttributes) are kept whole as the metadata key
// "custom_claims" (its "roles", a list of names, becomes Roles instead),
// and photoUrl is the metadata key "photo_url".
//
// A passwordHash and salt become a passhash FirebaseScrypt hash with p's
// parameters: Firebase's modified scrypt cannot be verified without the
// project's signer key, salt separator, rounds and memory cost, which
// the export does not hold. With zero params, each user with a password
// is created without one, and a Loss says why; a user whose hash does
// not fit p (it is not as long as the signer key) has a Loss too.
// Linked accounts (providerUserInfo) and second factors (mfaInfo) are
// Losses, and so are fields this reader does not know. The export holds
// no hash for a user whose password Firebase keeps in another algorithm
// (one imported with its own hash): such a user comes without a password,
// and nothing in the file says it had one.
//
// Its errors are InvalidArgument for params given in part (before any
// user), *LineError naming the line of a user that is not an object, or
// has a field of the wrong type, or of a file without the users array,
// wrapping InvalidArgument; r's own errors, wrapped; and
// FailedPrecondition on a second read.
func FromFirebase(r io.Reader, p FirebaseParams) Source {
	return &firebaseSource{streamOnce: streamOnce{r: r}, p: p}
}

type firebaseSource struct {
	streamOnce
	p FirebaseParams
}

func (s *firebaseSource) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		r, release, err := s.take("FromFirebase")
		if err != nil {
			yield(nil, err)
			return
		}
		defer release()
		if err := s.p.check(); err != nil {
			yield(nil, err)
			return
		}
		a := newArrayReader(bufio.NewReaderSize(r, 64<<10))
		if err := a.open("users"); err != nil {
			yield(nil, err)
			return
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			obj, line, err := a.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			rec, err := firebaseRecord(obj, line, s.p)
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

// firebaseIgnored are Firebase's own bookkeeping: read, and dropped
// without a loss.
var firebaseIgnored = []string{"passwordUpdatedAt", "validSince", "lastRefreshAt", "version", "emailLinkSignin", "tenantId", "lastLoginAt"}

func firebaseRecord(obj map[string]json.RawMessage, line int, p FirebaseParams) (*Record, error) {
	f := newFields(line, obj)
	r := &Record{
		ID:            f.str("localId"),
		Email:         f.str("email"),
		EmailVerified: f.boolean("emailVerified"),
		DisplayName:   f.str("displayName"),
		Phone:         f.str("phoneNumber"),
		CreatedAt:     f.millis("createdAt"),
		LastSignInAt:  f.millis("lastSignedInAt"),
	}
	if r.LastSignInAt.IsZero() {
		// The identity toolkit's own name, where the file is its answer
		// rather than the CLI's.
		r.LastSignInAt = f.millis("lastLoginAt")
	}
	if f.err == nil && r.ID == "" {
		return nil, lineError(line, "localId", "a user has no localId")
	}
	loss := func(field, format string, args ...any) {
		r.Losses = append(r.Losses, Loss{SourceID: r.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if f.boolean("disabled") {
		r.Status = identity.StatusSuspended
	}
	md := map[string]any{}
	if v := f.str("photoUrl"); v != "" {
		md["photo_url"] = v
	}
	if s := f.str("customAttributes"); s != "" {
		var claims map[string]any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&claims); err != nil || claims == nil {
			loss("Metadata.custom_claims", "customAttributes is not a JSON object; the custom claims are not carried")
		} else {
			takeRoles(r, md, "custom_claims", numbersToFloat(claims).(map[string]any))
		}
	}
	if len(md) > 0 {
		r.Metadata = md
	}
	var providers []struct {
		ProviderID string `json:"providerId"`
		RawID      string `json:"rawId"`
	}
	f.decode("providerUserInfo", &providers, "a list of providers")
	for _, pi := range providers {
		if pi.ProviderID == "password" || pi.ProviderID == "phone" {
			continue
		}
		loss("Identities."+pi.ProviderID, "the user's linked %s account is not carried: the portable API cannot link an identity; the user signs in through it again to link it", pi.ProviderID)
	}
	if f.has("mfaInfo") {
		loss("Factors", "the user's enrolled second factors are not carried: the portable API cannot enrol one; the user enrols again")
	}
	f.used["mfaInfo"] = true
	r.PasswordHash = firebasePassword(f, p, loss)
	for _, k := range firebaseIgnored {
		f.used[k] = true
	}
	if f.err != nil {
		return nil, f.err
	}
	for _, k := range f.unused() {
		loss("Firebase."+k, "the Firebase field %q is not carried: the portable model has no place for it", k)
	}
	return r, nil
}

// firebasePassword returns the user's hash as a passhash FirebaseScrypt
// hash, naming the loss where it cannot.
func firebasePassword(f *fields, p FirebaseParams, loss func(field, format string, args ...any)) identity.PasswordHash {
	hash, salt := f.str("passwordHash"), f.str("salt")
	if hash == "" || f.err != nil {
		return ""
	}
	if p.IsZero() {
		loss("PasswordHash", "Firebase's modified scrypt needs the project's password hash parameters (FirebaseParams: signer key, salt separator, rounds, memory cost), which were not given: the user is created without a password")
		return ""
	}
	value, err1 := decodeBase64(hash)
	saltBytes, err2 := decodeBase64(salt)
	if err1 != nil || err2 != nil {
		loss("PasswordHash", "the passwordHash or salt is not base64 (an export of the Firebase emulator's, say): the user is created without a password")
		return ""
	}
	h := &passhash.Hash{Algorithm: passhash.FirebaseScrypt, N: 1 << p.MemCost, R: p.Rounds, P: 1,
		Salt: saltBytes, Value: value, SaltSeparator: p.SaltSeparator, SignerKey: p.SignerKey}
	enc := h.Encode()
	if _, err := passhash.Parse(enc); err != nil {
		loss("PasswordHash", "the hash does not fit the parameters given (%v): are they this project's? The user is created without a password", err)
		return ""
	}
	return identity.PasswordHash(enc)
}
