// Package memory is an in-process identity backend: the reference
// implementation of the portable model, and the embedded default for
// development and tests. It registers the URL scheme "memory" with
// identity.DefaultURLMux; every Open of "memory://" gives a new, empty
// directory.
//
// It supports every portable operation. Passwords are kept only as
// argon2id hashes. Users list in creation order, so pagination is stable
// while users are being created or deleted. A user whose password is
// refused LockoutThreshold times in a row becomes StatusLocked, as a
// provider's lockout policy would make it, until ActivateUser unlocks it.
package memory

import (
	"context"
	"net/url"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

// Scheme is the URL scheme this package registers.
const Scheme = "memory"

// Options configures a directory. The zero value is ready to use.
type Options struct {
	// Hash sets the argon2id cost of password hashes; zero fields take
	// DefaultHashParams. Tests can lower it to make passwords cheap.
	Hash HashParams
	// LockoutThreshold is how many wrong passwords in a row lock a user;
	// 0 means DefaultLockoutThreshold and a negative value turns lockout
	// off.
	LockoutThreshold int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultLockoutThreshold is the LockoutThreshold of the zero Options.
const DefaultLockoutThreshold = 10

// New returns a new, empty directory.
func New(opts Options) identity.UserDirectory {
	return driver.NewUserDirectory(Scheme, newStore(opts))
}

// URLOpener opens "memory://" URLs. The URL takes no host, path or query
// parameters: any is an InvalidArgument error naming it.
type URLOpener struct {
	// Options is the configuration of every directory it opens.
	Options Options
}

// OpenUserDirectoryURL returns a new, empty directory.
func (o *URLOpener) OpenUserDirectoryURL(_ context.Context, u *url.URL) (identity.UserDirectory, error) {
	if u.Host != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" {
		return nil, &identity.Error{Code: identity.InvalidArgument, Op: "Open", Backend: Scheme, Field: "url",
			Message: "memory URLs take no host or path; use memory://"}
	}
	for k := range u.Query() {
		return nil, &identity.Error{Code: identity.InvalidArgument, Op: "Open", Backend: Scheme, Field: k,
			Message: "unknown query parameter " + k}
	}
	return New(o.Options), nil
}

func init() { identity.Register(Scheme, &URLOpener{}) }
