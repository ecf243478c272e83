package logto

import (
	"context"

	"github.com/idport/identity/internal/httpx"
)

// Client is Logto's Management API as the directory reaches it, for what
// the portable API does not cover. The directory's As hands it out for a
// **Client, the one type it accepts:
//
//	var c *logto.Client
//	if dir.As(&c) {
//		var out struct{ HasPassword bool `json:"hasPassword"` }
//		err = c.Do(ctx, "GET", "/api/users/"+url.PathEscape(id)+"/has-password", nil, &out)
//	}
//
// A Client is safe for concurrent use, shares the directory's cached
// machine-to-machine token, and prints as "logto.Client" and no more.
type Client struct{ http *httpx.Client }

// Do sends a request with the directory's access token to path, relative
// to the endpoint (Management API paths begin with "/api", such as
// "/api/users/{id}/has-password"; a query may follow), and decodes the
// JSON answer into out. method is GET, HEAD, POST, PUT, PATCH or DELETE.
// body, when not nil, is sent as JSON ([]byte and json.RawMessage as they
// are). out may be nil to discard the answer, a *[]byte or
// *json.RawMessage for the body as it came, or anything encoding/json
// decodes into.
//
// A token Logto refuses is replaced once and the request sent once more.
// Requests are retried as the portable calls are: GET, HEAD, PUT and
// DELETE after a transient failure, every method after a 429 or a
// connection that was never made; a POST or PATCH whose answer was lost
// is not sent again, and gives Unavailable.
//
// It returns the context's error, as it is, when ctx ends. Every other
// error is an *identity.Error with Op "Do" and Backend "logto". Before
// any request: InvalidArgument with Field "method" for another method,
// and with Field "path" for a path that could leave the endpoint: one
// that does not begin with a single "/" (an absolute URL, "//host"), a
// "." or ".." segment (percent-encoded too), a backslash, a fragment, a
// bad percent escape, or a space, control or non-ASCII byte
// (url.PathEscape escapes those). For a Logto error answer: the code its
// code maps to, as for the portable calls (NotFound for entity.not_found,
// and so on), with HTTPStatus, ProviderCode and ProviderError, an
// *APIError, set. No error holds the token or the app secret.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.http.Passthrough(ctx, method, path, body, out)
}
