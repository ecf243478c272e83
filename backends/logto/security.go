package logto

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// The account-security groups Logto 1.37's Management API has: a user's
// MFA verifications (Factors), social identities (Identities), whether a
// user has a password (PasswordState) and the replacement of a user's
// roles (RoleSets). It has no call that ends a user's sessions (the
// session routes came with 1.42), none that deprovisions a user, and
// none that makes a password reset link or a temporary password, so
// RevokeSessions, Deprovision and the resets stay off.

// wireFactor is one entry of GET /api/users/{userId}/mfa-verifications.
// Logto never lists a secret: a TOTP's key and the backup codes are
// shown only in the answer to their POST.
type wireFactor struct {
	ID string `json:"id"`
	// CreatedAt and LastUsedAt are ISO 8601 strings, unlike the users'
	// times, which are milliseconds (observed on Logto 1.37.1).
	CreatedAt  string `json:"createdAt"`
	LastUsedAt string `json:"lastUsedAt"`
	Type       string `json:"type"`
	Name       string `json:"name"`
}

// factorKinds maps Logto's MFA verification types to the portable kinds.
// EmailVerificationCode and PhoneVerificationCode, which the document
// also lists, were not seen on 1.37 (its POST takes Totp and BackupCode
// only), and read as FactorOther with their type in ProviderType.
var factorKinds = map[string]identity.FactorKind{
	"Totp":       identity.FactorTOTP,
	"WebAuthn":   identity.FactorWebAuthn,
	"BackupCode": identity.FactorBackupCodes,
}

func factorKind(typ string) identity.FactorKind {
	if k, ok := factorKinds[typ]; ok {
		return k
	}
	return identity.FactorOther
}

// isoTime reads one of Logto's ISO 8601 times; an empty or unreadable one
// is the zero time, for "not known".
func isoTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// ListFactors is GET /api/users/{userId}/mfa-verifications: each
// verification is a factor whose ProviderType is Logto's type (Totp,
// WebAuthn, BackupCode), and whose Raw is Logto's entry, with
// remainCodes for backup codes. Logto lists no status, so Status is "".
func (d *directory) ListFactors(ctx context.Context, userID string) ([]*identity.Factor, error) {
	var ws []httpx.JSON[wireFactor]
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: userPath(userID, "mfa-verifications"), Out: &ws}); err != nil {
		return nil, err
	}
	out := make([]*identity.Factor, 0, len(ws))
	for i := range ws {
		w := &ws[i].Value
		if ws[i].Err != nil || w.ID == "" {
			return nil, driver.Errorf(identity.Internal, "Logto returned an MFA verification the backend cannot read")
		}
		out = append(out, &identity.Factor{
			ID: w.ID, Kind: factorKind(w.Type), ProviderType: w.Type, Name: w.Name,
			CreatedAt: isoTime(w.CreatedAt), LastUsedAt: isoTime(w.LastUsedAt), Raw: ws[i].Raw,
		})
	}
	return out, nil
}

// DeleteFactor lists the user's MFA verifications, then sends DELETE
// /api/users/{userId}/mfa-verifications/{id}. Logto answers
// entity.not_found alike for a missing user and for a verification the
// user does not have, and a DELETE sent again after a fault meets that
// 404 when its first attempt went through; the listing first tells the
// three apart: a missing user is NotFound with Field "user", a factor not
// listed NotFound with Field "factor", and a retried delete that finds
// the factor gone succeeds.
func (d *directory) DeleteFactor(ctx context.Context, userID, factorID string) error {
	fs, err := d.ListFactors(ctx, userID)
	if err != nil {
		return named(err, "user")
	}
	if !slices.ContainsFunc(fs, func(f *identity.Factor) bool { return f.ID == factorID }) {
		return &identity.Error{Code: identity.NotFound, Field: "factor", Message: "the user has no such MFA verification"}
	}
	return d.deleteFactor(ctx, userID, factorID)
}

// deleteFactor deletes a verification the user was listed with: a 404 is
// one deleted meanwhile, by this call's earlier attempt (success) or by
// someone else (NotFound, Field "factor").
func (d *directory) deleteFactor(ctx context.Context, userID, factorID string) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: userPath(userID, "mfa-verifications", factorID)})
	return named(httpx.DoneIfGone(err), "factor")
}

// named sets the Field of a NotFound err that has none to what.
func named(err error, what string) error {
	var e *identity.Error
	if asError(err, &e) && e.Code == identity.NotFound && e.Field == "" {
		e.Field = what
	}
	return err
}

