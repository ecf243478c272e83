package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/idport/identity/driver"
)

// Constraints are a backend's rules beyond the portable layer's own, and
// the behaviours of its provider that differ from one provider to the
// next; see [Directory.Constraints].
type Constraints = driver.Constraints

// TextRule is the rule of a string field, such as a minimum username
// length.
type TextRule = driver.Text

// MetadataRules are the rules of a user's metadata: its keys, and what
// its values can be.
type MetadataRules = driver.MetadataRules

// MetadataValue is the rule of one metadata value.
type MetadataValue = driver.Value

// ValueType is the type a metadata value must have.
type ValueType = driver.ValueType

// The metadata value types; see [driver.ValueType].
const (
	AnyType     = driver.AnyType
	StringType  = driver.StringType
	NumberType  = driver.NumberType
	IntegerType = driver.IntegerType
	BooleanType = driver.BooleanType
	EmailType   = driver.EmailType
	PhoneType   = driver.PhoneType
	DateType    = driver.DateType
)

// Shape is how far a metadata value may nest.
type Shape = driver.Shape

// The shapes; see [driver.Shape].
const (
	AnyShape     = driver.AnyShape
	ScalarArrays = driver.ScalarArrays
	Scalars      = driver.Scalars
)

// CaseRules say which of a provider's comparisons ignore case.
type CaseRules = driver.CaseRules

// Order is the order a backend lists users in.
type Order = driver.Order

// The listing orders; see [driver.Order].
const (
	OrderUnspecified = driver.OrderUnspecified
	OrderOldestFirst = driver.OrderOldestFirst
	OrderNewestFirst = driver.OrderNewestFirst
	OrderByID        = driver.OrderByID
)

// Constraints reports the rules the backend's provider holds input to
// beyond the portable layer's own (names it requires, username lengths
// and characters, role names, what metadata can hold), and the
// behaviours that differ between providers: which comparisons ignore
// case, and the order users are listed in. It makes no call, and the
// value is the caller's to keep.
//
// CreateUser, UpdateUser and the role calls check these rules before any
// request: input that breaks one is InvalidArgument naming the field
// ("Username", "Metadata.plan"), or Unsupported naming a metadata key
// whose value has a shape the backend cannot hold, and nothing was sent.
// A provider can still refuse a value by a rule of its own that no
// constraint declares (an identity schema's format, say): that
// InvalidArgument has Error.HTTPStatus set, and its message says the
// provider refused it. A backend that declares no constraints reports the
// zero value.
func (d *Directory) Constraints() Constraints { return d.cons.Clone() }

// constraintsOf returns what d declares, if it declares anything.
func constraintsOf(d driver.Directory) driver.Constraints {
	if c, ok := d.(driver.Constrained); ok {
		return c.Constraints().Clone()
	}
	return driver.Constraints{}
}

// constrainNewUser normalises u's metadata, giving u a private copy of
// it, and checks u against the backend's constraints. u has passed
// validateNewUser.
func (d *Directory) constrainNewUser(u *NewUser) error {
	md, err := normalizeMetadata(u.Metadata)
	if err != nil {
		return err
	}
	u.Metadata = md
	return d.cons.CheckNewUser(u)
}

// constrainUpdate is constrainNewUser for an update.
func (d *Directory) constrainUpdate(u *UserUpdate) error {
	md, err := normalizeMetadata(u.Metadata)
	if err != nil {
		return err
	}
	u.Metadata = md
	return d.cons.CheckUpdate(u)
}

// checkRole checks the name of a role that exists against the portable
// rules, then the backend's.
func (d *Directory) checkRole(field, name string) error {
	if err := checkRoleName(field, name); err != nil {
		return err
	}
	return d.cons.CheckRole(field, name)
}

// checkNewRole is checkRole for a role to create.
func (d *Directory) checkNewRole(field, name string) error {
	if err := checkRoleName(field, name); err != nil {
		return err
	}
	return d.cons.CheckNewRole(field, name)
}

// refusedPrefix starts the message of an InvalidArgument the provider
// answered, which no declared constraint predicted.
const refusedPrefix = "refused by the provider: "

// refused marks an InvalidArgument that came in a provider's answer
// (HTTPStatus set), so that its message says a request was sent and
// refused: the constraints did not predict it.
func refused(err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Code != InvalidArgument || e.HTTPStatus == 0 || strings.HasPrefix(e.Message, refusedPrefix) {
		return err
	}
	c := *e
	c.Message = refusedPrefix + c.Message
	return &c
}

