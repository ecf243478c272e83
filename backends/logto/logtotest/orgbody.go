package logtotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/idport/identity/internal/emulate"
)

// This file reads the bodies of the organization endpoints as Logto's
// zod guards do, and holds the error answers those endpoints share
// (SEMANTICS.md 5.1.0, observed on Logto 1.37.1).

// kind is the zod type of a body field.
type kind int

const (
	kString   kind = iota // z.string() with length bounds
	kNullable             // z.string().nullable(): null clears
	kObject               // a JSON object (customData, color, branding)
	kBool
	kNumber
	kEnum    // one of enum
	kStrings // an array of strings
)

// field is one key a guard reads.
type field struct {
	key      string
	kind     kind
	min, max int      // string length, or array length for kStrings
	enum     []string // kEnum's options
	required bool
}

// fields are the values a guard accepted, keyed like the body; a nullable
// string sent as null is stored as a nil *string.
type fields map[string]any

func (f fields) str(key string) string { s, _ := f[key].(string); return s }

func (f fields) nullable(key string) *string { p, _ := f[key].(*string); return p }

func (f fields) strings(key string) []string { s, _ := f[key].([]string); return s }

func (f fields) object(key string) map[string]any { m, _ := f[key].(map[string]any); return m }

// atPath is zod's issue path: the key, then nested keys or indexes.
func atPath(key string, more ...any) []any { return append([]any{key}, more...) }

// readFields checks body against specs in order, as the guard does, and
// collects every issue. Keys not in specs are ignored (observed for
// unknownField on POST /api/organizations, 5.1.1).
func readFields(body map[string]json.RawMessage, specs []field) (fields, []issue) {
	out := fields{}
	var issues []issue
	for _, f := range specs {
		raw, present := body[f.key]
		if !present {
			if f.required {
				issues = append(issues, invalidType(f.key, f.want(), "undefined"))
			}
			continue
		}
		v, bad := f.read(raw)
		issues = append(issues, bad...)
		if len(bad) == 0 {
			out[f.key] = v
		}
	}
	return out, issues
}

// want is zod's name of the type the field expects.
func (f field) want() string {
	switch f.kind {
	case kObject:
		return "object"
	case kBool:
		return "boolean"
	case kNumber:
		return "number"
	case kStrings:
		return "array"
	}
	return "string"
}

func (f field) read(raw json.RawMessage) (any, []issue) {
	got := jsonType(raw)
	switch f.kind {
	case kNullable:
		if got == "null" {
			return (*string)(nil), nil
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, []issue{invalidType(f.key, "string", got)}
		}
		if bad := f.length(s); bad != nil {
			return nil, []issue{bad}
		}
		return &s, nil
	case kString, kEnum:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, []issue{invalidType(f.key, "string", got)}
		}
		if f.kind == kEnum && !slices.Contains(f.enum, s) {
			return nil, []issue{invalidEnum(f.key, f.enum, s)}
		}
		if bad := f.length(s); bad != nil {
			return nil, []issue{bad}
		}
		return s, nil
	case kObject:
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil || m == nil {
			return nil, []issue{invalidType(f.key, "object", got)}
		}
		return m, f.nested(m)
	case kBool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, []issue{invalidType(f.key, "boolean", got)}
		}
		return b, nil
	case kNumber:
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return nil, []issue{invalidType(f.key, "number", got)}
		}
		return n, nil
	}
	return f.readStrings(raw)
}

func (f field) length(s string) issue {
	switch n := utf8.RuneCountInString(s); {
	case n < f.min:
		return tooSmall(f.key, f.min)
	case f.max > 0 && n > f.max:
		return tooBig(f.key, f.max)
	}
	return nil
}

func (f field) readStrings(raw json.RawMessage) (any, []issue) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		return nil, []issue{invalidType(f.key, "array", jsonType(raw))}
	}
	var issues []issue
	out := make([]string, 0, len(items))
	for i, it := range items {
		var s string
		if json.Unmarshal(it, &s) != nil {
			is := invalidType(f.key, "string", jsonType(it))
			is["path"] = atPath(f.key, i)
			issues = append(issues, is)
			continue
		}
		out = append(out, s)
	}
	if len(items) < f.min {
		issues = append(issues, issue{"code": "too_small", "minimum": f.min, "type": "array", "inclusive": true, "exact": false,
			"message": fmt.Sprintf("Array must contain at least %d element(s)", f.min), "path": atPath(f.key)})
	}
	return out, issues
}

// colorRE is the guard's check of color.primaryColor and
// color.darkPrimaryColor, from the document's pattern.
var colorRE = regexp.MustCompile(`(?i)^#[\da-f]{3}([\da-f]{3})?$`)

