// Package migrate moves users between directories: a file format for
// portable users (JSON Lines, documented in docs/MIGRATION.md), Export
// and Import over it, readers for Auth0's and Firebase's exports, and
// Copy, a resumable, idempotent copy from any source into any
// *identity.Directory that names every loss of fidelity.
//
// # Matching
//
// Copy looks for each source user in the destination before creating
// it, so that a rerun, or a copy into a directory that already has some
// of the users, makes no duplicate. The rule, in order:
//
//  1. by username, with GetUserByUsername, where the destination has
//     usernames and the record has one;
//  2. by email, with GetUserByEmail, where the record has one;
//  3. by phone: the portable API has no lookup by phone, so a user is
//     never found by its phone; a create the destination refuses with
//     AlreadyExists on the phone is reported as a Conflict saying so.
//
// A user found this way is Matched when every identifier present on both
// sides (username, email ignoring case, phone) agrees. When the username
// finds one user and the email another, or an identifier disagrees, the
// user is a Conflict, reported with the identifier at fault, and nothing
// is changed unless Options.Overwrite.
//
// # The journal
//
// With Options.Journal, Copy appends one JSON line per finished user to
// the journal (the source id, the destination id and the outcome), and
// one line before each create saying it is about to create the user.
// A rerun reads the journal, skips the users whose last outcome was
// created, matched or updated, and retries conflicts and failures. A
// user the journal says Copy was creating is Copy's own when the rerun
// finds it: its roles, organizations and status are finished, never
// created twice. The journal is written as each line is known, and
// synced to disk at the end and when the context is cancelled; a torn
// last line left by a crash is ignored.
//
// # Losses
//
// Copy compares each record with the destination's Capabilities and
// names, in Report.Losses, everything it could not carry over as it was:
// a status the destination lacks, fields it does not store, metadata
// values it refuses, an unverified email (NewUser cannot set
// EmailVerified), a password hash of an algorithm it does not import,
// roles and organizations it does not have, and the creation and
// last-sign-in times, which no portable call sets (one loss per user
// created, Field "CreatedAt", or "LastSignInAt" when the source has only
// that). A Source's own losses (a password its provider cannot export)
// are reported beside them. Nothing is dropped without a Loss or a
// Result saying so.
//
// # Secrets
//
// A Record's PasswordHash is an identity.PasswordHash, which formats,
// logs and marshals as a placeholder; only Export writes it, on purpose.
// No error, Result.Reason or Loss this package makes quotes a hash.
package migrate

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/idport/identity"
)

