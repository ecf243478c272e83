package okta_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
)

// TestListUsersPrefetchPaced: fetching the next page while the loop works
// goes through the client's pacing, so a listing under a tight rate limit
// meets no 429, and still comes whole and in order.
func TestListUsersPrefetchPaced(t *testing.T) {
	ctx := context.Background()
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken, RateLimit: 20, RateWindow: time.Second, NamesOptional: true})
	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: testToken, NamesOptional: true,
		HTTPOptions: identity.HTTPOptions{DirectoryOptions: identity.DirectoryOptions{PrefetchPages: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 16 {
		u, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("paced%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, u.ID)
	}
	before := srv.RateLimited()
	var got []string
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.ID)
	}
	if n := srv.RateLimited() - before; n != 0 {
		t.Errorf("the listing met %d 429s", n)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}
