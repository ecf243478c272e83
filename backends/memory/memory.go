// Package memory is an in-process identity backend: the reference
// implementation of the portable model, and the embedded default for
// development and tests. It registers the URL scheme "memory" with
// identity.DefaultURLMux; every Open of "memory://" gives a new, empty
// directory.
//
// It supports every portable operation. Passwords are kept only as
// hashes: argon2id with Options.Hash for those it sets, and a
// NewUser.PasswordHash of any algorithm package passhash knows as given,
// which VerifyPassword, ChangePassword and lockout treat as its own, until
// the next SetPassword replaces it with argon2id. PasswordHash hands out
// the stored hash in passhash's encoding. Users list in creation order,
// so pagination is stable while users are being created or deleted. A
// user whose password is refused LockoutThreshold times in a row becomes
// StatusLocked, as a provider's lockout policy would make it, until
// ActivateUser unlocks it.
//
// It supports organizations too, with every organization capability:
// organization names are unique ignoring case, as emails are, while
// organization role names are unique and case-sensitive, as global role
// names are. Organizations list in creation order and members in the
// order they first joined; a member removed and added again keeps its
// place, so a listing under way never returns a user twice. AddMembers
// and SetMemberRoles change all or nothing. Deleting a user, an
// organization or an organization role deletes the memberships and role
// assignments that depended on it.
//
// It supports every account-security operation too. What a user does at
// the provider itself (signing in, enrolling a second factor, linking a
// social account, following a reset link) an [*Actor] does, handed out by
// dir.As, so that tests can give users the sessions, factors and linked
// identities the portable methods manage. SuspendUser leaves sessions
// open, as at most providers; DeprovisionUser ends them, and keeps the
// factors, identities and password for ActivateUser to bring back.
// ResetPassword makes a one-time link under [ResetLinkPrefix], valid for
// [ResetLinkLifetime] and until the next reset, which leaves the current
// password working until the link is used; or a temporary password that
// replaces the user's, expired (NativeStatus "password_expired") until
// the next SetPassword. SetRoles changes all or nothing.
//
// With Options.Like (memory://?like=okta), a directory behaves as the
// backend it names (see Profiles): that backend's capabilities and
// constraints, which the portable layer holds calls to, and what its
// provider visibly does (a user created without a password pending on
// Okta, Logto's newest-first listing, Passage's lower-case emails,
// usernames unique ignoring case), so that an application's tests on
// memory fail where production would. Emails stay unique in every
// profile.
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
	// Like, when set, makes the directory behave as the backend it
	// names does (see Profiles and profile.go's Like constants): that
	// backend's capabilities and constraints, which the portable layer
	// holds calls to, and its visible behaviours (pending without a
	// password, listing order, case rules), so that tests on memory fail
	// where production would. URL: memory://?like=okta.
	Like string
	// MetadataFields are a Passage app's user_metadata fields and their
	// types, for Like LikePassage or LikePortable, as
	// passage.Options.MetadataFields. URL: metadata_fields=plan:string.
	MetadataFields map[string]identity.ValueType
	// DirectoryOptions are the portable layer's settings: the
	// OpenTelemetry providers, and how many pages a listing fetches
	// ahead.
	identity.DirectoryOptions
}

// Bounds on Options.Hash.
const (
	maxHashTime      = 64
	maxHashMemoryKiB = 4 << 20 // 4 GiB
)

// DefaultLockoutThreshold is the LockoutThreshold of the zero Options.
const DefaultLockoutThreshold = 10

// New returns a new, empty directory. It makes no call and keeps nothing
// outside the process; it returns InvalidArgument naming a bad option.
func New(_ context.Context, opts Options) (*identity.Directory, error) {
	// argon2 allocates MemoryKiB per hash up front: a typo here would
	// take the process down at the first password, not at start-up.
	if opts.Hash.Time > maxHashTime || opts.Hash.MemoryKiB > maxHashMemoryKiB {
		return nil, driver.OptionError(Scheme, "Hash", "Hash costs are at most Time %d and MemoryKiB %d", maxHashTime, maxHashMemoryKiB)
	}
	d, err := newDriver(opts)
	if err != nil {
		return nil, err
	}
	return identity.NewDirectory(Scheme, d, opts.DirectoryOptions), nil
}

// URLOpener opens "memory://" URLs. The URL takes no host or path, and
// the query parameters like and metadata_fields only (Options.Like and
// Options.MetadataFields): any other is an InvalidArgument error naming
// it.
type URLOpener struct {
	// Options is the configuration of every directory it opens.
	Options Options
}

// OpenDirectoryURL returns a new, empty directory.
func (o *URLOpener) OpenDirectoryURL(ctx context.Context, u *url.URL) (*identity.Directory, error) {
	if u.Host != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" {
		return nil, &identity.Error{Code: identity.InvalidArgument, Op: "Open", Backend: Scheme, Field: "url",
			Message: "memory URLs take no host or path; use memory://"}
	}
	opts, err := likeOptions(o.Options, u.Query())
	if err != nil {
		return nil, err
	}
	return New(ctx, opts)
}

func init() { identity.Register(Scheme, &URLOpener{}) }
