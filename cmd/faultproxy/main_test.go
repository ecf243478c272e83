package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
	}))
	t.Cleanup(target.Close)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-target", target.URL, "-rate", "1", "-faults", "503", "-exclude", "/pass"}, &out, ready)
	}()
	url := <-ready

	resp, err := http.Get(url + "/x")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "every request in scope meets the fault")
	resp, err = http.Get(url + "/pass/y")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"path":"/pass/y"}`, string(body), "an excluded path passes")

	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "faultproxy: 2 requests, 1 faults injected: map[503:1]")
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-target", "ftp://x"},
		{"-target", "http://127.0.0.1:1", "-rate", "2"},
		{"-target", "http://127.0.0.1:1", "-faults", "meteor"},
		{"-nope"},
	} {
		var out strings.Builder
		assert.Error(t, run(context.Background(), args, &out, nil), "%q", args)
	}
}
