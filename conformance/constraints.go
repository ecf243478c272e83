package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RunConstraints runs the suite's Constraints section alone, as a subtest
// of t: for a backend whose rules the rest of the suite's inputs break
// (one that requires names the suite's users lack, say), or to prove a
// configuration's rules without the whole suite.
func RunConstraints(t *testing.T, h Harness) {
	t.Run("Constraints", func(t *testing.T) { testConstraints(t, h) })
}

// testConstraints proves that the rules Directory.Constraints declares are
// the provider's: for each rule, an input just outside it is refused
// before any request, with the code and Field the rule says, and an input
// just inside it is taken by the provider. It checks too that metadata
// comes back as encoding/json decodes it, the case rules both ways, the
// listing order, and pending until a password.
func testConstraints(t *testing.T, h Harness) {
	t.Run("Declared", func(t *testing.T) {
		e := newEnv(t, h)
		k := e.dir.Constraints()
		require.NoError(t, k.Check(), "the declared constraints are malformed")
		for _, f := range k.Required {
			require.True(t, holdsField(e.caps, f), "%s is required but not a capability", f)
		}
		k.Required = append(k.Required, "Username")
		if k.Metadata.Fields == nil {
			k.Metadata.Fields = map[string]identity.MetadataValue{}
		}
		k.Metadata.Fields["zz"] = identity.MetadataValue{}
		again := e.dir.Constraints()
		assert.NotContains(t, again.Metadata.Fields, "zz", "Constraints shares its Fields with the caller")
		assert.Equal(t, len(k.Required)-1, len(again.Required), "Constraints shares its Required with the caller")
	})
	t.Run("Required", func(t *testing.T) { constraintsEnv(t, h).required() })
	t.Run("Fields", func(t *testing.T) { constraintsEnv(t, h).fields() })
	t.Run("Roles", func(t *testing.T) { constraintsEnv(t, h).roles() })
	t.Run("MetadataKeys", func(t *testing.T) { constraintsEnv(t, h).metadataKeys() })
	t.Run("MetadataValues", func(t *testing.T) { constraintsEnv(t, h).metadataValues() })
	t.Run("MetadataTypes", func(t *testing.T) { constraintsEnv(t, h).metadataTypes() })
	t.Run("Case", func(t *testing.T) { constraintsEnv(t, h).caseRules() })
	t.Run("Order", func(t *testing.T) { constraintsEnv(t, h).order() })
	t.Run("PendingUntilPassword", func(t *testing.T) { constraintsEnv(t, h).pendingUntilPassword() })
}

// cenv is a subtest of the Constraints section: the directory, its
// constraints, and a user to update.
type cenv struct {
	*env
	k      identity.Constraints
	victim *identity.User
	n      int // makes each generated value unique within the subtest
}

func constraintsEnv(t *testing.T, h Harness) *cenv {
	e := &cenv{env: newEnv(t, h)}
	e.k = e.dir.Constraints()
	e.victim = e.create(e.fitting("victim"))
	return e
}

func holdsField(c identity.Capabilities, f string) bool {
	switch f {
	case "Username":
		return c.Username
	case "Phone":
		return c.Phone
	case "GivenName", "FamilyName":
		return c.Names
	case "DisplayName":
		return c.DisplayName
	}
	return f == "Email"
}

// fitting returns a new user with an email, the fields the backend
// requires, and a password where it needs one to be active, that breaks
// no declared rule.
func (e *cenv) fitting(name string) identity.NewUser {
	e.t.Helper()
	nu := e.newUser(name)
	for _, f := range e.k.Required {
		setNew(&nu, f, e.sample(f, name))
	}
	if err := e.k.CheckNewUser(&nu); err != nil {
		e.t.Skipf("the suite cannot make a user that this backend's rules take: %v", err)
	}
	return nu
}

// sample is a value of the user field f that its rule takes.
func (e *cenv) sample(f, name string) string {
	switch f {
	case "Username":
		return e.username(name)
	case "Email":
		return e.email(name)
	case "Phone":
		return e.phone(e.next())
	case "GivenName":
		return "Ada"
	case "FamilyName":
		return "Lovelace"
	}
	return "Ada Lovelace"
}

func (e *cenv) next() int { e.n++; return e.n }

