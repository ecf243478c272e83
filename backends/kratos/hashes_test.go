package kratos_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
	"github.com/idport/identity/passhash"
	"github.com/idport/identity/passhash/passhashtest"
)

// stdHex is hex as padded base64, the encoding of Kratos's scrypt and
// digests.
func stdHex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func vector(name string) passhashtest.Vector {
	for _, v := range passhashtest.Vectors {
		if v.Name == name {
			return v
		}
	}
	panic("no vector " + name)
}

// storedHash reads the identity's hashed_password through the typed
// client.
func storedHash(t *testing.T, dir *identity.Directory, id string) string {
	t.Helper()
	var c *kratos.Client
	require.True(t, dir.As(&c))
	var out struct {
		Credentials struct {
			Password struct {
				Config struct {
					HashedPassword string `json:"hashed_password"`
				} `json:"config"`
			} `json:"password"`
		} `json:"credentials"`
	}
	require.NoError(t, c.Do(context.Background(), "GET", "/admin/identities/"+id+"?include_credential=password", nil, &out))
	return out.Credentials.Password.Config.HashedPassword
}

// TestHashesSentInKratosForm checks the hashed_password CreateUser sends
// for the algorithms whose form differs from passhash's, written out by
// hand from Kratos's decoders, and that the export gives passhash's
// encoding back.
func TestHashesSentInKratosForm(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, kratos.Options{}, kratostest.Options{})
	for i, tc := range []struct {
		vector, want string
	}{
		{"scrypt RFC 7914", "$scrypt$ln=1024,r=8,p=16$TmFDbA==$" + stdHex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")},
		{"sha256 salt prefix", "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$c2FsdA==$" + stdHex("13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322")},
		{"sha256 salt suffix", "$sha256$pf=e1BBU1NXT1JEfXtTQUxUfQ==$c2FsdA==$" + stdHex("7a37b85c8918eac19a9089c0fa5a2ab4dce3f90528dcdeec108b23ddf3607b99")},
		{"sha256", "$sha256$pf=e1BBU1NXT1JEfQ==$$" + stdHex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")},
		{"md5", "$md5$" + stdHex("5f4dcc3b5aa765d61d8327deb882cf99")},
		{"argon2id reference", vector("argon2id reference").Encoded},
		{"pbkdf2-sha512", vector("pbkdf2-sha512").Encoded},
		{"firebase scrypt", vector("firebase scrypt").Encoded},
	} {
		t.Run(tc.vector, func(t *testing.T) {
			v := vector(tc.vector)
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("h%d@example.com", i), PasswordHash: identity.PasswordHash(v.Encoded)})
			require.NoError(t, err)
			assert.Equal(t, tc.want, storedHash(t, dir, u.ID))
			exp, err := dir.PasswordHash(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, v.Encoded, string(exp), "the export is the hash imported")
			require.NoError(t, dir.VerifyPassword(ctx, u.ID, identity.Secret(v.Password)))
		})
	}
}

