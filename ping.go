package identity

import (
	"context"

	"github.com/idport/identity/driver"
)

// Ping checks that the provider is reachable and takes the directory's
// credentials, with the cheapest authenticated call the backend has:
// listing one user, on each backend of this module, which is a call the
// directory needs the permission for anyway. [Open] and a backend's New
// make no call, so a wrong host or token shows here instead of at the
// first real call: Ping at start-up, under a context with a deadline.
//
// It returns nil when the provider answered; Unauthenticated when it
// refused the credentials; PermissionDenied when they may not read
// users; Unavailable when it could not be reached, the message saying
// why (no such host, connection refused, a TLS failure, https to a
// plain-http server), or answered with something other than its API;
// InvalidArgument naming an option the provider does not know (Passage's
// AppID); FailedPrecondition with [ErrClosed] once the directory is
// closed; or the context's own error. Success says nothing of what the
// credentials may change. Kratos self-hosted takes no credentials, so
// there Ping checks reachability alone.
func (d *Directory) Ping(ctx context.Context) (err error) {
	const op = "Ping"
	ctx, ot := d.observe(ctx, op)
	defer ot.end(&err)
	if err := d.begin(ctx, op); err != nil {
		return err
	}
	if p, ok := d.drv.(driver.Pinger); ok {
		return d.fail(ctx, op, p.Ping(ctx), "", "")
	}
	_, err = d.page(ctx, op, ListOptions{PageSize: 1}, "")
	return err
}