// word returns n letters unique to the subtest and the call, made of the
// tag, so that a shared tenant's cleanup finds what holds them.
func (e *cenv) word(n int) string {
	var b strings.Builder
	for _, c := range fmt.Sprintf("%s%04x", e.tag, e.next()) {
		b.WriteByte(byte('a' + strings.IndexRune("0123456789abcdef", c)))
	}
	s := b.String()
	for len(s) < n {
		s += s
	}
	return s[:n]
}

func setNew(u *identity.NewUser, f, v string) {
	switch f {
	case "Username":
		u.Username = v
	case "Email":
		u.Email = v
	case "Phone":
		u.Phone = v
	case "GivenName":
		u.GivenName = v
	case "FamilyName":
		u.FamilyName = v
	case "DisplayName":
		u.DisplayName = v
	}
}

func update(f string, v string) identity.UserUpdate {
	var u identity.UserUpdate
	switch f {
	case "Username":
		u.Username = &v
	case "Email":
		u.Email = &v
	case "Phone":
		u.Phone = &v
	case "GivenName":
		u.GivenName = &v
	case "FamilyName":
		u.FamilyName = &v
	case "DisplayName":
		u.DisplayName = &v
	}
	return u
}

func fieldOf(u *identity.User, f string) string {
	return map[string]string{"Username": u.Username, "Email": u.Email, "Phone": u.Phone,
		"GivenName": u.GivenName, "FamilyName": u.FamilyName, "DisplayName": u.DisplayName}[f]
}

// requireRefused fails unless call, which must send nothing, returns code
// naming field.
func (e *cenv) requireRefused(what string, code identity.Code, field string, call func() error) {
	e.t.Helper()
	err := e.requireNoRequest(what, call)
	requireCode(e.t, err, code, what)
	var ie *identity.Error
	require.True(e.t, errors.As(err, &ie))
	require.Equal(e.t, field, ie.Field, "%s: the error names the wrong field: %v", what, err)
	require.Zero(e.t, ie.HTTPStatus, "%s: the error came from a response: %v", what, err)
}

// refuseField checks that v in the user field f is refused, at create and
// at update, with InvalidArgument naming f and nothing sent.
func (e *cenv) refuseField(f, v string) {
	e.t.Helper()
	nu := e.fitting("out")
	setNew(&nu, f, v)
	e.requireRefused("CreateUser with "+f+" "+quoteShort(v), identity.InvalidArgument, f, func() error {
		_, err := e.dir.CreateUser(e.ctx, nu)
		return err
	})
	e.requireRefused("UpdateUser with "+f+" "+quoteShort(v), identity.InvalidArgument, f, func() error {
		_, err := e.dir.UpdateUser(e.ctx, e.victim.ID, update(f, v))
		return err
	})
}

// takeField checks that the provider takes v in the user field f.
func (e *cenv) takeField(f, v string) {
	e.t.Helper()
	u, err := e.dir.UpdateUser(e.ctx, e.victim.ID, update(f, v))
	require.NoError(e.t, err, "UpdateUser with %s %s, which the declared rules take", f, quoteShort(v))
	want := v
	if f == "Email" && e.k.Case.LowercasesEmail {
		want = strings.ToLower(v)
	}
	require.Equal(e.t, want, fieldOf(u, f))
	require.Equal(e.t, want, fieldOf(e.get(e.victim.ID), f))
}

func quoteShort(s string) string {
	if len(s) > 24 {
		return fmt.Sprintf("%q... (%d characters)", s[:24], utf8.RuneCountInString(s))
	}
	return fmt.Sprintf("%q", s)
}

func (e *cenv) required() {
	if len(e.k.Required) == 0 {
		e.t.Skip("the backend requires no field beyond an identifier")
	}
	for _, f := range e.k.Required {
		e.t.Run(f, func(t *testing.T) {
			s := e.sub(t)
			for _, v := range []string{"", "   "} {
				nu := s.fitting("req")
				setNew(&nu, f, v)
				s.requireRefused("CreateUser without "+f, identity.InvalidArgument, f, func() error {
					_, err := s.dir.CreateUser(s.ctx, nu)
					return err
				})
				s.requireRefused("UpdateUser clearing "+f, identity.InvalidArgument, f, func() error {
					_, err := s.dir.UpdateUser(s.ctx, s.victim.ID, update(f, v))
					return err
				})
			}
		})
	}
}

