package identity_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/idport/identity"
	_ "github.com/idport/identity/backends/memory" // registers memory://
)

// The backend is chosen by the URL alone; this runs on the in-memory one.
func Example() {
	ctx := context.Background()
	dir, err := identity.Open(ctx, "memory://")
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()

	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{FamilyName: new("Lovelace"), Metadata: map[string]any{"plan": "pro"}})
	if err != nil {
		log.Fatal(err)
	}
	got, _ := dir.GetUserByEmail(ctx, "ADA@example.com")
	fmt.Println(got.GivenName, got.FamilyName, got.Status, got.Metadata["plan"])
	// Output: Ada Lovelace active pro
}

// Errors carry a portable code; test it with errors.Is.
func ExampleError() {
	ctx := context.Background()
	dir, _ := identity.Open(ctx, "memory://")
	defer dir.Close()

	_, err := dir.GetUser(ctx, "nobody")
	fmt.Println(errors.Is(err, identity.ErrNotFound))

	var e *identity.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Op, e.Backend)
	}
	// Output:
	// true
	// NotFound GetUser memory
}

// ListUsers pages lazily: only the pages the loop reaches are fetched.
func ExampleDirectory_ListUsers() {
	ctx := context.Background()
	dir, _ := identity.Open(ctx, "memory://")
	defer dir.Close()
	for _, name := range []string{"ann", "bob", "cid"} {
		if _, err := dir.CreateUser(ctx, identity.NewUser{Email: name + "@example.com"}); err != nil {
			log.Fatal(err)
		}
	}
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{PageSize: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Email)
	}
	// Output:
	// ann@example.com
	// bob@example.com
	// cid@example.com
}

// A Secret never shows its value when printed or logged.
func ExampleSecret() {
	pw := identity.Secret("hunter2")
	fmt.Println(pw, identity.NewUser{Email: "a@example.com", Password: pw}.Password)
	// Output: [REDACTED] [REDACTED]
}

// Capabilities tell in advance what a backend would refuse as Unsupported.
func ExampleDirectory_Capabilities() {
	ctx := context.Background()
	dir, _ := identity.Open(ctx, "memory://")
	defer dir.Close()
	c := dir.Capabilities()
	fmt.Println(c.Roles, c.RoleCatalog, c.HasStatus(identity.StatusLocked))
	// Output: true true true
}