// ResetFactors lists the user's MFA verifications and deletes each, the
// backup codes first: Logto has no call that removes them all at once, so
// this is not atomic. A failure part way leaves the verifications not yet
// deleted, which then include every TOTP or WebAuthn one left, rather
// than backup codes alone (which Logto would not let a user enrol); a
// verification enrolled while it runs is kept; one deleted meanwhile by
// someone else counts as deleted.
func (d *directory) ResetFactors(ctx context.Context, userID string) error {
	fs, err := d.ListFactors(ctx, userID)
	if err != nil {
		return err
	}
	slices.SortStableFunc(fs, func(a, b *identity.Factor) int {
		return cmpBool(b.Kind == identity.FactorBackupCodes, a.Kind == identity.FactorBackupCodes)
	})
	for _, f := range fs {
		if err := d.deleteFactor(ctx, userID, f.ID); err != nil && identity.CodeOf(err) != identity.NotFound {
			return err
		}
	}
	return nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// wireIdentity is one entry of a user's identities map, keyed by the
// social connector's target.
type wireIdentity struct {
	UserID  string          `json:"userId"`
	Details json.RawMessage `json:"details"`
}

// ListIdentities reads the user's identities from GET /api/users/{userId}:
// each is a LinkedIdentity whose Provider is the social connector's
// target ("google", "github"), Subject the user's id there, and Details
// Logto's details object as it came (nil when Logto keeps none). The
// enterprise SSO identities are left out: the Management API has no call
// that unlinks one, and they are read through the typed client at
// /api/users/{userId}/all-identities.
func (d *directory) ListIdentities(ctx context.Context, userID string) ([]*identity.LinkedIdentity, error) {
	var w struct {
		ID         string                  `json:"id"`
		Identities map[string]wireIdentity `json:"identities"`
	}
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: userPath(userID), Out: &w}); err != nil {
		return nil, err
	}
	if w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Logto returned a user the backend cannot read")
	}
	out := make([]*identity.LinkedIdentity, 0, len(w.Identities))
	for target, id := range w.Identities {
		if id.UserID == "" {
			// Logto requires userId; without it the link names no one.
			return nil, driver.Errorf(identity.Internal, "Logto returned a linked identity without a userId")
		}
		l := &identity.LinkedIdentity{Provider: target, Subject: id.UserID}
		if len(id.Details) > 0 && string(id.Details) != "null" {
			l.Details = id.Details
		}
		out = append(out, l)
	}
	return out, nil
}

// UnlinkIdentity reads GET /api/users/{userId}/identities/{target},
// then sends DELETE to the same path, which Logto answers with 200 and the
// user. A target the user has no identity at is user.identity_not_exist,
// NotFound with Field "identity"; a missing user entity.not_found, with
// Field "user". The read first keeps an identity that was never there
// NotFound when a DELETE sent again after a fault, whose first attempt
// went through, meets the 404 and so succeeds.
func (d *directory) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	path := userPath(userID, "identities", provider)
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path}); err != nil {
		return named(err, "user")
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: path})
	return named(httpx.DoneIfGone(err), "user")
}

// HasPassword is GET /api/users/{userId}/has-password.
func (d *directory) HasPassword(ctx context.Context, userID string) (bool, error) {
	var out struct {
		HasPassword *bool `json:"hasPassword"`
	}
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: userPath(userID, "has-password"), Out: &out}); err != nil {
		return false, err
	}
	if out.HasPassword == nil {
		return false, driver.Errorf(identity.Internal, "Logto's has-password answer has no hasPassword")
	}
	return *out.HasPassword, nil
}

// SetRoles is PUT /api/users/{userId}/roles with the roles' ids, every
// name resolved first through the role cache, so that a name no User role
// has is NotFound (Field "role") before anything is sent.
//
// Logto's PUT is not atomic in general (SEMANTICS.md 5.1.8 rule 2): it
// checks the ids exist, removes the roles not asked for, then inserts
// the new ones, so a MachineToMachine role among them fails the insert
// after the removals, and a role the user lacks named twice is a 500.
// Neither can happen here: the cache holds User roles only, and the
// portable layer hands over distinct names, so distinct ids. An id Logto
// says no longer exists (entity.not_exists_with_id, which it checks
// before changing anything) empties the cache, and the names are
// resolved again once. The PUT is sent again after a fault: it sets a
// value.
func (d *directory) SetRoles(ctx context.Context, userID string, names []string) error {
	for try := 0; ; try++ {
		ids := make([]string, 0, len(names))
		for _, n := range names {
			r, err := d.resolve(ctx, d.globalRoles(), n)
			if identity.CodeOf(err) == identity.NotFound {
				// A missing user comes before a missing role, as the
				// PUT would say were the role there.
				if _, gerr := d.GetUser(ctx, userID); gerr != nil {
					return gerr
				}
				return named(err, "role")
			}
			if err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		var out struct {
			RoleIDs []string `json:"roleIds"`
		}
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: userPath(userID, "roles"),
			Body: map[string][]string{"roleIds": ids}, Out: &out})
		if providerCode(err) != "entity.not_exists_with_id" {
			return err
		}
		d.roles.fill(nil) // which id went stale the answer says only in words
		if try > 0 {
			var e *identity.Error
			asError(err, &e)
			e.Field = "role"
			return err
		}
	}
}
