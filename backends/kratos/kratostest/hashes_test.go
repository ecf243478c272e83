package kratostest_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity/backends/kratos/kratostest"
)

// kratosCompare are hashes and passwords from Ory Kratos v1.3.1's own
// tests of its comparator (hash/hasher_test.go, TestCompare; Apache-2.0),
// with whether Kratos's Compare matches them, one or more of each format
// family the emulator verifies.
var kratosCompare = []struct {
	name, password, hash string
	match                bool
}{
	{"bcrypt", "test", "$2a$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6", true},
	{"bcrypt changed", "test", "$2a$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL7", false},
	{"argon2id", "test", "$argon2id$v=19$m=32,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw", true},
	{"argon2id changed", "test", "$argon2id$v=19$m=32,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRN2", false},
	{"argon2i", "test", "$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c", true},
	{"pbkdf2-sha256", "test", "$pbkdf2-sha256$i=100000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI", true},
	{"pbkdf2-sha256 changed", "test", "$pbkdf2-sha256$i=100000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpp", false},
	{"pbkdf2-sha512", "test", "$pbkdf2-sha512$i=100000,l=32$bdHBpn7OWOivJMVJypy2UqR0UnaD5prQXRZevj/05YU$+wArTfv1a+bNGO1iZrmEdVjhA+lL11wF4/IxpgYfPwc", true},
	{"pbkdf2 without parameters", "test", "$pbkdf2-sha256$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI", false},
	{"scrypt, ln is N", "test", "$scrypt$ln=16384,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=", true},
	{"scrypt wrong password", "tesu", "$scrypt$ln=16384,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=", false},
	{"scrypt N not a power of two", "test", "$scrypt$ln=16385,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=", false},
	{"firescrypt", "8x4WjoDbSxJZdR", "$firescrypt$ln=14,r=8,p=1$sPtDhWcd1MfdAw==$xbSou7FOl6mChCyzpCPIQ7tku7nsQMTFtyOZSXXd7tjBa4NtimOx7v42Gv2SfzPQu1oxM2/k4SsbOu73wlKe1A==$Bw==$YE0dO4bwD4JnJafh6lZZfkp1MtKzuKAXQcDCJNJNyeCHairWHKENOkbh3dzwaCdizzOspwr/FITUVlnOAwPKyw==", true},
	{"firescrypt changed key", "8x4WjoDbSxJZdR", "$firescrypt$ln=14,r=8,p=1$sPtDhWcd1MfdAw==$xbSou7FOl6mChCyzpCPIQ7tku7nsQMTFtyOZSXXd7tjBa4NtimOx7v42Gv2SfzPQu1oxM2/k4SsbOu73wlKe1A==$Bw==$YE0dO4bwD4JnJafh6lZZfkp1MtKzuKAXQcDCJNJNyeCHairWHKENOkbh3dzwaCdizzOspwr/FITUVlnOAwPKyc==", false},
	{"SSHA", "test123", "{SSHA}JFZFs0oHzxbMwkSJmYVeI8MnTDy/276a", true},
	{"SSHA too short", "", "{SSHA}tooshort", false},
	{"SSHA256", "test123", "{SSHA256}czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMlx/7IK", true},
	{"SSHA512", "test123", "{SSHA512}xPUl/px+1cG55rUH4rzcwxdOIPSB2TingLpiJJumN2xyDWN4Ix1WQG3ihnvHaWUE8MYNkvMi5rf0C9NYixHsE6Yh59M=", true},
	{"sha1 salt first", "test", "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ=", true},
	{"sha1 wrong password", "wrongpass", "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ=", false},
	{"sha1 another salt", "test", "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$cDJvb3ZrZGJ6cQ==$2qU2SGWP8viTM1md3FiI3+rjWXQ=", false},
	{"sha1 without a template", "test", "$sha1$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ=", false},
	{"sha1 another template", "test", "$sha1$pf=Pz9zdGF0aWNQcmVmaXg/P3tTQUxUfXtQQVNTV09SRH0=$NW9wbWtnejAzcg==$SAAxMUn7jxckQXkBmsVF0nHwqso=", true},
	{"sha1 password first", "test", "$sha1$pf=e1BBU1NXT1JEfSUle1NBTFR9$NW9wbWtnejAzcg==$YX0AW8/MW5ojUlnzTaR43ucHCog=", true},
	{"sha256", "test", "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$0gfRVLCvtBCk20udLDEY5vNhujWx7RGjwRIS1ebMsLY=", true},
	{"sha512", "test", "$sha512$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$6ctpVuApMNp0CgBXcdHw/GC562eFEFGr4gpgANX8ZYsX+j5B19IkdmOY2Fytsz3QUwSWdGcUjbqwgJGTH0UYvw==", true},
	{"md5", "test", "$md5$CY9rzUYh03PK3k6DJie09g==", true},
	{"md5 changed", "test", "$md5$WhBei51A4TKXgNYuoiZdig==", false},
	{"md5 salted", "test", "$md5$pf=e1NBTFR9e1BBU1NXT1JEfQ==$MTIz$q+RdKCgc+ipCAcm5ChQwlQ==", true},
	{"md5 empty", "ory", "$md5$$", false},
	{"hmac-md4", "test", "$hmac-md4$MWQ5ZTI4Nzc2Zjg4YmE2MTQ5YjQ0OTMyOGE4NWU4YjA=$MTIzNDU=", true},
	{"hmac-md4 another key", "test", "$hmac-md4$MWQ5ZTI4Nzc2Zjg4YmE2MTQ5YjQ0OTMyOGE4NWU4YjA=$MTIzNA==", false},
	{"hmac-md5", "test", "$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=$MTIzNDU=", true},
	{"hmac without a key", "test", "$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=", false},
}

