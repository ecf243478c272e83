package httpx

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server that echoes the Authorization header into its request id
// header must not get the credential into the debug log, nor into an
// error's RequestID, whatever the answer: an error status, a 2xx that
// cannot be read, or a success.
func TestEchoedRequestIDIsRedacted(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNotFound} {
		for _, body := range []string{`{}`, `<html>portal</html>`} {
			t.Run(fmt.Sprint(status, body), func(t *testing.T) {
				var logs bytes.Buffer
				cl, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("X-Request-Id", "req-"+r.Header.Get("Authorization"))
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					fmt.Fprint(w, body)
				}, func(c *Config) {
					c.RequestIDHeader, c.MaxAttempts = "X-Request-Id", 1
					c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				})
				var out map[string]any
				_, err := cl.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x", Out: &out})
				require.Contains(t, logs.String(), "request_id=req-[REDACTED]", "the log keeps the rest of the id")
				assert.NotContains(t, logs.String(), canary)
				if err == nil {
					return
				}
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, "req-[REDACTED]", ie.RequestID)
				assert.NotContains(t, fmt.Sprintf("%+v %#v", err, ie), canary)
			})
		}
	}
}
