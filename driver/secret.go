package driver

import (
	"fmt"
	"log/slog"
)

// Secret holds a password or other credential. It never shows its value
// when formatted with any verb, logged with log/slog, or marshalled to
// JSON; convert it with string(s) at the one place the value is needed.
type Secret string

const redacted = "[REDACTED]"

// String returns a fixed placeholder, never the value.
func (s Secret) String() string { return redacted }

// GoString returns a fixed placeholder, never the value.
func (s Secret) GoString() string { return redacted }

// Format writes a fixed placeholder for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue keeps the value out of log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes the placeholder, so a Secret inside a logged or
// serialized struct does not leak.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText writes the placeholder.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
