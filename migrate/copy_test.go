package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/migrate"
)

var bg = context.Background()

// users fills dir with n users, each with a role and an organization,
// every third one suspended.
func users(t *testing.T, dir *identity.Directory, n int) {
	t.Helper()
	_, err := dir.CreateRole(bg, identity.Role{Name: "reader"})
	require.NoError(t, err)
	org, err := dir.CreateOrganization(bg, identity.NewOrganization{Name: "Acme"})
	require.NoError(t, err)
	_, err = dir.CreateOrganizationRole(bg, identity.OrganizationRole{Name: "member"})
	require.NoError(t, err)
	for i := range n {
		u, err := dir.CreateUser(bg, identity.NewUser{Email: fmt.Sprintf("user%03d@example.com", i), GivenName: fmt.Sprint("User ", i)})
		require.NoError(t, err)
		require.NoError(t, dir.AssignRole(bg, u.ID, "reader"))
		require.NoError(t, dir.AddMembers(bg, org.ID, u.ID))
		require.NoError(t, dir.SetMemberRoles(bg, org.ID, u.ID, "member"))
		if i%3 == 0 {
			require.NoError(t, dir.SuspendUser(bg, u.ID))
		}
	}
}

func journalPath(t *testing.T) string { return filepath.Join(t.TempDir(), "journal.jsonl") }

// TestResumeAfterCancel cancels a copy part way, then runs it again with
// the same journal: the rerun skips what the first run finished, finishes
// what it left in flight, and the destination ends equal to the source,
// without a duplicate.
func TestResumeAfterCancel(t *testing.T) {
	src, inner := newMemory(t), newMemory(t)
	users(t, src, 40)
	f, dst := newFaulty(t, inner)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	f.after = func(op string, n int) {
		if op == "CreateUser" && n == 15 {
			cancel()
		}
	}
	journal := journalPath(t)
	first, err := migrate.Copy(ctx, src, dst, migrate.Options{Journal: journal, Concurrency: 4})
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, first.Created, 40)
	assert.Less(t, len(first.Results), 40, "no user is started once the context is cancelled")

	f.after = nil
	second, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journal})
	require.NoError(t, err)
	assert.Equal(t, first.Created, second.Skipped, "what the first run finished is skipped")
	assert.Equal(t, 40, second.Skipped+second.Created, "%+v", second.Results)
	assert.Zero(t, second.Failed+second.Conflicts+second.Matched)
	assert.Equal(t, 40, f.succeeded("CreateUser"), "one create per user over both runs")
	assert.Equal(t, snap(t, src).Users, snap(t, inner).Users)
}

// TestCrashBetweenCreateAndJournal starts from what a crash right after a
// create leaves: the user in the destination, half made (active, without
// its roles or organization), and a journal whose last line says Copy
// was creating it, followed by a torn line. The rerun finishes that user
// as its own, without a duplicate; without a journal, matching still
// finds it, and the report names what differs.
func TestCrashBetweenCreateAndJournal(t *testing.T) {
	src := newMemory(t)
	users(t, src, 1)
	u, err := src.GetUserByEmail(bg, "user000@example.com")
	require.NoError(t, err)
	halfMade := func(t *testing.T) *identity.Directory {
		dst := newMemory(t)
		_, err := dst.CreateUser(bg, identity.NewUser{Email: u.Email, GivenName: u.GivenName})
		require.NoError(t, err)
		return dst
	}

	t.Run("journal", func(t *testing.T) {
		dst := halfMade(t)
		journal := journalPath(t)
		torn := fmt.Sprintf(`{"source_id":%q,"outcome":"creating","time":"2025-01-01T00:00:00Z"}`+"\n"+`{"source_id":%q,"desti`, u.ID, u.ID)
		require.NoError(t, os.WriteFile(journal, []byte(torn), 0o600))
		rep, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journal})
		require.NoError(t, err)
		assert.Equal(t, migrate.Created, result(t, rep, u.ID).Outcome, "%+v", rep.Results)
		assert.Equal(t, snap(t, src).Users, snap(t, dst).Users, "finished: suspended, with its role and membership")

		again, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journal})
		require.NoError(t, err)
		assert.Equal(t, 1, again.Skipped, "the torn line was cut off: the journal reads again")
	})
	t.Run("no journal", func(t *testing.T) {
		dst := halfMade(t)
		rep, err := migrate.Copy(bg, src, dst, migrate.Options{})
		require.NoError(t, err)
		assert.Equal(t, migrate.Matched, result(t, rep, u.ID).Outcome)
		assert.Equal(t, 1, snap(t, dst).UserCount, "no duplicate")
		assert.Subset(t, lossFields(rep, u.ID), []string{"Organizations.Acme", "Roles", "Status"})
	})
}

