// Package createonce settles creates whose outcome a fault left open, so
// that a create that has to be sent again never makes a second user, and
// a caller is not told a create failed when the provider made the user.
//
// A create is a POST, which the shared HTTP layer never resends once it
// may have reached the server: it returns an error carrying
// httpx.ErrMaybeProcessed instead (a reset or timeout after sending, a
// 5xx, an unreadable 2xx). Whether the user exists can then only be found
// out by looking it up by an identifier the provider keeps unique. A
// [Creator] does that for a backend's CreateUser:
//
//	type directory struct {
//		creates createonce.Creator
//		...
//	}
//
//	func (d *directory) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
//		return d.creates.User(ctx, nu, func(ctx context.Context) (*identity.User, error) {
//			return d.postUser(ctx, nu) // one POST, as httpx sends it
//		}, createonce.ByFindUser(d.FindUser, createonce.Username))
//	}
//
// After a create whose outcome is open, the Creator looks the user up
// (by username, else email, else phone, as the Finder allows):
//
//   - a user that matches everything the create asked for, that this
//     Creator has not already handed to another caller, and that the
//     provider did not create before the request was sent (allowing for
//     ClockSkew) is the one this create made: it is returned;
//   - any other user holding the identifier means the identifier is
//     taken: AlreadyExists naming it;
//   - no user means the create was not made: it is sent again, up to
//     Attempts times in all (a create that meets AlreadyExists on a later
//     attempt is looked up the same way, since its own earlier attempt may
//     have landed late);
//   - a lookup that fails leaves the question open: Unavailable, saying
//     the user may or may not exist.
//
// Creates of the same identifier through one Creator run one at a time,
// so that in one process a create never mistakes another caller's user,
// made a moment earlier, for its own. Across processes, the CreatedAt
// check is what tells them apart, within ClockSkew; providers offer no
// idempotency key that would make it exact.
package createonce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// Defaults for the zero values of Creator.
const (
	DefaultAttempts  = 4
	DefaultClockSkew = 2 * time.Second
)

// Ambiguous reports whether err leaves open whether the request took
// effect at the provider (httpx.ErrMaybeProcessed is in its chain).
func Ambiguous(err error) bool { return httpx.MaybeProcessed(err) }

// Field names an identifier a Finder looks users up by.
type Field string

// The identifiers, in the order a Creator tries them.
const (
	Username Field = "Username"
	Email    Field = "Email"
	Phone    Field = "Phone"
)

func (f Field) of(nu *identity.NewUser) string {
	switch f {
	case Username:
		return nu.Username
	case Email:
		return nu.Email
	case Phone:
		return nu.Phone
	}
	return ""
}

// Finder returns the one user whose field equals value (ignoring case for
// Email), a NotFound *identity.Error when there is none, or an Unsupported
// one when the backend cannot look users up by field or the provider does
// not keep field unique. Other errors mean the lookup failed.
type Finder func(ctx context.Context, field Field, value string) (*identity.User, error)

// ByFindUser makes a Finder of a backend's driver.Directory.FindUser, for
// the fields in unique (Username and Email only; FindUser has no phone),
// which must be ones the provider keeps unique: a lookup by an identifier
// two users can share cannot tell whose user it found.
func ByFindUser(find func(context.Context, driver.Identifier, string) (*identity.User, error), unique ...Field) Finder {
	return func(ctx context.Context, f Field, v string) (*identity.User, error) {
		if !slices.Contains(unique, f) {
			return nil, driver.UnsupportedError("lookup by " + string(f))
		}
		switch f {
		case Username:
			return find(ctx, driver.ByUsername, v)
		case Email:
			return find(ctx, driver.ByEmail, v)
		}
		return nil, driver.UnsupportedError("lookup by " + string(f))
	}
}

// Creator settles the user creates of one directory. The zero value is
// ready to use; a Creator is safe for concurrent use and must not be
// copied after first use.
type Creator struct {
	// Attempts bounds how many times one create is sent; 0 means
	// DefaultAttempts.
	Attempts int
	// ClockSkew is how far the provider's clock may lag this host's: a
	// user the provider says it created earlier than the create was sent,
	// by more than ClockSkew, existed before and is not this create's.
	// 0 means DefaultClockSkew.
	ClockSkew time.Duration

	mu     sync.Mutex
	held   map[string]chan struct{}
	handed map[string]time.Time // ids returned by User, and when
	pruned time.Time
}

// User creates nu with create, which sends the provider's create once,
// and settles an outcome left open as the package doc says, looking users
// up with find. It returns the user, or create's error, or AlreadyExists
// or Unavailable when a lookup settles or fails to settle the create, or
// the context's error.
func (c *Creator) User(ctx context.Context, nu identity.NewUser, create func(context.Context) (*identity.User, error), find Finder) (*identity.User, error) {
	unlock, err := c.lock(ctx, keys(&nu))
	if err != nil {
		return nil, err
	}
	defer unlock()
	sent := time.Now()
	u, err := Create(ctx, c.Attempts, create, func(ctx context.Context, cause error) (*identity.User, bool, error) {
		return c.settle(ctx, &nu, find, sent, cause)
	})
	if err == nil && u != nil {
		c.remember(u.ID, sent)
	}
	return u, err
}

