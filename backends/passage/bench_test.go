package passage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
// same request, in one process so that the ratio holds on a busy machine.
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
	b.Run("raw", func(b *testing.B) {
		raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
			"Authorization": {"Bearer " + benchKey}, "Accept": {"application/json"}}}
		url := srv.URL + "/v1/apps/app1/users/" + u.ID
		b.ReportAllocs()
		for b.Loop() {
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
			if err := raw.Get(ctx, url, &env); err != nil || env.User.ID != u.ID {
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
