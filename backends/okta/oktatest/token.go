package oktatest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"encoding/json"
	"math/big"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// token is an access token the token endpoint issued.
type token struct {
	client  string
	scopes  []string
	expires time.Time
}

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionLife is how far in the future a client assertion may
// expire: Okta allows one hour. The minute of leeway for clock skew is
// Unpublished.
const maxAssertionLife = time.Hour + time.Minute

// oauthError is the OAuth 2.0 error body the org authorization server
// sends.
func oauthError(status int, code, desc string) reply {
	return emulate.JSON(status, map[string]string{"error": code, "error_description": desc})
}

func invalidClient(desc string) reply {
	return oauthError(http.StatusUnauthorized, "invalid_client", desc)
}

const clientAuthFailed = "Client authentication failed. Either the client or the client credentials are invalid."

// token serves POST /oauth2/v1/token for OAuth service apps: the client
// credentials grant with a private_key_jwt client assertion, the only
// client authentication Okta accepts for Okta scopes. It is not counted
// against the /api quota. A missing or refused assertion is 401
// invalid_client; a wrong client_assertion_type 400 invalid_request
// (Unpublished); another grant type 400 unsupported_grant_type; a missing
// scope, or one the emulator does not serve, 400 invalid_scope. The
// error_description texts are modelled on Okta's and are not a contract.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request, now time.Time) {
	rp := e.issue(w, r, now)
	if rp.Header == nil {
		rp.Header = http.Header{}
	}
	rp.Header.Set("Cache-Control", "no-store")
	rp.Header.Set("Pragma", "no-cache")
	rp.Write(w)
}

