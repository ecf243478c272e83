package okta

import (
	"context"

	"github.com/idport/identity/internal/httpx"
)

// Client is Okta's Management API as the directory reaches it, for what
// the portable API does not cover. The directory's As hands it out for a
// **Client, the one type it accepts:
//
//	var c *okta.Client
//	if dir.As(&c) {
//		var links []map[string]any
//		err = c.Do(ctx, "GET", "/api/v1/users/"+url.PathEscape(id)+"/appLinks", nil, &links)
//	}
//
// A Client is safe for concurrent use, shares the directory's credential,
// token cache and rate-limit pacing, and prints as "okta.Client" and no
// more.
type Client struct{ http *httpx.Client }

// Do sends an authenticated request to path, relative to the org URL
// (such as "/api/v1/users/00u1/appLinks", optionally with a query), and
// decodes the JSON answer into out. method is GET, HEAD, POST, PUT, PATCH
// or DELETE. body, when not nil, is sent as JSON ([]byte and
// json.RawMessage as they are). out may be nil to discard the answer, a
// *[]byte or *json.RawMessage for the body as it came, or anything
// encoding/json decodes into.
//
// The request is paced under the org's X-Rate-Limit-* quota and retried
// as the portable calls are: GET, HEAD, PUT and DELETE after a transient
// failure, every method after a 429 or a connection that was never made;
// a POST or PATCH whose answer was lost is not sent again, and gives
// Unavailable.
//
// It returns the context's error, as it is, when ctx ends. Every other
// error is an *identity.Error with Op "Do" and Backend "okta". Before any
// request: InvalidArgument with Field "method" for another method, and
// with Field "path" for a path that could leave the org's API: one that
// does not begin with a single "/" (an absolute URL, "//host"), a "." or
// ".." segment (percent-encoded too), a backslash, a fragment, a bad
// percent escape, or a space, control or non-ASCII byte (url.PathEscape
// escapes those). For an Okta error answer: the code its errorCode maps
// to, as for the portable calls (NotFound for E0000007, and so on), with
// HTTPStatus, ProviderCode, RequestID and ProviderError, an *APIError,
// set. No error holds the credential.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.http.Passthrough(ctx, method, path, body, out)
}
