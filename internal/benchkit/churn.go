package benchkit

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
)

// Churn lists dir's users, n of them made beforehand, in pages of size,
// creating more users at every page boundary (and deleting one not yet
// listed, when deletes): no user may come twice, and without deletes
// every user made beforehand comes. It is a test for backends whose
// provider pages by number.
func Churn(t *testing.T, dir *identity.Directory, n, size int, deletes bool) {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for i := range n {
		u, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("before%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	seen, deleted := map[string]bool{}, map[string]bool{}
	k := 0
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: size}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[u.ID] {
			t.Fatalf("%s came twice", u.ID)
		}
		seen[u.ID] = true
		if k++; k%size != 0 {
			continue
		}
		for j := range 3 {
			if _, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("during%d.%d@example.com", k, j)}); err != nil {
				t.Fatal(err)
			}
		}
		if deletes {
			// A user not yet listed: it may still come (its page may be
			// in hand already), but not twice.
			for _, id := range ids {
				if !seen[id] && !deleted[id] {
					if err := dir.DeleteUser(ctx, id); err != nil {
						t.Fatal(err)
					}
					deleted[id] = true
					break
				}
			}
		}
	}
	if !deletes {
		for _, id := range ids {
			if !seen[id] {
				t.Errorf("%s, made before the listing, did not come", id)
			}
		}
	}
}