func (e *cenv) sub(t *testing.T) *cenv {
	return &cenv{env: e.env.sub(t), k: e.k, victim: e.victim, n: 1000 * (e.next() + 1)}
}

// portableMax is the longest value of each field the portable layer
// takes: a bound at or above it is moot.
var portableMax = map[string]int{"Username": 128, "Email": 254, "Phone": 16, "GivenName": 128, "FamilyName": 128, "DisplayName": 128, "Role": 128}

// ofLen returns a value of the field f of exactly n characters that the
// portable layer takes, or false where there is none (an email of four
// characters, or a username the harness shapes).
func (e *cenv) ofLen(f string, n int) (string, bool) {
	switch f {
	case "Email":
		if n < 5 {
			return "", false
		}
		local := e.word(min(20, n-4))
		d := n - len(local) - 1
		if d < 5 {
			return local + "@" + e.labels(d-2) + "." + e.word(1), true
		}
		return local + "@" + e.labels(d-4) + ".com", true
	case "Phone":
		return "", false // no backend bounds a phone's length beyond E.164
	case "Username":
		if _, shaped := e.h.(Usernamer); shaped {
			return "", false
		}
		return e.word(n), n > 0
	case "Role":
		return "r" + e.word(n-1), n > 0
	}
	if n < 1 {
		return "", false
	}
	return "A" + strings.Repeat("a", n-1), true
}

// labels returns n characters of dotted letters, each label 1 to 60
// long: the front of a domain name.
func (e *cenv) labels(n int) string {
	var ls []string
	for n > 0 {
		l := min(n, 60)
		if n-l == 1 {
			l-- // leave room for the dot and a label of one
		}
		ls = append(ls, e.word(l))
		n -= l
		if n > 0 {
			n-- // the dot
		}
	}
	return strings.Join(ls, ".")
}

// cases returns values of the field f that break rule r and no other
// part of it, by what each breaks (outside), and values that keep it
// (inside).
func (e *cenv) cases(f string, r identity.TextRule) (outside map[string]string, inside []string) {
	outside = map[string]string{}
	keeps := func(v string) bool { return r.Check(f, v) == nil }
	if r.MinLen > 1 {
		if v, ok := e.ofLen(f, r.MinLen-1); ok {
			outside[fmt.Sprintf("shorter than %d", r.MinLen)] = v
		}
		if v, ok := e.ofLen(f, r.MinLen); ok && keeps(v) {
			inside = append(inside, v)
		}
	}
	if r.MaxLen > 0 && r.MaxLen < portableMax[f] {
		if v, ok := e.ofLen(f, r.MaxLen+1); ok {
			outside[fmt.Sprintf("longer than %d", r.MaxLen)] = v
		}
		if v, ok := e.ofLen(f, r.MaxLen); ok && keeps(v) {
			inside = append(inside, v)
		}
	}
	n := max(12, r.MinLen)
	if r.MaxLen > 0 {
		n = min(n, r.MaxLen)
	}
	base, ok := e.ofLen(f, n)
	if !ok {
		return outside, inside
	}
	if r.Pattern != "" {
		for _, c := range patternBreakers(f, base) {
			if !keeps(c) && (r.MaxLen == 0 || utf8.RuneCountInString(c) <= r.MaxLen) && utf8.RuneCountInString(c) >= r.MinLen {
				outside["not matching "+r.Pattern] = c
				break
			}
		}
		if keeps(base) {
			inside = append(inside, base)
		}
	}
	for _, c := range r.Forbid {
		v := base[:len(base)/2] + string(c) + base[len(base)/2:]
		outside[fmt.Sprintf("holding %q", c)] = v
		if keeps(base) {
			inside = append(inside, base)
		}
	}
	if p := r.ReservedPrefix; p != "" {
		outside["starting with "+p] = strings.ToUpper(p) + base
		if v := strings.TrimRight(p, ":/") + base; keeps(v) {
			inside = append(inside, v)
		}
	}
	return outside, slices.Compact(inside)
}

// patternBreakers are values like base that the portable layer takes in
// the field f, each with a character a narrower pattern might refuse.
func patternBreakers(f, base string) []string {
	if f == "Email" || f == "Phone" {
		return nil
	}
	cs := []string{"1" + base, base[:1] + "." + base[1:], base[:1] + "-" + base[1:], base[:1] + "+" + base[1:], "_" + base, "A" + base}
	if f != "Username" {
		cs = append(cs, base[:1]+" "+base[1:], base[:1]+"é"+base[1:], base[:1]+","+base[1:])
	}
	return cs
}

