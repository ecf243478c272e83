package memory

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/passhash"
)

// The profiles Options.Like names: a memory directory that behaves as the
// provider's backend does, so that an application's tests on memory fail
// where production would.
const (
	// LikeOkta is Okta in group-role mode, with Okta's default user
	// profile (firstName and lastName required).
	LikeOkta = "okta"
	// LikeLogto is Logto.
	LikeLogto = "logto"
	// LikePassage is Passage in roles mode, with roles kept in the
	// user_metadata field "roles"; Options.MetadataFields are the app's
	// fields.
	LikePassage = "passage"
	// LikeKratos is Kratos with the person schema of kratostest: email,
	// username and phone traits, all password identifiers, and names and
	// a display name; metadata in metadata_public, and a public API for
	// passwords.
	LikeKratos = "kratos"
	// LikePortable is the intersection of the four: only what every one
	// of them can do, under every rule any of them holds, for an
	// application that wants to stay swappable.
	LikePortable = "portable"
)

// Profiles returns the names Options.Like takes, sorted.
func Profiles() []string {
	return []string{LikeKratos, LikeLogto, LikeOkta, LikePassage, LikePortable}
}

// PassageRolesField is the user_metadata field that keeps a user's roles
// under LikePassage, as passage.Options.RolesField does.
const PassageRolesField = "roles"

// profile is what a memory directory takes on from a backend.
type profile struct {
	caps identity.Capabilities
	cons identity.Constraints
	// hideDeprovisioned: a listing without a Status filter leaves out
	// deprovisioned users, as Okta's does.
	hideDeprovisioned bool
}

// The backends' declarations, mirrored. Each backend's tests assert that
// its row here is what it declares (backends/*/profile_test.go), so that
// the two cannot drift apart; memory cannot import the backends, which
// import the whole HTTP stack.

var allStatuses = []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended,
	identity.StatusLocked, identity.StatusDeprovisioned}

func oktaProfile() profile {
	return profile{
		caps: identity.Capabilities{
			Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true,
			EmailRequired: true, PendingCreate: true, PendingUntilPassword: true, Roles: true, RoleCatalog: true,
			Organizations: true, UniqueOrganizationName: true, OrganizationMetadata: true,
			SetPassword: true, VerifyPassword: true, ChangePassword: true, ExpirePassword: true,
			PasswordHashes: hashes(passhash.Bcrypt, passhash.PBKDF2SHA256, passhash.PBKDF2SHA512,
				passhash.SHA1, passhash.SHA256, passhash.SHA512, passhash.MD5),
			RevokeSessions: true, Factors: true, Identities: true, UnlinkIdentity: true, Deprovision: true, HasPassword: true,
			ResetPasswordLink: true, ResetPasswordTemporary: true,
			Statuses: slices.Clone(allStatuses),
		},
		cons: identity.Constraints{
			Required:   []string{"GivenName", "FamilyName"},
			Username:   identity.TextRule{MinLen: 5, MaxLen: 100},
			Email:      identity.TextRule{MinLen: 5, MaxLen: 100},
			GivenName:  identity.TextRule{MaxLen: 50},
			FamilyName: identity.TextRule{MaxLen: 50},
			Role:       identity.TextRule{ReservedPrefix: "org:"},
			Metadata: identity.MetadataRules{
				KeyPattern:  `[A-Za-z][A-Za-z0-9_]*`,
				KeyDescribe: "a custom attribute's variable name (a letter, then letters, digits and '_')",
				Reserved:    []string{"login", "email", "mobilePhone", "firstName", "lastName", "displayName"},
				Fields:      oktaBaseAttributes(),
				Values:      identity.MetadataValue{Shape: identity.ScalarArrays},
			},
			Case:  identity.CaseRules{UsernameUniqueIgnoringCase: true, RoleNameUniqueIgnoringCase: true},
			Order: identity.OrderOldestFirst,
		},
		hideDeprovisioned: true,
	}
}

// oktaBaseAttributes are the unmapped base attributes of Okta's default
// user profile, strings of at most their schema's length.
func oktaBaseAttributes() map[string]identity.MetadataValue {
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
}

func hashes(as ...passhash.Algorithm) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

