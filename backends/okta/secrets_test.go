package okta_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"

	"github.com/idport/identity/internal/secrettest"
)

// echoAssertion, in the body of an answer the token endpoint gives, is
// replaced by the request's client assertion, as a server echoing its
// form into an error page would.
const echoAssertion = "{{assertion}}"

// keyCanaries makes every encoding of key's private part a canary: the
// scalar in decimal, hex and base64 (JWK's "d"), and each line of its
// PKCS #8 PEM.
func keyCanaries(c *secrettest.Canaries, name string, key *ecdsa.PrivateKey) {
	d, err := key.Bytes()
	if err != nil {
		panic(err) // a P-256 key always encodes
	}
	c.Add(name+"-d", new(big.Int).SetBytes(d).String())
	c.Add(name+"-d-hex", hex.EncodeToString(d))
	c.Add(name+"-d-base64", base64.StdEncoding.EncodeToString(d))
	c.Add(name+"-d-base64url", base64.RawURLEncoding.EncodeToString(d))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err) // a P-256 key always marshals
	}
	for _, line := range strings.Split(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "\n") {
		if !strings.HasPrefix(line, "-----") {
			c.Add(name+"-pem", line)
		}
	}
}

// credentialsSeen makes canaries of the credentials that travel outside
// the Authorization header (which secrettest's Middleware covers): the
// client assertion and its signature in a token request's form, and the
// session and state tokens in the Authentication API's answers. It also
// echoes the assertion into answers that ask for it.
func credentialsSeen(c *secrettest.Canaries, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assertion := ""
		if r.URL.Path == "/oauth2/v1/token" {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(b))
			form, _ := url.ParseQuery(string(b))
			assertion = form.Get("client_assertion")
			c.Add("client-assertion", assertion)
			if i := strings.LastIndexByte(assertion, '.'); i >= 0 {
				c.Add("client-assertion-signature", assertion[i+1:])
			}
		}
		tee := &teeWriter{ResponseWriter: w, assertion: assertion}
		next.ServeHTTP(tee, r)
		if r.URL.Path == "/api/v1/authn" {
			var out struct {
				SessionToken string `json:"sessionToken"`
				StateToken   string `json:"stateToken"`
			}
			if json.Unmarshal(tee.body.Bytes(), &out) == nil {
				c.Add("session-token", out.SessionToken)
				c.Add("state-token", out.StateToken)
			}
		}
	})
}

// teeWriter keeps a copy of the body, and puts the assertion where the
// body says echoAssertion.
type teeWriter struct {
	http.ResponseWriter
	assertion string
	body      bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	n := len(p)
	p = bytes.ReplaceAll(p, []byte(echoAssertion), []byte(w.assertion))
	w.body.Write(p)
	_, err := w.ResponseWriter.Write(p)
	return n, err
}
