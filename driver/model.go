package driver

import (
	"encoding/json"
	"time"
)

// Status is a user's lifecycle status in the portable model. Each backend
// maps its provider's own states onto these; [User.NativeStatus] keeps the
// provider's word.
type Status string

const (
	// StatusPending: created but not yet able to sign in (Okta STAGED or
	// PROVISIONED, Passage pending).
	StatusPending Status = "pending"
	// StatusActive: able to sign in.
	StatusActive Status = "active"
	// StatusSuspended: blocked from signing in by an administrator, and
	// able to be reactivated.
	StatusSuspended Status = "suspended"
	// StatusLocked: blocked by a policy, for example too many failed
	// sign-ins (Okta LOCKED_OUT).
	StatusLocked Status = "locked"
	// StatusDeprovisioned: deactivated, kept only for the record (Okta
	// DEPROVISIONED).
	StatusDeprovisioned Status = "deprovisioned"
)

// Valid reports whether s is one of the portable statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusActive, StatusSuspended, StatusLocked, StatusDeprovisioned:
		return true
	}
	return false
}

// User is a user in the portable model. Fields the backend does not carry
// are left at their zero value.
type User struct {
	// ID is assigned by the provider and opaque.
	ID            string
	Username      string
	Email         string
	EmailVerified bool
	Phone         string
	GivenName     string
	FamilyName    string
	DisplayName   string
	Status        Status
	// NativeStatus is the provider's own word for the status, such as
	// "LOCKED_OUT" or "inactive".
	NativeStatus string
	// Metadata holds the application's custom attributes. Values are what
	// encoding/json decodes: string, float64, bool, nil, []any and
	// map[string]any.
	Metadata     map[string]any
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastSignInAt time.Time
	// Raw is the provider's own JSON for the user, for what the portable
	// model does not carry. It is nil for backends without a wire format.
	Raw json.RawMessage
}

// NewUser is what identity.Directory.CreateUser takes.
type NewUser struct {
	Username    string
	Email       string
	Phone       string
	GivenName   string
	FamilyName  string
	DisplayName string
	Metadata    map[string]any
	// Password, when set, becomes the user's initial password.
	Password Secret
	// PasswordHash, when set instead of Password, gives the user the
	// password it encodes: for moving users from another system without
	// a reset. Capabilities().PasswordHashes lists the algorithms a
	// backend imports.
	PasswordHash PasswordHash
	// Status is the status to create the user in: StatusActive (the
	// default, when empty) or StatusPending.
	Status Status
}

// UserUpdate is a partial update for identity.Directory.UpdateUser: only the
// fields set change. A pointer to the empty string clears an optional field.
//
//	dir.UpdateUser(ctx, id, identity.UserUpdate{DisplayName: new("Ada L."), Metadata: map[string]any{"plan": "pro", "trial": nil}})
type UserUpdate struct {
	Username    *string
	Email       *string
	Phone       *string
	GivenName   *string
	FamilyName  *string
	DisplayName *string
	// Metadata merges into the user's metadata key by key; a key whose
	// value is nil is removed.
	Metadata map[string]any
}

// IsZero reports whether u changes nothing.
func (u UserUpdate) IsZero() bool {
	return u.Username == nil && u.Email == nil && u.Phone == nil && u.GivenName == nil &&
		u.FamilyName == nil && u.DisplayName == nil && len(u.Metadata) == 0
}

// ListOptions filters and sizes a listing. Filters combine with AND.
type ListOptions struct {
	// Email matches the email exactly, ignoring case.
	Email string
	// Username matches the username exactly.
	Username string
	// Status matches the portable status.
	Status Status
	// Query matches users whose email or username contains it, ignoring
	// case.
	Query string
	// PageSize is the number of users a page holds at most; 0 means the
	// backend's default. Backends cap it at their provider's maximum.
	PageSize int
}

// UserPage is one page of a listing.
type UserPage struct {
	Users []*User
	// NextCursor fetches the next page; it is empty on the last page.
	NextCursor string
}

// Role is a named role users can be given.
type Role struct {
	Name        string
	Description string
}
