package identity

import (
	"log/slog"
	"net/http"
	"time"
)

// HTTPOptions are the transport settings of every backend that talks to
// its provider over HTTP; each such backend's Options embeds them:
//
//	dir, err := okta.New(ctx, okta.Options{
//		OrgURL:      "https://dev-1.okta.com",
//		APIToken:    token,
//		HTTPOptions: identity.HTTPOptions{Timeout: 10 * time.Second},
//	})
//
// The zero value is the defaults. Whatever the settings, TLS certificates
// are verified, redirects are not followed, and no credential reaches a
// log line or an error.
type HTTPOptions struct {
	// HTTPClient is the client requests, token requests included, go
	// through; nil means one over http.DefaultTransport. It is not
	// changed: its redirect policy is wrapped, never replaced.
	HTTPClient *http.Client
	// Timeout bounds each HTTP attempt, token requests included; 0 means
	// 30 seconds.
	Timeout time.Duration
	// MaxAttempts bounds how many times one HTTP call is tried, and how
	// many times a create whose outcome a fault left open is sent (each
	// followed by a lookup); 0 means 4.
	MaxAttempts int
	// RetryBaseDelay is the first backoff between attempts, doubled at
	// each retry and jittered; 0 means 100 ms.
	RetryBaseDelay time.Duration
	// Logger gets one debug line per HTTP attempt (method, path, status,
	// duration, request id), never a credential or a body.
	Logger *slog.Logger
	// AllowInsecureHTTP permits plain http to a host that is not a
	// loopback address. A URL's insecure_http=true sets it.
	AllowInsecureHTTP bool
	// DirectoryOptions are the portable layer's settings: listing ahead,
	// and the OpenTelemetry providers, which get a span and metrics for
	// each HTTP attempt too (see package httpx's documentation in
	// docs/BACKENDS.md).
	DirectoryOptions
}
