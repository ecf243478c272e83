package faultinject

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo answers with what reached it, and counts the requests.
type echo struct{ n atomic.Int32 }

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.n.Add(1)
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Link", `</admin/identities?page_token=x>; rel="next"`)
	_, _ = io.WriteString(w, `{"method":"`+r.Method+`","path":"`+r.URL.EscapedPath()+`","query":"`+r.URL.RawQuery+
		`","host":"`+r.Host+`","auth":"`+r.Header.Get("Authorization")+`","body":`+string(body)+`}`)
}

func TestProxy(t *testing.T) {
	backend := &echo{}
	target := httptest.NewServer(backend)
	t.Cleanup(target.Close)
	f := New(Options{Script: []Fault{"", Status503, ResetAfter}})
	p, err := Proxy(target.URL+"/base", f)
	require.NoError(t, err)
	proxy := httptest.NewServer(p)
	t.Cleanup(proxy.Close)

	send := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPatch, proxy.URL+"/admin/identities/a%2Fb?x=1", strings.NewReader(`{"k":1}`))
		req.Header.Set("Authorization", "Bearer key")
		return http.DefaultClient.Do(req)
	}
	resp, err := send()
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"method":"PATCH","path":"/base/admin/identities/a%2Fb","query":"x=1","host":"`+strings.TrimPrefix(target.URL, "http://")+`","auth":"Bearer key","body":{"k":1}}`, string(got),
		"method, escaped path below the target's, query, credential and body pass; the Host is the target's")
	assert.Equal(t, `</admin/identities?page_token=x>; rel="next"`, resp.Header.Get("Link"), "headers come back")

	resp, err = send()
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, int32(1), backend.n.Load(), "a fault before processing never reaches the server")

	_, err = send()
	require.Error(t, err, "reset after processing")
	assert.Equal(t, int32(2), backend.n.Load(), "a fault after processing lets the server process the request")
	assert.Equal(t, map[Fault]int{Status503: 1, ResetAfter: 1}, f.Counts())
}

func TestProxyRefusesBadTargets(t *testing.T) {
	for _, target := range []string{"", "127.0.0.1:4434", "ftp://host", "https://", "https://user:pw@host", "://x"} {
		_, err := Proxy(target, New(Options{}))
		assert.Error(t, err, target)
		if err != nil {
			assert.NotContains(t, err.Error(), "pw", "no credential in the error")
		}
	}
}

func TestProxyUnreachableTarget(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	p, err := Proxy(dead.URL, New(Options{}))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
}
