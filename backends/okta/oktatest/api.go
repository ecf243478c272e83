package oktatest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// OAuth scopes of the Management API operations the emulator serves.
const (
	usersRead   = "okta.users.read"
	usersManage = "okta.users.manage"
	groupsRead  = "okta.groups.read"
	groupsMgmt  = "okta.groups.manage"
	rolesRead   = "okta.roles.read"
	rolesManage = "okta.roles.manage"
)

// knownScopes are the scopes the token endpoint grants.
var knownScopes = []string{usersRead, usersManage, groupsRead, groupsMgmt, rolesRead, rolesManage, idpsRead, idpsManage}

// reply is the emulator's answer, written after the lock is released.
type reply = emulate.Reply

func ok(body any) reply { return emulate.JSON(http.StatusOK, body) }

// empty is 200 with no body, which Okta sends for most lifecycle calls.
func empty() reply { return emulate.Empty(http.StatusOK) }

func noContent() reply { return emulate.Empty(http.StatusNoContent) }

// fail is Okta's error body: errorLink repeats errorCode, errorId is
// random, errorCauses is always present (empty when there are none).
func fail(status int, code, summary string, causes ...string) reply {
	cs := make([]map[string]string, 0, len(causes))
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	return emulate.JSON(status, map[string]any{
		"errorCode": code, "errorSummary": summary, "errorLink": code,
		"errorId": "oae" + emulate.ID(emulate.Base62, 22), "errorCauses": cs,
	})
}

// invalid is E0000001; the summary names the first field at fault.
func invalid(field string, causes ...string) reply {
	return fail(http.StatusBadRequest, "E0000001", "Api validation failed: "+field, causes...)
}

