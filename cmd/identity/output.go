package main

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idport/identity"
)

// The JSON the commands print with --json: one document per run, an
// object for one thing and an array for a listing. Keys are snake_case;
// an empty optional field is left out. No secret, hash or provider body
// (User.Raw) is ever in it.

type userJSON struct {
	ID            string          `json:"id"`
	Username      string          `json:"username,omitempty"`
	Email         string          `json:"email,omitempty"`
	EmailVerified bool            `json:"email_verified"`
	Phone         string          `json:"phone,omitempty"`
	GivenName     string          `json:"given_name,omitempty"`
	FamilyName    string          `json:"family_name,omitempty"`
	DisplayName   string          `json:"display_name,omitempty"`
	Status        identity.Status `json:"status"`
	NativeStatus  string          `json:"native_status,omitempty"`
	Metadata      map[string]any  `json:"metadata,omitempty"`
	CreatedAt     *time.Time      `json:"created_at,omitempty"`
	UpdatedAt     *time.Time      `json:"updated_at,omitempty"`
	LastSignInAt  *time.Time      `json:"last_sign_in_at,omitempty"`
}

func toUserJSON(u *identity.User) userJSON {
	return userJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified, Phone: u.Phone,
		GivenName: u.GivenName, FamilyName: u.FamilyName, DisplayName: u.DisplayName,
		Status: u.Status, NativeStatus: u.NativeStatus, Metadata: u.Metadata,
		CreatedAt: timePtr(u.CreatedAt), UpdatedAt: timePtr(u.UpdatedAt), LastSignInAt: timePtr(u.LastSignInAt),
	}
}

type roleJSON struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type orgJSON struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	CreatedAt   *time.Time     `json:"created_at,omitempty"`
}

func toOrgJSON(o *identity.Organization) orgJSON {
	return orgJSON{ID: o.ID, Name: o.Name, Description: o.Description, Metadata: o.Metadata, CreatedAt: timePtr(o.CreatedAt)}
}

type orgRoleJSON struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// printJSON writes v as one indented JSON document.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonArray writes a JSON array element by element, so that a long
// listing is printed as it comes and still parses as one document.
type jsonArray struct {
	w io.Writer
	n int
}

func (a *jsonArray) add(v any) error {
	b, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	_, err = fmt.Fprintf(a.w, "%s%s", sep, b)
	return err
}

// close ends the array; an empty one is "[]".
func (a *jsonArray) close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}

// table prints rows aligned in columns for people to read.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row adds a row; an empty cell prints as "-", so that every column
// lines up and a script splitting on blanks still counts them right.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		if c == "" {
			c = "-"
		}
		// A tab or newline in a value would break the columns.
		cells[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// when formats a time for a table: UTC to the minute, or "" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// fullName is the name to show for a user.
func fullName(u *identity.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return strings.TrimSpace(u.GivenName + " " + u.FamilyName)
}

// metadataText prints metadata compactly, keys sorted.
func metadataText(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(m) // encoding/json sorts map keys
	if err != nil {
		return fmt.Sprint(m)
	}
	return string(b)
}

// printUser prints one user: an object with --json, else one field a
// line.
func (c *cli) printUser(u *identity.User) error {
	if c.json {
		return printJSON(c.env.Stdout, toUserJSON(u))
	}
	t := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(t, "%s:\t%s\n", k, v)
		}
	}
	field("ID", u.ID)
	field("Username", u.Username)
	if u.Email != "" {
		v := u.Email
		if u.EmailVerified {
			v += " (verified)"
		}
		field("Email", v)
	}
	field("Phone", u.Phone)
	field("Given name", u.GivenName)
	field("Family name", u.FamilyName)
	field("Display name", u.DisplayName)
	st := string(u.Status)
	if u.NativeStatus != "" && u.NativeStatus != st {
		st += " (" + u.NativeStatus + ")"
	}
	field("Status", st)
	field("Metadata", metadataText(u.Metadata))
	field("Created", when(u.CreatedAt))
	field("Updated", when(u.UpdatedAt))
	field("Last sign-in", when(u.LastSignInAt))
	return t.Flush()
}

// printOrg prints one organization.
func (c *cli) printOrg(o *identity.Organization) error {
	if c.json {
		return printJSON(c.env.Stdout, toOrgJSON(o))
	}
	t := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(t, "%s:\t%s\n", k, v)
		}
	}
	field("ID", o.ID)
	field("Name", o.Name)
	field("Description", o.Description)
	field("Metadata", metadataText(o.Metadata))
	field("Created", when(o.CreatedAt))
	return t.Flush()
}

// printRoles prints a list of roles.
func (c *cli) printRoles(roles []*identity.Role) error {
	if c.json {
		out := make([]roleJSON, len(roles))
		for i, r := range roles {
			out[i] = roleJSON{Name: r.Name, Description: r.Description}
		}
		return printJSON(c.env.Stdout, out)
	}
	t := newTable(c.env.Stdout, "NAME", "DESCRIPTION")
	for _, r := range roles {
		t.row(r.Name, r.Description)
	}
	return t.flush()
}

// printOrgRoles prints a list of organization roles.
func (c *cli) printOrgRoles(roles []*identity.OrganizationRole) error {
	if c.json {
		out := make([]orgRoleJSON, len(roles))
		for i, r := range roles {
			out[i] = orgRoleJSON{Name: r.Name, Description: r.Description, Permissions: r.Permissions}
		}
		return printJSON(c.env.Stdout, out)
	}
	t := newTable(c.env.Stdout, "NAME", "DESCRIPTION", "PERMISSIONS")
	for _, r := range roles {
		perms := slices.Clone(r.Permissions)
		slices.Sort(perms)
		t.row(r.Name, r.Description, strings.Join(perms, ","))
	}
	return t.flush()
}

// done prints a line saying what a command did, for a command whose
// result is no object; with --json it prints nothing, the exit status
// saying it all.
func (c *cli) done(format string, args ...any) {
	if !c.json {
		fmt.Fprintf(c.env.Stdout, format+"\n", args...)
	}
}

// printUsers prints the users of a listing, at most limit of them unless
// it is 0: a table, or with --json an array. What was listed is printed
// whole even when the listing broke off, so that the output stays a
// table or a document; the error is returned after.
func (c *cli) printUsers(users iter.Seq2[*identity.User, error], limit int) error {
	var arr *jsonArray
	var t *table
	if c.json {
		arr = &jsonArray{w: c.env.Stdout}
	} else {
		t = newTable(c.env.Stdout, "ID", "EMAIL", "USERNAME", "NAME", "STATUS", "CREATED")
	}
	n := 0
	var listErr error
	for u, err := range users {
		if err != nil {
			listErr = err
			break
		}
		if arr != nil {
			if err := arr.add(toUserJSON(u)); err != nil {
				return err
			}
		} else {
			t.row(u.ID, u.Email, u.Username, fullName(u), string(u.Status), when(u.CreatedAt))
		}
		if n++; limit > 0 && n >= limit {
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
}
