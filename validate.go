package identity

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/idport/identity/driver"
	"github.com/idport/identity/passhash"
)

// Limits on portable input. They are the tightest of the providers' own,
// so a value that passes here is not refused by any backend for its size.
const (
	MaxIDLen          = 255
	MaxEmailLen       = 254
	MaxUsernameLen    = 128
	MaxNameLen        = 128
	MaxRoleNameLen    = 128
	MaxDescriptionLen = 128
	MaxPasswordLen    = 256
	MaxQueryLen       = 256
	MaxCursorLen      = 2048
	MaxMetadataKeyLen = 128
	MaxMetadataBytes  = 64 << 10
)

// quote shows a bad value in an error without echoing kilobytes of it.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q... (%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// checkID accepts what every provider's ids are made of, so that an id can
// never steer a request to another path or query: letters, digits, '-',
// '_' and '.', without "..".
func checkID(field, id string) error {
	if id == "" {
		return driver.InvalidArgumentError(field, "%s is empty", field)
	}
	if len(id) > MaxIDLen {
		return driver.InvalidArgumentError(field, "%s %s is longer than %d bytes", field, quote(id), MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return driver.InvalidArgumentError(field, "%s %s has the character %q; ids are letters, digits, '-', '_' and '.'", field, quote(id), rune(c))
		}
	}
	if strings.Contains(id, "..") {
		return driver.InvalidArgumentError(field, "%s %s contains \"..\"", field, quote(id))
	}
	return nil
}

// checkText accepts valid UTF-8 without control characters, up to max bytes.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return driver.InvalidArgumentError(field, "%s %s is longer than %d bytes", field, quote(s), max)
	}
	if !utf8.ValidString(s) {
		return driver.InvalidArgumentError(field, "%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return driver.InvalidArgumentError(field, "%s %s has a control character", field, quote(s))
		}
	}
	return nil
}

