package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/migrate"
)

func exportCommand() *command {
	return &command{
		name:    "export",
		summary: "write every user, with roles, organizations and password hashes, to a file",
		help: `The file is the project's JSON Lines format (docs/MIGRATION.md), which import
reads back into any directory. It holds password hashes where the backend
hands them out, so it is as sensitive as a password database: -o creates it
readable by its owner only, and export will not write it to a terminal.
What the backend could not export (a hash it keeps to itself) is reported
on stderr and carried in the file.`,
		example: "identity export -o users.jsonl\nidentity export --url okta://dev-1.okta.com > okta.jsonl",
		run:     exportRun,
	}
}

func importCommand() *command {
	return &command{
		name:    "import",
		summary: "create the users of a file in the directory (resumable, idempotent)",
		args:    "FILE",
		help: `FILE is "-" for stdin. --from says what wrote it: identity (export's
format, the default), auth0 (Auth0's user export, JSON Lines, with password
hashes where Auth0 support gave them), or firebase (firebase auth:export's
JSON, whose scrypt hashes need the project's hash parameters: the signer key
and salt separator, base64, from $` + EnvFirebaseSignerKey + ` and
$` + EnvFirebaseSaltSeparator + `, and --rounds and --mem-cost).
Users already in the directory are matched by username, then email, never
duplicated; --journal makes a rerun skip what a run before finished.
The report lists conflicts, failures and every loss of fidelity.`,
		example: "identity import users.jsonl --journal import.journal\n" +
			"identity import --from auth0 auth0-users.json --dry-run\n" +
			"FIREBASE_SIGNER_KEY=... FIREBASE_SALT_SEPARATOR=Bw== identity import --from firebase users.json --rounds 8 --mem-cost 14",
		run: importRun,
	}
}

func copyCommand() *command {
	return &command{
		name:    "copy",
		summary: "copy every user, with roles and organizations, from one directory to another (resumable, idempotent)",
		args:    "SRC_URL DST_URL",
		help: `Each user of the source is looked for in the destination (by username, then
email) and created there when missing, with its password hash where both
sides can carry one, its roles, organizations and status. A rerun with the
same --journal skips the users the journal says are done; Ctrl-C stops
cleanly with the journal flushed, and the same command resumes.
The two sides read their secrets with a prefix first, SRC_ and DST_
(SRC_OKTA_API_TOKEN, DST_LOGTO_M2M_APP_SECRET); unprefixed names serve a
side only when the two URLs are of different kinds ('identity help environment').`,
		example: "SRC_OKTA_API_TOKEN=... DST_OKTA_API_TOKEN=... identity copy okta://dev-1.okta.com okta://acme.okta.com --dry-run\n" +
			"SRC_OKTA_API_TOKEN=... DST_LOGTO_M2M_APP_ID=... DST_LOGTO_M2M_APP_SECRET=... \\\n" +
			"  identity copy okta://dev-1.okta.com logto://auth.example.com --journal okta-logto.journal",
		noURL: true,
		run:   copyRun,
	}
}

// migrateFlags are the flags import and copy share.
type migrateFlags struct {
	journal     *string
	concurrency *int
	dryRun      *bool
	update      *bool
	overwrite   *bool
}

func addMigrateFlags(fs *flag.FlagSet) migrateFlags {
	return migrateFlags{
		journal:     fs.String("journal", "", "append what is done to this `file`, and skip what it says a run before finished"),
		concurrency: fs.Int("concurrency", 4, "users in flight at once"),
		dryRun:      fs.Bool("dry-run", false, "change nothing; report what would be done"),
		update:      fs.Bool("update", false, "update users found in the destination whose fields, status, roles or memberships differ"),
		overwrite:   fs.Bool("overwrite", false, "resolve a conflict by updating the user holding the identifier to the source's values"),
	}
}

func (f migrateFlags) options(c *cli, p *progress) (migrate.Options, error) {
	if *f.concurrency < 1 {
		return migrate.Options{}, usagef("--concurrency must be at least 1")
	}
	return migrate.Options{
		Journal:     *f.journal,
		Concurrency: *f.concurrency,
		DryRun:      *f.dryRun,
		Update:      *f.update,
		Overwrite:   *f.overwrite,
		Progress: func(pr migrate.Progress) {
			p.update(pr.Done, pr.Total, progressDetail(pr))
		},
	}, nil
}

// progressDetail is what the bar says besides the count: the conflicts
// and failures so far, which a long run should not hide until its end.
func progressDetail(p migrate.Progress) string {
	var parts []string
	if p.Conflicts > 0 {
		parts = append(parts, plural(p.Conflicts, "conflict"))
	}
	if p.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", p.Failed))
	}
	return strings.Join(parts, ", ")
}

