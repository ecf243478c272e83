package migrate_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/migrate"
)

// benchSource is a memory directory of n users, each with two roles, an
// organization membership with a role, metadata and a password.
func benchSource(b *testing.B, n int) *identity.Directory {
	b.Helper()
	ctx := context.Background()
	src, err := memory.New(ctx, cheap)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range []string{"reader", "writer"} {
		if _, err := src.CreateRole(ctx, identity.Role{Name: r}); err != nil {
			b.Fatal(err)
		}
	}
	org, err := src.CreateOrganization(ctx, identity.NewOrganization{Name: "Acme"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.CreateOrganizationRole(ctx, identity.OrganizationRole{Name: "member"}); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		u, err := src.CreateUser(ctx, identity.NewUser{Username: fmt.Sprintf("user%05d", i), Email: fmt.Sprintf("user%05d@example.com", i),
			GivenName: "Given", Metadata: map[string]any{"plan": "pro", "seat": float64(i)}, Password: "a password of some length"})
		if err != nil {
			b.Fatal(err)
		}
		if err := src.SetRoles(ctx, u.ID, "reader", "writer"); err != nil {
			b.Fatal(err)
		}
		if err := src.AddMembers(ctx, org.ID, u.ID); err != nil {
			b.Fatal(err)
		}
		if err := src.SetMemberRoles(ctx, org.ID, u.ID, "member"); err != nil {
			b.Fatal(err)
		}
	}
	return src
}

// BenchmarkCopyMemoryToMemory copies 1,000 users, with roles, a
// membership and password hashes, between two memory directories with a
// journal: the cost of Copy itself, without a network.
func BenchmarkCopyMemoryToMemory(b *testing.B) {
	const users = 1000
	src := benchSource(b, users)
	for _, conc := range []int{1, 4, 8} {
		b.Run(fmt.Sprint("concurrency=", conc), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				dst, err := memory.New(context.Background(), cheap)
				if err != nil {
					b.Fatal(err)
				}
				journal := filepath.Join(b.TempDir(), "journal.jsonl")
				b.StartTimer()
				rep, err := migrate.Copy(context.Background(), src, dst, migrate.Options{Journal: journal, Concurrency: conc})
				if err != nil || rep.Created != users {
					b.Fatalf("created %d of %d: %v", rep.Created, users, err)
				}
			}
			b.ReportMetric(float64(users*b.N)/b.Elapsed().Seconds(), "users/s")
		})
	}
}

// BenchmarkExportImport writes 1,000 users to the file format and imports
// the file into a memory directory.
func BenchmarkExportImport(b *testing.B) {
	const users = 1000
	src := benchSource(b, users)
	var size int
	for range b.N {
		var buf bytes.Buffer
		if _, err := migrate.Export(context.Background(), migrate.FromDirectory(src), &buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
		b.StopTimer()
		dst, err := memory.New(context.Background(), cheap)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := migrate.Import(context.Background(), dst, &buf, migrate.Options{})
		if err != nil || rep.Created != users {
			b.Fatalf("created %d of %d: %v", rep.Created, users, err)
		}
	}
	b.ReportMetric(float64(users*b.N)/b.Elapsed().Seconds(), "users/s")
	b.ReportMetric(float64(size)/users, "bytes/user")
}
