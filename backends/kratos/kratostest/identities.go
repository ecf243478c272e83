package kratostest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

type identity struct {
	id, schemaID, state string
	stateChangedAt      time.Time
	traits              any // decoded with UseNumber
	metaPublic          any // nil is null
	metaAdmin           any
	created, updated    time.Time
	cred                *credential           // the password credential; nil when none
	others              map[string]*otherCred // the other credentials, by type
	verifiable          []*address
	recovery            []*address
}

// credential is the password credential: the identifiers the schema
// marks, and its config, which holds the hash as "hashed_password" (and,
// after a /credentials patch, whatever the patch wrote).
type credential struct {
	identifiers      []string
	config           map[string]any
	created, updated time.Time
}

func (c *credential) hash() string {
	if c == nil {
		return ""
	}
	h, _ := c.config["hashed_password"].(string)
	return h
}

type address struct {
	id, value, via   string
	created, updated time.Time
}

// view selects which fields an identity shows, which differs by endpoint
// exactly as observed.
type view struct {
	creds          bool     // the credentials object
	zeroCredTimes  bool     // credential times as 0001-01-01 (a credential not yet read back)
	config         bool     // include_credential=password
	include        []string // the include_credential types
	adminMeta      int      // 0: never; 1: when set; 2: always (null when unset)
	addresses      bool
	emptySchemaURL bool // the sessions list writes schema_url ""
}

var (
	viewCreate      = view{creds: true, zeroCredTimes: true, adminMeta: 1, addresses: true}
	viewGet         = view{creds: true, adminMeta: 2, addresses: true}
	viewList        = view{adminMeta: 2, addresses: true}
	viewPut         = view{creds: true, adminMeta: 1, addresses: true}
	viewPatch       = view{creds: true, adminMeta: 2, addresses: true}
	viewSession     = view{addresses: true}
	viewSessionList = view{emptySchemaURL: true}
)

