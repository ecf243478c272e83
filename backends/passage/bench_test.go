package passage_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/benchkit"
)

const benchKey = "bench-key"

// BenchmarkGetUser reads one user from the emulator's handler through the
// backend and through a plain net/http + encoding/json client doing the
// same request, in one process and in pairs
// (benchkit.CompareGetUser), so that the ratio holds on a busy machine.
func BenchmarkGetUser(b *testing.B) {
	ctx := context.Background()
	srv := httptest.NewServer(passagetest.New(passagetest.Options{AppID: "app1", APIKey: benchKey}))
	b.Cleanup(srv.Close)
	dir, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: benchKey, BaseURL: srv.URL + "/v1"})
	if err != nil {
		b.Fatal(err)
	}
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
		"Authorization": {"Bearer " + benchKey}, "Accept": {"application/json"}}}
	url := srv.URL + "/v1/apps/app1/users/" + u.ID
	rawGet := func() error {
		var env struct {
			User struct {
				ID            string         `json:"id"`
				Email         string         `json:"email"`
				EmailVerified bool           `json:"email_verified"`
				Phone         string         `json:"phone"`
				Status        string         `json:"status"`
				Metadata      map[string]any `json:"user_metadata"`
				CreatedAt     time.Time      `json:"created_at"`
				UpdatedAt     time.Time      `json:"updated_at"`
				LastLoginAt   time.Time      `json:"last_login_at"`
			} `json:"user"`
		}
		err := raw.Get(ctx, url, &env)
		return benchkit.Answered(err, env.User.ID == u.ID)
	}
	benchkit.CompareGetUser(b, dir, u.ID, rawGet)
}

// BenchmarkList2000 lists 2,000 users from the emulator at 20 ms a
// request, in pages of 100: one page after another, and with pages
// fetched ahead (the default).
func BenchmarkList2000(b *testing.B) {
	benchkit.ListWithLatency(b, benchkit.Listing{
		Emulator: func(mw func(http.Handler) http.Handler) http.Handler {
			return passagetest.New(passagetest.Options{AppID: "app1", APIKey: benchKey, Middleware: mw})
		},
		Open: func(url string, o identity.DirectoryOptions) (*identity.Directory, error) {
			return passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: benchKey, BaseURL: url + "/v1",
				HTTPOptions: identity.HTTPOptions{DirectoryOptions: o}})
		},
	})
}

// BenchmarkListHeap walks 100,000 users, prefetching, from a server that
// makes Passage's pages up as they are asked for, and reports the heap
// the listing held.
func BenchmarkListHeap(b *testing.B) {
	const total = 100_000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		w.Header().Set("Content-Type", "application/json")
		var buf bytes.Buffer
		buf.WriteString(`{"users":[`)
		for i := (page - 1) * limit; i < min(page*limit, total); i++ {
			if i > (page-1)*limit {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"id":"u%023d","email":"user%d@example.com","email_verified":true,"phone":"","status":"active",`+
				`"user_metadata":{"plan":"free"},"created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z","last_login_at":"0001-01-01T00:00:00Z"}`, i, i)
		}
		fmt.Fprintf(&buf, `],"created_before":1700000000,"limit":%d,"page":%d,"total_users":%d}`, limit, page, total)
		_, _ = w.Write(buf.Bytes())
	}))
	b.Cleanup(srv.Close)
	dir, err := passage.New(context.Background(), passage.Options{AppID: "app1", APIKey: benchKey, BaseURL: srv.URL + "/v1"})
	if err != nil {
		b.Fatal(err)
	}
	benchkit.HeapWhileListing(b, dir, 100, total)
}
