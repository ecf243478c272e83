package driver

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Constrained is the optional interface of a backend whose provider holds
// input to rules of its own, stricter than the portable layer's: a
// minimum username length, names it requires, the metadata it can hold.
// Constraints declares them, so that the portable layer checks them
// before the backend is called: input that breaks a rule is then
// InvalidArgument (or Unsupported, for a metadata value the provider
// cannot hold at all) having sent nothing, as it is for the portable
// layer's own rules. Constraints is called once, when the directory is
// wrapped, and must not change afterwards.
//
// A backend declares only rules its provider is documented or seen to
// hold, and a rule exactly: the conformance suite sends a value just
// inside each one to the provider and expects it to be taken.
type Constrained interface {
	Constraints() Constraints
}

// Constraints are a backend's rules beyond the portable layer's, and the
// behaviours of its provider a caller can observe and that differ from
// one provider to the next (case rules, listing order). The zero value
// has no rule: a backend without [Constrained] holds input only to the
// portable layer's checks, and a provider may still refuse what no
// declared rule predicts, which the portable layer then reports as an
// error that came from the provider (Error.HTTPStatus set).
//
// Whether a user created without a password starts pending is
// Capabilities.PendingUntilPassword.
type Constraints struct {
	// Required are the fields a new user must have, beyond the
	// identifier the portable layer asks for, and that an update cannot
	// clear: "GivenName" and "FamilyName" where Okta's profile requires
	// firstName and lastName. A value of white space alone counts as
	// missing, as the providers trim it.
	Required []string

	// The rules of each field's value, where it is set.
	Username, Email, Phone             Text
	GivenName, FamilyName, DisplayName Text
	// Role is the rule of role names, in every call that takes one.
	Role Text

	// Metadata is what the provider's metadata can hold.
	Metadata MetadataRules

	// Case says which comparisons of the provider ignore case.
	Case CaseRules
	// Order is the order ListUsers yields users in.
	Order Order
}

// Text is a rule for a string value. Its zero value allows every value
// the portable layer does.
type Text struct {
	// MinLen and MaxLen bound the value's length in characters (Unicode
	// code points, as the providers count); 0 is no bound.
	MinLen, MaxLen int
	// Pattern, when set, is an RE2 expression the whole value must
	// match; Describe says it in words, for the error.
	Pattern  string
	Describe string
	// Forbid holds characters the value must not contain.
	Forbid string
	// ReservedPrefix, when set, is a prefix the value must not start
	// with, ignoring case: Okta's groups named so are organizations, not
	// roles. Of role names it holds at creation: the other role calls
	// find no role of such a name, NotFound.
	ReservedPrefix string
}

// IsZero reports whether t has no rule.
func (t Text) IsZero() bool { return t == Text{} }

// MetadataRules are the rules of a user's metadata.
type MetadataRules struct {
	// KeyPattern, when set, is an RE2 expression every key, a field of
	// Fields too, must match whole; KeyDescribe says it in words.
	KeyPattern  string
	KeyDescribe string
	// Reserved are keys metadata cannot use: the provider's properties
	// that hold portable fields (Okta's login and firstName), the field
	// that keeps a user's roles. Setting or removing one is
	// InvalidArgument naming it.
	Reserved []string
	// Fields gives the rule of the value of each key it names, in place
	// of Values. With Closed, they are the only keys the provider takes
	// (Passage's user_metadata fields, which the app defines): any other
	// key is InvalidArgument.
	Fields map[string]Value
	Closed bool
	// Values is the rule of every value whose key Fields does not name.
	Values Value
}

// Value is the rule of a metadata value.
type Value struct {
	// Type is the type the value must have; the zero Type allows any
	// JSON value Shape allows.
	Type ValueType
	// MaxLen bounds a string value's length in characters; 0 is no
	// bound.
	MaxLen int
	// Shape is how far the value may nest.
	Shape Shape
}

