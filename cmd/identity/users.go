package main

import (
	"context"
	"encoding/json"
	"flag"

	"github.com/idport/identity"
)

func usersCommand() *command {
	return &command{
		name:    "users",
		summary: "list, read, create, change and delete users",
		example: "identity users list --query ada\nidentity users get --email ada@example.com --json",
		subs: []*command{
			{
				name:    "list",
				summary: "list users, filtered",
				help:    "Filters combine with AND. The table has one user a line; --json prints an array.",
				example: "identity users list --status suspended\nidentity users list --query example.com --json | jq -r '.[].email'",
				run:     usersList,
			},
			{
				name:    "get",
				summary: "print one user, by id, email or username",
				args:    "[ID]",
				example: "identity users get u1a2b3c\nidentity users get --email ada@example.com",
				run:     usersGet,
			},
			{
				name:    "create",
				summary: "create a user",
				help: `The user needs an email, username or phone the backend accepts. A password,
if any, is read from stdin (--password-stdin, one line) or asked for twice on
the terminal (--password-prompt), never taken from a flag; without either the
user has none. Prints the user as the provider stored it.`,
				example: "identity users create --email ada@example.com --given-name Ada --family-name Lovelace --password-prompt\n" +
					"printf '%s\\n' \"$PW\" | identity users create --email grace@example.com --password-stdin --json",
				run: usersCreate,
			},
			{
				name:    "update",
				summary: "change the fields of a user that the flags name",
				args:    "ID",
				help: `Only the fields given change; an empty value clears an optional field.
--metadata merges key by key, and a key set to null is removed.`,
				example: "identity users update u1a2b3c --display-name 'Ada L.' --metadata '{\"plan\":\"pro\",\"trial\":null}'",
				run:     usersUpdate,
			},
			{
				name:    "suspend",
				summary: "stop a user from signing in (idempotent)",
				args:    "ID",
				example: "identity users suspend u1a2b3c",
				run:     lifecycle((*identity.Directory).SuspendUser),
			},
			{
				name:    "activate",
				summary: "let a suspended, pending, locked or deprovisioned user sign in (idempotent)",
				args:    "ID",
				example: "identity users activate u1a2b3c",
				run:     lifecycle((*identity.Directory).ActivateUser),
			},
			{
				name:    "delete",
				summary: "delete a user permanently",
				args:    "ID",
				example: "identity users delete u1a2b3c",
				run:     usersDelete,
			},
			{
				name:    "set-password",
				summary: "set a user's password without the old one",
				args:    "ID",
				help: `The password is read from stdin (--password-stdin, one line) or, on a
terminal, asked for twice without echo. It is never taken from a flag.`,
				example: "identity users set-password u1a2b3c\nprintf '%s\\n' \"$PW\" | identity users set-password u1a2b3c --password-stdin",
				run:     usersSetPassword,
			},
		},
	}
}

func usersList(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	var opts identity.ListOptions
	status := fs.String("status", "", "only users in this status: pending, active, suspended, locked or deprovisioned")
	fs.StringVar(&opts.Email, "email", "", "only the user with this email (ignoring case)")
	fs.StringVar(&opts.Username, "username", "", "only the user with this username")
	fs.StringVar(&opts.Query, "query", "", "only users whose email or username contains this (ignoring case)")
	limit := fs.Int("limit", 0, "print at most this many users; 0 prints all")
	fs.IntVar(&opts.PageSize, "page-size", 0, "users fetched per request; 0 means the backend's default")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *status != "" {
		opts.Status = identity.Status(*status)
		if !opts.Status.Valid() {
			return usagef("--status %q is not one of pending, active, suspended, locked, deprovisioned", *status)
		}
	}
	if *limit < 0 {
		return usagef("--limit must not be negative")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		return c.printUsers(dir.ListUsers(ctx, opts), *limit)
	})
}

func usersGet(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	email := fs.String("email", "", "find the user by email (ignoring case) instead of by id")
	username := fs.String("username", "", "find the user by username instead of by id")
	pos, err := c.parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	given := len(pos)
	if *email != "" {
		given++
	}
	if *username != "" {
		given++
	}
	if given != 1 {
		return usagef("want one of ID, --email or --username")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		var u *identity.User
		var err error
		switch {
		case *email != "":
			u, err = dir.GetUserByEmail(ctx, *email)
		case *username != "":
			u, err = dir.GetUserByUsername(ctx, *username)
		default:
			u, err = dir.GetUser(ctx, pos[0])
		}
		if err != nil {
			return err
		}
		return c.printUser(u)
	})
}

