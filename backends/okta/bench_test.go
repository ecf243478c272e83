package okta_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/benchkit"
)

// BenchmarkGetUser reads one user from the emulator's handler through the
// backend and through a plain net/http + encoding/json client doing the
// same request, in one process and in pairs
// (benchkit.CompareGetUser), so that the ratio holds on a busy machine.
func BenchmarkGetUser(b *testing.B) {
	ctx := context.Background()
	srv := httptest.NewServer(oktatest.New(oktatest.Options{APIToken: testToken, RateLimit: 1 << 30}))
	b.Cleanup(srv.Close)
	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: testToken})
	if err != nil {
		b.Fatal(err)
	}
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace",
		Metadata: map[string]any{"department": "engineering"}})
	if err != nil {
		b.Fatal(err)
	}
	raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
		"Authorization": {"SSWS " + testToken}, "Accept": {"application/json"}}}
	url := srv.URL + "/api/v1/users/" + u.ID
	rawGet := func() error {
		var w struct {
			ID          string         `json:"id"`
			Status      string         `json:"status"`
			Created     time.Time      `json:"created"`
			LastUpdated time.Time      `json:"lastUpdated"`
			LastLogin   time.Time      `json:"lastLogin"`
			Profile     map[string]any `json:"profile"`
		}
		err := raw.Get(ctx, url, &w)
		return benchkit.Answered(err, w.ID == u.ID)
	}
	benchkit.CompareGetUser(b, dir, u.ID, rawGet)
}

// BenchmarkList2000 lists 2,000 users from the emulator at 20 ms a
// request, in pages of 100, with a loop body that takes as long as a
// page fetch (20 ms a page): one page after another, and with the next
// page fetched while the loop works (the default). The work is what
// Okta's listing ahead overlaps with, its cursor coming with each page.
func BenchmarkList2000(b *testing.B) {
	benchkit.ListWithLatency(b, benchkit.Listing{
		Emulator: func(mw func(http.Handler) http.Handler) http.Handler {
			return oktatest.New(oktatest.Options{APIToken: testToken, RateLimit: 1 << 30, NamesOptional: true, Middleware: mw})
		},
		Open: func(url string, o identity.DirectoryOptions) (*identity.Directory, error) {
			return okta.New(context.Background(), okta.Options{OrgURL: url, APIToken: testToken, NamesOptional: true,
				HTTPOptions: identity.HTTPOptions{DirectoryOptions: o}})
		},
		Work: benchkit.Sleep(benchkit.ListLatency),
	})
}

// BenchmarkListHeap walks 100,000 users, prefetching, from a server that
// makes Okta's pages and after cursors up as they are asked for, and
// reports the heap the listing held.
func BenchmarkListHeap(b *testing.B) {
	const total = 100_000
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		from := 0
		if a := q.Get("after"); a != "" {
			from, _ = strconv.Atoi(strings.TrimPrefix(a, "00u"))
			from++
		}
		to := min(from+limit, total)
		if to < total {
			w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/users?after=00u%017d&limit=%d>; rel="next"`, srv.URL, to-1, limit))
		}
		w.Header().Set("Content-Type", "application/json")
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i := from; i < to; i++ {
			if i > from {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"id":"00u%017d","status":"ACTIVE","created":"2024-01-02T03:04:05.000Z","lastUpdated":"2024-01-02T03:04:05.000Z",`+
				`"lastLogin":null,"profile":{"login":"user%d@example.com","email":"user%d@example.com","firstName":"A","lastName":"B","plan":"free"},"credentials":{}}`, i, i, i)
		}
		buf.WriteByte(']')
		_, _ = w.Write(buf.Bytes())
	}))
	b.Cleanup(srv.Close)
	dir, err := okta.New(context.Background(), okta.Options{OrgURL: srv.URL, APIToken: testToken})
	if err != nil {
		b.Fatal(err)
	}
	benchkit.HeapWhileListing(b, dir, 200, total)
}
