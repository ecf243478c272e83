package migrate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"time"

	"github.com/idport/identity"
)

// The file format's name and the version this package writes and reads.
// A file's first line is its header, {"format":"idport-identity-users",
// "version":1, ...}; a reader refuses any other format or version.
const (
	FormatName    = "idport-identity-users"
	FormatVersion = 1
)

// maxLine bounds one line of the file: a user's metadata is at most
// identity.MaxMetadataBytes, and the rest of a record is far smaller,
// so a longer line is not a record this package wrote.
const maxLine = 4 << 20

// wireHeader is the file's first line.
type wireHeader struct {
	Format            string        `json:"format"`
	Version           int           `json:"version"`
	Roles             []wireRole    `json:"roles,omitempty"`
	Organizations     []wireOrg     `json:"organizations,omitempty"`
	OrganizationRoles []wireOrgRole `json:"organization_roles,omitempty"`
}

type wireRole struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type wireOrg struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
}

type wireOrgRole struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// wireRecord is one user line. Roles and Organizations are pointers so
// that "none" ([]) and "not said" (absent) stay apart.
type wireRecord struct {
	ID            string            `json:"id"`
	Username      string            `json:"username,omitempty"`
	Email         string            `json:"email,omitempty"`
	EmailVerified bool              `json:"email_verified,omitempty"`
	Phone         string            `json:"phone,omitempty"`
	GivenName     string            `json:"given_name,omitempty"`
	FamilyName    string            `json:"family_name,omitempty"`
	DisplayName   string            `json:"display_name,omitempty"`
	Status        identity.Status   `json:"status"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
	Roles         *[]string         `json:"roles,omitempty"`
	Organizations *[]wireMembership `json:"organizations,omitempty"`
	// PasswordHash is a plain string here, on purpose: the one place the
	// package writes a hash's value.
	PasswordHash string     `json:"password_hash,omitempty"`
	CreatedAt    *time.Time `json:"created_at,omitempty"`
	LastSignInAt *time.Time `json:"last_sign_in_at,omitempty"`
	Losses       []wireLoss `json:"losses,omitempty"`
}

type wireMembership struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles,omitempty"`
}

type wireLoss struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func toWire(r *Record) *wireRecord {
	w := &wireRecord{
		ID: r.ID, Username: r.Username, Email: r.Email, EmailVerified: r.EmailVerified, Phone: r.Phone,
		GivenName: r.GivenName, FamilyName: r.FamilyName, DisplayName: r.DisplayName,
		Status: r.Status, Metadata: r.Metadata, PasswordHash: string(r.PasswordHash),
	}
	if w.Status == "" {
		w.Status = identity.StatusActive
	}
	if r.Roles != nil {
		rs := append([]string{}, r.Roles...)
		w.Roles = &rs
	}
	if r.Organizations != nil {
		ms := make([]wireMembership, 0, len(r.Organizations))
		for _, m := range r.Organizations {
			ms = append(ms, wireMembership(m))
		}
		w.Organizations = &ms
	}
	if !r.CreatedAt.IsZero() {
		t := r.CreatedAt.UTC()
		w.CreatedAt = &t
	}
	if !r.LastSignInAt.IsZero() {
		t := r.LastSignInAt.UTC()
		w.LastSignInAt = &t
	}
	for _, l := range r.Losses {
		w.Losses = append(w.Losses, wireLoss{Field: l.Field, Reason: l.Reason})
	}
	return w
}

func (w *wireRecord) record() *Record {
	r := &Record{
		ID: w.ID, Username: w.Username, Email: w.Email, EmailVerified: w.EmailVerified, Phone: w.Phone,
		GivenName: w.GivenName, FamilyName: w.FamilyName, DisplayName: w.DisplayName,
		Status: w.Status, Metadata: w.Metadata, PasswordHash: identity.PasswordHash(w.PasswordHash),
	}
	if w.Roles != nil {
		r.Roles = append([]string{}, *w.Roles...)
	}
	if w.Organizations != nil {
		r.Organizations = make([]Membership, 0, len(*w.Organizations))
		for _, m := range *w.Organizations {
			r.Organizations = append(r.Organizations, Membership(m))
		}
	}
	if w.CreatedAt != nil {
		r.CreatedAt = w.CreatedAt.UTC()
	}
	if w.LastSignInAt != nil {
		r.LastSignInAt = w.LastSignInAt.UTC()
	}
	for _, l := range w.Losses {
		r.Losses = append(r.Losses, Loss{SourceID: w.ID, Field: l.Field, Reason: l.Reason})
	}
	return r
}

