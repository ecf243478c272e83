package oktatest

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// OAuth scopes of the IdP users API (/api/v1/idps/{idpId}/users/...).
const (
	idpsRead   = "okta.idps.read"
	idpsManage = "okta.idps.manage"
)

// Factor is a second factor for EnrollFactor, as Okta's UserFactor
// object names its parts.
type Factor struct {
	// Type is Okta's factorType: "token:software:totp", "sms", "email",
	// "push", "webauthn", "question", "call", "token:hardware",
	// "token:hotp", "token", "u2f", "web" or "signed_nonce".
	Type string
	// Provider is Okta's provider word ("OKTA", "GOOGLE", "FIDO",
	// "YUBICO", "RSA", ...); empty means the one Okta uses for Type.
	Provider string
	// Status is the factor's status; empty means ACTIVE.
	Status string
	// Profile is the factor's profile (a phone number, a credential id);
	// nil means an empty one.
	Profile map[string]any
}

// factor is one of a user's enrolled factors.
type factor struct {
	id, typ, provider, status string
	created, lastUpdated      time.Time
	profile                   map[string]any
}

// defaultProviders is the provider Okta reports for each factor type
// when enrolled with Okta's own authenticators.
var defaultProviders = map[string]string{
	"token:software:totp": "GOOGLE", "sms": "OKTA", "call": "OKTA", "email": "OKTA", "push": "OKTA",
	"question": "OKTA", "webauthn": "FIDO", "u2f": "FIDO", "token:hardware": "YUBICO", "token:hotp": "CUSTOM",
	"token": "RSA", "web": "DUO", "signed_nonce": "OKTA",
}

// factorPrefixes are the first letters of the factor ids Okta's examples
// show for each type (Unpublished: ids are opaque).
var factorPrefixes = map[string]string{
	"token:software:totp": "uft", "sms": "mbl", "call": "clf", "email": "emf", "push": "opf",
	"question": "ufs", "webauthn": "fwf", "u2f": "fuf", "token:hardware": "ykf", "token:hotp": "chf",
	"token": "rsa", "web": "dsf", "signed_nonce": "sgn",
}

// EnrollFactor gives the user with this id or login a factor, as the user
// enrolling it at Okta's sign-in widget would (the emulator does not
// serve enrolment, which needs the user's device), and returns its id. It
// reports false, enrolling nothing, when there is no such user or Type is
// not one of Okta's factor types. Enrolling changes the user's
// lastUpdated, as Okta's does not, but the emulator does not promise it.
func (e *Emulator) EnrollFactor(userID string, f Factor) (string, bool) {
	prefix, known := factorPrefixes[f.Type]
	if !known {
		return "", false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(userID)
	if u == nil {
		return "", false
	}
	now := e.opts.Now()
	ft := &factor{
		id: prefix + emulate.ID(emulate.Base62, 17), typ: f.Type, provider: f.Provider, status: f.Status,
		created: now, lastUpdated: now, profile: maps.Clone(f.Profile),
	}
	emulate.Default(&ft.provider, defaultProviders[f.Type])
	emulate.Default(&ft.status, "ACTIVE")
	if ft.profile == nil {
		ft.profile = map[string]any{}
	}
	u.factors = append(u.factors, ft)
	return ft.id, true
}

// factorJSON is Okta's UserFactor object.
func factorJSON(u *user, f *factor, origin string) map[string]any {
	self := origin + "/api/v1/users/" + u.id + "/factors/" + f.id
	return map[string]any{
		"id": f.id, "factorType": f.typ, "provider": f.provider, "vendorName": f.provider, "status": f.status,
		"created": stamp(f.created), "lastUpdated": stamp(f.lastUpdated), "profile": f.profile,
		"_links": map[string]any{
			"self": map[string]any{"href": self, "hints": map[string]any{"allow": []string{"GET", "DELETE"}}},
			"user": map[string]any{"href": origin + "/api/v1/users/" + u.id, "hints": map[string]any{"allow": []string{"GET"}}},
		},
	}
}

// listFactors answers the user's enrolled factors, oldest first, an empty
// array when there are none; not paged, as Okta's operation takes no
// limit.
func (e *Emulator) listFactors(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		out := make([]map[string]any, 0, len(u.factors))
		for _, f := range u.factors {
			out = append(out, factorJSON(u, f, requestOrigin(r)))
		}
		return ok(out)
	})
}

