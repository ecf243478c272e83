package driver

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// The account-security groups: sessions, second factors, linked
// identities, deprovisioning, whether a user has a password, role sets
// and password resets. Each is an optional interface, called only when
// the capability written on it is set.
//
// For NotFound, the error's Field names what is missing: "user",
// "factor" or "identity". Where a call names one target only (the user),
// the portable layer fills in "user" when the backend leaves Field empty.

// Sessions is the optional group that signs a user out, called only when
// Capabilities().RevokeSessions is set.
type Sessions interface {
	// RevokeSessions ends every session of the user and revokes the
	// refresh tokens issued to it, so that no client of the user's stays
	// signed in past its current access token. A user with no session
	// succeeds. Errors: NotFound for the user.
	RevokeSessions(ctx context.Context, userID string) error
}

// FactorKind is a second factor's kind in the portable model.
type FactorKind string

const (
	// FactorTOTP: a time-based one-time password app (RFC 6238).
	FactorTOTP FactorKind = "totp"
	// FactorWebAuthn: a WebAuthn credential, passkeys and security keys
	// alike.
	FactorWebAuthn FactorKind = "webauthn"
	// FactorSMS: a code sent by text message.
	FactorSMS FactorKind = "sms"
	// FactorEmail: a code or link sent by email.
	FactorEmail FactorKind = "email"
	// FactorPush: a push notification to the provider's own app.
	FactorPush FactorKind = "push"
	// FactorBackupCodes: one-time recovery codes.
	FactorBackupCodes FactorKind = "backup_codes"
	// FactorOther: a kind the portable model has no word for;
	// Factor.ProviderType says which.
	FactorOther FactorKind = "other"
)

// Valid reports whether k is one of the portable factor kinds.
func (k FactorKind) Valid() bool {
	switch k {
	case FactorTOTP, FactorWebAuthn, FactorSMS, FactorEmail, FactorPush, FactorBackupCodes, FactorOther:
		return true
	}
	return false
}

// Factor is a second factor a user has enrolled.
type Factor struct {
	// ID is the provider's id of the factor, for DeleteFactor.
	ID string
	// Kind is the portable kind; FactorOther where the provider's type
	// has no portable word.
	Kind FactorKind
	// ProviderType is the provider's own word for the type, such as
	// Okta's "token:software:totp" or Logto's "Totp".
	ProviderType string
	// Name is the name the user gave the factor, where the provider
	// keeps one (a passkey's, say).
	Name string
	// Status is the provider's status word for the factor where it has
	// one (Okta's ACTIVE or PENDING_ACTIVATION), and "" otherwise.
	Status string
	// CreatedAt and LastUsedAt are zero where the provider does not say.
	CreatedAt  time.Time
	LastUsedAt time.Time
	// Raw is the provider's own JSON for the factor, or nil.
	Raw json.RawMessage
}

// Factors is the optional group of a user's second factors, called only
// when Capabilities().Factors is set.
type Factors interface {
	// ListFactors returns the user's factors, in any order. Errors:
	// NotFound for the user.
	ListFactors(ctx context.Context, userID string) ([]*Factor, error)
	// DeleteFactor removes one factor, so that the user can no longer
	// sign in with it. Errors: NotFound for the user, or for the factor
	// (Field "factor"), which includes one deleted already; a missing
	// user is reported before a missing factor.
	DeleteFactor(ctx context.Context, userID, factorID string) error
	// ResetFactors removes every factor of the user; a user without any
	// succeeds. Errors: NotFound for the user.
	ResetFactors(ctx context.Context, userID string) error
}

// LinkedIdentity is an account at another identity provider (a social
// connector, an enterprise IdP) linked to the user, through which the
// user signs in.
type LinkedIdentity struct {
	// Provider is the connector or IdP as the provider names it: "google"
	// for a Logto connector's target, an Okta IdP's id.
	Provider string
	// Subject is the user's id at that provider.
	Subject string
	// Details is what the provider keeps of the linked account (a
	// profile, its email), as the provider's own JSON, or nil.
	Details json.RawMessage
}

