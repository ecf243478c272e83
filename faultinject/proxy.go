package faultinject

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
)

// Proxy returns a reverse proxy to target, a server's root URL such as
// "https://dev-1.okta.com" or "http://127.0.0.1:4434", with f's faults in
// front of it, so that an application's integration tests, or this
// project's live suites, meet a real server's answers with faults
// injected, seeded and counted as in front of an emulator:
//
//	f := faultinject.New(faultinject.Options{Seed: 1, Rate: 0.2})
//	p, err := faultinject.Proxy("https://dev-1.okta.com", f)
//	srv := httptest.NewServer(p)
//	// point the application at srv.URL instead of the server
//
// Every request is passed on with its method, path, query, headers (the
// Authorization header included) and body; the Host header becomes
// target's, so that a server behind TLS or a virtual host answers as it
// does to a direct request. Paths are joined below target's path. Faults
// that answer before processing never reach the server; faults after
// processing let the server's answer be spoiled on its way back.
//
// It returns an error, and no proxy, for a target that is not an
// absolute http or https URL with a host, or that carries credentials.
func Proxy(target string, f *Faults) (http.Handler, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("faultinject: the proxy target %q is not an absolute http(s) URL with a host", target)
	}
	if u.User != nil {
		return nil, fmt.Errorf("faultinject: the proxy target must not carry credentials")
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = u.Host
		},
		// A server that goes away mid-answer is the proxy's own fault to
		// report, not a line in the test's log.
		ErrorLog: log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "faultinject proxy: "+err.Error(), http.StatusBadGateway)
		},
	}
	return f.Wrap(rp), nil
}
