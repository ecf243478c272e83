package identity

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync"

	"github.com/idport/identity/driver"
)

// pageResult is a page as the backend answered it.
type pageResult struct {
	users []*User
	next  string
	err   error
}

// fetch is one page requested: its cursor, and where its answer comes.
type fetch struct {
	cursor string
	// early is set for a page asked for before the one ahead of it was
	// answered: its answer may come from another state of the listing.
	early bool
	// blind is set for a page asked for with the first, before any
	// answer said how long the listing is: its cursor is the backend's
	// guess, replaced by the one the first page names once it is in.
	blind  bool
	done   chan pageResult // buffered: the request never waits for the loop
	cancel context.CancelFunc
}

// lister runs one ListUsers listing whose pages may be fetched ahead. Each
// page is requested in a goroutine of its own, at most limit pages are
// requested and not yet yielded (the page the loop is on included), and
// pages are yielded in order, so that prefetching changes when requests
// are made, never what the loop sees.
type lister struct {
	ctx   context.Context
	get   func(ctx context.Context, cursor string) pageResult
	ahead func(cursor string, n int) (string, bool) // nil: cursors come only with pages
	limit int
	// blind lets the first pages be asked for together, before the first
	// answer: set where a listing is likely to have several pages, since
	// for a listing of one page the others are requests for nothing.
	blind bool
	// refetched counts the times the page at the queue's head was asked
	// for again, answered in another state of the listing than the page
	// before it.
	refetched int
	wg        sync.WaitGroup
	queue     []*fetch // requested, in page order
}

func (l *lister) start(cursor string, blind bool) {
	ctx, cancel := context.WithCancel(l.ctx)
	f := &fetch{cursor: cursor, early: len(l.queue) > 0, blind: blind, done: make(chan pageResult, 1), cancel: cancel}
	l.queue = append(l.queue, f)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f.done <- l.get(ctx, cursor)
	}()
}

// drop cancels every page requested and not yet yielded.
func (l *lister) drop() {
	for _, f := range l.queue {
		f.cancel()
	}
	l.queue = l.queue[:0]
}

// fill requests pages until n are requested and not yet yielded: the
// page at next, then those CursorAhead names after it.
func (l *lister) fill(next string, n int) {
	for len(l.queue) < n {
		c := next
		if len(l.queue) > 0 {
			if l.ahead == nil {
				return
			}
			var ok bool
			if c, ok = l.ahead(next, len(l.queue)); !ok {
				return
			}
		}
		l.start(c, false)
	}
}

// maxBlind bounds the pages asked for blind, whatever the limit: for a
// listing shorter than they are, they are requests for nothing, and a
// limit set high for long listings should not cost a short one as many.
const maxBlind = DefaultPrefetchPages - 1

// begin requests the first page and, where blind allows and the backend
// can name them before any answer (CursorAhead of the empty cursor), up
// to maxBlind pages after it within the limit, so that a listing of many
// pages does not wait a round trip for its first answer before asking
// for the rest.
func (l *lister) begin() {
	l.start("", false)
	if l.ahead == nil || !l.blind {
		return
	}
	for n := 1; n < l.limit && n <= maxBlind; n++ {
		c, ok := l.ahead("", n)
		if !ok {
			return
		}
		l.start(c, true)
	}
}

// rebase gives the pages asked for blind the cursors that next, the
// first page's NextCursor, names for them, so that each is checked
// against the listing's state as any page asked for ahead is; those the
// first answer says the listing does not have are dropped.
func (l *lister) rebase(next string) {
	for i, f := range l.queue {
		if !f.blind {
			return
		}
		c, ok := next, true
		if i > 0 {
			c, ok = l.ahead(next, i)
		}
		if !ok {
			for _, g := range l.queue[i:] {
				g.cancel()
			}
			l.queue = l.queue[:i]
			return
		}
		f.cursor, f.blind = c, false
	}
}

// maxRefetch bounds how often one page is asked for again, so that a
// listing under constant churn still moves on.
const maxRefetch = 3

// stale reports whether a page asked for at cursor, whose answer names
// next, was answered in another state of the listing than the page
// before it: the backend's cursors carry what the provider said of the
// listing (its total, say), and the page after this one, as the
// previous page's state names it, is not the one this page names. The
// first page is the listing's reference; without PagesAhead, cursors
// come only with pages, and nothing is asked for ahead.
func (l *lister) stale(cursor, next string) bool {
	if l.ahead == nil || cursor == "" || l.refetched >= maxRefetch {
		return false
	}
	want, ok := l.ahead(cursor, 1)
	return ok && want != next
}

// close leaves nothing running: every request still out is cancelled,
// and waited for, before the iterator returns.
func (l *lister) close() {
	l.drop()
	l.wg.Wait()
}

