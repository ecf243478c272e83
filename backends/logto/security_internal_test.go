package logto

import (
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
)

// TestFactorKinds maps every type the document lists for
// mfa-verifications, and one it does not.
func TestFactorKinds(t *testing.T) {
	for typ, want := range map[string]identity.FactorKind{
		"Totp":                  identity.FactorTOTP,
		"WebAuthn":              identity.FactorWebAuthn,
		"BackupCode":            identity.FactorBackupCodes,
		"EmailVerificationCode": identity.FactorOther,
		"PhoneVerificationCode": identity.FactorOther,
		"":                      identity.FactorOther,
		"totp":                  identity.FactorOther, // Logto's words are case-sensitive
	} {
		assert.Equal(t, want, factorKind(typ), typ)
	}
}

func TestISOTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-11-30T01:01:26.638Z":      time.Date(2026, 11, 30, 1, 1, 26, 638e6, time.UTC),
		"2026-11-30T01:01:26Z":          time.Date(2026, 11, 30, 1, 1, 26, 0, time.UTC),
		"2026-11-30T02:01:26.638+01:00": time.Date(2026, 11, 30, 1, 1, 26, 638e6, time.UTC),
		"":                              {},
		"1796000488522":                 {}, // milliseconds, as users' times are: not this field's form
		"yesterday":                     {},
	} {
		assert.True(t, want.Equal(isoTime(in)), "%q: got %v", in, isoTime(in))
	}
}
