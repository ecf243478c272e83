package memory

import (
	"context"
	"crypto/rand"

	"golang.org/x/crypto/argon2"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/passhash"
)

// HashParams are argon2id's cost parameters.
type HashParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8
}

// DefaultHashParams follow OWASP's minimum recommendation for argon2id
// (19 MiB, 2 passes, 1 thread).
var DefaultHashParams = HashParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

func (p HashParams) orDefault() HashParams {
	if p.Time == 0 {
		p.Time = DefaultHashParams.Time
	}
	if p.MemoryKiB == 0 {
		p.MemoryKiB = DefaultHashParams.MemoryKiB
	}
	if p.Threads == 0 {
		p.Threads = DefaultHashParams.Threads
	}
	return p
}

// hashPassword makes the argon2id hash the store keeps for a password it
// sets. The hash carries its parameters, so that changing Options later
// does not invalidate stored hashes, and it is the same type as an
// imported one, so that checking a password is one path for both.
func hashPassword(p HashParams, password string) *passhash.Hash {
	h := &passhash.Hash{Algorithm: passhash.Argon2id, Version: argon2.Version,
		Memory: p.MemoryKiB, Time: p.Time, Threads: p.Threads, Salt: make([]byte, 16)}
	_, _ = rand.Read(h.Salt) // crypto/rand.Read never fails (Go 1.24+)
	h.Value = argon2.IDKey([]byte(password), h.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return h
}

// importHash parses a NewUser's PasswordHash. The portable layer has
// checked it already; a direct caller of the driver gets InvalidArgument
// naming the field, without the hash.
func importHash(encoded identity.PasswordHash) (*passhash.Hash, error) {
	h, err := passhash.Parse(string(encoded))
	if err != nil {
		return nil, driver.InvalidArgumentError("PasswordHash", "PasswordHash: %v", err)
	}
	return h, nil
}

// hashAlgorithms are the algorithms CreateUser imports: every one
// passhash verifies.
func hashAlgorithms() []string {
	var out []string
	for _, a := range passhash.Algorithms() {
		out = append(out, string(a))
	}
	return out
}

// PasswordHash returns the user's hash as the store keeps it: its own
// argon2id, or the one imported at creation until the next SetPassword.
func (s *store) PasswordHash(_ context.Context, userID string) (identity.PasswordHash, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.userFor(userID)
	if err != nil {
		return "", err
	}
	if r.password == nil {
		return "", nil
	}
	return identity.PasswordHash(r.password.Encode()), nil
}
