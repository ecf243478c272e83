package kratos

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// APIError is a Kratos error, decoded: the ProviderError of every error a
// response of Kratos's made, reached with errors.As:
//
//	var body *kratos.APIError
//	if errors.As(err, &body) && body.ID == "session_inactive" { ... }
//
// Kratos answers errors in two shapes: the admin API's
// {"error": {"code", "status", "id", "reason", "message", "details"}},
// and, for a self-service flow it refuses (a wrong password, say), the
// flow itself, whose messages are in ui.messages and on its nodes; then
// MessageID is the first such message's id, such as 4000006. Any
// credential the request carried that a server echoed into the body is
// "[REDACTED]" in it.
type APIError struct {
	// Code is the HTTP status the body repeats.
	Code int `json:"code"`
	// Status is the status's text, such as "Not Found".
	Status string `json:"status"`
	// ID is Kratos's error id, such as "session_inactive"; most errors
	// have none.
	ID string `json:"id,omitempty"`
	// Reason is what went wrong in detail, such as the JSON Schema
	// validation that failed.
	Reason string `json:"reason,omitempty"`
	// Message is what went wrong, in English.
	Message string `json:"message"`
	// Details are the error's details, such as the identity_id of a
	// disabled account.
	Details map[string]any `json:"details,omitempty"`
	// MessageID and MessageText are a refused flow's first message,
	// such as 4000006 "The provided credentials are invalid, ...".
	MessageID   int    `json:"message_id,omitempty"`
	MessageText string `json:"message_text,omitempty"`
}

// Error returns the status, the message and the reason, such as "kratos
// 404: Unable to locate the resource". As an identity.Error's
// ProviderCode, an error is its ID, or the status when it has none, and
// a refused flow its MessageID.
func (e *APIError) Error() string {
	s := "kratos " + strconv.Itoa(e.Code) + ": " + e.Message
	if e.MessageID != 0 {
		s = "kratos " + strconv.Itoa(e.Code) + ": " + strconv.Itoa(e.MessageID) + " " + e.MessageText
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// flowMessage is a message of a self-service flow's UI.
type flowMessage struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
	Type string `json:"type"`
}

// errorBody is either shape Kratos answers errors in.
type errorBody struct {
	Error *APIError `json:"error"`
	UI    *struct {
		Messages []flowMessage `json:"messages"`
		Nodes    []struct {
			Messages []flowMessage `json:"messages"`
		} `json:"nodes"`
	} `json:"ui"`
}

// msgInvalidCredentials is the flow message id of a wrong identifier or
// password (https://www.ory.sh/docs/kratos/concepts/ui-messages).
const msgInvalidCredentials = 4000006

// errorIDs maps the Kratos error ids the backend can meet to portable
// codes; ids not listed fall back to the HTTP status.
var errorIDs = map[string]identity.Code{
	"session_inactive":                      identity.Unauthenticated,
	"session_aal2_required":                 identity.FailedPrecondition,
	"security_csrf_violation":               identity.InvalidArgument,
	"self_service_flow_expired":             identity.FailedPrecondition,
	"self_service_flow_return_to_forbidden": identity.InvalidArgument,
}

// decodeError reads either of Kratos's error shapes.
func decodeError(status int, _ http.Header, body []byte) *identity.Error {
	var b errorBody
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	switch {
	case b.Error != nil && (b.Error.Message != "" || b.Error.Reason != ""):
		a := b.Error
		if a.Code == 0 {
			a.Code = status
		}
		// Most Kratos errors have no id; the status the body repeats is
		// then their code.
		pc := a.ID
		if pc == "" {
			pc = strconv.Itoa(a.Code)
		}
		e := &identity.Error{Code: httpx.GenericError(status), ProviderCode: pc, Message: a.Message, ProviderError: a}
		if c, ok := errorIDs[a.ID]; ok && a.ID != "" {
			e.Code = c
		}
		switch {
		case a.Reason == "":
		case e.Message == "" || strings.HasPrefix(a.Reason, a.Message):
			// A reason that starts with the message says it all
			// ("The request could not be authorized: the API key ...").
			e.Message = a.Reason
		default:
			e.Message += ": " + a.Reason
		}
		switch {
		case status == http.StatusBadRequest:
			if m := reasonPath.FindStringSubmatch(a.Reason); m != nil {
				e.Field = m[1] // a trait path; the directory names its field
			}
		case status == http.StatusUnauthorized && a.Details["identity_id"] != nil:
			// A login of a disabled account: the credentials were right.
			e.Code = identity.FailedPrecondition
		}
		return e
	case b.UI != nil:
		msgs := b.UI.Messages
		for _, n := range b.UI.Nodes {
			msgs = append(msgs, n.Messages...)
		}
		a := &APIError{Code: status, Status: http.StatusText(status)}
		for _, m := range msgs {
			if m.Type == "error" {
				a.MessageID, a.MessageText = m.ID, m.Text
				break
			}
		}
		if a.MessageID == 0 {
			return nil // a flow that says nothing: the status decides
		}
		e := &identity.Error{Code: httpx.GenericError(status), ProviderCode: strconv.Itoa(a.MessageID), Message: a.MessageText, ProviderError: a}
		if a.MessageID == msgInvalidCredentials {
			e.Code, e.Message = identity.InvalidCredentials, "the password does not match"
		}
		return e
	}
	return nil
}

// reasonPath finds the instance path a JSON Schema validation failure
// names, such as "I[#/traits/email]".
var reasonPath = regexp.MustCompile(`I\[#/((?:traits|metadata_public|metadata_admin|state|schema_id)[^\]\s]*)\]`)
