package httpx_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

func TestCredentialHint(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string // the message afterwards; "" for an error left alone
	}{
		{"unauthenticated", &driver.Error{Code: driver.Unauthenticated, Message: "token refused"}, "token refused; check the token"},
		{"wrapped", fmt.Errorf("ping: %w", &driver.Error{Code: driver.PermissionDenied, Message: "forbidden"}), "forbidden; may not read users"},
		{"no message", &driver.Error{Code: driver.Unauthenticated}, "check the token"},
		{"another code", &driver.Error{Code: driver.Unavailable, Message: "down"}, "down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := httpx.CredentialHint(tc.err, "check the token", "may not read users")
			var e *driver.Error
			assert.True(t, errors.As(err, &e))
			assert.Equal(t, tc.want, e.Message)
		})
	}
	plain := errors.New("not an *Error")
	assert.Same(t, plain, httpx.CredentialHint(plain, "a", "b"))
	assert.NoError(t, httpx.CredentialHint(nil, "a", "b"))
}
