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
	rows := backendtest.Rows(map[identity.Code][]string{
		identity.InvalidArgument:    {"400 invalid_request"},
		identity.FailedPrecondition: {"400 custom_provider_required"},
		identity.Unauthenticated:    {"401 invalid_access_token", "401 invalid_nonce"},
		identity.PermissionDenied:   {"403 operation_not_allowed", "403 cannot_delete_admin"}, // the second by status: not in the table
		identity.NotFound:           {"404 user_not_found"},
		identity.Unavailable:        {"500 internal_server_error"},
	})
	backendtest.ErrorTable(t, d, append(rows,
		backendtest.ErrorRow{Status: 404, Code: "app_not_found", Want: identity.InvalidArgument, Field: "AppID"},
		backendtest.ErrorRow{Status: 404, Code: "device_not_found", Want: identity.NotFound, Field: "factor"},
		backendtest.ErrorRow{Status: 404, Code: "metadata_field_not_found", Want: identity.InvalidArgument, Field: "Metadata.plan"},
		backendtest.ErrorRow{Status: 502, Body: "<html>bad gateway</html>"},
	), nil)
}
