package kratos_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/kratos/kratostest"
)

// The directory's typed client reaches what the portable API leaves out,
// here the sessions a user has, and a Kratos error answer's own body is
// one errors.As away.
func ExampleClient_Do() {
	ctx := context.Background()
	emu := kratostest.New(kratostest.Options{})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	dir, err := kratos.New(ctx, kratos.Options{AdminURL: srv.URL, PublicURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	emu.SignIn(u.ID) // as the user signing in on a phone would

	var c *kratos.Client
	if !dir.As(&c) {
		log.Fatal("not a Kratos directory")
	}
	var sessions []struct {
		Active bool `json:"active"`
	}
	if err := c.Do(ctx, "GET", "/admin/identities/"+url.PathEscape(u.ID)+"/sessions", nil, &sessions); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(sessions), sessions[0].Active)

	err = c.Do(ctx, "DELETE", "/admin/identities/00000000-0000-4000-8000-000000000001/sessions", nil, nil)
	var body *kratos.APIError
	if errors.As(err, &body) {
		fmt.Println(errors.Is(err, identity.ErrNotFound), body.Message)
	}
	// Output:
	// 1 true
	// true Unable to locate the resource
}

// A directory over a self-hosted Kratos, whose identity schema keeps a
// username and a phone besides Kratos's person schema's fields.
func ExampleNew() {
	dir, err := kratos.New(context.Background(), kratos.Options{
		AdminURL:  "http://127.0.0.1:4434",
		PublicURL: "http://127.0.0.1:4433",
		Traits: kratos.Traits{Email: "email", Username: "username", Phone: "phone",
			GivenName: "name.first", FamilyName: "name.last"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	caps := dir.Capabilities()
	fmt.Println(caps.Username, caps.UniquePhone, caps.DisplayName, caps.VerifyPassword)
	// Output: true true false true
}