func logtoProfile() profile {
	return profile{
		caps: identity.Capabilities{
			Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true, Roles: true, RoleCatalog: true,
			UniqueEmail: true, UniquePhone: true,
			Organizations: true, OrganizationMetadata: true, OrganizationRoles: true, OrganizationPermissions: true,
			SetPassword: true, VerifyPassword: true, ChangePassword: true,
			PasswordHashes: hashes(passhash.Argon2id, passhash.Argon2i, passhash.Argon2d, passhash.Bcrypt,
				passhash.PBKDF2SHA1, passhash.PBKDF2SHA256, passhash.PBKDF2SHA512,
				passhash.SHA1, passhash.SHA256, passhash.SHA512, passhash.MD5),
			ExportPasswordHash: true,
			Factors:            true, Identities: true, UnlinkIdentity: true, HasPassword: true,
			Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
		},
		cons: identity.Constraints{
			Username: identity.TextRule{Pattern: `[A-Za-z_][A-Za-z0-9_]*`,
				Describe: "a letter or '_', then letters, digits and '_'"},
			Order: identity.OrderNewestFirst,
		},
	}
}

func passageProfile(fields map[string]identity.ValueType) profile {
	p := profile{
		caps: identity.Capabilities{
			Phone: true, Metadata: true, Roles: true, RoleCatalog: true, UniqueEmail: true, UniquePhone: true,
			RevokeSessions: true, Factors: true,
			Statuses: []identity.Status{identity.StatusPending, identity.StatusActive, identity.StatusSuspended},
		},
		cons: identity.Constraints{
			Role:     identity.TextRule{Forbid: ","},
			Metadata: identity.MetadataRules{Reserved: []string{PassageRolesField}},
			Case:     identity.CaseRules{LowercasesEmail: true},
			Order:    identity.OrderOldestFirst,
		},
	}
	if len(fields) > 0 {
		p.cons.Metadata.Closed = true
		p.cons.Metadata.Fields = make(map[string]identity.MetadataValue, len(fields))
		for k, t := range fields {
			p.cons.Metadata.Fields[k] = identity.MetadataValue{Type: t, Shape: identity.Scalars}
		}
	}
	return p
}

func kratosProfile() profile {
	return profile{
		caps: identity.Capabilities{
			Username: true, Phone: true, Names: true, DisplayName: true, Metadata: true, Roles: true, RoleCatalog: true,
			UniqueEmail: true, UniquePhone: true, SetPassword: true, VerifyPassword: true, ChangePassword: true,
			PasswordHashes: hashes(passhash.Argon2id, passhash.Argon2i, passhash.Bcrypt,
				passhash.PBKDF2SHA1, passhash.PBKDF2SHA256, passhash.PBKDF2SHA512,
				passhash.Scrypt, passhash.SHA1, passhash.SHA256, passhash.SHA512,
				passhash.MD5, passhash.FirebaseScrypt),
			ExportPasswordHash: true,
			RevokeSessions:     true, Factors: true, Identities: true, UnlinkIdentity: true, HasPassword: true, ResetPasswordLink: true,
			Statuses: []identity.Status{identity.StatusActive, identity.StatusSuspended},
		},
		cons: identity.Constraints{
			Case:  identity.CaseRules{UsernameUniqueIgnoringCase: true},
			Order: identity.OrderByID,
		},
	}
}

// passageFieldTypes are the types a Passage app's fields can have.
var passageFieldTypes = []identity.ValueType{identity.StringType, identity.BooleanType, identity.IntegerType,
	identity.EmailType, identity.PhoneType, identity.DateType}

