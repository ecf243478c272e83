package kratostest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// schema is the compiled subset of JSON Schema (draft 7) that identity
// schemas use: type, properties, required, additionalProperties,
// minLength, maxLength, pattern, format, enum, const, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, items, minItems, maxItems, and
// Kratos's "ory.sh/kratos" extension (password identifier, verification
// and recovery via email). Keywords outside it, $ref among them, are
// ignored (Unobserved: Kratos supports all of draft 7).
type schema struct {
	types      []string
	props      []prop // in the document's order
	required   []string
	additional *schema // non-nil with allowAdditional false means a schema for the rest
	noExtra    bool    // additionalProperties: false
	minLen     int
	maxLen     int
	pattern    *regexp.Regexp
	format     string
	enum       []any
	enumError  string
	constant   []any
	minimum    *big.Float
	maximum    *big.Float
	exclMin    *big.Float
	exclMax    *big.Float
	items      *schema
	minItems   int
	maxItems   int

	identifier   bool   // ory.sh/kratos credentials.password.identifier
	verification string // ory.sh/kratos verification.via
	recovery     string // ory.sh/kratos recovery.via
}

type prop struct {
	name string
	s    *schema
}

// compileSchema reads an identity schema document.
func compileSchema(doc []byte) (*schema, error) {
	return compileNode(json.RawMessage(doc))
}

func compileNode(raw json.RawMessage) (*schema, error) {
	s := &schema{minLen: -1, maxLen: -1, minItems: -1, maxItems: -1}
	if t := bytes.TrimSpace(raw); len(t) > 0 && (t[0] == 't' || t[0] == 'f') {
		return s, nil // a boolean schema: treated as true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if t, ok := m["type"]; ok {
		var one string
		if json.Unmarshal(t, &one) == nil {
			s.types = []string{one}
		} else if err := json.Unmarshal(t, &s.types); err != nil {
			return nil, fmt.Errorf("type: %w", err)
		}
	}
	if p, ok := m["properties"]; ok {
		names, err := orderedKeys(p)
		if err != nil {
			return nil, fmt.Errorf("properties: %w", err)
		}
		var pm map[string]json.RawMessage
		_ = json.Unmarshal(p, &pm)
		for _, n := range names {
			ps, err := compileNode(pm[n])
			if err != nil {
				return nil, fmt.Errorf("properties/%s: %w", n, err)
			}
			s.props = append(s.props, prop{n, ps})
		}
	}
	if r, ok := m["required"]; ok {
		_ = json.Unmarshal(r, &s.required)
	}
	if a, ok := m["additionalProperties"]; ok {
		var b bool
		if json.Unmarshal(a, &b) == nil {
			s.noExtra = !b
		} else {
			as, err := compileNode(a)
			if err != nil {
				return nil, err
			}
			s.additional = as
		}
	}
	ints := map[string]*int{"minLength": &s.minLen, "maxLength": &s.maxLen, "minItems": &s.minItems, "maxItems": &s.maxItems}
	for k, p := range ints {
		if v, ok := m[k]; ok {
			_ = json.Unmarshal(v, p)
		}
	}
	if v, ok := m["pattern"]; ok {
		var p string
		_ = json.Unmarshal(v, &p)
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("pattern: %w", err)
		}
		s.pattern = re
	}
	if v, ok := m["format"]; ok {
		_ = json.Unmarshal(v, &s.format)
	}
	nums := map[string]**big.Float{"minimum": &s.minimum, "maximum": &s.maximum, "exclusiveMinimum": &s.exclMin, "exclusiveMaximum": &s.exclMax}
	for k, p := range nums {
		if v, ok := m[k]; ok {
			if f, ok := new(big.Float).SetString(string(bytes.TrimSpace(v))); ok {
				*p = f
			}
		}
	}
	if v, ok := m["enum"]; ok {
		s.enum, _ = decodeAll(v)
		s.enumError = enumError(s.enum)
	}
	if v, ok := m["const"]; ok {
		c, err := decodeValue(v)
		if err == nil {
			s.constant = []any{c}
		}
	}
	if v, ok := m["items"]; ok && len(bytes.TrimSpace(v)) > 0 && bytes.TrimSpace(v)[0] == '{' {
		is, err := compileNode(v)
		if err != nil {
			return nil, err
		}
		s.items = is
	}
	if v, ok := m["ory.sh/kratos"]; ok {
		var ext struct {
			Credentials struct {
				Password struct {
					Identifier bool `json:"identifier"`
				} `json:"password"`
			} `json:"credentials"`
			Verification struct {
				Via string `json:"via"`
			} `json:"verification"`
			Recovery struct {
				Via string `json:"via"`
			} `json:"recovery"`
		}
		_ = json.Unmarshal(v, &ext)
		s.identifier = ext.Credentials.Password.Identifier
		s.verification = ext.Verification.Via
		s.recovery = ext.Recovery.Via
	}
	return s, nil
}