// refusedUser is refused for a call that returns a user.
func refusedUser(u *User, err error) (*User, error) { return u, refused(err) }

// normalizeMetadata returns a copy of md that holds what encoding/json
// decodes from md's encoding, so that every backend, the in-process one
// included, stores and gives back the same values: every number a
// float64, a typed slice an []any, a map or struct a map[string]any of
// its JSON fields, a time.Time its RFC 3339 string, a []byte its base64
// string, a json.Number or json.RawMessage its value. It returns nil for
// nil.
//
// An integer that a float64 cannot hold exactly (beyond 2^53, in
// general) is InvalidArgument naming its key, since it would come back
// as another number: pass it as a string. md has passed checkMetadata,
// so that encoding/json can encode it.
func normalizeMetadata(md map[string]any) (map[string]any, error) {
	if md == nil {
		return nil, nil
	}
	out := make(map[string]any, len(md))
	for k, v := range md {
		n, err := normalValue("Metadata."+k, v)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// normalValue is normalizeMetadata for one value; field is its path, for
// errors.
func normalValue(field string, v any) (any, error) {
	switch t := v.(type) {
	case nil, string, bool:
		return t, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, driver.InvalidArgumentError(field, "%s is %v, which JSON cannot hold", field, t)
		}
		return t, nil
	case float32:
		// encoding/json writes a float32 in its own shortest form, 0.1
		// as "0.1", which decodes to the float64 0.1.
		f, err := strconv.ParseFloat(strconv.FormatFloat(float64(t), 'g', -1, 32), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, driver.InvalidArgumentError(field, "%s is %v, which JSON cannot hold", field, t)
		}
		return f, nil
	case int:
		return exactInt(field, int64(t))
	case int8:
		return float64(t), nil
	case int16:
		return float64(t), nil
	case int32:
		return float64(t), nil
	case int64:
		return exactInt(field, t)
	case uint:
		return exactUint(field, uint64(t))
	case uint8:
		return float64(t), nil
	case uint16:
		return float64(t), nil
	case uint32:
		return float64(t), nil
	case uint64:
		return exactUint(field, t)
	case json.Number:
		return exactNumber(field, string(t))
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			n, err := normalValue(fmt.Sprintf("%s[%d]", field, i), x)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			n, err := normalValue(field+"."+k, x)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	}
	// Anything else (a json.RawMessage, a time.Time, a struct, a typed
	// map or slice) becomes what encoding/json makes of it, its numbers
	// kept exact until they are checked.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, driver.InvalidArgumentError(field, "%s is not JSON-encodable: %v", field, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var decoded any
	if err := dec.Decode(&decoded); err != nil {
		return nil, driver.InvalidArgumentError(field, "%s does not encode to JSON that decodes: %v", field, err)
	}
	return normalValue(field, decoded)
}

// lossy is the error of an integer a float64 cannot hold exactly.
func lossy(field, n string) error {
	return driver.InvalidArgumentError(field, "%s is the integer %s, which JSON numbers (float64) cannot hold exactly; store it as a string", field, n)
}

func exactInt(field string, n int64) (any, error) {
	f := float64(n)
	// float64(MaxInt64) rounds up to 2^63, which converts back to no
	// int64 at all.
	if f >= math.MaxInt64 || int64(f) != n {
		return nil, lossy(field, strconv.FormatInt(n, 10))
	}
	return f, nil
}

func exactUint(field string, n uint64) (any, error) {
	f := float64(n)
	if f >= math.MaxUint64 || uint64(f) != n {
		return nil, lossy(field, strconv.FormatUint(n, 10))
	}
	return f, nil
}

// exactNumber converts a JSON number: an integer literal only when a
// float64 holds it exactly, a fraction or exponent as encoding/json
// would decode it.
func exactNumber(field, s string) (any, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, driver.InvalidArgumentError(field, "%s is the number %s, which a float64 cannot hold", field, quoteNumber(s))
	}
	if strings.ContainsAny(s, ".eE") {
		return f, nil
	}
	want, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, driver.InvalidArgumentError(field, "%s is not a JSON number: %s", field, quoteNumber(s))
	}
	got, _ := big.NewFloat(f).Int(nil)
	if got.Cmp(want) != 0 {
		return nil, lossy(field, quoteNumber(s))
	}
	return f, nil
}

func quoteNumber(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
