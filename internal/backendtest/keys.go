package backendtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"sync"
)

// keys are the P-256 keys KeyFor made, one for each secret.
var keys = struct {
	sync.Mutex
	m map[string]*ecdsa.PrivateKey
}{m: map[string]*ecdsa.PrivateKey{}}

// KeyFor returns the P-256 key of secret, the same for every call, for a
// backend whose credential is a private key: its Emulator registers the
// public half of KeyFor(o.Secret), and its Open signs with
// KeyFor(c.Secret), so that an emulator accepts exactly the directories
// opened with its secret.
func KeyFor(secret string) *ecdsa.PrivateKey {
	keys.Lock()
	defer keys.Unlock()
	if k, ok := keys.m[secret]; ok {
		return k
	}
	if len(keys.m) > 4096 {
		// A fuzz worker makes a secret per input, and needs its key only
		// for that input.
		clear(keys.m)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	keys.m[secret] = k
	return k
}
