// Command identity manages the users, roles and organizations of an
// identity directory from a terminal or a script, over any backend
// identity.Open reaches, and moves users between directories:
//
//	go install github.com/idport/identity/cmd/identity@latest
//
//	export IDENTITY_URL=okta://dev-1.okta.com OKTA_API_TOKEN=...
//	identity users list --status active
//	identity users create --email ada@example.com --given-name Ada --password-prompt
//	identity roles assign u1a2b3c editor
//	identity orgs members add o1a2b3c u1a2b3c
//	identity export -o users.jsonl
//	identity import --from auth0 auth0-users.json --journal auth0.journal
//	identity copy okta://dev-1.okta.com logto://auth.example.com --dry-run
//
// The commands:
//
//	users   list | get | create | update | suspend | activate | delete | set-password
//	roles   list | create | delete | assign | revoke
//	orgs    list | get | create | update | delete
//	        members list | add | remove | roles
//	        roles list | create | delete | assign | revoke
//	export  the directory's users to a file, in the project's JSON Lines format
//	import  a file's users into the directory: --from identity, auth0 or firebase
//	copy    SRC_URL DST_URL: every user, with roles, organizations and password hashes
//	help    a command's usage, or a topic: exit-codes, environment
//
// Every command and group answers --help (or -h) with its usage and an
// example, and exits 0.
//
// # The directory and its secrets
//
// The directory is the URL of --url, or else of $IDENTITY_URL, in the
// form identity.Open takes: memory://, okta://{org host}, logto://{endpoint
// host}, kratos://{admin host}, passage://{app id}, with the backends'
// query parameters. Secrets are read from the environment only, under the
// names each backend's URL opener reads (OKTA_API_TOKEN,
// LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET, ORY_API_KEY,
// PASSAGE_API_KEY, ...: "identity help environment" lists them). Each
// Open of memory:// is a new, empty directory that lives as long as the
// command: it keeps nothing from one command to the next, and is for
// trying the commands out.
//
// copy opens two directories, possibly of the same kind with different
// credentials, while the backends read fixed names. So each side reads
// every variable with a prefix first, SRC_ for the source and DST_ for the
// destination (SRC_OKTA_API_TOKEN, DST_LOGTO_M2M_APP_SECRET); the name
// without the prefix serves a side only when the two URLs are of different
// kinds, so that one credential never reaches both sides.
//
// A password, for users create or users set-password, is read from the
// first line of stdin with --password-stdin, or else asked for twice on
// the terminal without echo; never from a flag, where it would reach the
// shell's history and the process list. import --from firebase reads the
// project's signer key and salt separator, base64, from
// $FIREBASE_SIGNER_KEY and $FIREBASE_SALT_SEPARATOR.
//
// # Output
//
// Results go to stdout: for people, aligned tables (an empty cell is
// "-", times are UTC to the minute); with --json, one JSON document per
// run, an object for one thing and an array for a listing, with
// snake_case keys and RFC 3339 times, printed as the listing goes so that
// a long one starts at once. A command that changes something and has no
// object to show (delete, set-password, members add) prints a line for
// people and nothing with --json: its exit status says how it went.
// Errors and the progress bar go to stderr. No output ever holds a
// password, a password hash or a provider's raw record; export writes
// hashes to its file on purpose, and refuses to write them to a terminal.
//
// export, import and copy draw a progress bar on stderr, with the count,
// the rate and, where the total is known, the time left, when stderr is a
// terminal, and nothing otherwise. import and copy print a report: the
// counts of created, matched, updated, skipped, conflicting and failed
// users, what was created besides users, each conflict and failure, and
// each loss of fidelity. Ctrl-C stops them cleanly: the journal is
// flushed, the partial report printed, and the same command with the same
// --journal resumes where it stopped. A second Ctrl-C ends the process at
// once.
//
// # Exit status
//
// By the class of the error (identity.CodeOf), so that a script can tell
// a missing user from an outage:
//
//	0    success
//	1    any other error (Internal, InvalidCredentials, a file that cannot be read, ...)
//	2    usage: an unknown command or flag, a missing or extra argument
//	3    NotFound: no such user, role, organization or member
//	4    AlreadyExists: an email, username, phone or name is taken;
//	     also a copy or import that finished with conflicts and no failures
//	5    InvalidArgument: a malformed id, email, name, password or file record
//	6    Unsupported: the backend cannot carry the field or operation
//	7    Unauthenticated or PermissionDenied: the credentials were refused
//	8    Unavailable or RateLimited: the provider could not serve the call; try later
//	9    FailedPrecondition: the user's status forbids the call
//	10   a copy or import that finished with failed users (its report names them)
//	130  interrupted (Ctrl-C); a copy or import has flushed its journal and
//	     printed the report of what it did
package main
