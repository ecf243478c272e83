package logto

import (
	"context"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

var _ identity.URLOpenerWith = (*URLOpener)(nil)

// OpenDirectoryURLWith implements identity.URLOpenerWith, for
// identity.Open with OpenOptions: s.HTTP replaces the HTTPOptions of
// o.Options, and what o.Options leaves empty of the app id, its secret
// and the resource is read with s.Secret by the names of their
// environment variables (LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET,
// LOGTO_RESOURCE): from the secrets lookup, else the environment.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	opts := o.Options
	if s.HTTP != nil {
		opts.HTTPOptions = *s.HTTP
	}
	base, err := httpx.HostURL(Scheme, u, &opts.HTTPOptions, func(k, v string) (bool, error) {
		if k != "resource" {
			return false, nil
		}
		opts.Resource = v
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	opts.Endpoint = base
	for _, c := range []struct {
		name  string
		empty bool
		set   func(identity.Secret)
	}{
		{EnvAppID, opts.AppID == "", func(v identity.Secret) { opts.AppID = string(v) }},
		{EnvAppSecret, opts.AppSecret == "", func(v identity.Secret) { opts.AppSecret = v }},
		{EnvResource, opts.Resource == "", func(v identity.Secret) { opts.Resource = string(v) }},
	} {
		if !c.empty {
			continue
		}
		v, err := s.Secret(ctx, c.name)
		if err != nil {
			return nil, err
		}
		c.set(v)
	}
	return New(ctx, opts)
}