func exportRun(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	out := fs.String("o", "", "write to this `file` (created readable by its owner only) instead of stdout")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *out == "" && c.env.StdoutTerminal {
		return usagef("the export holds password hashes and stdout is a terminal; pass -o FILE or redirect stdout")
	}
	return c.withDir(ctx, func(dir *identity.Directory) error {
		w := c.env.Stdout
		var f *os.File
		if *out != "" {
			var err error
			// O_EXCL: an export never replaces a file, which could be
			// another export, or a journal.
			if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
				return err
			}
			w = f
		}
		p := c.newProgress("exporting")
		lw := &lineCounter{w: w, p: p}
		rep, err := migrate.Export(ctx, migrate.FromDirectory(dir), lw)
		p.finish()
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if rep != nil {
			c.exportSummary(rep, *out)
		}
		return err
	})
}

// lineCounter passes writes on and counts the lines, one per user after
// the header, for the progress bar: Export has no callback of its own.
type lineCounter struct {
	w     io.Writer
	p     *progress
	lines int
}

func (l *lineCounter) Write(b []byte) (int, error) {
	n, err := l.w.Write(b)
	for _, x := range b[:n] {
		if x == '\n' {
			l.lines++
		}
	}
	if l.lines > 1 {
		l.p.update(l.lines-1, -1, "")
	}
	return n, err
}

// exportSummary tells on stderr what was exported, so that stdout stays
// the file.
func (c *cli) exportSummary(rep *migrate.ExportReport, path string) {
	to := "stdout"
	if path != "" {
		to = path
	}
	if c.json && path != "" {
		_ = printJSON(c.env.Stdout, exportJSON{Users: rep.Users, Losses: lossesJSON(rep.Losses)})
		return
	}
	fmt.Fprintf(c.env.Stderr, "exported %s to %s\n", plural(rep.Users, "user"), to)
	if len(rep.Losses) > 0 {
		fmt.Fprintf(c.env.Stderr, "\nNot exported (%d):\n", len(rep.Losses))
		t := newTable(c.env.Stderr, "SOURCE ID", "FIELD", "REASON")
		for _, l := range rep.Losses {
			t.row(l.SourceID, l.Field, l.Reason)
		}
		_ = t.flush()
	}
}

type exportJSON struct {
	Users  int        `json:"users"`
	Losses []lossJSON `json:"losses"`
}

func importRun(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	from := fs.String("from", "identity", "the file's `format`: identity, auth0 or firebase")
	rounds := fs.Int("rounds", 8, "firebase: the scrypt rounds of the project's hash parameters")
	memCost := fs.Int("mem-cost", 14, "firebase: the scrypt mem_cost of the project's hash parameters")
	mf := addMigrateFlags(fs)
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var fbParams migrate.FirebaseParams
	switch *from {
	case "identity", "auth0":
	case "firebase":
		if fbParams, err = c.firebaseParams(*rounds, *memCost); err != nil {
			return err
		}
	default:
		return usagef("--from %q is not one of identity, auth0, firebase", *from)
	}
	p := c.newProgress("importing")
	opts, err := mf.options(c, p)
	if err != nil {
		return err
	}
	var r io.Reader = c.env.Stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	return c.withDir(ctx, func(dst *identity.Directory) error {
		var rep *migrate.Report
		var err error
		switch *from {
		case "identity":
			rep, err = migrate.Import(ctx, dst, r, opts)
		case "auth0":
			rep, err = migrate.CopyFrom(ctx, migrate.FromAuth0(r), dst, opts)
		case "firebase":
			rep, err = migrate.CopyFrom(ctx, migrate.FromFirebase(r, fbParams), dst, opts)
		}
		p.finish()
		return c.finishMigration(ctx, "import", rep, err)
	})
}

// firebaseParams reads the Firebase project's hash parameters: the keys
// from the environment, being secrets, and the costs from the flags.
func (c *cli) firebaseParams(rounds, memCost int) (migrate.FirebaseParams, error) {
	p := migrate.FirebaseParams{Rounds: rounds, MemCost: memCost}
	for _, v := range []struct {
		name string
		dst  *[]byte
	}{{EnvFirebaseSignerKey, &p.SignerKey}, {EnvFirebaseSaltSeparator, &p.SaltSeparator}} {
		s := c.env.Getenv(v.name)
		if s == "" {
			return p, usagef("--from firebase needs $%s and $%s, base64, from the project's password hash parameters", EnvFirebaseSignerKey, EnvFirebaseSaltSeparator)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			// The value is a secret: name the variable, never quote it.
			return p, usagef("$%s is not base64", v.name)
		}
		*v.dst = b
	}
	if rounds < 1 || memCost < 1 {
		return p, usagef("--rounds and --mem-cost must be at least 1")
	}
	return p, nil
}

func copyRun(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
	mf := addMigrateFlags(fs)
	pos, err := c.parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	p := c.newProgress("copying")
	opts, err := mf.options(c, p)
	if err != nil {
		return err
	}
	plain := scheme(pos[0]) != scheme(pos[1])
	src, err := c.env.Open(ctx, pos[0], sideEnv(c.env.Getenv, srcPrefix, plain))
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := c.env.Open(ctx, pos[1], sideEnv(c.env.Getenv, dstPrefix, plain))
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()
	rep, err := migrate.Copy(ctx, src, dst, opts)
	p.finish()
	return c.finishMigration(ctx, "copy", rep, err)
}

