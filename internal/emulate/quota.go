package emulate

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Quota is middleware that lets at most Limit requests through per Per,
// as a provider's quota does, and answers the rest 429 with a Retry-After
// of the whole seconds until the next request would pass. It is a token
// bucket refilled continuously and holding at most Burst requests, so
// that throughput measured over any stretch of time can be compared with
// the quota; it starts full. The zero Burst means one second's worth.
// A Quota is safe for concurrent use; set its fields before the first
// request.
type Quota struct {
	Limit int
	Per   time.Duration
	Burst int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	started bool
	tokens  float64
	last    time.Time
	served  int
	refused int
}

func (q *Quota) now() time.Time {
	if q.Now != nil {
		return q.Now()
	}
	return time.Now()
}

// rate is requests per second.
func (q *Quota) rate() float64 { return float64(q.Limit) / q.Per.Seconds() }

// BurstSize is the bucket's size: Burst, or one second's worth of Limit.
func (q *Quota) BurstSize() int {
	if q.Burst > 0 {
		return q.Burst
	}
	return max(1, int(math.Ceil(q.rate())))
}

// take spends one request, or says how long until one is available.
func (q *Quota) take() (bool, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	if !q.started {
		q.started, q.tokens, q.last = true, float64(q.BurstSize()), now
	}
	q.tokens = math.Min(float64(q.BurstSize()), q.tokens+now.Sub(q.last).Seconds()*q.rate())
	q.last = now
	if q.tokens >= 1 {
		q.tokens--
		q.served++
		return true, 0
	}
	q.refused++
	return false, time.Duration((1 - q.tokens) / q.rate() * float64(time.Second))
}

// Wrap puts h behind the quota.
func (q *Quota) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := q.take()
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			WriteText(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Served is how many requests the quota let through.
func (q *Quota) Served() int { return Locked(&q.mu, func() int { return q.served }) }

// Refused is how many requests the quota answered 429.
func (q *Quota) Refused() int { return Locked(&q.mu, func() int { return q.refused }) }
