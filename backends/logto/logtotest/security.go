package logtotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idport/identity/internal/emulate"
)

// The account-security routes of a user, as Logto 1.37.1 was observed to
// answer them (SEMANTICS.md 5.1.7 and 5.1.8 rules 2, 17, 18 and 19): MFA
// verifications, social identities, the replacement of a user's roles,
// and personal access tokens. POST /api/users/{userId}/identities, which
// needs a configured social connector to verify connectorData with, and
// the SSO identities, which need an SSO connector, are not emulated.

// mfaVerification is one of a user's MFA verifications.
type mfaVerification struct {
	id      string
	typ     string // Totp, WebAuthn or BackupCode
	created time.Time
	name    string   // a WebAuthn credential's name, or ""
	secret  string   // a TOTP's key; never listed
	codes   []string // backup codes not yet used; never listed
}

func (m *mfaVerification) json() map[string]any {
	out := map[string]any{"id": m.id, "createdAt": m.created.UTC().Format("2006-01-02T15:04:05.000Z"), "type": m.typ}
	switch m.typ {
	case "BackupCode":
		out["remainCodes"] = len(m.codes)
	case "WebAuthn":
		if m.name != "" {
			out["name"] = m.name
		}
		out["agent"] = "Mozilla/5.0 (logtotest)"
	}
	return out
}

// socialIdentity is one entry of a user's identities map.
type socialIdentity struct {
	userID  string
	details map[string]any // nil: none kept
}

func (s socialIdentity) json() map[string]any {
	out := map[string]any{"userId": s.userID}
	if s.details != nil {
		out["details"] = s.details
	}
	return out
}

func (u *user) identitiesJSON() map[string]any {
	out := make(map[string]any, len(u.identities))
	for target, s := range u.identities {
		out[target] = s.json()
	}
	return out
}

// pat is a personal access token.
type pat struct {
	userID  string
	name    string
	value   string
	created time.Time
	expires *int64 // ms, or nil for never
}

func (p *pat) json() map[string]any {
	var exp any
	if p.expires != nil {
		exp = *p.expires
	}
	return map[string]any{"tenantId": "default", "userId": p.userID, "name": p.name, "value": p.value,
		"createdAt": ms(p.created), "expiresAt": exp}
}

