package kratos_test

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
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/internal/benchkit"
)

// BenchmarkGetUser reads one identity from the emulator's handler through
// the backend and through a plain net/http + encoding/json client doing
// the same request, in one process and in pairs
// (benchkit.CompareGetUser), so that the ratio holds on a busy machine.
// Self-hosted Kratos has no credential on its admin API, so neither side
// sends one.
func BenchmarkGetUser(b *testing.B) {
	ctx := context.Background()
	srv := httptest.NewServer(kratostest.New(kratostest.Options{}))
	b.Cleanup(srv.Close)
	dir, err := kratos.New(ctx, kratos.Options{AdminURL: srv.URL, Traits: traits})
	if err != nil {
		b.Fatal(err)
	}
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace",
		Metadata: map[string]any{"department": "engineering"}})
	if err != nil {
		b.Fatal(err)
	}
	raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
		"Accept": {"application/json"}}}
	url := srv.URL + "/admin/identities/" + u.ID
	rawGet := func() error {
		var w struct {
			ID                  string         `json:"id"`
			SchemaID            string         `json:"schema_id"`
			State               string         `json:"state"`
			Traits              map[string]any `json:"traits"`
			MetadataPublic      map[string]any `json:"metadata_public"`
			MetadataAdmin       map[string]any `json:"metadata_admin"`
			VerifiableAddresses []struct {
				Value    string `json:"value"`
				Verified bool   `json:"verified"`
				Via      string `json:"via"`
			} `json:"verifiable_addresses"`
			Credentials map[string]struct {
				Identifiers []string `json:"identifiers"`
			} `json:"credentials"`
			CreatedAt time.Time `json:"created_at"`
			UpdatedAt time.Time `json:"updated_at"`
		}
		err := raw.Get(ctx, url, &w)
		return benchkit.Answered(err, w.ID == u.ID)
	}
	benchkit.CompareGetUser(b, dir, u.ID, rawGet)
}

// BenchmarkList2000 lists 2,000 identities from the emulator at 20 ms a
// request, in pages of 100, with a loop body that takes as long as a
// page fetch (20 ms a page): one page after another, and with the next
// page fetched while the loop works (the default). The work is what
// Kratos's listing ahead overlaps with, its page_token coming with each
// page in the Link header.
func BenchmarkList2000(b *testing.B) {
	benchkit.ListWithLatency(b, benchkit.Listing{
		Emulator: func(mw func(http.Handler) http.Handler) http.Handler {
			return kratostest.New(kratostest.Options{Middleware: mw})
		},
		Open: func(url string, o identity.DirectoryOptions) (*identity.Directory, error) {
			return kratos.New(context.Background(), kratos.Options{AdminURL: url, Traits: traits,
				HTTPOptions: identity.HTTPOptions{DirectoryOptions: o}})
		},
		Work: benchkit.Sleep(benchkit.ListLatency),
	})
}

// BenchmarkListHeap walks 100,000 identities, prefetching, in pages of
// 500 (the most Kratos serves), from a server that makes Kratos's pages
// and Link headers up as they are asked for, and reports the heap the
// listing held.
func BenchmarkListHeap(b *testing.B) {
	const (
		total    = 100_000
		idForm   = "00000000-0000-4000-8000-%012d"
		addrForm = "00000000-0000-4000-9000-%012d"
		nilID    = "00000000-0000-0000-0000-000000000000"
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/identities", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		size, _ := strconv.Atoi(q.Get("page_size"))
		from := 0
		if t := q.Get("page_token"); t != "" && t != nilID {
			last, _ := strconv.Atoi(strings.TrimPrefix(t, "00000000-0000-4000-8000-"))
			from = last + 1
		}
		to := min(from+size, total)
		// Kratos v1.3.1 always sends the first page's link, and the next
		// one while rows remain, the query's keys sorted.
		link := fmt.Sprintf(`</admin/identities?page_size=%d&page_token=%s>; rel="first"`, size, nilID)
		if to < total {
			link += fmt.Sprintf(`,</admin/identities?page_size=%d&page_token=`+idForm+`>; rel="next"`, size, to-1)
		}
		w.Header().Set("Link", link)
		w.Header().Set("Content-Type", "application/json")
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i := from; i < to; i++ {
			if i > from {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"id":"`+idForm+`","schema_id":"default","schema_url":"http://127.0.0.1/schemas/ZGVmYXVsdA",`+
				`"state":"active","state_changed_at":"2024-01-02T03:04:05.123456Z","traits":{"email":"user%d@example.com"},`+
				`"verifiable_addresses":[{"id":"`+addrForm+`","value":"user%d@example.com","verified":false,"via":"email","status":"pending",`+
				`"created_at":"2024-01-02T03:04:05.123456Z","updated_at":"2024-01-02T03:04:05.123456Z"}],`+
				`"metadata_public":{"plan":"free"},"metadata_admin":null,`+
				`"created_at":"2024-01-02T03:04:05.123456Z","updated_at":"2024-01-02T03:04:05.123456Z","organization_id":null}`, i, i, i, i)
		}
		buf.WriteByte(']')
		_, _ = w.Write(buf.Bytes())
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	dir, err := kratos.New(context.Background(), kratos.Options{AdminURL: srv.URL, Traits: traits})
	if err != nil {
		b.Fatal(err)
	}
	benchkit.HeapWhileListing(b, dir, 500, total)
}