// ValueType is the type of a metadata value, as a provider that types its
// metadata fields names them.
type ValueType string

// The value types. A value of another type than its field's is
// InvalidArgument.
const (
	// AnyType: any JSON value.
	AnyType ValueType = ""
	// StringType: a string.
	StringType ValueType = "string"
	// NumberType: a number.
	NumberType ValueType = "number"
	// IntegerType: a number without a fractional part.
	IntegerType ValueType = "integer"
	// BooleanType: true or false.
	BooleanType ValueType = "boolean"
	// EmailType: a string that is an email address, local@domain with
	// a dot in the domain and no white space, '<' or '>'.
	EmailType ValueType = "email"
	// PhoneType: a string that is an E.164 number, '+' and 7 to 15
	// digits.
	PhoneType ValueType = "phone"
	// DateType: a string that is a date, "2006-01-02".
	DateType ValueType = "date"
)

// ValueTypes are the value types a backend option may name, in the order
// errors list them.
var ValueTypes = []ValueType{StringType, NumberType, IntegerType, BooleanType, EmailType, PhoneType, DateType}

// Shape is how far a metadata value may nest. A value of a shape the
// provider cannot hold is Unsupported, naming the key: no value of it
// could be stored.
type Shape int

const (
	// AnyShape: objects and arrays, nested to any depth.
	AnyShape Shape = iota
	// ScalarArrays: strings, numbers and booleans, and arrays of them
	// (not of nulls): no objects. Okta's profile properties.
	ScalarArrays
	// Scalars: strings, numbers and booleans alone.
	Scalars
)

