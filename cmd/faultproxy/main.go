// Command faultproxy is a reverse proxy that injects faults into the
// traffic to a real server, so that an application's integration tests
// meet the 5xx answers, resets, slow, truncated and malformed bodies and
// 429 bursts a provider or the network can produce, seeded and counted
// (see package faultinject):
//
//	go run github.com/idport/identity/cmd/faultproxy -target https://dev-1.okta.com -rate 0.2 -seed 1
//
// It prints the URL it listens on, then serves until interrupted, and
// then prints how many requests it saw and the faults it injected by
// kind. Point the application at the printed URL instead of the
// server's (for this library, the backend's base URL option, with
// insecure_http=true unless the proxy listens on a loopback address,
// which is the default).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/idport/identity/faultinject"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(2)
	}
}

// run parses args and serves until ctx ends; ready, if not nil, receives
// the URL once listening.
func run(ctx context.Context, args []string, out io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("faultproxy", flag.ContinueOnError)
	fs.SetOutput(out)
	target := fs.String("target", "", "the server's root URL, such as https://dev-1.okta.com (required)")
	listen := fs.String("listen", "127.0.0.1:0", "the address to listen on")
	rate := fs.Float64("rate", 0.2, "the share of requests that meet a fault, from 0 to 1")
	seed := fs.Uint64("seed", 1, "the seed of the fault sequence")
	retryAfter := fs.String("retry-after", "1", "the Retry-After value of injected 429s")
	kinds := fs.String("faults", "", "comma-separated faults to draw from (default: every transient fault): "+faultNames())
	exclude := fs.String("exclude", "", "comma-separated path prefixes to pass untouched")
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: faultproxy -target URL [-rate 0.2] [-seed 1] [-listen 127.0.0.1:0]")
		fmt.Fprintln(out, "example: faultproxy -target http://127.0.0.1:4434 -rate 0.2 -seed 7")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate < 0 || *rate > 1 {
		return fmt.Errorf("-rate %v is not between 0 and 1", *rate)
	}
	opts := faultinject.Options{Seed: *seed, Rate: *rate, RetryAfter: *retryAfter}
	for _, k := range split(*kinds) {
		if !slices.Contains(faultinject.TransientFaults, faultinject.Fault(k)) && faultinject.Fault(k) != faultinject.Oversized {
			return fmt.Errorf("-faults: %q is not one of %s", k, faultNames())
		}
		opts.Kinds = append(opts.Kinds, faultinject.Fault(k))
	}
	opts.Exclude = split(*exclude)
	f := faultinject.New(opts)
	p, err := faultinject.Proxy(*target, f)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintln(out, "faultproxy: proxying", url, "to", *target)
	if ready != nil {
		ready <- url
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintf(out, "faultproxy: %d requests, %d faults injected: %v\n", f.Requests(), f.Injected(), f.Counts())
	return nil
}

func split(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func faultNames() string {
	var names []string
	for _, k := range append(slices.Clone(faultinject.TransientFaults), faultinject.Oversized) {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}
