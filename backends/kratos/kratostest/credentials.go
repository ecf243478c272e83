package kratostest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// The credential types beside password that the emulator holds: the
// second factors a user enrolls through settings flows (totp,
// lookup_secret, webauthn), the passkey first factor, and oidc, which the
// admin API imports and a social sign-in would make.
const (
	TypeTOTP         = "totp"
	TypeLookupSecret = "lookup_secret"
	TypeWebAuthn     = "webauthn"
	TypePasskey      = "passkey"
	TypeOIDC         = "oidc"
)

// Credential is what Enroll adds to an identity, as the user would add it
// through a settings flow (totp, lookup_secret, webauthn, passkey) or a
// social sign-in (oidc).
type Credential struct {
	// Type is one of TypeTOTP, TypeLookupSecret, TypeWebAuthn, TypePasskey
	// and TypeOIDC.
	Type string
	// Name is a WebAuthn key's or passkey's display name.
	Name string
	// Passwordless marks a WebAuthn key registered for passwordless
	// sign-in (a first factor), which DELETE .../credentials/webauthn
	// keeps, as Kratos does.
	Passwordless bool
	// Provider and Subject are an oidc credential's provider id and the
	// user's subject there.
	Provider, Subject string
}

// otherCred is a credential of a type other than password. config is what
// include_credential shows, as Kratos stores it.
type otherCred struct {
	identifiers      []string
	config           map[string]any
	created, updated time.Time
}

