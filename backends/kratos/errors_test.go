package kratos

import (
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/backendtest"
)

// TestErrorTable checks every error id of the table, with a body whose
// reason names the email trait, which only a 400 takes as the field; the
// statuses Kratos answers without an id; a disabled account's login; a
// refused login flow; and bodies that are not Kratos's.
func TestErrorTable(t *testing.T) {
	d := backendtest.DecodeErrors{Decode: decodeError, Codes: errorIDs, Body: errorWithID}
	rows := backendtest.Rows(map[identity.Code][]string{
		identity.Unauthenticated:    {"401 session_inactive"},
		identity.FailedPrecondition: {"403 session_aal2_required", "410 self_service_flow_expired"},
		identity.InvalidArgument:    {"403 security_csrf_violation"},
	})
	notFound := `{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`
	backendtest.ErrorTable(t, d, append(rows,
		backendtest.ErrorRow{Status: 400, Code: "self_service_flow_return_to_forbidden", Want: identity.InvalidArgument, Field: "traits/email"},
		backendtest.ErrorRow{Status: 404, Code: "404", Body: notFound, Want: identity.NotFound, Message: "Unable to locate the resource"},
		backendtest.ErrorRow{Status: 409, Code: "409", Body: `{"error":{"code":409,"status":"Conflict","reason":"This identity conflicts with another identity that already exists.","message":"The resource could not be created due to a conflict"}}`,
			Want: identity.AlreadyExists, Message: "conflicts with another identity"},
		backendtest.ErrorRow{Status: 400, Code: "400", Body: `{"error":{"code":400,"status":"Bad Request","reason":"I[#/metadata_public/plan] S[#/x] bad","message":"m"}}`,
			Want: identity.InvalidArgument, Field: "metadata_public/plan"},
		backendtest.ErrorRow{Status: 400, Code: "400", Body: `{"error":{"code":400,"status":"Bad Request","reason":"The supplied state ('bogus') was not valid. Valid states are ('active', 'inactive').","message":"identity state is not valid"}}`,
			Want: identity.InvalidArgument, Message: "not valid"},
		backendtest.ErrorRow{Status: 401, Code: "401", Body: `{"error":{"code":401,"status":"Unauthorized","reason":"This account was disabled.","details":{"identity_id":"x"},"message":"identity is disabled"}}`,
			Want: identity.FailedPrecondition, Message: "disabled"},
		backendtest.ErrorRow{Status: 401, Code: "401", Body: `{"error":{"code":401,"status":"Unauthorized","message":"The request could not be authorized"}}`,
			Want: identity.Unauthenticated},
		// Ory Network's refusal of an API key repeats its message in
		// the reason: said once.
		backendtest.ErrorRow{Status: 401, Code: "401", Body: `{"error":{"code":401,"status":"Unauthorized","reason":"The request could not be authorized: the API key is missing or invalid.","message":"The request could not be authorized"}}`,
			Want: identity.Unauthenticated, Message: "The request could not be authorized: the API key is missing or invalid."},
		backendtest.ErrorRow{Status: 400, Code: "4000006", Body: `{"id":"f","ui":{"messages":[{"id":4000006,"text":"The provided credentials are invalid","type":"error"}],"nodes":[]}}`,
			Want: identity.InvalidCredentials},
		backendtest.ErrorRow{Status: 400, Code: "4000002", Body: `{"id":"f","ui":{"messages":[],"nodes":[{"messages":[{"id":4000002,"text":"Property password is missing.","type":"error"}]}]}}`,
			Want: identity.InvalidArgument, Message: "missing"},
		// A credential the identity lacks, and the recovery link of a
		// missing identity, which ResetPassword turns into NotFound.
		backendtest.ErrorRow{Status: 404, Code: "404", Body: `{"error":{"code":404,"status":"Not Found","reason":"You tried to remove a totp but this user have no totp set up.","message":"The requested resource could not be found"}}`,
			Want: identity.NotFound, Message: "no totp set up"},
		backendtest.ErrorRow{Status: 400, Code: "400", Body: `{"error":{"code":400,"status":"Bad Request","reason":"You cannot remove first factor credentials.","message":"The request was malformed or contained invalid parameters"}}`,
			Want: identity.InvalidArgument, Message: "first factor"},
		backendtest.ErrorRow{Status: 400, Code: "400", Body: `{"error":{"code":400,"status":"Bad Request","reason":"The requested identity id does not exist.","message":"The request was malformed or contained invalid parameters"}}`,
			Want: identity.InvalidArgument, Message: "identity id does not exist"},
		backendtest.ErrorRow{Status: 502, Body: "<html>bad gateway</html>"},
		backendtest.ErrorRow{Status: 404, Body: "404 page not found"},
		backendtest.ErrorRow{Status: 400, Body: `{"id":"f","ui":{"messages":[],"nodes":[]}}`},
	), nil)
}

// TestReasonRepeatingTheMessage: a reason that starts with the message
// is the message alone, not both one after the other.
func TestReasonRepeatingTheMessage(t *testing.T) {
	e := decodeError(401, nil, []byte(`{"error":{"code":401,"status":"Unauthorized","reason":"The request could not be authorized: the API key is missing or invalid.","message":"The request could not be authorized"}}`))
	if e == nil || e.Message != "The request could not be authorized: the API key is missing or invalid." {
		t.Errorf("decodeError: %v", e)
	}
	e = decodeError(409, nil, []byte(`{"error":{"code":409,"status":"Conflict","reason":"This identity conflicts with another identity that already exists.","message":"The resource could not be created due to a conflict"}}`))
	if e == nil || e.Message != "The resource could not be created due to a conflict: This identity conflicts with another identity that already exists." {
		t.Errorf("decodeError: %v", e)
	}
}
