package passage

import (
	"context"
	"net/http"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// RevokeSessions is DELETE /apps/{app_id}/users/{user_id}/tokens, which
// revokes the user's refresh tokens; Passage keeps no other server-side
// session, so the user is signed out once the access tokens already
// issued expire. Passage answers 200 whether or not the user had any, and
// user_not_found for a missing user. The DELETE is sent again after a
// transient fault: revoking twice is revoking once.
func (d *directory) RevokeSessions(ctx context.Context, userID string) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: d.path(userID, "tokens")})
	return err
}

// wireDevice is Passage's WebAuthnDevices object.
type wireDevice struct {
	ID           string    `json:"id"`
	FriendlyName string    `json:"friendly_name"`
	Type         string    `json:"type"`
	CreatedAt    time.Time `json:"created_at"`
	LastLoginAt  time.Time `json:"last_login_at"`
	UsageCount   int       `json:"usage_count"`
}

// ListFactors lists the user's WebAuthn devices, every one a factor of
// kind webauthn whose ProviderType is Passage's device type (passkey,
// security_key or platform). LastUsedAt is last_login_at, left zero for
// a device never used (usage_count 0), for which Passage fills
// last_login_at with the registration time or with no time at all.
func (d *directory) ListFactors(ctx context.Context, userID string) ([]*identity.Factor, error) {
	var env struct {
		Devices []httpx.JSON[wireDevice] `json:"devices"`
	}
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: d.path(userID, "devices"), Out: &env}); err != nil {
		return nil, err
	}
	out := make([]*identity.Factor, 0, len(env.Devices))
	for i := range env.Devices {
		j := &env.Devices[i]
		w := &j.Value
		if j.Err != nil || w.ID == "" {
			return nil, driver.Errorf(identity.Internal, "Passage returned a device the backend cannot read")
		}
		f := &identity.Factor{ID: w.ID, Kind: identity.FactorWebAuthn, ProviderType: w.Type, Name: w.FriendlyName, Raw: j.Raw}
		if w.CreatedAt.Year() > 1 {
			f.CreatedAt = w.CreatedAt
		}
		if w.UsageCount > 0 && w.LastLoginAt.Year() > 1 {
			f.LastUsedAt = w.LastLoginAt
		}
		out = append(out, f)
	}
	return out, nil
}

// DeleteFactor is DELETE .../devices/{device_id}. A device the user does
// not have is device_not_found, NotFound with Field "factor", and a
// missing user user_not_found, with Field "user"; a delete sent again
// after a fault, whose first attempt went through, succeeds.
func (d *directory) DeleteFactor(ctx context.Context, userID, factorID string) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: d.path(userID, "devices", factorID)})
	if err = httpx.DoneIfGone(err); gone(err, "user_not_found") {
		var e *identity.Error
		asError(err, &e)
		e.Field = "user"
	}
	return err
}

// ResetFactors lists the user's devices and deletes each. Passage has no
// call that removes them all at once, so this is not atomic: a failure
// part way leaves the devices not yet deleted, and a device registered
// while it runs is kept. A device someone else deletes meanwhile counts
// as deleted.
func (d *directory) ResetFactors(ctx context.Context, userID string) error {
	fs, err := d.ListFactors(ctx, userID)
	if err != nil {
		return err
	}
	for _, f := range fs {
		err := d.DeleteFactor(ctx, userID, f.ID)
		if err != nil && !gone(err, "device_not_found") {
			return err
		}
	}
	return nil
}

// gone reports whether err is Passage's answer code for a missing thing.
func gone(err error, code string) bool {
	var e *identity.Error
	return asError(err, &e) && e.Code == identity.NotFound && e.ProviderCode == code
}
