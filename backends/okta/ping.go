package okta

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/idport/identity/internal/httpx"
)

// Ping implements driver.Pinger with GET /api/v1/users?limit=1, the
// cheapest call of the users API, which needs the okta.users.read scope
// the directory needs anyway: GET /api/v1/org would need okta.orgs.read,
// which a service app made for users alone does not have. A service
// app's token is fetched first, so that a wrong client id or key shows
// here too. The answer must be a JSON array, so that a host that is not
// an Okta org does not pass.
func (d *directory) Ping(ctx context.Context) error {
	var page []json.RawMessage
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: usersPath(), Route: usersRoute,
		Query: url.Values{"limit": {"1"}}, Out: &page})
	return pingHint(err)
}

// pingHint says what to check when Ping's credentials are refused.
func pingHint(err error) error {
	return httpx.CredentialHint(err, "check the API token ("+EnvAPIToken+"), or the service app's client id, private key and key id", "the token's administrator, or the service app's scopes, may not read users (okta.users.read)")
}
