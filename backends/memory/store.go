package memory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/passhash"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// record is a stored user. Records are replaced, never mutated in place
// once published, except under the store's write lock.
type record struct {
	seq      uint64 // creation order, the listing key
	user     identity.User
	password *passhash.Hash
	expired  bool
	failures int
	roles    map[string]struct{}
	// orgs holds the ids of the organizations that keep a place for the
	// user (see orgRecord.members), so that deleting the user reaches
	// them without a scan of every organization.
	orgs map[string]struct{}
	sec  security
}

type store struct {
	opts Options
	hash HashParams

	mu         sync.RWMutex
	seq        uint64
	users      map[string]*record
	order      []*record // by seq; deleted records are dropped lazily
	deleted    int       // deleted records still in order
	byEmail    map[string]string
	byUsername map[string]string
	byPhone    map[string]string
	roles      map[string]identity.Role

	orgs       map[string]*orgRecord
	orgOrder   []*orgRecord // by seq; deleted organizations are dropped lazily
	orgDeleted int          // deleted organizations still in orgOrder
	orgByName  map[string]string
	orgRoles   map[string]*identity.OrganizationRole

	// resets finds the user of an outstanding reset link by the hash of
	// its token.
	resets map[[sha256.Size]byte]string
}

func newStore(opts Options) *store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockoutThreshold == 0 {
		opts.LockoutThreshold = DefaultLockoutThreshold
	}
	return &store{
		opts:       opts,
		hash:       opts.Hash.orDefault(),
		users:      make(map[string]*record),
		byEmail:    make(map[string]string),
		byUsername: make(map[string]string),
		byPhone:    make(map[string]string),
		roles:      make(map[string]identity.Role),
		orgs:       make(map[string]*orgRecord),
		orgByName:  make(map[string]string),
		orgRoles:   make(map[string]*identity.OrganizationRole),
		resets:     make(map[[sha256.Size]byte]string),
	}
}

func (s *store) Capabilities() identity.Capabilities {
	return identity.Capabilities{
		Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
		PendingCreate: true, Roles: true, RoleCatalog: true, UniqueEmail: true, UniquePhone: true,
		Organizations: true, OrganizationMetadata: true, UniqueOrganizationName: true, OrganizationRoles: true, OrganizationPermissions: true,
		SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
		RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, Deprovision: true,
		HasPassword: true, ResetPasswordLink: true, ResetPasswordTemporary: true,
		PasswordHashes: hashAlgorithms(), ExportPasswordHash: true,
		Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended, identity.StatusLocked, identity.StatusDeprovisioned},
	}
}

func (s *store) Close() error { return nil }

func (s *store) now() time.Time { return s.opts.Now().UTC() }

// newID returns an id of prefix and 20 random base-36 characters that is
// not a key of taken. Callers hold the write lock.
func newID[V any](prefix string, taken map[string]V) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	for {
		var b [20]byte
		_, _ = rand.Read(b[:])
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		id := prefix + string(b[:])
		if _, dup := taken[id]; !dup {
			return id
		}
	}
}

func notFound(id string) error {
	return &identity.Error{Code: identity.NotFound, UserID: id, Message: "no such user"}
}

func roleNotFound(name string) error {
	return &identity.Error{Code: identity.NotFound, Role: name, Message: "no such role"}
}

// out returns a copy the caller may keep and change.
func (r *record) out() *identity.User {
	u := r.user
	if r.user.Metadata != nil {
		u.Metadata = make(map[string]any, len(r.user.Metadata))
		for k, v := range r.user.Metadata {
			u.Metadata[k] = driver.CloneValue(v)
		}
	}
	return &u
}

