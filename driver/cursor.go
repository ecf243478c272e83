package driver

import (
	"encoding/base64"
	"strings"
)

// EncodeCursor makes an opaque page cursor of payload: prefix, then
// payload in unpadded URL-safe base64. A prefix of the backend's own
// ("ok1.") tells its cursors apart from another backend's and from an
// older format of its own.
func EncodeCursor(prefix string, payload []byte) string {
	return prefix + base64.RawURLEncoding.EncodeToString(payload)
}

// DecodeCursor returns the payload of a cursor EncodeCursor made with
// prefix, and false for anything else: another prefix, or what follows
// it not being base64. An empty payload is false too, since no backend's
// next page is nowhere.
func DecodeCursor(prefix, cursor string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(cursor, prefix)
	if !ok {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	return b, err == nil && len(b) > 0
}

// ForeignCursorError is what ListUsers returns for a cursor the backend did
// not make: InvalidArgument naming the cursor.
func ForeignCursorError() *Error {
	return InvalidArgumentError("cursor", "cursor was not made by this backend")
}

// PageSize is the page size a backend asks its provider for: requested,
// or def when requested is 0, and at most max.
func PageSize(requested, def, max int) int {
	if requested <= 0 {
		requested = def
	}
	return min(requested, max)
}