// TestHalfCopiedUserIsFinished fails a user's roles after its create: the
// user is Failed with the reason, and a rerun with the journal finishes
// it rather than making it again.
func TestHalfCopiedUserIsFinished(t *testing.T) {
	src, inner := newMemory(t), newMemory(t)
	users(t, src, 1)
	f, dst := newFaulty(t, inner)
	f.fail = func(op string, _ int) error {
		if op == "SetRoles" {
			return &identity.Error{Code: identity.Unavailable, Message: "the provider is down", RetryAfter: time.Millisecond}
		}
		return nil
	}
	journal := journalPath(t)
	rep, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journal, Retries: 2})
	require.NoError(t, err, "no Unavailable reaches the caller")
	require.Len(t, rep.Results, 1)
	assert.Equal(t, migrate.Failed, rep.Results[0].Outcome)
	assert.Contains(t, rep.Results[0].Reason, "the provider is down")
	assert.Equal(t, 3, f.count("SetRoles"), "tried, then retried twice")

	f.fail = nil
	rep, err = migrate.Copy(bg, src, dst, migrate.Options{Journal: journal})
	require.NoError(t, err)
	assert.Equal(t, migrate.Created, rep.Results[0].Outcome, "%+v", rep.Results)
	assert.Equal(t, 1, f.succeeded("CreateUser"))
	assert.Equal(t, snap(t, src).Users, snap(t, inner).Users)
}

// TestRetries: calls that end RateLimited or Unavailable are retried
// after RetryAfter, and a create whose answer was lost after the
// destination made the user is found by the retry, not made twice.
func TestRetries(t *testing.T) {
	tests := []struct {
		name  string
		fail  func(op string, n int) error
		spoil func(op string, n int) error
	}{
		{name: "rate limited create", fail: func(op string, n int) error {
			if op == "CreateUser" && n <= 3 {
				return &identity.Error{Code: identity.RateLimited, HTTPStatus: 429, RetryAfter: time.Millisecond}
			}
			return nil
		}},
		{name: "unavailable roles", fail: func(op string, n int) error {
			if op == "SetRoles" && n <= 2 {
				return &identity.Error{Code: identity.Unavailable, RetryAfter: time.Millisecond}
			}
			return nil
		}},
		{name: "create lost after it was made", spoil: func(op string, n int) error {
			if op == "CreateUser" && n == 1 {
				return &identity.Error{Code: identity.Unavailable, RetryAfter: time.Millisecond, Message: "the user may or may not exist"}
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, inner := newMemory(t), newMemory(t)
			users(t, src, 3)
			f, dst := newFaulty(t, inner)
			f.fail, f.spoil = tt.fail, tt.spoil
			rep, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journalPath(t)})
			require.NoError(t, err)
			assert.Equal(t, 3, rep.Created, "%+v", rep.Results)
			assert.Equal(t, snap(t, src).Users, snap(t, inner).Users)
		})
	}
}

// TestFatalErrorStopsTheCopy: credentials the destination refuses end
// the copy: the error is returned, and no more users are started.
func TestFatalErrorStopsTheCopy(t *testing.T) {
	src, inner := newMemory(t), newMemory(t)
	users(t, src, 30)
	f, dst := newFaulty(t, inner)
	f.fail = func(op string, _ int) error {
		if op == "CreateUser" {
			return &identity.Error{Code: identity.Unauthenticated, HTTPStatus: 401, Message: "the API token was refused"}
		}
		return nil
	}
	rep, err := migrate.Copy(bg, src, dst, migrate.Options{Concurrency: 2})
	require.ErrorIs(t, err, identity.ErrUnauthenticated)
	assert.Less(t, f.count("CreateUser"), 10)
	assert.Equal(t, rep.Failed, len(rep.Results))
}

