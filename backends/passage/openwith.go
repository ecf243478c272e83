package passage

import (
	"context"
	"net/url"

	"github.com/idport/identity"
)

var _ identity.URLOpenerWith = (*URLOpener)(nil)

// OpenDirectoryURLWith implements identity.URLOpenerWith, for
// identity.Open with OpenOptions: s.HTTP replaces the HTTPOptions of
// o.Options, and when o.Options has no APIKey, the key is read with
// s.Secret as PASSAGE_API_KEY: from the secrets lookup, else the environment. The
// URL is read as OpenDirectoryURL reads it.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	return o.open(ctx, u, s)
}
