// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package argon2d

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestRFC9106 is the Argon2d vector of RFC 9106 section 5.1, which uses a
// secret and associated data that Key does not take.
func TestRFC9106(t *testing.T) {
	password := bytes.Repeat([]byte{0x01}, 32)
	salt := bytes.Repeat([]byte{0x02}, 16)
	secret := bytes.Repeat([]byte{0x03}, 8)
	aad := bytes.Repeat([]byte{0x04}, 12)
	want := "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"
	if got := hex.EncodeToString(deriveKey(argon2d, password, salt, secret, aad, 3, 32, 4, 32)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestKey runs Key on the reference implementation's Argon2d vectors for
// "password" and "somesalt", with the same tag lengths.
func TestKey(t *testing.T) {
	for _, v := range []struct {
		time, memory uint32
		threads      uint8
		hash         string
	}{
		{1, 64, 1, "8727405fd07c32c78d64f547f24150d3f2e703a89f981a19"},
		{2, 64, 1, "3be9ec79a69b75d3752acb59a1fbb8b295a46529c48fbb75"},
		{2, 64, 2, "68e2462c98b8bc6bb60ec68db418ae2c9ed24fc6748a40e9"},
	} {
		want, _ := hex.DecodeString(v.hash)
		got := Key([]byte("password"), []byte("somesalt"), v.time, v.memory, v.threads, uint32(len(want)))
		if !bytes.Equal(got, want) {
			t.Errorf("t=%d m=%d p=%d: got %x, want %x", v.time, v.memory, v.threads, got, want)
		}
	}
}