// TestConflicts: an identifier held by another user is a Conflict,
// reported with the identifier, changing nothing, unless Overwrite.
func TestConflicts(t *testing.T) {
	tests := []struct {
		name      string
		existing  []identity.NewUser
		rec       migrate.Record
		reason    string
		overwrite migrate.Outcome
	}{
		{
			name:      "the username's user has another email",
			existing:  []identity.NewUser{{Username: "ada", Email: "other@example.com"}},
			rec:       migrate.Record{ID: "s1", Username: "ada", Email: "ada@example.com", GivenName: "Ada"},
			reason:    "found by username, has another email",
			overwrite: migrate.Updated,
		},
		{
			name:      "the username and the email find two users",
			existing:  []identity.NewUser{{Username: "ada", Email: "a1@example.com"}, {Username: "lovelace", Email: "ada@example.com"}},
			rec:       migrate.Record{ID: "s1", Username: "ada", Email: "ada@example.com"},
			reason:    "the username is held by the destination's user",
			overwrite: migrate.Conflict, // the email stays held by the other user
		},
		{
			name:      "the phone is held",
			existing:  []identity.NewUser{{Email: "someone@example.com", Phone: "+14155550100"}},
			rec:       migrate.Record{ID: "s1", Email: "ada@example.com", Phone: "+14155550100"},
			reason:    "no lookup by phone",
			overwrite: migrate.Conflict,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, overwrite := range []bool{false, true} {
				dst := newMemory(t)
				for _, nu := range tt.existing {
					_, err := dst.CreateUser(bg, nu)
					require.NoError(t, err)
				}
				before := snap(t, dst)
				rec := tt.rec
				rep, err := migrate.CopyFrom(bg, migrate.FromRecords(&rec), dst, migrate.Options{Overwrite: overwrite})
				require.NoError(t, err)
				r := result(t, rep, "s1")
				if !overwrite {
					assert.Equal(t, migrate.Conflict, r.Outcome)
					assert.Contains(t, r.Reason, tt.reason)
					assert.Equal(t, before, snap(t, dst), "a conflict changes nothing")
					assert.Equal(t, 1, rep.Conflicts)
					continue
				}
				assert.Equal(t, tt.overwrite, r.Outcome, "%+v", r)
				if tt.overwrite == migrate.Updated {
					u, err := dst.GetUserByUsername(bg, "ada")
					require.NoError(t, err)
					assert.Equal(t, "ada@example.com", u.Email)
					assert.Equal(t, "Ada", u.GivenName)
					assert.Equal(t, 1, snap(t, dst).UserCount)
				}
			}
		})
	}
}

// TestMatchedAndUpdate: a user already in the destination is Matched,
// its differences named and left; with Update it is brought to the
// source's values, and the keys and fields the source does not have are
// kept.
func TestMatchedAndUpdate(t *testing.T) {
	for _, update := range []bool{false, true} {
		t.Run(fmt.Sprint("update=", update), func(t *testing.T) {
			dst := newMemory(t)
			_, err := dst.CreateRole(bg, identity.Role{Name: "editor"})
			require.NoError(t, err)
			u, err := dst.CreateUser(bg, identity.NewUser{Email: "ada@example.com", GivenName: "A", FamilyName: "Lovelace",
				Metadata: map[string]any{"plan": "free", "keep": 1.0}})
			require.NoError(t, err)
			require.NoError(t, dst.AssignRole(bg, u.ID, "editor"))
			rec := &migrate.Record{ID: "s1", Email: "ADA@example.com", GivenName: "Ada", Metadata: map[string]any{"plan": "pro"},
				Roles: []string{"admin"}, Status: identity.StatusSuspended}
			before := snap(t, dst)
			rep, err := migrate.CopyFrom(bg, migrate.FromRecords(rec), dst, migrate.Options{Update: update})
			require.NoError(t, err)
			r := result(t, rep, "s1")
			assert.Equal(t, u.ID, r.DestinationID)
			if !update {
				assert.Equal(t, migrate.Matched, r.Outcome)
				assert.Equal(t, []string{"GivenName", "Metadata.plan", "Roles", "Status"}, lossFields(rep, "s1"))
				for _, l := range rep.Losses {
					assert.Contains(t, l.Reason, "left as it is")
				}
				after := snap(t, dst)
				assert.Equal(t, before.Users, after.Users, "a match changes nothing")
				return
			}
			assert.Equal(t, migrate.Updated, r.Outcome)
			assert.Equal(t, "changed GivenName, Metadata.plan, Status, Roles", r.Reason)
			assert.Empty(t, rep.Losses)
			got, err := dst.GetUser(bg, u.ID)
			require.NoError(t, err)
			assert.Equal(t, "Ada", got.GivenName)
			assert.Equal(t, "Lovelace", got.FamilyName, "a field the record leaves empty is kept")
			assert.Equal(t, map[string]any{"plan": "pro", "keep": 1.0}, got.Metadata)
			assert.Equal(t, identity.StatusSuspended, got.Status)
			assert.Equal(t, []migrate.Made{{Kind: "role", Name: "admin"}}, rep.Made)
			rs, err := dst.ListUserRoles(bg, u.ID)
			require.NoError(t, err)
			require.Len(t, rs, 1)
			assert.Equal(t, "admin", rs[0].Name)
		})
	}
}

