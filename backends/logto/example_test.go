package logto_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/logto"
	"github.com/idport/identity/backends/logto/logtotest"
)

// The directory's typed client reaches what the portable API leaves out,
// here whether a user has a password, and a Logto error answer's own
// body is one errors.As away.
func ExampleClient_Do() {
	ctx := context.Background()
	srv := httptest.NewServer(logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: "s3cret-value"}))
	defer srv.Close()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret-value"})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "ada", Password: "correct horse battery"})
	if err != nil {
		log.Fatal(err)
	}

	var c *logto.Client
	if !dir.As(&c) {
		log.Fatal("not a Logto directory")
	}
	var out struct {
		HasPassword bool `json:"hasPassword"`
	}
	if err := c.Do(ctx, "GET", "/api/users/"+url.PathEscape(u.ID)+"/has-password", nil, &out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.HasPassword)

	err = c.Do(ctx, "GET", "/api/users/nosuchuser/has-password", nil, &out)
	var body *logto.APIError
	if errors.As(err, &body) {
		fmt.Println(errors.Is(err, identity.ErrNotFound), body.Code)
	}
	// Output:
	// true
	// true entity.not_found
}

// Personal access tokens, which the portable API has no word for, are
// one typed-client call each: here a user's token is created and the
// user's tokens listed (GET and POST
// /api/users/{userId}/personal-access-tokens). Logto answers with each
// token's value in full, the list included, so it is a secret to keep
// out of logs: this prints only its prefix.
func ExampleClient_Do_personalAccessTokens() {
	ctx := context.Background()
	srv := httptest.NewServer(logtotest.New(logtotest.Options{AppID: "m2m", AppSecret: "s3cret-value"}))
	defer srv.Close()
	dir, err := logto.New(ctx, logto.Options{Endpoint: srv.URL, AppID: "m2m", AppSecret: "s3cret-value"})
	if err != nil {
		log.Fatal(err)
	}
	defer dir.Close()
	u, err := dir.CreateUser(ctx, identity.NewUser{Username: "ada"})
	if err != nil {
		log.Fatal(err)
	}
	var c *logto.Client
	if !dir.As(&c) {
		log.Fatal("not a Logto directory")
	}

	type token struct {
		Name      string `json:"name"`
		Value     string `json:"value"`
		ExpiresAt *int64 `json:"expiresAt"` // milliseconds; nil: never
	}
	path := "/api/users/" + url.PathEscape(u.ID) + "/personal-access-tokens"
	var made token
	if err := c.Do(ctx, "POST", path, map[string]any{"name": "ci-deploy"}, &made); err != nil {
		log.Fatal(err)
	}
	fmt.Println(made.Name, made.Value[:4], made.ExpiresAt == nil)

	// A name is unique per user: Logto's 422 is AlreadyExists.
	err = c.Do(ctx, "POST", path, map[string]any{"name": "ci-deploy"}, nil)
	fmt.Println(errors.Is(err, identity.ErrAlreadyExists))

	var list []token
	if err := c.Do(ctx, "GET", path, nil, &list); err != nil {
		log.Fatal(err)
	}
	for _, t := range list {
		fmt.Println(t.Name, t.Value == made.Value)
	}
	// Output:
	// ci-deploy pat_ true
	// true
	// ci-deploy true
}
