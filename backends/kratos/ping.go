package kratos

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// Ping implements driver.Pinger with GET /admin/identities?page_size=1,
// which needs the Ory Network API key where there is one (self-hosted
// Kratos takes none: there Ping checks reachability alone), and, when a
// public URL is configured, GET /health/alive on it, since
// VerifyPassword and ChangePassword go there; Ory Network serves it too
// (ory-client's MetadataApi.isAlive); any refusal there is Unavailable
// naming PublicURL. The admin answer must be a JSON array, so that a
// host that is not Kratos's admin API does not pass.
func (d *directory) Ping(ctx context.Context) error {
	var page []json.RawMessage
	if _, err := d.admin.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: httpx.Path("admin", "identities"),
		Query: url.Values{"page_size": {"1"}}, Out: &page}); err != nil {
		return pingHint(err)
	}
	if d.public == nil {
		return nil
	}
	var alive struct {
		Status string `json:"status"`
	}
	_, err := d.public.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: httpx.Path("health", "alive"), Out: &alive})
	var e *identity.Error
	if errors.As(err, &e) {
		// Whatever the public URL answered, what is wrong is the URL.
		e.Code, e.Field = identity.Unavailable, "PublicURL"
		e.Message = "the public URL does not answer as Kratos's public API (GET /health/alive): " + e.Message
	}
	return err
}

// pingHint says what to check when Ping's credentials are refused.
func pingHint(err error) error {
	return httpx.CredentialHint(err, "check the Ory Network API key ("+EnvAPIKey+")", "")
}
