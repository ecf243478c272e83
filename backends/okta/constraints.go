package okta

import (
	"maps"

	"github.com/idport/identity"
)

// Constraints declares the rules of Okta's default user profile that a
// caller can break, as Okta's Universal Directory documents them and the
// emulator answers them (400 E0000001 with "{property}: ..." causes):
//
//   - login and email are 5 to 100 characters; firstName and lastName at
//     most 50, and both are required unless Options.NamesOptional (a
//     blank value counts as missing, "firstName: The field cannot be left
//     blank").
//   - a metadata key is a custom attribute's variable name (a letter,
//     then letters, digits and '_'), or an unmapped base attribute, which
//     holds a string of at most its schema's length (countryCode 2,
//     zipCode 50, ...); the properties that hold portable fields (login,
//     email, mobilePhone, firstName, lastName, displayName) are reserved.
//     Values are strings, numbers, booleans and arrays of those; a nested
//     object is Unsupported.
//   - in group mode, a role is a group whose name must not start with the
//     organization prefix; group names, like logins, are unique ignoring
//     case.
//
// Users list oldest first.
func (d *directory) Constraints() identity.Constraints {
	return oktaConstraints(d.namesOptional, d.catalog != nil, d.orgPrefix)
}

// oktaConstraints are the constraints of a directory whose org has the
// given settings.
func oktaConstraints(namesOptional, groupRoles bool, orgPrefix string) identity.Constraints {
	c := identity.Constraints{
		Username:   identity.TextRule{MinLen: 5, MaxLen: 100},
		Email:      identity.TextRule{MinLen: 5, MaxLen: 100},
		GivenName:  identity.TextRule{MaxLen: 50},
		FamilyName: identity.TextRule{MaxLen: 50},
		Metadata: identity.MetadataRules{
			KeyPattern:  `[A-Za-z][A-Za-z0-9_]*`,
			KeyDescribe: "a custom attribute's variable name (a letter, then letters, digits and '_')",
			Reserved:    []string{propLogin, propEmail, propPhone, propFirstName, propLastName, propDisplayName},
			Fields:      maps.Clone(baseAttributes),
			Values:      identity.MetadataValue{Shape: identity.ScalarArrays},
		},
		Case:  identity.CaseRules{UsernameUniqueIgnoringCase: true},
		Order: identity.OrderOldestFirst,
	}
	if !namesOptional {
		c.Required = []string{"GivenName", "FamilyName"}
	}
	if groupRoles {
		c.Role.ReservedPrefix = orgPrefix
		c.Case.RoleNameUniqueIgnoringCase = true
	}
	return c
}

// baseAttributes are the base attributes of Okta's default user profile
// that no portable field maps to, each a string with its schema's
// maxLength (0 for none).
var baseAttributes = func() map[string]identity.MetadataValue {
	limits := map[string]int{
		"secondEmail": 100, "middleName": 0, "honorificPrefix": 0, "honorificSuffix": 0, "title": 0, "nickName": 0,
		"profileUrl": 0, "primaryPhone": 100, "streetAddress": 1024, "city": 128, "state": 128, "zipCode": 50,
		"countryCode": 2, "postalAddress": 4096, "preferredLanguage": 0, "locale": 0, "timezone": 0, "userType": 0,
		"employeeNumber": 0, "costCenter": 0, "organization": 0, "division": 0, "department": 0, "managerId": 0, "manager": 0,
	}
	out := make(map[string]identity.MetadataValue, len(limits))
	for k, n := range limits {
		out[k] = identity.MetadataValue{Type: identity.StringType, MaxLen: n, Shape: identity.Scalars}
	}
	// Okta checks secondEmail's form ("Does not match required pattern");
	// it is removed with nil, as every key is.
	out["secondEmail"] = identity.MetadataValue{Type: identity.EmailType, MaxLen: 100, Shape: identity.Scalars}
	return out
}()
