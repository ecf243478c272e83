package okta

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// published reads Okta's error-code list, vendored with its provenance in
// internal/openapicheck/testdata.
func published(t *testing.T) map[string]int {
	t.Helper()
	data, err := os.ReadFile("../../internal/openapicheck/testdata/okta-error-codes.json")
	require.NoError(t, err)
	var doc struct {
		Errors []struct {
			ErrorCode  string `json:"errorCode"`
			StatusCode int    `json:"statusCode"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	out := map[string]int{}
	for _, e := range doc.Errors {
		out[e.ErrorCode] = e.StatusCode
	}
	require.NotEmpty(t, out)
	return out
}

func body(code string, causes ...string) []byte {
	b := map[string]any{"errorCode": code, "errorSummary": "summary of " + code, "errorLink": code, "errorId": "oaeXYZ"}
	var cs []map[string]string
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	b["errorCauses"] = cs
	out, _ := json.Marshal(b)
	return out
}

// TestErrorTable checks every row of the table: the code is one Okta
// publishes, and a body with it decodes to the row's portable code.
func TestErrorTable(t *testing.T) {
	pub := published(t)
	for pc, want := range codes {
		t.Run(pc, func(t *testing.T) {
			status, ok := pub[pc]
			require.True(t, ok, "%s is not in Okta's published error codes", pc)
			e := decodeError(status, nil, body(pc))
			require.NotNil(t, e)
			assert.Equal(t, want, e.Code)
			assert.Equal(t, pc, e.ProviderCode)
			assert.Equal(t, retryable[pc], e.Retryable)
			assert.Contains(t, e.Message, "summary of "+pc)
		})
	}
}

func TestErrorCauses(t *testing.T) {
	cases := []struct {
		code   string
		status int
		cause  string
		want   identity.Code
		field  string
	}{
		{"E0000001", 400, "login: An object with this field already exists in the current organization", identity.AlreadyExists, "Username"},
		{"E0000001", 400, "name: An object with this field already exists in the current organization", identity.AlreadyExists, "Role"},
		{"E0000001", 400, "email: Does not match required pattern", identity.InvalidArgument, "Email"},
		{"E0000001", 400, "firstName: The field cannot be left blank", identity.InvalidArgument, "GivenName"},
		{"E0000001", 400, "lastName: The field cannot be left blank", identity.InvalidArgument, "FamilyName"},
		{"E0000001", 400, "mobilePhone: Does not match required pattern", identity.InvalidArgument, "Phone"},
		{"E0000001", 400, "password: Password requirements were not met.", identity.InvalidArgument, "Password"},
		{"E0000001", 400, "costCenter: Property value is not a valid type", identity.InvalidArgument, "Metadata.costCenter"},
		{"E0000014", 403, "oldPassword: The credentials provided were incorrect.", identity.InvalidCredentials, "Password"},
		{"E0000014", 403, "password: Password requirements were not met.", identity.FailedPrecondition, "Password"},
		{"E0000001", 400, "Password requirements: at least 8 characters", identity.InvalidArgument, ""},
	}
	for _, c := range cases {
		t.Run(c.cause, func(t *testing.T) {
			e := decodeError(c.status, nil, body(c.code, c.cause))
			require.NotNil(t, e)
			assert.Equal(t, c.want, e.Code)
			assert.Equal(t, c.field, e.Field)
			assert.Contains(t, e.Message, c.cause)
		})
	}
}

func TestErrorFallbacks(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   *identity.Code
	}{
		{500, `not json`, nil},
		{404, `{}`, nil},
		{418, `{"errorCode":"E9999999","errorSummary":"new"}`, ptr(identity.Internal)},
		{503, `{"errorCode":"E9999999"}`, ptr(identity.Unavailable)},
		{409, `{"errorCode":"E9999999"}`, ptr(identity.AlreadyExists)},
	} {
		t.Run(fmt.Sprint(c.status, c.body), func(t *testing.T) {
			e := decodeError(c.status, nil, []byte(c.body))
			if c.want == nil {
				assert.Nil(t, e, "no Okta body: the HTTP layer falls back to the status")
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, *c.want, e.Code)
		})
	}
}

func ptr[T any](v T) *T { return &v }
