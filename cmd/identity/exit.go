package main

import (
	"context"
	"errors"

	"github.com/idport/identity"
)

// The exit statuses, by class of error; the package doc and
// "identity help exit-codes" list them, and scripts may rely on them.
const (
	exitOK                 = 0
	exitOther              = 1
	exitUsage              = 2
	exitNotFound           = 3
	exitAlreadyExists      = 4 // also: a copy or import that met conflicts
	exitInvalidArgument    = 5
	exitUnsupported        = 6
	exitDenied             = 7 // Unauthenticated or PermissionDenied
	exitUnavailable        = 8 // Unavailable, RateLimited, or a deadline passed
	exitFailedPrecondition = 9
	exitPartial            = 10 // a copy or import in which some users failed
	exitInterrupted        = 130
)

const exitCodesHelp = `Exit status of every identity command:

  0    success
  1    any other error (Internal, InvalidCredentials, a file that cannot be read, ...)
  2    usage: an unknown command or flag, a missing or extra argument
  3    NotFound: no such user, role, organization or member
  4    AlreadyExists: an email, username, phone or name is taken;
       also a copy or import that finished with conflicts and no failures
  5    InvalidArgument: a malformed id, email, name, password or file record
  6    Unsupported: the backend cannot carry the field or operation
  7    Unauthenticated or PermissionDenied: the credentials were refused
  8    Unavailable or RateLimited: the provider could not serve the call; try later
  9    FailedPrecondition: the user's status forbids the call
  10   a copy or import that finished with failed users (its report names them)
  130  interrupted (Ctrl-C); a copy or import has flushed its journal and
       printed the report of what it did
`

// exitCode maps the error a command returned to the process's exit
// status. ctx is the run's: an error after it was cancelled is an
// interruption, whatever wrapped it.
func exitCode(ctx context.Context, err error) int {
	var ue *usageError
	var se *statusError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &se):
		return se.code
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		return exitUnavailable
	}
	switch identity.CodeOf(err) {
	case identity.NotFound:
		return exitNotFound
	case identity.AlreadyExists:
		return exitAlreadyExists
	case identity.InvalidArgument:
		return exitInvalidArgument
	case identity.Unsupported:
		return exitUnsupported
	case identity.Unauthenticated, identity.PermissionDenied:
		return exitDenied
	case identity.Unavailable, identity.RateLimited:
		return exitUnavailable
	case identity.FailedPrecondition:
		return exitFailedPrecondition
	}
	return exitOther
}

// describe is the message printed for err.
func describe(ctx context.Context, err error) string {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return err.Error()
}
