package migrate_test

import (
	"encoding/base64"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/migrate"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
)

func readAll(t *testing.T, src migrate.Source) []*migrate.Record {
	t.Helper()
	var out []*migrate.Record
	for r, err := range src.Records(bg) {
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func fieldsOf(ls []migrate.Loss) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Field)
	}
	slices.Sort(out)
	return out
}

// TestAuth0Import reads the bulk-import array: each custom_password_hash
// passhash has the algorithm of becomes a hash that verifies with the
// password it was made from; the others are losses naming why.
func TestAuth0Import(t *testing.T) {
	recs := readAll(t, migrate.FromAuth0(open(t, "auth0-import.json")))
	require.Len(t, recs, 13)
	byEmail := map[string]*migrate.Record{}
	for _, r := range recs {
		byEmail[r.Email] = r
	}

	velma := byEmail["velma@example.com"]
	assert.Equal(t, "legacy-1", velma.ID)
	assert.Equal(t, &migrate.Record{
		ID: "legacy-1", Email: "velma@example.com", EmailVerified: true, GivenName: "Velma", FamilyName: "Doe", DisplayName: "Velma Doe",
		Metadata: map[string]any{"nickname": "velma", "app_metadata": map[string]any{"plan": "pro"}, "user_metadata": map[string]any{"theme": "dark", "seats": 3.0}},
		Roles:    []string{"editor", "admin"}, PasswordHash: velma.PasswordHash,
	}, velma)
	assert.Equal(t, "#2", byEmail["edward@example.com"].ID, "a user without user_id is named by its place")
	assert.Equal(t, identity.StatusSuspended, byEmail["bea@example.com"].Status, "blocked")

	verifies := []struct{ email, password string }{
		{"velma@example.com", "U*U"},
		{"edward@example.com", "password"},
		{"cecil@example.com", "password"},
		{"mary@example.com", "password"},
		{"sal@example.com", "salted password"},
		{"mo@example.com", "password"},
		{"sean@example.com", "ldap password"},
		{"scott@example.com", "password"},
		{"bea@example.com", "U*U*"},
	}
	for _, v := range verifies {
		r := byEmail[v.email]
		require.NotEmpty(t, r.PasswordHash, v.email)
		assert.Empty(t, r.Losses, v.email)
		ok, err := passhash.Verify(string(r.PasswordHash), v.password)
		require.NoError(t, err, v.email)
		assert.True(t, ok, "%s's hash verifies", v.email)
		ok, _ = passhash.Verify(string(r.PasswordHash), v.password+"!")
		assert.False(t, ok)
	}
	for email, why := range map[string]string{
		"antoinette@example.com": "no MD4",
		"peter@example.com":      "no HMAC",
		"terrell@example.com":    `not "md4"`,
		"uma@example.com":        "utf16le",
	} {
		r := byEmail[email]
		assert.Empty(t, r.PasswordHash, email)
		require.Len(t, r.Losses, 1, email)
		assert.Equal(t, "PasswordHash", r.Losses[0].Field)
		assert.Contains(t, r.Losses[0].Reason, why)
		assert.Equal(t, r.ID, r.Losses[0].SourceID)
	}
}

// TestAuth0Export reads the export job's NDJSON: the fields, the times,
// the metadata, and a loss for each linked identity, verified phone,
// missing hash and unknown field.
func TestAuth0Export(t *testing.T) {
	recs := readAll(t, migrate.FromAuth0(open(t, "auth0-export.ndjson")))
	require.Len(t, recs, 3)
	ada, bob, grace := recs[0], recs[1], recs[2]
	assert.Equal(t, &migrate.Record{
		ID: "auth0|5f1a2b3c4d5e6f7a8b9c0d1e", Username: "ada", Email: "ada@example.com", EmailVerified: true,
		GivenName: "Ada", FamilyName: "Lovelace", DisplayName: "Ada Lovelace",
		Metadata: map[string]any{"nickname": "ada", "picture": "https://s.gravatar.com/avatar/ada.png",
			"user_metadata": map[string]any{"locale": "en-GB"}, "app_metadata": map[string]any{"tenant_id": 7.0}},
		Roles:     []string{"admin"},
		CreatedAt: time.Date(2021, 3, 4, 5, 6, 7, 890e6, time.UTC), LastSignInAt: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Losses: []migrate.Loss{{SourceID: "auth0|5f1a2b3c4d5e6f7a8b9c0d1e", Field: "PasswordHash",
			Reason: "Auth0's user export holds no password hashes: the password does not move (Auth0 support exports hashes on request, in a file whose passwordHash this reader takes)"}},
	}, ada)
	assert.Equal(t, identity.StatusSuspended, bob.Status)
	assert.Equal(t, "+14155550100", bob.Phone)
	assert.Equal(t, []string{"PasswordHash", "PhoneVerified"}, fieldsOf(bob.Losses))
	assert.Nil(t, bob.Roles, "Auth0 does not say")
	assert.Equal(t, []string{"Auth0.favourite_colour", "Identities.google-oauth2"}, fieldsOf(grace.Losses), "a social user has no password to lose")
}

