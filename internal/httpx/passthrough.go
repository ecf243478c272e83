package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
)

// PassthroughOp is the Op of every error Passthrough returns, the name of
// the Do method of each backend's typed client.
const PassthroughOp = "Do"

// Passthrough is the shared body of each backend's typed client: it sends
// a request the application built to a path below the base URL, with the
// client's credential, pacing, retries, error decoding and redaction, and
// decodes a JSON answer into out.
//
// method is one of GET, HEAD, POST, PUT, PATCH and DELETE. path begins
// with "/" and is taken relative to the base URL, such as
// "/api/v1/users/00u1/appLinks"; it may end in a query ("?limit=20").
// Since the request carries the credential, a path that could take it
// anywhere but the base URL's API is refused before any request: an
// absolute URL or a scheme, a "//host" form, a backslash, a "." or ".."
// segment (also percent-encoded, or before a ';'), a fragment, a bad
// percent escape, and a space, control or non-ASCII byte (escape ids with
// url.PathEscape).
//
// body is sent as Request.Body is. out receives the answer: nil discards
// it, a *[]byte or *json.RawMessage gets the body as it came, anything
// else is decoded from JSON as Request.Out is. A request is retried as
// the package doc says; a POST or PATCH is never marked Idempotent here,
// so one whose answer was lost is not sent again.
//
// Errors are the context's own, as they are, when ctx ends; otherwise an
// *identity.Error with Op PassthroughOp and Backend set: InvalidArgument
// with Field "method" or "path" for a refused method or path (no request
// was made), and for a request made, whatever Do returns.
func (c *Client) Passthrough(ctx context.Context, method, path string, body, out any) error {
	req, err := passthroughRequest(method, path, body)
	if err != nil {
		return c.opError(err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var raw *[]byte
	switch o := out.(type) {
	case *[]byte:
		raw = o
	case *json.RawMessage:
		raw = (*[]byte)(o)
	default:
		req.Out = out
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		return c.opError(err)
	}
	if raw != nil {
		*raw = bytes.Clone(resp.Body)
	}
	return nil
}

// opError names the operation and backend in an *identity.Error, which
// the portable layer would do for a Directory method; other errors (the
// context's) pass as they are.
func (c *Client) opError(err error) error {
	var ie *identity.Error
	if errors.As(err, &ie) {
		ie.Op, ie.Backend = PassthroughOp, c.cfg.Backend
	}
	return err
}

// passthroughRequest checks method and path and builds the Request.
func passthroughRequest(method, path string, body any) (*Request, error) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, driver.InvalidArgumentError("method", "the method must be GET, HEAD, POST, PUT, PATCH or DELETE")
	}
	p, query, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	return &Request{Method: method, Path: p, Query: query, Body: body}, nil
}

// checkPath splits path into the path proper and its query, refusing
// what could make a request leave the API the base URL names. The path
// is appended to the base URL as a string, so one that does not begin
// with a single "/" would change the host ("https://org.okta.com" +
// ".evil.example"); the rest guards against servers and proxies that
// normalize a path after decoding it.
func checkPath(path string) (string, url.Values, error) {
	bad := func(format string, args ...any) (string, url.Values, error) {
		return "", nil, driver.InvalidArgumentError("path", format, args...)
	}
	for i := 0; i < len(path); i++ {
		if b := path[i]; b <= ' ' || b >= 0x7f {
			return bad("the path has the byte %q at %d: escape it with url.PathEscape", b, i)
		}
	}
	switch {
	case path == "":
		return bad("the path is empty: give one below the API root, such as /api/v1/users")
	case strings.HasPrefix(path, "//"):
		return bad("the path begins with //, which names a host: give one below the API root")
	case path[0] != '/':
		if u, err := url.Parse(path); err == nil && u.Scheme != "" {
			return bad("the path is an absolute URL: give one below the API root, which the directory's configuration names")
		}
		return bad("the path must begin with /")
	case strings.ContainsAny(path, `\#`):
		return bad(`the path has a \ or a #`)
	}
	p, rawQuery, _ := strings.Cut(path, "?")
	for seg := range strings.SplitSeq(p[1:], "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return bad("the path has a bad percent escape")
		}
		for part := range strings.FieldsFuncSeq(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
			part, _, _ = strings.Cut(part, ";")
			if part == "." || part == ".." {
				return bad("the path has a %q segment, which could climb out of the API", part)
			}
		}
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return bad("the path's query cannot be parsed")
	}
	return p, query, nil
}

// As sets target to v when target is a *T, and reports whether it did:
// the body of a backend's driver.Aser for the one type it hands out.
func As[T any](target any, v T) bool {
	p, ok := target.(*T)
	if ok && p != nil {
		*p = v
	}
	return ok && p != nil
}

// DecodeBody is the part of a Config.DecodeError every provider shares.
// It decodes body, a provider's JSON error body, into a new T, and
// returns it with an *identity.Error for the backend to refine: Code is
// what table maps the body's provider code to (GenericError(status) for
// a code it does not list), ProviderCode and Message are what fields
// reads from the body, and ProviderError is the body. Both are nil when
// the body is not JSON of T's shape or carries no code, so that the
// status alone decides.
func DecodeBody[T any, P interface {
	*T
	error
}](status int, body []byte, table map[string]identity.Code, fields func(P) (code, message string)) (P, *identity.Error) {
	b := P(new(T))
	if json.Unmarshal(body, b) != nil {
		return nil, nil
	}
	pc, msg := fields(b)
	if pc == "" {
		return nil, nil
	}
	code, ok := table[pc]
	if !ok {
		code = GenericError(status)
	}
	return b, &identity.Error{Code: code, ProviderCode: pc, Message: msg, ProviderError: b}
}
