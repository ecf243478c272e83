package identity

import "github.com/idport/identity/driver"

// The portable model. Its types are declared in package driver, which
// backends implement against, and given their names here so that an
// application needs only this package: identity.User and driver.User are
// one type.

// User is a user in the portable model. Fields the backend does not carry
// are left at their zero value; Raw keeps the provider's own JSON.
type User = driver.User

// NewUser is what [Directory.CreateUser] takes.
type NewUser = driver.NewUser

// UserUpdate is a partial update for [Directory.UpdateUser]: only the
// fields set change, and Metadata merges key by key (nil removes a key).
type UserUpdate = driver.UserUpdate

// ListOptions filters and sizes a listing; filters combine with AND.
type ListOptions = driver.ListOptions

// UserPage is one page of a listing.
type UserPage = driver.UserPage

// Role is a named role users can be given.
type Role = driver.Role

// Status is a user's lifecycle status in the portable model.
type Status = driver.Status

// The portable statuses; see [driver.Status] for what each means.
const (
	StatusPending       = driver.StatusPending
	StatusActive        = driver.StatusActive
	StatusSuspended     = driver.StatusSuspended
	StatusLocked        = driver.StatusLocked
	StatusDeprovisioned = driver.StatusDeprovisioned
)

// Capabilities says what a backend supports; see [Directory.Capabilities].
type Capabilities = driver.Capabilities

// Secret holds a password or other credential. It never shows its value
// when formatted, logged or marshalled; convert it with string(s) at the
// one place the value is needed.
type Secret = driver.Secret

// Factor is a second factor a user has enrolled; see
// [Directory.ListFactors].
type Factor = driver.Factor

// FactorKind is a second factor's kind in the portable model.
type FactorKind = driver.FactorKind

// The portable factor kinds; see [driver.FactorKind] for what each means.
const (
	FactorTOTP        = driver.FactorTOTP
	FactorWebAuthn    = driver.FactorWebAuthn
	FactorSMS         = driver.FactorSMS
	FactorEmail       = driver.FactorEmail
	FactorPush        = driver.FactorPush
	FactorBackupCodes = driver.FactorBackupCodes
	FactorOther       = driver.FactorOther
)

// LinkedIdentity is an account at another identity provider linked to a
// user; see [Directory.ListIdentities].
type LinkedIdentity = driver.LinkedIdentity

// ResetKind is what a password reset hands the application.
type ResetKind = driver.ResetKind

// The kinds of password reset; see [Directory.ResetPassword].
const (
	ResetLink              = driver.ResetLink
	ResetTemporaryPassword = driver.ResetTemporaryPassword
)

// ResetOptions says what kind of reset [Directory.ResetPassword] makes.
type ResetOptions = driver.ResetOptions

// PasswordReset is what [Directory.ResetPassword] returns for the
// application to give the user: a one-time link or a temporary password,
// each a Secret.
type PasswordReset = driver.PasswordReset

// PasswordHash is a password as another system stored it; see
// [driver.PasswordHash] and package passhash.
type PasswordHash = driver.PasswordHash
