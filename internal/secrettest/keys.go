package secrettest

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
)

// AddKey makes every encoding of key's private part a canary: the
// scalar in decimal, hex and base64 (JWK's "d"), and each line of its
// PKCS #8 PEM, so that a key leaked in any form a program might print it
// is found.
func (c *Canaries) AddKey(name string, key *ecdsa.PrivateKey) {
	d, err := key.Bytes()
	if err != nil {
		panic(err) // a key on a curve crypto/ecdh knows always encodes
	}
	c.Add(name+"-d", new(big.Int).SetBytes(d).String())
	c.Add(name+"-d-hex", hex.EncodeToString(d))
	c.Add(name+"-d-base64", base64.StdEncoding.EncodeToString(d))
	c.Add(name+"-d-base64url", base64.RawURLEncoding.EncodeToString(d))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err) // likewise
	}
	for _, line := range strings.Split(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "\n") {
		if !strings.HasPrefix(line, "-----") {
			c.Add(name+"-pem", line)
		}
	}
}
