package backendtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ErrorRow is one case of a backend's error table test: an answer and
// the error it must decode to.
type ErrorRow struct {
	// Status is the answer's HTTP status.
	Status int
	// Code is the provider code the body carries.
	Code string
	// Body is the answer's body; "" means DecodeErrors.Body(Code).
	Body string
	// Want is the portable code; Unknown means the decoder gives nil, so
	// that the HTTP layer falls back to the status.
	Want identity.Code
	// Field is the field the error must name, "" for none.
	Field string
	// Message, if set, is text the error's message must hold.
	Message string
}

// Rows are the rows of answers without a field, grouped by the portable
// code they decode to: each answer is "STATUS code", the HTTP status and
// the provider code its body carries.
func Rows(want map[identity.Code][]string) []ErrorRow {
	var out []ErrorRow
	for code, answers := range want {
		for _, a := range answers {
			status, pc, ok := strings.Cut(a, " ")
			n, err := strconv.Atoi(status)
			if !ok || err != nil {
				panic("backendtest: an answer is \"STATUS code\", not " + strconv.Quote(a))
			}
			out = append(out, ErrorRow{Status: n, Code: pc, Want: code})
		}
	}
	return out
}

// ErrorTable decodes every row with d.Decode and checks the error's
// portable code, provider code, field and message, and check, if set,
// for what is the backend's own (retryability, say). Every code of d.Codes
// must have a row, so that a code added to the table is tested.
func ErrorTable(t *testing.T, d DecodeErrors, rows []ErrorRow, check func(t *testing.T, r ErrorRow, e *identity.Error)) {
	tested := map[string]bool{}
	for _, r := range rows {
		tested[r.Code] = true
		body := r.Body
		if body == "" {
			body = d.Body(r.Code)
		}
		t.Run(fmt.Sprintf("%d %s %s", r.Status, r.Code, r.Field), func(t *testing.T) {
			e := d.Decode(r.Status, http.Header{}, []byte(body))
			if r.Want == identity.Unknown {
				assert.Nil(t, e, "a body the decoder does not know falls back to the status")
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, r.Want, e.Code)
			assert.Equal(t, r.Code, e.ProviderCode)
			assert.Equal(t, r.Field, e.Field)
			assert.Contains(t, e.Message, r.Message)
			if check != nil {
				check(t, r, e)
			}
		})
	}
	for code := range d.Codes {
		assert.True(t, tested[code], "table row %s has no test", code)
	}
}