// profileFor returns the profile like names, with the Passage app's
// fields (LikePassage and LikePortable only).
func profileFor(like string, fields map[string]identity.ValueType) (profile, error) {
	if len(fields) > 0 && like != LikePassage && like != LikePortable {
		return profile{}, driver.OptionError(Scheme, "MetadataFields", "MetadataFields are a Passage app's fields, for Like %q or %q, not %q", LikePassage, LikePortable, like)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if k == "" || strings.TrimSpace(k) != k || strings.ContainsAny(k, "\x00\n") {
			return profile{}, driver.OptionError(Scheme, "MetadataFields", "the field name %q is not usable", k)
		}
		if !slices.Contains(passageFieldTypes, fields[k]) {
			return profile{}, driver.OptionError(Scheme, "MetadataFields", "the field %q has the type %q, which is none of Passage's", k, fields[k])
		}
	}
	if len(fields) > 0 && fields[PassageRolesField] != identity.StringType {
		return profile{}, driver.OptionError(Scheme, "MetadataFields", "the roles field %q must be one of the app's string fields", PassageRolesField)
	}
	switch like {
	case LikeOkta:
		return oktaProfile(), nil
	case LikeLogto:
		return logtoProfile(), nil
	case LikePassage:
		return passageProfile(fields), nil
	case LikeKratos:
		return kratosProfile(), nil
	case LikePortable:
		p := oktaProfile()
		for _, q := range []profile{logtoProfile(), passageProfile(fields), kratosProfile()} {
			var err error
			if p, err = intersect(p, q); err != nil {
				return profile{}, driver.OptionError(Scheme, "Like", "the portable profile cannot be made: %v", err)
			}
		}
		// A field one backend requires and another cannot hold is left
		// to the application's configuration of the first (Okta's
		// NamesOptional): required, no user could be created.
		p.cons.Required = slices.DeleteFunc(p.cons.Required, func(f string) bool { return !holds(p.caps, f) })
		return p, nil
	}
	return profile{}, driver.OptionError(Scheme, "Like", "Like is %q, not one of %s", like, strings.Join(Profiles(), ", "))
}

// holds reports whether c has the user field f.
func holds(c identity.Capabilities, f string) bool {
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
	return true
}

// intersect returns the profile of a directory that does only what both
// a and b do, under the rules of both.
func intersect(a, b profile) (profile, error) {
	c := capsBoth(a.caps, b.caps)
	k, err := consBoth(a.cons, b.cons)
	return profile{caps: c, cons: k, hideDeprovisioned: a.hideDeprovisioned || b.hideDeprovisioned}, err
}

func capsBoth(a, b identity.Capabilities) identity.Capabilities {
	c := identity.Capabilities{
		Username: a.Username && b.Username, Phone: a.Phone && b.Phone, Names: a.Names && b.Names,
		DisplayName: a.DisplayName && b.DisplayName, Metadata: a.Metadata && b.Metadata,
		UniqueEmail: a.UniqueEmail && b.UniqueEmail, UniquePhone: a.UniquePhone && b.UniquePhone,
		// A restriction, where the others are abilities: either's holds.
		EmailRequired: a.EmailRequired || b.EmailRequired,
		PendingCreate: a.PendingCreate && b.PendingCreate,
		Roles:         a.Roles && b.Roles, RoleCatalog: a.RoleCatalog && b.RoleCatalog,
		Organizations: a.Organizations && b.Organizations, OrganizationMetadata: a.OrganizationMetadata && b.OrganizationMetadata,
		UniqueOrganizationName: a.UniqueOrganizationName && b.UniqueOrganizationName,
		OrganizationRoles:      a.OrganizationRoles && b.OrganizationRoles, OrganizationPermissions: a.OrganizationPermissions && b.OrganizationPermissions,
		SetPassword: a.SetPassword && b.SetPassword, VerifyPassword: a.VerifyPassword && b.VerifyPassword,
		ChangePassword: a.ChangePassword && b.ChangePassword, ExpirePassword: a.ExpirePassword && b.ExpirePassword,
		ExportPasswordHash: a.ExportPasswordHash && b.ExportPasswordHash,
		RevokeSessions:     a.RevokeSessions && b.RevokeSessions, Factors: a.Factors && b.Factors,
		Identities: a.Identities && b.Identities, UnlinkIdentity: a.UnlinkIdentity && b.UnlinkIdentity,
		Deprovision: a.Deprovision && b.Deprovision, HasPassword: a.HasPassword && b.HasPassword,
		ResetPasswordLink: a.ResetPasswordLink && b.ResetPasswordLink, ResetPasswordTemporary: a.ResetPasswordTemporary && b.ResetPasswordTemporary,
	}
	// Pending until a password is a restriction too, but it needs
	// SetPassword, without which no user could become active.
	c.PendingUntilPassword = (a.PendingUntilPassword || b.PendingUntilPassword) && c.SetPassword
	for _, h := range a.PasswordHashes {
		if slices.Contains(b.PasswordHashes, h) {
			c.PasswordHashes = append(c.PasswordHashes, h)
		}
	}
	for _, s := range a.Statuses {
		if slices.Contains(b.Statuses, s) {
			c.Statuses = append(c.Statuses, s)
		}
	}
	return c
}