// getFactor answers one factor, or 404 E0000007 "(UserFactor)".
func (e *Emulator) getFactor(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		for _, f := range u.factors {
			if f.id == p[1] {
				return ok(factorJSON(u, f, requestOrigin(r)))
			}
		}
		return notFound(p[1], "UserFactor")
	})
}

// deleteFactor unenrolls one factor, 204; a factor the user does not have
// (deleted already, too) is 404 E0000007 "(UserFactor)", a missing user
// 404 "(User)" first.
func (e *Emulator) deleteFactor(_ *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		i := slices.IndexFunc(u.factors, func(f *factor) bool { return f.id == p[1] })
		if i < 0 {
			return notFound(p[1], "UserFactor")
		}
		u.factors = slices.Delete(u.factors, i, i+1)
		return noContent()
	})
}

// SignIn starts a session of the user with this id or login, as the user
// signing in at the org's sign-in page would, and issues a refresh token
// to an OIDC app, as the app the user signed in to would get one. It
// reports false when there is no such user, or when the user cannot sign
// in: only ACTIVE and PASSWORD_EXPIRED users can.
func (e *Emulator) SignIn(userID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(userID)
	if u == nil || u.status != active && u.status != passwordExpired {
		return false
	}
	u.sessions = append(u.sessions, "102"+emulate.ID(emulate.Base62, 22))
	u.refreshTokens = append(u.refreshTokens, "oar"+emulate.ID(emulate.Base62, 17))
	u.lastLogin = e.opts.Now()
	e.touch(u, false)
	return true
}

// Sessions returns how many Okta sessions the user with this id or login
// has open, 0 for no such user.
func (e *Emulator) Sessions(userID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.findUser(userID); u != nil {
		return len(u.sessions)
	}
	return 0
}

// RefreshTokens returns how many OAuth refresh tokens issued to the user
// with this id or login are live, 0 for no such user.
func (e *Emulator) RefreshTokens(userID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.findUser(userID); u != nil {
		return len(u.refreshTokens)
	}
	return 0
}

// endSessions ends the user's sessions, and with oauth its refresh
// tokens too. Callers hold e.mu.
func endSessions(u *user, oauth bool) {
	u.sessions = nil
	if oauth {
		u.refreshTokens = nil
	}
}

// revokeSessions is DELETE /api/v1/users/{userId}/sessions: 204 whether
// or not the user had sessions; refresh tokens go only with
// oauthTokens=true (default false, as the document says); forgetDevices
// is accepted and has nothing to forget here.
func (e *Emulator) revokeSessions(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		endSessions(u, flag(r, "oauthTokens", false))
		return noContent()
	})
}

// idp is an identity provider of the org.
type idp struct {
	id, typ, name        string
	created, lastUpdated time.Time
}

// idpLink is a user's account at an IdP.
type idpLink struct {
	idp                  string
	externalID           string
	created, lastUpdated time.Time
	profile              map[string]any
}

// idpTypes are Okta's IdentityProviderType words for the social
// providers a caller may name in lower case.
var idpTypes = map[string]string{
	"amazon": "AMAZON", "apple": "APPLE", "discord": "DISCORD", "facebook": "FACEBOOK", "github": "GITHUB",
	"gitlab": "GITLAB", "google": "GOOGLE", "linkedin": "LINKEDIN", "microsoft": "MICROSOFT", "paypal": "PAYPAL",
	"salesforce": "SALESFORCE", "spotify": "SPOTIFY", "xero": "XERO", "yahoo": "YAHOO",
}

// AddIdP adds an identity provider to the org, as an admin configuring
// one in the console would, and returns its id ("0oa..."). typ is one of
// Okta's IdentityProviderType words (GOOGLE, SAML2, OIDC, ...) or a
// social provider's name in lower case ("google"); name is the IdP's
// display name. An IdP with that name already added is returned as it is.
func (e *Emulator) AddIdP(typ, name string) string {
	if t, social := idpTypes[typ]; social {
		typ = t
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.idps {
		if p.name == name {
			return p.id
		}
	}
	now := e.opts.Now()
	p := &idp{id: "0oa" + emulate.ID(emulate.Base62, 17), typ: typ, name: name, created: now, lastUpdated: now}
	e.idps[p.id] = p
	return p.id
}

// LinkIdentity links the user with this id or login to its account
// externalID at the IdP idpID, as the user signing in through that IdP
// and being matched by its account-link policy would. Linking again
// replaces the external id. It reports false when the user or the IdP
// does not exist.
func (e *Emulator) LinkIdentity(userID, idpID, externalID string, profile map[string]any) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(userID)
	if u == nil || e.idps[idpID] == nil {
		return false
	}
	now := e.opts.Now()
	if profile == nil {
		profile = map[string]any{}
	}
	l := &idpLink{idp: idpID, externalID: externalID, created: now, lastUpdated: now, profile: maps.Clone(profile)}
	if i := slices.IndexFunc(u.idps, func(x *idpLink) bool { return x.idp == idpID }); i >= 0 {
		l.created = u.idps[i].created
		u.idps[i] = l
	} else {
		u.idps = append(u.idps, l)
	}
	return true
}

