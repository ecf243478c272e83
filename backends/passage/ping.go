package passage

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/idport/identity"
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

// pingHint adds to a refusal of the credentials what to check, since at
// start-up that is what Ping is for.
func pingHint(err error) error {
	var e *identity.Error
	if !errors.As(err, &e) {
		return err
	}
	hint := ""
	switch e.Code {
	case identity.Unauthenticated:
		hint = "check the app's API key (" + EnvAPIKey + ")"
	case identity.PermissionDenied:
		hint = "the API key may not read the app's users"
	}
	if hint != "" {
		e.Message = strings.TrimPrefix(e.Message+"; "+hint, "; ")
	}
	return err
}
