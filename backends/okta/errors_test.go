package okta

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/backendtest"
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

// body is an Okta error body with code and one errorCauses entry for
// each cause.
func body(code string, causes ...string) string {
	b := map[string]any{"errorCode": code, "errorSummary": "summary of " + code, "errorLink": code, "errorId": "oaeXYZ"}
	var cs []map[string]string
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	b["errorCauses"] = cs
	out, _ := json.Marshal(b)
	return string(out)
}

// TestErrorTable checks every row of the table at the status Okta
// publishes for it (a code Okta does not publish fails), the causes the
// decoder reads a field or another code from, and bodies it does not
// know; every error it decodes is retryable as its code says, and keeps
// the summary and causes in its message.
func TestErrorTable(t *testing.T) {
	pub := published(t)
	var rows []backendtest.ErrorRow
	for pc, want := range codes {
		status, ok := pub[pc]
		assert.True(t, ok, "%s is not in Okta's published error codes", pc)
		rows = append(rows, backendtest.ErrorRow{Status: status, Code: pc, Want: want})
	}
	for _, c := range []struct {
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
	} {
		rows = append(rows, backendtest.ErrorRow{Status: c.status, Code: c.code, Body: body(c.code, c.cause), Want: c.want, Field: c.field})
	}
	rows = append(rows,
		// Not Okta's bodies: the HTTP layer falls back to the status.
		backendtest.ErrorRow{Status: 500, Body: `not json`},
		backendtest.ErrorRow{Status: 404, Body: `{}`},
		// A code the table lacks: by status.
		backendtest.ErrorRow{Status: 418, Code: "E9999999", Body: `{"errorCode":"E9999999","errorSummary":"new"}`, Want: identity.Internal},
		backendtest.ErrorRow{Status: 503, Code: "E9999999", Body: `{"errorCode":"E9999999"}`, Want: identity.Unavailable},
		backendtest.ErrorRow{Status: 409, Code: "E9999999", Body: `{"errorCode":"E9999999"}`, Want: identity.AlreadyExists},
	)
	d := backendtest.DecodeErrors{Decode: decodeError, Codes: codes, Body: func(code string) string { return body(code) }}
	backendtest.ErrorTable(t, d, rows, func(t *testing.T, r backendtest.ErrorRow, e *identity.Error) {
		assert.Equal(t, retryable[r.Code], e.Retryable)
		var b struct {
			Summary string `json:"errorSummary"`
			Causes  []struct {
				Summary string `json:"errorSummary"`
			} `json:"errorCauses"`
		}
		sent := r.Body
		if sent == "" {
			sent = body(r.Code)
		}
		require.NoError(t, json.Unmarshal([]byte(sent), &b))
		assert.Contains(t, e.Message, b.Summary)
		for _, c := range b.Causes {
			assert.Contains(t, e.Message, c.Summary)
		}
	})
}
