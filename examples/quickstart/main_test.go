package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/idport/identity/backends/logto/logtotest"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/stretchr/testify/require"
)

func TestQuickstartOnMemory(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, ""))
	for _, want := range []string{"opened memory://", "created user", "assigned role", "suspended: status suspended", "reactivated: status active", "password verified", "listed", "deleted user"} {
		require.Contains(t, out.String(), want)
	}
}

func TestQuickstartBadURL(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, "nosuch://x")
	require.ErrorContains(t, err, "no backend registered")
}

func TestQuickstartOnEmulators(t *testing.T) {
	lsrv := logtotest.NewServer(t, logtotest.Options{AppID: "m2m", AppSecret: "s3cret"})
	t.Setenv("LOGTO_M2M_APP_ID", "m2m")
	t.Setenv("LOGTO_M2M_APP_SECRET", "s3cret")
	psrv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "key"})
	t.Setenv("PASSAGE_API_KEY", "key")
	osrv := oktatest.NewServer(t, oktatest.Options{APIToken: "okta-token"})
	t.Setenv("OKTA_API_TOKEN", "okta-token")
	for _, u := range []string{
		"okta://" + strings.TrimPrefix(osrv.URL, "http://") + "?insecure_http=true",
		"logto://" + strings.TrimPrefix(lsrv.URL, "http://") + "?insecure_http=true",
		"passage://app1?base_url=" + url.QueryEscape(psrv.URL+"/v1"),
	} {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), &out, u), u)
		require.Contains(t, out.String(), "reactivated: status active")
	}
}
