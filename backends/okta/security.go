package okta

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// RevokeSessions is DELETE /api/v1/users/{userId}/sessions with
// oauthTokens=true, so that the refresh and access tokens Okta's
// authorization servers issued to the user go with its Okta sessions
// (without it, Okta keeps them: the document's default is false). Okta
// answers 204 whether or not the user had a session, so a resend after a
// fault, or a second call, succeeds.
func (d *directory) RevokeSessions(ctx context.Context, userID string) error {
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: usersPath(userID, "sessions"),
		Query: url.Values{"oauthTokens": {"true"}}})
	return err
}

// wireFactor is Okta's UserFactor object, as far as it is read.
type wireFactor struct {
	ID          string         `json:"id"`
	FactorType  string         `json:"factorType"`
	Provider    string         `json:"provider"`
	Status      string         `json:"status"`
	Created     time.Time      `json:"created"`
	LastUpdated time.Time      `json:"lastUpdated"`
	Profile     map[string]any `json:"profile"`
}

// factorKinds maps Okta's factorType words to portable kinds; the others
// (question, call, token, token:hardware, web, signed_nonce and any new
// one) are FactorOther. token:hotp is a one-time-code app or token like
// TOTP, counted by use instead of by time; u2f is the FIDO security key
// WebAuthn grew out of.
var factorKinds = map[string]identity.FactorKind{
	"token:software:totp": identity.FactorTOTP,
	"token:hotp":          identity.FactorTOTP,
	"webauthn":            identity.FactorWebAuthn,
	"u2f":                 identity.FactorWebAuthn,
	"sms":                 identity.FactorSMS,
	"email":               identity.FactorEmail,
	"push":                identity.FactorPush,
}

// factorKind returns the portable kind of an Okta factorType.
func factorKind(factorType string) identity.FactorKind {
	if k, ok := factorKinds[factorType]; ok {
		return k
	}
	return identity.FactorOther
}

// factorNames are the profile properties that hold the name a user or
// authenticator gave a factor: a WebAuthn authenticator's, a push
// device's.
var factorNames = []string{"authenticatorName", "name"}

// toFactor reads one UserFactor. A factor without an id or a type is an
// answer this backend cannot use.
func toFactor(j *httpx.JSON[wireFactor]) (*identity.Factor, error) {
	w := &j.Value
	if j.Err != nil || w.ID == "" || w.FactorType == "" {
		return nil, driver.Errorf(identity.Internal, "Okta returned a factor the backend cannot read")
	}
	f := &identity.Factor{ID: w.ID, Kind: factorKind(w.FactorType), ProviderType: w.FactorType, Status: w.Status, Raw: j.Raw}
	if w.Created.Year() > 1 {
		f.CreatedAt = w.Created
	}
	for _, k := range factorNames {
		if s, ok := w.Profile[k].(string); ok && s != "" {
			f.Name = s
			break
		}
	}
	return f, nil
}

// ListFactors is GET /api/v1/users/{userId}/factors, which Okta does not
// page. Okta keeps no last-use time of a factor, so LastUsedAt is zero;
// the factor's provider (GOOGLE or OKTA for a TOTP app, FIDO, YUBICO...)
// is in Raw.
func (d *directory) ListFactors(ctx context.Context, userID string) ([]*identity.Factor, error) {
	var ws []httpx.JSON[wireFactor]
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: usersPath(userID, "factors"), Out: &ws}); err != nil {
		return nil, err
	}
	out := make([]*identity.Factor, 0, len(ws))
	for i := range ws {
		f, err := toFactor(&ws[i])
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// DeleteFactor reads the factor (GET .../factors/{factorId}) and then
// deletes it (DELETE .../factors/{factorId}). The read comes first so
// that a factor deleted already is NotFound even when the DELETE has to
// be sent again after a fault: a resent DELETE that finds the factor
// gone cannot tell its own lost first attempt from an earlier delete, and
// is success only because the read saw the factor. Okta answers E0000007
// for a missing user and a missing factor alike, telling them apart only
// in prose, so a NotFound is followed by a read of the user: Field is
// "user" when it is gone, "factor" otherwise.
func (d *directory) DeleteFactor(ctx context.Context, userID, factorID string) error {
	path := usersPath(userID, "factors", factorID)
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path}); err != nil {
		return d.whichMissing(ctx, err, userID, "factor")
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: path})
	return d.whichMissing(ctx, httpx.DoneIfGone(err), userID, "factor")
}