// checkRecord refuses a record the format cannot hold.
func checkRecord(r *Record) error {
	if r.ID == "" {
		return invalid("ID", "a record needs an id")
	}
	if r.Status != "" && !r.Status.Valid() {
		return invalid("Status", "record %q has the unknown status %q", r.ID, r.Status)
	}
	for _, m := range r.Organizations {
		if m.Name == "" {
			return invalid("Organizations", "record %q has a membership of an organization without a name", r.ID)
		}
	}
	return nil
}

// Export writes src to w in the file format: a header line (with src's
// Catalogue when it has one), then one line per user. Password hashes are
// written as they are: the file is as sensitive as a password database.
//
// It returns what it wrote, and the source's error, w's error, the
// context's error, or InvalidArgument for a record without an id or
// with an unknown status; what was written before an error stays
// written, and is a valid file up to the last whole line.
func Export(ctx context.Context, src Source, w io.Writer) (*ExportReport, error) {
	rep := &ExportReport{}
	if src == nil || w == nil {
		return rep, invalid("Export", "Export needs a source and a writer")
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	hdr := wireHeader{Format: FormatName, Version: FormatVersion}
	if cs, ok := src.(CatalogueSource); ok {
		cat, err := cs.Catalogue(ctx)
		if err != nil {
			return rep, err
		}
		hdr.setCatalogue(cat)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&hdr); err != nil {
		return rep, fmt.Errorf("migrate: writing the header: %w", err)
	}
	for r, err := range src.Records(ctx) {
		if err != nil {
			return rep, errors.Join(err, flush(bw))
		}
		if r == nil {
			continue
		}
		if err := checkRecord(r); err != nil {
			return rep, errors.Join(err, flush(bw))
		}
		if err := enc.Encode(toWire(r)); err != nil {
			// encoding/json's errors name types, never values.
			return rep, errors.Join(fmt.Errorf("migrate: writing record %q: %w", r.ID, err), flush(bw))
		}
		rep.Users++
		for _, l := range r.Losses {
			l.SourceID = r.ID
			rep.Losses = append(rep.Losses, l)
		}
		if err := ctx.Err(); err != nil {
			return rep, errors.Join(err, flush(bw))
		}
	}
	if err := flush(bw); err != nil {
		return rep, err
	}
	return rep, nil
}

func flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("migrate: writing the export: %w", err)
	}
	return nil
}

func (h *wireHeader) setCatalogue(c *Catalogue) {
	if c == nil {
		return
	}
	for _, r := range c.Roles {
		h.Roles = append(h.Roles, wireRole{Name: r.Name, Description: r.Description})
	}
	for _, o := range c.Organizations {
		h.Organizations = append(h.Organizations, wireOrg{Name: o.Name, Description: o.Description, Metadata: o.Metadata})
	}
	for _, r := range c.OrganizationRoles {
		h.OrganizationRoles = append(h.OrganizationRoles, wireOrgRole{Name: r.Name, Description: r.Description, Permissions: r.Permissions})
	}
}

func (h *wireHeader) catalogue() *Catalogue {
	c := &Catalogue{}
	for _, r := range h.Roles {
		c.Roles = append(c.Roles, identity.Role{Name: r.Name, Description: r.Description})
	}
	for _, o := range h.Organizations {
		c.Organizations = append(c.Organizations, identity.NewOrganization{Name: o.Name, Description: o.Description, Metadata: o.Metadata})
	}
	for _, r := range h.OrganizationRoles {
		c.OrganizationRoles = append(c.OrganizationRoles, identity.OrganizationRole{Name: r.Name, Description: r.Description, Permissions: r.Permissions})
	}
	return c
}

