package kratostest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

const (
	stateActive   = "active"
	stateInactive = "inactive"
	nilUUID       = "00000000-0000-0000-0000-000000000000"
)

// reply is an answer worked out under the lock and written after it.
// Kratos sends its errors as "application/json" and everything else as
// "application/json; charset=utf-8".
type reply struct {
	status int
	body   any // nil: no body
	header http.Header
	isErr  bool
}

func (rp reply) write(w http.ResponseWriter) {
	for k, vs := range rp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rp.body == nil {
		w.WriteHeader(rp.status)
		return
	}
	ct := "application/json; charset=utf-8"
	if rp.isErr {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(rp.status)
	_ = json.NewEncoder(w).Encode(rp.body)
}

func ok(status int, body any) reply { return reply{status: status, body: body} }

// errorBody is Kratos's (herodot's) error object.
type errorBody struct {
	ID      string         `json:"id,omitempty"`
	Code    int            `json:"code"`
	Status  string         `json:"status"`
	Reason  string         `json:"reason,omitempty"`
	Details map[string]any `json:"details,omitempty"`
	Message string         `json:"message"`
}

func failure(status int, reason, message string) reply {
	return reply{status: status, isErr: true, body: map[string]any{"error": errorBody{
		Code: status, Status: http.StatusText(status), Reason: reason, Message: message,
	}}}
}

// The messages herodot gives each status when a handler sets none.
const (
	msgBadRequest = "The request was malformed or contained invalid parameters"
	msgNotFound   = "Unable to locate the resource"
	msgUnauth     = "The request could not be authorized"
)

func badRequest(reason string) reply { return failure(http.StatusBadRequest, reason, msgBadRequest) }
func notFound() reply                { return failure(http.StatusNotFound, "", msgNotFound) }

// createConflict and updateConflict are the two 409 bodies: a create
// names the conflict in its reason, an update (PUT, PATCH) has only the
// database layer's message.
func createConflict() reply {
	return failure(http.StatusConflict, "This identity conflicts with another identity that already exists.", "The resource could not be created due to a conflict")
}

func updateConflict() reply {
	return failure(http.StatusConflict, "", "Unable to insert or update resource because a resource with that value exists already")
}

func (e *Emulator) newRouter() *emulate.Router {
	rt := &emulate.Router{
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "404 page not found", http.StatusNotFound)
		},
		// Kratos's router lists OPTIONS among the allowed methods too.
		MethodNotAllowed: func(w http.ResponseWriter, _ *http.Request, allow []string) {
			allow = append(allow, http.MethodOptions)
			slices.Sort(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		},
	}
	h := func(fn func(*http.Request) reply) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { fn(r).write(w) }
	}
	rt.Handle("POST /admin/identities", h(e.create))
	rt.Handle("GET /admin/identities", h(e.list))
	rt.Handle("GET /admin/identities/{id}", h(e.get))
	rt.Handle("PUT /admin/identities/{id}", h(e.update))
	rt.Handle("PATCH /admin/identities/{id}", h(e.patch))
	rt.Handle("DELETE /admin/identities/{id}", h(e.delete))
	rt.Handle("DELETE /admin/identities/{id}/credentials/{type}", h(e.deleteCredential))
	rt.Handle("GET /admin/identities/{id}/sessions", h(e.listSessions))
	rt.Handle("DELETE /admin/identities/{id}/sessions", h(e.deleteSessions))
	rt.Handle("GET /admin/sessions/{id}", h(e.getSession))
	rt.Handle("DELETE /admin/sessions/{id}", h(e.disableSession))
	rt.Handle("POST /admin/recovery/link", h(e.recoveryLink))
	rt.Handle("POST /admin/recovery/code", h(e.recoveryCode))
	rt.Handle("GET /self-service/login/api", h(e.newLoginFlow))
	rt.Handle("POST /self-service/login", h(e.login))
	rt.Handle("DELETE /self-service/logout/api", h(e.logout))
	rt.Handle("GET /sessions/whoami", h(e.whoami))
	health := h(func(*http.Request) reply { return ok(http.StatusOK, map[string]string{"status": "ok"}) })
	for _, p := range []string{"/health/alive", "/health/ready", "/admin/health/alive", "/admin/health/ready"} {
		rt.Handle("GET "+p, health)
	}
	return rt
}