// Record is one user as the file format holds it, and as a Source yields
// it. Fields a source does not have are zero.
type Record struct {
	// ID is the user's id in the source, the key of the journal. Copy
	// fails a record without one.
	ID            string
	Username      string
	Email         string
	EmailVerified bool
	Phone         string
	GivenName     string
	FamilyName    string
	DisplayName   string
	// Status is the user's status in the source; empty means active.
	Status   identity.Status
	Metadata map[string]any
	// Roles are the user's global roles by name. Nil means the source
	// does not say (Copy then leaves the destination's roles alone); an
	// empty, non-nil slice means the user has none.
	Roles []string
	// Organizations are the user's memberships, with nil and empty as
	// for Roles.
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

// Format prints r's fields, its password hash as a placeholder, for
// every verb and at any depth: fmt does not call the hash's own Format
// inside a pointer it prints with a verb it refuses (%s of a
// []*Record), so the Record keeps its hash out itself.
func (r Record) Format(f fmt.State, verb rune) {
	// Record, here, has the fields and none of the methods, so that %#v
	// still names migrate.Record.
	type Record struct {
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
		PasswordHash  string
		CreatedAt     time.Time
		LastSignInAt  time.Time
		Losses        []Loss
	}
	hash := ""
	if r.PasswordHash != "" {
		hash = "[REDACTED]"
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Record{
		ID: r.ID, Username: r.Username, Email: r.Email, EmailVerified: r.EmailVerified, Phone: r.Phone,
		GivenName: r.GivenName, FamilyName: r.FamilyName, DisplayName: r.DisplayName, Status: r.Status,
		Metadata: r.Metadata, Roles: r.Roles, Organizations: r.Organizations, PasswordHash: hash,
		CreatedAt: r.CreatedAt, LastSignInAt: r.LastSignInAt, Losses: r.Losses,
	})
}

// Membership is a user's membership of an organization, which Copy
// finds or creates in the destination by name.
type Membership struct {
	Name string
	// Roles are the user's roles inside the organization; nil or empty
	// means none.
	Roles []string
}

// Source yields the users to move.
type Source interface {
	// Records yields every user once, in the same order each time it is
	// called, so that a resumed Copy reads them again from the start and
	// skips what its journal has. An error ends the sequence. A source
	// over a stream (NewReader, FromAuth0, FromFirebase) can be read
	// once: a second call yields FailedPrecondition.
	Records(ctx context.Context) iter.Seq2[*Record, error]
}

// Catalogue is what a source knows of the roles and organizations its
// users refer to, beyond their names: descriptions, organizations'
// metadata, organization roles' permissions, and those no user holds.
type Catalogue struct {
	Roles             []identity.Role
	Organizations     []identity.NewOrganization
	OrganizationRoles []identity.OrganizationRole
}

// CatalogueSource is a Source that also has a Catalogue. Copy creates
// what it lists in the destination before the users, where the
// destination lacks them; without it, Copy creates roles and
// organizations by name as users need them. FromDirectory and NewReader
// implement it.
type CatalogueSource interface {
	Source
	// Catalogue returns the source's catalogue. It is called before
	// Records.
	Catalogue(ctx context.Context) (*Catalogue, error)
}

// Counter is a Source that knows how many records it holds, for
// Progress.Total.
type Counter interface {
	Source
	// Count returns the number of records Records yields.
	Count(ctx context.Context) (int, error)
}

// Loss is one thing a copy could not carry over as it was.
type Loss struct {
	// SourceID is the user's id in the source, or "" for a loss of the
	// catalogue (a role's description, an organization's metadata).
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
	// rule), and nothing was changed; where the destination's user
	// differs from the source's, Losses says how.
	Matched Outcome = "matched"
	// Updated: the destination had the user, and Copy changed it to the
	// source's values (only with Options.Update or Options.Overwrite).
	Updated Outcome = "updated"
	// Skipped: the journal says an earlier run finished this user.
	Skipped Outcome = "skipped"
	// Conflict: an identifier of the user is held in the destination by
	// a different user; nothing was changed.
	Conflict Outcome = "conflict"
	// Failed: the user could not be copied; Result.Reason says why.
	Failed Outcome = "failed"
)

// terminal reports whether a rerun skips a user that ended with o.
func (o Outcome) terminal() bool { return o == Created || o == Matched || o == Updated }

// Options configures Copy and Import.
type Options struct {
	// Journal is the path of the journal (JSON Lines: source id,
	// destination id, outcome), created if missing and appended to; ""
	// keeps none.
	Journal string
	// Concurrency is the number of users in flight; 0 means 4.
	Concurrency int
	// DryRun reads only: nothing is created or changed, no journal is
	// written, and the Report says what would happen.
	DryRun bool
	// Update: a matched user whose fields, status, roles or memberships
	// differ is updated to the source's.
	Update bool
	// Overwrite: a conflict is resolved by updating the user holding the
	// first matching identifier (username, then email) to the source's
	// values, identifiers included.
	Overwrite bool
	// Progress, when set, is called after each user, never concurrently.
	Progress func(Progress)
	// Retries bounds how many times Copy retries a user whose calls end
	// RateLimited or Unavailable, after the error's RetryAfter or a
	// backoff; 0 means 5, and a negative value none.
	Retries int
}

// Progress is a running count, handed to Options.Progress.
type Progress struct {
	// Done is the number of users finished, Total the number the source
	// holds, or -1 when it cannot say.
	Done, Total                                           int
	Created, Matched, Updated, Skipped, Conflicts, Failed int
	Elapsed                                               time.Duration
}

// Report is what Copy did, or in a dry run would do.
type Report struct {
	DryRun                                                bool
	Created, Matched, Updated, Skipped, Conflicts, Failed int
	// Results has one entry per user seen, in the source's order.
	Results []Result
	// Losses has every loss of fidelity, per user and field: the
	// catalogue's first, then the users' in the source's order.
	Losses []Loss
	// Made lists the roles, organizations and organization roles Copy
	// created in the destination (in a dry run, would create).
	Made []Made
}

// Result is what happened to one user.
type Result struct {
	SourceID      string
	DestinationID string // "" when there is none (a conflict, a dry-run create)
	Outcome       Outcome
	// Reason says why, for a conflict or a failure, and what changed,
	// for an update. It never holds a secret.
	Reason string
}

// Made is one role, organization or organization role Copy created.
type Made struct {
	// Kind is "role", "organization" or "organization role".
	Kind string
	Name string
}

// ExportReport is what Export wrote.
type ExportReport struct {
	// Users is the number of user lines written.
	Users int
	// Losses are the source's losses for the users written (a password
	// hash it cannot export, say); the file carries them too, so that
	// Import reports them again.
	Losses []Loss
}

// FromRecords returns a Source over rs, in their order, which can be read
// any number of times. It implements Counter. A nil record is yielded as
// it is, and Copy fails it.
func FromRecords(rs ...*Record) Source { return records(rs) }

type records []*Record

func (rs records) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for _, r := range rs {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (rs records) Count(context.Context) (int, error) { return len(rs), nil }
