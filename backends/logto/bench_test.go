package logto_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
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
// same request with a token fetched once, in one process so that the
// ratio holds on a busy machine.
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
	b.Run("raw", func(b *testing.B) {
		cc := &clientcredentials.Config{ClientID: "m2m", ClientSecret: benchSecret, TokenURL: srv.URL + "/oidc/token",
			Scopes: []string{"all"}, EndpointParams: url.Values{"resource": {logtotest.DefaultResource}}, AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(ctx)
		if err != nil {
			b.Fatal(err)
		}
		raw := &benchkit.Raw{Client: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{
			"Authorization": {"Bearer " + tok.AccessToken}, "Accept": {"application/json"}}}
		url := srv.URL + "/api/users/" + u.ID
		b.ReportAllocs()
		for b.Loop() {
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