func (e *cenv) fields() {
	ran := false
	for _, f := range []string{"Username", "Email", "Phone", "GivenName", "FamilyName", "DisplayName"} {
		r := e.rule(f)
		if r.IsZero() || !holdsField(e.caps, f) {
			continue
		}
		ran = true
		e.t.Run(f, func(t *testing.T) {
			s := e.sub(t)
			outside, inside := s.cases(f, r)
			if len(outside) == 0 && len(inside) == 0 {
				t.Skipf("the suite makes no %s to try %+v with", f, r)
			}
			for what, v := range outside {
				t.Run(what, func(t *testing.T) { s.sub(t).refuseField(f, v) })
			}
			for _, v := range inside {
				t.Run("takes "+quoteShort(v), func(t *testing.T) { s.sub(t).takeField(f, v) })
			}
		})
	}
	if !ran {
		e.t.Skip("the backend declares no rule of a user field")
	}
}

func (e *cenv) rule(f string) identity.TextRule {
	return map[string]identity.TextRule{"Username": e.k.Username, "Email": e.k.Email, "Phone": e.k.Phone,
		"GivenName": e.k.GivenName, "FamilyName": e.k.FamilyName, "DisplayName": e.k.DisplayName}[f]
}

func (e *cenv) roles() {
	if e.k.Role.IsZero() {
		e.t.Skip("the backend declares no rule of role names")
	}
	if !e.caps.Roles {
		e.t.Skip("no roles: Gates checks Unsupported")
	}
	outside, inside := e.cases("Role", e.k.Role)
	for what, v := range outside {
		e.t.Run(what, func(t *testing.T) {
			s := e.sub(t)
			if s.caps.RoleCatalog {
				s.requireRefused("CreateRole "+quoteShort(v), identity.InvalidArgument, "Role.Name", func() error {
					_, err := s.dir.CreateRole(s.ctx, identity.Role{Name: v, Description: "conformance"})
					return err
				})
			}
			if strings.HasPrefix(what, "starting with") {
				return // no role has the prefix: the other calls find none
			}
			s.requireRefused("AssignRole "+quoteShort(v), identity.InvalidArgument, "role", func() error {
				return s.dir.AssignRole(s.ctx, s.victim.ID, v)
			})
			s.requireRefused("SetRoles "+quoteShort(v), identity.InvalidArgument, "roles", func() error {
				return s.dir.SetRoles(s.ctx, s.victim.ID, v)
			})
		})
	}
	if !e.caps.RoleCatalog {
		return // the catalogue is the provider's: no name to make
	}
	for _, v := range inside {
		e.t.Run("takes "+quoteShort(v), func(t *testing.T) {
			s := e.sub(t)
			r, err := s.dir.CreateRole(s.ctx, identity.Role{Name: v, Description: "conformance"})
			require.NoError(t, err, "CreateRole %s, which the declared rule takes", quoteShort(v))
			require.Equal(t, v, r.Name)
			require.NoError(t, s.dir.AssignRole(s.ctx, s.victim.ID, v))
		})
	}
}

// refuseMetadata checks that md is refused at create and at update with
// code naming field, and nothing sent.
func (e *cenv) refuseMetadata(md map[string]any, code identity.Code, field string) {
	e.t.Helper()
	nu := e.fitting("md")
	nu.Metadata = md
	if !slices.ContainsFunc(slices.Collect(maps.Values(md)), func(v any) bool { return v == nil }) {
		e.requireRefused(fmt.Sprintf("CreateUser with metadata %v", md), code, field, func() error {
			_, err := e.dir.CreateUser(e.ctx, nu)
			return err
		})
	}
	e.requireRefused(fmt.Sprintf("UpdateUser with metadata %v", md), code, field, func() error {
		_, err := e.dir.UpdateUser(e.ctx, e.victim.ID, identity.UserUpdate{Metadata: md})
		return err
	})
}

// takeMetadata checks that the provider takes {key: v}, and gives back
// want, as encoding/json decodes it.
func (e *cenv) takeMetadata(key string, v, want any) {
	e.t.Helper()
	u, err := e.dir.UpdateUser(e.ctx, e.victim.ID, identity.UserUpdate{Metadata: map[string]any{key: v}})
	require.NoError(e.t, err, "UpdateUser with metadata %s: %#v, which the declared rules take", key, v)
	assert.Equal(e.t, want, u.Metadata[key], "UpdateUser's answer, metadata %s", key)
	assert.Equal(e.t, want, e.get(e.victim.ID).Metadata[key], "GetUser, metadata %s", key)
}

