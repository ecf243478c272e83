package passage

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
		{400, "invalid_request", identity.InvalidArgument, ""},
		{400, "custom_provider_required", identity.FailedPrecondition, ""},
		{401, "invalid_access_token", identity.Unauthenticated, ""},
		{401, "invalid_nonce", identity.Unauthenticated, ""},
		{403, "operation_not_allowed", identity.PermissionDenied, ""},
		{404, "user_not_found", identity.NotFound, ""},
		{404, "device_not_found", identity.NotFound, ""},
		{404, "app_not_found", identity.InvalidArgument, "AppID"},
		{404, "metadata_field_not_found", identity.InvalidArgument, "Metadata.plan"},
		{500, "internal_server_error", identity.Unavailable, ""},
		{403, "cannot_delete_admin", identity.PermissionDenied, ""}, // not in the table: by status
	}
	for _, r := range rows {
		t.Run(r.code, func(t *testing.T) {
			e := decodeError(r.status, http.Header{}, []byte(`{"code":"`+r.code+`","error":"metadata field \"plan\" not found"}`))
			if assert.NotNil(t, e) {
				assert.Equal(t, r.want, e.Code)
				assert.Equal(t, r.code, e.ProviderCode)
				if r.field != "" {
					assert.Equal(t, r.field, e.Field)
				}
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
	assert.Nil(t, decodeError(502, nil, []byte("<html>bad gateway</html>")), "a body that is not Passage's falls back to the status")
}