// TestAuth0Errors: a line that is not an object, or a field of the wrong
// type, is an error naming the line and the field, never the value.
func TestAuth0Errors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		field    string
	}{
		{"not an object", `{"user_id":"a"}` + "\n" + `[1,2]` + "\n", 2, "user"},
		{"a field of the wrong type", `{"user_id":"a","email_verified":"SECRET-VALUE"}` + "\n", 1, "email_verified"},
		{"an array element", "[\n  {\"user_id\": \"a\"},\n  {\"user_id\": 7}\n]", 3, "user_id"},
		{"a broken array", "[\n  {\"user_id\": \"a\"},\n  {\"user_id\": ", 3, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			for _, e := range migrate.FromAuth0(strings.NewReader(tt.in)).Records(bg) {
				if e != nil {
					err = e
				}
			}
			var le *migrate.LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.line, le.Line, "%v", err)
			assert.ErrorIs(t, err, identity.ErrInvalidArgument)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.NotContains(t, err.Error(), "SECRET-VALUE")
		})
	}
}

var firebaseParams = func() migrate.FirebaseParams {
	key, _ := base64.StdEncoding.DecodeString("jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==")
	sep, _ := base64.StdEncoding.DecodeString("Bw==")
	return migrate.FirebaseParams{SignerKey: key, SaltSeparator: sep, Rounds: 8, MemCost: 14}
}()

// TestFirebase reads auth:export's JSON with the project's parameters:
// Firebase's published example verifies, and the rest of the user maps
// as documented.
func TestFirebase(t *testing.T) {
	recs := readAll(t, migrate.FromFirebase(open(t, "firebase-export.json"), firebaseParams))
	require.Len(t, recs, 3)
	one, grace, emu := recs[0], recs[1], recs[2]
	ok, err := passhash.Verify(string(one.PasswordHash), "user1password")
	require.NoError(t, err)
	assert.True(t, ok, "Firebase's own example verifies")
	for _, v := range passhashtest.Vectors {
		if v.Algorithm == passhash.FirebaseScrypt {
			assert.Equal(t, v.Encoded, string(one.PasswordHash), "the hash is passhashtest's vector of the same example")
		}
	}
	assert.Equal(t, &migrate.Record{
		ID: "Ruo3EEyr8GgYP4kfbMlw7ZiNS682", Email: "user1@example.com", EmailVerified: true, DisplayName: "User One",
		Metadata: map[string]any{"custom_claims": map[string]any{"tier": 2.0}}, Roles: []string{"admin"},
		PasswordHash: one.PasswordHash,
		CreatedAt:    time.UnixMilli(1486142468000).UTC(), LastSignInAt: time.UnixMilli(1486142470000).UTC(),
	}, one)
	assert.Equal(t, identity.StatusSuspended, grace.Status)
	assert.Equal(t, "+14155550101", grace.Phone)
	assert.Equal(t, map[string]any{"photo_url": "https://example.com/grace.png"}, grace.Metadata)
	assert.Equal(t, []string{"Identities.google.com"}, fieldsOf(grace.Losses))
	assert.Empty(t, emu.PasswordHash)
	assert.Equal(t, []string{"PasswordHash"}, fieldsOf(emu.Losses))
	assert.Contains(t, emu.Losses[0].Reason, "not base64")
}

