package kratos

import (
	"context"
	"net/url"

	"github.com/idport/identity"
)

var _ identity.URLOpenerWith = (*URLOpener)(nil)

// OpenDirectoryURLWith implements identity.URLOpenerWith, for
// identity.Open with OpenOptions: s.HTTP replaces the HTTPOptions of
// o.Options, and when o.Options has no APIKey, an Ory Network API key is asked of
// s.Secrets as ORY_API_KEY; when the lookup has none, the environment
// is read, as OpenDirectoryURL does. The URL is read as OpenDirectoryURL
// reads it.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	base := URLOpener{Options: o.Options}
	if s.HTTP != nil {
		base.Options.HTTPOptions = *s.HTTP
	}
	if base.Options.APIKey == "" {
		key, err := s.LookupSecret(ctx, EnvAPIKey)
		if err != nil {
			return nil, err
		}
		base.Options.APIKey = key
	}
	return base.OpenDirectoryURL(ctx, u)
}
