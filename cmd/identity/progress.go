package main

import (
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress draws a bar for long work on stderr: the count, the rate and,
// where the total is known, the time left. It draws nothing unless
// stderr is a terminal, so that a log or a pipe gets no control
// characters. It is safe for concurrent use, as migrate's callbacks may
// come from several workers.
type progress struct {
	w      io.Writer
	desc   string
	on     bool
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	total  int
	detail string
	// throttle is the least time between two draws.
	throttle time.Duration
}

func (c *cli) newProgress(desc string) *progress {
	return &progress{w: c.env.Stderr, desc: desc, on: c.env.StderrTerminal, throttle: 100 * time.Millisecond}
}

// update shows done of total users (total < 0: not known), and detail
// after the bar.
func (p *progress) update(done, total int, detail string) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || (total >= 0) != (p.total >= 0) {
		p.start(total)
	}
	if total >= 0 && total != p.total {
		p.bar.ChangeMax(total)
		p.total = total
	}
	_ = p.bar.Set(done)
	// Describe draws at once, unthrottled: only when the words change.
	if detail != p.detail {
		p.detail = detail
		desc := p.desc
		if detail != "" {
			desc += " (" + detail + ")"
		}
		p.bar.Describe(desc)
	}
}

// start makes the bar: with a total, a bar with the time left; without
// one, a spinner with the count and the rate.
func (p *progress) start(total int) {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	max := total
	if total < 0 {
		max = -1
	}
	p.total = total
	p.bar = progressbar.NewOptions(max,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("users"),
		progressbar.OptionSetPredictTime(total >= 0),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(p.throttle),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
	)
}

// finish removes the bar, so that the report printed next starts on a
// clean line. A spinner's own goroutine, which redraws it, stops drawing
// once it is finished, before finish returns.
func (p *progress) finish() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
