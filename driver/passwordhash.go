package driver

import (
	"context"
	"fmt"
	"log/slog"
)

// PasswordHash is a password as another system stored it, in the encoding
// package passhash documents: a PHC string such as
// "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>", bcrypt's own
// "$2b$10$…", or the PHC-shaped forms passhash gives salted digests,
// PBKDF2, scrypt and Firebase's modified scrypt. A NewUser carrying one
// is created with the password it encodes, never knowing it.
//
// Like [Secret], a PasswordHash never shows its value when formatted,
// logged or marshalled: a hash is enough to mount an offline attack on
// the password. Convert it with string(h) at the one place it is needed.
type PasswordHash string

// String returns a fixed placeholder, never the value.
func (h PasswordHash) String() string { return redacted }

// GoString returns a fixed placeholder, never the value.
func (h PasswordHash) GoString() string { return redacted }

// Format writes a fixed placeholder for every verb.
func (h PasswordHash) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue keeps the value out of log/slog output.
func (h PasswordHash) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes the placeholder; the export format writes hashes
// with string(h) on purpose, never through a struct's marshalling.
func (h PasswordHash) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText writes the placeholder.
func (h PasswordHash) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// PasswordHashes is the optional group that hands out a user's stored
// password hash, for moving the user to another directory with the
// password it has. It is called only when Capabilities().ExportPasswordHash
// is set.
type PasswordHashes interface {
	// PasswordHash returns the user's password hash in passhash's
	// encoding, or "" when the user has no password. Errors: NotFound;
	// Unsupported (Field "PasswordHash") when the provider keeps the
	// hash in a form passhash cannot encode.
	PasswordHash(ctx context.Context, userID string) (PasswordHash, error)
}