// idpJSON is Okta's IdentityProvider object, as much of it as the
// emulator keeps: social IdPs and OIDC speak OIDC, SAML2 SAML2.
func idpJSON(p *idp, origin string) map[string]any {
	protocol := map[string]any{"type": "OIDC", "scopes": []string{"openid", "email", "profile"}}
	if p.typ == "SAML2" {
		protocol = map[string]any{"type": "SAML2"}
	}
	self := origin + "/api/v1/idps/" + p.id
	return map[string]any{
		"id": p.id, "type": p.typ, "name": p.name, "status": "ACTIVE", "issuerMode": "DYNAMIC",
		"created": stamp(p.created), "lastUpdated": stamp(p.lastUpdated), "protocol": protocol,
		"policy": map[string]any{
			"provisioning": map[string]any{"action": "AUTO", "profileMaster": false},
			"subject":      map[string]any{"matchType": "USERNAME"}, "maxClockSkew": 0,
		},
		"_links": map[string]any{
			"self":  map[string]any{"href": self},
			"users": map[string]any{"href": self + "/users"},
		},
	}
}

// listUserIdPs is GET /api/v1/users/{id}/idps: the IdPs the user is
// linked to, in the order linked; the IdP objects carry no trace of the
// user's account there, which GET /api/v1/idps/{idpId}/users/{userId}
// answers.
func (e *Emulator) listUserIdPs(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		out := make([]map[string]any, 0, len(u.idps))
		for _, l := range u.idps {
			out = append(out, idpJSON(e.idps[l.idp], requestOrigin(r)))
		}
		return ok(out)
	})
}

// idpUser finds the user's link to the IdP, or the 404 to answer: the
// IdP first ("(IdentityProvider)"), then the user, then the link
// ("(IdentityProviderUser)"; Unpublished wording). Callers hold e.mu.
func (e *Emulator) idpUser(idpID, userID string) (*user, int, reply) {
	if e.idps[idpID] == nil {
		return nil, -1, notFound(idpID, "IdentityProvider")
	}
	u := e.findUser(userID)
	if u == nil {
		return nil, -1, notFound(userID, "User")
	}
	i := slices.IndexFunc(u.idps, func(l *idpLink) bool { return l.idp == idpID })
	if i < 0 {
		return nil, -1, notFound(userID, "IdentityProviderUser")
	}
	return u, i, reply{}
}

// getIdPUser is GET /api/v1/idps/{idpId}/users/{userId}, Okta's
// IdentityProviderApplicationUser: the user's account at the IdP, with
// externalId, its id there. It is not in the vendored document (Okta
// publishes it in the IdP users API).
func (e *Emulator) getIdPUser(r *http.Request, p []string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, i, rp := e.idpUser(p[0], p[1])
	if u == nil {
		return rp
	}
	l, origin := u.idps[i], requestOrigin(r)
	return ok(map[string]any{
		"id": u.id, "externalId": l.externalID, "created": stamp(l.created), "lastUpdated": stamp(l.lastUpdated),
		"profile": l.profile,
		"_links": map[string]any{
			"self": map[string]any{"href": origin + "/api/v1/idps/" + l.idp + "/users/" + u.id},
			"idp":  map[string]any{"href": origin + "/api/v1/idps/" + l.idp},
			"user": map[string]any{"href": origin + "/api/v1/users/" + u.id},
		},
	})
}

// unlinkIdPUser is DELETE /api/v1/idps/{idpId}/users/{userId}, 204: the
// next time the user federates through the IdP, the account-link policy
// links it again. Not in the vendored document either.
func (e *Emulator) unlinkIdPUser(_ *http.Request, p []string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, i, rp := e.idpUser(p[0], p[1])
	if u == nil {
		return rp
	}
	u.idps = slices.Delete(u.idps, i, i+1)
	return noContent()
}

