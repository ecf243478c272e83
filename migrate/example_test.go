package migrate_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/migrate"
)

// Example copies one directory into another with a journal, then runs
// the copy again, as after an interruption: the second run skips what the
// first finished.
func Example() {
	ctx := context.Background()
	src, _ := memory.New(ctx, memory.Options{})
	dst, _ := memory.New(ctx, memory.Options{})
	_, _ = src.CreateRole(ctx, identity.Role{Name: "admin"})
	ada, _ := src.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada"})
	_ = src.AssignRole(ctx, ada.ID, "admin")
	bob, _ := src.CreateUser(ctx, identity.NewUser{Email: "bob@example.com"})
	_ = src.SuspendUser(ctx, bob.ID)

	dir, _ := os.MkdirTemp("", "migrate")
	defer os.RemoveAll(dir)
	opts := migrate.Options{
		Journal: filepath.Join(dir, "journal.jsonl"),
		Progress: func(p migrate.Progress) {
			fmt.Printf("%d done: %d created, %d skipped\n", p.Done, p.Created, p.Skipped)
		},
	}
	rep, err := migrate.Copy(ctx, src, dst, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("made:", rep.Made)
	rep, err = migrate.Copy(ctx, src, dst, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second run skipped", rep.Skipped)

	u, _ := dst.GetUserByEmail(ctx, "bob@example.com")
	fmt.Println("bob is", u.Status)
	// Output:
	// 1 done: 1 created, 0 skipped
	// 2 done: 2 created, 0 skipped
	// made: [{role admin}]
	// 1 done: 0 created, 1 skipped
	// 2 done: 0 created, 2 skipped
	// second run skipped 2
	// bob is suspended
}

// ExampleExport writes a directory's users to a file and reads the file
// into another directory.
func ExampleExport() {
	ctx := context.Background()
	src, _ := memory.New(ctx, memory.Options{})
	dst, _ := memory.New(ctx, memory.Options{})
	_, _ = src.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Metadata: map[string]any{"plan": "pro"}})

	dir, _ := os.MkdirTemp("", "migrate")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "users.jsonl")
	// The file holds password hashes: only its owner reads it.
	f, _ := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	exp, err := migrate.Export(ctx, migrate.FromDirectory(src), f)
	if err != nil {
		log.Fatal(err)
	}
	_ = f.Close()
	fmt.Println("exported", exp.Users)

	f, _ = os.Open(path)
	defer f.Close()
	rep, err := migrate.Import(ctx, dst, f, migrate.Options{})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := dst.GetUserByEmail(ctx, "ada@example.com")
	fmt.Println("imported", rep.Created, u.Metadata["plan"])
	// Output:
	// exported 1
	// imported 1 pro
}
