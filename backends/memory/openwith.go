package memory

import (
	"context"
	"net/url"

	"github.com/idport/identity"
)

var _ identity.URLOpenerWith = (*URLOpener)(nil)

// OpenDirectoryURLWith implements identity.URLOpenerWith, for
// identity.Open with OpenOptions: the DirectoryOptions of s.HTTP replace
// those of o.Options (the tracer and meter providers, PrefetchPages),
// and the rest of s.HTTP, a transport memory does not have, is ignored.
// s.Secrets is never asked: memory has no credentials. The URL is read as
// OpenDirectoryURL reads it.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	base := URLOpener{Options: o.Options}
	if s.HTTP != nil {
		base.Options.DirectoryOptions = s.HTTP.DirectoryOptions
	}
	return base.OpenDirectoryURL(ctx, u)
}
