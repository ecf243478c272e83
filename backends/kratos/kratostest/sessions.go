package kratostest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// Lifespans: a session lasts 24 hours (Kratos's default), a login flow 10
// minutes (scripts/kratos.sh), a recovery code one hour (the default).
const (
	sessionLifespan  = 24 * time.Hour
	flowLifespan     = 10 * time.Minute
	recoveryLifespan = time.Hour
)

type session struct {
	id, token, identityID string
	active                bool
	issued, expiresAt     time.Time
	completed             time.Time
	deviceID, ip, agent   string
}

// newSession records a session for i, as a successful login does; the
// caller holds the lock.
func (e *Emulator) newSession(i *identity, ip, agent string) *session {
	now := e.now()
	s := &session{
		id: newUUID(), token: "ory_st_" + emulate.ID(emulate.Base62, 32), identityID: i.id,
		active: true, issued: now, expiresAt: now.Add(sessionLifespan), completed: now,
		deviceID: newUUID(), ip: ip, agent: agent,
	}
	e.sessions[s.id] = s
	e.tokens[s.token] = s
	return s
}

// valid reports whether the session authenticates: not revoked, not
// expired, and its identity active.
func (e *Emulator) valid(s *session) bool {
	i := e.identities[s.identityID]
	return s.active && e.now().Before(s.expiresAt) && i != nil && i.state == stateActive
}

type sessionJSON struct {
	ID                          string              `json:"id"`
	Active                      bool                `json:"active"`
	ExpiresAt                   string              `json:"expires_at"`
	AuthenticatedAt             string              `json:"authenticated_at"`
	AuthenticatorAssuranceLevel string              `json:"authenticator_assurance_level"`
	AuthenticationMethods       []map[string]string `json:"authentication_methods"`
	IssuedAt                    string              `json:"issued_at"`
	Identity                    *identityJSON       `json:"identity,omitempty"`
	Devices                     []map[string]string `json:"devices"`
}

// sessionJSON renders the session; the identity is included with v, or
// left out when withIdentity is false (GET /admin/sessions/{id} without
// expand, whose devices are then empty too). Kratos writes "identity":
// null there, which the OpenAPI document does not allow; the emulator
// leaves the key out.
func (e *Emulator) sessionJSON(s *session, base string, v view, withIdentity bool) sessionJSON {
	out := sessionJSON{
		ID: s.id, Active: e.valid(s), ExpiresAt: timeString(s.expiresAt), AuthenticatedAt: timeString(s.issued),
		AuthenticatorAssuranceLevel: "aal1",
		AuthenticationMethods:       []map[string]string{{"method": "password", "aal": "aal1", "completed_at": timeString(s.completed)}},
		IssuedAt:                    timeString(s.issued), Devices: []map[string]string{},
	}
	if i := e.identities[s.identityID]; withIdentity && i != nil {
		ij := i.json(base, v)
		out.Identity = &ij
		out.Devices = []map[string]string{{"id": s.deviceID, "ip_address": s.ip, "user_agent": s.agent, "location": ""}}
	}
	return out
}

// sessionsOf returns the identity's sessions, newest first (Kratos orders
// by authenticated_at descending).
func (e *Emulator) sessionsOf(id string) []*session {
	var out []*session
	for _, s := range e.sessions {
		if s.identityID == id {
			out = append(out, s)
		}
	}
	sortSessions(out)
	return out
}

func sortSessions(ss []*session) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && (ss[j].issued.After(ss[j-1].issued) || ss[j].issued.Equal(ss[j-1].issued) && ss[j].id < ss[j-1].id); j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

