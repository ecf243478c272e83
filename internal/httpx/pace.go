package httpx

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pacer keeps a client under a provider's advertised rate limit.
type pacer struct {
	mu        sync.Mutex
	limit     int
	remaining int
	reset     time.Time // local clock
}

// reserve is how much of the quota is left unused, for the provider's
// other clients and for requests already in flight.
func (p *pacer) reserve() int { return max(1, p.limit/20) }

// acquire waits, at most maxWait, until a request fits the window, and
// returns how long it waited.
func (p *pacer) acquire(ctx context.Context, maxWait time.Duration, clk clock) (waited time.Duration, err error) {
	for {
		p.mu.Lock()
		now := clk.Now()
		if p.limit == 0 || !now.Before(p.reset) {
			// Nothing known, or a new window: go, and learn from the answer.
			if p.limit > 0 {
				p.remaining = p.limit
				p.reset = now.Add(time.Second) // until the answer says otherwise
			}
			p.remaining--
			p.mu.Unlock()
			return waited, nil
		}
		if p.remaining > p.reserve() {
			p.remaining--
			p.mu.Unlock()
			return waited, nil
		}
		wait := p.reset.Sub(now)
		p.mu.Unlock()
		if wait > maxWait {
			// Waiting would overrun the budget: let the server decide.
			return waited, nil
		}
		if err := clk.Sleep(ctx, wait); err != nil {
			return waited, err
		}
		waited += wait
	}
}

// observe records a response's rate-limit headers.
func (p *pacer) observe(h http.Header, now time.Time) {
	limit, err1 := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Limit")))
	remaining, err2 := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")))
	wait, ok := ResetWait(h, now)
	if err1 != nil || err2 != nil || !ok || limit <= 0 {
		return
	}
	// ResetWait adds a second of margin; the window proper ends a second
	// earlier, but waiting the extra second is the safe side.
	reset := now.Add(wait)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limit = limit
	if reset.After(p.reset.Add(500 * time.Millisecond)) {
		// A later window than the one we were counting in.
		p.reset, p.remaining = reset, remaining
		return
	}
	p.remaining = min(p.remaining, remaining)
}