// claim checks that the identifiers are free for id (or for a new user when
// id is ""). Callers hold the write lock.
func (s *store) claim(id, username, email, phone string) error {
	taken := func(index map[string]string, key, field string) error {
		if key == "" {
			return nil
		}
		if owner, ok := index[key]; ok && owner != id {
			return &identity.Error{Code: identity.AlreadyExists, Field: field, Message: field + " is already in use"}
		}
		return nil
	}
	if err := taken(s.byUsername, username, "Username"); err != nil {
		return err
	}
	if err := taken(s.byEmail, strings.ToLower(email), "Email"); err != nil {
		return err
	}
	return taken(s.byPhone, phone, "Phone")
}

func (s *store) index(r *record) {
	setIf(s.byUsername, r.user.Username, r.user.ID)
	setIf(s.byEmail, strings.ToLower(r.user.Email), r.user.ID)
	setIf(s.byPhone, r.user.Phone, r.user.ID)
}

func (s *store) unindex(r *record) {
	delete(s.byUsername, r.user.Username)
	delete(s.byEmail, strings.ToLower(r.user.Email))
	delete(s.byPhone, r.user.Phone)
}

func setIf(m map[string]string, k, v string) {
	if k != "" {
		m[k] = v
	}
}

func (s *store) CreateUser(_ context.Context, nu identity.NewUser) (*identity.User, error) {
	var pw *passhash.Hash
	switch {
	case nu.Password != "" && nu.PasswordHash != "":
		return nil, driver.InvalidArgumentError("PasswordHash", "a new user takes a Password or a PasswordHash, not both")
	case nu.Password != "":
		// Hashing is slow by design; do it outside the lock.
		pw = hashPassword(s.hash, string(nu.Password))
	case nu.PasswordHash != "":
		var err error
		if pw, err = importHash(nu.PasswordHash); err != nil {
			return nil, err
		}
	}
	now := s.now()
	r := &record{
		user: identity.User{
			Username: nu.Username, Email: nu.Email, Phone: nu.Phone,
			GivenName: nu.GivenName, FamilyName: nu.FamilyName, DisplayName: nu.DisplayName,
			Status: nu.Status, NativeStatus: string(nu.Status),
			Metadata:  nu.Metadata, // already a private copy
			CreatedAt: now, UpdatedAt: now,
		},
		password: pw,
		roles:    map[string]struct{}{},
		orgs:     map[string]struct{}{},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.claim("", nu.Username, nu.Email, nu.Phone); err != nil {
		return nil, err
	}
	r.user.ID = newID("u", s.users)
	s.seq++
	r.seq = s.seq
	s.users[r.user.ID] = r
	s.order = append(s.order, r)
	s.index(r)
	return r.out(), nil
}

func (s *store) GetUser(_ context.Context, id string) (*identity.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.users[id]
	if !ok {
		return nil, notFound(id)
	}
	return r.out(), nil
}

func (s *store) FindUser(_ context.Context, by driver.Identifier, value string) (*identity.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var id string
	var ok bool
	switch by {
	case driver.ByEmail:
		id, ok = s.byEmail[strings.ToLower(value)]
	case driver.ByUsername:
		id, ok = s.byUsername[value]
	}
	if !ok {
		return nil, &identity.Error{Code: identity.NotFound, Message: "no user with that " + by.String()}
	}
	return s.users[id].out(), nil
}

func (s *store) UpdateUser(_ context.Context, id string, u identity.UserUpdate) (*identity.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok {
		return nil, notFound(id)
	}
	next := r.user
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&next.Username, u.Username)
	set(&next.Email, u.Email)
	set(&next.Phone, u.Phone)
	set(&next.GivenName, u.GivenName)
	set(&next.FamilyName, u.FamilyName)
	set(&next.DisplayName, u.DisplayName)
	if next.Username == "" && next.Email == "" && next.Phone == "" {
		return nil, driver.InvalidArgumentError("UserUpdate", "the update would leave the user with no Username, Email or Phone")
	}
	if err := s.claim(id, next.Username, next.Email, next.Phone); err != nil {
		return nil, err
	}
	if len(u.Metadata) > 0 {
		md := maps.Clone(r.user.Metadata)
		if md == nil {
			md = make(map[string]any, len(u.Metadata))
		}
		for k, v := range u.Metadata {
			if v == nil {
				delete(md, k)
			} else {
				md[k] = v // u.Metadata is already a private copy
			}
		}
		next.Metadata = md
	}
	next.UpdatedAt = s.now()
	s.unindex(r)
	r.user = next
	s.index(r)
	return r.out(), nil
}