// metaRule is the rule of key's values.
func (e *cenv) metaRule(key string) identity.MetadataValue {
	if v, ok := e.k.Metadata.Fields[key]; ok {
		return v
	}
	return e.k.Metadata.Values
}

// freeKey returns a key no field of Fields names and no rule of keys
// refuses, or false on a closed schema.
func (e *cenv) freeKey() (string, bool) {
	m := &e.k.Metadata
	if m.Closed {
		return "", false
	}
	for range 8 {
		k := "k" + e.word(8)
		if _, declared := m.Fields[k]; !declared && !slices.Contains(m.Reserved, k) && e.k.CheckMetadata(map[string]any{k: "v"}) == nil {
			return k, true
		}
	}
	return "", false
}

func (e *cenv) needMetadata() {
	if !e.caps.Metadata {
		e.t.Skip("no metadata: Create/UnsupportedFields checks Unsupported")
	}
}

func (e *cenv) metadataKeys() {
	e.needMetadata()
	m := &e.k.Metadata
	ran := false
	if m.KeyPattern != "" {
		ran = true
		e.t.Run("Pattern", func(t *testing.T) {
			s := e.sub(t)
			w := s.word(6)
			var bad string
			for _, k := range []string{"1" + w, w + "-x", w + ".x", w + " x", "_" + w, w + "é"} {
				if s.k.CheckMetadata(map[string]any{k: nil}) != nil && !slices.Contains(m.Reserved, k) {
					bad = k
					break
				}
			}
			if bad == "" {
				t.Skipf("the suite makes no key that the pattern %s refuses", m.KeyPattern)
			}
			s.refuseMetadata(map[string]any{bad: "v"}, identity.InvalidArgument, "Metadata."+bad)
		})
	}
	for _, k := range m.Reserved {
		ran = true
		e.t.Run("Reserved/"+k, func(t *testing.T) {
			s := e.sub(t)
			s.refuseMetadata(map[string]any{k: "v"}, identity.InvalidArgument, "Metadata."+k)
			s.refuseMetadata(map[string]any{k: nil}, identity.InvalidArgument, "Metadata."+k)
		})
	}
	if m.Closed {
		ran = true
		e.t.Run("Closed", func(t *testing.T) {
			s := e.sub(t)
			k := "zz" + s.word(6)
			s.refuseMetadata(map[string]any{k: "v"}, identity.InvalidArgument, "Metadata."+k)
			s.refuseMetadata(map[string]any{k: nil}, identity.InvalidArgument, "Metadata."+k)
		})
	}
	if !ran {
		e.t.Skip("the backend declares no rule of metadata keys")
	}
}

// typeSamples are a value of each type (as given and as it comes back),
// and values of none.
var typeSamples = []struct {
	name      string
	v, parsed any
}{
	{"string", "v", "v"},
	{"number", 2.5, 2.5},
	{"integer", 3, float64(3)},
	{"boolean", true, true},
	{"email", "ada@example.com", "ada@example.com"},
	{"phone", "+14155550100", "+14155550100"},
	{"date", "2024-02-29", "2024-02-29"},
	{"bad date", "2024-13-45", "2024-13-45"},
	{"bad email", "not an address", "not an address"},
}

