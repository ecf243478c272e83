package oktatest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// values flattens a profile value into the strings filter and search
// compare: an array matches when any element does.
func values(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case json.Number:
		return []string{t.String()}
	case bool:
		return []string{strconv.FormatBool(t)}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, values(x)...)
		}
		return out
	}
	return nil
}

// userAttr returns the attribute getter filter and search evaluate
// against. Callers hold e.mu.
func (e *Emulator) userAttr(u *user) func(string) []string {
	return func(attr string) []string {
		when := func(t interface{ IsZero() bool }, s string) []string {
			if t.IsZero() {
				return nil
			}
			return []string{s}
		}
		switch attr {
		case "id":
			return []string{u.id}
		case "status":
			return []string{u.status}
		case "type.id":
			return []string{e.typeID}
		case "created":
			return []string{stamp(u.created)}
		case "activated":
			return when(u.activated, stamp(u.activated))
		case "statusChanged":
			return when(u.statusChanged, stamp(u.statusChanged))
		case "lastUpdated":
			return []string{stamp(u.lastUpdated)}
		}
		name, isProfile := strings.CutPrefix(attr, "profile.")
		if !isProfile {
			return nil
		}
		return values(u.profile[name])
	}
}

// cursor is the position after which the next page starts: the sort key,
// tie-breaker and creation sequence of the last item served.
type cursor struct {
	Key string `json:"k"`
	Tie string `json:"t,omitempty"`
	Seq int64  `json:"s"`
}

// encodeCursor makes an opaque after value, signed so that one the
// emulator did not make is recognised.
func (e *Emulator) encodeCursor(c cursor) string {
	payload, _ := json.Marshal(c)
	p := base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, e.cursorKey)
	mac.Write([]byte(p))
	return p + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
}

func (e *Emulator) decodeCursor(s string) (cursor, bool) {
	var c cursor
	p, sig, found := strings.Cut(s, ".")
	if !found {
		return c, false
	}
	mac := hmac.New(sha256.New, e.cursorKey)
	mac.Write([]byte(p))
	want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return c, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, false
	}
	return c, true
}

// badCursor answers an after value the emulator did not make: 400
// E0000001 naming after (Unpublished; Okta's cursors are ids it can
// always read).
func badCursor() reply { return invalid("after", "after: The cursor is not valid") }

// readLimit reads limit: absent is def, above max is max (Okta caps
// silently), not a positive integer is 400 E0000001 (Unpublished).
func readLimit(q url.Values, def, max int) (int, reply, bool) {
	v := q.Get("limit")
	if v == "" {
		return min(def, max), reply{}, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, invalid("limit", "limit: The value must be a positive integer"), false
	}
	return min(n, max), reply{}, true
}

// item is a listed object and what pagination orders it by.
type item struct {
	key string
	// tie orders items with equal keys: a sorted user search sets it to
	// the id, since Okta orders users with the same sortBy value by id.
	tie string
	seq int64
	obj any
}

