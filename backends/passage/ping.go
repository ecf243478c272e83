package passage

import (
	"context"
	"net/http"
	"net/url"

	"github.com/idport/identity/internal/httpx"
)

// Ping implements driver.Pinger with GET /apps/{app id}/users?limit=1:
// a wrong API key is Unauthenticated, an app id Passage does not have
// InvalidArgument naming AppID (its app_not_found). The answer must be
// the listing's JSON object, so that a host that is not Passage's API
// does not pass.
func (d *directory) Ping(ctx context.Context) error {
	var env listEnvelope
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: d.path(),
		Query: url.Values{"limit": {"1"}, "page": {"1"}}, Out: &env})
	return pingHint(err)
}

// pingHint says what to check when Ping's credentials are refused.
func pingHint(err error) error {
	return httpx.CredentialHint(err, "check the app's API key ("+EnvAPIKey+")", "the API key may not read the app's users")
}