// TestImportedHashFormats imports each of Kratos's own comparator vectors
// and logs in with its password: the login succeeds exactly where
// Kratos's Compare matches.
func TestImportedHashFormats(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	for i, v := range kratosCompare {
		t.Run(v.name, func(t *testing.T) {
			c := *c
			c.t = t
			email := fmt.Sprintf("h%d@example.com", i)
			body, _ := json.Marshal(map[string]any{"schema_id": "default", "traits": map[string]any{"email": email},
				"credentials": map[string]any{"password": map[string]any{"config": map[string]any{"hashed_password": v.hash}}}})
			c.create(string(body))
			pw := v.password
			if pw == "" {
				pw = "x" // a login needs a password; the hash matches none
			}
			want := 400
			if v.match {
				want = 200
			}
			assert.Equal(t, want, c.login(email, pw).status)
		})
	}
}

// TestImportRefusesUnknownFormats: a hashed_password must start with a
// prefix Kratos knows; argon2d, a bare digest and crypt(3)'s own "$1$"
// are not among them.
func TestImportRefusesUnknownFormats(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	for _, h := range []string{"$argon2d$v=19$m=64,t=2,p=2$c29tZXNhbHQ$aOJGLJi4vGu2DsaNtBiuLJ7ST8Z0ikDp", "5f4dcc3b5aa765d61d8327deb882cf99",
		"$1$TVEiiKNb$SN6/pUaRQS/E8Jh46As2C/", "$pbkdf2$i=1,l=32$c2FsdA$AAAA", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="} {
		body, _ := json.Marshal(map[string]any{"schema_id": "default", "traits": map[string]any{},
			"credentials": map[string]any{"password": map[string]any{"config": map[string]any{"hashed_password": h}}}})
		r := c.do("POST", "/admin/identities", string(body))
		require.Equal(t, 400, r.status, h)
		assert.Equal(t, "The imported password does not match any known hash format. For more information see https://www.ory.sh/dr/2", r.err()["reason"], h)
	}
}

// TestImportedHashRehashedAtLogin: after the first login with an imported
// hash of another kind, Kratos keeps a bcrypt hash of the password, the
// configured hasher's; and it does so before it looks at the account's
// state, so an inactive identity's right password re-hashes too.
func TestImportedHashRehashedAtLogin(t *testing.T) {
	c := newClient(t, kratostest.Options{})
	hashOf := func(id string) string {
		g := c.do("GET", "/admin/identities/"+id+"?include_credential=password", "")
		return g.obj()["credentials"].(map[string]any)["password"].(map[string]any)["config"].(map[string]any)["hashed_password"].(string)
	}
	const md5 = "$md5$CY9rzUYh03PK3k6DJie09g=="
	id := c.create(`{"schema_id":"default","state":"inactive","traits":{"email":"r@example.com"},"credentials":{"password":{"config":{"hashed_password":"` + md5 + `"}}}}`)["id"].(string)
	assert.Equal(t, 400, c.login("r@example.com", "wrong").status)
	assert.Equal(t, md5, hashOf(id), "a wrong password changes nothing")
	assert.Equal(t, 401, c.login("r@example.com", "test").status, "the account is disabled")
	assert.Regexp(t, `^\$2a\$04\$`, hashOf(id), "the right password re-hashed it")
	c.do("PATCH", "/admin/identities/"+id, `[{"op":"replace","path":"/state","value":"active"}]`)
	assert.Equal(t, 200, c.login("r@example.com", "test").status)
}