func (e *Emulator) issue(w http.ResponseWriter, r *http.Request, now time.Time) reply {
	if r.Method != http.MethodPost {
		rp := oauthError(http.StatusMethodNotAllowed, "invalid_request", "The token endpoint only accepts POST.")
		rp.Header = http.Header{"Allow": {"POST"}}
		return rp
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request must be application/x-www-form-urlencoded.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, emulate.MaxRequestBody)
	if err := r.ParseForm(); err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request body could not be read.")
	}
	f := r.PostForm
	assertion := f.Get("client_assertion")
	if assertion == "" {
		return invalidClient(clientAuthFailed)
	}
	if f.Get("client_assertion_type") != assertionType {
		return oauthError(http.StatusBadRequest, "invalid_request", "The client_assertion_type is invalid.")
	}
	client, bad := e.verifyAssertion(assertion, requestOrigin(r)+"/oauth2/v1/token", now)
	if bad != "" {
		return invalidClient(bad)
	}
	if id := f.Get("client_id"); id != "" && id != client {
		return invalidClient(clientAuthFailed)
	}
	if f.Get("grant_type") != "client_credentials" {
		return oauthError(http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].")
	}
	var scopes []string
	for _, s := range strings.Fields(f.Get("scope")) {
		if !slices.Contains(knownScopes, s) {
			return oauthError(http.StatusBadRequest, "invalid_scope", "One or more scopes are not configured for the authorization server resource.")
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if len(scopes) == 0 {
		return oauthError(http.StatusBadRequest, "invalid_scope",
			"The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
	}
	exp := now.Add(e.opts.TokenLifetime)
	tok := accessToken(requestOrigin(r), client, scopes, now, exp)
	e.tokens.Issue(tok, token{client: client, scopes: scopes, expires: exp})
	return ok(map[string]any{
		"token_type": "Bearer", "expires_in": int(e.opts.TokenLifetime / time.Second),
		"access_token": tok, "scope": strings.Join(scopes, " "),
	})
}

// accessToken is JWT-shaped like Okta's, with claims a client may read,
// but its signature is random: the emulator recognises its tokens by
// lookup.
func accessToken(origin, client string, scopes []string, now, exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"kid":"oktatest","alg":"RS256"}`))
	claims, _ := json.Marshal(map[string]any{
		"ver": 1, "jti": "AT." + emulate.ID(emulate.Base62, 43), "iss": origin, "aud": origin,
		"iat": now.Unix(), "exp": exp.Unix(), "cid": client, "scp": scopes, "sub": client,
	})
	return header + "." + enc.EncodeToString(claims) + "." + emulate.ID(emulate.Base62, 86)
}

// verifyAssertion checks a private_key_jwt client assertion: its
// signature by the service app's key, iss and sub both the client id, aud
// the token endpoint, exp present, in the future and at most an hour
// ahead, and a jti, if any, not seen before. It returns the client id, or
// why the assertion is refused.
func (e *Emulator) verifyAssertion(jwt, aud string, now time.Time) (client, bad string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", "The client_assertion token is malformed."
	}
	enc := base64.RawURLEncoding
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp *json.Number    `json:"exp"`
		Jti string          `json:"jti"`
	}
	hb, err1 := enc.DecodeString(parts[0])
	cb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil {
		return "", "The client_assertion token is malformed."
	}
	d := json.NewDecoder(bytes.NewReader(cb))
	d.UseNumber()
	if d.Decode(&claims) != nil {
		return "", "The client_assertion token is malformed."
	}
	key, known := e.opts.ServiceApps[claims.Iss]
	if claims.Iss == "" || !known {
		return "", clientAuthFailed
	}
	if claims.Sub != claims.Iss {
		return "", "The client_assertion token's sub claim must be the client id."
	}
	if !verifySignature(header.Alg, key, parts[0]+"."+parts[1], sig) {
		return "", "The client_assertion signature is invalid."
	}
	if !audienceIs(claims.Aud, aud) {
		return "", "The audience [aud] claim in the JWT is invalid."
	}
	if claims.Exp == nil {
		return "", "The client_assertion token must have an exp claim."
	}
	exp, err := claims.Exp.Float64()
	if err != nil {
		return "", "The client_assertion token is malformed."
	}
	expires := time.Unix(int64(exp), 0)
	switch {
	case !expires.After(now):
		return "", "The client_assertion token is expired."
	case expires.Sub(now) > maxAssertionLife:
		return "", "The client_assertion token has an expiration too far into the future."
	}
	if claims.Jti != "" {
		e.mu.Lock()
		defer e.mu.Unlock()
		for j, until := range e.assertions {
			if !until.After(now) {
				delete(e.assertions, j)
			}
		}
		if _, seen := e.assertions[claims.Iss+"\x00"+claims.Jti]; seen {
			return "", "The client_assertion token has already been used."
		}
		e.assertions[claims.Iss+"\x00"+claims.Jti] = expires
	}
	return claims.Iss, ""
}

// audienceIs accepts aud as a string or an array holding want.
func audienceIs(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, want)
}

// verifySignature checks a JWS signature: RS256/384/512 (PKCS #1 v1.5)
// with an RSA key, ES256/384/512 with an ECDSA key on the matching curve
// and the signature as the raw r||s JWS uses.
func verifySignature(alg string, key crypto.PublicKey, input string, sig []byte) bool {
	if len(alg) != 5 {
		return false
	}
	var h crypto.Hash
	var curve elliptic.Curve
	switch alg[2:] {
	case "256":
		h, curve = crypto.SHA256, elliptic.P256()
	case "384":
		h, curve = crypto.SHA384, elliptic.P384()
	case "512":
		h, curve = crypto.SHA512, elliptic.P521()
	default:
		return false
	}
	hasher := h.New()
	hasher.Write([]byte(input))
	digest := hasher.Sum(nil)
	switch alg[:2] {
	case "RS":
		k, isRSA := key.(*rsa.PublicKey)
		return isRSA && rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
	case "ES":
		k, isEC := key.(*ecdsa.PublicKey)
		if !isEC || k.Curve != curve {
			return false
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}
