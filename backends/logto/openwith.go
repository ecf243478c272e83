package logto

import (
	"context"
	"net/url"

	"github.com/idport/identity"
)

var _ identity.URLOpenerWith = (*URLOpener)(nil)

// OpenDirectoryURLWith implements identity.URLOpenerWith, for
// identity.Open with OpenOptions: s.HTTP replaces the HTTPOptions of
// o.Options, and what o.Options leaves empty of the app id, its secret
// and the resource is asked of s.Secrets by the names of their
// environment variables (LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET,
// LOGTO_RESOURCE); what the lookup has not is read from the environment,
// as OpenDirectoryURL does. The URL is read as OpenDirectoryURL reads it.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	base := URLOpener{Options: o.Options}
	if s.HTTP != nil {
		base.Options.HTTPOptions = *s.HTTP
	}
	for _, c := range []struct {
		name  string
		empty bool
		set   func(identity.Secret)
	}{
		{EnvAppID, base.Options.AppID == "", func(v identity.Secret) { base.Options.AppID = string(v) }},
		{EnvAppSecret, base.Options.AppSecret == "", func(v identity.Secret) { base.Options.AppSecret = v }},
		{EnvResource, base.Options.Resource == "", func(v identity.Secret) { base.Options.Resource = string(v) }},
	} {
		if !c.empty {
			continue
		}
		v, err := s.LookupSecret(ctx, c.name)
		if err != nil {
			return nil, err
		}
		c.set(v)
	}
	return base.OpenDirectoryURL(ctx, u)
}
