package emulate

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fatalTB records Fatalf instead of stopping the test, so that Send's
// failure path can be watched.
type fatalTB struct {
	testing.TB
	failure string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) { f.failure = fmt.Sprintf(format, args...) }

func TestSend(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cut":
			// Promise more than is sent, so that reading the body fails.
			w.Header().Set("Content-Length", "10")
			_, _ = w.Write([]byte("short"))
		default:
			w.Header().Set("X-Seen", r.Method)
			status, _ := strconv.Atoi(r.URL.Path[1:])
			WriteText(w, status, "body of "+r.URL.Path)
		}
	}))
	defer srv.Close()
	cases := []struct {
		name, url string
		want      Response
		fails     bool
	}{
		{"answer", srv.URL + "/201", Response{Status: 201, Body: []byte("body of /201")}, false},
		{"error status is an answer", srv.URL + "/404", Response{Status: 404, Body: []byte("body of /404")}, false},
		{"body cut short", srv.URL + "/cut", Response{}, true},
		{"no server", "http://127.0.0.1:1/", Response{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fatalTB{TB: t}
			req, err := http.NewRequest("GET", tc.url, nil)
			assert.NoError(t, err)
			got := Send(tb, req)
			assert.Equal(t, tc.fails, tb.failure != "", tb.failure)
			assert.Equal(t, tc.want.Status, got.Status)
			assert.Equal(t, tc.want.Body, got.Body)
			if !tc.fails {
				assert.Equal(t, "GET", got.Header.Get("X-Seen"))
			}
		})
	}
}