// TestDryRun reports what a copy would do, calls nothing that writes,
// and writes no journal.
func TestDryRun(t *testing.T) {
	src, inner := newMemory(t), newMemory(t)
	populate(t, src)
	_, err := inner.CreateUser(bg, identity.NewUser{Email: "bob@example.com", GivenName: "Bob"})
	require.NoError(t, err)
	f, dst := newFaulty(t, inner)
	before := snap(t, inner)
	journal := journalPath(t)
	rep, err := migrate.Copy(bg, src, dst, migrate.Options{DryRun: true, Journal: journal})
	require.NoError(t, err)
	assert.True(t, rep.DryRun)
	assert.Equal(t, 4, rep.Created)
	assert.Equal(t, 1, rep.Matched)
	assert.Len(t, rep.Made, 8, "the roles, organizations and organization roles it would create")
	assert.Contains(t, lossFields(rep, ""), "Status", "bob, matched, is suspended in the source")
	assert.Zero(t, f.writes(), "a dry run only reads")
	assert.Equal(t, before, snap(t, inner))
	_, err = os.Stat(journal)
	assert.ErrorIs(t, err, os.ErrNotExist)

	real, err := migrate.Copy(bg, src, dst, migrate.Options{})
	require.NoError(t, err)
	assert.Equal(t, rep.Created, real.Created)
	assert.Equal(t, rep.Matched, real.Matched)
	assert.ElementsMatch(t, rep.Made, real.Made)
	assert.Equal(t, lossFields(rep, ""), lossFields(real, ""), "the dry run names the losses the copy meets")
}

// TestDryRunDuplicates: two records of one email in a dry run are what
// the real run makes of them: one create and one match.
func TestDryRunDuplicates(t *testing.T) {
	recs := []*migrate.Record{{ID: "a", Email: "ada@example.com"}, {ID: "b", Email: "ada@example.com"},
		{ID: "c", Email: "ada@example.com", Username: "x"}, {ID: "d", Username: "x", Email: "d@example.com"},
		{ID: "e", Username: "x", Email: "ada@example.com"}}
	for _, dry := range []bool{true, false} {
		dst := newMemory(t)
		rep, err := migrate.CopyFrom(bg, migrate.FromRecords(recs...), dst, migrate.Options{DryRun: dry, Concurrency: 1})
		require.NoError(t, err)
		outcomes := []migrate.Outcome{}
		for _, r := range rep.Results {
			outcomes = append(outcomes, r.Outcome)
		}
		// c matches a's user by email (a has no username to disagree);
		// e's username finds d's user and its email a's.
		assert.Equal(t, []migrate.Outcome{migrate.Created, migrate.Matched, migrate.Matched, migrate.Created, migrate.Conflict}, outcomes, "dry run %v: %+v", dry, rep.Results)
	}
}

// narrowed is a memory directory that stores only emails, with active
// and suspended users and nothing else: the destination of TestLosses.
func narrowed(t *testing.T) *identity.Directory {
	_, dst := newFaulty(t, newMemory(t), func(c *identity.Capabilities) {
		*c = identity.Capabilities{UniqueEmail: true, Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended}}
	})
	return dst
}

