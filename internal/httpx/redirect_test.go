package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An https server that redirects to plain http on the same host name would
// get the credential sent in clear by Go's client; the client does not
// follow redirects at all.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var reached atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(secure.Close)
	hc := secure.Client()
	c, err := New(Config{Backend: "test", BaseURL: secure.URL, AuthHeader: "Bearer redirect-canary-key", HTTPOptions: identity.HTTPOptions{HTTPClient: hc}})
	require.NoError(t, err)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		_, err = c.Do(context.Background(), &Request{Method: method, Path: "/x", Body: map[string]string{"password": "p"}})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, method)
		assert.Equal(t, http.StatusTemporaryRedirect, ie.HTTPStatus, method)
		assert.Equal(t, identity.Internal, ie.Code, method)
	}
	assert.Zero(t, reached.Load(), "the redirect target was never asked")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is left as it was")
	assert.NotNil(t, NoRedirects(nil).CheckRedirect)
}
