package memory

import (
	"crypto/rand"
	"crypto/subtle"

	"golang.org/x/crypto/argon2"
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

// passwordHash keeps its parameters, so that changing Options later does
// not invalidate stored hashes.
type passwordHash struct {
	params HashParams
	salt   [16]byte
	sum    []byte
}

func hashPassword(p HashParams, password string) *passwordHash {
	h := &passwordHash{params: p}
	_, _ = rand.Read(h.salt[:]) // crypto/rand.Read never fails (Go 1.24+)
	h.sum = argon2.IDKey([]byte(password), h.salt[:], p.Time, p.MemoryKiB, p.Threads, 32)
	return h
}

func (h *passwordHash) matches(password string) bool {
	sum := argon2.IDKey([]byte(password), h.salt[:], h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.sum)))
	return subtle.ConstantTimeCompare(sum, h.sum) == 1
}
