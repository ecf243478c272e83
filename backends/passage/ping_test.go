package passage_test

import (
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/openapicheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPing: Ping lists one user of the app; a wrong key is
// Unauthenticated, and an app id Passage does not have is InvalidArgument
// naming AppID, the one option to fix.
func TestPing(t *testing.T) {
	ctx := t.Context()
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "ping-key", Middleware: openapicheck.Middleware(t, "passage", schemaOptions)})
	for _, c := range []struct {
		name, app, key string
		want           identity.Code
		provider       string
		field          string
		listed         int // the emulator counts no request it refused for the key or app
	}{
		{"right key", "app1", "ping-key", identity.Unknown, "", "", 1},
		{"wrong key", "app1", "not-the-key", identity.Unauthenticated, "invalid_access_token", "", 0},
		{"wrong app", "app2", "ping-key", identity.InvalidArgument, "app_not_found", "AppID", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, err := passage.New(ctx, passage.Options{AppID: c.app, APIKey: identity.Secret(c.key), BaseURL: srv.URL + "/v1",
				HTTPOptions: identity.HTTPOptions{MaxAttempts: 1}})
			require.NoError(t, err)
			before := srv.Requests()["GET /users"]
			err = dir.Ping(ctx)
			assert.Equal(t, c.want, identity.CodeOf(err), "%v", err)
			assert.Equal(t, c.listed, srv.Requests()["GET /users"]-before, "users listed")
			var e *identity.Error
			if err != nil && assert.ErrorAs(t, err, &e) {
				assert.Equal(t, "Ping", e.Op)
				if e.Code == identity.Unauthenticated {
					assert.Contains(t, e.Message, "; check ", "says what to check")
				}
				assert.Equal(t, c.provider, e.ProviderCode)
				assert.Equal(t, c.field, e.Field)
				assert.NotContains(t, err.Error(), c.key)
			}
		})
	}
}