// listSessions answers the identity's sessions with X-Total-Count and
// Kratos's migration-paging Link (page, per_page, page_size and a base64
// page_token of {"offset":"N","v":2}); an unknown identity has [] (not
// 404). active=true keeps sessions neither revoked nor expired,
// active=false the others; a session's "active" in the body is false too
// while its identity is inactive.
func (e *Emulator) listSessions(r *http.Request) reply {
	id, err := parseUUID(r.PathValue("id"))
	if err != nil {
		return failure(http.StatusBadRequest, "", err.Error())
	}
	q := query(r)
	var active *bool
	if raw := q.Get("active"); raw != "" {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return failure(http.StatusBadRequest, "", "could not parse parameter active")
		}
		active = &b
	}
	page, perPage := sessionPaging(q)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	var rows []*session
	for _, s := range e.sessionsOf(id) {
		live := s.active && !now.After(s.expiresAt)
		if active != nil && live != *active {
			continue
		}
		rows = append(rows, s)
	}
	total := len(rows)
	off := min(page*perPage, len(rows))
	rows = rows[off:min(off+perPage, len(rows))]
	out := make([]sessionJSON, 0, len(rows))
	for _, s := range rows {
		out = append(out, e.sessionJSON(s, baseURL(r), viewSessionList, true))
	}
	rep := ok(http.StatusOK, out)
	rep.header = http.Header{}
	offsetLinks(rep.header, *r.URL, int64(total), page, perPage, func(u url.URL, rel string, limit, offset int64) string {
		q, _ := url.ParseQuery(u.RawQuery)
		q.Set("page_size", strconv.FormatInt(limit, 10))
		q.Set("page_token", offsetToken(offset))
		q.Set("per_page", strconv.FormatInt(limit, 10))
		q.Set("page", strconv.FormatInt(offset/limit, 10))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", linkURL(u), rel)
	})
	return rep
}

func offsetToken(offset int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"offset":"%d","v":2}`, offset))
}

// sessionPaging reads page_token/page_size, else page/per_page: 250 rows
// by default, at most 1000, at least 1; a token that does not decode
// counts as offset 0.
func sessionPaging(q url.Values) (page, perPage int) {
	perPage = 250
	if q.Has("page_token") || q.Has("page_size") {
		offset := 0
		if b, err := base64.RawURLEncoding.DecodeString(q.Get("page_token")); err == nil {
			var t struct {
				Offset json.Number `json:"offset"`
			}
			if json.Unmarshal(b, &t) == nil {
				n, _ := t.Offset.Int64()
				offset = int(n)
			}
		}
		if n, err := strconv.Atoi(q.Get("page_size")); err == nil {
			perPage = n
		}
		perPage = min(max(perPage, 1), 1000)
		if offset > 0 {
			page = offset / perPage
		}
		return max(page, 0), perPage
	}
	page, _ = strconv.Atoi(q.Get("page"))
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil {
		perPage = n
	}
	return max(page, 0), min(max(perPage, 1), 1000)
}

// deleteSessions deletes (not revokes) all the identity's sessions; 404
// when it has none, which is also the answer for an unknown identity.
func (e *Emulator) deleteSessions(r *http.Request) reply {
	id, err := parseUUID(r.PathValue("id"))
	if err != nil {
		return failure(http.StatusBadRequest, "", err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for sid, s := range e.sessions {
		if s.identityID == id {
			delete(e.sessions, sid)
			delete(e.tokens, s.token)
			n++
		}
	}
	if n == 0 {
		return notFound()
	}
	return reply{status: http.StatusNoContent}
}

// getSession answers the session; with expand=identity (or
// expand=devices) it includes the identity and devices, else identity is
// null and devices empty, as observed.
func (e *Emulator) getSession(r *http.Request) reply {
	id, err := parseUUID(r.PathValue("id"))
	if err != nil {
		return failure(http.StatusBadRequest, "", err.Error())
	}
	expand := query(r)["expand"]
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sessions[id]
	if s == nil {
		return notFound()
	}
	return ok(http.StatusOK, e.sessionJSON(s, baseURL(r), viewSession, len(expand) > 0))
}

// disableSession revokes the session, which stays listed as inactive;
// revoking it again is 204 too. Kratos's 204 carries a JSON Content-Type.
func (e *Emulator) disableSession(r *http.Request) reply {
	id, err := parseUUID(r.PathValue("id"))
	if err != nil {
		return failure(http.StatusBadRequest, "", err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sessions[id]
	if s == nil {
		return notFound()
	}
	s.active = false
	return reply{status: http.StatusNoContent, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
}

// whoami takes the session token from X-Session-Token or an
// "Authorization: Bearer" header and answers the session with the
// X-Kratos-Authenticated-Identity-Id header; 401 for no token, an unknown
// or revoked one, an expired session or an inactive identity.
func (e *Emulator) whoami(r *http.Request) reply {
	tok := r.Header.Get("X-Session-Token")
	if tok == "" {
		tok, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.tokens[tok]
	if tok == "" || s == nil || !e.valid(s) {
		return failure(http.StatusUnauthorized, "No valid session credentials found in the request.", msgUnauth)
	}
	rep := ok(http.StatusOK, e.sessionJSON(s, baseURL(r), viewSession, true))
	rep.header = http.Header{"X-Kratos-Authenticated-Identity-Id": {s.identityID}}
	return rep
}

// logout revokes the session of {"session_token"}: 204, also for a token
// already revoked; 403 for a missing or unknown token.
func (e *Emulator) logout(r *http.Request) reply {
	if rp, isJSON := requireJSON(r); !isJSON {
		return rp
	}
	data, err := readBody(r)
	if err != nil {
		return badRequest("Unable to decode JSON payload: " + err.Error())
	}
	var b struct {
		SessionToken string `json:"session_token"`
	}
	if err := decodeLoose(data, &b, map[string]string{"struct { SessionToken string \"json:\\\"session_token\\\"\" }": "session.PerformNativeLogoutBody"}); err != nil {
		return badRequest("Unable to decode JSON payload: " + err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.tokens[b.SessionToken]
	if b.SessionToken == "" || s == nil {
		return failure(http.StatusForbidden, "The provided Ory Session Token could not be found, is invalid, or otherwise malformed.", "The requested action was forbidden")
	}
	s.active = false
	return reply{status: http.StatusNoContent}
}

// readRecovery reads the body both recovery methods take, the identity's
// id and the expires_in of its link or code (one hour when absent); bad
// is the 400 Kratos answers to a body it cannot read.
func readRecovery(r *http.Request) (id string, life time.Duration, bad *reply) {
	fail := func(msg string) (string, time.Duration, *reply) {
		rep := badRequest(msg)
		return id, 0, &rep
	}
	data, err := readBody(r)
	if err != nil {
		return fail("Unable to decode JSON payload: " + err.Error())
	}
	var b struct {
		IdentityID string `json:"identity_id"`
		ExpiresIn  string `json:"expires_in"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return fail("Unable to decode JSON payload: " + err.Error())
	}
	if id, err = parseUUID(b.IdentityID); err != nil {
		return fail("Unable to decode JSON payload: " + err.Error())
	}
	life = recoveryLifespan
	if b.ExpiresIn != "" {
		d, err := time.ParseDuration(b.ExpiresIn)
		if err != nil || d <= 0 {
			return fail("Unable to parse \"expires_in\" whose format should match \"[0-9]+(ns|us|ms|s|m|h)\" but did not: " + b.ExpiresIn)
		}
		life = d
	}
	return id, life, nil
}

