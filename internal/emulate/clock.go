package emulate

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand, for an emulator's Options.Now
// (pass c.Now), so that expiry, rate-limit windows and timestamps can be
// checked without waiting. It is safe for concurrent use: an emulator
// reads it from its handlers while the test advances it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time; it has the signature of Options.Now.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock by d, backwards for a negative d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
