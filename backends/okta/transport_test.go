package okta_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRateLimitWaitsEndWithContext: a call whose context ends while the
// client waits out a 429 until X-Rate-Limit-Reset, or while it holds a
// request back because the last answer said the quota is spent, returns
// the context's own error, as it is. The waits every backend has are in
// TestKit/ContextEndsEveryWait.
func TestRateLimitWaitsEndWithContext(t *testing.T) {
	script := &hostiletest.Script{}
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken, NamesOptional: true, Middleware: script.Wrap})
	// Each case has its own directory, since a directory's pacing
	// remembers the windows it was told of.
	fresh := func() *identity.Directory {
		dir, err := okta.New(context.Background(), okta.Options{OrgURL: srv.URL, APIToken: testToken})
		require.NoError(t, err)
		return dir
	}
	reset := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).Unix(), 10) }
	now := func() string { return time.Now().UTC().Format(http.TimeFormat) }
	for _, c := range []struct {
		name string
		call func(context.Context) error
	}{
		{"429 until the reset, an hour away", func(ctx context.Context) error {
			script.Next("/api/", hostiletest.JSON(429, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`,
				"X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", reset(time.Hour), "Date", now()))
			_, err := fresh().GetUser(ctx, "00u0000000000000000")
			return err
		}},
		{"the quota is spent until the reset", func(ctx context.Context) error {
			script.Next("/api/", hostiletest.JSON(404, `{"errorCode":"E0000007","errorSummary":"Not found"}`,
				"X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", reset(10*time.Second), "Date", now()))
			dir := fresh()
			_, err := dir.GetUser(context.Background(), "00u0000000000000000")
			require.ErrorIs(t, err, identity.ErrNotFound)
			_, err = dir.GetUser(ctx, "00u0000000000000000")
			return err
		}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := c.call(ctx)
		cancel()
		assert.Equal(t, context.DeadlineExceeded, err, c.name)
		script.Reset()
	}
}
