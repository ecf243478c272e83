package kratos

import (
	"context"
	"errors"
	"net/http"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

// SetPassword replaces the identity with its own traits, metadata and
// state and the new password; see the package doc for what that costs.
func (d *directory) SetPassword(ctx context.Context, userID string, password identity.Secret) error {
	unlock := d.Lock(userID)
	defer unlock()
	_, w, err := d.read(ctx, userID)
	if err != nil {
		return err
	}
	body := map[string]any{
		"schema_id": w.SchemaID, "state": w.State, "traits": w.Traits,
		"credentials": map[string]any{"password": map[string]any{"config": map[string]any{"password": string(password)}}},
	}
	// PUT makes what it is not sent null, which is what these are when
	// left out; the document does not let them be sent as null.
	if w.MetadataPublic != nil {
		body["metadata_public"] = w.MetadataPublic
	}
	if w.MetadataAdmin != nil {
		body["metadata_admin"] = w.MetadataAdmin
	}
	_, _, err = d.call(ctx, &httpx.Request{Method: http.MethodPut, Path: identityPath(userID), Body: body})
	return err
}

// loginFlow is the part of a native login flow the backend reads.
type loginFlow struct {
	ID string `json:"id"`
}

// loginAnswer is a successful login's answer.
type loginAnswer struct {
	SessionToken identity.Secret `json:"session_token"`
}

// maxLogins bounds the login attempts of one VerifyPassword whose
// answers are lost.
const maxLogins = 3

// VerifyPassword signs in with the user's first password identifier on a
// native login flow, and ends the session that makes. Kratos checks the
// password before the account's state, so a suspended user's right
// password is a match too.
func (d *directory) VerifyPassword(ctx context.Context, userID string, password identity.Secret) error {
	_, w, err := d.read(ctx, userID)
	if err != nil {
		return err
	}
	ids := w.Credentials["password"].Identifiers
	if len(ids) == 0 {
		return driver.Errorf(identity.InvalidCredentials, "the user has no password")
	}
	for try := 1; ; try++ {
		var flow loginFlow
		if _, err := d.public.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: httpx.Path("self-service", "login", "api"), Out: &flow}); err != nil {
			return err
		}
		if flow.ID == "" {
			return driver.Errorf(identity.Internal, "Kratos answered a login flow without an id")
		}
		var ok loginAnswer
		_, err := d.public.Do(ctx, &httpx.Request{
			Method: http.MethodPost, Path: httpx.Path("self-service", "login"),
			Query: map[string][]string{"flow": {flow.ID}},
			Body:  map[string]string{"method": "password", "identifier": ids[0], "password": string(password)},
			Out:   &ok,
		})
		var e *identity.Error
		switch {
		case err == nil:
			return d.logout(ctx, ok.SessionToken)
		case errors.As(err, &e) && e.HTTPStatus == http.StatusUnauthorized && disabledAccount(e):
			return nil // the password matched; the account is inactive
		case httpx.MaybeProcessed(err) && try < maxLogins:
			continue // a login is safe to try again, on a new flow
		}
		return err
	}
}

// disabledAccount reports Kratos's answer to a login of an inactive
// identity with the right password.
func disabledAccount(e *identity.Error) bool {
	var a *APIError
	return errors.As(e, &a) && a.Details["identity_id"] != nil
}

// logout ends the session a password check made. Logging out is
// idempotent in Kratos (a second logout is 204 too), so it is retried.
func (d *directory) logout(ctx context.Context, token identity.Secret) error {
	if token == "" {
		return nil
	}
	_, err := d.public.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: httpx.Path("self-service", "logout", "api"),
		Body: map[string]string{"session_token": string(token)}})
	return err
}

// ChangePassword is VerifyPassword then SetPassword.
func (d *directory) ChangePassword(ctx context.Context, userID string, oldPassword, newPassword identity.Secret) error {
	if err := d.VerifyPassword(ctx, userID, oldPassword); err != nil {
		return err
	}
	return d.SetPassword(ctx, userID, newPassword)
}

// ExpirePassword is never called: Kratos cannot expire a password.
func (d *directory) ExpirePassword(context.Context, string) error {
	return driver.UnsupportedError("ExpirePassword")
}
