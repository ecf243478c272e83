package migrate_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/faultinject"
	"github.com/idport/identity/internal/chaostest"
	"github.com/idport/identity/migrate"
)

// TestCopyIntoLogtoThroughFaults copies populate's directory into the
// Logto emulator, a third of whose requests meet a transient fault (429
// bursts among them), twice with one journal: no user fails, none is
// made twice, the second run skips them all, and what Logto cannot hold
// (a pending and a deprovisioned user, the creation times) is named.
func TestCopyIntoLogtoThroughFaults(t *testing.T) {
	src := newMemory(t)
	passwords := populate(t, src)
	faults := faultinject.New(faultinject.Options{Seed: 7, Rate: 0.3, SlowDelay: time.Minute, RetryAfter: "0", RateLimitReset: time.Second})
	emu := logtotest.New(logtotest.Options{})
	faultySrv, cleanSrv := httptest.NewServer(faults.Wrap(emu)), httptest.NewServer(emu)
	t.Cleanup(faultySrv.Close)
	t.Cleanup(cleanSrv.Close)
	open := func(url string) *identity.Directory {
		d, err := logto.New(bg, logto.Options{Endpoint: url, AppID: "m2m-app", AppSecret: "m2m-secret",
			HTTPOptions: identity.HTTPOptions{Timeout: chaostest.Timeout, MaxAttempts: chaostest.MaxAttempts, RetryBaseDelay: chaostest.RetryBaseDelay}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	dst, clean := open(faultySrv.URL), open(cleanSrv.URL)

	journal := journalPath(t)
	rep, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journal})
	require.NoError(t, err, "no 429 or outage reaches the caller")
	assert.Equal(t, 5, rep.Created, "%+v", rep.Results)
	assert.NotZero(t, faults.Counts()[faultinject.RateLimited]+faults.Counts()[faultinject.RateLimitedHeaders]+faults.Counts()[faultinject.RateLimitedBare])
	statuses := idsWithLoss(rep, "Status")
	assert.Len(t, statuses, 2, "the pending user is created active, the deprovisioned one suspended: %+v", rep.Losses)

	again, err := migrate.Copy(bg, src, dst, migrate.Options{Journal: journal})
	require.NoError(t, err)
	assert.Equal(t, 5, again.Skipped)

	want, got := snap(t, src), snap(t, clean)
	require.Equal(t, want.UserCount, got.UserCount, "none made twice")
	for i := range want.Users {
		w, g := want.Users[i], got.Users[i]
		if w.Status == identity.StatusPending {
			w.Status = identity.StatusActive
		}
		if w.Status == identity.StatusDeprovisioned {
			w.Status = identity.StatusSuspended
		}
		// Logto counts every primary email as verified; the report says
		// so of each.
		w.EmailVerified = w.Email != ""
		assert.Equal(t, w, g)
	}
	assert.Len(t, idsWithLoss(rep, "EmailVerified"), 3, "ada, bob and dee have emails")
	assert.Equal(t, want.OrgRoles, got.OrgRoles)
	for who, pw := range passwords {
		u, err := clean.GetUserByEmail(bg, who)
		if err != nil {
			u, err = clean.GetUserByUsername(bg, who)
		}
		require.NoError(t, err, who)
		assert.NoError(t, clean.VerifyPassword(bg, u.ID, pw), "%s's password came over", who)
	}
}
