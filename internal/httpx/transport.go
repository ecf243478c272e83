package httpx

import (
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
)

// plainHTTPHint is the message for an https request, to the API or its
// token endpoint, that a plain-http server answered: every attempt would
// meet the same server, so it says what to change, and it is the whole
// message, net/http's error saying the same in other words.
const plainHTTPHint = "the server answers plain http to this https URL: " +
	"use its http:// URL (with insecure_http=true, or AllowInsecureHTTP, for a host that is not loopback)"

// plainHTTPServer reports net/http's error for an https request that a
// plain-http server answered.
func plainHTTPServer(err error) bool {
	var re tls.RecordHeaderError
	return errors.As(err, &re) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// describeTransport describes a transport error once: what failed (a
// connection to the host that could not be made, or a request to it) and
// why, the innermost reason. It leaves out the URL, which url.Error and
// net.OpError would each repeat, and whose path and query hold ids and
// search filters.
func describeTransport(err error) (what, why string) {
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
		err = ue.Err
	}
	var op *net.OpError
	if !errors.As(err, &op) {
		return requestFailed(host), err.Error()
	}
	if host == "" && op.Addr != nil {
		host = op.Addr.String()
	}
	if op.Op != "dial" {
		return requestFailed(host), op.Op + ": " + innerReason(op.Err)
	}
	what = "could not connect"
	if host != "" {
		what += " to " + host
	}
	return what, innerReason(op.Err)
}

func requestFailed(host string) string {
	if host == "" {
		return "the request failed"
	}
	return "the request to " + host + " failed"
}

// innerReason is err without the syscall's or resolver's name in front of it:
// "connection refused", "no such host".
func innerReason(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "no such host"
		}
		return "looking up the host failed: " + dns.Err
	}
	var sc *os.SyscallError
	if errors.As(err, &sc) {
		return sc.Err.Error()
	}
	return err.Error()
}

// transportCause is a transport error that prints as its reason alone,
// the error it carries having said the URL and the address already; the
// chain stays whole for errors.Is and errors.As (syscall.ECONNREFUSED, a
// net.Error's Timeout).
type transportCause struct {
	why string
	err error
}

func (c *transportCause) Error() string { return c.why }
func (c *transportCause) Unwrap() error { return c.err }