func consBoth(a, b identity.Constraints) (identity.Constraints, error) {
	var c identity.Constraints
	var err error
	c.Required = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a.Required), b.Required...))))
	for _, f := range []struct {
		name      string
		dst, x, y *identity.TextRule
	}{
		{"Username", &c.Username, &a.Username, &b.Username}, {"Email", &c.Email, &a.Email, &b.Email},
		{"Phone", &c.Phone, &a.Phone, &b.Phone}, {"GivenName", &c.GivenName, &a.GivenName, &b.GivenName},
		{"FamilyName", &c.FamilyName, &a.FamilyName, &b.FamilyName}, {"DisplayName", &c.DisplayName, &a.DisplayName, &b.DisplayName},
		{"Role", &c.Role, &a.Role, &b.Role},
	} {
		if *f.dst, err = textBoth(*f.x, *f.y); err != nil {
			return c, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if c.Metadata, err = metadataBoth(a.Metadata, b.Metadata); err != nil {
		return c, err
	}
	c.Case = identity.CaseRules{
		UsernameUniqueIgnoringCase: a.Case.UsernameUniqueIgnoringCase || b.Case.UsernameUniqueIgnoringCase,
		RoleNameUniqueIgnoringCase: a.Case.RoleNameUniqueIgnoringCase || b.Case.RoleNameUniqueIgnoringCase,
		LowercasesEmail:            a.Case.LowercasesEmail || b.Case.LowercasesEmail,
	}
	if a.Order == b.Order {
		c.Order = a.Order
	}
	return c, nil
}

// textBoth is the rule of a value both a and b take. Two patterns, or two
// reserved prefixes, cannot be made one, which no pair of the profiles
// needs.
func textBoth(a, b identity.TextRule) (identity.TextRule, error) {
	c := identity.TextRule{MinLen: max(a.MinLen, b.MinLen), MaxLen: minBound(a.MaxLen, b.MaxLen)}
	var err error
	if c.Pattern, err = one("patterns", a.Pattern, b.Pattern); err != nil {
		return c, err
	}
	c.Describe = a.Describe
	if c.Pattern == b.Pattern && b.Pattern != "" {
		c.Describe = b.Describe
	}
	if c.ReservedPrefix, err = one("reserved prefixes", a.ReservedPrefix, b.ReservedPrefix); err != nil {
		return c, err
	}
	for _, r := range a.Forbid + b.Forbid {
		if !strings.ContainsRune(c.Forbid, r) {
			c.Forbid += string(r)
		}
	}
	return c, nil
}

func one(what, a, b string) (string, error) {
	switch {
	case a == "" || a == b:
		return b, nil
	case b == "":
		return a, nil
	}
	return "", fmt.Errorf("two %s, %q and %q", what, a, b)
}

// minBound is the tighter of two bounds, 0 being none.
func minBound(a, b int) int {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

func metadataBoth(a, b identity.MetadataRules) (identity.MetadataRules, error) {
	var c identity.MetadataRules
	var err error
	if c.KeyPattern, err = one("metadata key patterns", a.KeyPattern, b.KeyPattern); err != nil {
		return c, err
	}
	c.KeyDescribe = a.KeyDescribe + b.KeyDescribe
	if a.KeyPattern == b.KeyPattern && a.KeyPattern != "" {
		c.KeyDescribe = a.KeyDescribe
	}
	c.Reserved = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a.Reserved), b.Reserved...))))
	if c.Values, err = valueBoth(a.Values, b.Values); err != nil {
		return c, fmt.Errorf("metadata values: %w", err)
	}
	c.Closed = a.Closed || b.Closed
	rule := func(m identity.MetadataRules, k string) identity.MetadataValue {
		if v, ok := m.Fields[k]; ok {
			return v
		}
		return m.Values
	}
	keys := map[string]bool{}
	for k := range a.Fields {
		keys[k] = !b.Closed || hasKey(b.Fields, k)
	}
	for k := range b.Fields {
		keys[k] = !a.Closed || hasKey(a.Fields, k)
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !keys[k] {
			continue // a closed schema without it: no value can be set
		}
		v, err := valueBoth(rule(a, k), rule(b, k))
		if err != nil {
			return c, fmt.Errorf("metadata field %q: %w", k, err)
		}
		if c.Fields == nil {
			c.Fields = map[string]identity.MetadataValue{}
		}
		c.Fields[k] = v
	}
	if c.Closed && len(c.Fields) == 0 {
		return c, fmt.Errorf("no metadata field both take")
	}
	return c, nil
}