// TestExportedFromKratosForms stores hashes in Kratos's own forms,
// several from Kratos's comparator tests (hash/hasher_test.go, v1.3.1),
// and reads them back in passhash's encoding, or Unsupported where
// passhash has none.
func TestExportedFromKratosForms(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, kratos.Options{}, kratostest.Options{})
	var c *kratos.Client
	require.True(t, dir.As(&c))
	for i, tc := range []struct {
		name, stored string
		want         string // "": Unsupported
		password     string
	}{
		{"scrypt, ln is N", "$scrypt$ln=16384,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=",
			"$scrypt$ln=14,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE", "test"},
		{"sha1 salt first", "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ=",
			"$sha1$o=prefix$NW9wbWtnejAzcg$2qU2SGWP8viTM1md3FiI3+rjWXQ", "test"},
		{"sha256 salt first", "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$0gfRVLCvtBCk20udLDEY5vNhujWx7RGjwRIS1ebMsLY=",
			"$sha256$o=prefix$NW9wbWtnejAzcg$0gfRVLCvtBCk20udLDEY5vNhujWx7RGjwRIS1ebMsLY", "test"},
		{"sha1 another template", "$sha1$pf=e1BBU1NXT1JEfSUle1NBTFR9$NW9wbWtnejAzcg==$YX0AW8/MW5ojUlnzTaR43ucHCog=", "", ""},
		{"SSHA", "{SSHA}JFZFs0oHzxbMwkSJmYVeI8MnTDy/276a", "$sha1$o=suffix$v9u+mg$JFZFs0oHzxbMwkSJmYVeI8MnTDw", "test123"},
		{"SSHA256", "{SSHA256}czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMlx/7IK", "$sha256$o=suffix$cf+yCg$czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMk", "test123"},
		{"md5", "$md5$CY9rzUYh03PK3k6DJie09g==", "$md5$CY9rzUYh03PK3k6DJie09g", "test"},
		{"md5 salted", "$md5$pf=e1NBTFR9e1BBU1NXT1JEfQ==$MTIz$q+RdKCgc+ipCAcm5ChQwlQ==", "$md5$o=prefix$MTIz$q+RdKCgc+ipCAcm5ChQwlQ", "test"},
		{"pbkdf2, l ignored", "$pbkdf2-sha256$i=100000,l=99$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI",
			"$pbkdf2-sha256$i=100000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI", "test"},
		{"bcrypt", "$2a$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6", "$2a$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6", "test"},
		{"argon2i", "$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c",
			"$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c", "test"},
		{"bcrypt 2z", "$2z$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6", "", ""},
		{"pbkdf2-sha384", "$pbkdf2-sha384$i=1,l=32$c2FsdA$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI", "", ""},
		{"hmac-md5", "$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=$MTIzNDU=", "", ""},
		{"md5-crypt", "$md5-crypt$TVEiiKNb$SN6/pUaRQS/E8Jh46As2C/", "", ""},
		{"scrypt N not a power of two", "$scrypt$ln=16385,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out struct {
				ID string `json:"id"`
			}
			body := map[string]any{"schema_id": "default", "traits": map[string]any{"email": fmt.Sprintf("k%d@example.com", i)},
				"credentials": map[string]any{"password": map[string]any{"config": map[string]any{"hashed_password": tc.stored}}}}
			require.NoError(t, c.Do(ctx, "POST", "/admin/identities", body, &out))
			got, err := dir.PasswordHash(ctx, out.ID)
			if tc.want == "" {
				requireUnexportable(t, err, tc.stored)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
			h, err := passhash.Parse(string(got))
			require.NoError(t, err)
			assert.True(t, h.Verify(tc.password), "the export verifies with the password Kratos takes")
			require.NoError(t, dir.VerifyPassword(ctx, out.ID, identity.Secret(tc.password)), "and Kratos takes it")
		})
	}
}

// requireUnexportable checks err is Unsupported naming PasswordHash,
// without the hash's salt, value or parameters in any form.
func requireUnexportable(t *testing.T, err error, stored string) {
	t.Helper()
	require.ErrorIs(t, err, identity.ErrUnsupported)
	var ie *identity.Error
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "PasswordHash", ie.Field)
	for _, form := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		// The first field is the format's name, which the error names.
		for i, f := range strings.Split(strings.TrimPrefix(stored, "$"), "$") {
			if i > 0 && len(f) >= 8 {
				assert.NotContains(t, form, f, "the error shows part of the hash")
			}
		}
	}
}

func TestExportWithoutPasswordOrWithMigrationHook(t *testing.T) {
	ctx := context.Background()
	dir, _ := emulated(t, kratos.Options{}, kratostest.Options{})
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "nopw@example.com"})
	require.NoError(t, err)
	got, err := dir.PasswordHash(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, got)

	var c *kratos.Client
	require.True(t, dir.As(&c))
	var out struct {
		ID string `json:"id"`
	}
	require.NoError(t, c.Do(ctx, "POST", "/admin/identities", map[string]any{"schema_id": "default", "traits": map[string]any{"email": "hook@example.com"},
		"credentials": map[string]any{"password": map[string]any{"config": map[string]any{"use_password_migration_hook": true}}}}, &out))
	_, err = dir.PasswordHash(ctx, out.ID)
	requireUnexportable(t, err, "")
	assert.Contains(t, err.Error(), "migration hook")
}

// TestArgon2dUnsupported: Kratos has no argon2d, and the import is
// refused before any request.
func TestArgon2dUnsupported(t *testing.T) {
	ctx := context.Background()
	dir, srv := emulated(t, kratos.Options{}, kratostest.Options{})
	_, err := dir.CreateUser(ctx, identity.NewUser{Email: "d@example.com", PasswordHash: identity.PasswordHash(vector("argon2d reference").Encoded)})
	require.ErrorIs(t, err, identity.ErrUnsupported)
	assert.Contains(t, err.Error(), "argon2d")
	assert.Zero(t, srv.UserCount())
}
