package oktatest_test

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hexB64 is hex as the standard base64 Okta's hash fields take.
func hexB64(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

var saltB64 = base64.StdEncoding.EncodeToString([]byte("salt"))

// hashedUser is a create body importing hash for login.
func hashedUser(login string, hash map[string]any) map[string]any {
	b := newUser(login, "")
	b["credentials"] = map[string]any{"password": map[string]any{"hash": hash}}
	return b
}

// authn signs login in and returns the status of the answer.
func (c *client) authn(login, pw string) int {
	c.t.Helper()
	return c.with("").do("POST", "/api/v1/authn", map[string]any{"username": login, "password": pw}).status
}

// TestImportedHashSignsIn creates users with each hash Okta imports and
// checks that the password it was made from signs in, another does not,
// and that the user is ACTIVE with a password, however weak the
// password (the policy cannot apply to a hash).
func TestImportedHashSignsIn(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	for i, tc := range []struct {
		name     string
		hash     map[string]any
		password string
	}{
		// OpenBSD's vector, as Okta's support article splits one.
		{"bcrypt", map[string]any{"algorithm": "BCRYPT", "workFactor": 5, "salt": "CCCCCCCCCCCCCCCCCCCCC.", "value": "E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}, "U*U"},
		{"sha1", map[string]any{"algorithm": "SHA-1", "value": hexB64("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")}, "password"},
		{"sha256 prefix", map[string]any{"algorithm": "SHA-256", "salt": saltB64, "saltOrder": "PREFIX",
			"value": hexB64("13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322")}, "password"},
		{"sha256 postfix", map[string]any{"algorithm": "SHA-256", "salt": saltB64, "saltOrder": "POSTFIX",
			"value": hexB64("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99")}, "password"},
		// Okta's support article's own example: SHA-512 of password+salt.
		{"sha512 article", map[string]any{"algorithm": "SHA-512", "saltOrder": "POSTFIX", "salt": "JipHQUgqQU8qQUwpQUYjUChBSEcjQQ==",
			"value": "Zz6KwLGDm7ospSipwpDmxAjBWHKPLgGh1roGzI267h6txr/ihTI/R4K2eYrpyc0R24qCSF6DRqNl110vZZtj4A=="}, "s3cr3tp@ssw0rd"},
		{"md5", map[string]any{"algorithm": "MD5", "value": hexB64("5f4dcc3b5aa765d61d8327deb882cf99")}, "password"},
		{"pbkdf2 sha256", map[string]any{"algorithm": "PBKDF2", "digestAlgorithm": "SHA256_HMAC", "iterationCount": 4096, "keySize": 32,
			"salt": saltB64, "value": hexB64("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")}, "password"},
		{"pbkdf2 sha512", map[string]any{"algorithm": "PBKDF2", "digestAlgorithm": "SHA512_HMAC", "iterationCount": 4096, "keySize": 64,
			"salt": saltB64, "value": hexB64("d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5")}, "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			login := "h" + strconv.Itoa(i) + "@example.com"
			r := c.do("POST", "/api/v1/users?activate=true", hashedUser(login, tc.hash))
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, "ACTIVE", r.obj()["status"], "a hash is a password")
			assert.Equal(t, map[string]any{}, r.obj()["credentials"].(map[string]any)["password"], "shown as Okta shows a password")
			assert.NotContains(t, string(r.raw), tc.hash["value"], "the hash is never shown")
			assert.Equal(t, 401, c.authn(login, tc.password+"x"))
			assert.Equal(t, 200, c.authn(login, tc.password))
		})
	}
}

// TestImportedHashLifecycle: a STAGED user imported with a hash signs in
// once activated; an update imports a hash only into a STAGED user;
// deactivation deletes an imported password as any other; and
// change_password checks the old password against the hash.
func TestImportedHashLifecycle(t *testing.T) {
	c := newClient(t, oktatest.Options{})
	md5 := map[string]any{"algorithm": "MD5", "value": hexB64("5f4dcc3b5aa765d61d8327deb882cf99")}

	r := c.do("POST", "/api/v1/users?activate=false", hashedUser("staged@example.com", md5))
	require.Equal(t, 200, r.status, string(r.raw))
	id := r.obj()["id"].(string)
	assert.Equal(t, "STAGED", c.status(id))
	assert.Equal(t, 401, c.authn("staged@example.com", "password"), "a STAGED user cannot sign in")
	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+id+"/lifecycle/activate?sendEmail=false", nil).status)
	assert.Equal(t, "ACTIVE", c.status(id), "activated with a password")
	assert.Equal(t, 200, c.authn("staged@example.com", "password"))

	r = c.do("POST", "/api/v1/users/"+id, map[string]any{"credentials": map[string]any{"password": map[string]any{"hash": md5}}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "E0000001", r.code())
	assert.Equal(t, []string{"password: An imported password may only be specified for a user with status: STAGED"}, r.causes())

	other := c.create("later@example.com", "", false)
	r = c.do("POST", "/api/v1/users/"+other, map[string]any{"credentials": map[string]any{"password": map[string]any{"hash": md5}}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "STAGED", c.status(other), "still STAGED")
	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+other+"/lifecycle/activate?sendEmail=false", nil).status)
	assert.Equal(t, 200, c.authn("later@example.com", "password"))

	r = c.do("POST", "/api/v1/users/"+other+"/credentials/change_password", map[string]any{
		"oldPassword": map[string]any{"value": "wrong"}, "newPassword": map[string]any{"value": "Str0ngPassw0rd"}})
	assert.Equal(t, 403, r.status, "the old password is checked against the hash")
	r = c.do("POST", "/api/v1/users/"+other+"/credentials/change_password", map[string]any{
		"oldPassword": map[string]any{"value": "password"}, "newPassword": map[string]any{"value": "Str0ngPassw0rd"}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, 401, c.authn("later@example.com", "password"))
	assert.Equal(t, 200, c.authn("later@example.com", "Str0ngPassw0rd"))

	require.Equal(t, 200, c.do("POST", "/api/v1/users/"+id+"/lifecycle/deactivate", nil).status)
	r = c.do("GET", "/api/v1/users/"+id, nil)
	assert.NotContains(t, r.obj()["credentials"], "password", "deactivation deletes the imported password")
}