func hasKey(m map[string]identity.MetadataValue, k string) bool { _, ok := m[k]; return ok }

// valueBoth is the rule of a value both a and b take: the narrower type,
// where one contains the other (an integer is a number, an email a
// string), the tighter length and the flatter shape.
func valueBoth(a, b identity.MetadataValue) (identity.MetadataValue, error) {
	c := identity.MetadataValue{MaxLen: minBound(a.MaxLen, b.MaxLen), Shape: max(a.Shape, b.Shape)}
	switch {
	case a.Type == b.Type || b.Type == identity.AnyType:
		c.Type = a.Type
	case a.Type == identity.AnyType || narrower(b.Type, a.Type):
		c.Type = b.Type
	case narrower(a.Type, b.Type):
		c.Type = a.Type
	default:
		return c, fmt.Errorf("one backend takes %s values, another %s", a.Type, b.Type)
	}
	return c, nil
}

// narrower reports whether every value of type a is one of type b.
func narrower(a, b identity.ValueType) bool {
	switch b {
	case identity.NumberType:
		return a == identity.IntegerType
	case identity.StringType:
		return a == identity.EmailType || a == identity.PhoneType || a == identity.DateType
	}
	return false
}

// likeOptions reads the URL parameters of a profile into opts: like, and
// metadata_fields (name:type pairs, comma-separated). Any other
// parameter is InvalidArgument naming it.
func likeOptions(opts Options, q url.Values) (Options, error) {
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "like":
			opts.Like = v
		case "metadata_fields":
			opts.MetadataFields = map[string]identity.ValueType{}
			for _, pair := range strings.Split(v, ",") {
				if pair = strings.TrimSpace(pair); pair == "" {
					continue
				}
				name, typ, ok := strings.Cut(pair, ":")
				if !ok {
					return opts, driver.OptionError(Scheme, "MetadataFields", "metadata_fields holds %q, not name:type", pair)
				}
				opts.MetadataFields[strings.TrimSpace(name)] = identity.ValueType(strings.TrimSpace(typ))
			}
		default:
			e := driver.OptionError(Scheme, k, "unknown query parameter %s", k)
			e.Op = "Open"
			return opts, e
		}
	}
	return opts, nil
}

// newDriver returns the driver of a directory with opts: the store, or
// the store behind the profile opts.Like names.
func newDriver(opts Options) (driver.Directory, error) {
	s := newStore(opts)
	if opts.Like == "" {
		if len(opts.MetadataFields) > 0 {
			return nil, driver.OptionError(Scheme, "MetadataFields", "MetadataFields need Like %q or %q", LikePassage, LikePortable)
		}
		return s, nil
	}
	p, err := profileFor(opts.Like, opts.MetadataFields)
	if err != nil {
		return nil, err
	}
	return &profiled{store: s, p: p, provisioned: map[string]bool{}}, nil
}

// Constraints declares the store's one observable rule: users list in
// creation order.
func (s *store) Constraints() identity.Constraints {
	return identity.Constraints{Order: identity.OrderOldestFirst}
}

// profiled is the store behaving as a profile says: its capabilities and
// constraints (which the portable layer holds calls to), and the
// provider's behaviours the store does not have of itself. Every other
// method, and every optional group, is the store's.
type profiled struct {
	*store
	p profile

	// mu serialises the writes whose case rules the store's indexes do
	// not keep, so that a check and the write after it are one step.
	mu sync.Mutex
	// provisioned holds the users created active without a password
	// under PendingUntilPassword, pending until SetPassword (Okta's
	// PROVISIONED). Guarded by mu.
	provisioned map[string]bool
}

func (p *profiled) Capabilities() identity.Capabilities {
	c := p.p.caps
	c.Statuses = slices.Clone(c.Statuses)
	c.PasswordHashes = slices.Clone(c.PasswordHashes)
	return c
}

func (p *profiled) Constraints() identity.Constraints { return p.p.cons.Clone() }

