package okta

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"

	"github.com/idport/identity"
)

var _ identity.URLOpenerWith = (*URLOpener)(nil)

// OpenDirectoryURLWith implements identity.URLOpenerWith, for
// identity.Open with OpenOptions: s.HTTP replaces the HTTPOptions of
// o.Options, and when o.Options has neither an API token nor a client id,
// the credentials are asked of s.Secrets by the names of their
// environment variables: OKTA_API_TOKEN, or else OKTA_CLIENT_ID with
// OKTA_PRIVATE_KEY (PEM) or OKTA_PRIVATE_KEY_FILE (a path), and
// OKTA_KEY_ID and OKTA_SCOPES if it has them. When the lookup has neither
// a token nor a client id, the environment is read, as OpenDirectoryURL
// does. The URL is read as OpenDirectoryURL reads it.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	base := URLOpener{Options: o.Options}
	if s.HTTP != nil {
		base.Options.HTTPOptions = *s.HTTP
	}
	if base.Options.APIToken == "" && base.Options.ClientID == "" {
		if err := fromSecrets(ctx, s, &base.Options); err != nil {
			return nil, err
		}
	}
	return base.OpenDirectoryURL(ctx, u)
}

// fromSecrets fills the credentials from s's lookup: the API token if it
// has one, else the service app.
func fromSecrets(ctx context.Context, s identity.OpenSettings, opts *Options) error {
	tok, err := s.LookupSecret(ctx, EnvAPIToken)
	if err != nil || tok != "" {
		opts.APIToken = tok
		return err
	}
	id, err := s.LookupSecret(ctx, EnvClientID)
	if err != nil || id == "" {
		return err
	}
	opts.ClientID = string(id)
	get := func(name string, set func(string)) error {
		v, err := s.LookupSecret(ctx, name)
		if err == nil && v != "" {
			set(string(v))
		}
		return err
	}
	var pemData []byte
	var path string
	for _, e := range []error{
		get(EnvKeyID, func(v string) { opts.KeyID = v }),
		get(EnvScopes, func(v string) { opts.Scopes = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) }),
		get(EnvPrivateKey, func(v string) { pemData = []byte(v) }),
		get(EnvPrivateKeyFile, func(v string) { path = v }),
	} {
		if e != nil {
			return e
		}
	}
	if len(pemData) == 0 {
		if path == "" {
			return badOption("PrivateKey", "the secrets have %s but neither %s nor %s", EnvClientID, EnvPrivateKey, EnvPrivateKeyFile)
		}
		if pemData, err = os.ReadFile(path); err != nil {
			return badOption("PrivateKey", "reading %s: %v", EnvPrivateKeyFile, errors.Unwrap(err))
		}
	}
	key, err := ParsePrivateKey(pemData)
	if err != nil {
		return err
	}
	opts.PrivateKey = key
	return nil
}
