// Command quickstart walks through the portable API on whichever backend
// IDENTITY_URL names (memory:// when unset): it creates a user, gives it a
// role, suspends and reactivates it, checks its password, lists users, and
// cleans up after itself. It exits non-zero on the first failure.
//
//	go run ./examples/quickstart
//	IDENTITY_URL=okta://dev-1.okta.com OKTA_API_TOKEN=... go run ./examples/quickstart
//	IDENTITY_URL=logto://auth.example.com LOGTO_M2M_APP_ID=... LOGTO_M2M_APP_SECRET=... go run ./examples/quickstart
//	IDENTITY_URL='kratos://127.0.0.1:4434?insecure_http=true&public_url=http://127.0.0.1:4433' go run ./examples/quickstart
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/idport/identity"
	_ "github.com/idport/identity/backends/kratos"
	_ "github.com/idport/identity/backends/logto"
	_ "github.com/idport/identity/backends/memory"
	_ "github.com/idport/identity/backends/okta"
	_ "github.com/idport/identity/backends/passage"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Getenv("IDENTITY_URL")); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, dirURL string) (err error) {
	if dirURL == "" {
		dirURL = "memory://"
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	dir, err := identity.Open(ctx, dirURL)
	if err != nil {
		return err
	}
	defer dir.Close()
	caps := dir.Capabilities()
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	say("opened %s", dirURL)

	tag := randomTag()
	nu := identity.NewUser{Email: "ada." + tag + "@example.com"}
	if caps.Names {
		nu.GivenName, nu.FamilyName = "Ada", "Lovelace"
	}
	const password identity.Secret = "Analytical-Engine-1843"
	if caps.SetPassword {
		nu.Password = password
	}
	u, err := dir.CreateUser(ctx, nu)
	if err != nil {
		return err
	}
	say("created user %s <%s>, status %s", u.ID, u.Email, u.Status)
	defer func() {
		if derr := dir.DeleteUser(context.WithoutCancel(ctx), u.ID); derr != nil && err == nil {
			err = derr
		} else if derr == nil {
			say("deleted user %s", u.ID)
		}
	}()

	if caps.Roles {
		role := "editor-" + tag
		if _, err := dir.CreateRole(ctx, identity.Role{Name: role, Description: "can edit"}); err != nil {
			return err
		}
		defer func() { _ = dir.DeleteRole(context.WithoutCancel(ctx), role) }()
		if err := dir.AssignRole(ctx, u.ID, role); err != nil {
			return err
		}
		roles, err := dir.ListUserRoles(ctx, u.ID)
		if err != nil {
			return err
		}
		say("assigned role %q; the user has %d role(s)", role, len(roles))
	} else {
		say("roles: not supported by this backend")
	}

	if err := dir.SuspendUser(ctx, u.ID); err != nil {
		return err
	}
	if got, err := dir.GetUser(ctx, u.ID); err != nil {
		return err
	} else {
		say("suspended: status %s (%s)", got.Status, got.NativeStatus)
	}
	if err := dir.ActivateUser(ctx, u.ID); err != nil {
		return err
	}
	if got, err := dir.GetUser(ctx, u.ID); err != nil {
		return err
	} else {
		say("reactivated: status %s", got.Status)
	}

	if caps.VerifyPassword {
		if err := dir.VerifyPassword(ctx, u.ID, password); err != nil {
			return fmt.Errorf("the right password was refused: %w", err)
		}
		err := dir.VerifyPassword(ctx, u.ID, "not-the-password")
		if !errors.Is(err, identity.ErrInvalidCredentials) {
			return fmt.Errorf("a wrong password was not refused: %v", err)
		}
		say("password verified; a wrong one is refused (%s)", identity.CodeOf(err))
	} else {
		say("passwords: not supported by this backend")
	}

	n := 0
	for x, err := range dir.ListUsers(ctx, identity.ListOptions{Query: tag}) {
		if err != nil {
			return err
		}
		n++
		say("listed %s <%s> %s", x.ID, x.Email, x.Status)
	}
	if n != 1 {
		return fmt.Errorf("listing found %d users, want 1", n)
	}
	return nil
}

func randomTag() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
