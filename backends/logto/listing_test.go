package logto_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/benchkit"
)

// TestListUsersChurn: Logto pages newest first by number, so users
// created while a listing runs move the later pages down; none comes
// twice, prefetching or not. A user deleted meanwhile can make one that
// stays be left out (the later pages move up), which the test allows.
func TestListUsersChurn(t *testing.T) {
	for _, prefetch := range []int{1, 4} {
		for _, deletes := range []bool{false, true} {
			t.Run(fmt.Sprintf("prefetch=%d,deletes=%v", prefetch, deletes), func(t *testing.T) {
				srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret-s3cret"})
				dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret-s3cret",
					HTTPOptions: identity.HTTPOptions{DirectoryOptions: identity.DirectoryOptions{PrefetchPages: prefetch}}})
				if err != nil {
					t.Fatal(err)
				}
				benchkit.Churn(t, dir, 60, 10, deletes)
			})
		}
	}
}