// finishMigration prints the report of an import or a copy, whole or
// partial, and turns its outcome into the run's: interrupted, the
// error, failures, conflicts, or success.
func (c *cli) finishMigration(ctx context.Context, verb string, rep *migrate.Report, err error) error {
	if rep != nil {
		if perr := c.printReport(rep); perr != nil && err == nil {
			err = perr
		}
	}
	interrupted := ctx.Err() != nil && errors.Is(err, context.Canceled)
	switch {
	case interrupted:
		msg := "interrupted; the report above is what was done"
		if rep != nil && !rep.DryRun {
			msg += "; the same command with the same --journal resumes"
		}
		return &statusError{code: exitInterrupted, msg: msg}
	case err != nil:
		return err
	case rep == nil:
		return nil
	case rep.Failed > 0:
		return &statusError{code: exitPartial, msg: fmt.Sprintf("%s finished with %d failed and %s; see the report", verb, rep.Failed, plural(rep.Conflicts, "conflict"))}
	case rep.Conflicts > 0:
		return &statusError{code: exitAlreadyExists, msg: fmt.Sprintf("%s finished with %s; see the report", verb, plural(rep.Conflicts, "conflict"))}
	}
	return nil
}

type reportJSON struct {
	DryRun    bool         `json:"dry_run"`
	Created   int          `json:"created"`
	Matched   int          `json:"matched"`
	Updated   int          `json:"updated"`
	Skipped   int          `json:"skipped"`
	Conflicts int          `json:"conflicts"`
	Failed    int          `json:"failed"`
	Results   []resultJSON `json:"results"`
	Losses    []lossJSON   `json:"losses"`
	Made      []madeJSON   `json:"made"`
}

type resultJSON struct {
	SourceID      string `json:"source_id"`
	DestinationID string `json:"destination_id,omitempty"`
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason,omitempty"`
}

type lossJSON struct {
	SourceID string `json:"source_id,omitempty"`
	Field    string `json:"field"`
	Reason   string `json:"reason"`
}

type madeJSON struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

func lossesJSON(ls []migrate.Loss) []lossJSON {
	out := make([]lossJSON, len(ls))
	for i, l := range ls {
		out[i] = lossJSON{SourceID: l.SourceID, Field: l.Field, Reason: l.Reason}
	}
	return out
}

// printReport prints a copy's or an import's report: with --json all of
// it; for people, the counts, what was created besides users, every
// conflict and failure, and every loss.
func (c *cli) printReport(rep *migrate.Report) error {
	if c.json {
		out := reportJSON{
			DryRun: rep.DryRun, Created: rep.Created, Matched: rep.Matched, Updated: rep.Updated,
			Skipped: rep.Skipped, Conflicts: rep.Conflicts, Failed: rep.Failed,
			Results: make([]resultJSON, len(rep.Results)), Losses: lossesJSON(rep.Losses), Made: make([]madeJSON, len(rep.Made)),
		}
		for i, r := range rep.Results {
			out.Results[i] = resultJSON{SourceID: r.SourceID, DestinationID: r.DestinationID, Outcome: string(r.Outcome), Reason: r.Reason}
		}
		for i, m := range rep.Made {
			out.Made[i] = madeJSON{Kind: m.Kind, Name: m.Name}
		}
		return printJSON(c.env.Stdout, out)
	}
	w := c.env.Stdout
	if rep.DryRun {
		fmt.Fprintln(w, "Dry run: nothing was changed. What would be done:")
	}
	t := newTable(w, "CREATED", "MATCHED", "UPDATED", "SKIPPED", "CONFLICTS", "FAILED")
	t.row(itoa(rep.Created), itoa(rep.Matched), itoa(rep.Updated), itoa(rep.Skipped), itoa(rep.Conflicts), itoa(rep.Failed))
	if err := t.flush(); err != nil {
		return err
	}
	if len(rep.Made) > 0 {
		fmt.Fprintf(w, "\nCreated in the destination:\n")
		t := newTable(w, "KIND", "NAME")
		for _, m := range rep.Made {
			t.row(m.Kind, m.Name)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	var bad []migrate.Result
	for _, r := range rep.Results {
		if r.Outcome == migrate.Conflict || r.Outcome == migrate.Failed {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		fmt.Fprintf(w, "\nConflicts and failures (%d):\n", len(bad))
		t := newTable(w, "SOURCE ID", "OUTCOME", "REASON")
		for _, r := range bad {
			t.row(r.SourceID, string(r.Outcome), r.Reason)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if len(rep.Losses) > 0 {
		fmt.Fprintf(w, "\nNot carried over as it was (%d):\n", len(rep.Losses))
		t := newTable(w, "SOURCE ID", "FIELD", "REASON")
		for _, l := range rep.Losses {
			t.row(l.SourceID, l.Field, l.Reason)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int) string { return fmt.Sprint(n) }
