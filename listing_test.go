package identity_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedBackend lists users u0..u{n-1} in pages of size, with cursors
// "p{page}", and counts the requests under way.
type pagedBackend struct {
	driver.Directory // nil: only what a listing calls is implemented
	n, size          int
	// failAt, when positive, is the page whose request fails.
	failAt int
	// repeatLast makes each page start with the last user of the page
	// before, as a provider paging by offset does when a user is
	// created between two requests.
	repeatLast bool
	// latency is how long each request takes, unless its context ends.
	latency time.Duration

	inFlight, maxInFlight, requests atomic.Int32
}

func (b *pagedBackend) Capabilities() identity.Capabilities {
	return identity.Capabilities{Statuses: []identity.Status{identity.StatusActive}}
}

func (b *pagedBackend) Close() error { return nil }

func (b *pagedBackend) pages() int { return (b.n + b.size - 1) / b.size }

func (b *pagedBackend) ListUsers(ctx context.Context, _ identity.ListOptions, cursor string) (*identity.UserPage, error) {
	b.requests.Add(1)
	cur := b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	for {
		m := b.maxInFlight.Load()
		if cur <= m || b.maxInFlight.CompareAndSwap(m, cur) {
			break
		}
	}
	page := 1
	if cursor != "" {
		page, _ = strconv.Atoi(strings.TrimPrefix(cursor, "p"))
	}
	t := time.NewTimer(b.latency)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
	}
	if page == b.failAt {
		return nil, driver.Errorf(identity.Unavailable, "page %d failed", page)
	}
	pg := &identity.UserPage{}
	from := (page - 1) * b.size
	if b.repeatLast && page > 1 {
		from--
	}
	for i := from; i < min(page*b.size, b.n); i++ {
		pg.Users = append(pg.Users, &identity.User{ID: fmt.Sprintf("u%d", i), Status: identity.StatusActive,
			CreatedAt: time.Unix(int64(b.n-i), 0)})
	}
	if page < b.pages() {
		pg.NextCursor = fmt.Sprintf("p%d", page+1)
	}
	return pg, nil
}

// numbered is a pagedBackend whose cursors name pages ahead, and whose
// listing is newest first.
type numbered struct{ *pagedBackend }

func (b numbered) CursorAhead(_ identity.ListOptions, cursor string, n int) (string, bool) {
	page, err := strconv.Atoi(strings.TrimPrefix(cursor, "p"))
	if err != nil || page+n > b.pages() {
		return "", false
	}
	return fmt.Sprintf("p%d", page+n), true
}

func (b numbered) CompareListed(x, y *identity.User) int { return y.CreatedAt.Compare(x.CreatedAt) }

// settled waits for the goroutines started since base to end, and fails
// when some are still running after a generous while.
func settled(t *testing.T, base int) {
	t.Helper()
	for range 200 {
		if runtime.NumGoroutine() <= base {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("%d goroutines still running, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
}

func TestListUsersPrefetchOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		prefetch int
		ahead    bool
		maxOut   int32 // the most requests under way at once
	}{
		{"off", 1, true, 1},
		{"next page only", 4, false, 1},
		{"two ahead", 2, true, 2},
		{"default", 0, true, identity.DefaultPrefetchPages},
		{"more than pages", 50, true, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pb := &pagedBackend{n: 95, size: 10, latency: time.Millisecond}
			var drv driver.Directory = pb
			if tc.ahead {
				drv = numbered{pb}
			}
			dir := identity.NewDirectory("paged", drv, identity.DirectoryOptions{PrefetchPages: tc.prefetch})
			var got []string
			for u, err := range dir.ListUsers(context.Background(), identity.ListOptions{}) {
				require.NoError(t, err)
				got = append(got, u.ID)
			}
			require.Len(t, got, 95)
			for i, id := range got {
				require.Equal(t, fmt.Sprintf("u%d", i), id)
			}
			assert.EqualValues(t, 10, pb.requests.Load(), "no page is requested twice, none past the end")
			assert.LessOrEqual(t, pb.maxInFlight.Load(), tc.maxOut)
			assert.Zero(t, pb.inFlight.Load())
		})
	}
}

