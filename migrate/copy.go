package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idport/identity"
)

// DefaultConcurrency is the number of users Copy has in flight when
// Options.Concurrency is 0.
const DefaultConcurrency = 4

// Copy copies src's users into dst: CopyFrom(ctx, FromDirectory(src),
// dst, opts).
func Copy(ctx context.Context, src, dst *identity.Directory, opts Options) (*Report, error) {
	if src == nil {
		return &Report{DryRun: opts.DryRun}, invalid("Copy", "Copy needs a source directory")
	}
	return CopyFrom(ctx, FromDirectory(src), dst, opts)
}

// Import reads the file format from r into dst: CopyFrom(ctx,
// NewReader(r), dst, opts).
func Import(ctx context.Context, dst *identity.Directory, r io.Reader, opts Options) (*Report, error) {
	if r == nil {
		return &Report{DryRun: opts.DryRun}, invalid("Import", "Import needs a reader")
	}
	return CopyFrom(ctx, NewReader(r), dst, opts)
}

// CopyFrom streams src's users into dst, with their metadata, status,
// roles and organizations where both sides have them, as the package doc
// describes: matched by username, then email, created where missing,
// never duplicated on a rerun with the same journal, and every loss of
// fidelity named in the Report.
//
// A user whose calls end RateLimited or Unavailable is retried after the
// error's RetryAfter, or a backoff, up to Options.Retries times, and is
// Failed with the reason after that: no such error reaches the caller.
// Where the source is a CatalogueSource, its roles, organizations and
// organization roles are created in dst first, where dst lacks them.
//
// It returns the Report, complete or partial, and an error only for what
// ends the copy as a whole: InvalidArgument for bad options or a
// journal that is not one; the source's error, which ends the copy where
// it came; the journal's write errors; Unauthenticated or
// PermissionDenied from dst, after which no user is started; and the
// context's error when it is cancelled, after which no user is started,
// those in flight are abandoned (Failed, "abandoned", no journal line),
// and the journal is synced.
func CopyFrom(ctx context.Context, src Source, dst *identity.Directory, opts Options) (*Report, error) {
	rep := &Report{DryRun: opts.DryRun}
	switch {
	case src == nil:
		return rep, invalid("CopyFrom", "CopyFrom needs a source")
	case dst == nil:
		return rep, invalid("CopyFrom", "CopyFrom needs a destination directory")
	case opts.Concurrency < 0:
		return rep, invalid("Options.Concurrency", "Concurrency %d is negative", opts.Concurrency)
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	c := newCopier(dst, opts)
	if opts.Journal != "" {
		prior, keep, newline, err := readJournal(opts.Journal)
		if err != nil {
			return rep, err
		}
		c.prior = prior
		if !opts.DryRun {
			if c.journal, err = openJournal(opts.Journal, keep, newline); err != nil {
				return rep, err
			}
		}
	}
	err := c.run(ctx, src, rep)
	if jerr := c.journal.close(); err == nil {
		err = jerr
	}
	return rep, err
}

// copier is one run of CopyFrom.
type copier struct {
	dst     *identity.Directory
	caps    identity.Capabilities
	opts    Options
	retries int
	dry     bool
	journal *journal
	prior   map[string]prior
	start   time.Time

	cat   catalogue
	claim dryClaims

	aborted atomic.Pointer[error]
	stop    chan struct{} // closed on abort
	once    sync.Once
}

func newCopier(dst *identity.Directory, opts Options) *copier {
	c := &copier{dst: dst, caps: dst.Capabilities(), opts: opts, retries: retriesOf(opts.Retries), dry: opts.DryRun,
		prior: map[string]prior{}, start: time.Now(), stop: make(chan struct{})}
	c.cat.c = c
	return c
}

// abort ends the copy on err: no user is started after it.
func (c *copier) abort(err error) {
	c.aborted.CompareAndSwap(nil, &err)
	c.once.Do(func() { close(c.stop) })
}

func (c *copier) abortErr() error {
	if p := c.aborted.Load(); p != nil {
		return *p
	}
	return nil
}

// done is one user finished, as a worker hands it to the collector.
type done struct {
	index  int
	res    Result
	losses []Loss
	line   *journalLine // the journal's line for it; nil for none
}

type job struct {
	index int
	rec   *Record
}

func (c *copier) run(ctx context.Context, src Source, rep *Report) error {
	if cs, ok := src.(CatalogueSource); ok {
		cat, err := cs.Catalogue(ctx)
		if err != nil {
			return err
		}
		if err := c.cat.ensure(ctx, cat); err != nil {
			rep.Losses = append(rep.Losses, c.cat.losses...)
			rep.Made = c.cat.madeList()
			return err
		}
	}
	total := -1
	if n, ok := src.(Counter); ok {
		if t, err := n.Count(ctx); err == nil {
			total = t
		}
	}
	workers := c.opts.Concurrency
	if workers == 0 {
		workers = DefaultConcurrency
	}

	jobs := make(chan job)
	results := make(chan done, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				if c.abortErr() != nil {
					results <- done{index: j.index, res: Result{SourceID: j.rec.ID, Outcome: Failed,
						Reason: fmt.Sprintf("not started: the copy stopped on an earlier error (%v)", c.abortErr())}}
					continue
				}
				results <- c.user(ctx, j)
			}
		})
	}
	var collected []done
	collector := make(chan error, 1)
	go func() {
		var p Progress
		p.Total = total
		var jerr error
		for d := range results {
			collected = append(collected, d)
			if d.line != nil && jerr == nil {
				if jerr = c.journal.write(*d.line); jerr != nil {
					c.abort(jerr)
				}
			}
			p.Done++
			count(&p, d.res.Outcome)
			if c.opts.Progress != nil {
				p.Elapsed = time.Since(c.start)
				c.opts.Progress(p)
			}
		}
		collector <- jerr
	}()

	var srcErr error
	seen := map[string]bool{}
	index := 0
	send := func(d done) { results <- d }
	records := src.Records(ctx)
	if s, ok := src.(skippingSource); ok {
		records = s.recordsSkipping(ctx, func(id string) bool { return c.prior[id].done() })
	}
