package logto

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/idport/identity/internal/httpx"
)

// Ping implements driver.Pinger with GET /api/users?page_size=1, after
// the machine-to-machine app's token is fetched: a wrong app id or
// secret shows as the token endpoint's refusal, a token without the
// Management API's all scope as the users API's. The answer must be a
// JSON array, so that a host that is not a Logto endpoint does not pass.
func (d *directory) Ping(ctx context.Context) error {
	var page []json.RawMessage
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/users", Route: "/api/users",
		Query: url.Values{"page_size": {"1"}}, Out: &page})
	return pingHint(err)
}

// pingHint says what to check when Ping's credentials are refused.
func pingHint(err error) error {
	return httpx.CredentialHint(err, "check the machine-to-machine app's id and secret ("+EnvAppID+", "+EnvAppSecret+") and the resource", "the machine-to-machine app's role lacks the Management API's all scope")
}
