// Package migrate moves users between directories: a file format for
// portable users (JSON Lines, documented in docs/MIGRATION.md), Export
// and Import over it, readers for Auth0's and Firebase's exports, and
// Copy, a resumable, idempotent copy from any source into any
// *identity.Directory that names every loss of fidelity.
package migrate

import (
	"context"
	"iter"
	"time"

	"github.com/idport/identity"
)

// Record is one user as the file format holds it, and as a Source yields
// it. Fields a source does not have are zero.
type Record struct {
	// ID is the user's id in the source, the key of the journal.
	ID            string
	Username      string
	Email         string
	EmailVerified bool
	Phone         string
	GivenName     string
	FamilyName    string
	DisplayName   string
	Status        identity.Status
	Metadata      map[string]any
	Roles         []string
	Organizations []Membership
	// PasswordHash is the user's password in package passhash's
	// encoding, or "" when the source has none or cannot give it (then
	// Losses says why).
	PasswordHash identity.PasswordHash
	CreatedAt    time.Time
	LastSignInAt time.Time
	// Losses are what the source could not carry into the Record (a
	// password hash of an algorithm passhash does not know, say); Copy
	// puts them in its report beside its own.
	Losses []Loss
}

// Membership is a user's membership of an organization, which Copy
// finds or creates in the destination by name.
type Membership struct {
	Name  string
	Roles []string
}

// Source yields the users to move.
type Source interface {
	// Records yields every user once, in the same order each time it is
	// called, so that a resumed Copy reads them again from the start and
	// skips what its journal has. An error ends the sequence.
	Records(ctx context.Context) iter.Seq2[*Record, error]
}

// Loss is one thing a copy could not carry over as it was.
type Loss struct {
	// SourceID is the user's id in the source.
	SourceID string
	// Field is a field path ("Status", "Metadata.plan", "PasswordHash",
	// "Roles", "Organizations", ...).
	Field string
	// Reason says what happened instead, in a sentence.
	Reason string
}

// Outcome is what Copy did with one user.
type Outcome string

const (
	// Created: the user was created in the destination.
	Created Outcome = "created"
	// Matched: the destination had the user already (by the matching
	// rule), and nothing needed changing.
	Matched Outcome = "matched"
	// Updated: the destination had the user, and Copy changed it to the
	// source's values (only with Options.Update).
	Updated Outcome = "updated"
	// Skipped: the journal says an earlier run finished this user.
	Skipped Outcome = "skipped"
	// Conflict: an identifier of the user is held in the destination by
	// a different user; nothing was changed.
	Conflict Outcome = "conflict"
	// Failed: the user could not be copied; Result.Reason says why.
	Failed Outcome = "failed"
)
