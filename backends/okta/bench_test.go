package okta_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/benchkit"
)

// BenchmarkGetUser reads one user from the emulator's handler through the
// backend and through a plain net/http + encoding/json client doing the
// same request, in one process so that the ratio holds on a busy machine.
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
	b.Run("raw", func(b *testing.B) {
		raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
			"Authorization": {"SSWS " + testToken}, "Accept": {"application/json"}}}
		url := srv.URL + "/api/v1/users/" + u.ID
		b.ReportAllocs()
		for b.Loop() {
			var w struct {
				ID          string         `json:"id"`
				Status      string         `json:"status"`
				Created     time.Time      `json:"created"`
				LastUpdated time.Time      `json:"lastUpdated"`
				LastLogin   time.Time      `json:"lastLogin"`
				Profile     map[string]any `json:"profile"`
			}
			if err := raw.Get(ctx, url, &w); err != nil || w.ID != u.ID {
				b.Fatal(err)
			}
		}
	})
	b.Run("backend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := dir.GetUser(ctx, u.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
