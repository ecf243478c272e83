package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// root is the command tree.
func root() *command {
	return &command{
		name:    "identity",
		summary: "manage the users, roles and organizations of an identity directory",
		help: `The directory is the URL given with --url or in $IDENTITY_URL, as
identity.Open takes it: memory://, okta://{org host}, logto://{endpoint host},
kratos://{admin host} or passage://{app id}. Secrets come from the environment
only, under the names each backend reads ('identity help environment').`,
		example: `export IDENTITY_URL=okta://dev-1.okta.com OKTA_API_TOKEN=...
identity users list --status active
identity users create --email ada@example.com --given-name Ada --password-prompt
identity copy okta://dev-1.okta.com logto://auth.example.com --journal okta-logto.journal`,
		subs: []*command{usersCommand(), rolesCommand(), orgsCommand(), exportCommand(), importCommand(), copyCommand(), helpTopicCommand()},
	}
}

func helpTopicCommand() *command {
	return &command{
		name:    "help",
		summary: "help on a command, or on a topic: exit-codes, environment",
		args:    "[COMMAND... | exit-codes | environment]",
		example: "identity help exit-codes\nidentity help users create",
		noURL:   true,
		noJSON:  true,
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			pos, err := c.parse(fs, args, 0, -1)
			if err != nil {
				return err
			}
			return c.helpCommand(ctx, pos)
		},
	}
}

// helpCommand prints the help on a topic or a command.
func (c *cli) helpCommand(ctx context.Context, args []string) error {
	if len(args) == 1 {
		switch args[0] {
		case "exit-codes":
			fmt.Fprint(c.env.Stdout, exitCodesHelp)
			return errHelp
		case "environment":
			fmt.Fprint(c.env.Stdout, environmentHelp())
			return errHelp
		}
	}
	return c.dispatch(ctx, root(), []string{"identity"}, append(args[:len(args):len(args)], "--help"))
}

// groupUsage prints a group's usage: its commands and an example.
func (c *cli) groupUsage(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: %s COMMAND [flags] [arguments]\n\n", c.path)
	fmt.Fprintf(w, "%s%s.\n", strings.ToUpper(cmd.summary[:1]), cmd.summary[1:])
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", cmd.help)
	}
	fmt.Fprintf(w, "\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range cmd.subs {
		fmt.Fprintf(tw, "  %s\t%s\n", s.name, s.summary)
	}
	tw.Flush()
	if c.path == "identity" {
		fmt.Fprintf(w, "\nEvery command takes --url URL (default $%s) and --json (JSON for scripts).\n", EnvURL)
	}
	fmt.Fprintf(w, "\nExample:\n%s\n", indent(cmd.example))
	fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags and an example.\n", c.path)
}

// leafUsage prints a command's usage: its arguments, flags and example.
func (c *cli) leafUsage(w io.Writer, fs *flag.FlagSet) {
	cmd := c.cmd
	line := c.path + " [flags]"
	if cmd.args != "" {
		line += " " + cmd.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n", line)
	fmt.Fprintf(w, "%s%s.\n", strings.ToUpper(cmd.summary[:1]), cmd.summary[1:])
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", cmd.help)
	}
	fmt.Fprintf(w, "\nFlags:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if kind != "" {
			name += " " + kind
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && f.Name != "url" && f.Name != "json" {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, usage)
	})
	tw.Flush()
	fmt.Fprintf(w, "\nExample:\n%s\n", indent(cmd.example))
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}
