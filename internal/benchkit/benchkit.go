// Package benchkit holds what the backends' benchmarks share: a plain
// net/http + encoding/json client to measure the library against, a
// switchable latency to put in front of an emulator once it is seeded,
// and a measure of the heap a listing holds.
package benchkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
)

// Raw is the baseline client: one net/http request, one encoding/json
// decode, nothing else.
type Raw struct {
	Client *http.Client
	// Header is sent with every request: the credential, as the
	// backend sends it.
	Header http.Header
}

// Get sends GET url and decodes the 200 answer into out.
func (r *Raw) Get(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header = r.Header
	resp, err := r.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Latency is a middleware that delays each request by a duration that can
// be set at any time: an emulator is seeded with it at 0, then measured
// with it on.
type Latency struct{ d atomic.Int64 }

// Set makes every later request wait d before it is handled.
func (l *Latency) Set(d time.Duration) { l.d.Store(int64(d)) }

// Middleware wraps h with the delay.
func (l *Latency) Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(l.d.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// HeapProbe measures the live heap a loop holds above where it started:
// Start collects garbage and reads the heap, Sample (called every so
// often inside the loop) does so again and keeps the highest.
type HeapProbe struct {
	base, peak uint64
}

func live() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Start records the baseline.
func (p *HeapProbe) Start() { p.base, p.peak = live(), 0 }

// Sample records the live heap now.
func (p *HeapProbe) Sample() {
	if h := live(); h > p.base && h-p.base > p.peak {
		p.peak = h - p.base
	}
}

// Report adds the peak, in MB, to b's results as "heap-MB".
func (p *HeapProbe) Report(b *testing.B) {
	b.ReportMetric(float64(p.peak)/(1<<20), "heap-MB")
}

// ListAll walks dir's listing with pages of size and returns how many
// users came; work, when set, runs after each page's worth of users, as
// a loop body that takes time would.
func ListAll(b *testing.B, dir interface {
	ListUsers(context.Context, identity.ListOptions) iter.Seq2[*identity.User, error]
}, size int, work func()) int {
	b.Helper()
	n := 0
	for _, err := range dir.ListUsers(context.Background(), identity.ListOptions{PageSize: size}) {
		if err != nil {
			b.Fatal(err)
		}
		if n++; work != nil && n%size == 0 {
			work()
		}
	}
	return n
}

// HeapWhileListing walks dir's listing of want users, pages of size, and
// reports the live heap it held above where it started, sampled every
// 5,000 users, as "heap-MB".
func HeapWhileListing(b *testing.B, dir interface {
	ListUsers(context.Context, identity.ListOptions) iter.Seq2[*identity.User, error]
}, size, want int) {
	b.Helper()
	b.ReportAllocs()
	var p HeapProbe
	for b.Loop() {
		p.Start()
		n := 0
		for _, err := range dir.ListUsers(context.Background(), identity.ListOptions{PageSize: size}) {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%5000 == 0 {
				p.Sample()
			}
		}
		if n != want {
			b.Fatalf("listed %d users, want %d", n, want)
		}
	}
	p.Report(b)
}

// Sleep is a loop body's work: d of waiting.
func Sleep(d time.Duration) func() { return func() { time.Sleep(d) } }

// CompareGetUser measures one request made by raw, the baseline client,
// and by dir.GetUser(id): as sub-benchmarks "raw" and "backend", for
// time, bytes and allocations each, and as "paired", which makes both in
// turn within one loop, swapping which goes first at each iteration, and
// reports their mean times and the backend's time over raw's. A machine
// whose speed drifts slows both sides of a pair alike, where the first
// two run one after the other and each meets the machine as it then is.
func CompareGetUser(b *testing.B, dir interface {
	GetUser(context.Context, string) (*identity.User, error)
}, id string, raw func() error) {
	b.Helper()
	lib := func() error {
		_, err := dir.GetUser(context.Background(), id)
		return err
	}
	for _, side := range []struct {
		name string
		get  func() error
	}{{"raw", raw}, {"backend", lib}} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := side.get(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("paired", func(b *testing.B) {
		var spent [2]time.Duration
		gets := [2]func() error{raw, lib}
		n := 0
		for b.Loop() {
			for k := range 2 {
				i := (n + k) % 2
				start := time.Now()
				if err := gets[i](); err != nil {
					b.Fatal(err)
				}
				spent[i] += time.Since(start)
			}
			n++
		}
		b.ReportMetric(float64(spent[0].Nanoseconds())/float64(n), "raw-ns/op")
		b.ReportMetric(float64(spent[1].Nanoseconds())/float64(n), "backend-ns/op")
		b.ReportMetric(float64(spent[1])/float64(spent[0]), "time-ratio")
	})
}

// Answered is the error of a baseline request: err, or when there was
// none and ok is false, one saying the answer was not the one asked for.
func Answered(err error, ok bool) error {
	if err == nil && !ok {
		return errors.New("the answer is not the one asked for")
	}
	return err
}
