package faultinject_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/faultinject"
)

// The first request meets a 503 and the second has its answer cut off
// after the emulator made the user: the directory sends the first create
// again, and settles the second by looking the user up, so the caller
// gets its user and the org holds exactly one.
func Example() {
	f := faultinject.New(faultinject.Options{Script: []faultinject.Fault{faultinject.Status503, faultinject.ResetAfter}})
	emu := oktatest.New(oktatest.Options{APIToken: "token", Middleware: f.Wrap})
	srv := httptest.NewServer(emu)
	defer srv.Close()

	ctx := context.Background()
	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: "token"})
	if err != nil {
		panic(err)
	}
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace"})
	if err != nil {
		panic(err)
	}
	fmt.Println("created", u.Email)
	fmt.Println("users in the org:", emu.UserCount())
	fmt.Println("faults injected:", f.Injected())
	// Output:
	// created ada@example.com
	// users in the org: 1
	// faults injected: 2
}
