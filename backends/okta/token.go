package okta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// assertionLifetime is how long a client assertion is valid. Okta takes up
// to an hour; a short one limits what a leaked assertion is good for.
const assertionLifetime = 5 * time.Minute

// assertionSource fetches a new access token with the client credentials
// grant each time it is asked, authenticating with a freshly signed
// private_key_jwt assertion. The httpx client caches what it returns.
type assertionSource struct {
	tokenURL string
	clientID string
	keyID    string
	key      crypto.Signer
	scopes   []string
	// transport is the directory's, with the client token requests go
	// through (httpx.WithTokenClient).
	transport identity.HTTPOptions
}

// String names the app, never the key.
func (s *assertionSource) String() string { return "okta service app " + s.clientID }

// GoString is String, so that %#v shows no key either.
func (s *assertionSource) GoString() string { return s.String() }

func (s *assertionSource) Token() (*oauth2.Token, error) {
	assertion, err := s.assertion(time.Now())
	if err != nil {
		return nil, err
	}
	cc := &clientcredentials.Config{
		ClientID: s.clientID, TokenURL: s.tokenURL, Scopes: s.scopes,
		EndpointParams: url.Values{
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		},
		AuthStyle: oauth2.AuthStyleInParams,
	}
	ctx, cancel := httpx.TokenContext(s.transport)
	defer cancel()
	return cc.Token(ctx)
}

// assertion returns the signed JWT Okta's token endpoint expects: iss and
// sub the client id, aud the token URL, a unique jti, and a short expiry.
func (s *assertionSource) assertion(now time.Time) (string, error) {
	alg := "RS256"
	if _, ok := s.key.(*ecdsa.PrivateKey); ok {
		alg = "ES256"
	}
	header := map[string]string{"alg": alg, "typ": "JWT"}
	if s.keyID != "" {
		header["kid"] = s.keyID
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	claims := map[string]any{
		"iss": s.clientID, "sub": s.clientID, "aud": s.tokenURL,
		"iat": now.Unix(), "exp": now.Add(assertionLifetime).Unix(), "jti": hex.EncodeToString(jti[:]),
	}
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sig, err := sign(s.key, []byte(signing))
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// sign makes a JWS signature: PKCS #1 v1.5 for RSA, and for ECDSA the
// fixed-width r||s that JWS uses instead of ASN.1.
func sign(key crypto.Signer, data []byte) ([]byte, error) {
	digest := sha256.Sum256(data)
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			return nil, err
		}
		out := make([]byte, 64)
		fill(out[:32], r)
		fill(out[32:], s)
		return out, nil
	}
	return nil, fmt.Errorf("unsupported key type %T", key)
}

func fill(dst []byte, n *big.Int) { n.FillBytes(dst) }