// Identities is the optional group of a user's linked identities, called
// only when Capabilities().Identities is set; UnlinkIdentity only when
// Capabilities().UnlinkIdentity is set too, so a backend whose provider
// lists links but cannot remove them returns Unsupported from it.
type Identities interface {
	// ListIdentities returns the user's linked identities, in any order.
	// Errors: NotFound for the user.
	ListIdentities(ctx context.Context, userID string) ([]*LinkedIdentity, error)
	// UnlinkIdentity removes the link to the provider. Errors: NotFound
	// for the user, or for the identity (Field "identity") when the user
	// has none at that provider; a missing user is reported first.
	UnlinkIdentity(ctx context.Context, userID, provider string) error
}

// Deprovisioning is the optional group that deprovisions a leaver, called
// only when Capabilities().Deprovision is set. ActivateUser brings a
// deprovisioned user back.
type Deprovisioning interface {
	// DeprovisionUser moves the user to StatusDeprovisioned: it cannot
	// sign in, but its record stays. Errors:
	// NotFound; FailedPrecondition when the provider refuses the
	// transition, which includes "already deprovisioned" if the provider
	// says so (the portable layer then checks the status and reports
	// success).
	DeprovisionUser(ctx context.Context, userID string) error
}

// PasswordState is the optional group that says whether a user has a
// password, called only when Capabilities().HasPassword is set.
type PasswordState interface {
	// HasPassword reports whether the user has a password set, expired
	// or not. Errors: NotFound.
	HasPassword(ctx context.Context, userID string) (bool, error)
}

// RoleSets is the optional group that replaces a user's roles in one
// call, as Logto's PUT of a user's roles does. It is never required:
// without it the portable layer sets roles by difference through
// [Roles]. It is called only when Capabilities().Roles is set.
type RoleSets interface {
	// SetRoles leaves the user with exactly the roles names, distinct
	// and possibly none. Errors: NotFound for the user or any role
	// (Field "role", Error.Role set), having changed nothing.
	SetRoles(ctx context.Context, userID string, names []string) error
}

// ResetKind is what a password reset hands the application.
type ResetKind string

const (
	// ResetLink: a one-time link at which the user chooses a new
	// password (Okta's resetPasswordUrl).
	ResetLink ResetKind = "link"
	// ResetTemporaryPassword: a password the user signs in with once,
	// and must change then (Okta's tempPassword).
	ResetTemporaryPassword ResetKind = "temporary_password"
)

// ResetOptions says what kind of reset ResetPassword makes.
type ResetOptions struct {
	// Kind is the kind of reset. The portable layer replaces "" with the
	// backend's first supported kind, ResetLink before
	// ResetTemporaryPassword, so a backend always sees one it declares.
	Kind ResetKind
}

// PasswordReset is what a password reset hands the application to give
// the user. Only the field Kind names is set. Both are Secrets: they
// print, log and marshal as a placeholder.
type PasswordReset struct {
	Kind ResetKind
	// Link is the one-time reset link, for ResetLink.
	Link Secret
	// TemporaryPassword is the temporary password, for
	// ResetTemporaryPassword.
	TemporaryPassword Secret
	// ExpiresAt is when the link or password stops working; zero where
	// the provider does not say.
	ExpiresAt time.Time
}

// Format prints the reset with its secrets as the placeholder where set,
// for every verb. fmt does not call a field's own Format everywhere (a
// reset inside a slice printed with a verb fmt refuses, say), so the
// reset keeps its secrets out itself.
func (r PasswordReset) Format(f fmt.State, _ rune) {
	shown := func(s Secret) string {
		if s == "" {
			return ""
		}
		return redacted
	}
	fmt.Fprintf(f, "{Kind:%s Link:%s TemporaryPassword:%s ExpiresAt:%s}",
		string(r.Kind), shown(r.Link), shown(r.TemporaryPassword), r.ExpiresAt.Format(time.RFC3339))
}

// String returns what Format prints.
func (r PasswordReset) String() string { return fmt.Sprint(r) }

// PasswordResets is the optional group of password resets without mail,
// called only when Capabilities().ResetPasswordLink or
// Capabilities().ResetPasswordTemporary is set, with a Kind the
// capabilities declare.
type PasswordResets interface {
	// ResetPassword starts a reset of the kind opts.Kind and returns what
	// the user needs to finish it. It sends the user nothing. Errors:
	// NotFound; FailedPrecondition when the user's status forbids a
	// reset.
	ResetPassword(ctx context.Context, userID string, opts ResetOptions) (*PasswordReset, error)
}
