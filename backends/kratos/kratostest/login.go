package kratostest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// flow is a native (api) login flow. A flow can be submitted again after
// a failure and even after a success, as on Kratos.
type flow struct {
	id                string
	issued, expiresAt time.Time
	created           time.Time
	requestURL        string
	active            string // "password" once a password was verified on it
}

type uiText struct {
	ID      int            `json:"id"`
	Text    string         `json:"text"`
	Type    string         `json:"type"`
	Context map[string]any `json:"context,omitempty"`
}

// The messages of the login flow, with Kratos's ids and texts.
var (
	textInvalidCredentials = uiText{ID: 4000006, Text: "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.", Type: "error"}
	textNoStrategy         = uiText{ID: 4010002, Text: "Could not find a strategy to log you in with. Did you fill out the form correctly?", Type: "error"}
	textBadJSON            = uiText{ID: 4000001, Text: "Unable to decode form as JSON.", Type: "error", Context: map[string]any{"reason": "Unable to decode form as JSON."}}
)

func textMissing(property string) uiText {
	return uiText{ID: 4000002, Text: fmt.Sprintf("Property %s is missing.", property), Type: "error", Context: map[string]any{"property": property}}
}

// flowState is what one answer shows of the flow's form: the identifier
// echoed, messages on the form and on its fields.
type flowState struct {
	identifier   string
	messages     []uiText
	identMsgs    []uiText
	passwordMsgs []uiText
}

func node(group, name, typ, value string, required bool, extra map[string]any, msgs []uiText, label *uiText) map[string]any {
	attrs := map[string]any{"name": name, "type": typ, "disabled": false, "node_type": "input"}
	if typ != "password" {
		attrs["value"] = value
	}
	if required {
		attrs["required"] = true
	}
	for k, v := range extra {
		attrs[k] = v
	}
	meta := map[string]any{}
	if label != nil {
		meta["label"] = label
	}
	if msgs == nil {
		msgs = []uiText{}
	}
	return map[string]any{"type": "input", "group": group, "attributes": attrs, "messages": msgs, "meta": meta}
}

func (f *flow) json(base string, st flowState) map[string]any {
	ui := map[string]any{
		"action": base + "/self-service/login?flow=" + f.id,
		"method": "POST",
		"nodes": []any{
			node("default", "csrf_token", "hidden", "", true, nil, nil, nil),
			node("default", "identifier", "text", st.identifier, true, nil, st.identMsgs, &uiText{ID: 1070004, Text: "ID", Type: "info"}),
			node("password", "password", "password", "", true, map[string]any{"autocomplete": "current-password"}, st.passwordMsgs, &uiText{ID: 1070001, Text: "Password", Type: "info"}),
			node("password", "method", "submit", "password", false, nil, nil, &uiText{ID: 1010022, Text: "Sign in with password", Type: "info"}),
		},
	}
	if len(st.messages) > 0 {
		ui["messages"] = st.messages
	}
	out := map[string]any{
		"id": f.id, "organization_id": nil, "type": "api",
		"expires_at": timeString(f.expiresAt), "issued_at": timeString(f.issued),
		"request_url": f.requestURL, "ui": ui,
		"created_at": timeString(f.created), "updated_at": timeString(f.created),
		"refresh": false, "requested_aal": "aal1", "state": "choose_method",
	}
	if f.active != "" {
		out["active"] = f.active
	}
	return out
}

// newLoginFlow answers a fresh api flow. With a valid X-Session-Token and
// no refresh=true it answers 400 session_already_available, as observed.
func (e *Emulator) newLoginFlow(r *http.Request) reply {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if tok := r.Header.Get("X-Session-Token"); tok != "" && query(r).Get("refresh") != "true" {
		if s := e.tokens[tok]; s != nil && e.valid(s) {
			rp := failure(http.StatusBadRequest, "A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?", "you are already logged in")
			rp.body.(map[string]any)["error"] = withID(rp, "session_already_available")
			return rp
		}
	}
	for id, f := range e.flows { // forget long-expired flows
		if now.Sub(f.expiresAt) > time.Hour {
			delete(e.flows, id)
		}
	}
	f := &flow{id: newUUID(), issued: now, expiresAt: now.Add(flowLifespan), created: dbTime(now),
		requestURL: baseURL(r) + r.URL.RequestURI()}
	e.flows[f.id] = f
	return ok(http.StatusOK, f.json(baseURL(r), flowState{}))
}

func withID(rp reply, id string) errorBody {
	b := rp.body.(map[string]any)["error"].(errorBody)
	b.ID = id
	return b
}

// loginBody is the password method's body, JSON or form-encoded.
type loginBody struct {
	Method     *string `json:"method"`
	Identifier *string `json:"identifier"`
	Password   *string `json:"password"`
}

