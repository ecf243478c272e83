package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// A server or proxy that echoes the request's Authorization header into
// its error body must not get the credential into the error, even through
// a provider decoder that copies the body's message.
func TestEchoedCredentialIsRedacted(t *testing.T) {
	const key, token = "echo-canary-static-key", "echo-canary-access-token"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"code":%q,"message":"refused %s"}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	copyBody := func(status int, _ http.Header, body []byte) *identity.Error {
		return &identity.Error{Code: GenericError(status), Message: string(body), ProviderCode: string(body), Field: string(body)}
	}
	for name, cfg := range map[string]Config{
		"static": {AuthHeader: "Bearer " + key},
		"token":  {TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)})},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Backend, cfg.BaseURL, cfg.HTTPClient = "test", srv.URL, srv.Client()
			cfg.DecodeError, cfg.RequestIDHeader = copyBody, "X-Request-Id"
			c, err := New(cfg)
			require.NoError(t, err)
			_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"})
			var ie *identity.Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, identity.PermissionDenied, ie.Code)
			assert.Contains(t, ie.Message, "[REDACTED]", "the rest of the message is kept")
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", ie)} {
				assert.NotContains(t, s, key)
				assert.NotContains(t, s, token)
			}
		})
	}
}

// Only a well-formed OAuth error code is kept from a failed token fetch:
// the error field of a hostile answer could carry anything.
func TestTokenErrorKeepsOnlyOAuthCodes(t *testing.T) {
	for code, keep := range map[string]bool{
		"invalid_client":          true,
		"invalid_target":          true,
		"":                        false,
		"Basic bTJtOnNlY3JldA==":  false,
		"Bearer eyJhbGciOi.x.y":   false,
		"invalid client":          false,
		"invalid_client\nX-Evil:": false,
	} {
		err := tokenError(&oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: code})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.Unauthenticated, ie.Code, code)
		if keep {
			assert.Equal(t, code, ie.ProviderCode)
		} else {
			assert.Empty(t, ie.ProviderCode, code)
		}
	}
}
