package memory

import "context"

// Ping implements driver.Pinger: the store is in the process, always
// there, and takes no credentials.
func (s *store) Ping(context.Context) error { return nil }