// login submits a flow with the password method: 200 with session_token
// and session; 400 with the flow for a wrong password or an unknown
// identifier (4000006, the identifier echoed), for a missing field (4000002
// on the field), for no or another method (4010002), for a body that is
// not JSON (4000001); 401 "This account was disabled." for the right
// password of an inactive identity (a wrong one is 4000006 still); 400 for
// a missing or malformed flow id, 404 for an unknown one, 410 for an
// expired one (Unobserved: the 410 body). Kratos's 200 also carries
// "continue_with": null, which the OpenAPI document does not allow; the
// emulator leaves the key out.
func (e *Emulator) login(r *http.Request) reply {
	fid, err := parseUUID(query(r).Get("flow"))
	if err != nil || fid == nilUUID {
		return badRequest("The flow query parameter is missing or malformed.")
	}
	data, readErr := readBody(r)
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.flows[fid]
	if f == nil {
		return notFound()
	}
	base := baseURL(r)
	if now.After(f.expiresAt) {
		rp := failure(http.StatusGone, fmt.Sprintf("The self-service flow expired %.2f minutes ago, initialize a new one.", now.Sub(f.expiresAt).Minutes()), "self-service flow expired")
		b := withID(rp, "self_service_flow_expired")
		rp.body = map[string]any{"error": b, "expired_at": timeString(f.expiresAt), "since": now.Sub(f.expiresAt).Nanoseconds()}
		return rp
	}
	var b loginBody
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" && readErr == nil {
		form, _ := url.ParseQuery(string(data))
		for k, p := range map[string]**string{"method": &b.Method, "identifier": &b.Identifier, "password": &b.Password} {
			if form.Has(k) {
				v := form.Get(k)
				*p = &v
			}
		}
	} else if readErr != nil || json.Unmarshal(data, &b) != nil {
		return reply{status: http.StatusBadRequest, body: f.json(base, flowState{messages: []uiText{textBadJSON}})}
	}
	if b.Method == nil || *b.Method != "password" {
		return reply{status: http.StatusBadRequest, body: f.json(base, flowState{messages: []uiText{textNoStrategy}})}
	}
	var st flowState
	if b.Identifier != nil {
		st.identifier = *b.Identifier
	}
	if b.Identifier == nil || *b.Identifier == "" {
		st.identMsgs = []uiText{textMissing("identifier")}
	}
	if b.Password == nil || *b.Password == "" {
		st.passwordMsgs = []uiText{textMissing("password")}
	}
	if st.identMsgs != nil || st.passwordMsgs != nil {
		return reply{status: http.StatusBadRequest, body: f.json(base, st)}
	}
	i := e.byIdentifier(strings.ToLower(strings.TrimSpace(*b.Identifier)))
	if i != nil && i.cred.hash() == "" && i.cred.config["use_password_migration_hook"] == true {
		// Observed: with no hook configured, as in scripts/kratos.sh.
		return failure(http.StatusInternalServerError, "Password migration hook is not enabled but password migration is requested.",
			"An internal server error occurred, please contact the system administrator")
	}
	if i == nil || !compareHash(i.cred.hash(), *b.Password) {
		st.messages = []uiText{textInvalidCredentials}
		return reply{status: http.StatusBadRequest, body: f.json(base, st)}
	}
	// The flow records the method once a password was verified (a wrong
	// one leaves it as it was), as observed.
	f.active = "password"
	// An imported hash of another kind is re-hashed with the configured
	// bcrypt once the password matched, as Kratos's password strategy
	// does before the session, and so the account's state, is looked at
	// (read from selfservice/strategy/password/login.go).
	if h := i.cred.hash(); !isBcrypt.MatchString(h) {
		if nh, err := bcrypt.GenerateFromPassword([]byte(*b.Password), 4); err == nil {
			i.cred.config["hashed_password"] = string(nh)
		}
	}
	if i.state != stateActive {
		rp := failure(http.StatusUnauthorized, "This account was disabled.", "identity is disabled")
		eb := rp.body.(map[string]any)["error"].(errorBody)
		eb.Details = map[string]any{"identity_id": i.id}
		rp.body = map[string]any{"error": eb}
		return rp
	}
	s := e.newSession(i, r.RemoteAddr, r.UserAgent())
	return ok(http.StatusOK, map[string]any{
		"session_token": s.token,
		"session":       e.sessionJSON(s, base, viewSession, true),
	})
}

func (e *Emulator) byIdentifier(ident string) *identity {
	for _, i := range e.identities {
		if i.cred == nil {
			continue
		}
		for _, id := range i.cred.identifiers {
			if id == ident {
				return i
			}
		}
	}
	return nil
}
