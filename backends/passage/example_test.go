package passage_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
)

// The directory's typed client reaches what the portable API leaves out,
// here the passkeys a user has registered, and a Passage error answer's
// own body is one errors.As away. Paths are relative to the base URL,
// which ends in /v1, so they begin with /apps/{app_id}.
func ExampleClient_Do() {
	ctx := context.Background()
	emu := passagetest.New(passagetest.Options{AppID: "app1", APIKey: "passage-key"})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	dir, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "passage-key", BaseURL: srv.URL + "/v1"})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	emu.AddDevice(u.ID, passagetest.Device{FriendlyName: "Ada's laptop"})

	var c *passage.Client
	if !dir.As(&c) {
		log.Fatal("not a Passage directory")
	}
	var out struct {
		Devices []struct {
			FriendlyName string `json:"friendly_name"`
			Type         string `json:"type"`
		} `json:"devices"`
	}
	if err := c.Do(ctx, "GET", "/apps/app1/users/"+url.PathEscape(u.ID)+"/devices", nil, &out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Devices[0].FriendlyName, out.Devices[0].Type)

	err = c.Do(ctx, "GET", "/apps/app1/users/nosuchuser/devices", nil, &out)
	var body *passage.APIError
	if errors.As(err, &body) {
		fmt.Println(errors.Is(err, identity.ErrNotFound), body.Code)
	}
	// Output:
	// Ada's laptop passkey
	// true user_not_found
}
