package logtotest

import "testing"

// BenchmarkHashPlain measures what a password set in plain costs the
// emulator: passhash.New's light Argon2i parameters, the default, and
// Logto's own (Options.LogtoArgon2).
func BenchmarkHashPlain(b *testing.B) {
	for name, opts := range map[string]Options{"light": {}, "Logto": {LogtoArgon2: true}} {
		b.Run(name, func(b *testing.B) {
			e := New(opts)
			for b.Loop() {
				e.hashPlain("correct horse battery staple")
			}
		})
	}
}