type credJSON struct {
	Type        string          `json:"type"`
	Identifiers []string        `json:"identifiers"`
	Config      json.RawMessage `json:"config,omitempty"`
	Version     int             `json:"version"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

type verifiableJSON struct {
	ID        string `json:"id"`
	Value     string `json:"value"`
	Verified  bool   `json:"verified"`
	Via       string `json:"via"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type recoveryJSON struct {
	ID        string `json:"id"`
	Value     string `json:"value"`
	Via       string `json:"via"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type identityJSON struct {
	ID             string              `json:"id"`
	Credentials    map[string]credJSON `json:"credentials,omitempty"`
	SchemaID       string              `json:"schema_id"`
	SchemaURL      string              `json:"schema_url"`
	State          string              `json:"state"`
	StateChangedAt string              `json:"state_changed_at"`
	Traits         any                 `json:"traits"`
	Verifiable     []verifiableJSON    `json:"verifiable_addresses,omitempty"`
	Recovery       []recoveryJSON      `json:"recovery_addresses,omitempty"`
	MetadataPublic any                 `json:"metadata_public"`
	MetadataAdmin  json.RawMessage     `json:"metadata_admin,omitempty"`
	CreatedAt      string              `json:"created_at"`
	UpdatedAt      string              `json:"updated_at"`
	OrganizationID any                 `json:"organization_id"`
}

var zeroTime = "0001-01-01T00:00:00Z"

func schemaURL(base, id string) string {
	return base + "/schemas/" + base64.RawURLEncoding.EncodeToString([]byte(id))
}

func (i *identity) json(base string, v view) identityJSON {
	out := identityJSON{
		ID: i.id, SchemaID: i.schemaID, SchemaURL: schemaURL(base, i.schemaID),
		State: i.state, StateChangedAt: timeString(i.stateChangedAt),
		Traits: i.traits, MetadataPublic: i.metaPublic,
		CreatedAt: timeString(i.created), UpdatedAt: timeString(i.updated),
	}
	if v.emptySchemaURL {
		out.SchemaURL = ""
	}
	if v.creds && i.cred != nil {
		c := credJSON{Type: "password", Identifiers: i.cred.identifiers, CreatedAt: timeString(i.cred.created), UpdatedAt: timeString(i.cred.updated)}
		if c.Identifiers == nil {
			c.Identifiers = []string{}
		}
		if v.zeroCredTimes {
			c.CreatedAt, c.UpdatedAt = zeroTime, zeroTime
		}
		if v.config {
			c.Config = json.RawMessage("{}")
			if len(i.cred.config) > 0 {
				c.Config, _ = json.Marshal(i.cred.config)
			}
		}
		out.Credentials = map[string]credJSON{"password": c}
	}
	if v.creds && len(i.others) > 0 {
		if out.Credentials == nil {
			out.Credentials = map[string]credJSON{}
		}
		i.othersJSON(out.Credentials, v)
	}
	if v.addresses {
		for _, a := range i.verifiable {
			out.Verifiable = append(out.Verifiable, verifiableJSON{ID: a.id, Value: a.value, Via: a.via, Status: "pending", CreatedAt: timeString(a.created), UpdatedAt: timeString(a.updated)})
		}
		for _, a := range i.recovery {
			out.Recovery = append(out.Recovery, recoveryJSON{ID: a.id, Value: a.value, Via: a.via, CreatedAt: timeString(a.created), UpdatedAt: timeString(a.updated)})
		}
	}
	switch {
	case v.adminMeta == 2 && i.metaAdmin == nil:
		out.MetadataAdmin = json.RawMessage("null")
	case v.adminMeta >= 1 && i.metaAdmin != nil:
		out.MetadataAdmin, _ = json.Marshal(i.metaAdmin)
	}
	return out
}

// found is what validating traits yields beside errors: the values of the
// identifier, verification and recovery fields.
type found struct{ ids, verify, recover []string }

// validateTraits checks traits against the schema of schemaID, as Kratos
// does on every write, and returns what Kratos's extensions collect.
func (e *Emulator) validateTraits(schemaID string, traits any) (found, *reply) {
	if schemaID != "default" {
		rp := badRequest("Unable to find JSON Schema ID: " + schemaID)
		return found{}, &rp
	}
	var ids []string
	doc := map[string]any{"traits": traits}
	if err := e.schema.validate(doc, "", "", &ids); err != nil {
		rp := badRequest(err.Error())
		return found{}, &rp
	}
	f := found{ids: unique(ids)}
	e.schema.walkExtensions(traits, &f)
	return f, nil
}

// walkExtensions collects verification and recovery addresses from valid
// traits.
func (s *schema) walkExtensions(v any, f *found) {
	tr := s.propSchema("traits")
	if tr == nil {
		return
	}
	var walk func(s *schema, v any)
	walk = func(s *schema, v any) {
		if str, isStr := v.(string); isStr {
			norm := strings.ToLower(strings.TrimSpace(str))
			if s.verification != "" {
				f.verify = append(f.verify, s.verification+"\x00"+norm)
			}
			if s.recovery != "" {
				f.recover = append(f.recover, s.recovery+"\x00"+norm)
			}
		}
		switch t := v.(type) {
		case map[string]any:
			for _, p := range s.props {
				if pv, ok := t[p.name]; ok {
					walk(p.s, pv)
				}
			}
		case []any:
			if s.items != nil {
				for _, it := range t {
					walk(s.items, it)
				}
			}
		}
	}
	walk(tr, v)
	f.verify, f.recover = unique(f.verify), unique(f.recover)
}

func (s *schema) propSchema(name string) *schema {
	for _, p := range s.props {
		if p.name == name {
			return p.s
		}
	}
	return nil
}

func unique(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// conflicts reports whether another identity holds one of ids.
func (e *Emulator) conflicts(self string, ids []string) bool {
	for _, o := range e.identities {
		if o.id == self || o.cred == nil {
			continue
		}
		for _, id := range ids {
			if slices.Contains(o.cred.identifiers, id) {
				return true
			}
		}
	}
	return false
}

// apply stores validated traits and what the extensions found: the
// credential's identifiers (left as they were when the traits hold none,
// as Kratos does, so a removed identifier stays taken) and the addresses,
// which keep their ids while their values stay.
func (e *Emulator) apply(i *identity, f found, now time.Time) {
	if len(f.ids) > 0 {
		if i.cred == nil {
			i.cred = &credential{created: now, updated: now, config: map[string]any{}}
		}
		i.cred.identifiers = f.ids
	}
	i.verifiable = keepAddresses(i.verifiable, f.verify, now)
	i.recovery = keepAddresses(i.recovery, f.recover, now)
}

func keepAddresses(old []*address, want []string, now time.Time) []*address {
	var out []*address
	for _, w := range want {
		via, value, _ := strings.Cut(w, "\x00")
		i := slices.IndexFunc(old, func(a *address) bool { return a.value == value && a.via == via })
		if i >= 0 {
			out = append(out, old[i])
			continue
		}
		out = append(out, &address{id: newUUID(), value: value, via: via, created: now, updated: now})
	}
	return out
}

// passwordBody is credentials.password of a create or update.
type passwordBody struct {
	Config struct {
		Password                 string `json:"password"`
		HashedPassword           string `json:"hashed_password"`
		UsePasswordMigrationHook bool   `json:"use_password_migration_hook"`
	} `json:"config"`
}

type credentialsBody struct {
	Password *passwordBody   `json:"password"`
	OIDC     json.RawMessage `json:"oidc"`
	SAML     json.RawMessage `json:"saml"`
}

type createBody struct {
	SchemaID            string           `json:"schema_id"`
	Traits              json.RawMessage  `json:"traits"`
	Credentials         *credentialsBody `json:"credentials"`
	VerifiableAddresses json.RawMessage  `json:"verifiable_addresses"`
	RecoveryAddresses   json.RawMessage  `json:"recovery_addresses"`
	MetadataPublic      json.RawMessage  `json:"metadata_public"`
	MetadataAdmin       json.RawMessage  `json:"metadata_admin"`
	State               string           `json:"state"`
	OrganizationID      json.RawMessage  `json:"organization_id"`
}

type updateBody struct {
	SchemaID       string           `json:"schema_id"`
	Traits         json.RawMessage  `json:"traits"`
	Credentials    *credentialsBody `json:"credentials"`
	MetadataPublic json.RawMessage  `json:"metadata_public"`
	MetadataAdmin  json.RawMessage  `json:"metadata_admin"`
	State          string           `json:"state"`
}

var typeNames = map[string]string{
	"kratostest.createBody":      "identity.CreateIdentityBody",
	"createBody.":                "CreateIdentityBody.",
	"kratostest.updateBody":      "identity.UpdateIdentityBody",
	"updateBody.":                "UpdateIdentityBody.",
	"kratostest.credentialsBody": "identity.IdentityWithCredentials",
	"kratostest.passwordBody":    "identity.AdminIdentityImportCredentialsPassword",
}

// importPassword sets the identity's password from a create or update
// body, in the order of Kratos's importPasswordCredentials
// (identity/handler_import.go): the password migration hook's flag,
// which keeps no hash even when one is given beside it (observed); else
// a plain password, hashed with bcrypt (cost 4, as scripts/kratos.sh
// configures), which wins over a hashed_password beside it; else a hash
// to import, which needs only a known prefix. Admin-set passwords skip
// the password policy, as on Kratos.
func importPassword(i *identity, c *credentialsBody, now time.Time) (bool, *reply) {
	if c == nil || c.Password == nil {
		return false, nil
	}
	cfg := c.Password.Config
	config := map[string]any{}
	switch {
	case cfg.UsePasswordMigrationHook:
		config["hashed_password"], config["use_password_migration_hook"] = "", true
	case cfg.Password != "":
		h, err := bcrypt.GenerateFromPassword([]byte(cfg.Password), 4)
		if err != nil { // longer than 72 bytes
			rp := badRequest(err.Error())
			return false, &rp
		}
		config["hashed_password"] = string(h)
	case cfg.HashedPassword != "":
		if !knownHash.MatchString(cfg.HashedPassword) {
			rp := badRequest("The imported password does not match any known hash format. For more information see https://www.ory.sh/dr/2")
			return false, &rp
		}
		config["hashed_password"] = cfg.HashedPassword
	default:
		return false, nil
	}
	if i.cred == nil {
		i.cred = &credential{created: now}
	}
	i.cred.config = config
	i.cred.updated = now
	return true, nil
}

// decodeJSONValue reads a raw body field; absent and null are nil.
func decodeJSONValue(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	v, _ := decodeValue(raw)
	return v
}

// create answers 201 with the identity and a Location that omits /admin.
// The order of checks is Kratos's: body, state, credentials, schema and
// traits, then identifier uniqueness.
func (e *Emulator) create(r *http.Request) reply {
	data, err := readBody(r)
	if err != nil {
		return badRequest(err.Error())
	}
	var b createBody
	if err := decodeStrict(data, &b, typeNames); err != nil {
		return failure(http.StatusBadRequest, "", err.Error())
	}
	now := e.now()
	i := &identity{id: newUUID(), schemaID: b.SchemaID, state: stateActive, stateChangedAt: now,
		created: dbTime(now), updated: dbTime(now)}
	if i.schemaID == "" {
		i.schemaID = "default"
	}
	if b.State != "" {
		if b.State != stateActive && b.State != stateInactive {
			return badRequest("identity state is not valid")
		}
		i.state = b.State
	}
	i.traits = map[string]any{}
	if len(b.Traits) > 0 {
		i.traits = decodeJSONValue(b.Traits)
	}
	i.metaPublic, i.metaAdmin = decodeJSONValue(b.MetadataPublic), decodeJSONValue(b.MetadataAdmin)
	if _, rp := importPassword(i, b.Credentials, dbTime(now)); rp != nil {
		return *rp
	}
	if b.Credentials != nil {
		if rp := importOIDC(i, b.Credentials.OIDC, dbTime(now)); rp != nil {
			return *rp
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	f, rp := e.validateTraits(i.schemaID, i.traits)
	if rp != nil {
		return *rp
	}
	if e.conflicts(i.id, f.ids) {
		return createConflict()
	}
	e.apply(i, f, dbTime(now))
	e.identities[i.id] = i
	rep := ok(http.StatusCreated, i.json(baseURL(r), viewCreate))
	rep.header = http.Header{"Location": {baseURL(r) + "/identities/" + i.id}}
	return rep
}

// credentialTypes are the values include_credential takes.
var credentialTypes = []string{"password", "oidc", "totp", "lookup_secret", "webauthn", "code", "passkey", "profile", "saml", "link_recovery", "code_recovery"}

// includeCredential reads include_credential; the reason of its 400
// prints the values accepted before the bad one, as Kratos's does.
func includeCredential(q url.Values) ([]string, *reply) {
	var accepted []string
	for _, v := range q["include_credential"] {
		if !slices.Contains(credentialTypes, v) {
			rp := badRequest(fmt.Sprintf("Invalid value `%v` for parameter `include_credential`.", accepted))
			return nil, &rp
		}
		accepted = append(accepted, v)
	}
	return accepted, nil
}

func (e *Emulator) get(r *http.Request) reply {
	include, rp := includeCredential(query(r))
	if rp != nil {
		return *rp
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	i := e.lookup(r.PathValue("id"))
	if i == nil {
		return notFound()
	}
	v := viewGet
	v.config, v.include = slices.Contains(include, "password"), include
	return ok(http.StatusOK, i.json(baseURL(r), v))
}

// lookup finds an identity by a path id; a malformed id finds none (404),
// as Kratos reads it as the nil UUID.
func (e *Emulator) lookup(raw string) *identity {
	id, err := parseUUID(raw)
	if err != nil {
		return nil
	}
	return e.identities[id]
}

func (e *Emulator) delete(r *http.Request) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := e.lookup(r.PathValue("id"))
	if i == nil {
		return notFound()
	}
	delete(e.identities, i.id)
	for id, s := range e.sessions {
		if s.identityID == i.id {
			delete(e.sessions, id)
			delete(e.tokens, s.token)
		}
	}
	return reply{status: http.StatusNoContent}
}

// update is PUT: it replaces traits, metadata_public and metadata_admin
// (one left out becomes null, traits left out become {}), changes state
// and schema_id only if sent, and sets a password if one is given;
// updated_at is not advanced. Unlike create, it needs an application/json
// Content-Type.
func (e *Emulator) update(r *http.Request) reply {
	if rp, isJSON := requireJSON(r); !isJSON {
		return rp
	}
	data, err := readBody(r)
	if err != nil {
		return badRequest("Unable to decode JSON payload: " + err.Error())
	}
	var b updateBody
	if err := decodeLoose(data, &b, typeNames); err != nil {
		return badRequest("Unable to decode JSON payload: " + err.Error())
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.lookup(r.PathValue("id"))
	if cur == nil {
		return notFound()
	}
	next := *cur
	if next.cred != nil {
		c := *next.cred
		next.cred = &c
	}
	if b.SchemaID != "" {
		next.schemaID = b.SchemaID
	}
	if b.State != "" && b.State != next.state {
		if b.State != stateActive && b.State != stateInactive {
			return badRequest("identity state is not valid")
		}
		next.state, next.stateChangedAt = b.State, now
	}
	next.traits = map[string]any{}
	if len(b.Traits) > 0 {
		next.traits = decodeJSONValue(b.Traits)
	}
	next.metaPublic, next.metaAdmin = decodeJSONValue(b.MetadataPublic), decodeJSONValue(b.MetadataAdmin)
	newPassword, rp := importPassword(&next, b.Credentials, dbTime(now))
	if rp != nil {
		return *rp
	}
	f, rp := e.validateTraits(next.schemaID, next.traits)
	if rp != nil {
		return *rp
	}
	if e.conflicts(next.id, f.ids) {
		return updateConflict()
	}
	e.apply(&next, f, dbTime(now))
	*cur = next
	v := viewPut
	v.zeroCredTimes = newPassword
	return ok(http.StatusOK, cur.json(baseURL(r), v))
}

// patchDoc is the identity as JSON Patch sees it: without credentials.
func (i *identity) patchDoc(base string) (map[string]any, error) {
	data, err := json.Marshal(i.json(base, view{adminMeta: 2, addresses: true}))
	if err != nil {
		return nil, err
	}
	v, err := decodeValue(data)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return mutable(m).(map[string]any), nil
}

func patchFailure(err error) reply {
	return failure(http.StatusBadRequest, "An error occured when applying the JSON patch", err.Error())
}

// patch applies an RFC 6902 JSON Patch as Kratos does (see patch.go).
// Besides traits, metadata and state, the top-level created_at,
// updated_at, state_changed_at and schema_id take a patch (observed for
// created_at and state_changed_at; Unobserved for updated_at); other
// fields (addresses, schema_url, organization_id) are recomputed or kept
// (Unobserved). A patch below /credentials/password replaces the password
// credential's config with what the patch built, so no password logs in
// afterwards, as on Kratos.
func (e *Emulator) patch(r *http.Request) reply {
	data, err := readBody(r)
	if err != nil {
		return patchFailure(err)
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.lookup(r.PathValue("id"))
	if cur == nil {
		return notFound()
	}
	ops, err := decodePatch(data, "/id", "/stateChangedAt", "/credentials")
	if err != nil {
		return patchFailure(err)
	}
	doc, err := cur.patchDoc(baseURL(r))
	if err != nil {
		return patchFailure(err)
	}
	if err := applyPatch(doc, ops); err != nil {
		return patchFailure(err)
	}
	doc = frozen(doc).(map[string]any)
	next := *cur
	if next.cred != nil {
		c := *next.cred
		next.cred = &c
	}
	credsPatched := false
	for k, v := range doc {
		switch k {
		case "traits":
			next.traits = v
		case "metadata_public":
			next.metaPublic = v
		case "metadata_admin":
			next.metaAdmin = v
		case "state", "schema_id":
			s, isStr := v.(string)
			if !isStr {
				return patchFailure(fmt.Errorf("json: cannot unmarshal %s into Go struct field .%s of type string", jsonType(v), k))
			}
			if k == "state" {
				next.state = s
			} else {
				next.schemaID = s
			}
		case "created_at", "updated_at", "state_changed_at":
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return patchFailure(fmt.Errorf("parsing time %q as %q: cannot parse %q as %q", s, time.RFC3339, s, "2006"))
			}
			switch k {
			case "created_at":
				next.created = t.UTC()
			case "updated_at":
				next.updated = t.UTC()
			default:
				next.stateChangedAt = t.UTC()
			}
		case "credentials":
			creds, _ := v.(map[string]any)
			if pw, has := creds["password"].(map[string]any); has {
				cfg, _ := pw["config"].(map[string]any)
				next.cred = &credential{config: cfg, created: dbTime(now), updated: dbTime(now)}
				if cur.cred != nil {
					next.cred.identifiers = cur.cred.identifiers
				}
				credsPatched = true
			}
		}
	}
	if next.state != cur.state {
		if next.state != stateActive && next.state != stateInactive {
			return failure(http.StatusBadRequest, fmt.Sprintf("The supplied state ('%s') was not valid. Valid states are ('active', 'inactive').", next.state), "identity state is not valid")
		}
		next.stateChangedAt = now
	}
	f, rp := e.validateTraits(next.schemaID, next.traits)
	if rp != nil {
		return *rp
	}
	if e.conflicts(next.id, f.ids) {
		return updateConflict()
	}
	e.apply(&next, f, dbTime(now))
	if next.cred != nil && !credsPatched {
		next.cred.updated = dbTime(now)
	}
	*cur = next
	v := viewPatch
	v.zeroCredTimes = credsPatched
	return ok(http.StatusOK, cur.json(baseURL(r), v))
}

// list answers a bare array of identities ordered by id, without
// credentials unless credentials_identifier or include_credential asks
// for them. Paging is keyset (page_size, page_token: the last row's id)
// unless page is given without either, which switches to Kratos's legacy
// offset paging with X-Total-Count; per_page alone is read as page_size.
func (e *Emulator) list(r *http.Request) reply {
	q := query(r)
	include, rp := includeCredential(q)
	if rp != nil {
		return *rp
	}
	var ids []string
	for _, v := range q["ids"] {
		id, err := parseUUID(v)
		if err != nil {
			return badRequest(fmt.Sprintf("Invalid UUID value `%s` for parameter `ids`.", v))
		}
		ids = append(ids, id)
	}
	ident := q.Get("credentials_identifier")
	if ident != "" && q.Get("preview_credentials_identifier_similar") != "" {
		return badRequest("Cannot pass both credentials_identifier and preview_credentials_identifier_similar.")
	}
	v := viewList
	if ident != "" || len(q["include_credential"]) > 0 {
		v.creds, v.config, v.include = true, slices.Contains(include, "password"), include
	}
	u := *r.URL
	if !q.Has("page_token") && !q.Has("page_size") {
		if q.Has("page") {
			return e.listPages(r, q, ids, ident, v)
		}
		if q.Has("per_page") {
			q.Set("page_size", q.Get("per_page"))
			q.Del("per_page")
			u.RawQuery = q.Encode()
		}
	}
	size, token := e.opts.DefaultPageSize, nilUUID
	if pt := firstNonEmpty(q["page_token"]); pt != "" {
		t, err := url.QueryUnescape(pt)
		if err != nil {
			return badRequest(err.Error())
		}
		token = t
	}
	if ps := firstNonEmpty(q["page_size"]); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil {
			return badRequest(err.Error())
		}
		// Unobserved: a negative page_size makes the real server drop
		// the connection without an answer; the emulator answers 400.
		if n < 0 {
			return badRequest("The page size must not be negative.")
		}
		if n > 0 {
			size = n
		}
	}
	after, err := parseUUID(token)
	if err != nil {
		return badRequest("The page token is invalid, do not craft your own page tokens")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rows := e.filtered(ids, ident)
	start, _ := slices.BinarySearchFunc(rows, after, func(i *identity, id string) int { return strings.Compare(i.id, id) })
	if start < len(rows) && rows[start].id == after {
		start++
	}
	rows = rows[start:]
	last := len(rows) <= size
	if !last {
		rows = rows[:size]
	}
	links := []string{keysetLink(u, "first", nilUUID, size)}
	if !last {
		links = append(links, keysetLink(u, "next", rows[len(rows)-1].id, size))
	}
	out := make([]identityJSON, 0, len(rows))
	for _, i := range rows {
		out = append(out, i.json(baseURL(r), v))
	}
	rep := ok(http.StatusOK, out)
	rep.header = http.Header{"Link": {strings.Join(links, ",")}}
	return rep
}

func firstNonEmpty(vs []string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// keysetLink is one entry of Kratos's keyset Link header: the request's
// path and query with page_token and page_size set, the query encoded
// with sorted keys.
func keysetLink(u url.URL, rel, token string, size int) string {
	q, _ := url.ParseQuery(u.RawQuery)
	q.Set("page_token", token)
	q.Set("page_size", strconv.Itoa(size))
	u.RawQuery = q.Encode()
	return fmt.Sprintf("<%s>; rel=%q", linkURL(u), rel)
}

func linkURL(u url.URL) string {
	u.Scheme, u.Host, u.User = "", "", nil
	return u.String()
}

// filtered returns the identities matching the list filters, ordered by
// id. credentials_identifier matches an identifier exactly, ignoring case.
func (e *Emulator) filtered(ids []string, ident string) []*identity {
	ident = strings.ToLower(ident)
	var rows []*identity
	for _, i := range e.identities {
		if len(ids) > 0 && !slices.Contains(ids, i.id) {
			continue
		}
		if ident != "" && (i.cred == nil || !slices.Contains(i.cred.identifiers, ident)) {
			continue
		}
		rows = append(rows, i)
	}
	slices.SortFunc(rows, func(a, b *identity) int { return strings.Compare(a.id, b.id) })
	return rows
}

// listPages is the legacy page/per_page paging: page from 0, per_page
// 250 by default and at most 500, and at most 1000 rows reachable.
// X-Total-Count counts every identity (or, with credentials_identifier,
// the rows of the page), as Kratos does.
func (e *Emulator) listPages(r *http.Request, q url.Values, ids []string, ident string, v view) reply {
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 0)
	perPage := 250
	if pp, err := strconv.Atoi(q.Get("per_page")); err == nil {
		perPage = pp
	}
	perPage = min(max(perPage, 1), 500)
	if page*perPage > 1000 {
		return badRequest("Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rows := e.filtered(ids, ident)
	off := min(page*perPage, len(rows))
	rows = rows[off:min(off+perPage, len(rows))]
	total := len(e.identities)
	if ident != "" {
		total = len(rows)
	}
	out := make([]identityJSON, 0, len(rows))
	for _, i := range rows {
		out = append(out, i.json(baseURL(r), v))
	}
	rep := ok(http.StatusOK, out)
	rep.header = http.Header{}
	offsetLinks(rep.header, *r.URL, int64(total), page, perPage, func(u url.URL, rel string, limit, offset int64) string {
		q, _ := url.ParseQuery(u.RawQuery)
		q.Set("per_page", strconv.FormatInt(limit, 10))
		q.Set("page", strconv.FormatInt(offset/limit, 10))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", linkURL(u), rel)
	})
	return rep
}

// offsetLinks writes X-Total-Count and the Link header of Kratos's offset
// paging (ory/x pagination.HeaderWithFormatter), quirks included: with no
// rows at all it links first, next and a prev at page -1; on a last page
// that is also the first it links only first, with the total as the page
// size.
func offsetLinks(h http.Header, u url.URL, total int64, page, perPage int, f func(url.URL, string, int64, int64) string) {
	limit := int64(max(perPage, 1))
	offset := int64(page) * limit
	var lastOffset int64
	if total%limit == 0 {
		lastOffset = total - limit
	} else {
		lastOffset = (total / limit) * limit
	}
	h.Set("X-Total-Count", strconv.FormatInt(total, 10))
	var links []string
	switch {
	case offset >= lastOffset && total == 0:
		links = []string{f(u, "first", limit, 0), f(u, "next", limit, ((offset/limit)+1)*limit), f(u, "prev", limit, ((offset/limit)-1)*limit)}
	case offset >= lastOffset && total <= limit:
		links = []string{f(u, "first", total, 0)}
	case offset >= lastOffset:
		links = []string{f(u, "first", limit, 0), f(u, "prev", limit, lastOffset-limit)}
	case offset < limit:
		links = []string{f(u, "next", limit, limit), f(u, "last", limit, lastOffset)}
	default:
		links = []string{f(u, "first", limit, 0), f(u, "next", limit, ((offset/limit)+1)*limit), f(u, "prev", limit, ((offset/limit)-1)*limit), f(u, "last", limit, lastOffset)}
	}
	h.Set("Link", strings.Join(links, ","))
}
