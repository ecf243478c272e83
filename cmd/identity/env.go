package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/logto"
	_ "github.com/idport/identity/backends/memory"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/passage"
)

// EnvURL names the directory when --url does not.
const EnvURL = "IDENTITY_URL"

// The environment variables of "import --from firebase": the project's
// hash parameters, base64 as the Firebase console shows them.
const (
	EnvFirebaseSignerKey     = "FIREBASE_SIGNER_KEY"
	EnvFirebaseSaltSeparator = "FIREBASE_SALT_SEPARATOR"
)

// The prefixes of copy's per-side variables.
const (
	srcPrefix = "SRC_"
	dstPrefix = "DST_"
)

// backendEnv lists, by scheme, the variables each backend's URL opener
// reads.
var backendEnv = []struct {
	scheme string
	names  []string
}{
	{"okta", []string{okta.EnvAPIToken, okta.EnvClientID, okta.EnvPrivateKey, okta.EnvPrivateKeyFile, okta.EnvKeyID, okta.EnvScopes}},
	{"logto", []string{logto.EnvAppID, logto.EnvAppSecret, logto.EnvResource}},
	{"kratos", []string{kratos.EnvAPIKey}},
	{"passage", []string{passage.EnvAPIKey}},
}

// openURL opens urlstr with identity.Open, its backend reading the
// variables getenv gives and never the process's: that is what lets the
// two sides of a copy to the same kind of backend hold different
// credentials, and keeps the one side's from reaching the other.
func openURL(ctx context.Context, urlstr string, getenv func(string) string) (*identity.Directory, error) {
	return identity.Open(ctx, urlstr, identity.WithEnvironment(getenv))
}

// sideEnv is the environment one side of a copy opens with: each variable
// is read as prefix+NAME first, then as NAME when plain is true. copy
// passes plain only when the two URLs are of different schemes, so that
// one credential never goes to both sides.
func sideEnv(getenv func(string) string, prefix string, plain bool) func(string) string {
	return func(name string) string {
		if v := getenv(prefix + name); v != "" {
			return v
		}
		if plain {
			return getenv(name)
		}
		return ""
	}
}

// scheme returns the URL's scheme, lower-cased, or "" when it has none.
func scheme(urlstr string) string {
	u, err := url.Parse(urlstr)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme)
}

func environmentHelp() string {
	var b strings.Builder
	b.WriteString(`Environment variables. Secrets are read from the environment only, never
from a flag or the URL (a URL with credentials in it is refused).

`)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\tthe directory, when --url is not given\n", EnvURL)
	for _, e := range backendEnv {
		fmt.Fprintf(tw, "  %s://\t%s\n", e.scheme, strings.Join(e.names, ", "))
	}
	fmt.Fprintf(tw, "  import --from firebase\t%s, %s (base64)\n", EnvFirebaseSignerKey, EnvFirebaseSaltSeparator)
	tw.Flush()
	b.WriteString(`
okta:// takes OKTA_API_TOKEN, or a service app: OKTA_CLIENT_ID with
OKTA_PRIVATE_KEY (PEM) or OKTA_PRIVATE_KEY_FILE. logto:// takes
LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET. kratos:// needs ORY_API_KEY only
on Ory Network. memory:// needs none.

copy opens two directories, which may be of the same kind with different
credentials. Each side reads every variable above with a prefix first:
SRC_ for the source, DST_ for the destination (SRC_OKTA_API_TOKEN,
DST_LOGTO_M2M_APP_SECRET). A variable without the prefix is used for a side
only when the two URLs are of different kinds, so that one credential never
reaches both; between two okta:// URLs, say, set SRC_OKTA_API_TOKEN and
DST_OKTA_API_TOKEN.
`)
	return b.String()
}
