package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// The first Ctrl-C cancels ctx, so that a copy flushes its journal
	// and reports; once it has, the signal's default action is back, and
	// a second Ctrl-C ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	stdin := int(os.Stdin.Fd())
	env := Env{
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		Getenv:         os.Getenv,
		StdinTerminal:  term.IsTerminal(stdin),
		StdoutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		ReadPassword:   func() ([]byte, error) { return term.ReadPassword(stdin) },
	}
	code := run(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
