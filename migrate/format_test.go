package migrate_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idport/identity"
	"github.com/idport/identity/migrate"
)

const header = `{"format":"idport-identity-users","version":1}`

// TestFormatRoundTrip: what Export writes, NewReader reads back as it
// was, nil and empty lists apart, and the header carries the catalogue.
func TestFormatRoundTrip(t *testing.T) {
	recs := []*migrate.Record{
		{ID: "u1", Username: "ada", Email: "ada@example.com", EmailVerified: true, Phone: "+14155550100", GivenName: "Ada", FamilyName: "Lovelace",
			DisplayName: "Ada <L.> & co", Status: identity.StatusLocked, Metadata: map[string]any{"n": 1.5, "o": map[string]any{"a": []any{"x", true}}},
			Roles: []string{"admin"}, Organizations: []migrate.Membership{{Name: "Acme", Roles: []string{"owner"}}, {Name: "Globex"}},
			PasswordHash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
			CreatedAt:    time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC), LastSignInAt: time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC),
			Losses: []migrate.Loss{{SourceID: "u1", Field: "PasswordHash", Reason: "because"}}},
		{ID: "u2", Email: "bob@example.com", Status: identity.StatusActive, Roles: []string{}, Organizations: []migrate.Membership{}},
		{ID: "u3", Phone: "+14155550101", Status: identity.StatusActive},
	}
	var buf bytes.Buffer
	exp, err := migrate.Export(bg, migrate.FromRecords(recs...), &buf)
	require.NoError(t, err)
	assert.Equal(t, 3, exp.Users)
	assert.Equal(t, []migrate.Loss{{SourceID: "u1", Field: "PasswordHash", Reason: "because"}}, exp.Losses)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, header, lines[0])
	assert.Contains(t, lines[1], `"password_hash":"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"`)
	assert.Contains(t, lines[1], `"display_name":"Ada <L.> & co"`, "no HTML escaping")
	assert.Contains(t, lines[2], `"roles":[],"organizations":[]`)
	assert.NotContains(t, lines[3], "roles")

	got := readAll(t, migrate.NewReader(&buf))
	require.Len(t, got, 3)
	for i := range recs {
		assert.Equal(t, recs[i], got[i])
	}
}

// TestReaderErrors: the reader refuses what it cannot read, naming the
// line, never the value.
func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name, file string
		line       int
		says       string
	}{
		{"empty", "", 1, "empty"},
		{"no header", `{"id":"u1"}`, 1, "not this format's header"},
		{"another format", `{"format":"something","version":1}`, 1, "not this format's header"},
		{"a later version", `{"format":"idport-identity-users","version":2,"new":"field"}`, 1, "version 2"},
		{"an unknown header field", `{"format":"idport-identity-users","version":1,"extra":1}`, 1, "unknown field"},
		{"not JSON", header + "\n\n" + `{"id":"u1","status":"active"}` + "\n" + `{"id": SECRET`, 4, "not valid JSON"},
		{"an unknown field", header + "\n" + `{"id":"u1","status":"active","pasword_hash":"SECRET"}`, 2, `unknown field "pasword_hash"`},
		{"a wrong type", header + "\n" + `{"id":"u1","status":"active","password_hash":["SECRET"]}`, 2, `"password_hash"`},
		{"no id", header + "\n" + `{"email":"a@example.com","status":"active"}`, 2, "needs an id"},
		{"an unknown status", header + "\n" + `{"id":"u1","status":"asleep"}`, 2, "unknown status"},
		{"two values", header + "\n" + `{"id":"u1","status":"active"} {"id":"u2"}`, 2, "more than one"},
		{"a long line", header + "\n" + `{"id":"` + strings.Repeat("x", 5<<20) + `"}`, 2, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := 0
			for r, e := range migrate.NewReader(strings.NewReader(tt.file)).Records(bg) {
				if e != nil {
					err = e
					break
				}
				n++
				assert.NotNil(t, r)
			}
			var le *migrate.LineError
			require.ErrorAs(t, err, &le, "%v", err)
			assert.Equal(t, tt.line, le.Line)
			assert.ErrorIs(t, err, identity.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tt.says)
			assert.NotContains(t, err.Error(), "SECRET")
		})
	}
}

// TestExportErrors: a record the format cannot hold, a failing source
// and a failing writer end the export with their error.
func TestExportErrors(t *testing.T) {
	_, err := migrate.Export(bg, migrate.FromRecords(&migrate.Record{Email: "a@example.com"}), &bytes.Buffer{})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
	_, err = migrate.Export(bg, migrate.FromRecords(&migrate.Record{ID: "a", Status: "asleep"}), &bytes.Buffer{})
	assert.ErrorIs(t, err, identity.ErrInvalidArgument)
	_, err = migrate.Export(bg, migrate.FromRecords(&migrate.Record{ID: "a"}), failingWriter{})
	assert.ErrorIs(t, err, errDisk)
	var buf bytes.Buffer
	rep, err := migrate.Export(bg, migrate.NewReader(strings.NewReader(header+"\n"+`{"id":"a","status":"active"}`+"\n"+`{"id":`)), &buf)
	var le *migrate.LineError
	assert.ErrorAs(t, err, &le)
	assert.Equal(t, 1, rep.Users)
	assert.Equal(t, 2, strings.Count(buf.String(), "\n"), "what came before the error is written")
}

var errDisk = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDisk }

// TestExportCancel stops at the context's end.
func TestExportCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := migrate.Export(ctx, migrate.FromRecords(&migrate.Record{ID: "a"}), &bytes.Buffer{})
	assert.ErrorIs(t, err, context.Canceled)
}