// whichMissing names what a NotFound err is about: the user when it no
// longer exists, else what. Other errors pass as they are.
func (d *directory) whichMissing(ctx context.Context, err error, userID, what string) error {
	var ie *identity.Error
	if !errors.As(err, &ie) || ie.Code != identity.NotFound {
		return err
	}
	_, _, _, gerr := d.get(ctx, userID)
	switch {
	case identity.CodeOf(gerr) == identity.NotFound:
		ie.Field = "user"
	case gerr != nil:
		return gerr // cannot tell; the caller sees why
	default:
		ie.Field = what
	}
	return err
}

// ResetFactors is POST lifecycle/reset_factors, which unenrolls every
// factor of the user at once and leaves its status as it was; Okta
// answers 200 whether or not the user had any, so it is sent again after
// a fault.
func (d *directory) ResetFactors(ctx context.Context, userID string) error {
	return d.lifecycle(ctx, userID, "reset_factors", nil)
}

// wireIdP is Okta's IdentityProvider object, as far as it is read.
type wireIdP struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// wireIdPUser is Okta's IdentityProviderApplicationUser: the user's
// account at one IdP.
type wireIdPUser struct {
	ExternalID string `json:"externalId"`
}

// ListIdentities lists the IdPs the user is linked to with GET
// /api/v1/users/{id}/idps, whose IdentityProvider objects say nothing of
// the user's account there; each account is then read with GET
// /api/v1/idps/{idpId}/users/{userId}, whose externalId is Subject and
// whose object, the account's IdP profile included, is Details. Provider
// is the IdP's id: an org can have two IdPs of one type (two SAML2
// partners), its name is a label an admin may change, and the id is what
// UnlinkIdentity's path takes. A link removed between the two reads is
// left out. The second read needs okta.idps.read for a service app.
func (d *directory) ListIdentities(ctx context.Context, userID string) ([]*identity.LinkedIdentity, error) {
	var idps []httpx.JSON[wireIdP]
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: usersPath(userID, "idps"), Out: &idps}); err != nil {
		return nil, err
	}
	out := make([]*identity.LinkedIdentity, 0, len(idps))
	for i := range idps {
		p := &idps[i]
		if p.Err != nil || p.Value.ID == "" {
			return nil, driver.Errorf(identity.Internal, "Okta returned an identity provider the backend cannot read")
		}
		j := new(httpx.JSON[wireIdPUser])
		_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: idpUserPath(p.Value.ID, userID), Route: idpUserRoute, Out: j})
		switch {
		case identity.CodeOf(err) == identity.NotFound:
			continue // unlinked since the listing
		case identity.CodeOf(err) == identity.PermissionDenied:
			return nil, scopeHint(err, "okta.idps.read")
		case err != nil:
			return nil, err
		case j.Err != nil || j.Value.ExternalID == "":
			return nil, driver.Errorf(identity.Internal, "Okta returned an IdP user the backend cannot read")
		}
		out = append(out, &identity.LinkedIdentity{Provider: p.Value.ID, Subject: j.Value.ExternalID, Details: json.RawMessage(j.Raw)})
	}
	return out, nil
}

// The IdP users API, outside /api/v1/users.
const idpUserRoute = "/api/v1/idps/{id}/users/{id}"

func idpUserPath(idpID, userID string) string {
	return httpx.Path("api", "v1", "idps", idpID, "users", userID)
}

// scopeHint adds to a PermissionDenied the scope a service app needs.
func scopeHint(err error, scope string) error {
	var ie *identity.Error
	if errors.As(err, &ie) {
		ie.Message += "; a service app needs the scope " + scope + " (Options.Scopes) for this call"
	}
	return err
}