// TestLosses: every field, status, role, organization and password the
// destination cannot carry is named, per user and field.
func TestLosses(t *testing.T) {
	full := migrate.Record{
		Username: "ada", Email: "ada@example.com", EmailVerified: true, Phone: "+14155550100",
		GivenName: "Ada", FamilyName: "Lovelace", DisplayName: "Ada L.", Metadata: map[string]any{"plan": "pro"},
		Roles: []string{"admin"}, Organizations: []migrate.Membership{{Name: "Acme", Roles: []string{"owner"}}},
		PasswordHash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		CreatedAt:    time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), LastSignInAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	tests := []struct {
		name    string
		dst     func(t *testing.T) *identity.Directory
		rec     func(r *migrate.Record)
		outcome migrate.Outcome
		losses  []string
		status  identity.Status
	}{
		{name: "fields", dst: narrowed, outcome: migrate.Created, status: identity.StatusActive,
			losses: []string{"CreatedAt", "DisplayName", "EmailVerified", "FamilyName", "GivenName", "Metadata", "Organizations", "PasswordHash", "Phone", "Roles", "Username"}},
		{name: "locked becomes suspended", dst: narrowed, rec: func(r *migrate.Record) { *r = migrate.Record{Email: r.Email, Status: identity.StatusLocked} },
			outcome: migrate.Created, status: identity.StatusSuspended, losses: []string{"Status"}},
		{name: "deprovisioned becomes suspended", dst: narrowed, rec: func(r *migrate.Record) { *r = migrate.Record{Email: r.Email, Status: identity.StatusDeprovisioned} },
			outcome: migrate.Created, status: identity.StatusSuspended, losses: []string{"Status"}},
		{name: "pending becomes active", dst: narrowed, rec: func(r *migrate.Record) { *r = migrate.Record{Email: r.Email, Status: identity.StatusPending} },
			outcome: migrate.Created, status: identity.StatusActive, losses: []string{"Status"}},
		{name: "locked, nowhere to stop it", dst: func(t *testing.T) *identity.Directory {
			_, dst := newFaulty(t, newMemory(t), func(c *identity.Capabilities) {
				c.Statuses, c.Deprovision = []identity.Status{identity.StatusActive}, false
			})
			return dst
		}, rec: func(r *migrate.Record) { *r = migrate.Record{Email: r.Email, Status: identity.StatusLocked} }, outcome: migrate.Failed},
		{name: "a hash the destination does not import", dst: func(t *testing.T) *identity.Directory {
			_, dst := newFaulty(t, newMemory(t), func(c *identity.Capabilities) { c.PasswordHashes = []string{"argon2id"} })
			return dst
		}, rec: func(r *migrate.Record) { *r = migrate.Record{Email: r.Email, PasswordHash: r.PasswordHash} },
			outcome: migrate.Created, status: identity.StatusActive, losses: []string{"PasswordHash"}},
		{name: "a malformed hash", dst: newMemory, rec: func(r *migrate.Record) {
			*r = migrate.Record{Email: r.Email, PasswordHash: "$argon2id$v=19$m=nope"}
		}, outcome: migrate.Created, status: identity.StatusActive, losses: []string{"PasswordHash"}},
		{name: "a metadata value the destination refuses", dst: func(t *testing.T) *identity.Directory {
			f, dst := newFaulty(t, newMemory(t))
			f.refuse = func(nu *identity.NewUser, _ *identity.UserUpdate) error {
				if _, ok := nu.Metadata["nested"]; ok {
					return &identity.Error{Code: identity.Unsupported, Field: "Metadata.nested",
						Message: "Metadata.nested is not supported by this backend: Okta profile properties hold strings, numbers, booleans and arrays of those"}
				}
				return nil
			}
			return dst
		}, rec: func(r *migrate.Record) {
			*r = migrate.Record{Email: r.Email, Metadata: map[string]any{"nested": map[string]any{"a": 1}, "flat": "kept", "gone": nil}}
		}, outcome: migrate.Created, status: identity.StatusActive, losses: []string{"Metadata.gone", "Metadata.nested"}},
		{name: "no identifier the destination holds", dst: narrowed, rec: func(r *migrate.Record) { *r = migrate.Record{Username: "ada"} },
			outcome: migrate.Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := full
			if tt.rec != nil {
				tt.rec(&rec)
			}
			rec.ID = "s1"
			dst := tt.dst(t)
			rep, err := migrate.CopyFrom(bg, migrate.FromRecords(&rec), dst, migrate.Options{})
			require.NoError(t, err)
			r := result(t, rep, "s1")
			require.Equal(t, tt.outcome, r.Outcome, "%+v", r)
			if tt.outcome == migrate.Failed {
				assert.NotEmpty(t, r.Reason)
				assert.Zero(t, snap(t, dst).UserCount, "nothing is created")
				return
			}
			if tt.losses == nil {
				tt.losses = []string{}
			}
			assert.Equal(t, tt.losses, append([]string{}, lossFields(rep, "s1")...), "%+v", rep.Losses)
			for _, l := range rep.Losses {
				assert.NotEmpty(t, l.Reason)
			}
			u, err := dst.GetUserByEmail(bg, rec.Email)
			require.NoError(t, err)
			assert.Equal(t, tt.status, u.Status)
			if tt.name == "a metadata value the destination refuses" {
				assert.Equal(t, map[string]any{"flat": "kept"}, u.Metadata)
			}
		})
	}
}