// NewReader returns a Source reading the file format from r, which it
// reads once. It implements CatalogueSource, from the header.
//
// Its errors are *LineError naming the line, wrapping InvalidArgument: a
// first line that is not this format's header, a version other than
// FormatVersion, a line that is not JSON or has a field this version
// does not define or of the wrong type, a record without an id or with an
// unknown status, a line longer than 4 MiB. They never quote a value.
// r's own errors are returned wrapped, and a second read yields
// FailedPrecondition.
func NewReader(r io.Reader) Source {
	return &fileReader{lines: newLineReader(r)}
}

type fileReader struct {
	mu    sync.Mutex
	lines *lineReader
	hdr   *wireHeader
	err   error // the header's error, once read
	used  bool
}

func (f *fileReader) header() (*wireHeader, error) {
	if f.hdr != nil || f.err != nil {
		return f.hdr, f.err
	}
	line, n, err := f.lines.next()
	switch {
	case errors.Is(err, io.EOF):
		f.err = lineError(1, "header", "the file is empty; it should start with the header %s", headerExample())
		return nil, f.err
	case err != nil:
		f.err = err
		return nil, err
	}
	// The format and version are read on their own first, so that a file
	// of a later version is refused for its version, not for the fields
	// that version added.
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(line, &probe); err != nil || probe.Format != FormatName {
		f.err = lineError(n, "header", "the first line is not this format's header, %s", headerExample())
		return nil, f.err
	}
	if probe.Version != FormatVersion {
		f.err = lineError(n, "version", "version %d of the %s format is not known; this reader knows version %d", probe.Version, FormatName, FormatVersion)
		return nil, f.err
	}
	var h wireHeader
	if err := strict(line, &h); err != nil {
		f.err = lineError(n, "header", "the header: %s", err)
		return nil, f.err
	}
	f.hdr = &h
	return f.hdr, nil
}

func headerExample() string {
	return fmt.Sprintf(`{"format":%q,"version":%d}`, FormatName, FormatVersion)
}

// Catalogue returns the roles and organizations the file's header lists.
func (f *fileReader) Catalogue(context.Context) (*Catalogue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, err := f.header()
	if err != nil {
		return nil, err
	}
	return h.catalogue(), nil
}

// Records yields the file's users.
func (f *fileReader) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.used {
			yield(nil, errReadTwice("NewReader"))
			return
		}
		f.used = true
		if _, err := f.header(); err != nil {
			yield(nil, err)
			return
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			line, n, err := f.lines.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			var w wireRecord
			if err := strict(line, &w); err != nil {
				yield(nil, lineError(n, "record", "%s", err))
				return
			}
			r := w.record()
			if err := checkRecord(r); err != nil {
				var e *identity.Error
				errors.As(err, &e)
				yield(nil, lineError(n, e.Field, "%s", e.Message))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// strict decodes one JSON value into v, refusing unknown fields and
// trailing data, with an error that says what is wrong and where, never
// what the value was.
func strict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("the field %q is a JSON %s, not what the format has there", te.Field, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends early")
	}
	// DisallowUnknownFields' error is `json: unknown field "name"`: it
	// names the field, not the value.
	return errors.New(err.Error())
}

// lineReader reads non-blank lines, counting them from 1 (blank lines
// count too, so that a number names the line an editor shows).
type lineReader struct {
	r *bufio.Reader
	n int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next non-blank line without its line ending, and its
// number; io.EOF at the end.
func (l *lineReader) next() ([]byte, int, error) {
	for {
		var buf []byte
		for {
			chunk, err := l.r.ReadSlice('\n')
			if len(buf)+len(chunk) > maxLine {
				l.n++
				return nil, l.n, lineError(l.n, "line", "the line is longer than %d bytes", maxLine)
			}
			buf = append(buf, chunk...)
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, l.n + 1, fmt.Errorf("migrate: reading line %d: %w", l.n+1, err)
			}
			if errors.Is(err, io.EOF) && len(buf) == 0 {
				return nil, l.n, io.EOF
			}
			break
		}
		l.n++
		line := bytes.TrimRight(buf, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return line, l.n, nil
	}
}
