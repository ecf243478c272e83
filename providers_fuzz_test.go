package identity_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/internal/httpx"
)

// FuzzOpenProviderURL feeds arbitrary strings, seeded with logto:// and
// passage:// URLs with odd query strings, to the URL parser and the two
// HTTP backends' openers: never a panic; every failure an InvalidArgument
// that does not repeat the secret; and no directory that would talk plain
// http to a host other than loopback without the explicit opt-in.
func FuzzOpenProviderURL(f *testing.F) {
	for _, s := range []string{
		"logto://auth.example.com",
		"logto://tenant1.logto.app?resource=https://tenant1.logto.app/api",
		"logto://localhost:3001?insecure_http=true",
		"logto://auth.example.com?insecure_http=true",
		"logto://auth.example.com?insecure_http=TRUE",
		"logto://auth.example.com?insecure_http=false&insecure_http=true",
		"logto://127.0.0.1.nip.io?insecure_http=true",
		"logto://[::1]:3001?insecure_http=true",
		"logto://h?resource=&resource=x",
		"logto://h?%zz=1", "logto://h?;x=1", "logto://h?a=1&&b", "logto://h?=", "logto://h?#frag",
		"logto://h/p?x", "logto://h:99999", "logto://%41", "logto://user:pw@h", "logto:opaque", "LOGTO://H",
		"passage://app1",
		"passage://app1?base_url=https://api.example.com/v1",
		"passage://app1?base_url=http://evil.example.com",
		"passage://app1?base_url=http://evil.example.com&insecure_http=true",
		"passage://app1?base_url=http://127.0.0.1:8080/v1",
		"passage://app1?base_url=http://localhost.evil.example",
		"passage://app1?base_url=HTTP://[::1]/v1",
		"passage://app1?base_url=//evil.example.com",
		"passage://app1?base_url=file:///etc/passwd",
		"passage://app1?base_url=https://u:p@api.example.com",
		"passage://app1?base_url=https%3A%2F%2Fapi.example.com",
		"passage://app1?roles_field=roles&roles=a,,b,%2C",
		"passage://app1?roles_field=%00", "passage://app1?roles_field=roles&roles=a%2Cb",
		"passage://app1?insecure_http=", "passage://app%201", "passage://a..b", "passage://app1/",
		"passage://app1?base_url=https://api.example.com/v1?x=1%23",
	} {
		f.Add(s)
	}
	const secret = "CANARY-open-url-secret-5e1f"
	var mux identity.URLMux
	mux.Register(logto.Scheme, &logto.URLOpener{Options: logto.Options{AppID: "m2m", AppSecret: secret, Resource: logto.OSSResource}})
	mux.Register(passage.Scheme, &passage.URLOpener{Options: passage.Options{APIKey: secret}})
	f.Fuzz(func(t *testing.T, s string) {
		dir, err := mux.Open(context.Background(), s)
		if err != nil {
			if identity.CodeOf(err) != identity.InvalidArgument {
				t.Fatalf("Open(%q): want InvalidArgument, got %v", s, err)
			}
			if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), secret) {
				t.Fatalf("Open(%q): the error repeats the secret", s)
			}
			return
		}
		defer dir.Close()
		if strings.Contains(fmt.Sprintf("%v %+v %#v", dir, dir, dir), secret) {
			t.Fatalf("Open(%q): the directory prints the secret", s)
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("Open(%q) succeeded on a URL that does not parse", s)
		}
		q := u.Query()
		last := func(k string) string {
			vs := q[k]
			if len(vs) == 0 {
				return ""
			}
			return vs[len(vs)-1]
		}
		switch strings.ToLower(u.Scheme) {
		case logto.Scheme:
			// The host is reached over https unless the URL opts in to
			// plain http, which it may do for any host.
		case passage.Scheme:
			b, err := url.Parse(last("base_url"))
			if last("base_url") != "" && (err != nil || strings.EqualFold(b.Scheme, "http") && !httpx.IsLoopback(b.Hostname()) && last("insecure_http") != "true") {
				t.Fatalf("Open(%q): base_url %q accepted without https or the opt-in", s, last("base_url"))
			}
		default:
			t.Fatalf("Open(%q): opened an unregistered scheme", s)
		}
	})
}