// String returns "any", "scalar arrays" or "scalars".
func (s Shape) String() string {
	switch s {
	case AnyShape:
		return "any"
	case ScalarArrays:
		return "scalar arrays"
	case Scalars:
		return "scalars"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// CaseRules say which of the provider's comparisons ignore case. Lookups
// by username are exact everywhere, and by email ignore case everywhere,
// as the portable contract says; these are the rules that differ.
type CaseRules struct {
	// UsernameUniqueIgnoringCase: two usernames that differ only in
	// case cannot both be held, and creating the second is
	// AlreadyExists (Okta's logins, Kratos's identifiers).
	UsernameUniqueIgnoringCase bool
	// RoleNameUniqueIgnoringCase: the same for role names (Okta's
	// group names).
	RoleNameUniqueIgnoringCase bool
	// LowercasesEmail: the provider keeps an email in lower case, and
	// gives it back so (Passage).
	LowercasesEmail bool
}

// Order is the order a backend lists users in.
type Order int

const (
	// OrderUnspecified: the backend does not say.
	OrderUnspecified Order = iota
	// OrderOldestFirst: by creation, oldest first.
	OrderOldestFirst
	// OrderNewestFirst: by creation, newest first (Logto).
	OrderNewestFirst
	// OrderByID: by id, as strings compare (Kratos).
	OrderByID
)

// String returns the order's name, such as "oldest first".
func (o Order) String() string {
	switch o {
	case OrderUnspecified:
		return "unspecified"
	case OrderOldestFirst:
		return "oldest first"
	case OrderNewestFirst:
		return "newest first"
	case OrderByID:
		return "by id"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// Clone returns a copy of c that shares no slice or map with it.
func (c Constraints) Clone() Constraints {
	c.Required = slices.Clone(c.Required)
	c.Metadata.Reserved = slices.Clone(c.Metadata.Reserved)
	c.Metadata.Fields = maps.Clone(c.Metadata.Fields)
	return c
}

// Check reports the first rule of c that is malformed: a pattern that
// does not compile, a bound below zero, a Required name that is no
// field, a value type or shape that does not exist. A backend's tests
// call it on what it declares; the portable layer reports a malformed
// rule met at a call as Internal.
func (c *Constraints) Check() error {
	for _, f := range c.Required {
		if _, ok := c.text(f); !ok {
			return fmt.Errorf("the required field %q is no field", f)
		}
	}
	for _, f := range textFields {
		t, _ := c.text(f)
		if err := t.check(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	if err := c.Role.check(); err != nil {
		return fmt.Errorf("Role: %w", err)
	}
	m := &c.Metadata
	if _, err := compile(m.KeyPattern); err != nil {
		return fmt.Errorf("Metadata.KeyPattern: %w", err)
	}
	if m.Closed && len(m.Fields) == 0 {
		return fmt.Errorf("closed metadata without Fields: no key could be set")
	}
	if err := m.Values.check(); err != nil {
		return fmt.Errorf("Metadata.Values: %w", err)
	}
	for k, v := range m.Fields {
		if err := v.check(); err != nil {
			return fmt.Errorf("Metadata.Fields[%q]: %w", k, err)
		}
	}
	if c.Order < OrderUnspecified || c.Order > OrderByID {
		return fmt.Errorf("unknown Order %d", int(c.Order))
	}
	return nil
}

func (t *Text) check() error {
	if t.MinLen < 0 || t.MaxLen < 0 || t.MaxLen > 0 && t.MinLen > t.MaxLen {
		return fmt.Errorf("bounds %d to %d", t.MinLen, t.MaxLen)
	}
	_, err := compile(t.Pattern)
	return err
}

func (v *Value) check() error {
	if v.MaxLen < 0 {
		return fmt.Errorf("MaxLen %d", v.MaxLen)
	}
	if v.Type != AnyType && !slices.Contains(ValueTypes, v.Type) {
		return fmt.Errorf("unknown type %q", v.Type)
	}
	if v.Shape < AnyShape || v.Shape > Scalars {
		return fmt.Errorf("unknown shape %d", int(v.Shape))
	}
	return nil
}

// textFields are the user fields a Text rule governs, as Error.Field
// names them.
var textFields = []string{"Username", "Email", "Phone", "GivenName", "FamilyName", "DisplayName"}

// text returns the rule of the user field named f.
func (c *Constraints) text(f string) (Text, bool) {
	switch f {
	case "Username":
		return c.Username, true
	case "Email":
		return c.Email, true
	case "Phone":
		return c.Phone, true
	case "GivenName":
		return c.GivenName, true
	case "FamilyName":
		return c.FamilyName, true
	case "DisplayName":
		return c.DisplayName, true
	}
	return Text{}, false
}

// CheckNewUser returns the first rule u breaks, or nil. u has passed the
// portable layer's own checks, and its Metadata holds what encoding/json
// decodes. The error is InvalidArgument naming the field ("GivenName",
// "Metadata.plan"), or Unsupported naming a metadata key whose value has
// a shape the provider cannot hold; Internal for a malformed rule.
func (c *Constraints) CheckNewUser(u *NewUser) error {
	values := map[string]string{"Username": u.Username, "Email": u.Email, "Phone": u.Phone,
		"GivenName": u.GivenName, "FamilyName": u.FamilyName, "DisplayName": u.DisplayName}
	for _, f := range c.Required {
		if strings.TrimSpace(values[f]) == "" {
			return InvalidArgumentError(f, "%s is required by this backend", f)
		}
	}
	for _, f := range textFields {
		if v := values[f]; v != "" {
			t, _ := c.text(f)
			if err := t.Check(f, v); err != nil {
				return err
			}
		}
	}
	return c.CheckMetadata(u.Metadata)
}

// CheckUpdate returns the first rule u breaks, or nil, with the errors
// of CheckNewUser: a field set to "" clears it, which a Required field
// cannot be; a metadata key set to nil is removed, which a reserved key
// or, on a closed schema, a key that is no field cannot be.
func (c *Constraints) CheckUpdate(u *UserUpdate) error {
	values := map[string]*string{"Username": u.Username, "Email": u.Email, "Phone": u.Phone,
		"GivenName": u.GivenName, "FamilyName": u.FamilyName, "DisplayName": u.DisplayName}
	for _, f := range c.Required {
		if v := values[f]; v != nil && strings.TrimSpace(*v) == "" {
			return InvalidArgumentError(f, "%s is required by this backend and cannot be cleared", f)
		}
	}
	for _, f := range textFields {
		if v := values[f]; v != nil && *v != "" {
			t, _ := c.text(f)
			if err := t.Check(f, *v); err != nil {
				return err
			}
		}
	}
	return c.CheckMetadata(u.Metadata)
}

// CheckRole returns InvalidArgument naming field when name, of a role
// that exists, breaks the role-name rule, or nil. A reserved prefix is
// not checked: no role has it, which the backend answers NotFound.
func (c *Constraints) CheckRole(field, name string) error {
	r := c.Role
	r.ReservedPrefix = ""
	return r.Check(field, name)
}

// CheckNewRole returns InvalidArgument naming field when name, of a role
// to create, breaks the role-name rule, its reserved prefix included, or
// nil.
func (c *Constraints) CheckNewRole(field, name string) error {
	return c.Role.Check(field, name)
}

// Check returns InvalidArgument naming field when s breaks t, or nil;
// Internal when t's pattern does not compile.
func (t *Text) Check(field, s string) error {
	if t.IsZero() {
		return nil
	}
	n := utf8.RuneCountInString(s)
	switch {
	case t.MinLen > 0 && n < t.MinLen:
		return InvalidArgumentError(field, "%s %s has %d characters; this backend takes %s", field, quote(s), n, t.bounds())
	case t.MaxLen > 0 && n > t.MaxLen:
		return InvalidArgumentError(field, "%s %s has %d characters; this backend takes %s", field, quote(s), n, t.bounds())
	}
	if i := strings.IndexAny(s, t.Forbid); t.Forbid != "" && i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return InvalidArgumentError(field, "%s %s has %q, which this backend does not allow", field, quote(s), r)
	}
	if p := t.ReservedPrefix; p != "" && len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
		return InvalidArgumentError(field, "%s %s starts with %q, which this backend reserves", field, quote(s), p)
	}
	if t.Pattern != "" {
		re, err := compile(t.Pattern)
		if err != nil {
			return Errorf(Internal, "the backend declares a malformed rule for %s: %v", field, err)
		}
		if !re.MatchString(s) {
			return InvalidArgumentError(field, "%s %s is not %s, as this backend requires", field, quote(s), describe(t.Describe, t.Pattern))
		}
	}
	return nil
}

func (t *Text) bounds() string {
	switch {
	case t.MinLen > 0 && t.MaxLen > 0:
		return fmt.Sprintf("%d to %d", t.MinLen, t.MaxLen)
	case t.MinLen > 0:
		return fmt.Sprintf("at least %d", t.MinLen)
	}
	return fmt.Sprintf("at most %d", t.MaxLen)
}

func describe(words, pattern string) string {
	if words != "" {
		return words
	}
	return "matched by " + pattern
}

// CheckMetadata returns the first rule md breaks, or nil: keys first
// (their pattern, reserved keys, a closed schema's fields), then each
// value that is not nil, against its field's rule or Values. md holds
// what encoding/json decodes.
func (c *Constraints) CheckMetadata(md map[string]any) error {
	m := &c.Metadata
	// Sorted, so that of several bad keys the same one is named every
	// time.
	for _, k := range slices.Sorted(maps.Keys(md)) {
		field := "Metadata." + k
		if slices.Contains(m.Reserved, k) {
			return InvalidArgumentError(field, "metadata key %s is reserved by this backend", quote(k))
		}
		rule, declared := m.Fields[k]
		if m.Closed && !declared {
			return InvalidArgumentError(field, "metadata key %s is not a field this backend's app defines; it defines %s", quote(k), fieldList(m.Fields))
		}
		if m.KeyPattern != "" {
			re, err := compile(m.KeyPattern)
			if err != nil {
				return Errorf(Internal, "the backend declares a malformed rule for metadata keys: %v", err)
			}
			if !re.MatchString(k) {
				return InvalidArgumentError(field, "metadata key %s is not %s, as this backend requires", quote(k), describe(m.KeyDescribe, m.KeyPattern))
			}
		}
		if !declared {
			rule = m.Values
		}
		if v := md[k]; v != nil {
			if err := rule.Check(field, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldList names at most ten fields, sorted.
func fieldList(fields map[string]Value) string {
	names := slices.Sorted(maps.Keys(fields))
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// Check returns the error for v, a value encoding/json decodes, under
// the rule: Unsupported naming field for a shape the rule does not
// allow, InvalidArgument naming it for a value of another type or too
// long; nil when v fits.
func (r *Value) Check(field string, v any) error {
	if err := r.shape(field, v); err != nil {
		return err
	}
	if r.Type != AnyType && !r.Type.accepts(v) {
		return InvalidArgumentError(field, "%s must be %s for this backend, not %s", field, r.Type.article(), typeName(v))
	}
	if s, ok := v.(string); ok && r.MaxLen > 0 {
		if n := utf8.RuneCountInString(s); n > r.MaxLen {
			return InvalidArgumentError(field, "%s has %d characters; this backend takes at most %d", field, n, r.MaxLen)
		}
	}
	return nil
}

func (r *Value) shape(field string, v any) error {
	switch t := v.(type) {
	case map[string]any:
		if r.Shape != AnyShape {
			return unsupportedValue(field, "an object", r.Shape)
		}
	case []any:
		if r.Shape == Scalars {
			return unsupportedValue(field, "an array", r.Shape)
		}
		if r.Shape == ScalarArrays {
			for _, x := range t {
				switch x.(type) {
				case string, float64, bool:
				default:
					return unsupportedValue(field, "an array holding "+typeName(x), r.Shape)
				}
			}
		}
	}
	return nil
}

func unsupportedValue(field, what string, s Shape) *Error {
	e := UnsupportedError(field)
	if s == ScalarArrays {
		e.Message = fmt.Sprintf("%s is %s, which this backend cannot hold: it takes strings, numbers, booleans and arrays of those", field, what)
	} else {
		e.Message = fmt.Sprintf("%s is %s, which this backend cannot hold: it takes strings, numbers and booleans", field, what)
	}
	return e
}

func (t ValueType) article() string {
	switch t {
	case IntegerType, EmailType:
		return "an " + string(t)
	}
	return "a " + string(t)
}

// accepts reports whether v, a value encoding/json decodes, is of type t.
func (t ValueType) accepts(v any) bool {
	switch t {
	case AnyType:
		return true
	case NumberType:
		_, ok := v.(float64)
		return ok
	case IntegerType:
		f, ok := v.(float64)
		return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
	case BooleanType:
		_, ok := v.(bool)
		return ok
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	switch t {
	case StringType:
		return true
	case EmailType:
		return ValidEmailValue(s)
	case PhoneType:
		return ValidPhoneValue(s)
	case DateType:
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	}
	return false
}

// ValidEmailValue reports whether s is an email address as EmailType
// requires: one '@' with text on both sides, a dot in the domain with
// text after it, and no white space, '<' or '>'. It is what Okta's and
// Passage's checks of email-typed properties both accept.
func ValidEmailValue(s string) bool {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '<' || r == '>' }) >= 0 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}

// ValidPhoneValue reports whether s is an E.164 number as PhoneType
// requires: '+', then 7 to 15 digits.
func ValidPhoneValue(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// quote shows a value in an error without echoing kilobytes of it.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q... (%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// patterns caches compiled rules: a backend declares a handful, checked
// at every call.
var patterns sync.Map // string -> *regexp.Regexp

// compile returns the anchored expression of pattern; nil for "".
func compile(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	if re, ok := patterns.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, err
	}
	patterns.Store(pattern, re)
	return re, nil
}
