package passage

import (
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/backendtest"
)

// TestErrorTable checks every code of the table, with a body that names
// a metadata field, so that only the codes meant to take the field from
// it do; a code Passage answers by status alone; and a body that is not
// Passage's.
func TestErrorTable(t *testing.T) {
	d := backendtest.DecodeErrors{Decode: decodeError, Codes: codes,
		Body: func(code string) string { return `{"code":"` + code + `","error":"metadata field \"plan\" not found"}` }}
	backendtest.ErrorTable(t, d, []backendtest.ErrorRow{
		{Status: 400, Code: "invalid_request", Want: identity.InvalidArgument},
		{Status: 400, Code: "custom_provider_required", Want: identity.FailedPrecondition},
		{Status: 401, Code: "invalid_access_token", Want: identity.Unauthenticated},
		{Status: 401, Code: "invalid_nonce", Want: identity.Unauthenticated},
		{Status: 403, Code: "operation_not_allowed", Want: identity.PermissionDenied},
		{Status: 404, Code: "user_not_found", Want: identity.NotFound},
		{Status: 404, Code: "device_not_found", Want: identity.NotFound},
		{Status: 404, Code: "app_not_found", Want: identity.InvalidArgument, Field: "AppID"},
		{Status: 404, Code: "metadata_field_not_found", Want: identity.InvalidArgument, Field: "Metadata.plan"},
		{Status: 500, Code: "internal_server_error", Want: identity.Unavailable},
		{Status: 403, Code: "cannot_delete_admin", Want: identity.PermissionDenied}, // not in the table: by status
		{Status: 502, Body: "<html>bad gateway</html>"},
	}, nil)
}
