package emulate_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/idport/identity/internal/emulate"
)

func TestQuota(t *testing.T) {
	clock := emulate.NewClock(time.Unix(1_800_000_000, 0))
	q := &emulate.Quota{Limit: 120, Per: time.Minute, Now: clock.Now} // 2 per second, bucket of 2
	h := q.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	do := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		return rec
	}
	assert.Equal(t, 2, q.BurstSize())
	assert.Equal(t, http.StatusNoContent, do().Code, "the bucket starts full")
	assert.Equal(t, http.StatusNoContent, do().Code)
	rec := do()
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "a third within the same instant is over the quota")
	assert.Equal(t, "1", rec.Header().Get("Retry-After"), "half a second, rounded up to whole seconds")
	clock.Advance(500 * time.Millisecond)
	assert.Equal(t, http.StatusNoContent, do().Code, "refilled at the quota's rate")
	assert.Equal(t, http.StatusTooManyRequests, do().Code)
	clock.Advance(time.Hour)
	for range 2 {
		assert.Equal(t, http.StatusNoContent, do().Code)
	}
	assert.Equal(t, http.StatusTooManyRequests, do().Code, "an idle hour fills the bucket to its size, no more")
	assert.Equal(t, 5, q.Served())
	assert.Equal(t, 3, q.Refused())
}