func (s *store) DeleteUser(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok {
		return notFound(id)
	}
	s.unindex(r)
	delete(s.users, id)
	s.leaveOrganizations(r)
	s.dropReset(r)
	s.deleted++
	if s.deleted > 64 && s.deleted > len(s.order)/2 {
		s.order = slices.DeleteFunc(s.order, func(x *record) bool { _, live := s.users[x.user.ID]; return !live || s.users[x.user.ID] != x })
		s.deleted = 0
	}
	return nil
}

// Cursors are "m" + the base-36 seq of the last user of the previous page,
// base64-encoded so callers treat them as opaque.
func encodeCursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("m" + strconv.FormatUint(seq, 36)))
}

func decodeCursor(c string) (uint64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'm' {
		return 0, false
	}
	seq, err := strconv.ParseUint(string(b[1:]), 36, 64)
	return seq, err == nil
}

// cursorSeq returns the sequence number a listing's cursor holds, empty
// for the empty cursor, and the foreign-cursor error for one this
// backend did not make.
func cursorSeq(cursor string, empty uint64) (uint64, error) {
	if cursor == "" {
		return empty, nil
	}
	seq, ok := decodeCursor(cursor)
	if !ok {
		return 0, driver.ForeignCursorError()
	}
	return seq, nil
}

func matches(u *identity.User, o *identity.ListOptions) bool {
	if o.Email != "" && !strings.EqualFold(u.Email, o.Email) {
		return false
	}
	if o.Username != "" && u.Username != o.Username {
		return false
	}
	if o.Status != "" && u.Status != o.Status {
		return false
	}
	if o.Query != "" {
		q := strings.ToLower(o.Query)
		if !strings.Contains(strings.ToLower(u.Email), q) && !strings.Contains(strings.ToLower(u.Username), q) {
			return false
		}
	}
	return true
}

func (s *store) ListUsers(ctx context.Context, o identity.ListOptions, cursor string) (*identity.UserPage, error) {
	after, err := cursorSeq(cursor, 0)
	if err != nil {
		return nil, err
	}
	size := driver.PageSize(o.PageSize, defaultPageSize, maxPageSize)

	s.mu.RLock()
	defer s.mu.RUnlock()
	rs, next, err := scan(ctx, s.order, func(r *record) uint64 { return r.seq }, after, size,
		func(r *record) bool { return s.users[r.user.ID] == r && matches(&r.user, &o) })
	if err != nil {
		return nil, err
	}
	page := &identity.UserPage{Users: make([]*identity.User, len(rs))}
	for i, r := range rs {
		page.Users[i] = r.out()
	}
	if next != 0 {
		page.NextCursor = encodeCursor(next)
	}
	return page, nil
}

// scan returns the first size entries of order, which is sorted by seq,
// that come after the position after and that keep accepts, and the
// position of the next page: the seq of the last entry returned, or 0
// when no entry is left (seqs start at 1), so that a last page is never
// empty. Callers hold the lock.
func scan[T any](ctx context.Context, order []T, seq func(T) uint64, after uint64, size int, keep func(T) bool) ([]T, uint64, error) {
	i := sort.Search(len(order), func(i int) bool { return seq(order[i]) > after })
	var out []T
	for ; i < len(order); i++ {
		x := order[i]
		if !keep(x) {
			continue
		}
		if len(out) == size {
			return out, seq(out[len(out)-1]), nil
		}
		out = append(out, x)
		if len(out)%256 == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
	}
	return out, 0, nil
}
