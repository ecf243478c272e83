package logto

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/idport/identity"
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
		hint = "check the machine-to-machine app's id and secret (" + EnvAppID + ", " + EnvAppSecret + ") and the resource"
	case identity.PermissionDenied:
		hint = "the machine-to-machine app's role lacks the Management API's all scope"
	}
	if hint != "" {
		e.Message = strings.TrimPrefix(e.Message+"; "+hint, "; ")
	}
	return err
}