// orderedKeys returns an object's keys in the order written.
func orderedKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func decodeAll(raw []byte) ([]any, error) {
	v, err := decodeValue(raw)
	a, _ := v.([]any)
	return a, err
}

// enumError is the message of a failed enum, as the validator words it
// (Go's %#v of each value).
func enumError(enum []any) string {
	parts := make([]string, 0, len(enum))
	for _, e := range enum {
		switch t := e.(type) {
		case map[string]any, []any:
			return "enum failed"
		case json.Number:
			if f, err := t.Float64(); err == nil {
				parts = append(parts, fmt.Sprintf("%#v", f))
				continue
			}
			parts = append(parts, t.String())
		default:
			parts = append(parts, fmt.Sprintf("%#v", e))
		}
	}
	if len(parts) == 1 {
		return "value must be " + parts[0]
	}
	return "value must be one of " + strings.Join(parts, ", ")
}

// verr is a validation error as Kratos's validator reports it: a message
// at an instance and a schema pointer, with nested causes.
type verr struct {
	inst, sch, msg string
	causes         []*verr
}

func (e *verr) Error() string {
	msg := fmt.Sprintf("I[#%s] S[#%s] %s", e.inst, e.sch, e.msg)
	for _, c := range e.causes {
		for _, line := range strings.Split(c.Error(), "\n") {
			msg += "\n  " + line
		}
	}
	return msg
}

