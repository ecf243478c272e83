package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/idport/identity"
)

// Env is everything a run of the command touches outside itself, so that
// tests can run it in-process: main fills it from package os.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the process environment, where the URL and every
	// secret come from.
	Getenv func(string) string
	// StdinTerminal, StdoutTerminal and StderrTerminal report whether
	// each stream is a terminal: a password is prompted for only on one,
	// and the progress bar drawn only on one.
	StdinTerminal  bool
	StdoutTerminal bool
	StderrTerminal bool
	// ReadPassword reads one line from the terminal on stdin without
	// echoing it. It is called only when StdinTerminal.
	ReadPassword func() ([]byte, error)
	// Open opens the directory urlstr names; its backend reads its
	// secrets through getenv, not from the process environment. Nil
	// means openURL, over identity.Open.
	Open func(ctx context.Context, urlstr string, getenv func(string) string) (*identity.Directory, error)
}

// command is a node of the command tree: a group, with subs, or a leaf,
// with run.
type command struct {
	name    string
	summary string // one line, for the group's listing
	args    string // the positional arguments, in the usage line
	help    string // what the command does, beyond the summary
	example string // at least one invocation, shown by --help
	subs    []*command
	// noURL and noJSON leave out the common flags: for commands that
	// take their URLs as arguments (copy), or print no result (help).
	noURL, noJSON bool
	// run adds the command's own flags to fs, parses args with c.parse
	// and does the work. fs already has --url and --json.
	run func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error
}

// cli is one run's state: its environment and the flags every command
// takes.
type cli struct {
	env  Env
	path string // "identity users get", for messages
	cmd  *command
	url  string
	json bool
}

// usageError is a mistake in the command line; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp is what parse returns once it has printed the usage that
// --help asked for.
var errHelp = errors.New("help printed")

// run runs the command line args (without the program name) in env, and
// returns the exit status; see exitCode and the package doc.
func run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Open == nil {
		env.Open = openURL
	}
	c := &cli{env: env}
	err := c.dispatch(ctx, root(), []string{"identity"}, args)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	code := exitCode(ctx, err)
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "%s: %s (see '%s --help')\n", c.path, ue.msg, c.path)
	case errors.As(err, new(*statusError)):
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(env.Stderr, "%s: %s\n", c.path, msg)
		}
	case err != nil:
		fmt.Fprintf(env.Stderr, "%s: %s\n", c.path, describe(ctx, err))
	}
	return code
}

// dispatch walks args down the tree from cmd to a leaf and runs it.
func (c *cli) dispatch(ctx context.Context, cmd *command, path, args []string) error {
	c.path = strings.Join(path, " ")
	c.cmd = cmd
	if cmd.run != nil {
		fs := flag.NewFlagSet(c.path, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Usage = func() {}
		if !cmd.noURL {
			fs.StringVar(&c.url, "url", c.url, "the directory's URL (default $IDENTITY_URL)")
		}
		if !cmd.noJSON {
			fs.BoolVar(&c.json, "json", c.json, "print JSON for scripts instead of a table")
		}
		return cmd.run(ctx, c, fs, args)
	}
	if len(path) == 1 {
		// The program's own flags, which every leaf takes too, may come
		// before the command.
		var err error
		if args, err = c.rootFlags(args); err != nil {
			return err
		}
	}
	if len(args) == 0 {
		if len(path) == 1 {
			c.groupUsage(c.env.Stderr, cmd)
			return &statusError{code: exitUsage}
		}
		return usagef("%s needs a command: %s", c.path, subNames(cmd))
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		c.groupUsage(c.env.Stdout, cmd)
		return errHelp
	}
	for _, s := range cmd.subs {
		if s.name == name {
			return c.dispatch(ctx, s, append(path, name), args[1:])
		}
	}
	return usagef("unknown command %q; want one of %s", name, subNames(cmd))
}

// statusError ends a run with an exit status of its own and a message,
// which may be empty when what needed saying has been printed.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// rootFlags parses the flags given before the command.
func (c *cli) rootFlags(args []string) ([]string, error) {
	fs := flag.NewFlagSet("identity", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&c.url, "url", "", "")
	fs.BoolVar(&c.json, "json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.groupUsage(c.env.Stdout, root())
			return nil, errHelp
		}
		return nil, usagef("%s", err)
	}
	return fs.Args(), nil
}

// parse parses a leaf's args, flags and positional arguments in any
// order ("--" ends the flags), and checks that there are min to max
// positional arguments (max < 0: no bound). On --help it prints the usage
// and returns errHelp.
func (c *cli) parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.leafUsage(c.env.Stdout, fs)
				return nil, errHelp
			}
			return nil, usagef("%s", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		// flag stops at the first argument that is not a flag, or after
		// "--"; tell them apart by what was consumed.
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < min:
		if c.cmd.args != "" {
			return nil, usagef("want %s", c.cmd.args)
		}
		return nil, usagef("want %d arguments", min)
	case max >= 0 && len(pos) > max:
		if max == 0 {
			return nil, usagef("takes no arguments, got %q", pos[0])
		}
		return nil, usagef("too many arguments: want %s", c.cmd.args)
	}
	return pos, nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func subNames(cmd *command) string {
	names := make([]string, len(cmd.subs))
	for i, s := range cmd.subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// open opens the directory --url or $IDENTITY_URL names.
func (c *cli) open(ctx context.Context) (*identity.Directory, error) {
	u := c.url
	if u == "" {
		u = c.env.Getenv(EnvURL)
	}
	if u == "" {
		return nil, usagef("no directory: pass --url or set %s (for example memory:// or okta://dev-1.okta.com)", EnvURL)
	}
	return c.env.Open(ctx, u, c.env.Getenv)
}

// withDir opens the directory, runs f over it and closes it.
func (c *cli) withDir(ctx context.Context, f func(*identity.Directory) error) error {
	dir, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer dir.Close()
	return f(dir)
}