// Enroll adds c to the identity, as a user's settings flow or social
// sign-in would: a TOTP app (replacing the one there, as a new
// enrollment does), a fresh set of twelve recovery codes (replacing the
// set there), one more WebAuthn key or passkey, or one more oidc link. It
// reports false, adding nothing, when there is no such identity or c is
// not one of those.
func (e *Emulator) Enroll(identityID string, c Credential) bool {
	switch c.Type {
	case TypeTOTP, TypeLookupSecret, TypeWebAuthn, TypePasskey:
	case TypeOIDC:
		if c.Provider == "" || c.Subject == "" {
			return false
		}
	default:
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	id, err := parseUUID(identityID)
	i := e.identities[id]
	if err != nil || i == nil {
		return false
	}
	now := dbTime(e.now())
	cur := i.others[c.Type]
	if cur == nil || c.Type == TypeTOTP || c.Type == TypeLookupSecret {
		cur = &otherCred{created: now, config: map[string]any{}}
	}
	cur.updated = now
	switch c.Type {
	case TypeTOTP:
		// Observed: the account name of the otpauth URL, and the
		// credential's identifier, is the identity's id.
		secret := strings.ToUpper(emulate.ID("abcdefghijklmnopqrstuvwxyz234567", 32))
		cur.identifiers = []string{i.id}
		cur.config = map[string]any{"totp_url": fmt.Sprintf("otpauth://totp/kratostest:%s?algorithm=SHA1&digits=6&issuer=kratostest&period=30&secret=%s", i.id, secret)}
	case TypeLookupSecret:
		codes := make([]any, 12)
		for n := range codes {
			codes[n] = map[string]any{"code": emulate.ID("abcdefghijklmnopqrstuvwxyz0123456789", 8), "used_at": nil}
		}
		cur.identifiers = []string{i.id}
		cur.config = map[string]any{"recovery_codes": codes}
	case TypeWebAuthn, TypePasskey:
		// Unobserved (enrolling needs an authenticator): the shape is
		// Kratos's CredentialsWebAuthnConfig, read from its source.
		keys, _ := cur.config["credentials"].([]any)
		keys = append(keys, map[string]any{
			"id": base64.StdEncoding.EncodeToString([]byte(emulate.ID(emulate.Base62, 16))), "public_key": base64.StdEncoding.EncodeToString([]byte(emulate.ID(emulate.Base62, 32))),
			"attestation_type": "none", "authenticator": map[string]any{"aaguid": "AAAAAAAAAAAAAAAAAAAAAA==", "sign_count": 0, "clone_warning": false},
			"display_name": c.Name, "added_at": timeString(now), "is_passwordless": c.Type == TypePasskey || c.Passwordless,
		})
		cur.config["credentials"] = keys
		if c.Type == TypePasskey {
			cur.config["user_handle"] = base64.StdEncoding.EncodeToString([]byte(i.id))
			cur.identifiers = []string{base64.StdEncoding.EncodeToString([]byte(i.id))}
		} else {
			cur.identifiers = []string{i.id}
		}
	case TypeOIDC:
		provs, _ := cur.config["providers"].([]any)
		cur.config["providers"] = append(provs, oidcProvider(c.Provider, c.Subject))
		cur.identifiers = append(cur.identifiers, c.Provider+":"+c.Subject)
		slices.Sort(cur.identifiers)
	}
	if i.others == nil {
		i.others = map[string]*otherCred{}
	}
	i.others[c.Type] = cur
	return true
}

// oidcProvider is one entry of an oidc credential's providers, as Kratos
// stores it: the initial tokens are "" for a link the admin API imported.
func oidcProvider(provider, subject string) map[string]any {
	return map[string]any{"initial_id_token": "", "initial_access_token": "", "initial_refresh_token": "",
		"subject": subject, "provider": provider, "organization": ""}
}

// importOIDC reads credentials.oidc of a create body,
// {"config": {"providers": [{"provider", "subject"}]}}, into an oidc
// credential. Unobserved: whether Kratos checks that the provider is one
// it is configured with (v1.3.1 took "google" with no oidc provider
// configured).
func importOIDC(i *identity, raw json.RawMessage, now time.Time) *reply {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var b struct {
		Config struct {
			Providers []struct {
				Provider string `json:"provider"`
				Subject  string `json:"subject"`
			} `json:"providers"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		rp := badRequest("Unable to decode JSON payload: " + err.Error())
		return &rp
	}
	if len(b.Config.Providers) == 0 {
		return nil
	}
	c := &otherCred{created: now, updated: now, config: map[string]any{}}
	var provs []any
	for _, p := range b.Config.Providers {
		provs = append(provs, oidcProvider(p.Provider, p.Subject))
		c.identifiers = append(c.identifiers, p.Provider+":"+p.Subject)
	}
	slices.Sort(c.identifiers)
	c.config["providers"] = provs
	i.others = map[string]*otherCred{TypeOIDC: c}
	return nil
}

// othersJSON adds the identity's other credentials to out, with the
// config of the types in include.
func (i *identity) othersJSON(out map[string]credJSON, v view) {
	for typ, c := range i.others {
		j := credJSON{Type: typ, Identifiers: slices.Clone(c.identifiers), CreatedAt: timeString(c.created), UpdatedAt: timeString(c.updated)}
		if j.Identifiers == nil {
			j.Identifiers = []string{}
		}
		if v.zeroCredTimes {
			j.CreatedAt, j.UpdatedAt = zeroTime, zeroTime
		}
		if slices.Contains(v.include, typ) {
			j.Config, _ = json.Marshal(c.config)
		}
		out[typ] = j
	}
}

// deleteCredential is DELETE /admin/identities/{id}/credentials/{type}, as
// Kratos v1.3.1's handler: 404 with a reason for a type the identity
// lacks; totp and lookup_secret removed; webauthn stripped of its keys
// that are not passwordless (the credential stays, and the answer is 204,
// when only passwordless keys were there); oidc only with ?identifier=
// {provider}:{subject} (400 without, 404 for one not there); password
// refused as a first factor; and passkey, which the handler has no case
// for, 400 "Unknown credentials type". Removing the last oidc link leaves
// the credential with no identifiers and, observed, one provider whose
// fields are all "".
func (e *Emulator) deleteCredential(r *http.Request) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := e.lookup(r.PathValue("id"))
	if i == nil {
		return notFound()
	}
	typ := r.PathValue("type")
	missing := failure(http.StatusNotFound, fmt.Sprintf("You tried to remove a %s but this user have no %s set up.", typ, typ), "The requested resource could not be found")
	if typ == "password" {
		if i.cred == nil {
			return missing
		}
		return badRequest("You cannot remove first factor credentials.")
	}
	c := i.others[typ]
	if c == nil {
		return missing
	}
	now := dbTime(e.now())
	switch typ {
	case TypeTOTP, TypeLookupSecret:
		delete(i.others, typ)
	case TypeWebAuthn:
		keys, _ := c.config["credentials"].([]any)
		keys = slices.DeleteFunc(slices.Clone(keys), func(k any) bool {
			m, _ := k.(map[string]any)
			return m["is_passwordless"] != true
		})
		if len(keys) == 0 {
			delete(i.others, typ)
		} else {
			c.config["credentials"], c.updated = keys, now
		}
	case TypeOIDC:
		ident := query(r).Get("identifier")
		if ident == "" {
			return badRequest("You must provide an identifier to delete this credential.")
		}
		at := slices.Index(c.identifiers, ident)
		if at < 0 {
			return failure(http.StatusNotFound, fmt.Sprintf("The identifier `%s` was not found among OIDC credentials.", ident), "The requested resource could not be found")
		}
		c.identifiers = slices.Delete(slices.Clone(c.identifiers), at, at+1)
		provs, _ := c.config["providers"].([]any)
		provs = slices.DeleteFunc(slices.Clone(provs), func(p any) bool {
			m, _ := p.(map[string]any)
			prov, _ := m["provider"].(string)
			sub, _ := m["subject"].(string)
			return prov+":"+sub == ident
		})
		if len(provs) == 0 {
			provs = []any{oidcProvider("", "")}
		}
		c.config["providers"], c.updated = provs, now
	default:
		return badRequest(fmt.Sprintf("Unknown credentials type %s.", typ))
	}
	if i.cred != nil {
		i.cred.updated = now // observed: every credential's updated_at moves
	}
	return reply{status: http.StatusNoContent}
}
