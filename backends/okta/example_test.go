package okta_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
)

// The directory's typed client reaches what the portable API leaves out,
// here the apps a user can launch from the Okta dashboard, and an Okta
// error answer's own body is one errors.As away.
func ExampleClient_Do() {
	ctx := context.Background()
	emu := oktatest.New(oktatest.Options{APIToken: "00token"})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: "00token"})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace"})
	if err != nil {
		log.Fatal(err)
	}
	emu.AddAppLink(u.ID, oktatest.AppLink{ID: "00ub0oNGTSWTBKOLGLNR", Label: "Wiki", AppName: "bookmark"})

	var c *okta.Client
	if !dir.As(&c) {
		log.Fatal("not an Okta directory")
	}
	var links []struct {
		Label   string `json:"label"`
		AppName string `json:"appName"`
	}
	if err := c.Do(ctx, "GET", "/api/v1/users/"+url.PathEscape(u.ID)+"/appLinks", nil, &links); err != nil {
		log.Fatal(err)
	}
	fmt.Println(links[0].Label, links[0].AppName)

	err = c.Do(ctx, "GET", "/api/v1/users/00uNoSuchUser/appLinks", nil, &links)
	var body *okta.APIError
	if errors.As(err, &body) {
		fmt.Println(errors.Is(err, identity.ErrNotFound), body.ErrorCode)
	}
	// Output:
	// Wiki bookmark
	// true E0000007
}

// The typed client lists what a user consented to share with apps, Okta's
// scope consent grants, which the portable API leaves out.
func ExampleClient_Do_grants() {
	ctx := context.Background()
	emu := oktatest.New(oktatest.Options{APIToken: "00token"})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	dir, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: "00token"})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace"})
	if err != nil {
		log.Fatal(err)
	}
	// What the user's consent screen would record.
	emu.AddGrant(u.ID, oktatest.Grant{ClientID: "0oa8uwdfx2vwwFDkD0h7", ScopeID: "okta.users.read.self"})

	var c *okta.Client
	if !dir.As(&c) {
		log.Fatal("not an Okta directory")
	}
	var grants []struct {
		ClientID string `json:"clientId"`
		ScopeID  string `json:"scopeId"`
		Source   string `json:"source"`
		Status   string `json:"status"`
	}
	if err := c.Do(ctx, "GET", "/api/v1/users/"+url.PathEscape(u.ID)+"/grants?limit=20", nil, &grants); err != nil {
		log.Fatal(err)
	}
	for _, g := range grants {
		fmt.Println(g.ClientID, g.ScopeID, g.Source, g.Status)
	}
	// Output:
	// 0oa8uwdfx2vwwFDkD0h7 okta.users.read.self END_USER ACTIVE
}