// TestSourceRecords: a record without an id, two records of one id, and
// a source that fails part way.
func TestSourceRecords(t *testing.T) {
	dst := newMemory(t)
	rep, err := migrate.CopyFrom(bg, migrate.FromRecords(&migrate.Record{Email: "a@example.com"}, nil,
		&migrate.Record{ID: "x", Email: "x@example.com"}, &migrate.Record{ID: "x", Email: "y@example.com"}), dst, migrate.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Results, 4)
	assert.Equal(t, []migrate.Outcome{migrate.Failed, migrate.Failed, migrate.Created, migrate.Failed},
		[]migrate.Outcome{rep.Results[0].Outcome, rep.Results[1].Outcome, rep.Results[2].Outcome, rep.Results[3].Outcome})
	assert.Contains(t, rep.Results[3].Reason, "another user with this id")

	_, err = migrate.Import(bg, dst, strings.NewReader(`{"format":"idport-identity-users","version":1}`+"\n"+`{"id":"z","email":"z@example.com","status":"active"}`+"\n"+`{"id":`), migrate.Options{})
	var le *migrate.LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3, le.Line)
	_, err = dst.GetUserByEmail(bg, "z@example.com")
	assert.NoError(t, err, "the users before the bad line are copied")
}

// TestOptions refuses bad options and arguments before anything runs.
func TestOptions(t *testing.T) {
	dst := newMemory(t)
	_, err := migrate.CopyFrom(bg, migrate.FromRecords(), dst, migrate.Options{Concurrency: -1})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
	_, err = migrate.CopyFrom(bg, nil, dst, migrate.Options{})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
	_, err = migrate.Copy(bg, dst, nil, migrate.Options{})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
	journal := journalPath(t)
	require.NoError(t, os.WriteFile(journal, []byte("not a journal\n{}\n"), 0o600))
	_, err = migrate.CopyFrom(bg, migrate.FromRecords(), dst, migrate.Options{Journal: journal})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
}

// TestProgress is called once per user, never concurrently, with counts
// that add up.
func TestProgress(t *testing.T) {
	src, dst := newMemory(t), newMemory(t)
	users(t, src, 20)
	var inside atomic.Int32
	var calls []migrate.Progress
	rep, err := migrate.Copy(bg, src, dst, migrate.Options{Concurrency: 8, Progress: func(p migrate.Progress) {
		if inside.Add(1) != 1 {
			t.Error("Progress called concurrently")
		}
		calls = append(calls, p)
		inside.Add(-1)
	}})
	require.NoError(t, err)
	require.Len(t, calls, 20)
	for i, p := range calls {
		assert.Equal(t, i+1, p.Done)
		assert.Equal(t, -1, p.Total, "a directory cannot say how many users it has")
		assert.Equal(t, p.Done, p.Created+p.Matched+p.Updated+p.Skipped+p.Conflicts+p.Failed)
	}
	assert.Equal(t, 20, rep.Created)

	calls = nil
	_, err = migrate.CopyFrom(bg, migrate.FromRecords(&migrate.Record{ID: "a", Email: "a@example.com"}), dst, migrate.Options{Progress: func(p migrate.Progress) { calls = append(calls, p) }})
	require.NoError(t, err)
	require.Len(t, calls, 1)
	assert.Equal(t, 1, calls[0].Total, "FromRecords knows")
}

