package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/idport/identity"
)

// DefaultRetries is how many times Copy retries a user, and FromDirectory
// a call, that ends RateLimited or Unavailable, when Options.Retries is 0.
const DefaultRetries = 5

// Bounds on the wait between retries: a backoff from retryBase doubling
// to retryCap where the error gives no RetryAfter, and RetryAfter itself
// capped at maxRetryAfter, so that a provider's odd answer cannot stall a
// copy for hours.
const (
	retryBase     = 250 * time.Millisecond
	retryCap      = 20 * time.Second
	maxRetryAfter = 5 * time.Minute
)

func retriesOf(n int) int {
	switch {
	case n == 0:
		return DefaultRetries
	case n < 0:
		return 0
	}
	return n
}

// retryable reports whether err is worth trying again later: the
// provider's rate limit, or a transient failure the HTTP layer could not
// ride out within the call's own budget.
func retryable(err error) bool {
	c := identity.CodeOf(err)
	return c == identity.RateLimited || c == identity.Unavailable
}

// fatal reports whether err means every later call will fail too: the
// destination refused the credentials themselves.
func fatal(err error) bool {
	c := identity.CodeOf(err)
	return c == identity.Unauthenticated || c == identity.PermissionDenied
}

// wait is how long to wait before retry number attempt (0 for the first)
// after err.
func wait(err error, attempt int) time.Duration {
	var e *identity.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return min(e.RetryAfter, maxRetryAfter)
	}
	d := retryBase << min(attempt, 10)
	d = min(d, retryCap)
	// Jitter spreads the users that met the same outage, so that they do
	// not come back at the same instant.
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx ends, and returns ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retry calls f until it succeeds, fails in a way not worth retrying, or
// has been retried retries times.
func retry(ctx context.Context, retries int, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || !retryable(err) || attempt >= retries || ctx.Err() != nil {
			return err
		}
		if serr := sleep(ctx, wait(err, attempt)); serr != nil {
			return serr
		}
	}
}

// invalid returns the InvalidArgument error of bad input to this package.
func invalid(field, format string, args ...any) error {
	return &identity.Error{Code: identity.InvalidArgument, Op: "migrate", Field: field, Message: fmt.Sprintf(format, args...)}
}

// LineError is the error of a bad line in a file a reader reads: Line
// counts from 1, and Err, an *identity.Error (InvalidArgument, or
// FailedPrecondition for a second read), says what is wrong without
// quoting a secret.
type LineError struct {
	Line int
	Err  error
}

// Error returns "line N: " and Err's message.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns Err, so that errors.Is(err, identity.ErrInvalidArgument)
// holds.
func (e *LineError) Unwrap() error { return e.Err }

func lineError(line int, field, format string, args ...any) error {
	return &LineError{Line: line, Err: invalid(field, format, args...)}
}

// errReadTwice is what a stream source yields when read a second time.
func errReadTwice(op string) error {
	return &identity.Error{Code: identity.FailedPrecondition, Op: op,
		Message: "this source reads a stream, which can be read once; open the file again to read it again"}
}

// streamOnce is the state of a Source over an io.Reader, which can be
// read once.
type streamOnce struct {
	mu   sync.Mutex
	r    io.Reader
	used bool
}

// take hands out the reader the first time, holding the source until
// release is called; after that, or without a reader, it returns the
// error op's Records yields.
func (s *streamOnce) take(op string) (r io.Reader, release func(), err error) {
	s.mu.Lock()
	switch {
	case s.used:
		s.mu.Unlock()
		return nil, nil, errReadTwice(op)
	case s.r == nil:
		s.mu.Unlock()
		return nil, nil, invalid(op, "%s needs a reader", op)
	}
	s.used = true
	return s.r, s.mu.Unlock, nil
}
