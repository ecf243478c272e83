package identity_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
)

// FuzzInput sends arbitrary ids, emails, usernames, role names and cursors
// through the portable layer: never a panic, and whatever reaches the
// driver is well-formed by the layer's own rules.
func FuzzInput(f *testing.F) {
	f.Add("u1", "a@example.com", "bob", "admin", "")
	f.Add("../x", "a@b", "a b", " ", "c\x00")
	f.Add("%2F", "@x.com", "", "\xff", "zz")
	f.Fuzz(func(t *testing.T, id, email, username, role, cursor string) {
		ctx := context.Background()
		c := &counting{caps: all, user: &identity.User{ID: "u1"}}
		d := identity.NewDirectory("fuzz", c)
		check := func(op string, err error) {
			if err == nil {
				return
			}
			switch identity.CodeOf(err) {
			case identity.InvalidArgument, identity.Internal:
			default:
				t.Fatalf("%s: unexpected error %v", op, err)
			}
		}
		_, err := d.GetUser(ctx, id)
		check("GetUser", err)
		_, err = d.CreateUser(ctx, identity.NewUser{Email: email, Username: username})
		check("CreateUser", err)
		_, err = d.GetUserByEmail(ctx, email)
		check("GetUserByEmail", err)
		check("AssignRole", d.AssignRole(ctx, id, role))
		_, err = d.ListUsersPage(ctx, identity.ListOptions{Query: username}, cursor)
		check("ListUsersPage", err)
	})
}