// TestListUsersLeavesNothingRunning ends listings every way a loop can
// end, and checks that when it has, no request is under way and no
// goroutine of the listing is left.
func TestListUsersLeavesNothingRunning(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stop  int // users the loop takes before it breaks; 0 runs to the end
		fail  int // the page that fails
		abort int // users after which the loop cancels the context
		want  error
	}{
		{name: "break on the first page", stop: 3},
		{name: "break on a later page", stop: 42},
		{name: "cancelled context", abort: 25, want: context.Canceled},
		{name: "error on a page ahead", fail: 4, want: errors.New("Unavailable")},
		{name: "to the end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			pb := &pagedBackend{n: 200, size: 10, failAt: tc.fail, latency: 2 * time.Millisecond}
			dir := identity.NewDirectory("paged", numbered{pb}, identity.DirectoryOptions{PrefetchPages: 8})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			var last error
			for u, err := range dir.ListUsers(ctx, identity.ListOptions{}) {
				if err != nil {
					last = err
					continue
				}
				require.Equal(t, fmt.Sprintf("u%d", n), u.ID, "users come in order")
				n++
				if n == tc.stop {
					break
				}
				if n == tc.abort {
					cancel()
				}
			}
			assert.Zero(t, pb.inFlight.Load(), "a request is still under way after the loop")
			switch {
			case tc.want == context.Canceled:
				assert.ErrorIs(t, last, context.Canceled)
			case tc.want != nil:
				assert.Equal(t, identity.Unavailable, identity.CodeOf(last))
				assert.Equal(t, (tc.fail-1)*10, n, "every user before the failed page, none after")
			case tc.stop > 0:
				assert.Equal(t, tc.stop, n)
			default:
				assert.Equal(t, 200, n)
			}
			settled(t, base)
		})
	}
}

// TestListUsersDropsRepeats: on a backend paging by offset, a user that
// comes again at the top of the next page (one was created meanwhile)
// is yielded once.
func TestListUsersDropsRepeats(t *testing.T) {
	for _, prefetch := range []int{1, 4} {
		t.Run(fmt.Sprint(prefetch), func(t *testing.T) {
			pb := &pagedBackend{n: 55, size: 10, repeatLast: true}
			dir := identity.NewDirectory("paged", numbered{pb}, identity.DirectoryOptions{PrefetchPages: prefetch})
			seen := map[string]bool{}
			for u, err := range dir.ListUsers(context.Background(), identity.ListOptions{}) {
				require.NoError(t, err)
				require.False(t, seen[u.ID], "%s came twice", u.ID)
				seen[u.ID] = true
			}
			assert.Len(t, seen, 55)
		})
	}
}

// TestListUsersConcurrentLoops: listings of one directory run at once
// without sharing state.
func TestListUsersConcurrentLoops(t *testing.T) {
	pb := &pagedBackend{n: 120, size: 10}
	dir := identity.NewDirectory("paged", numbered{pb})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			n := 0
			for _, err := range dir.ListUsers(context.Background(), identity.ListOptions{}) {
				assert.NoError(t, err)
				n++
			}
			assert.Equal(t, 120, n)
		})
	}
	wg.Wait()
}

// guessing lists users u0..u{n-1}, oldest first, in pages of size, as a
// provider numbering its pages does: a page's NextCursor "p{page}/{n}"
// carries the total it was answered with, and CursorAhead of the empty
// cursor guesses "p{page}", a cursor without one. The request for the
// first page waits until together requests have arrived, so that the
// test can tell which pages were asked for before any answer.
type guessing struct {
	driver.Directory // nil: only what a listing calls is implemented
	size, together   int
	// grow adds a user once the first page is answered: a page answered
	// after that carries another total than the first.
	grow bool

	mu       sync.Mutex
	n        int
	cursors  []string // every cursor asked for, in order of arrival
	timedOut bool     // the first page stopped waiting for the others
}

func (b *guessing) Capabilities() identity.Capabilities {
	return identity.Capabilities{Statuses: []identity.Status{identity.StatusActive}, Username: true}
}

func (b *guessing) Close() error { return nil }

func pageOf(cursor string) (page, total int, hinted bool) {
	p, t, hinted := strings.Cut(strings.TrimPrefix(cursor, "p"), "/")
	page, _ = strconv.Atoi(p)
	total, _ = strconv.Atoi(t)
	return max(page, 1), total, hinted
}