// TestImportedHashRefused checks the hash objects the document's rules
// refuse: 400 E0000001 naming password, or E0000003 for an algorithm
// outside the enum; nothing is created. Some break the document itself,
// so the emulator is unchecked.
func TestImportedHashRefused(t *testing.T) {
	c := newRawClient(t, oktatest.Options{})
	sha := hexB64("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")
	pbkdf2 := func(k string, v any) map[string]any {
		h := map[string]any{"algorithm": "PBKDF2", "digestAlgorithm": "SHA256_HMAC", "iterationCount": 4096, "keySize": 32,
			"salt": saltB64, "value": hexB64("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")}
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	bcrypt := func(k string, v any) map[string]any {
		h := map[string]any{"algorithm": "BCRYPT", "workFactor": 5, "salt": "CCCCCCCCCCCCCCCCCCCCC.", "value": "E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	for name, tc := range map[string]struct {
		hash map[string]any
		code string
	}{
		"no algorithm":            {map[string]any{"value": sha}, "E0000001"},
		"unknown algorithm":       {map[string]any{"algorithm": "ARGON2", "value": sha}, "E0000003"},
		"no value":                {map[string]any{"algorithm": "SHA-1"}, "E0000001"},
		"value not base64":        {map[string]any{"algorithm": "SHA-1", "value": "!!!!"}, "E0000001"},
		"value of another digest": {map[string]any{"algorithm": "SHA-256", "value": sha}, "E0000001"},
		"salt not base64":         {map[string]any{"algorithm": "SHA-1", "value": sha, "salt": "!!", "saltOrder": "PREFIX"}, "E0000001"},
		"salt without order":      {map[string]any{"algorithm": "SHA-1", "value": sha, "salt": saltB64}, "E0000001"},
		"unknown salt order":      {map[string]any{"algorithm": "SHA-1", "value": sha, "salt": saltB64, "saltOrder": "MIDDLE"}, "E0000001"},
		"bcrypt salt of 21":       {bcrypt("salt", "CCCCCCCCCCCCCCCCCCCCC"), "E0000001"},
		"bcrypt value of 30":      {bcrypt("value", "E5YPO9kmyuRGyh0XouQYb4YMJKvyOe"), "E0000001"},
		"bcrypt no work factor":   {bcrypt("workFactor", nil), "E0000001"},
		"bcrypt work factor 21":   {bcrypt("workFactor", 21), "E0000001"},
		"bcrypt not radix-64":     {bcrypt("salt", "CCCCCCCCCCCCCCCCCCCCC+"), "E0000001"},
		"pbkdf2 no digest":        {pbkdf2("digestAlgorithm", nil), "E0000001"},
		"pbkdf2 SHA1_HMAC":        {pbkdf2("digestAlgorithm", "SHA1_HMAC"), "E0000003"},
		"pbkdf2 1000 iterations":  {pbkdf2("iterationCount", 1000), "E0000001"},
		"pbkdf2 no salt":          {pbkdf2("salt", nil), "E0000001"},
		"pbkdf2 key size":         {pbkdf2("keySize", 20), "E0000001"},
		"iterations not a number": {pbkdf2("iterationCount", "4096"), "E0000003"},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.do("POST", "/api/v1/users?activate=true", hashedUser("r@example.com", tc.hash))
			assert.Equal(t, 400, r.status, string(r.raw))
			assert.Equal(t, tc.code, r.code(), string(r.raw))
			if tc.code == "E0000001" {
				assert.Equal(t, "Api validation failed: password", r.obj()["errorSummary"])
			}
		})
	}
	both := newUser("both@example.com", "Str0ngPassw0rd")
	both["credentials"].(map[string]any)["password"].(map[string]any)["hash"] = map[string]any{"algorithm": "SHA-1", "value": sha}
	r := c.do("POST", "/api/v1/users", both)
	assert.Equal(t, 400, r.status, "a value and a hash")
	assert.Equal(t, "E0000001", r.code())
	assert.Zero(t, c.srv.UserCount(), "nothing was created")
}