// TestFirebaseParams: without parameters every password is a loss saying
// why; parameters given in part are refused before any user; wrong ones
// are caught where the hash cannot fit them.
func TestFirebaseParams(t *testing.T) {
	recs := readAll(t, migrate.FromFirebase(open(t, "firebase-export.json"), migrate.FirebaseParams{}))
	assert.Empty(t, recs[0].PasswordHash)
	require.Len(t, recs[0].Losses, 1)
	assert.Contains(t, recs[0].Losses[0].Reason, "password hash parameters")

	for _, e := range migrate.FromFirebase(open(t, "firebase-export.json"), migrate.FirebaseParams{Rounds: 8, MemCost: 14}).Records(bg) {
		assert.ErrorIs(t, e, identity.ErrInvalidArgument)
		break
	}

	short := firebaseParams
	short.SignerKey = short.SignerKey[:32]
	recs = readAll(t, migrate.FromFirebase(open(t, "firebase-export.json"), short))
	assert.Empty(t, recs[0].PasswordHash)
	assert.Contains(t, recs[0].Losses[0].Reason, "does not fit the parameters")
}

// TestFirebaseToMemory copies the Firebase export into memory, which
// imports Firebase's scrypt: the user signs in with its password.
func TestFirebaseToMemory(t *testing.T) {
	dst := newMemory(t)
	rep, err := migrate.CopyFrom(bg, migrate.FromFirebase(open(t, "firebase-export.json"), firebaseParams), dst, migrate.Options{})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Created, "%+v", rep.Results)
	u, err := dst.GetUserByEmail(bg, "user1@example.com")
	require.NoError(t, err)
	assert.NoError(t, dst.VerifyPassword(bg, u.ID, "user1password"))
	rs, err := dst.ListUserRoles(bg, u.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "admin", rs[0].Name)
	g, err := dst.GetUserByEmail(bg, "grace@example.com")
	require.NoError(t, err)
	assert.Equal(t, identity.StatusSuspended, g.Status)
	assert.Contains(t, lossFields(rep, "tZ8Hh1yqWiVw2P3mCk4oJeRb5nL7"), "Identities.google.com", "the reader's losses are in the report")
	assert.Contains(t, lossFields(rep, "tZ8Hh1yqWiVw2P3mCk4oJeRb5nL7"), "EmailVerified")
}

// TestAuth0ToMemory copies the bulk-import file into memory: every
// carried hash verifies there.
func TestAuth0ToMemory(t *testing.T) {
	dst := newMemory(t)
	rep, err := migrate.CopyFrom(bg, migrate.FromAuth0(open(t, "auth0-import.json")), dst, migrate.Options{})
	require.NoError(t, err)
	assert.Equal(t, 13, rep.Created, "%+v", rep.Results)
	u, err := dst.GetUserByEmail(bg, "sean@example.com")
	require.NoError(t, err)
	assert.NoError(t, dst.VerifyPassword(bg, u.ID, "ldap password"))
	u, err = dst.GetUserByEmail(bg, "velma@example.com")
	require.NoError(t, err)
	assert.NoError(t, dst.VerifyPassword(bg, u.ID, "U*U"))
	assert.Equal(t, map[string]any{"nickname": "velma", "app_metadata": map[string]any{"plan": "pro"}, "user_metadata": map[string]any{"theme": "dark", "seats": 3.0}}, u.Metadata)
}

// TestReadOnce: the stream readers read their stream once.
func TestReadOnce(t *testing.T) {
	for name, src := range map[string]migrate.Source{
		"NewReader":    migrate.NewReader(strings.NewReader(`{"format":"idport-identity-users","version":1}`)),
		"FromAuth0":    migrate.FromAuth0(strings.NewReader("")),
		"FromFirebase": migrate.FromFirebase(strings.NewReader(`{"users":[]}`), migrate.FirebaseParams{}),
	} {
		readAll(t, src)
		var err error
		for _, e := range src.Records(bg) {
			err = e
		}
		assert.ErrorIs(t, err, identity.ErrFailedPrecondition, name)
	}
}
