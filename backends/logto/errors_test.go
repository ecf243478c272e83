package logto

import (
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
)

func TestErrorTable(t *testing.T) {
	rows := []struct {
		status int
		code   string
		want   identity.Code
		field  string
	}{
		{404, "entity.not_found", identity.NotFound, ""},
		{404, "entity.not_exists_with_id", identity.NotFound, ""},
		{422, "user.username_already_in_use", identity.AlreadyExists, "Username"},
		{422, "user.email_already_in_use", identity.AlreadyExists, "Email"},
		{422, "user.phone_already_in_use", identity.AlreadyExists, "Phone"},
		{422, "role.name_in_use", identity.AlreadyExists, ""},
		{400, "guard.invalid_input", identity.InvalidArgument, ""},
		{400, "guard.invalid_pagination", identity.InvalidArgument, ""},
		{400, "request.invalid_input", identity.InvalidArgument, ""},
		{422, "user.invalid_role_type", identity.InvalidArgument, "role"},
		{400, "user.password_and_digest", identity.InvalidArgument, ""},
		{400, "user.password_algorithm_required", identity.InvalidArgument, ""},
		{400, "user.cannot_delete_self", identity.FailedPrecondition, ""},
		{422, "session.invalid_credentials", identity.InvalidCredentials, ""},
		{401, "auth.authorization_header_missing", identity.Unauthenticated, ""},
		{401, "auth.authorization_token_type_not_supported", identity.Unauthenticated, ""},
		{401, "auth.unauthorized", identity.Unauthenticated, ""},
		{403, "auth.forbidden", identity.PermissionDenied, ""},
		{400, "oidc.invalid_target", identity.Unauthenticated, ""},
		{429, "koa.too_many_requests", identity.RateLimited, ""}, // not in the table: by status
	}
	for _, r := range rows {
		t.Run(r.code, func(t *testing.T) {
			e := decodeError(r.status, http.Header{}, []byte(`{"code":"`+r.code+`","message":"m","details":"d"}`))
			if assert.NotNil(t, e) {
				assert.Equal(t, r.want, e.Code)
				assert.Equal(t, r.code, e.ProviderCode)
				assert.Equal(t, r.field, e.Field)
				assert.Equal(t, "m d", e.Message)
			}
		})
	}
	for code := range codes {
		found := false
		for _, r := range rows {
			found = found || r.code == code
		}
		assert.True(t, found, "table row %s has no test", code)
	}
	assert.Nil(t, decodeError(500, nil, []byte(`{"message":"Internal server error."}`)), "a body without a code falls back to the status")
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