// Grant is a scope consent grant for AddGrant, Okta's
// OAuth2ScopeConsentGrant: a user's consent to an app's scope.
type Grant struct {
	// ClientID is the app's client id.
	ClientID string
	// ScopeID is the scope, such as "okta.users.read.self".
	ScopeID string
	// Issuer is the authorization server's issuer; empty means the org's.
	Issuer string
}

// grant is one of a user's consent grants.
type grant struct {
	id                   string
	g                    Grant
	created, lastUpdated time.Time
}

// AddGrant records the user's consent to an app's scope, as the user
// accepting the app's consent screen would, and returns the grant's id.
// It reports false when there is no such user.
func (e *Emulator) AddGrant(userID string, g Grant) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(userID)
	if u == nil {
		return "", false
	}
	now := e.opts.Now()
	gr := &grant{id: "oag" + emulate.ID(emulate.Base62, 17), g: g, created: now, lastUpdated: now}
	u.grants = append(u.grants, gr)
	return gr.id, true
}

func grantJSON(u *user, gr *grant, origin string) map[string]any {
	issuer := gr.g.Issuer
	if issuer == "" {
		issuer = origin
	}
	return map[string]any{
		"id": gr.id, "status": "ACTIVE", "created": stamp(gr.created), "lastUpdated": stamp(gr.lastUpdated),
		"issuer": issuer, "clientId": gr.g.ClientID, "userId": u.id, "scopeId": gr.g.ScopeID, "source": "END_USER",
		"createdBy": map[string]any{"id": u.id, "type": "User"},
		"_links": map[string]any{
			"self":   map[string]any{"href": origin + "/api/v1/users/" + u.id + "/grants/" + gr.id},
			"client": map[string]any{"href": origin + "/oauth2/v1/clients/" + gr.g.ClientID},
			"user":   map[string]any{"href": origin + "/api/v1/users/" + u.id},
		},
	}
}

// listGrants is GET /api/v1/users/{userId}/grants, oldest first,
// filtered by scopeId when given. The emulator answers one page, as a
// user has few grants; limit is accepted and honoured as a cap.
func (e *Emulator) listGrants(r *http.Request, p []string) reply {
	scope := r.URL.Query().Get("scopeId")
	limit, rp, good := readLimit(r.URL.Query(), 20, 200)
	if !good {
		return rp
	}
	return e.withUser(p[0], func(u *user) reply {
		out := []map[string]any{}
		for _, gr := range u.grants {
			if (scope == "" || gr.g.ScopeID == scope) && len(out) < limit {
				out = append(out, grantJSON(u, gr, requestOrigin(r)))
			}
		}
		return ok(out)
	})
}

// getGrant is GET /api/v1/users/{userId}/grants/{grantId}.
func (e *Emulator) getGrant(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		for _, gr := range u.grants {
			if gr.id == p[1] {
				return ok(grantJSON(u, gr, requestOrigin(r)))
			}
		}
		return notFound(p[1], "OAuth2ScopeConsentGrant")
	})
}

// revokeGrant is DELETE /api/v1/users/{userId}/grants/{grantId}, 204.
func (e *Emulator) revokeGrant(_ *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		i := slices.IndexFunc(u.grants, func(gr *grant) bool { return gr.id == p[1] })
		if i < 0 {
			return notFound(p[1], "OAuth2ScopeConsentGrant")
		}
		u.grants = slices.Delete(u.grants, i, i+1)
		return noContent()
	})
}

// revokeGrants is DELETE /api/v1/users/{userId}/grants, 204 with or
// without grants.
func (e *Emulator) revokeGrants(_ *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		u.grants = nil
		return noContent()
	})
}

// tempPasswordAlphabet leaves out look-alike characters, as a password
// read to a user over the phone should (Unpublished: Okta's alphabet).
const tempPasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newTempPassword is a password that meets the default policy: lower,
// upper and digit characters, ten in all.
func newTempPassword() string {
	for {
		pw := emulate.ID(tempPasswordAlphabet, 10)
		if strings.ContainsAny(pw, "abcdefghijkmnpqrstuvwxyz") && strings.ContainsAny(pw, "ABCDEFGHJKLMNPQRSTUVWXYZ") &&
			strings.ContainsAny(pw, "23456789") {
			return pw
		}
	}
}
