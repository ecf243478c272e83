package identity_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCursorBelongsToItsOptions: a ListUsersPage cursor given back with
// other options is InvalidArgument naming the cursor, before the backend
// sees it; with its own options, whatever the case of Email and Query,
// the listing goes on.
func TestCursorBelongsToItsOptions(t *testing.T) {
	ctx := context.Background()
	b := &listsOne{counting: &counting{caps: all, page: func(cursor string) *identity.UserPage {
		if cursor == "" {
			return &identity.UserPage{Users: []*identity.User{{ID: "a"}}, NextCursor: "p2"}
		}
		return &identity.UserPage{Users: []*identity.User{{ID: cursor}}}
	}}}
	d := identity.NewDirectory("test", b)
	opts := identity.ListOptions{Email: "Ada@Example.com", Query: "Ada", Status: identity.StatusActive, PageSize: 1}
	first, err := d.ListUsersPage(ctx, opts, "")
	require.NoError(t, err)
	require.NotEmpty(t, first.NextCursor)
	assert.NotEqual(t, "p2", first.NextCursor, "the backend's cursor is not handed out bare")

	same := opts
	same.Email, same.Query = "ada@example.com", "ADA"
	next, err := d.ListUsersPage(ctx, same, first.NextCursor)
	require.NoError(t, err)
	assert.Equal(t, "p2", next.Users[0].ID, "the backend got its own cursor back")
	assert.Empty(t, next.NextCursor, "the last page's cursor stays empty")

	other := func(f func(*identity.ListOptions)) identity.ListOptions { o := opts; f(&o); return o }
	for name, o := range map[string]identity.ListOptions{
		"PageSize": other(func(o *identity.ListOptions) { o.PageSize = 2 }),
		"Status":   other(func(o *identity.ListOptions) { o.Status = identity.StatusSuspended }),
		"Email":    other(func(o *identity.ListOptions) { o.Email = "" }),
		"Query":    other(func(o *identity.ListOptions) { o.Query = "Bob" }),
		"Username": other(func(o *identity.ListOptions) { o.Username = "ada" }),
	} {
		t.Run(name, func(t *testing.T) {
			calls := b.calls.Load()
			_, err := d.ListUsersPage(ctx, o, first.NextCursor)
			requireBadCursor(t, err, "other ListOptions")
			assert.Equal(t, calls, b.calls.Load(), "the backend was not asked")
		})
	}
	for _, c := range []string{"p2", "not-a-tag.p2", first.NextCursor[:11] + "."} {
		_, err := d.ListUsersPage(ctx, opts, c)
		requireBadCursor(t, err, "not made by ListUsersPage")
	}
	_, err = identity.NewDirectory("other", b).ListUsersPage(ctx, opts, first.NextCursor)
	requireBadCursor(t, err, "other ListOptions")
}

func requireBadCursor(t *testing.T, err error, says string) {
	t.Helper()
	var e *identity.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identity.InvalidArgument, e.Code)
	assert.Equal(t, "cursor", e.Field)
	assert.Contains(t, e.Message, says)
	assert.Contains(t, e.Message, "empty cursor", "says what to do")
}

// TestCursorOutlivesItsDirectory: a cursor names no process, so that an
// application's other instance, or the same after a restart, goes on
// with it.
func TestCursorOutlivesItsDirectory(t *testing.T) {
	ctx := context.Background()
	page := func(cursor string) *identity.UserPage {
		if cursor == "" {
			return &identity.UserPage{Users: []*identity.User{{ID: "a"}}, NextCursor: "p2"}
		}
		return &identity.UserPage{Users: []*identity.User{{ID: fmt.Sprint("after ", cursor)}}}
	}
	one := identity.NewDirectory("test", &counting{caps: all, page: page})
	pg, err := one.ListUsersPage(ctx, identity.ListOptions{PageSize: 1}, "")
	require.NoError(t, err)
	two := identity.NewDirectory("test", &counting{caps: all, page: page})
	pg, err = two.ListUsersPage(ctx, identity.ListOptions{PageSize: 1}, pg.NextCursor)
	require.NoError(t, err)
	assert.Equal(t, "after p2", pg.Users[0].ID)
}