// usernameTaken reports whether a user other than self holds a username
// equal to name ignoring case. Callers hold p.mu.
func (p *profiled) usernameTaken(self, name string) bool {
	p.store.mu.RLock()
	defer p.store.mu.RUnlock()
	for id, r := range p.store.users {
		if id != self && r.user.Username != "" && strings.EqualFold(r.user.Username, name) {
			return true
		}
	}
	return false
}

func usernameInUse() error {
	return &identity.Error{Code: identity.AlreadyExists, Field: "Username", Message: "Username is already in use, ignoring case"}
}

// CreateUser creates as the provider would: an email kept in lower case,
// a username unique ignoring case, and pending without a password.
func (p *profiled) CreateUser(ctx context.Context, nu identity.NewUser) (*identity.User, error) {
	k := &p.p.cons.Case
	if k.LowercasesEmail {
		nu.Email = strings.ToLower(nu.Email)
	}
	provisioned := p.p.caps.PendingUntilPassword && nu.Status == identity.StatusActive && nu.Password == "" && nu.PasswordHash == ""
	if provisioned {
		nu.Status = identity.StatusPending
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if k.UsernameUniqueIgnoringCase && nu.Username != "" && p.usernameTaken("", nu.Username) {
		return nil, usernameInUse()
	}
	u, err := p.store.CreateUser(ctx, nu)
	if err == nil && provisioned {
		p.provisioned[u.ID] = true
	}
	return u, err
}

// UpdateUser updates as CreateUser creates.
func (p *profiled) UpdateUser(ctx context.Context, id string, u identity.UserUpdate) (*identity.User, error) {
	k := &p.p.cons.Case
	if k.LowercasesEmail && u.Email != nil {
		lower := strings.ToLower(*u.Email)
		u.Email = &lower
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if k.UsernameUniqueIgnoringCase && u.Username != nil && *u.Username != "" && p.usernameTaken(id, *u.Username) {
		return nil, usernameInUse()
	}
	return p.store.UpdateUser(ctx, id, u)
}

// CreateRole refuses a name another role holds ignoring case, where the
// provider's role names are unique so.
func (p *profiled) CreateRole(ctx context.Context, r identity.Role) (*identity.Role, error) {
	if !p.p.cons.Case.RoleNameUniqueIgnoringCase {
		return p.store.CreateRole(ctx, r)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.store.mu.RLock()
	for name := range p.store.roles {
		if strings.EqualFold(name, r.Name) && name != r.Name {
			p.store.mu.RUnlock()
			return nil, &identity.Error{Code: identity.AlreadyExists, Role: r.Name, Message: "the role " + quote(name) + " has this name, ignoring case"}
		}
	}
	p.store.mu.RUnlock()
	return p.store.CreateRole(ctx, r)
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// CreateOrganization lets two organizations share a name where the
// provider does (Logto).
func (p *profiled) CreateOrganization(ctx context.Context, no identity.NewOrganization) (*identity.Organization, error) {
	if p.p.caps.UniqueOrganizationName {
		return p.store.CreateOrganization(ctx, no)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.forgetOrganizationNames()
	return p.store.CreateOrganization(ctx, no)
}

// UpdateOrganization renames as CreateOrganization creates.
func (p *profiled) UpdateOrganization(ctx context.Context, id string, u identity.OrganizationUpdate) (*identity.Organization, error) {
	if p.p.caps.UniqueOrganizationName {
		return p.store.UpdateOrganization(ctx, id, u)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.forgetOrganizationNames()
	return p.store.UpdateOrganization(ctx, id, u)
}

// forgetOrganizationNames empties the store's index of organization
// names, which serves only to keep them unique, so that the next create
// or rename finds every name free. Callers hold p.mu, so that no other
// create or rename runs between a call and the forgetting.
func (p *profiled) forgetOrganizationNames() {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	clear(p.store.orgByName)
}

// SetPassword makes a user pending for want of a password active, as
// Okta does a PROVISIONED one.
func (p *profiled) SetPassword(ctx context.Context, id string, password identity.Secret) error {
	if err := p.store.SetPassword(ctx, id, password); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.provisioned[id] {
		return nil
	}
	delete(p.provisioned, id)
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	if r, ok := p.store.users[id]; ok && r.user.Status == identity.StatusPending {
		p.store.setStatus(r, identity.StatusActive)
	}
	return nil
}

// ActivateUser refuses to activate a pending user without a password
// where the provider keeps such users pending, as Okta does.
func (p *profiled) ActivateUser(ctx context.Context, id string) error {
	if p.p.caps.PendingUntilPassword {
		p.store.mu.RLock()
		r, ok := p.store.users[id]
		stuck := ok && r.user.Status == identity.StatusPending && r.password == nil
		p.store.mu.RUnlock()
		if stuck {
			e := driver.Errorf(identity.FailedPrecondition, "the user is pending until it has a password: SetPassword makes it active")
			e.Field = "Password"
			return e
		}
	}
	return p.store.ActivateUser(ctx, id)
}

// ListUsers lists in the provider's order, leaving out what its listing
// leaves out.
func (p *profiled) ListUsers(ctx context.Context, o identity.ListOptions, cursor string) (*identity.UserPage, error) {
	hide := p.p.hideDeprovisioned && o.Status == ""
	switch p.p.cons.Order {
	case identity.OrderNewestFirst:
		return p.listDown(ctx, o, cursor, hide)
	case identity.OrderByID:
		return p.listByID(ctx, o, cursor, hide)
	}
	if !hide {
		return p.store.ListUsers(ctx, o, cursor)
	}
	return p.listUp(ctx, o, cursor, hide)
}

// keep is the filter of a listing.
func (p *profiled) keep(o *identity.ListOptions, hide bool) func(*record) bool {
	return func(r *record) bool {
		return p.store.users[r.user.ID] == r && matches(&r.user, o) && !(hide && r.user.Status == identity.StatusDeprovisioned)
	}
}

func page(rs []*record, next string) *identity.UserPage {
	pg := &identity.UserPage{Users: make([]*identity.User, len(rs)), NextCursor: next}
	for i, r := range rs {
		pg.Users[i] = r.out()
	}
	return pg
}

// listUp is the store's listing, oldest first, with the profile's filter.
func (p *profiled) listUp(ctx context.Context, o identity.ListOptions, cursor string, hide bool) (*identity.UserPage, error) {
	after, err := cursorSeq(cursor, 0)
	if err != nil {
		return nil, err
	}
	size := driver.PageSize(o.PageSize, defaultPageSize, maxPageSize)
	p.store.mu.RLock()
	defer p.store.mu.RUnlock()
	rs, next, err := scan(ctx, p.store.order, func(r *record) uint64 { return r.seq }, after, size, p.keep(&o, hide))
	if err != nil {
		return nil, err
	}
	var nc string
	if next != 0 {
		nc = encodeCursor(next)
	}
	return page(rs, nc), nil
}

// listDown lists newest first: its cursor is the seq of the last user of
// the previous page, and the next page holds the users created before it.
func (p *profiled) listDown(ctx context.Context, o identity.ListOptions, cursor string, hide bool) (*identity.UserPage, error) {
	before, err := cursorSeq(cursor, math.MaxUint64)
	if err != nil {
		return nil, err
	}
	size := driver.PageSize(o.PageSize, defaultPageSize, maxPageSize)
	keep := p.keep(&o, hide)
	p.store.mu.RLock()
	defer p.store.mu.RUnlock()
	order := p.store.order
	var out []*record
	for i := sort.Search(len(order), func(i int) bool { return order[i].seq >= before }) - 1; i >= 0; i-- {
		r := order[i]
		if !keep(r) {
			continue
		}
		if len(out) == size {
			return page(out, encodeCursor(out[len(out)-1].seq)), nil
		}
		out = append(out, r)
		if len(out)%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return page(out, ""), nil
}

// listByID lists by id: its cursor is the last id of the previous page.
func (p *profiled) listByID(ctx context.Context, o identity.ListOptions, cursor string, hide bool) (*identity.UserPage, error) {
	var after string
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) < 2 || b[0] != 'i' {
			return nil, driver.ForeignCursorError()
		}
		after = string(b[1:])
	}
	size := driver.PageSize(o.PageSize, defaultPageSize, maxPageSize)
	keep := p.keep(&o, hide)
	p.store.mu.RLock()
	var rs []*record
	for _, r := range p.store.users {
		if r.user.ID > after && keep(r) {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b *record) int { return strings.Compare(a.user.ID, b.user.ID) })
	var next string
	if len(rs) > size {
		rs = rs[:size]
		next = base64.RawURLEncoding.EncodeToString([]byte("i" + rs[size-1].user.ID))
	}
	pg := page(rs, next)
	p.store.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return pg, nil
}
