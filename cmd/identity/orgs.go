package main

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/idport/identity"
)

func orgsCommand() *command {
	return &command{
		name:    "orgs",
		summary: "organizations (tenants), their members, and the roles members hold in them",
		example: "identity orgs create Acme\nidentity orgs members add o1a2b3c u1a2b3c u4d5e6f\nidentity orgs roles assign o1a2b3c u1a2b3c admin",
		subs: []*command{
			{
				name:    "list",
				summary: "list organizations",
				example: "identity orgs list --query acme",
				run:     orgsList,
			},
			{
				name:    "get",
				summary: "print one organization",
				args:    "ID",
				example: "identity orgs get o1a2b3c --json",
				run:     orgsGet,
			},
			{
				name:    "create",
				summary: "create an organization",
				args:    "NAME",
				example: "identity orgs create Acme --description 'Acme Corp.' --metadata '{\"plan\":\"enterprise\"}'",
				run:     orgsCreate,
			},
			{
				name:    "update",
				summary: "change the fields of an organization that the flags name",
				args:    "ID",
				help:    "Only the fields given change. --metadata merges key by key, and a key set to null is removed.",
				example: "identity orgs update o1a2b3c --name 'Acme Inc.'",
				run:     orgsUpdate,
			},
			{
				name:    "delete",
				summary: "delete an organization and its memberships",
				args:    "ID",
				example: "identity orgs delete o1a2b3c",
				run:     orgsDelete,
			},
			orgMembersCommand(),
			orgRolesCommand(),
		},
	}
}

func orgMembersCommand() *command {
	return &command{
		name:    "members",
		summary: "list, add and remove an organization's members",
		example: "identity orgs members list o1a2b3c\nidentity orgs members add o1a2b3c u1a2b3c",
		subs: []*command{
			{
				name:    "list",
				summary: "list an organization's members",
				args:    "ORG_ID",
				example: "identity orgs members list o1a2b3c --json",
				run:     membersList,
			},
			{
				name:    "add",
				summary: "make users members of an organization (idempotent)",
				args:    "ORG_ID USER_ID...",
				example: "identity orgs members add o1a2b3c u1a2b3c u4d5e6f",
				run:     membersAdd,
			},
			{
				name:    "remove",
				summary: "end users' memberships, and their roles there (idempotent)",
				args:    "ORG_ID USER_ID...",
				example: "identity orgs members remove o1a2b3c u4d5e6f",
				run:     membersRemove,
			},
			{
				name:    "roles",
				summary: "list a member's roles in an organization, with what they grant",
				args:    "ORG_ID USER_ID",
				example: "identity orgs members roles o1a2b3c u1a2b3c",
				run:     membersRoles,
			},
		},
	}
}

func orgRolesCommand() *command {
	return &command{
		name:    "roles",
		summary: "the catalogue of organization roles, and members' roles",
		example: "identity orgs roles create admin --permission read:docs --permission write:docs\nidentity orgs roles assign o1a2b3c u1a2b3c admin",
		subs: []*command{
			{
				name:    "list",
				summary: "list the organization roles",
				example: "identity orgs roles list",
				run:     orgRolesList,
			},
			{
				name:    "create",
				summary: "add an organization role to the catalogue",
				args:    "NAME",
				example: "identity orgs roles create admin --description 'Runs the tenant' --permission read:docs --permission write:docs",
				run:     orgRolesCreate,
			},
			{
				name:    "delete",
				summary: "delete an organization role and every assignment of it",
				args:    "NAME",
				example: "identity orgs roles delete admin",
				run:     orgRolesDelete,
			},
			{
				name:    "assign",
				summary: "give a member roles in an organization (idempotent); prints the member's roles",
				args:    "ORG_ID USER_ID ROLE...",
				example: "identity orgs roles assign o1a2b3c u1a2b3c admin",
				run:     orgRolesChange((*identity.Directory).AssignOrganizationRole),
			},
			{
				name:    "revoke",
				summary: "take roles from a member (idempotent); prints the member's roles",
				args:    "ORG_ID USER_ID ROLE...",
				example: "identity orgs roles revoke o1a2b3c u1a2b3c admin",
				run:     orgRolesChange((*identity.Directory).RevokeOrganizationRole),
			},
		},
	}
}

func orgsList(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	var opts identity.OrganizationListOptions
	fs.StringVar(&opts.Query, "query", "", "only organizations whose name contains this (ignoring case)")
	limit := fs.Int("limit", 0, "print at most this many organizations; 0 prints all")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("--limit must not be negative")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		var arr *jsonArray
		var t *table
		if c.json {
			arr = &jsonArray{w: c.env.Stdout}
		} else {
			t = newTable(c.env.Stdout, "ID", "NAME", "DESCRIPTION", "CREATED")
		}
		n := 0
		var listErr error
		for o, err := range dir.ListOrganizations(ctx, opts) {
			if err != nil {
				listErr = err
				break
			}
			if arr != nil {
				if err := arr.add(toOrgJSON(o)); err != nil {
					return err
				}
			} else {
				t.row(o.ID, o.Name, o.Description, when(o.CreatedAt))
			}
			if n++; *limit > 0 && n >= *limit {
				break
			}
		}
		var err error
		if arr != nil {
			err = arr.close()
		} else {
			err = t.flush()
		}
		if err != nil {
			return err
		}
		return listErr
	})
}