func (b *guessing) ListUsers(ctx context.Context, _ identity.ListOptions, cursor string) (*identity.UserPage, error) {
	b.mu.Lock()
	b.cursors = append(b.cursors, cursor)
	b.mu.Unlock()
	page, _, _ := pageOf(cursor)
	if page == 1 {
		deadline := time.Now().Add(5 * time.Second)
		for b.asked() < b.together {
			if time.Now().After(deadline) {
				b.mu.Lock()
				b.timedOut = true
				b.mu.Unlock()
				break
			}
			time.Sleep(time.Millisecond)
		}
	} else {
		// Pages after the first are answered after it.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	pg := &identity.UserPage{}
	for i := (page - 1) * b.size; i < min(page*b.size, b.n); i++ {
		pg.Users = append(pg.Users, &identity.User{ID: fmt.Sprintf("u%d", i), Status: identity.StatusActive})
	}
	if page*b.size < b.n {
		pg.NextCursor = fmt.Sprintf("p%d/%d", page+1, b.n)
	}
	if page == 1 && b.grow {
		b.n++
	}
	return pg, nil
}

func (b *guessing) asked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.cursors)
}

func (b *guessing) CursorAhead(_ identity.ListOptions, cursor string, n int) (string, bool) {
	if cursor == "" {
		return fmt.Sprintf("p%d", 1+n), true
	}
	page, total, hinted := pageOf(cursor)
	if !hinted || page+n > (total+b.size-1)/b.size {
		return "", false
	}
	return fmt.Sprintf("p%d/%d", page+n, total), true
}

// TestListUsersFirstPagesTogether: on a backend that numbers its pages, a
// listing of every user asks for its first pages before the first answer,
// up to DefaultPrefetchPages and within PrefetchPages; drops those the
// first answer says the listing does not have; asks again for one
// answered in another state of the listing than the first; and guesses
// nothing for a listing by email, username or query.
func TestListUsersFirstPagesTogether(t *testing.T) {
	for _, tc := range []struct {
		name     string
		users    int
		opts     identity.ListOptions
		prefetch int
		grow     bool
		guesses  int // pages asked for before the first answer, beside it
		requests int
		want     int // users listed
	}{
		{name: "many pages", users: 95, guesses: 3, requests: 10, want: 95},
		{name: "by status", users: 95, opts: identity.ListOptions{Status: identity.StatusActive}, guesses: 3, requests: 10, want: 95},
		{name: "two pages", users: 15, guesses: 3, requests: 4, want: 15},
		{name: "one page", users: 5, guesses: 3, requests: 4, want: 5},
		{name: "empty", users: 0, guesses: 3, requests: 4, want: 0},
		{name: "a high limit guesses no more", users: 95, prefetch: 50, guesses: 3, requests: 10, want: 95},
		{name: "within the limit", users: 95, prefetch: 2, guesses: 1, requests: 10, want: 95},
		{name: "prefetch off", users: 95, prefetch: 1, guesses: 0, requests: 10, want: 95},
		// p1, the guesses p2 p3 p4 answered with 41 users, p2 again, then
		// p3 p4 p5 as the answers name them.
		{name: "another state", users: 40, grow: true, guesses: 3, requests: 8, want: 41},
		{name: "by email", users: 95, opts: identity.ListOptions{Email: "a@example.com"}, guesses: 0, requests: 10, want: 95},
		{name: "by username", users: 95, opts: identity.ListOptions{Username: "ada"}, guesses: 0, requests: 10, want: 95},
		{name: "by query", users: 95, opts: identity.ListOptions{Query: "ex"}, guesses: 0, requests: 10, want: 95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			b := &guessing{size: 10, n: tc.users, together: 1 + tc.guesses, grow: tc.grow}
			dir := identity.NewDirectory("guessing", b, identity.DirectoryOptions{PrefetchPages: tc.prefetch})
			var got []string
			for u, err := range dir.ListUsers(context.Background(), tc.opts) {
				require.NoError(t, err)
				got = append(got, u.ID)
			}
			settled(t, base)
			require.False(t, b.timedOut, "the first page waited for %d requests; asked for %q", b.together, b.cursors)
			require.Len(t, got, tc.want)
			for i, id := range got {
				require.Equal(t, fmt.Sprintf("u%d", i), id, "users come once each, in order")
			}
			assert.Len(t, b.cursors, tc.requests, "asked for %q", b.cursors)
			guessed := 0
			for _, c := range b.cursors {
				if _, _, hinted := pageOf(c); c != "" && !hinted {
					guessed++
				}
			}
			assert.Equal(t, tc.guesses, guessed, "asked for %q", b.cursors)
		})
	}
}
