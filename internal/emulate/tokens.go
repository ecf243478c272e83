package emulate

import "sync"

// Tokens is the set of access tokens an emulator has issued, each with
// what the emulator keeps about it (its expiry, its scopes...). Its zero
// value is empty and ready; it is safe for concurrent use.
type Tokens[T any] struct {
	mu     sync.Mutex
	issued map[string]T
	count  int
}

// Issue records a new token.
func (ts *Tokens[T]) Issue(tok string, v T) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.issued == nil {
		ts.issued = map[string]T{}
	}
	ts.issued[tok] = v
	ts.count++
}

// Lookup returns what was recorded with tok, and whether it is still
// held (issued and neither revoked nor forgotten).
func (ts *Tokens[T]) Lookup(tok string) (T, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	v, ok := ts.issued[tok]
	return v, ok
}

// Forget drops one token, as when it is found expired.
func (ts *Tokens[T]) Forget(tok string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	delete(ts.issued, tok)
}

// RevokeAll drops every token issued so far; Issued still counts them.
func (ts *Tokens[T]) RevokeAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	clear(ts.issued)
}

// Issued returns how many tokens were issued, revoked ones included.
func (ts *Tokens[T]) Issued() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.count
}
