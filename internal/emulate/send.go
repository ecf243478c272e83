package emulate

import (
	"io"
	"net/http"
	"testing"
)

// Response is an emulator's answer as a test reads it: whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send does req with http.DefaultClient and reads the whole answer. A
// request that gets no answer, or one cut short, fails tb: an emulator
// always answers in full, so either is a fault of the test's own making.
func Send(tb testing.TB, req *http.Request) Response {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
		return Response{}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
		return Response{}
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}