// nested checks the keys of the organization's color and branding
// objects: PATCH /organizations/missing {"color":{"primaryColor":"red"}}
// is 400 invalid_string at color.primaryColor (5.1.1, observed on Logto
// 1.37.1). The branding URLs are checked as zod's url() does: a URL with
// a scheme and a host (Unpublished: not probed).
func (f field) nested(m map[string]any) []issue {
	var issues []issue
	switch f.key {
	case "color":
		for _, k := range []string{"primaryColor", "isDarkModeEnabled", "darkPrimaryColor"} {
			v, ok := m[k]
			if !ok {
				continue
			}
			if k == "isDarkModeEnabled" {
				if _, isBool := v.(bool); !isBool {
					issues = append(issues, nestedType(f.key, k, "boolean", v))
				}
				continue
			}
			s, isStr := v.(string)
			switch {
			case !isStr:
				issues = append(issues, nestedType(f.key, k, "string", v))
			case !colorRE.MatchString(s):
				issues = append(issues, issue{"code": "invalid_string", "validation": "regex", "message": "Invalid", "path": atPath(f.key, k)})
			}
		}
	case "branding":
		for _, k := range []string{"logoUrl", "darkLogoUrl", "favicon", "darkFavicon"} {
			v, ok := m[k]
			if !ok {
				continue
			}
			s, isStr := v.(string)
			if !isStr {
				issues = append(issues, nestedType(f.key, k, "string", v))
				continue
			}
			if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Host == "" {
				issues = append(issues, issue{"code": "invalid_string", "validation": "url", "message": "Invalid url", "path": atPath(f.key, k)})
			}
		}
	}
	return issues
}

func nestedType(key, sub, expected string, v any) issue {
	raw, _ := json.Marshal(v)
	is := invalidType(key, expected, jsonType(raw))
	is["path"] = atPath(key, sub)
	return is
}

// readPatch reads a PATCH body as readGuarded does, and answers {} with
// 422 entity.invalid_input before anything is looked up, as Logto does
// for every PATCH of an organization, role or scope (5.1.1, 5.1.3, 5.1.5).
func readPatch(w http.ResponseWriter, r *http.Request, specs []field) (fields, bool) {
	f, _, ok := readGuarded(w, r, specs)
	if ok && len(f) == 0 {
		send(w, errEmptyPatch)
		return nil, false
	}
	return f, ok
}

// readGuarded reads a JSON object body and checks it against specs,
// answering koa-body's or the guard's 400 when it cannot.
func readGuarded(w http.ResponseWriter, r *http.Request, specs []field) (fields, map[string]json.RawMessage, bool) {
	body, ok := readObject(w, r)
	if !ok {
		return nil, nil, false
	}
	f, issues := readFields(body, specs)
	if len(issues) > 0 {
		invalidInput(w, issues...)
		return nil, nil, false
	}
	return f, body, true
}

// The error answers of the organization endpoints: each is {code,
// message} (5.1.0, observed on Logto 1.37.1).

func failure(status int, code, msg string) emulate.Reply {
	return emulate.JSON(status, map[string]any{"code": code, "message": msg})
}

var (
	errNotFound   = failure(http.StatusNotFound, "entity.not_found", "The resource does not exist.")
	errEmptyPatch = failure(http.StatusUnprocessableEntity, "entity.invalid_input", "Invalid input. Value list must not be empty.")
	errForeignKey = failure(http.StatusUnprocessableEntity, "entity.relation_foreign_key_not_found",
		"Cannot find one or more foreign keys. Please check the input and ensure that all referenced entities exist.")
	errUnique = failure(http.StatusUnprocessableEntity, "entity.unique_integrity_violation",
		"The entity already exists. Please check the input and try again.")
	errConstraint = failure(http.StatusUnprocessableEntity, "entity.db_constraint_violated", "Database constraint violated.")
	errMembership = failure(http.StatusUnprocessableEntity, "organization.require_membership", "The user must be a member of the organization to proceed.")
	created       = emulate.Reply{Status: http.StatusCreated}
	noContent     = emulate.Empty(http.StatusNoContent)
)

// notExistsWithID is the 404 of GET on an organization or scope: the
// message names the table.
func notExistsWithID(table, id string) emulate.Reply {
	return failure(http.StatusNotFound, "entity.not_exists_with_id", fmt.Sprintf("The %s with ID `%s` does not exist.", table, id))
}

// notExists is the 404 of PATCH: the message names the entity.
func notExists(singular string) emulate.Reply {
	return failure(http.StatusNotFound, "entity.not_exists", fmt.Sprintf("The %s does not exist.", singular))
}

// send writes a reply; created, a 201 with nothing set, is Koa's default
// text/plain body "Created", which every relation add answers (5.1.2,
// 5.1.4, 5.1.5, observed on Logto 1.37.1).
func send(w http.ResponseWriter, rp emulate.Reply) {
	if rp.Status == http.StatusCreated && rp.Body == nil {
		emulate.WriteText(w, rp.Status, "Created")
		return
	}
	rp.Write(w)
}