func (e *cenv) metadataValues() {
	e.needMetadata()
	m := &e.k.Metadata
	keys := slices.Sorted(maps.Keys(m.Fields))
	var free string
	if k, ok := e.freeKey(); ok {
		free = k
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		e.t.Skip("no metadata key to try")
	}
	seen := map[identity.MetadataValue]bool{}
	for _, key := range keys {
		if slices.Contains(m.Reserved, key) {
			continue // MetadataKeys tries it
		}
		rule := e.metaRule(key)
		if seen[rule] && key != free {
			continue // a field with the rule of one tried already
		}
		seen[rule] = true
		name := key
		if key == free {
			name = "Values"
		}
		e.t.Run(name, func(t *testing.T) {
			s := e.sub(t)
			field := "Metadata." + key
			// Shapes: what the rule cannot hold is Unsupported.
			shapes := []struct {
				name string
				v    any
				ok   bool
			}{
				{"object", map[string]any{"a": map[string]any{"b": "c"}}, rule.Shape == identity.AnyShape},
				{"array", []any{"a", "b"}, rule.Shape != identity.Scalars},
				{"array of objects", []any{map[string]any{"a": "b"}}, rule.Shape == identity.AnyShape},
				{"array with null", []any{"a", nil}, rule.Shape == identity.AnyShape},
			}
			for _, sh := range shapes {
				if !sh.ok {
					t.Run("refuses "+sh.name, func(t *testing.T) {
						s.sub(t).refuseMetadata(map[string]any{key: sh.v}, identity.Unsupported, field)
					})
				} else if rule.Type == identity.AnyType {
					t.Run("takes "+sh.name, func(t *testing.T) { s.sub(t).takeMetadata(key, sh.v, sh.v) })
				}
			}
			// Types.
			takes := []string{string(rule.Type)}
			if rule.Type == identity.AnyType {
				takes = []string{"string", "integer", "boolean"}
			}
			for _, ts := range typeSamples {
				err := rule.Check(field, ts.parsed)
				switch {
				case err == nil && slices.Contains(takes, ts.name):
					t.Run("takes "+ts.name, func(t *testing.T) { s.sub(t).takeMetadata(key, ts.v, ts.parsed) })
				case identity.CodeOf(err) == identity.InvalidArgument:
					t.Run("refuses "+ts.name, func(t *testing.T) {
						s.sub(t).refuseMetadata(map[string]any{key: ts.v}, identity.InvalidArgument, field)
					})
				}
			}
			// Length.
			if rule.MaxLen > 0 && rule.Check(field, "v") == nil {
				t.Run(fmt.Sprintf("refuses longer than %d", rule.MaxLen), func(t *testing.T) {
					s.sub(t).refuseMetadata(map[string]any{key: strings.Repeat("a", rule.MaxLen+1)}, identity.InvalidArgument, field)
				})
				t.Run(fmt.Sprintf("takes %d", rule.MaxLen), func(t *testing.T) {
					v := strings.Repeat("a", rule.MaxLen)
					s.sub(t).takeMetadata(key, v, v)
				})
			}
		})
	}
}

// label is a string type of an application's own, which encoding/json
// writes as a string.
type label string

func (e *cenv) metadataTypes() {
	e.needMetadata()
	// A key for each kind of value: a field that takes it, or a free key.
	keyFor := func(v any) (string, bool) {
		for _, k := range slices.Sorted(maps.Keys(e.k.Metadata.Fields)) {
			if !slices.Contains(e.k.Metadata.Reserved, k) && e.k.CheckMetadata(map[string]any{k: v}) == nil {
				return k, true
			}
		}
		if k, ok := e.freeKey(); ok && e.k.CheckMetadata(map[string]any{k: v}) == nil {
			return k, true
		}
		return "", false
	}
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		v    any
		want any
	}{
		{"int", int(5), float64(5)},
		{"int64", int64(-7), float64(-7)},
		{"uint8", uint8(9), float64(9)},
		{"json.Number", json.Number("11"), float64(11)},
		{"float32", float32(0.5), 0.5},
		{"time.Time", when, "2024-01-02T03:04:05Z"},
		{"a string type", label("pro"), "pro"},
		{"[]byte", []byte("hi"), "aGk="},
		{"[]string", []string{"a", "b"}, []any{"a", "b"}},
		{"[]int", []int{1, 2}, []any{float64(1), float64(2)}},
		{"map[string]int", map[string]int{"n": 1}, map[string]any{"n": float64(1)}},
		{"struct", struct {
			A int `json:"a"`
		}{1}, map[string]any{"a": float64(1)}},
	}
	ran := false
	for _, c := range cases {
		key, ok := keyFor(c.want)
		if !ok {
			continue // no key of this backend takes such a value
		}
		ran = true
		e.t.Run(c.name, func(t *testing.T) { e.sub(t).takeMetadata(key, c.v, c.want) })
	}
	if key, ok := keyFor(float64(1)); ok {
		ran = true
		for _, v := range []any{int64(1<<53 + 1), uint64(math.MaxUint64), json.Number("9007199254740993")} {
			e.t.Run(fmt.Sprintf("refuses %T %v", v, v), func(t *testing.T) {
				e.sub(t).refuseMetadata(map[string]any{key: v}, identity.InvalidArgument, "Metadata."+key)
			})
		}
	}
	if !ran {
		e.t.Skip("no metadata key takes a value to convert")
	}
}

