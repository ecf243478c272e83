package migrate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// countingReader counts the line endings read through it, so that an
// element of a JSON array can be named by the line it starts on.
type countingReader struct {
	r        io.Reader
	newlines int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.newlines += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// arrayReader reads the elements of one JSON array as raw objects.
type arrayReader struct {
	cr  *countingReader
	dec *json.Decoder
}

func newArrayReader(r io.Reader) *arrayReader {
	cr := &countingReader{r: r}
	dec := json.NewDecoder(cr)
	dec.UseNumber()
	return &arrayReader{cr: cr, dec: dec}
}

// line returns the line the decoder's next value starts on: the lines
// read, less those still in its buffer, plus those of the white space
// before the value.
func (a *arrayReader) line() int {
	rest, _ := io.ReadAll(a.dec.Buffered())
	n := a.cr.newlines - bytes.Count(rest, []byte{'\n'})
	for _, b := range rest {
		if b == '\n' {
			n++
		} else if b != ' ' && b != '\t' && b != '\r' && b != ',' {
			break
		}
	}
	return n + 1
}

// open reads up to the array's '['; for a path, the array is the value
// of that key of a top-level object, whose other keys are skipped.
func (a *arrayReader) open(key string) error {
	if key == "" {
		return a.delim('[')
	}
	if err := a.delim('{'); err != nil {
		return err
	}
	for a.dec.More() {
		line := a.line()
		t, err := a.dec.Token()
		if err != nil {
			return a.syntax(line, err)
		}
		if t == key {
			return a.delim('[')
		}
		var skip json.RawMessage
		if err := a.dec.Decode(&skip); err != nil {
			return a.syntax(line, err)
		}
	}
	return lineError(a.line(), key, "the file has no %q array", key)
}

func (a *arrayReader) delim(want json.Delim) error {
	line := a.line()
	t, err := a.dec.Token()
	if errors.Is(err, io.EOF) {
		return lineError(line, "file", "the file is empty")
	}
	if err != nil {
		return a.syntax(line, err)
	}
	if t != want {
		return lineError(line, "file", "expected %q here", string(want))
	}
	return nil
}

// next decodes the next element into an object of raw fields; io.EOF
// after the last.
func (a *arrayReader) next() (map[string]json.RawMessage, int, error) {
	if !a.dec.More() {
		line := a.line()
		if _, err := a.dec.Token(); err != nil {
			return nil, line, a.syntax(line, err)
		}
		return nil, line, io.EOF
	}
	line := a.line()
	var obj map[string]json.RawMessage
	if err := a.dec.Decode(&obj); err != nil {
		return nil, line, a.syntax(line, err)
	}
	if obj == nil {
		return nil, line, lineError(line, "user", "a user is null, not an object")
	}
	return obj, line, nil
}

// syntax turns a decoder's error into one naming the line, without the
// value.
func (a *arrayReader) syntax(line int, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return lineError(line, "user", "a user is a JSON %s, not an object", te.Value)
	case errors.As(err, &se):
		return lineError(line, "file", "not valid JSON (at byte %d of the file)", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return lineError(line, "file", "the file ends inside a value")
	}
	return fmt.Errorf("migrate: reading line %d: %w", line, err)
}

// fields reads a provider's user object, field by field, with errors
// that name the line and the field, never the value.
type fields struct {
	line int
	obj  map[string]json.RawMessage
	err  error
	used map[string]bool
}

func newFields(line int, obj map[string]json.RawMessage) *fields {
	return &fields{line: line, obj: obj, used: map[string]bool{}}
}

func (f *fields) has(k string) bool {
	v, ok := f.obj[k]
	return ok && string(v) != "null"
}

func (f *fields) decode(k string, v any, what string) bool {
	f.used[k] = true
	raw, ok := f.obj[k]
	if !ok || string(raw) == "null" || f.err != nil {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		f.err = lineError(f.line, k, "the field %q is not %s", k, what)
		return false
	}
	return true
}

func (f *fields) str(k string) string {
	var s string
	f.decode(k, &s, "a string")
	return s
}

func (f *fields) boolean(k string) bool {
	var b bool
	f.decode(k, &b, "true or false")
	return b
}

func (f *fields) object(k string) map[string]any {
	var m map[string]any
	if f.decode(k, &m, "an object") {
		return numbersToFloat(m).(map[string]any)
	}
	return nil
}

// isoTime reads an RFC 3339 time, or Mongo's {"$date": ...} (a time or
// milliseconds), as Auth0 support's password exports write times.
func (f *fields) isoTime(k string) time.Time {
	raw, ok := f.obj[k]
	f.used[k] = true
	if !ok || string(raw) == "null" || f.err != nil {
		return time.Time{}
	}
	parse := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			f.err = lineError(f.line, k, "the field %q is not an RFC 3339 time", k)
			return time.Time{}
		}
		return t.UTC()
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return parse(s)
	}
	var d struct {
		Date json.RawMessage `json:"$date"`
	}
	if json.Unmarshal(raw, &d) == nil && d.Date != nil {
		if json.Unmarshal(d.Date, &s) == nil {
			return parse(s)
		}
		var ms int64
		if json.Unmarshal(d.Date, &ms) == nil {
			return time.UnixMilli(ms).UTC()
		}
	}
	f.err = lineError(f.line, k, "the field %q is not a time", k)
	return time.Time{}
}

// millis reads milliseconds since the epoch, as a JSON number or a
// string of digits (Firebase writes int64 values as strings).
func (f *fields) millis(k string) time.Time {
	raw, ok := f.obj[k]
	f.used[k] = true
	if !ok || string(raw) == "null" || f.err != nil {
		return time.Time{}
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.err = lineError(f.line, k, "the field %q is not milliseconds since 1970", k)
		return time.Time{}
	}
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// unused lists the fields no call read, sorted.
func (f *fields) unused() []string {
	var ks []string
	for k := range f.obj {
		if !f.used[k] {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// numbersToFloat turns the json.Numbers UseNumber leaves into float64,
// as the portable model's metadata holds them.
func numbersToFloat(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = numbersToFloat(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = numbersToFloat(e)
		}
		return x
	}
	return v
}

// lineSource reads NDJSON objects, one per line, as raw fields.
type lineSource struct {
	lines *lineReader
}

func newLineSource(br *bufio.Reader) *lineSource {
	return &lineSource{lines: &lineReader{r: br}}
}

func (l *lineSource) next() (map[string]json.RawMessage, int, error) {
	line, n, err := l.lines.next()
	if err != nil {
		return nil, n, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil || obj == nil {
		return nil, n, lineError(n, "user", "the line is not a JSON object")
	}
	return obj, n, nil
}