// TestJournalLineEnding: a journal whose last line lacks its line ending
// (written by hand, or cut by a crash after its last byte) is read, and
// the next line starts on a line of its own.
func TestJournalLineEnding(t *testing.T) {
	dst := newMemory(t)
	journal := journalPath(t)
	require.NoError(t, os.WriteFile(journal, []byte(`{"source_id":"a","destination_id":"x","outcome":"created","time":"2025-01-01T00:00:00Z"}`), 0o600))
	recs := migrate.FromRecords(&migrate.Record{ID: "a", Email: "a@example.com"}, &migrate.Record{ID: "b", Email: "b@example.com"})
	rep, err := migrate.CopyFrom(bg, recs, dst, migrate.Options{Journal: journal})
	require.NoError(t, err)
	assert.Equal(t, []migrate.Outcome{migrate.Skipped, migrate.Created}, []migrate.Outcome{rep.Results[0].Outcome, rep.Results[1].Outcome})
	rep, err = migrate.CopyFrom(bg, recs, dst, migrate.Options{Journal: journal})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Skipped)
	b, err := os.ReadFile(journal)
	require.NoError(t, err)
	assert.Equal(t, 4, strings.Count(string(b), "\n"), "the hand-written line, then b's two creating lines and its created line")
}

// TestMatchedPassword: a hash for a user the destination had already
// cannot be set; where that user has no password, the loss says so.
func TestMatchedPassword(t *testing.T) {
	dst := newMemory(t)
	_, err := dst.CreateUser(bg, identity.NewUser{Email: "none@example.com"})
	require.NoError(t, err)
	_, err = dst.CreateUser(bg, identity.NewUser{Email: "has@example.com", Password: "a password"})
	require.NoError(t, err)
	const hash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
	rep, err := migrate.CopyFrom(bg, migrate.FromRecords(
		&migrate.Record{ID: "none", Email: "none@example.com", PasswordHash: hash},
		&migrate.Record{ID: "has", Email: "has@example.com", PasswordHash: hash}), dst, migrate.Options{Update: true})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Matched)
	assert.Equal(t, []string{"PasswordHash"}, lossFields(rep, "none"))
	assert.Empty(t, lossFields(rep, "has"))
}

// TestRoleLosses: a role the destination lacks and cannot create, because
// its roles are a fixed set or because it refuses the name, is named as
// a loss, and the user is copied with the roles that could be carried.
func TestRoleLosses(t *testing.T) {
	refuse := func(what string) func(op string, n int) error {
		return func(op string, _ int) error {
			if op == what {
				return &identity.Error{Code: identity.InvalidArgument, Field: "Name", Message: "Name: not a name this destination takes"}
			}
			return nil
		}
	}
	tests := []struct {
		name  string
		caps  func(*identity.Capabilities)
		fail  func(op string, n int) error
		roles []string // the user's roles in the destination
		field string   // the loss's field
		says  string   // in the loss's reason
	}{
		{name: "a fixed set", caps: func(c *identity.Capabilities) { c.RoleCatalog = false }, roles: []string{"ops"},
			field: "Roles", says: `the destination has no role "admin", and its roles are a fixed set`},
		{name: "a refused role", fail: refuse("CreateRole"), roles: []string{"ops"},
			field: "Roles", says: `the destination refused to create the role "admin": Name: not a name this destination takes; the role is not carried`},
		{name: "a refused organization role", fail: refuse("CreateOrganizationRole"), roles: []string{"admin", "ops"},
			field: "Organizations.Acme.Roles", says: `the destination refused to create the organization role "owner"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := newMemory(t)
			_, err := inner.CreateRole(bg, identity.Role{Name: "ops"})
			require.NoError(t, err)
			f, dst := newFaulty(t, inner, tt.caps)
			f.fail = tt.fail
			rec := migrate.Record{ID: "s1", Email: "ada@example.com", Roles: []string{"admin", "ops"},
				Organizations: []migrate.Membership{{Name: "Acme", Roles: []string{"owner"}}}}
			rep, err := migrate.CopyFrom(bg, migrate.FromRecords(&rec), dst, migrate.Options{})
			require.NoError(t, err)
			require.Equal(t, migrate.Created, result(t, rep, "s1").Outcome)
			var reasons []string
			for _, l := range rep.Losses {
				if l.Field == tt.field {
					reasons = append(reasons, l.Reason)
				}
			}
			require.Len(t, reasons, 1, "%+v", rep.Losses)
			assert.Contains(t, reasons[0], tt.says)
			u, err := dst.GetUserByEmail(bg, rec.Email)
			require.NoError(t, err)
			got, err := dst.ListUserRoles(bg, u.ID)
			require.NoError(t, err)
			var names []string
			for _, r := range got {
				names = append(names, r.Name)
			}
			assert.ElementsMatch(t, tt.roles, names)
		})
	}
}
