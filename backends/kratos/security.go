package kratos

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// RevokeSessions is DELETE /admin/identities/{id}/sessions, which
// deletes the identity's sessions (their tokens stop working at once:
// Kratos's session tokens are its refresh tokens too). Kratos answers 404
// both for an identity without sessions and for no identity, so the
// identity is read first: a missing user is NotFound, and a 404 after the
// read means there was nothing to end.
func (d *directory) RevokeSessions(ctx context.Context, userID string) error {
	if _, _, err := d.read(ctx, userID); err != nil {
		return err
	}
	_, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: identityPath(userID, "sessions")})
	if identity.CodeOf(err) == identity.NotFound {
		return nil
	}
	return err
}

// wireCredential is one of an identity's credentials.
type wireCredential struct {
	Type        string          `json:"type"`
	Identifiers []string        `json:"identifiers"`
	Config      json.RawMessage `json:"config"`
	Version     int             `json:"version"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// credentials reads the identity's credentials, with the config of the
// types include names.
func (d *directory) credentials(ctx context.Context, userID string, include ...string) (map[string]wireCredential, error) {
	var w struct {
		ID          string                    `json:"id"`
		Credentials map[string]wireCredential `json:"credentials"`
	}
	_, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: identityPath(userID),
		Query: url.Values{"include_credential": include}, Out: &w})
	if err != nil {
		return nil, err
	}
	if w.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Kratos returned an identity the backend cannot read")
	}
	return w.Credentials, nil
}

// factorKinds are the credential types that are second factors, and
// their portable kinds.
var factorKinds = map[string]identity.FactorKind{
	"totp":          identity.FactorTOTP,
	"lookup_secret": identity.FactorBackupCodes,
	"webauthn":      identity.FactorWebAuthn,
}

// webauthnKey is a key of a webauthn credential's config.
type webauthnKey struct {
	DisplayName    string    `json:"display_name"`
	AddedAt        time.Time `json:"added_at"`
	IsPasswordless bool      `json:"is_passwordless"`
}

// ListFactors reads the identity's credentials of the second-factor types
// totp, lookup_secret and webauthn, one factor each, whose ID is the
// type, since that is what Kratos deletes by. A webauthn credential is a
// factor for its keys that are not passwordless only: passwordless keys
// are a first factor, like passkeys and passwords, which Kratos's delete
// keeps. Name is the keys' display names. Raw is the credential without
// its config, which holds the TOTP secret and the recovery codes.
func (d *directory) ListFactors(ctx context.Context, userID string) ([]*identity.Factor, error) {
	creds, err := d.credentials(ctx, userID, "webauthn")
	if err != nil {
		return nil, err
	}
	var out []*identity.Factor
	for typ, c := range creds {
		kind, ok := factorKinds[typ]
		if !ok {
			continue
		}
		f := &identity.Factor{ID: typ, Kind: kind, ProviderType: typ}
		if c.CreatedAt.Year() > 1 {
			f.CreatedAt = c.CreatedAt
		}
		if typ == "webauthn" {
			var cfg struct {
				Credentials []webauthnKey `json:"credentials"`
			}
			if json.Unmarshal(c.Config, &cfg) != nil {
				return nil, driver.Errorf(identity.Internal, "Kratos returned a webauthn credential the backend cannot read")
			}
			var names []string
			for _, k := range cfg.Credentials {
				if !k.IsPasswordless {
					names = append(names, k.DisplayName)
				}
			}
			if len(names) == 0 {
				continue // passwordless keys only: a first factor
			}
			f.Name = strings.Join(names, ", ")
		}
		c.Config = nil
		f.Raw, _ = json.Marshal(c)
		out = append(out, f)
	}
	return out, nil
}

// DeleteFactor is DELETE /admin/identities/{id}/credentials/{type}, after
// ListFactors, so that a type the user has no factor of (including
// webauthn with passwordless keys only, which Kratos answers 204 without
// removing anything) is NotFound with Field "factor", and a missing user
// NotFound with Field "user". A delete sent again after a fault, whose
// first attempt went through, succeeds.
func (d *directory) DeleteFactor(ctx context.Context, userID, factorID string) error {
	fs, err := d.ListFactors(ctx, userID)
	if err != nil {
		if e := (*identity.Error)(nil); errors.As(err, &e) && e.Code == identity.NotFound {
			e.Field = "user"
		}
		return err
	}
	for _, f := range fs {
		if f.ID == factorID {
			return d.deleteCredential(ctx, userID, factorID, nil)
		}
	}
	return &identity.Error{Code: identity.NotFound, Field: "factor", Message: "the user has no " + factorID + " factor"}
}

// deleteCredential deletes a credential type, or with query one oidc
// link; a 404 on an attempt sent again counts as done.
func (d *directory) deleteCredential(ctx context.Context, userID, typ string, q url.Values) error {
	_, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: identityPath(userID, "credentials", typ), Query: q})
	return httpx.DoneIfGone(err)
}

// ResetFactors deletes each second factor ListFactors finds, one request
// each: not atomic, and a factor deleted meanwhile counts as deleted.
func (d *directory) ResetFactors(ctx context.Context, userID string) error {
	fs, err := d.ListFactors(ctx, userID)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if err := d.deleteCredential(ctx, userID, f.ID, nil); err != nil && identity.CodeOf(err) != identity.NotFound {
			return err
		}
	}
	return nil
}

// oidcProvider is an entry of an oidc credential's providers. The
// initial tokens Kratos keeps there are left out of Details.
type oidcProvider struct {
	Provider     string `json:"provider"`
	Subject      string `json:"subject"`
	Organization string `json:"organization,omitempty"`
}

// ListIdentities reads the identity's oidc credential
// (include_credential=oidc): one linked identity per provider and
// subject that the credential's identifiers still name. Kratos leaves an
// entry whose provider and subject are "" after the last link is removed;
// such entries are skipped.
func (d *directory) ListIdentities(ctx context.Context, userID string) ([]*identity.LinkedIdentity, error) {
	creds, err := d.credentials(ctx, userID, "oidc")
	if err != nil {
		return nil, err
	}
	c, ok := creds["oidc"]
	if !ok {
		return nil, nil
	}
	var cfg struct {
		Providers []oidcProvider `json:"providers"`
	}
	if len(c.Config) > 0 && json.Unmarshal(c.Config, &cfg) != nil {
		return nil, driver.Errorf(identity.Internal, "Kratos returned an oidc credential the backend cannot read")
	}
	linked := map[string]bool{}
	for _, id := range c.Identifiers {
		linked[id] = true
	}
	var out []*identity.LinkedIdentity
	for _, p := range cfg.Providers {
		if p.Provider == "" || p.Subject == "" || !linked[p.Provider+":"+p.Subject] {
			continue
		}
		details, _ := json.Marshal(p)
		out = append(out, &identity.LinkedIdentity{Provider: p.Provider, Subject: p.Subject, Details: details})
	}
	return out, nil
}

// UnlinkIdentity removes every link to the provider, one DELETE
// .../credentials/oidc?identifier={provider}:{subject} each (a user may
// have several subjects at one provider). A provider the user has no link
// at is NotFound with Field "identity".
func (d *directory) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	ids, err := d.ListIdentities(ctx, userID)
	if err != nil {
		if e := (*identity.Error)(nil); errors.As(err, &e) && e.Code == identity.NotFound {
			e.Field = "user"
		}
		return err
	}
	found := false
	for _, li := range ids {
		if li.Provider != provider {
			continue
		}
		found = true
		if err := d.deleteCredential(ctx, userID, "oidc", url.Values{"identifier": {li.Provider + ":" + li.Subject}}); err != nil {
			return err
		}
	}
	if !found {
		return &identity.Error{Code: identity.NotFound, Field: "identity", Message: "the user has no identity linked at " + provider}
	}
	return nil
}

// HasPassword reads the password credential's config
// (include_credential=password): a user has a password when it holds a
// hashed_password. An identity made without one still has a password
// credential (holding its identifiers), whose config is {}.
func (d *directory) HasPassword(ctx context.Context, userID string) (bool, error) {
	creds, err := d.credentials(ctx, userID, "password")
	if err != nil {
		return false, err
	}
	var cfg struct {
		HashedPassword string `json:"hashed_password"`
	}
	c, ok := creds["password"]
	if !ok || len(c.Config) == 0 {
		return false, nil
	}
	if json.Unmarshal(c.Config, &cfg) != nil {
		return false, driver.Errorf(identity.Internal, "Kratos returned a password credential the backend cannot read")
	}
	return cfg.HashedPassword != "", nil
}

// ResetPassword is POST /admin/recovery/link, which makes a recovery link
// without mailing it: the link signs the user in and opens the settings
// flow, where the user sets a new password. It needs the link method on
// in Kratos's configuration (selfservice.methods.link.enabled), without
// which Kratos answers 404, and FailedPrecondition here. The identity is
// read first, since Kratos answers a missing identity with 400 (and an id
// that is not a UUID with a 400 about decoding the body); one deleted
// between the read and the link is NotFound too. A link is made for an
// inactive identity too, but it cannot sign in until activated. A
// request whose answer is lost is sent again: the link of the lost
// answer is never seen, and expires unused.
func (d *directory) ResetPassword(ctx context.Context, userID string, opts identity.ResetOptions) (*identity.PasswordReset, error) {
	if opts.Kind != identity.ResetLink {
		return nil, driver.UnsupportedError("ResetPassword of kind " + string(opts.Kind))
	}
	// Kratos refuses an id that is not a UUID with a 400 about the body's
	// decoding: the read makes every missing user NotFound.
	if _, _, err := d.read(ctx, userID); err != nil {
		return nil, err
	}
	var out struct {
		Link      identity.Secret `json:"recovery_link"`
		ExpiresAt time.Time       `json:"expires_at"`
	}
	_, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: httpx.Path("admin", "recovery", "link"),
		Body: map[string]string{"identity_id": userID}, Out: &out, Idempotent: true})
	var e *identity.Error
	switch {
	case errors.As(err, &e) && e.HTTPStatus == http.StatusBadRequest && strings.Contains(e.Message, "identity id does not exist"):
		e.Code, e.Field = identity.NotFound, "user"
		return nil, e
	case errors.As(err, &e) && e.HTTPStatus == http.StatusNotFound:
		e.Code = identity.FailedPrecondition
		e.Message = "Kratos's recovery link method is off: set selfservice.methods.link.enabled (" + e.Message + ")"
		return nil, e
	case err != nil:
		return nil, err
	case out.Link == "":
		return nil, driver.Errorf(identity.Internal, "Kratos answered a recovery link without the link")
	}
	return &identity.PasswordReset{Kind: identity.ResetLink, Link: out.Link, ExpiresAt: out.ExpiresAt}, nil
}
