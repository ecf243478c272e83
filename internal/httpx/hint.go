package httpx

import (
	"errors"

	"github.com/idport/identity/driver"
)

// CredentialHint adds to the message of err, when it is a refusal of the
// backend's credentials, what to check: unauthenticated for
// Unauthenticated, denied for PermissionDenied; an empty hint adds
// nothing. Any other error is returned as it is. A backend's Ping uses it,
// since saying what to check at start-up is what Ping is for.
func CredentialHint(err error, unauthenticated, denied string) error {
	var e *driver.Error
	if !errors.As(err, &e) {
		return err
	}
	hint := ""
	switch e.Code {
	case driver.Unauthenticated:
		hint = unauthenticated
	case driver.PermissionDenied:
		hint = denied
	}
	if hint != "" {
		if e.Message == "" {
			e.Message = hint
		} else {
			e.Message += "; " + hint
		}
	}
	return err
}
