package conformance

import (
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testList(t *testing.T, h Harness) {
	t.Run("Pagination", func(t *testing.T) {
		e := newEnv(t, h)
		var want []string
		for i := range 7 {
			want = append(want, e.create(e.newUser(fmt.Sprintf("page%d", i))).ID)
		}
		got := e.listTagged(identity.ListOptions{PageSize: 2})
		assert.Equal(t, len(want), len(got), "each user exactly once")
		assert.ElementsMatch(t, want, ids(got), "no duplicates, no gaps")
	})
	t.Run("PageCursors", func(t *testing.T) {
		e := newEnv(t, h)
		var want []string
		for i := range 7 {
			want = append(want, e.create(e.newUser(fmt.Sprintf("cur%d", i))).ID)
		}
		opts := identity.ListOptions{Query: e.tag, PageSize: 3}
		var got []string
		cursor, pages := "", 0
		for {
			pg, err := e.dir.ListUsersPage(e.ctx, opts, cursor)
			require.NoError(t, err)
			require.LessOrEqual(t, len(pg.Users), 3, "page larger than PageSize")
			pages++
			require.Less(t, pages, 20, "pagination does not end")
			for _, u := range pg.Users {
				got = append(got, u.ID)
			}
			if pg.NextCursor == "" {
				break
			}
			cursor = pg.NextCursor
		}
		assert.GreaterOrEqual(t, pages, 3, "7 users at 3 a page take at least 3 pages")
		assert.ElementsMatch(t, want, got)
	})
	t.Run("StopEarly", func(t *testing.T) {
		e := newEnv(t, h)
		for i := range 5 {
			e.create(e.newUser(fmt.Sprintf("stop%d", i)))
		}
		n := 0
		for u, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Query: e.tag, PageSize: 2}) {
			require.NoError(t, err)
			require.NotNil(t, u)
			n++
			if n == 3 {
				break
			}
		}
		assert.Equal(t, 3, n)
	})
	t.Run("FilterEmail", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("fe"))
		e.create(e.newUser("fe2"))
		got := e.listTagged(identity.ListOptions{Email: e.email("fe")})
		assert.Equal(t, []string{u.ID}, ids(got))
		var all []string
		for x, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Email: "FE." + e.tag + "@EXAMPLE.com"}) {
			require.NoError(t, err)
			all = append(all, x.ID)
		}
		assert.Equal(t, []string{u.ID}, all, "the email filter ignores case")
	})
	t.Run("FilterUsername", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Username {
			for _, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Username: "someone"}) {
				requireCode(t, err, identity.Unsupported)
			}
			_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{Username: "someone"}, "")
			requireCode(t, err, identity.Unsupported)
			return
		}
		nu := e.newUser("fu")
		nu.Username = e.username("fu")
		u := e.create(nu)
		e.create(e.newUser("fu2"))
		got := e.listTagged(identity.ListOptions{Username: nu.Username})
		assert.Equal(t, []string{u.ID}, ids(got))
	})
	t.Run("FilterStatus", func(t *testing.T) {
		e := newEnv(t, h)
		a := e.activeUser("act")
		s := e.activeUser("sus")
		require.NoError(t, e.dir.SuspendUser(e.ctx, s.ID))
		assert.Equal(t, []string{s.ID}, ids(e.listTagged(identity.ListOptions{Status: identity.StatusSuspended})))
		assert.Equal(t, []string{a.ID}, ids(e.listTagged(identity.ListOptions{Status: identity.StatusActive})))
	})
	t.Run("FilterQuery", func(t *testing.T) {
		e := newEnv(t, h)
		m := e.create(e.newUser("zebra"))
		e.create(e.newUser("yak"))
		var got []string
		for u, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Query: "zebra." + e.tag}) {
			require.NoError(t, err)
			got = append(got, u.ID)
		}
		assert.Equal(t, []string{m.ID}, got)
	})
	t.Run("CombinedFilters", func(t *testing.T) {
		e := newEnv(t, h)
		a := e.activeUser("both")
		b := e.activeUser("bothsus")
		require.NoError(t, e.dir.SuspendUser(e.ctx, b.ID))
		got := e.listTagged(identity.ListOptions{Status: identity.StatusActive, Email: e.email("both")})
		assert.Equal(t, []string{a.ID}, ids(got))
		got = e.listTagged(identity.ListOptions{Status: identity.StatusActive, Email: e.email("bothsus")})
		assert.Empty(t, got)
	})
	t.Run("NoMatch", func(t *testing.T) {
		e := newEnv(t, h)
		e.create(e.newUser("someone"))
		pg, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{Query: "nomatch" + e.tag}, "")
		require.NoError(t, err)
		assert.Empty(t, pg.Users)
		assert.Empty(t, pg.NextCursor)
	})
	t.Run("UnreachableStatus", func(t *testing.T) {
		e := newEnv(t, h)
		e.create(e.newUser("u"))
		for _, st := range []identity.Status{identity.StatusPending, identity.StatusLocked, identity.StatusDeprovisioned} {
			if e.caps.HasStatus(st) {
				continue
			}
			assert.Empty(t, e.listTagged(identity.ListOptions{Status: st}), "no user can be %s here", st)
		}
	})
	t.Run("ForeignCursor", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.ListUsersPage(e.ctx, identity.ListOptions{}, "bm90LWEtY3Vyc29y")
		requireCode(t, err, identity.InvalidArgument)
	})
	t.Run("HugePageSize", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("huge"))
		got := e.listTagged(identity.ListOptions{PageSize: 1 << 20})
		assert.Equal(t, []string{u.ID}, ids(got), "an over-large page size is capped, not refused")
	})
}
