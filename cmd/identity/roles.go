package main

import (
	"context"
	"flag"

	"github.com/idport/identity"
)

func rolesCommand() *command {
	return &command{
		name:    "roles",
		summary: "list, create and delete roles, and assign them to users",
		example: "identity roles create editor --description 'Edits documents'\nidentity roles assign u1a2b3c editor",
		subs: []*command{
			{
				name:    "list",
				summary: "list the roles, or one user's with --user",
				example: "identity roles list\nidentity roles list --user u1a2b3c --json",
				run:     rolesList,
			},
			{
				name:    "create",
				summary: "add a role to the catalogue",
				args:    "NAME",
				example: "identity roles create editor --description 'Edits documents'",
				run:     rolesCreate,
			},
			{
				name:    "delete",
				summary: "delete a role and every assignment of it",
				args:    "NAME",
				example: "identity roles delete editor",
				run:     rolesDelete,
			},
			{
				name:    "assign",
				summary: "give a user roles (idempotent); prints the user's roles",
				args:    "USER_ID ROLE...",
				example: "identity roles assign u1a2b3c editor viewer",
				run:     rolesChange((*identity.Directory).AssignRole),
			},
			{
				name:    "revoke",
				summary: "take roles from a user (idempotent); prints the user's roles",
				args:    "USER_ID ROLE...",
				example: "identity roles revoke u1a2b3c editor",
				run:     rolesChange((*identity.Directory).RevokeRole),
			},
		},
	}
}

func rolesList(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	user := fs.String("user", "", "list the roles of the user with this `id`")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		var roles []*identity.Role
		var err error
		if *user != "" {
			roles, err = dir.ListUserRoles(ctx, *user)
		} else {
			roles, err = dir.ListRoles(ctx)
		}
		if err != nil {
			return err
		}
		return c.printRoles(roles)
	})
}

func rolesCreate(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	desc := fs.String("description", "", "what the role is for")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		r, err := dir.CreateRole(ctx, identity.Role{Name: pos[0], Description: *desc})
		if err != nil {
			return err
		}
		return c.printRoles([]*identity.Role{r})
	})
}

func rolesDelete(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		if err := dir.DeleteRole(ctx, pos[0]); err != nil {
			return err
		}
		c.done("deleted role %s", pos[0])
		return nil
	})
}

// rolesChange is assign or revoke: op for each role in turn, stopping at
// the first error, then the user's roles as they are.
func rolesChange(op func(*identity.Directory, context.Context, string, string) error) func(context.Context, *cli, *flag.FlagSet, []string) error {
	return func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
		pos, err := c.parse(fs, args, 2, -1)
		if err != nil {
			return err
		}
		return c.withDir(ctx, func(dir *identity.Directory) error {
			for _, role := range pos[1:] {
				if err := op(dir, ctx, pos[0], role); err != nil {
					return err
				}
			}
			roles, err := dir.ListUserRoles(ctx, pos[0])
			if err != nil {
				return err
			}
			return c.printRoles(roles)
		})
	}
}
