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
// the credentials are read with s.Secret (the secrets lookup, else the
// environment) by the names of their environment variables:
// OKTA_API_TOKEN, or else OKTA_CLIENT_ID with OKTA_PRIVATE_KEY (PEM) or
// OKTA_PRIVATE_KEY_FILE (a path), and OKTA_KEY_ID and OKTA_SCOPES if
// set. The URL is read as OpenDirectoryURL reads it.
func (o *URLOpener) OpenDirectoryURLWith(ctx context.Context, u *url.URL, s identity.OpenSettings) (*identity.Directory, error) {
	return o.open(ctx, u, s)
}

// credentials fills the credentials from one place: the secrets lookup
// when it has an API token or a client id, else the environment, so that
// a service app from a vault is never mixed with a token left in the
// environment. The API token comes first, else the service app.
func credentials(ctx context.Context, s identity.OpenSettings, opts *Options) error {
	lookup := s.LookupSecret
	tok, err := lookup(ctx, EnvAPIToken)
	if err != nil {
		return err
	}
	id, err := lookup(ctx, EnvClientID)
	if err != nil {
		return err
	}
	if tok == "" && id == "" {
		lookup = func(_ context.Context, name string) (identity.Secret, error) {
			return identity.Secret(s.Env(name)), nil
		}
		tok, _ = lookup(ctx, EnvAPIToken)
		id, _ = lookup(ctx, EnvClientID)
	}
	if tok != "" {
		opts.APIToken = tok
		return nil
	}
	if id == "" {
		return nil // New names what is missing
	}
	opts.ClientID = string(id)
	get := func(name string, set func(string)) error {
		v, err := lookup(ctx, name)
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
			return badOption("PrivateKey", "%s is set but neither %s nor %s is", EnvClientID, EnvPrivateKey, EnvPrivateKeyFile)
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