// recoveryLink answers as Kratos does with the link method on
// (selfservice.methods.link.enabled, as scripts/kratos.sh configures it):
// 200, not the 201 of recovery/code, with a link to the public API's
// recovery flow carrying the token, and its expiry: expires_in or one
// hour. An identity that does not exist is 400, not 404; an inactive one,
// or one without a recovery address, gets a link too (observed).
func (e *Emulator) recoveryLink(r *http.Request) reply {
	id, life, bad := readRecovery(r)
	if bad != nil {
		return *bad
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.identities[id] == nil {
		return badRequest("The requested identity id does not exist.")
	}
	return ok(http.StatusOK, map[string]any{
		"recovery_link": baseURL(r) + "/self-service/recovery?flow=" + newUUID() + "&token=" + emulate.ID(emulate.Base62, 32),
		"expires_at":    timeString(e.now().Add(life)),
	})
}

// recoveryCode answers 201 with a recovery link (the fallback UI, as no
// UI URL is configured), a six-digit code and its expiry: expires_in (a
// Go duration such as "5m") or one hour.
func (e *Emulator) recoveryCode(r *http.Request) reply {
	id, life, bad := readRecovery(r)
	if bad != nil {
		return *bad
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.identities[id] == nil {
		return failure(http.StatusNotFound, "could not find identity", msgNotFound)
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return ok(http.StatusCreated, map[string]any{
		"recovery_link": "https://www.ory.sh/kratos/docs/fallback/recovery?flow=" + newUUID(),
		"recovery_code": fmt.Sprintf("%06d", n.Int64()),
		"expires_at":    timeString(e.now().Add(life)),
	})
}
