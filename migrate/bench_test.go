package migrate_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/emulate"
	"github.com/idport/identity/migrate"
)

// BenchmarkCopyUnderQuota copies users from memory into the Logto
// emulator behind a quota of N requests per minute, with the HTTP layer's
// real waits: the share of the quota the copy uses, users per second, and
// how many 429s the quota sent and how many reached the caller. Each
// setting copies about half a minute's worth of users; run it once each:
//
//	go test -run '^$' -bench CopyUnderQuota -benchtime 1x ./migrate/
func BenchmarkCopyUnderQuota(b *testing.B) {
	for _, perMinute := range []int{600, 1800} {
		b.Run(fmt.Sprintf("quota=%d/min", perMinute), func(b *testing.B) {
			for range b.N {
				benchCopyUnderQuota(b, perMinute)
			}
		})
	}
}

func benchCopyUnderQuota(b *testing.B, perMinute int) {
	ctx := context.Background()
	b.StopTimer()
	src, err := memory.New(ctx, memory.Options{Hash: memory.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range roleNames {
		if _, err := src.CreateRole(ctx, identity.Role{Name: r}); err != nil {
			b.Fatal(err)
		}
	}
	// About three requests a user (a lookup or two, the create, the
	// roles): half a minute of the quota.
	users := perMinute / 6
	for i := range users {
		u, err := src.CreateUser(ctx, proofUser(i))
		if err != nil {
			b.Fatal(err)
		}
		if err := src.SetRoles(ctx, u.ID, proofRoles(i)...); err != nil {
			b.Fatal(err)
		}
	}
	q := &emulate.Quota{Limit: perMinute, Per: time.Minute}
	srv := httptest.NewServer(q.Wrap(logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: "m2m-secret"})))
	defer srv.Close()
	dst, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "m2m-secret"})
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()

	b.StartTimer()
	start := time.Now()
	rep, err := migrate.Copy(ctx, src, dst, migrate.Options{Concurrency: 8})
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	surfaced := 0
	for _, r := range rep.Results {
		if r.Outcome == migrate.Failed { // a 429 that reached Copy and outlived its retries
			surfaced++
		}
	}
	if rep.Created != users || surfaced > 0 {
		b.Fatalf("created %d of %d, %d failed", rep.Created, users, surfaced)
	}
	// The bucket starts full: count its first burst as quota too, so that
	// a short run is not flattered by it.
	allowed := float64(q.BurstSize()) + elapsed.Minutes()*float64(perMinute)
	b.ReportMetric(100*float64(q.Served())/allowed, "%quota")
	b.ReportMetric(float64(users)/elapsed.Seconds(), "users/s")
	b.ReportMetric(float64(q.Served())/float64(users), "requests/user")
	b.ReportMetric(float64(q.Refused()), "429s-sent")
	b.ReportMetric(float64(surfaced), "429s-surfaced")
}