func orgsGet(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		o, err := dir.GetOrganization(ctx, pos[0])
		if err != nil {
			return err
		}
		return c.printOrg(o)
	})
}

func orgsCreate(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	desc := fs.String("description", "", "what the organization is")
	metadata := fs.String("metadata", "", "custom attributes as a JSON `object`")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	md, err := parseMetadata(*metadata)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		o, err := dir.CreateOrganization(ctx, identity.NewOrganization{Name: pos[0], Description: *desc, Metadata: md})
		if err != nil {
			return err
		}
		return c.printOrg(o)
	})
}

func orgsUpdate(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	name := fs.String("name", "", "the new name")
	desc := fs.String("description", "", "the new description; empty clears it")
	metadata := fs.String("metadata", "", "custom attributes to merge, as a JSON `object`")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var up identity.OrganizationUpdate
	if flagSet(fs, "name") {
		up.Name = name
	}
	if flagSet(fs, "description") {
		up.Description = desc
	}
	if up.Metadata, err = parseMetadata(*metadata); err != nil {
		return err
	}
	if up.IsZero() {
		return usagef("nothing to change: give --name, --description or --metadata")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		o, err := dir.UpdateOrganization(ctx, pos[0], up)
		if err != nil {
			return err
		}
		return c.printOrg(o)
	})
}

func orgsDelete(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		if err := dir.DeleteOrganization(ctx, pos[0]); err != nil {
			return err
		}
		c.done("deleted organization %s", pos[0])
		return nil
	})
}

func membersList(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	limit := fs.Int("limit", 0, "print at most this many members; 0 prints all")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("--limit must not be negative")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		return c.printUsers(dir.ListMembers(ctx, pos[0], identity.MemberListOptions{}), *limit)
	})
}

func membersAdd(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 2, -1)
	if err != nil {
		return err
	}
	org, users := pos[0], pos[1:]
	return c.withDir(ctx, func(dir *identity.Directory) error {
		for len(users) > 0 {
			n := min(len(users), identity.MaxMembersPerCall)
			if err := dir.AddMembers(ctx, org, users[:n]...); err != nil {
				return err
			}
			users = users[n:]
		}
		c.done("added %s to organization %s", plural(len(pos)-1, "member"), org)
		return nil
	})
}

func membersRemove(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 2, -1)
	if err != nil {
		return err
	}
	org := pos[0]
	return c.withDir(ctx, func(dir *identity.Directory) error {
		for _, u := range pos[1:] {
			if err := dir.RemoveMember(ctx, org, u); err != nil {
				return err
			}
		}
		c.done("removed %s from organization %s", plural(len(pos)-1, "member"), org)
		return nil
	})
}

func membersRoles(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		roles, err := dir.ListMemberRoles(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		return c.printOrgRoles(roles)
	})
}

func orgRolesList(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		roles, err := dir.ListOrganizationRoles(ctx)
		if err != nil {
			return err
		}
		return c.printOrgRoles(roles)
	})
}

// stringList is a flag that may be given more than once.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func orgRolesCreate(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	desc := fs.String("description", "", "what the role is for")
	var perms stringList
	fs.Var(&perms, "permission", "a `permission` the role grants, where the backend has them; repeat for more")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		r, err := dir.CreateOrganizationRole(ctx, identity.OrganizationRole{Name: pos[0], Description: *desc, Permissions: perms})
		if err != nil {
			return err
		}
		return c.printOrgRoles([]*identity.OrganizationRole{r})
	})
}

func orgRolesDelete(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		if err := dir.DeleteOrganizationRole(ctx, pos[0]); err != nil {
			return err
		}
		c.done("deleted organization role %s", pos[0])
		return nil
	})
}

// orgRolesChange is assign or revoke: op for each role in turn, stopping
// at the first error, then the member's roles as they are.
func orgRolesChange(op func(*identity.Directory, context.Context, string, string, string) error) func(context.Context, *cli, *flag.FlagSet, []string) error {
	return func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
		pos, err := c.parse(fs, args, 3, -1)
		if err != nil {
			return err
		}
		org, user := pos[0], pos[1]
		return c.withDir(ctx, func(dir *identity.Directory) error {
			for _, role := range pos[2:] {
				if err := op(dir, ctx, org, user, role); err != nil {
					return err
				}
			}
			roles, err := dir.ListMemberRoles(ctx, org, user)
			if err != nil {
				return err
			}
			return c.printOrgRoles(roles)
		})
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