// run is the listing's loop; keep filters what yield is given (nil keeps
// every user), and repeated is the error of a cursor that does not move.
// It returns the pages and users it yielded.
func (l *lister) run(keep func(*User) bool, repeated func() error, yield func(*User, error) bool) (pages, users int) {
	defer l.close()
	l.begin()
	for len(l.queue) > 0 {
		f := l.queue[0]
		var r pageResult
		select {
		case r = <-f.done:
		default:
			select {
			case r = <-f.done:
			case <-l.ctx.Done():
				yield(nil, l.ctx.Err())
				return pages, users
			}
		}
		f.cancel()
		l.queue = l.queue[1:]
		if r.err != nil {
			yield(nil, r.err)
			return pages, users
		}
		if f.early && l.stale(f.cursor, r.next) {
			// Asked for ahead, this page was answered in another state
			// of the listing than the page before it (a user created or
			// deleted in between moved the pages): its users may repeat
			// or skip the previous page's. Ask again, now that the page
			// before it is in hand: for it alone, since the pages after
			// it were named in the same old state, and its answer names
			// them in the new one.
			l.refetched++
			l.drop()
			l.fill(f.cursor, 1)
			continue
		}
		l.refetched = 0
		pages++
		if f.cursor == "" && r.next != "" {
			l.rebase(r.next)
		}
		switch {
		case r.next == "" || r.next == f.cursor:
			l.drop()
		case len(l.queue) > 0 && l.queue[0].cursor != r.next:
			// The backend's guess at the next cursor was wrong: what was
			// asked for ahead of it is not the listing.
			l.drop()
		}
		if r.next != "" && r.next != f.cursor {
			// While the loop works on this page, the next ones come.
			l.fill(r.next, l.limit-1)
		}
		for _, u := range r.users {
			if keep != nil && !keep(u) {
				continue
			}
			users++
			if !yield(u, nil) {
				return pages, users
			}
		}
		switch {
		case r.next == "":
			return pages, users
		case r.next == f.cursor:
			// A cursor that does not move would loop for ever.
			yield(nil, repeated())
			return pages, users
		}
		if err := l.ctx.Err(); err != nil {
			yield(nil, err)
			return pages, users
		}
		l.fill(r.next, l.limit)
	}
	return pages, users
}

// onePass keeps, within one listing, only users that come after the last
// one kept in order (cmp < 0 when a comes first): a user that comes
// before it was already yielded, or was moved down by one created while
// the listing ran. Users that compare equal are told apart by id.
func onePass(cmp func(a, b *User) int) func(*User) bool {
	var last *User
	var tied map[string]bool // ids kept that compare equal to last
	return func(u *User) bool {
		if last != nil {
			switch c := cmp(u, last); {
			case c < 0:
				return false
			case c == 0:
				if tied[u.ID] {
					return false
				}
				tied[u.ID] = true
				last = u
				return true
			}
		}
		last = u
		clear(tied)
		if tied == nil {
			tied = map[string]bool{}
		}
		tied[u.ID] = true
		return true
	}
}

// A cursor ListUsersPage hands out is the backend's cursor after a tag,
// the first bytes of a SHA-256 of the backend's name and the listing's
// options, and a dot: a cursor given back with other options is told
// from one given back with its own before the backend reads it, which a
// backend's cursor alone could not do (Okta's is an id to list after,
// whatever the filter). The tag is not keyed: it catches mistakes, not
// forgery, and so holds across processes; a forged tag would only hand
// the backend a cursor of its own under other options, which is what
// every cursor was before tags.
const cursorTagLen = 11 // 8 bytes, unpadded base64url

// cursorTag is the tag of a listing with opts on backend. Email and
// Query match ignoring case, so their case does not change the listing.
func cursorTag(backend string, o ListOptions) string {
	h := sha256.New()
	var n [8]byte
	for _, s := range []string{"identity.ListUsersPage/1", backend, strings.ToLower(o.Email), o.Username,
		string(o.Status), strings.ToLower(o.Query)} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.BigEndian.PutUint64(n[:], uint64(int64(o.PageSize)))
	h.Write(n[:])
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:8])
}

// bindCursor is the cursor ListUsersPage returns for the backend's next,
// "" staying "".
func bindCursor(backend string, o ListOptions, next string) string {
	if next == "" {
		return ""
	}
	return cursorTag(backend, o) + "." + next
}

// unbindCursor returns the backend's cursor inside one bindCursor made
// for the same options, "" for "", and InvalidArgument naming the cursor
// for anything else.
func unbindCursor(backend string, o ListOptions, cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	tag, inner, ok := strings.Cut(cursor, ".")
	if !ok || len(tag) != cursorTagLen || inner == "" {
		return "", driver.InvalidArgumentError("cursor", "the cursor was not made by ListUsersPage of this backend; start the listing again with the empty cursor")
	}
	if tag != cursorTag(backend, o) {
		return "", driver.InvalidArgumentError("cursor", "the cursor was made for other ListOptions; pass the filters and PageSize of the listing it came from, or start again with the empty cursor")
	}
	return inner, nil
}