// userFlags are the fields create and update take.
type userFlags struct {
	username, email, phone, given, family, display, metadata *string
}

func addUserFlags(fs *flag.FlagSet) userFlags {
	return userFlags{
		username: fs.String("username", "", "the username"),
		email:    fs.String("email", "", "the email address"),
		phone:    fs.String("phone", "", "the phone number, E.164 (+14155550100)"),
		given:    fs.String("given-name", "", "the given name"),
		family:   fs.String("family-name", "", "the family name"),
		display:  fs.String("display-name", "", "the name to display"),
		metadata: fs.String("metadata", "", "custom attributes as a JSON `object`"),
	}
}

// parseMetadata reads --metadata's JSON object; "" is none.
func parseMetadata(s string) (map[string]any, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, usagef("--metadata is not a JSON object")
	}
	return m, nil
}

func usersCreate(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	f := addUserFlags(fs)
	pending := fs.Bool("pending", false, "create the user pending (not yet able to sign in), where the backend has that status")
	pwStdin := fs.Bool("password-stdin", false, "read the initial password from stdin, one line")
	pwPrompt := fs.Bool("password-prompt", false, "ask for the initial password on the terminal, twice, without echo")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *pwStdin && *pwPrompt {
		return usagef("--password-stdin and --password-prompt exclude each other")
	}
	md, err := parseMetadata(*f.metadata)
	if err != nil {
		return err
	}
	nu := identity.NewUser{
		Username: *f.username, Email: *f.email, Phone: *f.phone,
		GivenName: *f.given, FamilyName: *f.family, DisplayName: *f.display, Metadata: md,
	}
	if *pending {
		nu.Status = identity.StatusPending
	}
	if *pwStdin || *pwPrompt {
		if nu.Password, err = c.readPassword(*pwStdin); err != nil {
			return err
		}
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		u, err := dir.CreateUser(ctx, nu)
		if err != nil {
			return err
		}
		return c.printUser(u)
	})
}

func usersUpdate(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	f := addUserFlags(fs)
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var up identity.UserUpdate
	set := func(name string, v *string) *string {
		if flagSet(fs, name) {
			return v
		}
		return nil
	}
	up.Username = set("username", f.username)
	up.Email = set("email", f.email)
	up.Phone = set("phone", f.phone)
	up.GivenName = set("given-name", f.given)
	up.FamilyName = set("family-name", f.family)
	up.DisplayName = set("display-name", f.display)
	if up.Metadata, err = parseMetadata(*f.metadata); err != nil {
		return err
	}
	if up.IsZero() {
		return usagef("nothing to change: give a field's flag, such as --display-name")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		u, err := dir.UpdateUser(ctx, pos[0], up)
		if err != nil {
			return err
		}
		return c.printUser(u)
	})
}

// lifecycle is the command of a status change, which prints the user
// afterwards.
func lifecycle(op func(*identity.Directory, context.Context, string) error) func(context.Context, *cli, *flag.FlagSet, []string) error {
	return func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
		pos, err := c.parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		return c.withDir(ctx, func(dir *identity.Directory) error {
			if err := op(dir, ctx, pos[0]); err != nil {
				return err
			}
			u, err := dir.GetUser(ctx, pos[0])
			if err != nil {
				return err
			}
			return c.printUser(u)
		})
	}
}

func usersDelete(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		if err := dir.DeleteUser(ctx, pos[0]); err != nil {
			return err
		}
		c.done("deleted user %s", pos[0])
		return nil
	})
}

func usersSetPassword(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pwStdin := fs.Bool("password-stdin", false, "read the password from stdin, one line, instead of asking on the terminal")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	pw, err := c.readPassword(*pwStdin)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		if err := dir.SetPassword(ctx, pos[0], pw); err != nil {
			return err
		}
		c.done("set the password of user %s", pos[0])
		return nil
	})
}