// order compares two items: by key (reversed when desc), then by tie
// (ascending whatever the sort order, as Okta does not say it follows
// sortOrder), then by creation, so that the order is total and stable.
func order(a, b item, desc bool) int {
	if d := strings.Compare(a.key, b.key); d != 0 {
		if desc {
			return -d
		}
		return d
	}
	if d := strings.Compare(a.tie, b.tie); d != 0 {
		return d
	}
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

// paginate sorts items and returns the bounds of the page that follows
// after (all from the start when empty), and the cursor of the next page
// when more remain.
func (e *Emulator) paginate(items []item, desc bool, after string, limit int) (lo, hi int, next string, rp reply, good bool) {
	slices.SortFunc(items, func(a, b item) int { return order(a, b, desc) })
	if after != "" {
		c, valid := e.decodeCursor(after)
		if !valid {
			return 0, 0, "", badCursor(), false
		}
		lo = len(items)
		for i, it := range items {
			if order(it, item{key: c.Key, tie: c.Tie, seq: c.Seq}, desc) > 0 {
				lo = i
				break
			}
		}
	}
	hi = min(lo+limit, len(items))
	if hi < len(items) {
		last := items[hi-1]
		next = e.encodeCursor(cursor{Key: last.key, Tie: last.tie, Seq: last.seq})
	}
	return lo, hi, next, reply{}, true
}

// pageLinks are the Link header lines, one per relation: self with the
// limit in force, and next with its after cursor when more remain.
func pageLinks(r *http.Request, limit int, next string) http.Header {
	base := requestOrigin(r) + r.URL.EscapedPath()
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(limit))
	h := http.Header{}
	h.Add("Link", fmt.Sprintf(`<%s?%s>; rel="self"`, base, q.Encode()))
	if next != "" {
		q.Set("after", next)
		h.Add("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, base, q.Encode()))
	}
	return h
}

// listUsers pages users in creation order, or by sortBy with a search.
// Without a query DEPROVISIONED users are left out; filter and search
// include them. q is a prefix match on firstName, lastName and email that
// leaves out DEPROVISIONED users and does not paginate. Unpublished:
// filter, search and q given together must all match; sortBy is honoured
// only with search, as Okta documents, compares values as lower-cased
// strings, and names an attribute search allows or is 400 E0000031.
func (e *Emulator) listUsers(r *http.Request, _ []string) reply {
	q := r.URL.Query()
	prefix := strings.ToLower(q.Get("q"))
	def := 200
	if prefix != "" {
		def = 10
	}
	limit, rp, good := readLimit(q, def, e.opts.MaxPageSize)
	if !good {
		return rp
	}
	var conds []expr
	if s := q.Get("filter"); s != "" {
		x, err := parse(s, filterAllowed, false)
		if err != nil {
			return badSearch()
		}
		conds = append(conds, x)
	}
	sortBy, desc := "", false
	if s := q.Get("search"); s != "" {
		x, err := parse(s, searchAllowed, true)
		if err != nil {
			return badSearch()
		}
		conds = append(conds, x)
		sortBy, desc = q.Get("sortBy"), strings.EqualFold(q.Get("sortOrder"), "desc")
		if sortBy != "" && !searchAllowed(sortBy, "eq") {
			return badSearch()
		}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	var items []item
	for _, u := range e.users {
		if len(conds) == 0 && u.status == deprovisioned {
			continue
		}
		get := e.userAttr(u)
		if prefix != "" && !startsWith(u, prefix) {
			continue
		}
		hit := true
		for _, c := range conds {
			hit = hit && c.eval(get)
		}
		if !hit {
			continue
		}
		it := item{seq: u.seq, obj: u}
		if sortBy != "" {
			if vs := get(sortBy); len(vs) > 0 {
				it.key = strings.ToLower(vs[0])
			}
			it.tie = u.id
		}
		items = append(items, it)
	}
	var lo, hi int
	var next string
	if prefix != "" {
		slices.SortFunc(items, func(a, b item) int { return order(a, b, desc) })
		hi = min(limit, len(items))
	} else if lo, hi, next, rp, good = e.paginate(items, desc, q.Get("after"), limit); !good {
		return rp
	}
	out := make([]map[string]any, 0, hi-lo)
	origin := requestOrigin(r)
	omit := readOmissions(r)
	for _, it := range items[lo:hi] {
		out = append(out, omit.apply(e.userJSON(it.obj.(*user), origin, false)))
	}
	rp = ok(out)
	rp.Header = pageLinks(r, limit, next)
	return rp
}

// startsWith is q's match.
func startsWith(u *user, prefix string) bool {
	for _, k := range []string{"firstName", "lastName", "email"} {
		if s, _ := u.profile[k].(string); strings.HasPrefix(strings.ToLower(s), prefix) {
			return true
		}
	}
	return false
}