feed:
	for r, err := range records {
		switch {
		case err != nil:
			if ctx.Err() == nil {
				srcErr = err
			}
			break feed
		case ctx.Err() != nil || c.abortErr() != nil:
			break feed
		}
		i := index
		index++
		switch {
		case r == nil:
			send(done{index: i, res: Result{Outcome: Failed, Reason: "the source yielded no record"}})
			continue
		case r.ID == "":
			send(done{index: i, res: Result{Outcome: Failed, Reason: "the record has no id, which the journal and the report need"}})
			continue
		case seen[r.ID]:
			send(done{index: i, res: Result{SourceID: r.ID, Outcome: Failed, Reason: "the source holds another user with this id, copied already in this run"}})
			continue
		}
		seen[r.ID] = true
		if p := c.prior[r.ID]; p.done() {
			send(done{index: i, res: Result{SourceID: r.ID, DestinationID: p.destinationID, Outcome: Skipped,
				Reason: fmt.Sprintf("the journal says an earlier run finished it (%s)", p.outcome)}})
			continue
		}
		select {
		case jobs <- job{index: i, rec: r}:
		case <-ctx.Done():
			break feed
		case <-c.stop:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(results)
	jerr := <-collector

	sort.SliceStable(collected, func(a, b int) bool { return collected[a].index < collected[b].index })
	rep.Losses = append(rep.Losses, c.cat.losses...)
	rep.Made = c.cat.madeList()
	for _, d := range collected {
		rep.Results = append(rep.Results, d.res)
		rep.Losses = append(rep.Losses, d.losses...)
		switch d.res.Outcome {
		case Created:
			rep.Created++
		case Matched:
			rep.Matched++
		case Updated:
			rep.Updated++
		case Skipped:
			rep.Skipped++
		case Conflict:
			rep.Conflicts++
		case Failed:
			rep.Failed++
		}
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case srcErr != nil:
		return srcErr
	case jerr != nil:
		return jerr
	}
	return c.abortErr()
}

func count(p *Progress, o Outcome) {
	switch o {
	case Created:
		p.Created++
	case Matched:
		p.Matched++
	case Updated:
		p.Updated++
	case Skipped:
		p.Skipped++
	case Conflict:
		p.Conflicts++
	case Failed:
		p.Failed++
	}
}

// userState is one user on its way: what is known of its destination
// user across the attempts Copy makes.
type userState struct {
	rec  *Record
	plan *plan
	// owned: the destination's user is Copy's, created by this run or,
	// as the journal says, by an earlier one.
	owned  bool
	destID string
	// maybe: a create's outcome was left open by the destination.
	maybe bool
	// intent: the journal has the line saying Copy is creating it.
	intent bool
	// fresh: the destination's user was created in this attempt, so it
	// has no roles or memberships yet to read.
	fresh  bool
	losses lossSet
}

// lossSet collects one user's losses, once per field and reason.
type lossSet struct {
	id   string
	list []Loss
}

func (s *lossSet) add(field, format string, args ...any) {
	l := Loss{SourceID: s.id, Field: field, Reason: fmt.Sprintf(format, args...)}
	if !slices.Contains(s.list, l) {
		s.list = append(s.list, l)
	}
}

// outcome is what one attempt at a user came to.
type outcome struct {
	outcome Outcome
	reason  string
	// changed lists what Copy changed on a matched user, for Updated.
	changed []string
}

// user copies one record, retrying it as the options allow.
func (c *copier) user(ctx context.Context, j job) done {
	rec := j.rec
	d := done{index: j.index, res: Result{SourceID: rec.ID}}
	p := c.plan(rec)
	st := &userState{rec: rec, plan: p, losses: lossSet{id: rec.ID}}
	if pr, ok := c.prior[rec.ID]; ok && pr.owned {
		st.owned, st.destID, st.intent = true, pr.destinationID, pr.outcome == creating
	}
	for _, l := range rec.Losses {
		l.SourceID = rec.ID
		d.losses = append(d.losses, l)
	}

	var out outcome
	var err error
	if p.fail != "" {
		out = outcome{outcome: Failed, reason: p.fail}
	} else {
		for attempt := 0; ; attempt++ {
			st.fresh = false
			out, err = c.attempt(ctx, st)
			if err == nil || ctx.Err() != nil || !retryable(err) || attempt >= c.retries {
				break
			}
			if serr := sleep(ctx, wait(err, attempt)); serr != nil {
				break
			}
		}
	}
	abandoned := false
	switch {
	case err != nil && ctx.Err() != nil:
		abandoned = true
		out = outcome{outcome: Failed, reason: "abandoned: the copy was cancelled before this user was finished; a rerun with the journal finishes it"}
	case err != nil:
		if fatal(err) {
			c.abort(err)
		}
		out = outcome{outcome: Failed, reason: err.Error()}
	}
	d.res.Outcome, d.res.Reason, d.res.DestinationID = out.outcome, out.reason, st.destID
	if out.outcome == Updated && d.res.Reason == "" {
		d.res.Reason = "changed " + strings.Join(out.changed, ", ")
	}
	if out.outcome == Created || out.outcome == Matched || out.outcome == Updated {
		d.losses = append(d.losses, p.losses...)
		if out.outcome == Created && p.timestamps != nil {
			d.losses = append(d.losses, *p.timestamps)
		}
	}
	d.losses = append(d.losses, st.losses.list...)
	if !c.dry && !abandoned && c.journal != nil {
		// A failure after a create whose outcome was left open keeps the
		// user Copy's, so that a rerun that finds it finishes it.
		d.line = &journalLine{SourceID: rec.ID, DestinationID: st.destID, Outcome: string(out.outcome),
			Owned: st.owned || (st.maybe && out.outcome == Failed), Reason: d.res.Reason}
	}
	return d
}

// attempt makes one try at a user: find it, or create it, and bring it
// to the source's state as far as the options say.
func (c *copier) attempt(ctx context.Context, st *userState) (outcome, error) {
	u, conflict, err := c.find(ctx, st)
	if err != nil {
		return outcome{}, err
	}
	if u == nil && conflict == "" {
		if c.dry {
			return c.dryCreate(ctx, st)
		}
		u, conflict, err = c.create(ctx, st)
		if err != nil {
			return outcome{}, err
		}
	}
	overwrite := false
	if conflict != "" {
		if !c.opts.Overwrite || u == nil {
			st.owned, st.destID = false, ""
			return outcome{outcome: Conflict, reason: conflict}, nil
		}
		overwrite = true
		st.owned = false
		st.losses.add("Identifiers", "%s; resolved by updating that user (Options.Overwrite)", conflict)
	}
	if u != nil {
		st.destID = u.ID
		if st.maybe && !overwrite {
			// An earlier attempt's create, whose answer was lost, made
			// it.
			st.owned = true
		}
	}
	out, err := c.reconcile(ctx, st, u, overwrite)
	if overwrite && identity.CodeOf(err) == identity.AlreadyExists {
		return outcome{outcome: Conflict, reason: fmt.Sprintf("%s, and Options.Overwrite could not resolve it: %s", conflict, message(err))}, nil
	}
	return out, err
}

// find looks the user up in the destination: by the id the journal
// has for a user Copy created, or by the matching rule. It returns the
// user and "", nil and "" when there is none, or the user holding the
// first matching identifier (or nil) and the conflict.
func (c *copier) find(ctx context.Context, st *userState) (*identity.User, string, error) {
	if st.owned && st.destID != "" {
		u, err := c.dst.GetUser(ctx, st.destID)
		switch {
		case err == nil:
			return u, "", nil
		case identity.CodeOf(err) != identity.NotFound:
			return nil, "", err
		}
		// The user Copy made was deleted since: it is made again.
		st.owned, st.destID = false, ""
	}
	rec := st.plan.nu
	var byName, byEmail *identity.User
	if rec.Username != "" && c.caps.Username {
		u, err := c.dst.GetUserByUsername(ctx, rec.Username)
		switch identity.CodeOf(err) {
		case identity.Unknown:
			if err != nil {
				return nil, "", err
			}
			byName = u
		case identity.NotFound, identity.InvalidArgument:
			// An invalid username is named by the create.
		default:
			return nil, "", err
		}
	}
	if rec.Email != "" {
		u, err := c.dst.GetUserByEmail(ctx, rec.Email)
		switch identity.CodeOf(err) {
		case identity.Unknown:
			if err != nil {
				return nil, "", err
			}
			byEmail = u
		case identity.NotFound, identity.InvalidArgument:
		case identity.FailedPrecondition:
			// Okta: more than one user has this email.
			return byName, "the email is held by more than one user in the destination", nil
		default:
			return nil, "", err
		}
	}
	if byName != nil && byEmail != nil && byName.ID != byEmail.ID {
		return byName, fmt.Sprintf("the username is held by the destination's user %s and the email by its user %s", byName.ID, byEmail.ID), nil
	}
	u, by := byName, "username"
	if u == nil {
		u, by = byEmail, "email"
	}
	if u == nil {
		return nil, "", nil
	}
	if bad := disagree(c.caps, &rec, u); len(bad) > 0 {
		return u, fmt.Sprintf("the destination's user %s, found by %s, has another %s", u.ID, by, strings.Join(bad, " and ")), nil
	}
	return u, "", nil
}

// disagree lists the identifiers present on both sides that differ.
func disagree(caps identity.Capabilities, nu *identity.NewUser, u *identity.User) []string {
	var bad []string
	if caps.Username && nu.Username != "" && u.Username != "" && nu.Username != u.Username {
		bad = append(bad, "username")
	}
	if nu.Email != "" && u.Email != "" && !strings.EqualFold(nu.Email, u.Email) {
		bad = append(bad, "email")
	}
	if nu.Phone != "" && u.Phone != "" && nu.Phone != u.Phone {
		bad = append(bad, "phone")
	}
	return bad
}

// create creates the user, after the journal says so. It returns the
// user, or the user found instead and a conflict, or an error.
func (c *copier) create(ctx context.Context, st *userState) (*identity.User, string, error) {
	if !st.intent {
		if err := c.journal.write(journalLine{SourceID: st.rec.ID, Outcome: creating}); err != nil {
			c.abort(err)
			return nil, "", err
		}
		st.intent = true
	}
	nu := st.plan.nu
	nu.Metadata = cloneMap(st.plan.metadata)
	for tries := 0; ; tries++ {
		u, err := c.dst.CreateUser(ctx, nu)
		if err == nil {
			st.owned, st.destID, st.fresh = true, u.ID, true
			// Until its final line, the journal says the user is being
			// made, now with its id: a rerun finishes it from there.
			if jerr := c.journal.write(journalLine{SourceID: st.rec.ID, DestinationID: u.ID, Outcome: creating, Owned: true}); jerr != nil {
				c.abort(jerr)
				return nil, "", jerr
			}
			return u, "", nil
		}
		if tries < maxDrops && dropNew(err, &nu, st) {
			continue
		}
		if identity.CodeOf(err) == identity.AlreadyExists {
			return c.taken(ctx, st, &nu, err)
		}
		if retryable(err) {
			// The destination could not settle whether it made the
			// user: the next attempt's lookup finds it if it did.
			st.maybe = true
		}
		return nil, "", err
	}
}

// maxDrops bounds how many fields one create or update drops before
// giving up: the metadata keys, and a few fields, at most.
const maxDrops = 64

// taken handles a create refused with AlreadyExists: a user holding an
// identifier appeared since the lookup (a duplicate in the source, or a
// create of Copy's own whose answer was lost), or the phone is taken,
// which the portable API cannot look up.
func (c *copier) taken(ctx context.Context, st *userState, nu *identity.NewUser, cause error) (*identity.User, string, error) {
	mine := st.maybe || st.owned
	u, conflict, err := c.find(ctx, st)
	if err != nil {
		return nil, "", err
	}
	if u != nil {
		if conflict == "" && mine {
			st.owned = true
		}
		return u, conflict, nil
	}
	var e *identity.Error
	errors.As(cause, &e)
	field := strings.ToLower(e.Field)
	if field == "" {
		field = "an identifier"
	}
	if nu.Phone != "" && (field == "phone" || field == "an identifier") {
		if mine {
			// Copy's own create may have made it: only a listing can
			// find a user by phone.
			u, err := c.findByPhone(ctx, nu.Phone)
			if err != nil {
				return nil, "", err
			}
			if u != nil && len(disagree(c.caps, nu, u)) == 0 {
				st.owned = true
				return u, "", nil
			}
		}
		return nil, "the destination refused the create: the phone is held by another user (the portable API has no lookup by phone, so Copy cannot say which, nor match it)", nil
	}
	return nil, fmt.Sprintf("the destination refused the create: the %s is held by another user", field), nil
}

// findByPhone lists the destination's users for the one with phone.
func (c *copier) findByPhone(ctx context.Context, phone string) (*identity.User, error) {
	for u, err := range c.dst.ListUsers(ctx, identity.ListOptions{}) {
		if err != nil {
			return nil, err
		}
		if u.Phone == phone {
			return u, nil
		}
	}
	return nil, nil
}

// dropNew takes out of nu the field err names, when it is one a user can
// be created without (a name, a metadata key, the password hash, a
// pending status), and names the loss. It reports whether it did.
func dropNew(err error, nu *identity.NewUser, st *userState) bool {
	return dropRefused(err, nu.Metadata, map[string]func() (bool, string){
		"GivenName":   func() (bool, string) { return clearString(&nu.GivenName), "" },
		"FamilyName":  func() (bool, string) { return clearString(&nu.FamilyName), "" },
		"DisplayName": func() (bool, string) { return clearString(&nu.DisplayName), "" },
		"PasswordHash": func() (bool, string) {
			held := nu.PasswordHash != ""
			nu.PasswordHash = ""
			return held, "; the user is created without a password"
		},
		"Status": func() (bool, string) {
			if nu.Status != identity.StatusPending {
				return false, ""
			}
			nu.Status = identity.StatusActive
			return true, "; the user is created active"
		},
		"Metadata": func() (bool, string) {
			held := len(nu.Metadata) > 0
			nu.Metadata = nil
			return held, "; the user is created without metadata"
		},
	}, st)
}

// dropRefused is dropNew and dropUpdate: when err is an InvalidArgument
// or Unsupported naming a field clear holds, or a key of md, it takes
// that field or key out of what is about to be sent (clear reports
// whether the field held anything, and what to add to the loss's
// reason), and names the loss in st. It reports whether it did.
func dropRefused(err error, md map[string]any, clear map[string]func() (held bool, more string), st *userState) bool {
	var e *identity.Error
	if !errors.As(err, &e) || (e.Code != identity.InvalidArgument && e.Code != identity.Unsupported) {
		return false
	}
	why := "the destination refused it: " + e.Message
	if path, ok := strings.CutPrefix(e.Field, "Metadata."); ok {
		k, ok := metadataKey(md, path)
		if !ok {
			return false
		}
		delete(md, k)
		st.plan.dropKey(k)
		st.losses.add("Metadata."+k, "%s", why)
		return true
	}
	c, ok := clear[e.Field]
	if !ok {
		return false
	}
	held, more := c()
	if !held {
		return false
	}
	if e.Field == "Metadata" {
		st.plan.metadata = nil
	}
	st.losses.add(e.Field, "%s", why+more)
	return true
}

func clearString(s *string) bool {
	held := *s != ""
	*s = ""
	return held
}

func clearPointer(p **string) bool {
	held := *p != nil
	*p = nil
	return held
}

// metadataKey finds the key of md a backend's field path names: the
// path is the key, or the key and a path inside its value.
func metadataKey(md map[string]any, path string) (string, bool) {
	if _, ok := md[path]; ok {
		return path, true
	}
	for k := range md {
		if strings.HasPrefix(path, k+".") || strings.HasPrefix(path, k+"/") {
			return k, true
		}
	}
	return "", false
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// skippingSource is a Source that can leave out the details of users a
// resumed Copy skips, yielding their ids alone.
type skippingSource interface {
	recordsSkipping(ctx context.Context, skip func(id string) bool) iter.Seq2[*Record, error]
}
