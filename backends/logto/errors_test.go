package logto

import (
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/backendtest"
	"github.com/stretchr/testify/assert"
)

// TestErrorTable checks every code of the table, one Logto answers by
// status alone, and a body without a code.
func TestErrorTable(t *testing.T) {
	d := backendtest.DecodeErrors{Decode: decodeError, Codes: codes,
		Body: func(code string) string { return `{"code":"` + code + `","message":"m","details":"d"}` }}
	backendtest.ErrorTable(t, d, []backendtest.ErrorRow{
		{Status: 404, Code: "entity.not_found", Want: identity.NotFound},
		{Status: 404, Code: "entity.not_exists_with_id", Want: identity.NotFound},
		{Status: 422, Code: "user.username_already_in_use", Want: identity.AlreadyExists, Field: "Username"},
		{Status: 422, Code: "user.email_already_in_use", Want: identity.AlreadyExists, Field: "Email"},
		{Status: 422, Code: "user.phone_already_in_use", Want: identity.AlreadyExists, Field: "Phone"},
		{Status: 422, Code: "role.name_in_use", Want: identity.AlreadyExists},
		{Status: 400, Code: "guard.invalid_input", Want: identity.InvalidArgument},
		{Status: 400, Code: "guard.invalid_pagination", Want: identity.InvalidArgument},
		{Status: 400, Code: "request.invalid_input", Want: identity.InvalidArgument},
		{Status: 422, Code: "user.invalid_role_type", Want: identity.InvalidArgument, Field: "role"},
		{Status: 400, Code: "user.password_and_digest", Want: identity.InvalidArgument},
		{Status: 400, Code: "user.password_algorithm_required", Want: identity.InvalidArgument},
		{Status: 400, Code: "user.cannot_delete_self", Want: identity.FailedPrecondition},
		{Status: 422, Code: "session.invalid_credentials", Want: identity.InvalidCredentials},
		{Status: 401, Code: "auth.authorization_header_missing", Want: identity.Unauthenticated},
		{Status: 401, Code: "auth.authorization_token_type_not_supported", Want: identity.Unauthenticated},
		{Status: 401, Code: "auth.unauthorized", Want: identity.Unauthenticated},
		{Status: 403, Code: "auth.forbidden", Want: identity.PermissionDenied},
		{Status: 400, Code: "oidc.invalid_target", Want: identity.Unauthenticated},
		{Status: 429, Code: "koa.too_many_requests", Want: identity.RateLimited}, // not in the table: by status
		{Status: 500, Body: `{"message":"Internal server error."}`},
	}, func(t *testing.T, r backendtest.ErrorRow, e *identity.Error) {
		assert.Equal(t, "m d", e.Message, "message and details")
	})
}

func TestDefaultResource(t *testing.T) {
	for endpoint, want := range map[string]string{
		"https://abc123.logto.app":    "https://abc123.logto.app/api",
		"https://auth.example.com":    OSSResource,
		"http://localhost:3001":       OSSResource,
		"https://x.y.logto.app":       OSSResource,
		"https://abc123.logto.app:44": "https://abc123.logto.app/api",
	} {
		d, err := newDirectory(Options{Endpoint: endpoint, AppID: "a", AppSecret: "s", HTTPOptions: identity.HTTPOptions{AllowInsecureHTTP: true}})
		if assert.NoError(t, err, endpoint) {
			assert.NotNil(t, d)
		}
		u, _ := parseURL(endpoint)
		assert.Equal(t, want, defaultResource(u), endpoint)
	}
}