// checkEmail accepts a plain addr-spec, local@domain, with a dotted domain
// of letters, digits and hyphens: what all three providers accept.
func checkEmail(field, email string) error {
	if email == "" {
		return driver.InvalidArgumentError(field, "%s is empty", field)
	}
	if len(email) > MaxEmailLen {
		return driver.InvalidArgumentError(field, "%s %s is longer than %d bytes", field, quote(email), MaxEmailLen)
	}
	bad := func(why string) error {
		return driver.InvalidArgumentError(field, "%s %s is not a valid email address: %s", field, quote(email), why)
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return bad("no '@'")
	}
	local, domain := email[:at], email[at+1:]
	if local == "" || len(local) > 64 {
		return bad("the part before '@' must be 1 to 64 characters")
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return bad("misplaced '.' before '@'")
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(isAlnum(c) || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0) {
			return bad(fmt.Sprintf("character %q before '@'", rune(c)))
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return bad("the domain needs a dot")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return bad("malformed domain")
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return bad(fmt.Sprintf("character %q in the domain", rune(l[i])))
			}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkUsername accepts letters, digits and . _ - @ +, up to 128 bytes.
func checkUsername(field, s string) error {
	if s == "" {
		return driver.InvalidArgumentError(field, "%s is empty", field)
	}
	if len(s) > MaxUsernameLen {
		return driver.InvalidArgumentError(field, "%s %s is longer than %d bytes", field, quote(s), MaxUsernameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && strings.IndexByte("._-@+", c) < 0 {
			return driver.InvalidArgumentError(field, "%s %s has the character %q; usernames are letters, digits and . _ - @ +", field, quote(s), rune(c))
		}
	}
	return nil
}

// checkPhone accepts E.164: '+', then 7 to 15 digits not starting with 0.
func checkPhone(field, s string) error {
	ok := len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0'
	for i := 1; ok && i < len(s); i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	if !ok {
		return driver.InvalidArgumentError(field, "%s %s is not an E.164 phone number such as +14155550100", field, quote(s))
	}
	return nil
}

func checkPassword(field string, p Secret) error {
	if p == "" {
		return driver.InvalidArgumentError(field, "%s is empty", field)
	}
	if len(p) > MaxPasswordLen {
		// The value itself never goes into the message.
		return driver.InvalidArgumentError(field, "%s is longer than %d bytes", field, MaxPasswordLen)
	}
	if !utf8.ValidString(string(p)) {
		return driver.InvalidArgumentError(field, "%s is not valid UTF-8", field)
	}
	return nil
}

func checkRoleName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return driver.InvalidArgumentError(field, "%s is empty", field)
	}
	if strings.TrimSpace(name) != name {
		return driver.InvalidArgumentError(field, "%s %s has leading or trailing space", field, quote(name))
	}
	return checkText(field, name, MaxRoleNameLen)
}

func checkMetadata(md map[string]any) error {
	for k := range md {
		if k == "" {
			return driver.InvalidArgumentError("Metadata", "Metadata has an empty key")
		}
		if checkText("Metadata", k, MaxMetadataKeyLen) != nil {
			return driver.InvalidArgumentError("Metadata", "Metadata key %s is longer than %d bytes or has a control character", quote(k), MaxMetadataKeyLen)
		}
	}
	b, err := json.Marshal(md)
	if err != nil {
		return driver.InvalidArgumentError("Metadata", "Metadata is not JSON-encodable: %v", err)
	}
	if len(b) > MaxMetadataBytes {
		return driver.InvalidArgumentError("Metadata", "Metadata encodes to %d bytes, more than %d", len(b), MaxMetadataBytes)
	}
	return nil
}

// optional field checks, shared by create (value) and update (pointer).
func checkUserFields(username, email, phone, given, family, display *string) error {
	if username != nil && *username != "" {
		if err := checkUsername("Username", *username); err != nil {
			return err
		}
	}
	if email != nil && *email != "" {
		if err := checkEmail("Email", *email); err != nil {
			return err
		}
	}
	if phone != nil && *phone != "" {
		if err := checkPhone("Phone", *phone); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"GivenName", given}, {"FamilyName", family}, {"DisplayName", display}} {
		if f.v != nil {
			if err := checkText(f.name, *f.v, MaxNameLen); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkFieldCaps returns Unsupported naming the first field set that the
// backend cannot store.
func checkFieldCaps(c Capabilities, username, phone, given, family, display bool, metadata bool) error {
	switch {
	case username && !c.Username:
		return driver.UnsupportedError("Username")
	case phone && !c.Phone:
		return driver.UnsupportedError("Phone")
	case given && !c.Names:
		return driver.UnsupportedError("GivenName")
	case family && !c.Names:
		return driver.UnsupportedError("FamilyName")
	case display && !c.DisplayName:
		return driver.UnsupportedError("DisplayName")
	case metadata && !c.Metadata:
		return driver.UnsupportedError("Metadata")
	}
	return nil
}

func validateNewUser(c Capabilities, u *NewUser) error {
	if u.Username == "" && u.Email == "" && u.Phone == "" {
		return driver.InvalidArgumentError("NewUser", "a new user needs a Username, Email or Phone")
	}
	if err := checkUserFields(&u.Username, &u.Email, &u.Phone, &u.GivenName, &u.FamilyName, &u.DisplayName); err != nil {
		return err
	}
	if u.Metadata != nil {
		if err := checkMetadata(u.Metadata); err != nil {
			return err
		}
		for k, v := range u.Metadata {
			if v == nil {
				return driver.InvalidArgumentError("Metadata", "Metadata key %s is nil; a new user has no key to remove", quote(k))
			}
		}
	}
	if u.Password != "" {
		if err := checkPassword("Password", u.Password); err != nil {
			return err
		}
	}
	switch u.Status {
	case "", StatusActive, StatusPending:
	default:
		return driver.InvalidArgumentError("Status", "a new user's Status must be active or pending, not %s", quote(string(u.Status)))
	}
	if err := checkFieldCaps(c, u.Username != "", u.Phone != "", u.GivenName != "", u.FamilyName != "", u.DisplayName != "", len(u.Metadata) > 0); err != nil {
		return err
	}
	if c.EmailRequired && u.Email == "" && (u.Username == "" || checkEmail("Username", u.Username) != nil) {
		return driver.InvalidArgumentError("Email", "this backend needs an Email, or a Username that is an email address")
	}
	if u.Password != "" && !c.SetPassword {
		return driver.UnsupportedError("Password")
	}
	if u.PasswordHash != "" {
		if err := checkPasswordHash(c, u); err != nil {
			return err
		}
	}
	if u.Status == StatusPending && !c.PendingCreate {
		// Field is the path a program acts on; which value of it is
		// refused is for the message.
		return &Error{Code: Unsupported, Field: "Status", Message: "creating a user in Status pending is not supported by this backend"}
	}
	return nil
}

func validateUpdate(c Capabilities, u *UserUpdate) error {
	if err := checkUserFields(u.Username, u.Email, u.Phone, u.GivenName, u.FamilyName, u.DisplayName); err != nil {
		return err
	}
	if u.Metadata != nil {
		if err := checkMetadata(u.Metadata); err != nil {
			return err
		}
	}
	if err := checkFieldCaps(c, u.Username != nil, u.Phone != nil, u.GivenName != nil, u.FamilyName != nil, u.DisplayName != nil, len(u.Metadata) > 0); err != nil {
		return err
	}
	if c.EmailRequired && u.Email != nil && *u.Email == "" {
		return driver.InvalidArgumentError("Email", "this backend needs an Email; it cannot be cleared")
	}
	return nil
}

func validateListOptions(c Capabilities, o *ListOptions) error {
	if o.Email != "" {
		if err := checkEmail("ListOptions.Email", o.Email); err != nil {
			return err
		}
	}
	if o.Username != "" {
		if err := checkUsername("ListOptions.Username", o.Username); err != nil {
			return err
		}
		if !c.Username {
			return driver.UnsupportedError("ListOptions.Username")
		}
	}
	if o.Status != "" && !o.Status.Valid() {
		return driver.InvalidArgumentError("ListOptions.Status", "unknown status %s", quote(string(o.Status)))
	}
	if err := checkText("ListOptions.Query", o.Query, MaxQueryLen); err != nil {
		return err
	}
	if o.PageSize < 0 {
		return driver.InvalidArgumentError("ListOptions.PageSize", "PageSize %d is negative", o.PageSize)
	}
	return nil
}

func checkCursor(cursor string) error {
	if len(cursor) > MaxCursorLen {
		return driver.InvalidArgumentError("cursor", "cursor is longer than %d bytes", MaxCursorLen)
	}
	for i := 0; i < len(cursor); i++ {
		if cursor[i] <= ' ' || cursor[i] > '~' {
			return driver.InvalidArgumentError("cursor", "cursor %s is not one this backend made", quote(cursor))
		}
	}
	return nil
}

// checkPasswordHash checks a NewUser's PasswordHash: alone, well formed,
// and of an algorithm the backend imports.
func checkPasswordHash(c Capabilities, u *NewUser) error {
	if u.Password != "" {
		return driver.InvalidArgumentError("PasswordHash", "a new user takes a Password or a PasswordHash, not both")
	}
	h, err := passhash.Parse(string(u.PasswordHash))
	if err != nil {
		// passhash's errors name the algorithm and the field at fault,
		// never the hash itself.
		return driver.InvalidArgumentError("PasswordHash", "PasswordHash: %v", err)
	}
	if !slices.Contains(c.PasswordHashes, string(h.Algorithm)) {
		e := driver.UnsupportedError("PasswordHash")
		if len(c.PasswordHashes) == 0 {
			e.Message = "importing a password hash is not supported by this backend"
		} else {
			e.Message = fmt.Sprintf("a %s password hash is not supported by this backend, which imports %s", h.Algorithm, strings.Join(c.PasswordHashes, ", "))
		}
		return e
	}
	return nil
}
