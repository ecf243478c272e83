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
	rows := backendtest.Rows(map[identity.Code][]string{
		identity.NotFound: {"404 entity.not_found", "404 entity.not_exists_with_id", "404 entity.not_exists",
			"422 entity.relation_foreign_key_not_found"},
		identity.AlreadyExists:      {"422 role.name_in_use", "422 entity.unique_integrity_violation"},
		identity.InvalidArgument:    {"422 entity.db_constraint_violated", "422 entity.invalid_input", "400 guard.invalid_input", "400 guard.invalid_pagination", "400 request.invalid_input"},
		identity.FailedPrecondition: {"400 user.cannot_delete_self", "422 organization.require_membership"},
		identity.InvalidCredentials: {"422 session.invalid_credentials"},
		identity.Unauthenticated: {"401 auth.authorization_header_missing", "401 auth.authorization_token_type_not_supported", "401 auth.unauthorized",
			"400 oidc.invalid_target"},
		identity.PermissionDenied: {"403 auth.forbidden"},
		identity.RateLimited:      {"429 koa.too_many_requests"}, // not in the table: by status
	})
	backendtest.ErrorTable(t, d, append(rows,
		backendtest.ErrorRow{Status: 422, Code: "user.username_already_in_use", Want: identity.AlreadyExists, Field: "Username"},
		backendtest.ErrorRow{Status: 422, Code: "user.email_already_in_use", Want: identity.AlreadyExists, Field: "Email"},
		backendtest.ErrorRow{Status: 422, Code: "user.phone_already_in_use", Want: identity.AlreadyExists, Field: "Phone"},
		backendtest.ErrorRow{Status: 422, Code: "user.invalid_role_type", Want: identity.InvalidArgument, Field: "role"},
		backendtest.ErrorRow{Status: 400, Code: "user.password_and_digest", Want: identity.InvalidArgument, Field: "PasswordHash"},
		backendtest.ErrorRow{Status: 400, Code: "user.password_algorithm_required", Want: identity.InvalidArgument, Field: "PasswordHash"},
		backendtest.ErrorRow{Status: 400, Code: "password.unsupported_encryption_method", Want: identity.InvalidArgument, Field: "PasswordHash"},
		backendtest.ErrorRow{Status: 400, Code: "password.invalid_legacy_password_format", Want: identity.InvalidArgument, Field: "PasswordHash"},
		backendtest.ErrorRow{Status: 400, Code: "password.unsupported_legacy_hash_algorithm", Want: identity.InvalidArgument, Field: "PasswordHash"},
		backendtest.ErrorRow{Status: 422, Code: "organization.role_names_not_found", Want: identity.NotFound, Field: "role"},
		// A missing MFA verification is 404 entity.not_found, the code of a
		// missing user too (SEMANTICS.md 5.1.7): the row leaves Field empty,
		// and DeleteFactor names it (see TestFactorErrors).
		backendtest.ErrorRow{Status: 404, Code: "entity.not_found", Want: identity.NotFound},
		backendtest.ErrorRow{Status: 404, Code: "user.identity_not_exist", Want: identity.NotFound, Field: "identity"},
		backendtest.ErrorRow{Status: 422, Code: "user.identity_already_in_use", Want: identity.AlreadyExists, Field: "identity"},
		backendtest.ErrorRow{Status: 422, Code: "user.totp_already_in_use", Want: identity.AlreadyExists, Field: "factor"},
		backendtest.ErrorRow{Status: 422, Code: "user.backup_code_already_in_use", Want: identity.AlreadyExists, Field: "factor"},
		backendtest.ErrorRow{Status: 422, Code: "user.totp_secret_invalid", Want: identity.InvalidArgument, Field: "factor"},
		backendtest.ErrorRow{Status: 422, Code: "user.wrong_backup_code_format", Want: identity.InvalidArgument, Field: "factor"},
		backendtest.ErrorRow{Status: 422, Code: "session.mfa.backup_code_can_not_be_alone", Want: identity.FailedPrecondition, Field: "factor"},
		backendtest.ErrorRow{Status: 422, Code: "user.personal_access_token_name_exists", Want: identity.AlreadyExists},
		backendtest.ErrorRow{Status: 500, Body: `{"message":"Internal server error."}`},
	), func(t *testing.T, r backendtest.ErrorRow, e *identity.Error) {
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