// swapCase swaps the case of every letter of s.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

func (e *cenv) caseRules() {
	ran := false
	if e.caps.Username {
		ran = true
		e.t.Run("Username", func(t *testing.T) {
			s := e.sub(t)
			a := s.fitting("ca")
			a.Username = s.username("casea")
			s.create(a)
			b := s.fitting("cb")
			b.Username = swapCase(a.Username)
			if s.k.CheckNewUser(&b) != nil {
				t.Skip("the suite makes no username of another case that the rules take")
			}
			u, err := s.dir.CreateUser(s.ctx, b)
			if s.k.Case.UsernameUniqueIgnoringCase {
				requireCode(t, err, identity.AlreadyExists, "a username differing only in case, where usernames are unique ignoring case")
				return
			}
			require.NoError(t, err, "a username differing only in case, where the backend declares usernames unique with case")
			assert.Equal(t, b.Username, u.Username)
		})
	}
	if e.caps.RoleCatalog {
		ran = true
		e.t.Run("RoleName", func(t *testing.T) {
			s := e.sub(t)
			name := s.roleName("case")
			_, err := s.dir.CreateRole(s.ctx, identity.Role{Name: name, Description: "conformance"})
			require.NoError(t, err)
			_, err = s.dir.CreateRole(s.ctx, identity.Role{Name: strings.ToUpper(name), Description: "conformance"})
			if s.k.Case.RoleNameUniqueIgnoringCase {
				requireCode(t, err, identity.AlreadyExists, "a role name differing only in case, where role names are unique ignoring case")
				return
			}
			require.NoError(t, err, "a role name differing only in case, where the backend declares role names unique with case")
		})
	}
	e.t.Run("Email", func(t *testing.T) {
		s := e.sub(t)
		nu := s.fitting("ce")
		nu.Email = "Mixed." + strings.ToUpper(s.tag) + "@Example.COM"
		u := s.create(nu)
		want := nu.Email
		if s.k.Case.LowercasesEmail {
			want = strings.ToLower(want)
		}
		assert.Equal(t, want, u.Email, "CreateUser's answer")
		assert.Equal(t, want, s.get(u.ID).Email, "GetUser")
	})
	_ = ran
}

func (e *cenv) order() {
	if e.k.Order == identity.OrderUnspecified {
		e.t.Skip("the backend declares no listing order")
	}
	var made []string
	for i := range 3 {
		made = append(made, e.create(e.fitting(fmt.Sprintf("ord%d", i))).ID)
	}
	var listed []string
	for u, err := range e.dir.ListUsers(e.ctx, identity.ListOptions{Query: e.tag, PageSize: 2}) {
		require.NoError(e.t, err)
		if slices.Contains(made, u.ID) {
			listed = append(listed, u.ID)
		}
	}
	want := slices.Clone(made)
	switch e.k.Order {
	case identity.OrderNewestFirst:
		slices.Reverse(want)
	case identity.OrderByID:
		slices.Sort(want)
	}
	require.Equal(e.t, want, listed, "users listed %s", e.k.Order)
}

func (e *cenv) pendingUntilPassword() {
	if !e.caps.SetPassword {
		e.t.Skip("no passwords: a user's status cannot hang on one")
	}
	nu := e.fitting("nopw")
	nu.Password = ""
	u := e.create(nu)
	if !e.caps.PendingUntilPassword {
		require.Equal(e.t, identity.StatusActive, u.Status, "a user created without a password, where PendingUntilPassword is off")
		return
	}
	require.Equal(e.t, identity.StatusPending, u.Status, "a user created without a password, where PendingUntilPassword is on")
	requireCode(e.t, e.dir.SuspendUser(e.ctx, u.ID), identity.FailedPrecondition, "suspending a user pending for a password")
	requireCode(e.t, e.dir.ActivateUser(e.ctx, u.ID), identity.FailedPrecondition, "activating a user without a password")
	require.NoError(e.t, e.dir.SetPassword(e.ctx, u.ID, password))
	require.Equal(e.t, identity.StatusActive, e.get(u.ID).Status, "SetPassword makes a user pending for a password active")
}
