package passage

import (
	"maps"
	"slices"
	"strings"

	"github.com/idport/identity"
)

// fieldTypes are the types of Passage's user_metadata fields, as its
// console offers them.
var fieldTypes = []identity.ValueType{identity.StringType, identity.BooleanType, identity.IntegerType,
	identity.EmailType, identity.PhoneType, identity.DateType}

// Constraints declares Passage's rules that a caller can break:
//
//   - with Options.MetadataFields, user_metadata takes only the app's
//     fields (any other key is 404 metadata_field_not_found), each value
//     of its field's type (400 invalid_request otherwise), and no object
//     or array;
//   - in roles mode, the roles field is no metadata key, and a role name
//     holds no ',' (a user's roles are a comma-separated list);
//   - Passage keeps emails in lower case, and lists users oldest first.
func (d *directory) Constraints() identity.Constraints {
	return passageConstraints(d.opts.MetadataFields, d.opts.RolesField)
}

// passageConstraints are the constraints of a directory with the given
// fields and roles field ("" without roles).
func passageConstraints(fields map[string]identity.ValueType, rolesField string) identity.Constraints {
	c := identity.Constraints{
		Case:  identity.CaseRules{LowercasesEmail: true},
		Order: identity.OrderOldestFirst,
	}
	if len(fields) > 0 {
		c.Metadata.Closed = true
		c.Metadata.Fields = make(map[string]identity.MetadataValue, len(fields))
		for k, t := range fields {
			c.Metadata.Fields[k] = identity.MetadataValue{Type: t, Shape: identity.Scalars}
		}
	}
	if rolesField != "" {
		c.Metadata.Reserved = []string{rolesField}
		c.Role.Forbid = ","
	}
	return c
}

// parseFields reads metadata_fields: name:type pairs, comma-separated.
func parseFields(v string) (map[string]identity.ValueType, error) {
	out := map[string]identity.ValueType{}
	for _, pair := range strings.Split(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, typ, ok := strings.Cut(pair, ":")
		if !ok {
			return nil, badOption("MetadataFields", "metadata_fields holds %q, not name:type", pair)
		}
		out[strings.TrimSpace(name)] = identity.ValueType(strings.TrimSpace(typ))
	}
	if len(out) == 0 {
		return nil, badOption("MetadataFields", "metadata_fields is empty; leave it out when the app defines no fields")
	}
	return out, nil
}

// checkFields refuses a field Passage could not have: an empty or
// padded name, an unknown type, or, in roles mode, a roles field that is
// not a string field.
func checkFields(opts Options) error {
	for _, k := range slices.Sorted(maps.Keys(opts.MetadataFields)) {
		t := opts.MetadataFields[k]
		if k == "" || strings.TrimSpace(k) != k || strings.ContainsAny(k, "\x00\n") {
			return badOption("MetadataFields", "the field name %q is not usable", k)
		}
		if !slices.Contains(fieldTypes, t) {
			return badOption("MetadataFields", "the field %q has the type %q; Passage's are %s", k, t, typeList())
		}
	}
	if opts.RolesField != "" && len(opts.MetadataFields) > 0 && opts.MetadataFields[opts.RolesField] != identity.StringType {
		return badOption("MetadataFields", "the roles field %q must be one of the app's string fields", opts.RolesField)
	}
	return nil
}

func typeList() string {
	s := make([]string, len(fieldTypes))
	for i, t := range fieldTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
