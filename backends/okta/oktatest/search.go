package oktatest

import (
	"cmp"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/idport/identity/internal/emulate"
)

// expr is a parsed filter or search expression. get returns the values of
// an attribute (several for an array attribute); none means absent.
type expr interface {
	eval(get func(attr string) []string) bool
}

type and struct{ l, r expr }
type or struct{ l, r expr }

// comparison is one attr op value term. fold is set for search, whose string
// values Okta compares ignoring case; filter compares them exactly.
type comparison struct {
	attr, op, value string
	fold            bool
}

func (a and) eval(g func(string) []string) bool { return a.l.eval(g) && a.r.eval(g) }
func (o or) eval(g func(string) []string) bool  { return o.l.eval(g) || o.r.eval(g) }

func (c comparison) eval(get func(string) []string) bool {
	for _, v := range get(c.attr) {
		if c.match(v) {
			return true
		}
	}
	return false
}

func (c comparison) match(v string) bool {
	if t, err := time.Parse(time.RFC3339, c.value); err == nil {
		have, err := time.Parse(time.RFC3339, v)
		return err == nil && emulate.Compare(c.op, have.Compare(t))
	}
	want := c.value
	if c.fold {
		v, want = strings.ToLower(v), strings.ToLower(want)
	}
	switch c.op {
	case "eq":
		return v == want
	case "sw":
		return strings.HasPrefix(v, want)
	case "co":
		return strings.Contains(v, want)
	case "gt", "ge", "lt", "le":
		// Numbers compare as numbers, anything else as strings.
		d := strings.Compare(v, want)
		if a, err1 := strconv.ParseFloat(v, 64); err1 == nil {
			if b, err2 := strconv.ParseFloat(want, 64); err2 == nil {
				d = cmp.Compare(a, b)
			}
		}
		return emulate.Compare(c.op, d)
	}
	return false
}

var errSyntax = errors.New("invalid search criteria")

// maxExpr bounds an expression's length, so that a hostile query cannot
// make the recursive-descent parser go deep.
const maxExpr = 4096

// parser reads Okta's filter grammar: attr op "value" terms, and, or and
// parentheses, with and binding tighter than or.
type parser struct {
	toks  []string
	pos   int
	depth int
	ok    func(attr, op string) bool
	fold  bool
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return nil, errSyntax
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' && s[j] != '"' {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

// parse reads a filter (fold false) or search (fold true) expression whose
// terms ok allows.
func parse(s string, ok func(attr, op string) bool, fold bool) (expr, error) {
	if len(s) > maxExpr {
		return nil, errSyntax
	}
	toks, err := tokenize(s)
	if err != nil || len(toks) == 0 {
		return nil, errSyntax
	}
	p := &parser{toks: toks, ok: ok, fold: fold}
	e, err := p.or()
	if err != nil || p.pos != len(p.toks) {
		return nil, errSyntax
	}
	return e, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	for err == nil && strings.EqualFold(p.peek(), "or") {
		p.pos++
		var r expr
		if r, err = p.and(); err == nil {
			l = or{l, r}
		}
	}
	return l, err
}

func (p *parser) and() (expr, error) {
	l, err := p.term()
	for err == nil && strings.EqualFold(p.peek(), "and") {
		p.pos++
		var r expr
		if r, err = p.term(); err == nil {
			l = and{l, r}
		}
	}
	return l, err
}

func (p *parser) term() (expr, error) {
	if p.peek() == "(" {
		if p.depth++; p.depth > 32 {
			return nil, errSyntax
		}
		p.pos++
		e, err := p.or()
		if err != nil || p.peek() != ")" {
			return nil, errSyntax
		}
		p.pos++
		p.depth--
		return e, nil
	}
	if p.pos+3 > len(p.toks) {
		return nil, errSyntax
	}
	attr, op, lit := p.toks[p.pos], strings.ToLower(p.toks[p.pos+1]), p.toks[p.pos+2]
	p.pos += 3
	if !p.ok(attr, op) {
		return nil, errSyntax
	}
	value, ok := literal(lit)
	if !ok {
		return nil, errSyntax
	}
	return comparison{attr: attr, op: op, value: value, fold: p.fold}, nil
}

// literal reads a term's value: a JSON string, as the grammar requires of
// strings and dates, or a bare number or boolean for typed custom
// attributes.
func literal(lit string) (string, bool) {
	if lit == "" || lit == "(" || lit == ")" {
		return "", false
	}
	if lit[0] == '"' {
		var s string
		if json.Unmarshal([]byte(lit), &s) != nil {
			return "", false
		}
		return s, true
	}
	if lit == "true" || lit == "false" {
		return lit, true
	}
	if _, err := strconv.ParseFloat(lit, 64); err == nil {
		return lit, true
	}
	return "", false
}

// filterAllowed is the users filter subset: eq on a few attributes, ranges
// on lastUpdated.
func filterAllowed(attr, op string) bool {
	switch attr {
	case "status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName":
		return op == "eq"
	case "lastUpdated":
		return op == "eq" || op == "gt" || op == "ge" || op == "lt" || op == "le"
	}
	return false
}

// searchAllowed is the users search subset: eq and sw on any profile
// attribute and the top-level ones, co on the four name attributes, no
// ne. The range operators, which SEMANTICS.md does not list but Okta's
// search reference shows on dates, are accepted as well.
func searchAllowed(attr, op string) bool {
	switch op {
	case "eq", "sw", "gt", "ge", "lt", "le":
	case "co":
		return attr == "profile.firstName" || attr == "profile.lastName" || attr == "profile.email" || attr == "profile.login"
	default:
		return false
	}
	switch attr {
	case "id", "status", "created", "activated", "statusChanged", "lastUpdated", "type.id":
		return true
	}
	return strings.HasPrefix(attr, "profile.") && len(attr) > len("profile.")
}

// groupFilterAllowed is the groups filter subset: eq on id, type and the
// name, ranges on the timestamps.
func groupFilterAllowed(attr, op string) bool {
	switch attr {
	case "id", "type", "profile.name":
		return op == "eq"
	case "created", "lastUpdated", "lastMembershipUpdated":
		return op == "eq" || op == "gt" || op == "ge" || op == "lt" || op == "le"
	}
	return false
}

// groupSearchAllowed adds sw on the name and description to the filter
// subset.
func groupSearchAllowed(attr, op string) bool {
	if op == "sw" {
		return attr == "profile.name" || attr == "profile.description"
	}
	return groupFilterAllowed(attr, op) || attr == "profile.description" && op == "eq"
}
