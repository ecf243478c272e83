package emulate

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	cases := []struct {
		name  string
		set   time.Time // zero: not set
		moves []time.Duration
		want  time.Time
	}{
		{"unmoved", time.Time{}, nil, start},
		{"forward", time.Time{}, []time.Duration{time.Minute, time.Second}, start.Add(61 * time.Second)},
		{"backward", time.Time{}, []time.Duration{-time.Hour}, start.Add(-time.Hour)},
		{"set", start.Add(24 * time.Hour), nil, start.Add(24 * time.Hour)},
		{"set, then moved", start.Add(-time.Hour), []time.Duration{time.Minute}, start.Add(-59 * time.Minute)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(start)
			if !tc.set.IsZero() {
				c.Set(tc.set)
			}
			for _, d := range tc.moves {
				c.Advance(d)
			}
			assert.Equal(t, tc.want, c.Now())
		})
	}
}

// TestClockConcurrent is meant for -race: handlers read the clock while
// the test moves it.
func TestClockConcurrent(t *testing.T) {
	c := NewClock(time.Time{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, time.Time{}.Add(800*time.Second), c.Now())
}