func (e *Emulator) securityRoutes(api func(string, func(http.ResponseWriter, *http.Request, string))) {
	api("GET /api/users/{id}/mfa-verifications", func(w http.ResponseWriter, _ *http.Request, id string) {
		e.withUser(w, id, func(u *user) {
			out := make([]map[string]any, 0, len(u.mfa))
			for _, m := range u.mfa {
				out = append(out, m.json())
			}
			emulate.WriteJSON(w, 200, out)
		})
	})
	api("POST /api/users/{id}/mfa-verifications", e.createMFA)
	api("DELETE /api/users/{id}/mfa-verifications/{vid}", func(w http.ResponseWriter, r *http.Request, id string) {
		vid := r.PathValue("vid")
		e.withUser(w, id, func(u *user) {
			i := slices.IndexFunc(u.mfa, func(m *mfaVerification) bool { return m.id == vid })
			if i < 0 {
				userNotFound(w) // entity.not_found, as for a missing user (observed)
				return
			}
			// Deleting the TOTP leaves backup codes on their own: Logto
			// does not check (observed).
			u.mfa = slices.Delete(u.mfa, i, i+1)
			w.WriteHeader(http.StatusNoContent)
		})
	})
	api("GET /api/users/{id}/identities/{target}", func(w http.ResponseWriter, r *http.Request, id string) {
		target := r.PathValue("target")
		e.withUser(w, id, func(u *user) {
			s, ok := u.identities[target]
			if !ok {
				identityNotFound(w)
				return
			}
			emulate.WriteJSON(w, 200, map[string]any{"identity": s.json()})
		})
	})
	api("PUT /api/users/{id}/identities/{target}", e.putIdentity)
	api("DELETE /api/users/{id}/identities/{target}", func(w http.ResponseWriter, r *http.Request, id string) {
		target := r.PathValue("target")
		e.withUser(w, id, func(u *user) {
			if _, ok := u.identities[target]; !ok {
				identityNotFound(w)
				return
			}
			delete(u.identities, target)
			u.updated = e.opts.Now()
			emulate.WriteJSON(w, 200, u.json()) // 200 with the user, not 204 (observed)
		})
	})
	api("GET /api/users/{id}/all-identities", func(w http.ResponseWriter, _ *http.Request, id string) {
		e.withUser(w, id, func(u *user) {
			social := []map[string]any{}
			for _, target := range sortedKeys(u.identities) {
				social = append(social, map[string]any{"identity": u.identities[target].json(), "target": target})
			}
			emulate.WriteJSON(w, 200, map[string]any{"socialIdentities": social, "ssoIdentities": []any{}})
		})
	})
	api("PUT /api/users/{id}/roles", e.replaceRoles)
	api("GET /api/users/{id}/personal-access-tokens", func(w http.ResponseWriter, _ *http.Request, id string) {
		e.withUser(w, id, func(u *user) {
			out := make([]map[string]any, 0, len(u.pats))
			for _, p := range u.pats {
				out = append(out, p.json()) // value included (observed)
			}
			emulate.WriteJSON(w, 200, out)
		})
	})
	api("POST /api/users/{id}/personal-access-tokens", e.createPAT)
	api("PATCH /api/users/{id}/personal-access-tokens", func(w http.ResponseWriter, r *http.Request, id string) {
		e.renamePAT(w, r, id, "")
	})
	api("PATCH /api/users/{id}/personal-access-tokens/{name}", func(w http.ResponseWriter, r *http.Request, id string) {
		e.renamePAT(w, r, id, r.PathValue("name"))
	})
	api("DELETE /api/users/{id}/personal-access-tokens/{name}", func(w http.ResponseWriter, r *http.Request, id string) {
		e.deletePAT(w, id, r.PathValue("name"))
	})
	api("POST /api/users/{id}/personal-access-tokens/delete", func(w http.ResponseWriter, r *http.Request, id string) {
		body, ok := readObject(w, r)
		if !ok {
			return
		}
		name, ok := readName(w, body, "name")
		if ok {
			e.deletePAT(w, id, name)
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func identityNotFound(w http.ResponseWriter) {
	fail(w, http.StatusNotFound, "user.identity_not_exist", "The social account has not been registered yet.")
}

// The MFA formats Logto checks: a TOTP secret is base32 of 16 to 32
// characters; backup codes are exactly ten of ten hex digits.
var (
	totpSecretRE = regexp.MustCompile(`^[A-Z2-7]{16,32}$`)
	backupCodeRE = regexp.MustCompile(`(?i)^[0-9a-f]{10}$`)
)

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// errMFA is a refusal of an MFA enrolment: Logto's status, code and
// message.
type errMFA struct {
	status        int
	code, message string
}

func (m *errMFA) Error() string { return m.code + ": " + m.message }

var (
	errTOTPInUse       = &errMFA{422, "user.totp_already_in_use", "TOTP is already in use."}
	errTOTPSecret      = &errMFA{422, "user.totp_secret_invalid", "Invalid TOTP secret supplied."}
	errBackupAlone     = &errMFA{422, "session.mfa.backup_code_can_not_be_alone", "Backup code can not be the only MFA."}
	errBackupInUse     = &errMFA{422, "user.backup_code_already_in_use", "Backup code is already in use."}
	errBackupFormat    = &errMFA{422, "user.wrong_backup_code_format", "Backup code format is invalid."}
	errIdentityInUse   = &errMFA{422, "user.identity_already_in_use", "The social account has been associated with an existing account."}
	errNoSuchUser      = &errMFA{404, "entity.not_found", "The resource does not exist."}
	errUnknownMFAType  = errors.New("logtotest: an MFA verification's type is Totp, WebAuthn or BackupCode")
	errEmptyIdentifier = errors.New("logtotest: a target and a subject are required")
)

// enrol adds an MFA verification of typ to u under Logto's rules: one
// TOTP at most, backup codes only beside another factor and only once
// the earlier codes are used up. secret and codes may be empty for the
// emulator to make them. Callers hold e.mu.
func (e *Emulator) enrol(u *user, typ, secret string, codes []string, name string) (*mfaVerification, error) {
	has := func(t string) *mfaVerification {
		for _, m := range u.mfa {
			if m.typ == t {
				return m
			}
		}
		return nil
	}
	m := &mfaVerification{id: emulate.ID(emulate.Lower36, 21), typ: typ, created: e.opts.Now(), name: name}
	switch typ {
	case "Totp":
		if secret == "" {
			secret = emulate.ID(base32Alphabet, 32)
		}
		if !totpSecretRE.MatchString(secret) {
			return nil, errTOTPSecret
		}
		if has("Totp") != nil {
			return nil, errTOTPInUse
		}
		m.secret = secret
	case "BackupCode":
		if old := has("BackupCode"); old != nil && len(old.codes) > 0 {
			return nil, errBackupInUse
		}
		if slices.IndexFunc(u.mfa, func(m *mfaVerification) bool { return m.typ != "BackupCode" }) < 0 {
			return nil, errBackupAlone
		}
		if codes == nil {
			for range 10 {
				codes = append(codes, emulate.ID("0123456789abcdef", 10))
			}
		}
		if len(codes) != 10 || slices.ContainsFunc(codes, func(c string) bool { return !backupCodeRE.MatchString(c) }) {
			return nil, errBackupFormat
		}
		m.codes = slices.Clone(codes)
	case "WebAuthn":
	default:
		return nil, errUnknownMFAType
	}
	u.mfa = append(u.mfa, m)
	return m, nil
}

// createMFA is POST /api/users/{userId}/mfa-verifications, which takes
// {type: "Totp", secret?} or {type: "BackupCode", codes?} and answers 200
// (not 201) with the secret and its QR code, or with the codes: the one
// time Logto shows them. WebAuthn cannot be enrolled here (observed).
func (e *Emulator) createMFA(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var typ string
	if json.Unmarshal(body["type"], &typ) != nil || typ != "Totp" && typ != "BackupCode" {
		invalidInput(w, issue{"code": "invalid_union_discriminator", "options": []any{"Totp", "BackupCode"}, "path": keyPath("type"),
			"message": "Invalid discriminator value. Expected 'Totp' | 'BackupCode'"})
		return
	}
	var secret string
	var codes []string
	if typ == "Totp" {
		if raw, has := body["secret"]; has && json.Unmarshal(raw, &secret) != nil {
			invalidInput(w, invalidType("secret", "string", jsonType(raw)))
			return
		}
	} else if raw, has := body["codes"]; has {
		if json.Unmarshal(raw, &codes) != nil || codes == nil {
			invalidInput(w, invalidType("codes", "array", jsonType(raw)))
			return
		}
	}
	e.withUser(w, id, func(u *user) {
		m, err := e.enrol(u, typ, secret, codes, "")
		var me *errMFA
		if errors.As(err, &me) {
			fail(w, me.status, me.code, me.message)
			return
		}
		if typ == "Totp" {
			emulate.WriteJSON(w, 200, map[string]any{"type": typ, "secret": m.secret,
				"secretQrCode": "data:image/png;base64,iVBORw0KGgo="})
			return
		}
		emulate.WriteJSON(w, 200, map[string]any{"type": typ, "codes": m.codes})
	})
}

// linkIdentity sets u's identity at target, refusing a subject another
// user holds there. It reports whether the identity is new. Callers hold
// e.mu.
func (e *Emulator) linkIdentity(u *user, target string, s socialIdentity) (bool, error) {
	for _, o := range e.users {
		if held, ok := o.identities[target]; ok && o.id != u.id && held.userID == s.userID {
			return false, errIdentityInUse
		}
	}
	_, existed := u.identities[target]
	if u.identities == nil {
		u.identities = map[string]socialIdentity{}
	}
	u.identities[target] = s
	u.updated = e.opts.Now()
	return !existed, nil
}

// putIdentity is PUT /api/users/{userId}/identities/{target} {userId,
// details?}: 201 when it creates the identity, 200 when it replaces it,
// each with the user's whole identities map (observed).
func (e *Emulator) putIdentity(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var s socialIdentity
	if raw := body["userId"]; json.Unmarshal(raw, &s.userID) != nil {
		invalidInput(w, invalidType("userId", "string", jsonType(raw)))
		return
	}
	if raw, has := body["details"]; has {
		if json.Unmarshal(raw, &s.details) != nil || s.details == nil {
			invalidInput(w, invalidType("details", "object", jsonType(raw)))
			return
		}
	}
	target := r.PathValue("target")
	e.withUser(w, id, func(u *user) {
		created, err := e.linkIdentity(u, target, s)
		if err != nil {
			me := err.(*errMFA)
			fail(w, me.status, me.code, me.message)
			return
		}
		status := 200
		if created {
			status = 201
		}
		emulate.WriteJSON(w, status, u.identitiesJSON())
	})
}

// replaceRoles is PUT /api/users/{userId}/roles {roleIds}, as Logto does
// it (SEMANTICS.md 5.1.8 rule 2): every id must exist (404, nothing
// changes); then the roles not asked for are removed, and only then the
// new ones inserted, so a MachineToMachine role among them fails with 422
// entity.db_constraint_violated after the removals, and a role the user
// lacks named twice with a 500. It answers 200 {roleIds}, duplicates
// removed, in the request's order.
func (e *Emulator) replaceRoles(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var ids []string
	if raw := body["roleIds"]; json.Unmarshal(raw, &ids) != nil || ids == nil {
		invalidInput(w, invalidType("roleIds", "array", jsonType(raw)))
		return
	}
	e.withUser(w, id, func(u *user) {
		for _, rid := range ids {
			if _, ok := e.roles[rid]; !ok {
				roleNotFound(w, rid)
				return
			}
		}
		want := map[string]bool{}
		for _, rid := range ids {
			want[rid] = true
		}
		for rid := range u.roles {
			if !want[rid] {
				delete(u.roles, rid)
			}
		}
		var add []string
		for _, rid := range ids {
			if !u.roles[rid] {
				add = append(add, rid)
			}
		}
		for i, rid := range add {
			if e.roles[rid].typ != "User" {
				fail(w, 422, "entity.db_constraint_violated", "Database constraint violated.")
				return
			}
			if slices.Contains(add[:i], rid) {
				emulate.WriteJSON(w, 500, map[string]any{"message": "Internal server error."})
				return
			}
		}
		for _, rid := range add {
			u.roles[rid] = true
		}
		emulate.WriteJSON(w, 200, map[string]any{"roleIds": dedupe(ids)})
	})
}

// dedupe keeps each string's first occurrence, in order.
func dedupe(ss []string) []string {
	out := []string{}
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// readName reads a required string of 1 to 256 characters, a PAT's name.
func readName(w http.ResponseWriter, body map[string]json.RawMessage, key string) (string, bool) {
	var s string
	raw := body[key]
	switch {
	case json.Unmarshal(raw, &s) != nil:
		invalidInput(w, invalidType(key, "string", jsonType(raw)))
	case s == "":
		invalidInput(w, tooSmall(key, 1))
	case utf8.RuneCountInString(s) > 256:
		invalidInput(w, tooBig(key, 256))
	default:
		return s, true
	}
	return "", false
}

func patNameTaken(w http.ResponseWriter) {
	fail(w, 422, "user.personal_access_token_name_exists", "Personal access token name already exists.")
}

// createPAT is POST /api/users/{userId}/personal-access-tokens {name,
// expiresAt?}: 201 with the token, value included. A name the user
// already has is 422; an expiresAt not in the future 400
// request.invalid_input; a missing user 404 with the foreign-key code,
// since Logto inserts without reading the user first (observed).
func (e *Emulator) createPAT(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	name, ok := readName(w, body, "name")
	if !ok {
		return
	}
	var expires *int64
	if raw, has := body["expiresAt"]; has && string(raw) != "null" {
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			invalidInput(w, invalidType("expiresAt", "number", jsonType(raw)))
			return
		}
		v := int64(n)
		expires = &v
	}
	now := e.opts.Now()
	if expires != nil && *expires <= ms(now) {
		fail(w, 400, "request.invalid_input", "Input is invalid. The value of `expiresAt` must be in the future.")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[id]
	if !ok {
		fail(w, 404, "entity.relation_foreign_key_not_found", "Relation foreign key not found.")
		return
	}
	if slices.ContainsFunc(u.pats, func(p *pat) bool { return p.name == name }) {
		patNameTaken(w)
		return
	}
	p := &pat{userID: id, name: name, value: "pat_" + emulate.ID(emulate.Base62, 32), created: now, expires: expires}
	u.pats = append(u.pats, p)
	emulate.WriteJSON(w, 201, p.json())
}

// renamePAT is PATCH …/personal-access-tokens/{name} {name}, or, with
// current "", PATCH …/personal-access-tokens {currentName, name}: 200
// with the renamed token; 422 for a name the user already has, 404
// entity.not_exists for an unknown current name (observed). A missing
// user is 404 entity.not_found (not observed).
func (e *Emulator) renamePAT(w http.ResponseWriter, r *http.Request, id, current string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	if current == "" {
		if current, ok = readName(w, body, "currentName"); !ok {
			return
		}
	}
	name, ok := readName(w, body, "name")
	if !ok {
		return
	}
	e.withUser(w, id, func(u *user) {
		i := slices.IndexFunc(u.pats, func(p *pat) bool { return p.name == current })
		if i < 0 {
			fail(w, 404, "entity.not_exists", "The personal_access_token does not exist.")
			return
		}
		if name != current && slices.ContainsFunc(u.pats, func(p *pat) bool { return p.name == name }) {
			patNameTaken(w)
			return
		}
		u.pats[i].name = name
		emulate.WriteJSON(w, 200, u.pats[i].json())
	})
}

// deletePAT answers 204, or 404 entity.not_found for an unknown name or
// a missing user (observed).
func (e *Emulator) deletePAT(w http.ResponseWriter, id, name string) {
	e.withUser(w, id, func(u *user) {
		i := slices.IndexFunc(u.pats, func(p *pat) bool { return p.name == name })
		if i < 0 {
			userNotFound(w)
			return
		}
		u.pats = slices.Delete(u.pats, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	})
}

// AddMFAVerification enrols an MFA verification of typ ("Totp",
// "WebAuthn" or "BackupCode") for the user, as the user's own enrolment
// at Logto's sign-in experience or Account API would: a TOTP app scanned
// and confirmed, a passkey or security key registered in the browser, or
// backup codes generated. It keeps Logto's rules: at most one TOTP, and
// backup codes only beside another factor and once earlier codes are used
// up. It returns the verification's id, as the Management API lists it.
// Unlike the Management API's POST, it takes WebAuthn, which only a
// user's browser can register. name is a WebAuthn credential's name, and
// is ignored for the other types.
func (e *Emulator) AddMFAVerification(userID, typ, name string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok {
		return "", errNoSuchUser
	}
	m, err := e.enrol(u, typ, "", nil, name)
	if err != nil {
		return "", err
	}
	return m.id, nil
}

// LinkSocialIdentity links the user's account subject at the social
// connector target ("google", "github"), as the user signing in with
// that connector and binding it to their account would; details is what
// the connector returned about the account (nil for none). It is
// refused, as Logto refuses it, when another user holds that account.
// Linking a target the user already has replaces that identity.
func (e *Emulator) LinkSocialIdentity(userID, target, subject string, details map[string]any) error {
	if target == "" || subject == "" || strings.ContainsAny(target, "/?#") {
		return fmt.Errorf("%w (got %q, %q)", errEmptyIdentifier, target, subject)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok {
		return errNoSuchUser
	}
	_, err := e.linkIdentity(u, target, socialIdentity{userID: subject, details: details})
	return err
}
