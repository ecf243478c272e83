package logtotest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// oidcMessages are Logto's English phrases for the OIDC errors the token
// endpoint answers; an error without one gets the fallback phrase.
var oidcMessages = map[string]string{
	"invalid_request":        "Request is invalid.",
	"invalid_target":         "Invalid resource indicator.",
	"unsupported_grant_type": "Unsupported `grant_type` requested.",
}

// oidcError is the body Logto's koa-oidc-error-handler makes of an
// oidc-provider error: the OAuth 2.0 error and error_description, with
// Logto's code ("oidc." + error) and message added in front.
func oidcError(w http.ResponseWriter, status int, code, desc string) {
	msg, ok := oidcMessages[code]
	if !ok {
		msg = "An OIDC error occurred: oidc." + code + "."
	}
	emulate.WriteJSON(w, status, map[string]string{
		"code": "oidc." + code, "message": msg, "error": code, "error_description": desc,
	})
}

// token serves POST /oidc/token for the client credentials grant, with the
// client authenticated by HTTP Basic or by client_id and client_secret in
// the form. Failures answer oidcError: no client id 400 invalid_request;
// an unknown one 400 invalid_client "invalid client <id>" (Logto's client
// adapter); a wrong secret 401 invalid_client (oidc-provider's client
// authentication); another grant 400 unsupported_grant_type; a missing or
// unknown resource 400 invalid_target.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, emulate.MaxRequestBody)
	if err := r.ParseForm(); err != nil {
		oidcError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case id == "":
		oidcError(w, http.StatusBadRequest, "invalid_request", "no client authentication mechanism provided")
		return
	case !hmac.Equal([]byte(id), []byte(e.opts.AppID)):
		oidcError(w, http.StatusBadRequest, "invalid_client", "invalid client "+id)
		return
	case !hmac.Equal([]byte(secret), []byte(e.opts.AppSecret)):
		oidcError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oidcError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type requested")
		return
	}
	if r.PostForm.Get("resource") != e.opts.Resource {
		oidcError(w, http.StatusBadRequest, "invalid_target", "resource indicator is missing, or unknown")
		return
	}
	now := e.opts.Now()
	exp := now.Add(e.opts.TokenLifetime)
	tok := e.sign(map[string]any{
		"iss": strings.TrimSuffix(requestOrigin(r), "/") + "/oidc", "aud": e.opts.Resource, "sub": id,
		"client_id": id, "scope": "all", "iat": now.Unix(), "exp": exp.Unix(), "jti": emulate.ID(emulate.Lower36, 21),
	})
	e.tokens.Issue(tok, exp)
	emulate.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "expires_in": int(e.opts.TokenLifetime / time.Second), "token_type": "Bearer", "scope": "all",
	})
}

func requestOrigin(r *http.Request) string { return "http://" + r.Host }

func (e *Emulator) sign(claims map[string]any) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(claims)
	body := header + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, e.key)
	mac.Write([]byte(body))
	return body + "." + enc.EncodeToString(mac.Sum(nil))
}

// authorize checks the bearer token of a Management API call, answering
// as Logto's koa-auth does. It reports whether the call may go on.
func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if h == "" {
		fail(w, http.StatusUnauthorized, "auth.authorization_header_missing", "Authorization header is missing.")
		return false
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		fail(w, http.StatusUnauthorized, "auth.authorization_token_type_not_supported", "Authorization type is not supported.")
		return false
	}
	exp, known := e.tokens.Lookup(tok)
	var joseCode, joseName string
	switch {
	case strings.Count(tok, ".") != 2:
		joseCode, joseName = "ERR_JWS_INVALID", "JWSInvalid"
	case !known:
		// A revoked token stands for one signed with a rotated key.
		joseCode, joseName = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "JWSSignatureVerificationFailed"
	case !e.opts.Now().Before(exp):
		joseCode, joseName = "ERR_JWT_EXPIRED", "JWTExpired"
	default:
		return true
	}
	// data is the jose error that made verification fail; its code and
	// name were observed for a malformed token, the other two are jose's
	// names for its other failures.
	emulate.WriteJSON(w, http.StatusUnauthorized, map[string]any{
		"code": "auth.unauthorized", "data": map[string]string{"code": joseCode, "name": joseName},
		"message": "Unauthorized. Please check credentials and its scope.",
	})
	return false
}
