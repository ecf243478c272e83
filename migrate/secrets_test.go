package migrate_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/migrate"
)

// printed is every way a value can be printed.
func printed(vs ...any) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%v %+v %#v %s %q\n", v, v, v, v, v)
	}
	return b.String()
}

// TestNoSecretShows: a password hash, and Firebase's signer key, never
// appear in an error, a Result's reason, a Loss, the journal, or any
// printed form of a value of this package; only the exported file holds
// the hashes, on purpose.
func TestNoSecretShows(t *testing.T) {
	src := newMemory(t)
	populate(t, src)
	var hashes []string
	for u, err := range src.ListUsers(bg, identity.ListOptions{}) {
		require.NoError(t, err)
		h, err := src.PasswordHash(bg, u.ID)
		require.NoError(t, err)
		if h != "" {
			hashes = append(hashes, string(h))
		}
	}
	require.NotEmpty(t, hashes)
	malformed := "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$SECRETSECRETSECRET!!"
	hashes = append(hashes, malformed)
	check := func(t *testing.T, what, s string) {
		t.Helper()
		for _, h := range hashes {
			assert.NotContains(t, s, h, what)
			// The hash's value alone, without its parameters.
			assert.NotContains(t, s, h[strings.LastIndexByte(h, '$')+1:], what)
		}
	}

	// Into a destination that imports no hashes, with a journal.
	_, dst := newFaulty(t, newMemory(t), func(c *identity.Capabilities) { c.PasswordHashes = nil })
	journal := journalPath(t)
	var recs []*migrate.Record
	for r, err := range migrate.FromDirectory(src).Records(bg) {
		require.NoError(t, err)
		recs = append(recs, r)
	}
	recs = append(recs, &migrate.Record{ID: "bad", Email: "bad@example.com", PasswordHash: identity.PasswordHash(malformed)})
	check(t, "records", printed(recs[0], *recs[0], recs))
	rep, err := migrate.CopyFrom(bg, migrate.FromRecords(recs...), dst, migrate.Options{Journal: journal})
	require.NoError(t, err)
	assert.Contains(t, lossFields(rep, "bad"), "PasswordHash")
	check(t, "report", printed(rep, *rep, rep.Results, rep.Losses))
	j, err := os.ReadFile(journal)
	require.NoError(t, err)
	check(t, "journal", string(j))

	// Into one that imports them, where the malformed one is refused.
	rep, err = migrate.CopyFrom(bg, migrate.FromRecords(recs[len(recs)-1]), newMemory(t), migrate.Options{})
	require.NoError(t, err)
	check(t, "report", printed(rep))

	// A file whose hash has the wrong type, and one cut short in it.
	for _, file := range []string{
		header + "\n" + `{"id":"u1","status":"active","password_hash":{"v":"` + hashes[0] + `"}}`,
		header + "\n" + `{"id":"u1","status":"active","password_hash":"` + hashes[0],
	} {
		for _, err := range migrate.NewReader(strings.NewReader(file)).Records(bg) {
			if err != nil {
				check(t, "reader error", printed(err, err.Error()))
			}
		}
	}

	// Auth0's hmac key and the hashes of losses.
	for _, r := range readAll(t, migrate.FromAuth0(open(t, "auth0-import.json"))) {
		s := printed(r, r.Losses)
		assert.NotContains(t, s, "cg7f42jH39/2EaAU4wNd4s2lKIk=")
		assert.NotContains(t, s, "736868")
		assert.NotContains(t, s, "AbuUujgF0pPPkJPSFRTpmA==")
	}

	// Firebase's project parameters.
	key := base64.StdEncoding.EncodeToString(firebaseParams.SignerKey)
	s := printed(firebaseParams, &firebaseParams)
	assert.NotContains(t, s, key)
	assert.NotContains(t, s, fmt.Sprint(firebaseParams.SignerKey[:4]))
	assert.Contains(t, s, "Rounds:8")
	for _, r := range readAll(t, migrate.FromFirebase(open(t, "firebase-export.json"), firebaseParams)) {
		s := printed(r)
		assert.NotContains(t, s, key)
		assert.NotContains(t, s, "lSrfV15cpx95")
	}
}
