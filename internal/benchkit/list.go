package benchkit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idport/identity"
)

// The listing ListWithLatency measures: ListedUsers users in pages of
// ListedPageSize, each request delayed ListLatency.
const (
	ListedUsers    = 2000
	ListedPageSize = 100
	ListLatency    = 20 * time.Millisecond
)

// Listing is one backend's part of ListWithLatency.
type Listing struct {
	// Emulator returns the backend's emulator with middleware in front
	// of its API.
	Emulator func(middleware func(http.Handler) http.Handler) http.Handler
	// Open returns a directory over the emulator served at url, with o
	// as its DirectoryOptions.
	Open func(url string, o identity.DirectoryOptions) (*identity.Directory, error)
	// Work, when set, runs after each page's worth of users, as a loop
	// body that takes time would.
	Work func()
}

// ListWithLatency seeds l's emulator with ListedUsers users, then lists
// them with ListLatency on each request, in pages of ListedPageSize: as
// sub-benchmarks "sequential", one page after another, and "prefetch",
// with pages fetched ahead as the default PrefetchPages does, in one
// process so that the ratio holds on a busy machine.
func ListWithLatency(b *testing.B, l Listing) {
	b.Helper()
	lat := &Latency{}
	srv := httptest.NewServer(l.Emulator(lat.Middleware))
	b.Cleanup(srv.Close)
	open := func(prefetch int) *identity.Directory {
		dir, err := l.Open(srv.URL, identity.DirectoryOptions{PrefetchPages: prefetch})
		if err != nil {
			b.Fatal(err)
		}
		return dir
	}
	seed := open(1)
	ctx := context.Background()
	for i := range ListedUsers {
		if _, err := seed.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("user%d@example.com", i)}); err != nil {
			b.Fatal(err)
		}
	}
	lat.Set(ListLatency)
	for _, tc := range []struct {
		name     string
		prefetch int
	}{{"sequential", 1}, {"prefetch", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			dir := open(tc.prefetch)
			for b.Loop() {
				if n := ListAll(b, dir, ListedPageSize, l.Work); n != ListedUsers {
					b.Fatalf("listed %d users, want %d", n, ListedUsers)
				}
			}
		})
	}
}