// UnlinkIdentity is DELETE /api/v1/idps/{idpId}/users/{userId}, Okta's
// "Unlink a user from IdP" (in Okta's IdP users API, outside the Users
// document): the next time the user federates through that IdP, its
// account-link policy decides anew. provider is the IdP's id, as
// ListIdentities reports it. As DeleteFactor does, it reads the link
// first (GET of the same path), so that unlinking again is NotFound under
// faults too; Okta's E0000007 does not say whether the IdP, the user or
// the link is missing, so a NotFound is followed by a read of the user. A
// service app needs the scopes okta.idps.read and okta.idps.manage.
func (d *directory) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	path := idpUserPath(provider, userID)
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Route: idpUserRoute})
	switch identity.CodeOf(err) {
	case identity.PermissionDenied:
		return scopeHint(err, "okta.idps.read")
	case identity.NotFound:
		return d.whichMissing(ctx, err, userID, "identity")
	}
	if err != nil {
		return err
	}
	_, err = d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: path, Route: idpUserRoute})
	if identity.CodeOf(err) == identity.PermissionDenied {
		return scopeHint(err, "okta.idps.manage")
	}
	return d.whichMissing(ctx, httpx.DoneIfGone(err), userID, "identity")
}

// DeprovisionUser is POST lifecycle/deactivate, without Okta's email to
// the admin: the user becomes DEPROVISIONED, is unassigned from its apps,
// and loses its password, which Okta deletes. A user already
// DEPROVISIONED is E0000038, FailedPrecondition, which the portable
// layer reads as success once it sees the status.
func (d *directory) DeprovisionUser(ctx context.Context, userID string) error {
	return d.lifecycle(ctx, userID, "deactivate", url.Values{"sendEmail": {"false"}})
}

// HasPassword reads the user: Okta's credentials object holds a password
// (shown as {}) when the user has one, expired or not, and none for a
// user never given one, one whose password was deleted by deactivation,
// or one who signs in through an IdP only.
func (d *directory) HasPassword(ctx context.Context, userID string) (bool, error) {
	w, _, _, err := d.get(ctx, userID)
	if err != nil {
		return false, err
	}
	return w.hasPassword(), nil
}

// ResetPassword makes a reset link with POST
// lifecycle/reset_password?sendEmail=false, whose resetPasswordUrl is the
// link (the user moves to RECOVERY, Pending, until it is used), or a
// temporary password with POST
// lifecycle/expire_password_with_temp_password, whose tempPassword the
// user signs in with once (the user moves to PASSWORD_EXPIRED, still
// Active). Okta says neither when it expires. Both are sent again after a
// fault: a resend makes a new link or password in place of one whose
// answer was lost, which nobody holds. A user whose status forbids it
// (STAGED, PROVISIONED, SUSPENDED, DEPROVISIONED) is E0000038,
// FailedPrecondition.
func (d *directory) ResetPassword(ctx context.Context, userID string, opts identity.ResetOptions) (*identity.PasswordReset, error) {
	var out struct {
		ResetPasswordURL string `json:"resetPasswordUrl"`
		TempPassword     string `json:"tempPassword"`
	}
	req := &httpx.Request{Method: http.MethodPost, Idempotent: true, Out: &out}
	switch opts.Kind {
	case identity.ResetLink:
		req.Path, req.Query = usersPath(userID, "lifecycle", "reset_password"), url.Values{"sendEmail": {"false"}}
	case identity.ResetTemporaryPassword:
		req.Path = usersPath(userID, "lifecycle", "expire_password_with_temp_password")
	default:
		return nil, driver.InvalidArgumentError("Kind", "Okta makes reset links and temporary passwords only")
	}
	if _, err := d.http.Do(ctx, req); err != nil {
		return nil, err
	}
	r := &identity.PasswordReset{Kind: opts.Kind, Link: identity.Secret(out.ResetPasswordURL), TemporaryPassword: identity.Secret(out.TempPassword)}
	if opts.Kind == identity.ResetLink && r.Link == "" || opts.Kind == identity.ResetTemporaryPassword && r.TemporaryPassword == "" {
		return nil, driver.Errorf(identity.Internal, "Okta's answer to the %s reset holds no secret", opts.Kind)
	}
	if opts.Kind == identity.ResetLink {
		r.TemporaryPassword = ""
	} else {
		r.Link = ""
	}
	return r, nil
}