// Create is the core of Creator.User, for any kind of resource: it calls
// create, at most attempts times (0 means DefaultAttempts). When create
// fails in a way that leaves open whether it took effect, or meets
// AlreadyExists after such a failure, it calls settle with that error,
// which looks the resource up and returns it with true when the create
// made it, false (and no error) when it did not, so that create runs
// again, or an error to return: AlreadyExists when someone else holds the
// name, or Unsettled when the lookup failed.
func Create[T any](ctx context.Context, attempts int, create func(context.Context) (T, error), settle func(ctx context.Context, cause error) (T, bool, error)) (T, error) {
	var zero T
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	var cause error
	for i := range attempts {
		v, err := create(ctx)
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			return zero, err
		}
		open := Ambiguous(err)
		if !open && !(i > 0 && identity.CodeOf(err) == identity.AlreadyExists) {
			return zero, err
		}
		got, made, serr := settle(ctx, err)
		if serr != nil {
			return zero, serr
		}
		if made {
			return got, nil
		}
		if !open {
			// Taken, and yet nobody holds it now: whatever held it is
			// gone; the provider's answer stands.
			return zero, err
		}
		cause = err
	}
	return zero, &identity.Error{Code: identity.Unavailable, Retryable: true, Err: cause,
		Message: fmt.Sprintf("the create's outcome was lost %d times, and each time a lookup found it had not been made", attempts)}
}

// Unsettled is the error for a create whose outcome was left open by
// cause and that a lookup, failing with lookup, could not settle.
func Unsettled(cause, lookup error) error {
	if driver.IsContextError(lookup) {
		return lookup
	}
	why := "it"
	if code := identity.CodeOf(lookup); code != identity.Unknown {
		why = code.String()
	}
	return &identity.Error{Code: identity.Unavailable, Retryable: true, Err: cause,
		Message: "the create may or may not have been made: its outcome was lost, and looking it up failed (" + why + ")"}
}

var errNoLookup = errors.New("no identifier of the new user can be looked up")

// settle looks nu up after cause left the create's outcome open.
func (c *Creator) settle(ctx context.Context, nu *identity.NewUser, find Finder, sent time.Time, cause error) (*identity.User, bool, error) {
	for _, f := range []Field{Username, Email, Phone} {
		v := f.of(nu)
		if v == "" {
			continue
		}
		u, err := find(ctx, f, v)
		switch {
		case err == nil && u != nil:
			if c.ours(nu, u, sent) {
				return u, true, nil
			}
			if identity.CodeOf(cause) == identity.AlreadyExists {
				return nil, false, cause
			}
			return nil, false, &identity.Error{Code: identity.AlreadyExists, Field: string(f), Err: cause,
				Message: string(f) + " is already in use: the create's answer was lost, and the user holding it is not one this create made"}
		case identity.CodeOf(err) == identity.NotFound:
			return nil, false, nil
		case identity.CodeOf(err) == identity.Unsupported:
			continue
		default:
			if err == nil {
				err = errNoLookup
			}
			return nil, false, Unsettled(cause, err)
		}
	}
	return nil, false, Unsettled(cause, errNoLookup)
}

// ours reports whether u can be the user nu's create made.
func (c *Creator) ours(nu *identity.NewUser, u *identity.User, sent time.Time) bool {
	if !matches(nu, u) || c.handedOut(u.ID) {
		return false
	}
	skew := c.ClockSkew
	if skew <= 0 {
		skew = DefaultClockSkew
	}
	return u.CreatedAt.IsZero() || !u.CreatedAt.Before(sent.Add(-skew))
}

// matches reports whether u has everything nu asked for. The password
// cannot be compared, and the status may differ for providers that make
// users pending until a credential is set.
func matches(nu *identity.NewUser, u *identity.User) bool {
	if nu.Username != "" && u.Username != nu.Username ||
		nu.Email != "" && !strings.EqualFold(u.Email, nu.Email) ||
		nu.Phone != "" && u.Phone != nu.Phone ||
		nu.GivenName != "" && u.GivenName != nu.GivenName ||
		nu.FamilyName != "" && u.FamilyName != nu.FamilyName ||
		nu.DisplayName != "" && u.DisplayName != nu.DisplayName {
		return false
	}
	for k, v := range nu.Metadata {
		if !sameJSON(v, u.Metadata[k]) {
			return false
		}
	}
	return true
}

// sameJSON compares values as JSON, so that 3 and 3.0, or a missing key
// and a nil one, are the same, as they are once stored.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// keys are the lock keys of nu's identifiers.
func keys(nu *identity.NewUser) []string {
	var ks []string
	if nu.Username != "" {
		ks = append(ks, "u\x00"+nu.Username)
	}
	if nu.Email != "" {
		ks = append(ks, "e\x00"+strings.ToLower(nu.Email))
	}
	if nu.Phone != "" {
		ks = append(ks, "p\x00"+nu.Phone)
	}
	return ks
}

// lock takes every key, or waits until it can: all at once, so that two
// creates sharing some identifiers cannot deadlock.
func (c *Creator) lock(ctx context.Context, ks []string) (func(), error) {
	for {
		c.mu.Lock()
		if c.held == nil {
			c.held = map[string]chan struct{}{}
		}
		var busy chan struct{}
		for _, k := range ks {
			if ch, ok := c.held[k]; ok {
				busy = ch
				break
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for _, k := range ks {
				c.held[k] = done
			}
			c.mu.Unlock()
			return func() {
				c.mu.Lock()
				for _, k := range ks {
					delete(c.held, k)
				}
				c.mu.Unlock()
				close(done)
			}, nil
		}
		c.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// remember records that id was handed to a caller. Entries are kept
// while a lookup could still take them for a new user, within ClockSkew
// of their creation, and for a minute at least.
func (c *Creator) remember(id string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handed == nil {
		c.handed = map[string]time.Time{}
	}
	c.handed[id] = at
	keep := max(time.Minute, 2*c.ClockSkew, 2*DefaultClockSkew)
	if at.Sub(c.pruned) < keep {
		return
	}
	for k, t := range c.handed {
		if at.Sub(t) > keep {
			delete(c.handed, k)
		}
	}
	c.pruned = at
}

func (c *Creator) handedOut(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.handed[id]
	return ok
}
