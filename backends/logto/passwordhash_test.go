package logto_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder keeps the bodies of the POST /api/users requests it passes on.
type recorder struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (rec *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/users" {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			rec.mu.Lock()
			rec.bodies = append(rec.bodies, m)
			rec.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (rec *recorder) last() map[string]any {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) == 0 {
		return nil
	}
	return rec.bodies[len(rec.bodies)-1]
}

// TestImportWire checks the body CreateUser sends for a hash, through
// the schema-checked emulator: passwordDigest and passwordAlgorithm, no
// password; and that the user then signs in with the password.
func TestImportWire(t *testing.T) {
	rec := &recorder{}
	check := openapicheck.Middleware(t, "logto", schemaOptions)
	srv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret",
		Middleware: func(h http.Handler) http.Handler { return rec.wrap(check(h)) }})
	ctx := context.Background()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret"})
	require.NoError(t, err)
	for i, tc := range []struct {
		vector, digest, method string
	}{
		{"sha1", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", "SHA1"},
		{"sha256 salt suffix", `["sha256",["@","salt"],"7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99"]`, "Legacy"},
		{"bcrypt OpenBSD 2a", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "Bcrypt"},
	} {
		var v passhashtest.Vector
		for _, x := range passhashtest.Vectors {
			if x.Name == tc.vector {
				v = x
			}
		}
		u, err := dir.CreateUser(ctx, identity.NewUser{Email: "w" + string(rune('a'+i)) + "@example.com", PasswordHash: identity.PasswordHash(v.Encoded)})
		require.NoError(t, err, tc.vector)
		body := rec.last()
		assert.Equal(t, tc.digest, body["passwordDigest"], tc.vector)
		assert.Equal(t, tc.method, body["passwordAlgorithm"], tc.vector)
		assert.NotContains(t, body, "password", tc.vector)
		assert.NotContains(t, string(u.Raw), "passwordDigest", "the created user holds no digest")
		require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(v.Password)), tc.vector)
		assert.ErrorIs(t, dir.VerifyPassword(ctx, u.ID, "not it"), identity.ErrInvalidCredentials, tc.vector)
	}
}

// TestImportUnsupportedSendsNothing refuses a hash of a declared
// algorithm that Logto cannot carry before any request.
func TestImportUnsupportedSendsNothing(t *testing.T) {
	dir, srv := emulated(t, logtotest.Options{})
	h, err := passhash.New(passhash.SHA256, "pw") // a random binary salt
	require.NoError(t, err)
	before := srv.Requests()["POST /api/users"]
	_, err = dir.CreateUser(context.Background(), identity.NewUser{Email: "u@example.com", PasswordHash: identity.PasswordHash(h.Encode())})
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.Unsupported, ie.Code)
	assert.Equal(t, "PasswordHash", ie.Field)
	assert.Equal(t, before, srv.Requests()["POST /api/users"])
	assert.Zero(t, srv.UserCount())
}

// TestExportPasswordHash reads hashes back: an import as imported, a
// plain password as Logto's Argon2i, and an import after its first
// sign-in as the Argon2i Logto migrated it to.
func TestExportPasswordHash(t *testing.T) {
	dir, _ := emulated(t, logtotest.Options{})
	ctx := context.Background()
	md5 := "$md5$" + passhashtest.B64Hex("5f4dcc3b5aa765d61d8327deb882cf99")
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "a@example.com", PasswordHash: identity.PasswordHash(md5)})
	require.NoError(t, err)
	got, err := dir.PasswordHash(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, md5, string(got), "as imported")

	require.NoError(t, dir.VerifyPassword(ctx, u.ID, "password"))
	got, err = dir.PasswordHash(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), "$argon2i$v=19$"), "migrated at the sign-in")
	ok, err := passhash.Verify(string(got), "password")
	require.NoError(t, err)
	assert.True(t, ok)

	none, err := dir.CreateUser(ctx, identity.NewUser{Email: "b@example.com"})
	require.NoError(t, err)
	got, err = dir.PasswordHash(ctx, none.ID)
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = dir.PasswordHash(ctx, "abc123def456")
	assert.ErrorIs(t, err, identity.ErrNotFound)
}

// TestExportWithoutIncludePasswordHash is a Logto that ignores the
// parameter, as 1.37 does: Unsupported for a user with a password, ""
// for one without, and Internal for an answer that is not a user.
func TestExportWithoutIncludePasswordHash(t *testing.T) {
	var answer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oidc/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
			return
		}
		assert.Equal(t, "true", r.URL.Query().Get("includePasswordHash"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	dir, err := logto.New(context.Background(), logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s", HTTPOptions: identity.HTTPOptions{AllowInsecureHTTP: true}})
	require.NoError(t, err)
	const user = `"id":"u1","primaryEmail":"a@example.com","customData":{},"profile":{},"createdAt":1,"updatedAt":2,"isSuspended":false`
	for _, tc := range []struct {
		name, body string
		want       identity.Code // Unknown: no error
		hash       string
	}{
		{"1.37 with a password", `{` + user + `,"hasPassword":true}`, identity.Unsupported, ""},
		{"1.37 without hasPassword", `{` + user + `}`, identity.Unsupported, ""},
		{"1.37 without a password", `{` + user + `,"hasPassword":false}`, identity.Unknown, ""},
		{"null digest", `{` + user + `,"hasPassword":false,"passwordDigest":null,"passwordAlgorithm":null}`, identity.Unknown, ""},
		{"digest", `{` + user + `,"passwordDigest":"5f4dcc3b5aa765d61d8327deb882cf99","passwordAlgorithm":"MD5"}`, identity.Unknown,
			"$md5$" + passhashtest.B64Hex("5f4dcc3b5aa765d61d8327deb882cf99")},
		{"unknown method", `{` + user + `,"passwordDigest":"x","passwordAlgorithm":"Scrypt"}`, identity.Unsupported, ""},
		{"digest not a string", `{` + user + `,"passwordDigest":1,"passwordAlgorithm":"MD5"}`, identity.Internal, ""},
		{"no id", `{"passwordDigest":null}`, identity.Internal, ""},
		// httpx's answer to a body that is not the JSON asked for.
		{"not an object", `[]`, identity.Unavailable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer = tc.body
			got, err := dir.PasswordHash(context.Background(), "u1")
			assert.Equal(t, tc.want, identity.CodeOf(err), "%v", err)
			if tc.want == identity.Unsupported {
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, "PasswordHash", ie.Field)
			}
			assert.Equal(t, tc.hash, string(got))
		})
	}
}
