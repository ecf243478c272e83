package driver

// Capabilities says what a backend supports. A call that needs a capability
// the backend lacks returns [Unsupported] naming it, before any request is
// sent.
//
// A backend declares its capabilities; the portable layer turns off what
// the backend does not implement (a group of operations is an optional
// interface in this package), so what identity.Directory.Capabilities
// reports is what its calls do.
type Capabilities struct {
	// Fields the backend stores.
	Username    bool
	Phone       bool
	Names       bool // GivenName and FamilyName
	DisplayName bool
	Metadata    bool

	// UniqueEmail and UniquePhone: no two users share an email (ignoring
	// case) or a phone, and a create or update that would make them gives
	// AlreadyExists. Okta keeps only logins unique.
	UniqueEmail bool
	UniquePhone bool

	// EmailRequired: CreateUser needs an email address (Okta's profile
	// requires one); a Username shaped like an address may stand in for
	// it. Without one CreateUser returns InvalidArgument naming Email, and
	// so does an UpdateUser that clears the Email. The portable layer
	// checks this before the backend is called.
	EmailRequired bool

	// PendingCreate: CreateUser accepts Status StatusPending.
	PendingCreate bool
	// PendingUntilPassword: a user created without a password starts in
	// StatusPending and becomes Active only once it has one (Okta's
	// PROVISIONED state).
	PendingUntilPassword bool
	// Roles: ListRoles, ListUserRoles, AssignRole, RevokeRole and
	// SetRoles work.
	Roles bool
	// RoleCatalog: CreateRole and DeleteRole work, so the application
	// manages which roles exist. Okta's administrator roles, for one, are
	// a fixed set: Roles without RoleCatalog. RoleCatalog implies Roles.
	RoleCatalog bool

	// Organizations: organizations and their members work.
	Organizations bool
	// OrganizationMetadata: organizations carry Metadata; without it an
	// organization's Metadata is Unsupported, naming the field.
	OrganizationMetadata bool
	// UniqueOrganizationName: no two organizations share a name, and a
	// create or rename that would make them gives AlreadyExists. Logto
	// allows duplicates.
	UniqueOrganizationName bool
	// OrganizationRoles: roles that hold inside one organization work:
	// their catalogue, assigning them to members, listing and replacing
	// a member's roles. It implies Organizations.
	OrganizationRoles bool
	// OrganizationPermissions: organization roles carry permissions, and
	// ListMemberPermissions says what a member holds. It implies
	// OrganizationRoles.
	OrganizationPermissions bool

	SetPassword    bool // also a NewUser.Password at creation
	VerifyPassword bool
	ChangePassword bool
	ExpirePassword bool
	// PasswordHashes lists the hash algorithms, as package passhash names
	// them ("argon2id", "bcrypt", "sha256", ...), whose NewUser.PasswordHash
	// CreateUser imports. A hash of another algorithm gives Unsupported.
	PasswordHashes []string
	// ExportPasswordHash: PasswordHash hands out a user's stored hash.
	ExportPasswordHash bool

	// RevokeSessions: RevokeSessions ends a user's sessions and revokes
	// its refresh tokens.
	RevokeSessions bool
	// Factors: ListFactors, DeleteFactor and ResetFactors work on a
	// user's second factors.
	Factors bool
	// Identities: ListIdentities lists the accounts at other identity
	// providers linked to a user.
	Identities bool
	// UnlinkIdentity: UnlinkIdentity removes such a link. It implies
	// Identities; a provider that lists links but cannot remove them has
	// Identities alone.
	UnlinkIdentity bool
	// Deprovision: DeprovisionUser moves a user to StatusDeprovisioned,
	// which Statuses then lists, and ActivateUser brings it back.
	Deprovision bool
	// HasPassword: HasPassword says whether a user has a password.
	HasPassword bool
	// ResetPasswordLink and ResetPasswordTemporary: ResetPassword makes
	// a one-time reset link, or a temporary password the user must
	// change at the next sign-in, without mailing the user.
	ResetPasswordLink      bool
	ResetPasswordTemporary bool

	// Statuses lists the portable statuses the backend's users can be in.
	Statuses []Status
}

// HasStatus reports whether s is among c.Statuses.
func (c Capabilities) HasStatus(s Status) bool {
	for _, x := range c.Statuses {
		if x == s {
			return true
		}
	}
	return false
}
