package passage

import (
	"context"

	"github.com/idport/identity/internal/httpx"
)

// Client is Passage's Management API as the directory reaches it, for
// what the portable API does not cover. The directory's As hands it out
// for a **Client, the one type it accepts:
//
//	var c *passage.Client
//	if dir.As(&c) {
//		var out struct{ Devices []map[string]any `json:"devices"` }
//		err = c.Do(ctx, "GET", "/apps/"+appID+"/users/"+url.PathEscape(id)+"/devices", nil, &out)
//	}
//
// A Client is safe for concurrent use, and prints as "passage.Client"
// and no more.
type Client struct{ http *httpx.Client }

// Do sends a request with the app's API key to path, relative to the
// base URL (DefaultBaseURL, https://api.passage.id/v1, unless
// Options.BaseURL says otherwise), such as "/apps/{app_id}/users/{id}/devices",
// optionally with a query, and decodes the JSON answer into out. method
// is GET, HEAD, POST, PUT, PATCH or DELETE. body, when not nil, is sent
// as JSON ([]byte and json.RawMessage as they are). out may be nil to
// discard the answer, a *[]byte or *json.RawMessage for the body as it
// came, or anything encoding/json decodes into.
//
// Requests are retried as the portable calls are: GET, HEAD, PUT and
// DELETE after a transient failure, every method after a 429 or a
// connection that was never made; a POST or PATCH whose answer was lost
// is not sent again, and gives Unavailable.
//
// It returns the context's error, as it is, when ctx ends. Every other
// error is an *identity.Error with Op "Do" and Backend "passage". Before
// any request: InvalidArgument with Field "method" for another method,
// and with Field "path" for a path that could leave the base URL's API:
// one that does not begin with a single "/" (an absolute URL, "//host"),
// a "." or ".." segment (percent-encoded too), a backslash, a fragment, a
// bad percent escape, or a space, control or non-ASCII byte
// (url.PathEscape escapes those). For a Passage error answer: the code
// its code maps to, as for the portable calls (NotFound for
// user_not_found, and so on), with HTTPStatus, ProviderCode and
// ProviderError, an *APIError, set. No error holds the API key.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.http.Passthrough(ctx, method, path, body, out)
}