func malformed() reply {
	return fail(http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
}

// notFound is E0000007 with the text Okta sends, e.g. "Not found: Resource
// not found: 00u... (User)".
func notFound(id, kind string) reply {
	return fail(http.StatusNotFound, "E0000007", fmt.Sprintf("Not found: Resource not found: %s (%s)", id, kind))
}

func forbidden() reply {
	return fail(http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
}

func wrongStatus() reply {
	return fail(http.StatusForbidden, "E0000038", "This operation is not allowed in the user's current status.")
}

func badSearch() reply {
	return fail(http.StatusBadRequest, "E0000031", "Invalid search criteria.")
}

// readBody decodes a bounded JSON body. A body that is not JSON, or not of
// the shape expected, is E0000003, as Okta's deserializer answers; so is
// one over emulate.MaxRequestBody (Unpublished: Okta's own cap and its
// answer are not documented).
func readBody(r *http.Request, v any) (reply, bool) {
	if err := emulate.ReadJSON(r, v); err != nil {
		return malformed(), false
	}
	return reply{}, true
}

// handler is an operation, given the path parameters in pattern order.
type handler func(e *Emulator, r *http.Request, p []string) reply

// newRouter is the /api/v1 route table. Each route names the OAuth scope a
// bearer token needs, none for the Authentication API. GET
// /users/{id}/groups takes okta.users.read, as the spec's security for it
// says, not okta.groups.read. A path the emulator does not serve is 404
// E0000007 naming the path (Unpublished wording); a method a path does
// not take is 405 E0000022 with Allow.
func (e *Emulator) newRouter() *emulate.Router {
	rt := &emulate.Router{
		NotFound: func(w http.ResponseWriter, r *http.Request) { notFound(r.URL.Path, "Resource").Write(w) },
		MethodNotAllowed: func(w http.ResponseWriter, r *http.Request, allow []string) {
			rp := fail(http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
			rp.Header = http.Header{"Allow": {strings.Join(allow, ", ")}}
			rp.Write(w)
		},
	}
	handle := func(pattern, scope string, h handler) {
		rt.Handle(pattern, func(w http.ResponseWriter, r *http.Request) { e.run(r, scope, h).Write(w) })
	}
	handle("POST /api/v1/authn", "", (*Emulator).authn)
	handle("GET /api/v1/users", usersRead, (*Emulator).listUsers)
	handle("POST /api/v1/users", usersManage, (*Emulator).createUser)
	handle("GET /api/v1/users/{id}", usersRead, (*Emulator).getUser)
	handle("POST /api/v1/users/{id}", usersManage, (*Emulator).updateUser)
	handle("PUT /api/v1/users/{id}", usersManage, (*Emulator).replaceUser)
	handle("DELETE /api/v1/users/{id}", usersManage, (*Emulator).deleteUser)
	handle("POST /api/v1/users/{id}/credentials/change_password", usersManage, (*Emulator).changePassword)
	handle("GET /api/v1/users/{id}/groups", usersRead, (*Emulator).listUserGroups)
	handle("GET /api/v1/users/{id}/appLinks", usersRead, (*Emulator).listAppLinks)
	handle("DELETE /api/v1/users/{id}/sessions", usersManage, (*Emulator).revokeSessions)
	handle("GET /api/v1/users/{id}/factors", usersRead, (*Emulator).listFactors)
	handle("GET /api/v1/users/{id}/factors/{factorId}", usersRead, (*Emulator).getFactor)
	handle("DELETE /api/v1/users/{id}/factors/{factorId}", usersManage, (*Emulator).deleteFactor)
	handle("GET /api/v1/users/{id}/idps", usersRead, (*Emulator).listUserIdPs)
	handle("GET /api/v1/idps/{idpId}/users/{id}", idpsRead, (*Emulator).getIdPUser)
	handle("DELETE /api/v1/idps/{idpId}/users/{id}", idpsManage, (*Emulator).unlinkIdPUser)
	handle("GET /api/v1/users/{id}/grants", usersRead, (*Emulator).listGrants)
	handle("DELETE /api/v1/users/{id}/grants", usersManage, (*Emulator).revokeGrants)
	handle("GET /api/v1/users/{id}/grants/{grantId}", usersRead, (*Emulator).getGrant)
	handle("DELETE /api/v1/users/{id}/grants/{grantId}", usersManage, (*Emulator).revokeGrant)
	handle("GET /api/v1/users/{id}/roles", rolesRead, (*Emulator).listRoles)
	handle("POST /api/v1/users/{id}/roles", rolesManage, (*Emulator).assignRole)
	handle("GET /api/v1/users/{id}/roles/{roleId}", rolesRead, (*Emulator).getRole)
	handle("DELETE /api/v1/users/{id}/roles/{roleId}", rolesManage, (*Emulator).unassignRole)
	handle("GET /api/v1/groups", groupsRead, (*Emulator).listGroups)
	handle("POST /api/v1/groups", groupsMgmt, (*Emulator).createGroup)
	handle("GET /api/v1/groups/{groupId}", groupsRead, (*Emulator).getGroup)
	handle("PUT /api/v1/groups/{groupId}", groupsMgmt, (*Emulator).replaceGroup)
	handle("DELETE /api/v1/groups/{groupId}", groupsMgmt, (*Emulator).deleteGroup)
	handle("GET /api/v1/groups/{groupId}/users", groupsRead, (*Emulator).listGroupUsers)
	handle("PUT /api/v1/groups/{groupId}/users/{id}", groupsMgmt, (*Emulator).addMember)
	handle("DELETE /api/v1/groups/{groupId}/users/{id}", groupsMgmt, (*Emulator).removeMember)
	for _, name := range lifecycleOps {
		handle("POST /api/v1/users/{id}/lifecycle/"+name, usersManage, func(e *Emulator, r *http.Request, p []string) reply {
			return e.lifecycle(r, p[0], name)
		})
	}
	return rt
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	now := e.opts.Now()
	// Date comes from the emulator's clock, so that a client computing its
	// backoff as X-Rate-Limit-Reset minus Date (as okta-sdk-golang does)
	// sees a consistent pair under a fake clock.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	w.Header().Set("X-Okta-Request-Id", emulate.ID(emulate.Base62, 27))
	if r.URL.Path == "/oauth2/v1/token" {
		e.token(w, r, now)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		notFound(r.URL.Path, "Resource").Write(w)
		return
	}
	if !e.admit(w, now) {
		return
	}
	e.router.ServeHTTP(w, r)
}

// run authenticates one routed /api request and runs its handler.
func (e *Emulator) run(r *http.Request, scope string, h handler) reply {
	if scope != "" {
		if rp, pass := e.authorize(r, scope, e.opts.Now()); !pass {
			return rp
		}
	}
	if (r.Method == http.MethodPost || r.Method == http.MethodPut) && r.Header.Get("Content-Length") == "" && len(r.TransferEncoding) == 0 {
		// Okta: "Any PUT or POST request without a Content-Length header or
		// a body returns a 411 error". The body is Unpublished; the
		// emulator sends its error shape with E0000003 so that a client
		// reading errorCode sees a malformed request.
		return fail(http.StatusLengthRequired, "E0000003", "The request body was not well-formed.",
			"Content-Length: A POST or PUT request needs a Content-Length header or a body")
	}
	return h(e, r, emulate.Params(r))
}

// admit counts an /api request against the quota and sets the rate-limit
// headers; over quota it answers 429 E0000047 and reports false. The
// window starts with the first request after the previous one ended, so
// it is not aligned to the wall-clock minute, as Okta's are not. One
// bucket covers every /api route, the Authentication API included, where
// Okta keeps one per endpoint group (a simplification; the per-org
// numbers are Unpublished anyway). The token endpoint is not counted.
func (e *Emulator) admit(w http.ResponseWriter, now time.Time) bool {
	e.mu.Lock()
	if !now.Before(e.windowEnd) {
		e.windowEnd, e.used = now.Add(e.opts.RateWindow), 0
	}
	e.requests++
	limited := e.used >= e.opts.RateLimit
	if limited {
		e.rateLimited++
	} else {
		e.used++
	}
	remaining := e.opts.RateLimit - e.used
	// Whole seconds, rounded up, so that a client waiting until the reset
	// never comes back inside the window.
	reset := e.windowEnd.Unix()
	if e.windowEnd.Nanosecond() > 0 {
		reset++
	}
	e.mu.Unlock()
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(e.opts.RateLimit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
	if limited {
		fail(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.").Write(w)
	}
	return !limited
}

// authorize checks the Authorization header: the SSWS API token, which
// may do anything, or a bearer token from the token endpoint, which may
// do what its scopes allow (a manage scope implies its read scope).
// A missing header gets the same 401 E0000011 as a wrong one
// (Unpublished); a bearer token lacking the scope gets 403 E0000006 with
// the WWW-Authenticate challenge of RFC 6750.
func (e *Emulator) authorize(r *http.Request, scope string, now time.Time) (reply, bool) {
	h := r.Header.Get("Authorization")
	invalidToken := fail(http.StatusUnauthorized, "E0000011", "Invalid token provided")
	if tok, isSSWS := strings.CutPrefix(h, "SSWS "); isSSWS {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(e.opts.APIToken)) == 1 {
			return reply{}, true
		}
		return invalidToken, false
	}
	tok, isBearer := strings.CutPrefix(h, "Bearer ")
	if !isBearer {
		return invalidToken, false
	}
	t, known := e.tokens.Lookup(tok)
	if known && !now.Before(t.expires) {
		e.tokens.Forget(tok)
		known = false
	}
	origin := requestOrigin(r)
	if !known {
		invalidToken.Header = http.Header{"Www-Authenticate": {fmt.Sprintf(
			`Bearer authorization_uri="%s/oauth2/v1/authorize", realm="%s", scope="%s", error="invalid_token", error_description="The access token is invalid.", resource="%s"`,
			origin, origin, scope, r.URL.Path)}}
		return invalidToken, false
	}
	manage := strings.TrimSuffix(scope, ".read") + ".manage"
	if !slices.Contains(t.scopes, scope) && !slices.Contains(t.scopes, manage) {
		rp := forbidden()
		rp.Header = http.Header{"Www-Authenticate": {fmt.Sprintf(
			`Bearer authorization_uri="%s/oauth2/v1/authorize", realm="%s", scope="%s", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="%s"`,
			origin, origin, scope, r.URL.Path)}}
		return rp, false
	}
	return reply{}, true
}

// requestOrigin is the org URL as the client addressed it.
func requestOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// stamp is Okta's timestamp format, ISO 8601 with milliseconds in UTC.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// nullStamp is a timestamp, or JSON null for a zero time.
func nullStamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return stamp(t)
}