// serve handles what Kratos's routers do before any handler: the API key
// (Ory Network), the redirect of a trailing slash (301 for GET, 308
// otherwise, as httprouter), and the admin port's redirect of paths
// outside /admin (307), so that a create's Location, which omits /admin,
// can be followed.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if e.opts.APIKey != "" && strings.HasPrefix(path, "/admin/") {
		key, isBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !isBearer || subtle.ConstantTimeCompare([]byte(key), []byte(e.opts.APIKey)) != 1 {
			failure(http.StatusUnauthorized, "The request could not be authorized: the API key is missing or invalid.", msgUnauth).write(w)
			return
		}
	}
	if len(path) > 1 && strings.HasSuffix(path, "/") {
		target := strings.TrimRight(path, "/")
		if target == "" {
			target = "/"
		}
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		code := http.StatusMovedPermanently
		if r.Method != http.MethodGet {
			code = http.StatusPermanentRedirect
		}
		http.Redirect(w, r, target, code)
		return
	}
	if path == "/identities" || strings.HasPrefix(path, "/identities/") {
		target := "/admin" + path
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
		return
	}
	e.router.ServeHTTP(w, r)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// parseUUID reads a UUID in its canonical form, any case, and returns it
// lower-cased; the error text is that of the UUID library Kratos uses.
// Unobserved: that library also takes braces, a urn:uuid: prefix and the
// 32 digits without hyphens; the emulator takes only the canonical form.
func parseUUID(s string) (string, error) {
	if len(s) != 36 {
		return "", fmt.Errorf("uuid: incorrect UUID length %d in string %q", len(s), s)
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", fmt.Errorf("uuid: incorrect UUID format in string %q", s)
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", fmt.Errorf("uuid: invalid UUID format in string %q", s)
		}
	}
	return strings.ToLower(s), nil
}

// readBody reads a bounded request body.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, emulate.MaxRequestBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > emulate.MaxRequestBody {
		return nil, emulate.ErrTooLarge
	}
	return data, nil
}

// decodeStrict decodes as Kratos's strict decoder does: unknown fields
// are errors; the Go type names in its messages are Kratos's.
func decodeStrict(data []byte, v any, names map[string]string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return renameTypes(err, names)
	}
	return nil
}

func decodeLoose(data []byte, v any, names map[string]string) error {
	if err := json.Unmarshal(data, v); err != nil {
		if len(bytes.TrimSpace(data)) == 0 {
			return fmt.Errorf("EOF")
		}
		return renameTypes(err, names)
	}
	return nil
}

func renameTypes(err error, names map[string]string) error {
	msg := err.Error()
	for from, to := range names {
		msg = strings.ReplaceAll(msg, from, to)
	}
	return fmt.Errorf("%s", msg)
}

// requireJSON is the content-type check of Kratos's form decoder, which
// PUT and the logout body go through (create does not: it reads any body
// as JSON).
func requireJSON(r *http.Request) (reply, bool) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return badRequest(fmt.Sprintf("HTTP %s Request used unknown HTTP Header \"Content-Type: %s\", only [application/json] are supported.", r.Method, ct)), false
	}
	return reply{}, true
}

// baseURL is the server's own root, for the URLs Kratos writes into
// bodies and headers (schema_url, Location, a flow's action).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func timeString(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// dbTime is a time as the database keeps it: to the microsecond.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// query parses the raw query as Kratos's handlers see it.
func query(r *http.Request) url.Values {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	return q
}
