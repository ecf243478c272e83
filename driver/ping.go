package driver

import "context"

// Pinger is the optional interface of a backend that can check, with the
// cheapest call its provider has, that the provider is reachable and
// takes the backend's credentials. Without it, identity.Directory.Ping
// lists one user.
type Pinger interface {
	// Ping makes that call and discards its answer. Errors:
	// Unauthenticated when the provider refuses the credentials;
	// PermissionDenied when they lack the permission the call needs;
	// Unavailable when the provider cannot be reached, or answers with
	// something other than its API; InvalidArgument naming the option
	// when the configuration names what the provider does not have (an
	// app id, say).
	Ping(ctx context.Context) error
}
