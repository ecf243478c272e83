package kratos

import (
	"context"

	"github.com/idport/identity/internal/httpx"
)

// Client is Kratos's admin API as the directory reaches it, for what the
// portable API does not cover. The directory's As hands it out for a
// **Client, the one type it accepts:
//
//	var c *kratos.Client
//	if dir.As(&c) {
//		var sessions []map[string]any
//		err = c.Do(ctx, "GET", "/admin/identities/"+url.PathEscape(id)+"/sessions", nil, &sessions)
//	}
//
// A Client is safe for concurrent use, and prints as "kratos.Client" and
// no more.
type Client struct{ http *httpx.Client }

// Do sends a request, with the API key when there is one, to path,
// relative to Options.AdminURL, such as "/admin/identities/{id}/sessions",
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
// error is an *identity.Error with Op "Do" and Backend "kratos". Before
// any request: InvalidArgument with Field "method" for another method,
// and with Field "path" for a path that could leave the admin API's
// root: one that does not begin with a single "/" (an absolute URL,
// "//host"), a "." or ".." segment (percent-encoded too), a backslash, a
// fragment, a bad percent escape, or a space, control or non-ASCII byte
// (url.PathEscape escapes those). For a Kratos error answer: the code its
// status maps to, as for the portable calls (NotFound for 404, and so
// on), with HTTPStatus and ProviderError, an *APIError, set, and
// ProviderCode the error's id when it has one. No error holds the API
// key.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.http.Passthrough(ctx, method, path, body, out)
}
