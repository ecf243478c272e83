package kratos

import "github.com/idport/identity"

// Constraints declares what the backend's configuration says of Kratos's
// rules: the traits marked as password identifiers are unique ignoring
// case (409 for a username differing only in case, where the username is
// one), and with Options.Metadata set to MetadataAdmin the roles key is
// no metadata key. Kratos lists identities by id. The limits of each
// trait (length, format, required) are the identity schema's, which the
// backend is not given: a value the schema refuses is refused by Kratos
// (400, the error saying the provider refused it).
func (d *directory) Constraints() identity.Constraints {
	return kratosConstraints(d.opts.Traits.identifier("username"), d.opts.Metadata == MetadataAdmin, d.opts.RolesKey)
}

func kratosConstraints(usernameIdentifier, adminMetadata bool, rolesKey string) identity.Constraints {
	c := identity.Constraints{
		Case:  identity.CaseRules{UsernameUniqueIgnoringCase: usernameIdentifier},
		Order: identity.OrderByID,
	}
	if adminMetadata {
		c.Metadata.Reserved = []string{rolesKey}
	}
	return c
}
