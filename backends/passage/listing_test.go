package passage_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/benchkit"
)

// TestListUsersChurn: Passage pages oldest first by number under an
// anchor that leaves out users created after the listing began, so users
// created meanwhile move nothing; none comes twice, prefetching or not. A
// user deleted meanwhile can make one that stays be left out (the later
// pages move up), which the test allows.
func TestListUsersChurn(t *testing.T) {
	for _, prefetch := range []int{1, 4} {
		for _, deletes := range []bool{false, true} {
			t.Run(fmt.Sprintf("prefetch=%d,deletes=%v", prefetch, deletes), func(t *testing.T) {
				srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: benchKey})
				dir, err := passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: benchKey, BaseURL: srv.URL + "/v1",
					HTTPOptions: identity.HTTPOptions{DirectoryOptions: identity.DirectoryOptions{PrefetchPages: prefetch}}})
				if err != nil {
					t.Fatal(err)
				}
				benchkit.Churn(t, dir, 60, 10, deletes)
			})
		}
	}
}

// TestListUsersFirstPagesAnchored: a listing's first pages are asked for
// together, before Passage has anchored the listing; each page anchors
// itself at the second it is asked for. Pages anchored at the first
// page's second are kept as they are; one anchored at another (the clock
// turned between the requests) is asked for again under the first page's
// anchor, and so are the pages after it, and no user is lost or comes
// twice either way.
func TestListUsersFirstPagesAnchored(t *testing.T) {
	for _, tc := range []struct {
		name string
		tick time.Duration // how far the clock moves at each reading
		// The requests without created_before, at least and at most: a
		// guess dropped may be cancelled before it is sent.
		unanchored, most int
		anchored         int // requests with created_before
	}{
		{name: "one second", unanchored: 4, most: 4},
		// p1 p2 p3 p4 each at its own second; p2 is asked for again (p3
		// and p4, dropped, may not have been sent), then p3 and p4 as
		// its answer names them.
		{name: "a second each", tick: time.Second, unanchored: 2, most: 4, anchored: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var now atomic.Int64
			now.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
			var mu sync.Mutex
			var lists, anchored int
			srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: benchKey,
				Now: func() time.Time { return time.Unix(0, now.Add(int64(tc.tick))) },
				Middleware: func(h http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Method == http.MethodGet && r.URL.Path == "/v1/apps/app1/users" {
							mu.Lock()
							lists++
							if r.URL.Query().Has("created_before") {
								anchored++
							}
							mu.Unlock()
						}
						h.ServeHTTP(w, r)
					})
				}})
			dir, err := passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: benchKey, BaseURL: srv.URL + "/v1"})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			want := map[string]bool{}
			for i := range 35 {
				u, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("user%d@example.com", i)})
				if err != nil {
					t.Fatal(err)
				}
				want[u.ID] = true
			}
			mu.Lock()
			lists, anchored = 0, 0
			mu.Unlock()
			seen := map[string]bool{}
			for u, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: 10}) {
				if err != nil {
					t.Fatal(err)
				}
				if seen[u.ID] || !want[u.ID] {
					t.Fatalf("%s came twice, or was never made", u.ID)
				}
				seen[u.ID] = true
			}
			mu.Lock()
			defer mu.Unlock()
			if u := lists - anchored; len(seen) != len(want) || u < tc.unanchored || u > tc.most || anchored != tc.anchored {
				t.Errorf("listed %d of %d users in %d requests, %d anchored; want %d to %d unanchored and %d anchored",
					len(seen), len(want), lists, anchored, tc.unanchored, tc.most, tc.anchored)
			}
		})
	}
}
