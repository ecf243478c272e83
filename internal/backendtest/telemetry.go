package backendtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/oteltest"
	"github.com/idport/identity/internal/secrettest"
)

// telemetryCarriesNoSecrets runs a user's life traced and metered, for
// each credential: spans and metrics name the operations and route
// templates, and hold no credential, email, password or user id; a
// credential exchanged for tokens shows one token fetch.
func telemetryCarriesNoSecrets(t *testing.T, b *Backend) {
	for _, cred := range b.Credentials {
		t.Run(cred.Name, func(t *testing.T) {
			c := secrettest.New(t)
			sec := c.Make("secret")
			b.canaries(c, cred, sec)
			s := start(t, b, siteOptions{outer: []func(http.Handler) http.Handler{c.Middleware}, schema: true, secret: sec, canaries: c})
			rec := oteltest.New(t)
			dir, err := b.Open(context.Background(), s.config(cred.Name, identity.HTTPOptions{
				Logger: c.Logger(), RetryBaseDelay: time.Millisecond, DirectoryOptions: rec.Options()}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = dir.Close() })
			id := oteltest.Flow(t, dir, c)
			rec.Check(t, c, id, true)
			if n := len(rec.Named("token")); cred.TokenPath != "" && n != 1 {
				t.Errorf("want one token fetch span, got %d:\n%s", n, rec.Dump(t))
			}
		})
	}
}
