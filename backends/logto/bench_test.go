package logto_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/benchkit"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const benchSecret = "bench-secret"

// BenchmarkGetUser reads one user from the emulator's handler through the
// backend and through a plain net/http + encoding/json client doing the
// same request with a token fetched once, in one process and in pairs
// (benchkit.CompareGetUser), so that the ratio holds on a busy machine.
func BenchmarkGetUser(b *testing.B) {
	ctx := context.Background()
	srv := httptest.NewServer(logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: benchSecret}))
	b.Cleanup(srv.Close)
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: benchSecret})
	if err != nil {
		b.Fatal(err)
	}
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Username: "ada", GivenName: "Ada",
		Metadata: map[string]any{"department": "engineering"}})
	if err != nil {
		b.Fatal(err)
	}
	cc := &clientcredentials.Config{ClientID: "m2m", ClientSecret: benchSecret, TokenURL: srv.URL + "/oidc/token",
		Scopes: []string{"all"}, EndpointParams: url.Values{"resource": {logtotest.DefaultResource}}, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(ctx)
	if err != nil {
		b.Fatal(err)
	}
	raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
		"Authorization": {"Bearer " + tok.AccessToken}, "Accept": {"application/json"}}}
	url := srv.URL + "/api/users/" + u.ID
	rawGet := func() error {
		var w struct {
			ID           string         `json:"id"`
			Username     *string        `json:"username"`
			PrimaryEmail *string        `json:"primaryEmail"`
			PrimaryPhone *string        `json:"primaryPhone"`
			Name         *string        `json:"name"`
			CustomData   map[string]any `json:"customData"`
			Profile      struct {
				GivenName  string `json:"givenName"`
				FamilyName string `json:"familyName"`
			} `json:"profile"`
			LastSignInAt *int64 `json:"lastSignInAt"`
			CreatedAt    int64  `json:"createdAt"`
			UpdatedAt    int64  `json:"updatedAt"`
			IsSuspended  bool   `json:"isSuspended"`
		}
		err := raw.Get(ctx, url, &w)
		return benchkit.Answered(err, w.ID == u.ID)
	}
	benchkit.CompareGetUser(b, dir, u.ID, rawGet)
}

// BenchmarkList2000 lists 2,000 users from the emulator at 20 ms a
// request, in pages of 100: one page after another, and with pages
// fetched ahead (the default).
func BenchmarkList2000(b *testing.B) {
	benchkit.ListWithLatency(b, benchkit.Listing{
		Emulator: func(mw func(http.Handler) http.Handler) http.Handler {
			return logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: benchSecret, Middleware: mw})
		},
		Open: func(url string, o identity.DirectoryOptions) (*identity.Directory, error) {
			return logto.New(context.Background(), logto.Options{Endpoint: url, AppID: "m2m", AppSecret: benchSecret,
				HTTPOptions: identity.HTTPOptions{DirectoryOptions: o}})
		},
	})
}

// BenchmarkListHeap walks 100,000 users, prefetching, from a server that
// makes Logto's pages up as they are asked for, and reports the heap the
// listing held.
func BenchmarkListHeap(b *testing.B) {
	const total = 100_000
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oidc/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"bench-token","token_type":"Bearer","expires_in":3600,"scope":"all"}`)
	})
	mux.HandleFunc("GET /api/users", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Total-Number", strconv.Itoa(total))
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i := (page - 1) * size; i < min(page*size, total); i++ {
			if i > (page-1)*size {
				buf.WriteByte(',')
			}
			ms := int64(1_700_000_000_000 - i)
			fmt.Fprintf(&buf, `{"id":"u%011d","username":null,"primaryEmail":"user%d@example.com","primaryPhone":null,"name":null,`+
				`"customData":{"plan":"free"},"profile":{},"lastSignInAt":null,"createdAt":%d,"updatedAt":%d,"isSuspended":false}`, i, i, ms, ms)
		}
		buf.WriteByte(']')
		_, _ = w.Write(buf.Bytes())
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: benchSecret})
	if err != nil {
		b.Fatal(err)
	}
	benchkit.HeapWhileListing(b, dir, 100, total)
}