func escapePtr(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// validate checks v (decoded with UseNumber) against s; inst and sch are
// the JSON pointers of v and of s. ids collects the values of identifier
// traits, in schema order.
func (s *schema) validate(v any, inst, sch string, ids *[]string) *verr {
	if len(s.types) > 0 {
		vt := jsonType(v)
		ok := slices.Contains(s.types, vt)
		if !ok && vt == "number" && slices.Contains(s.types, "integer") {
			_, isInt := new(big.Int).SetString(v.(json.Number).String(), 10)
			ok = isInt
		}
		if !ok {
			return &verr{inst: inst, sch: sch + "/type", msg: fmt.Sprintf("expected %s, but got %s", strings.Join(s.types, " or "), vt)}
		}
	}
	var errs []*verr
	add := func(kw, msg string) { errs = append(errs, &verr{inst: inst, sch: sch + "/" + kw, msg: msg}) }
	if len(s.constant) > 0 && !jsonEqual(v, s.constant[0]) {
		switch s.constant[0].(type) {
		case map[string]any, []any:
			add("const", "const failed")
		default:
			add("const", "value must be "+strings.TrimPrefix(enumError(s.constant), "value must be "))
		}
	}
	if len(s.enum) > 0 && !slices.ContainsFunc(s.enum, func(e any) bool { return jsonEqual(v, e) }) {
		add("enum", s.enumError)
	}
	if s.format != "" {
		if str, isStr := v.(string); isStr && !formatOK(s.format, str) {
			add("format", fmt.Sprintf("%q is not valid %q", str, s.format))
		}
	}
	switch t := v.(type) {
	case map[string]any:
		var missing []string
		for _, r := range s.required {
			if _, ok := t[r]; !ok {
				missing = append(missing, strconv.Quote(r))
			}
		}
		if len(missing) > 0 {
			add("required", "missing properties: "+strings.Join(missing, ", "))
		}
		known := map[string]bool{}
		for _, p := range s.props {
			known[p.name] = true
			if pv, ok := t[p.name]; ok {
				if e := p.s.validate(pv, inst+"/"+escapePtr(p.name), sch+"/properties/"+escapePtr(p.name), ids); e != nil {
					errs = append(errs, e)
				}
			}
		}
		var extra []string
		for k := range t {
			if !known[k] {
				extra = append(extra, k)
			}
		}
		slices.Sort(extra)
		if s.noExtra && len(extra) > 0 {
			q := make([]string, len(extra))
			for i, k := range extra {
				q[i] = strconv.Quote(k)
			}
			add("additionalProperties", "additionalProperties "+strings.Join(q, ", ")+" not allowed")
		} else if s.additional != nil {
			for _, k := range extra {
				if e := s.additional.validate(t[k], inst+"/"+escapePtr(k), sch+"/additionalProperties", ids); e != nil {
					errs = append(errs, e)
				}
			}
		}
	case []any:
		if s.minItems >= 0 && len(t) < s.minItems {
			add("minItems", fmt.Sprintf("minimum %d items allowed, but found %d items", s.minItems, len(t)))
		}
		if s.maxItems >= 0 && len(t) > s.maxItems {
			add("maxItems", fmt.Sprintf("maximum %d items allowed, but found %d items", s.maxItems, len(t)))
		}
		if s.items != nil {
			for i, it := range t {
				if e := s.items.validate(it, inst+"/"+strconv.Itoa(i), sch+"/items", ids); e != nil {
					errs = append(errs, e)
				}
			}
		}
	case string:
		n := utf8.RuneCountInString(t)
		if s.minLen >= 0 && n < s.minLen {
			add("minLength", fmt.Sprintf("length must be >= %d, but got %d", s.minLen, n))
		}
		if s.maxLen >= 0 && n > s.maxLen {
			add("maxLength", fmt.Sprintf("length must be <= %d, but got %d", s.maxLen, n))
		}
		if s.pattern != nil && !s.pattern.MatchString(t) {
			add("pattern", fmt.Sprintf("does not match pattern %q", s.pattern.String()))
		}
	case json.Number:
		num, _ := new(big.Float).SetString(t.String())
		if num != nil {
			if s.minimum != nil && num.Cmp(s.minimum) < 0 {
				add("minimum", fmt.Sprintf("must be >= %v but found %v", s.minimum, t))
			}
			if s.exclMin != nil && num.Cmp(s.exclMin) <= 0 {
				add("exclusiveMinimum", fmt.Sprintf("must be > %v but found %v", s.exclMin, t))
			}
			if s.maximum != nil && num.Cmp(s.maximum) > 0 {
				add("maximum", fmt.Sprintf("must be <= %v but found %v", s.maximum, t))
			}
			if s.exclMax != nil && num.Cmp(s.exclMax) >= 0 {
				add("exclusiveMaximum", fmt.Sprintf("must be < %v but found %v", s.exclMax, t))
			}
		}
	}
	// Kratos's schema extensions run last. The recovery extension (and the
	// verification one, for a field without a format) checks the email
	// format again, which is why Kratos reports a bad email twice.
	if s.identifier {
		*ids = append(*ids, strings.ToLower(fmt.Sprint(v)))
	}
	if s.verification == "email" && s.format == "" && !isEmail(fmt.Sprint(v)) {
		add("format", fmt.Sprintf("%q is not valid %q", fmt.Sprint(v), "email"))
	}
	if s.recovery == "email" && !isEmail(fmt.Sprint(v)) {
		add("format", fmt.Sprintf("%q is not valid %q", fmt.Sprint(v), "email"))
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return &verr{inst: inst, sch: sch, msg: "validation failed", causes: errs}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(normalize(a))
	y, _ := json.Marshal(normalize(b))
	return bytes.Equal(x, y)
}

// normalize turns numbers into float64 so that 1 and 1.0 compare equal.
func normalize(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

// formatOK checks the formats identity schemas use; unknown formats pass,
// as in the validator.
func formatOK(format, s string) bool {
	switch format {
	case "email":
		return isEmail(s)
	case "tel":
		return isPhone(s)
	case "hostname":
		return isHostname(s)
	}
	return true
}

// isEmail is the validator's email format: at most 254 bytes, a local
// part of at most 64, a hostname domain, and an address net/mail parses.
func isEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at == -1 || at > 64 {
		return false
	}
	if !isHostname(s[at+1:]) {
		return false
	}
	_, err := mail.ParseAddress(s)
	return err == nil
}

func isHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) < 1 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isPhone approximates the "tel" format, which Kratos checks with
// libphonenumber (parsed without a default region, then IsValidNumber):
// a leading "+", then 8 to 15 digits, the first not 0, with spaces,
// dashes, dots and parentheses allowed between them; and for country code
// 1 (North America), ten digits whose area code and exchange each begin
// with 2 to 9. Observed: "+14155550100", "+1 415 555 0101" and
// "+14152001234" pass; "12345", "+999999", "0044 20 7946 0958", "" and
// "+14150366103" (an exchange beginning with 0, first met in the live
// conformance run) fail.
func isPhone(s string) bool {
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return false
	}
	var digits []byte
	for i, c := range rest {
		switch {
		case c >= '0' && c <= '9':
			if len(digits) == 0 && c == '0' {
				return false
			}
			digits = append(digits, byte(c))
		case (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && i > 0:
		default:
			return false
		}
	}
	if len(digits) >= 2 && digits[0] == '1' {
		national := digits[1:]
		return len(national) == 10 && national[0] >= '2' && national[3] >= '2'
	}
	return len(digits) >= 8 && len(digits) <= 15
}
