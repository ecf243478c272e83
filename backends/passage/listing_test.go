package passage_test

import (
	"context"
	"fmt"
	"testing"

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
