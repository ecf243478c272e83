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

// oauthError is the OAuth 2.0 error body Logto's OIDC provider sends for
// client authentication failures (observed: 401 {"error":"invalid_client"}).
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	emulate.WriteJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// token serves POST /oidc/token for the client credentials grant, with the
// client authenticated by HTTP Basic or by client_id and client_secret in
// the form.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, emulate.MaxRequestBody)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if !hmac.Equal([]byte(id), []byte(e.opts.AppID)) || !hmac.Equal([]byte(secret), []byte(e.opts.AppSecret)) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	if r.PostForm.Get("resource") != e.opts.Resource {
		// Logto answers with its own body here (observed code
		// oidc.invalid_target); the OAuth error field is kept too so that
		// OAuth clients read the reason.
		emulate.WriteJSON(w, http.StatusBadRequest, map[string]string{
			"code": "oidc.invalid_target", "message": "Invalid resource indicator.",
			"error": "invalid_target", "error_description": "resource indicator is missing, or unknown",
		})
		return
	}
	now := e.opts.Now()
	exp := now.Add(e.opts.TokenLifetime)
	tok := e.sign(map[string]any{
		"iss": strings.TrimSuffix(requestOrigin(r), "/") + "/oidc", "aud": e.opts.Resource, "sub": id,
		"client_id": id, "scope": "all", "iat": now.Unix(), "exp": exp.Unix(), "jti": emulate.ID(emulate.Lower36, 21),
	})
	e.mu.Lock()
	e.tokenRequests++
	e.tokens[tok] = exp
	e.mu.Unlock()
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
	e.mu.Lock()
	exp, known := e.tokens[tok]
	e.mu.Unlock()
	if !known || !e.opts.Now().Before(exp) {
		fail(w, http.StatusUnauthorized, "auth.unauthorized", "Unauthorized. Please check credentials and its scope.")
		return false
	}
	return true
}
