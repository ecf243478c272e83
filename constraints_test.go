package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// constrained is a counting driver that declares k and keeps what
// reaches it.
type constrained struct {
	counting
	k       identity.Constraints
	created identity.NewUser
	updated identity.UserUpdate
}

func (c *constrained) Constraints() identity.Constraints { return c.k }

func (c *constrained) CreateUser(_ context.Context, u identity.NewUser) (*identity.User, error) {
	c.created = u
	return &identity.User{ID: "u1", Metadata: u.Metadata}, c.hit()
}

func (c *constrained) UpdateUser(_ context.Context, _ string, u identity.UserUpdate) (*identity.User, error) {
	c.updated = u
	return &identity.User{ID: "u1", Metadata: u.Metadata}, c.hit()
}

// oktaLike are rules of the kinds every backend declares, for the
// portable layer's checks.
var oktaLike = identity.Constraints{
	Required: []string{"GivenName"},
	Username: identity.TextRule{MinLen: 5, MaxLen: 100},
	Email:    identity.TextRule{MaxLen: 30},
	Role:     identity.TextRule{Forbid: ",", ReservedPrefix: "org:", Pattern: `[a-z:,]+`, Describe: "lower-case letters"},
	Metadata: identity.MetadataRules{
		KeyPattern: `[A-Za-z][A-Za-z0-9_]*`,
		Reserved:   []string{"login"},
		Fields: map[string]identity.MetadataValue{
			"countryCode": {Type: identity.StringType, MaxLen: 2, Shape: identity.Scalars},
			"seats":       {Type: identity.IntegerType, Shape: identity.Scalars},
			"born":        {Type: identity.DateType, Shape: identity.Scalars},
		},
		Values: identity.MetadataValue{Shape: identity.ScalarArrays},
	},
}

func TestConstraintsRefuseBeforeTheDriver(t *testing.T) {
	ctx := context.Background()
	ok := identity.NewUser{Email: "ada@example.com", GivenName: "Ada"}
	with := func(f func(*identity.NewUser)) identity.NewUser { u := ok; f(&u); return u }
	creates := []struct {
		name  string
		u     identity.NewUser
		code  identity.Code
		field string
	}{
		{"required missing", with(func(u *identity.NewUser) { u.GivenName = "" }), identity.InvalidArgument, "GivenName"},
		{"required blank", with(func(u *identity.NewUser) { u.GivenName = "  " }), identity.InvalidArgument, "GivenName"},
		{"username too short", with(func(u *identity.NewUser) { u.Username = "ada1" }), identity.InvalidArgument, "Username"},
		{"username too long", with(func(u *identity.NewUser) { u.Username = strings.Repeat("a", 101) }), identity.InvalidArgument, "Username"},
		{"username counted in characters", with(func(u *identity.NewUser) { u.Username = "ab" }), identity.InvalidArgument, "Username"},
		{"email too long", with(func(u *identity.NewUser) { u.Email = strings.Repeat("a", 20) + "@example.com" }), identity.InvalidArgument, "Email"},
		{"reserved key", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"login": "x"} }), identity.InvalidArgument, "Metadata.login"},
		{"key pattern", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"1st": "x"} }), identity.InvalidArgument, "Metadata.1st"},
		{"field type", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"seats": "three"} }), identity.InvalidArgument, "Metadata.seats"},
		{"integer field", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"seats": 2.5} }), identity.InvalidArgument, "Metadata.seats"},
		{"date field", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"born": "1815-12-32"} }), identity.InvalidArgument, "Metadata.born"},
		{"field length", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"countryCode": "GBR"} }), identity.InvalidArgument, "Metadata.countryCode"},
		{"field shape", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"countryCode": []string{"GB"}} }), identity.Unsupported, "Metadata.countryCode"},
		{"nested object", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"address": map[string]any{"city": "London"}} }), identity.Unsupported, "Metadata.address"},
		{"a struct is an object", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"address": struct{ City string }{"London"}} }), identity.Unsupported, "Metadata.address"},
		{"array of nulls", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"tags": []any{"a", nil}} }), identity.Unsupported, "Metadata.tags"},
		{"lossy integer", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"n": int64(1<<53 + 1)} }), identity.InvalidArgument, "Metadata.n"},
		{"lossy nested integer", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"n": []any{uint64(math.MaxUint64)}} }), identity.InvalidArgument, "Metadata.n[0]"},
		{"lossy json.Number", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"n": json.Number("123456789012345678901")} }), identity.InvalidArgument, "Metadata.n"},
	}
	for _, tt := range creates {
		t.Run("CreateUser/"+tt.name, func(t *testing.T) {
			c := &constrained{counting: counting{caps: all}, k: oktaLike}
			d := identity.NewDirectory("test", c)
			_, err := d.CreateUser(ctx, tt.u)
			requireField(t, err, tt.code, tt.field)
			assert.Zero(t, c.calls.Load(), "the driver was called")
		})
	}
	s := func(v string) *string { return &v }
	updates := []struct {
		name  string
		u     identity.UserUpdate
		field string
	}{
		{"clearing a required field", identity.UserUpdate{GivenName: s("")}, "GivenName"},
		{"username too short", identity.UserUpdate{Username: s("ada")}, "Username"},
		{"removing a reserved key", identity.UserUpdate{Metadata: map[string]any{"login": nil}}, "Metadata.login"},
		{"a bad key even when removed", identity.UserUpdate{Metadata: map[string]any{"a-b": nil}}, "Metadata.a-b"},
	}
	for _, tt := range updates {
		t.Run("UpdateUser/"+tt.name, func(t *testing.T) {
			c := &constrained{counting: counting{caps: all}, k: oktaLike}
			d := identity.NewDirectory("test", c)
			_, err := d.UpdateUser(ctx, "u1", tt.u)
			requireField(t, err, identity.InvalidArgument, tt.field)
			assert.Zero(t, c.calls.Load(), "the driver was called")
		})
	}
	roles := []struct {
		name, role string
		call       string
	}{
		{"forbidden character", "read,write", "AssignRole"},
		{"reserved prefix, ignoring case", "ORG:acme", "CreateRole"},
		{"pattern", "Admin", "SetRoles"},
		{"forbidden character", "a,b", "RevokeRole"},
		{"pattern", "Admin", "DeleteRole"},
	}
	for _, tt := range roles {
		t.Run(tt.call+"/"+tt.name, func(t *testing.T) {
			c := &constrained{counting: counting{caps: all}, k: oktaLike}
			d := identity.NewDirectory("test", c)
			var err error
			field := "role"
			switch tt.call {
			case "AssignRole":
				err = d.AssignRole(ctx, "u1", tt.role)
			case "RevokeRole":
				err = d.RevokeRole(ctx, "u1", tt.role)
			case "CreateRole":
				_, err = d.CreateRole(ctx, identity.Role{Name: tt.role})
				field = "Role.Name"
			case "DeleteRole":
				err = d.DeleteRole(ctx, tt.role)
			case "SetRoles":
				err = d.SetRoles(ctx, "u1", "editor", tt.role)
				field = "roles"
			}
			requireField(t, err, identity.InvalidArgument, field)
			assert.Zero(t, c.calls.Load(), "the driver was called")
		})
	}
}

func requireField(t *testing.T, err error, code identity.Code, field string) {
	t.Helper()
	require.Error(t, err)
	var e *identity.Error
	require.True(t, errors.As(err, &e), "%v", err)
	assert.Equal(t, code, e.Code, "%v", err)
	assert.Equal(t, field, e.Field, "%v", err)
	assert.Zero(t, e.HTTPStatus)
	assert.NotContains(t, e.Field, " ", "Field holds a path, not prose")
}

func TestConstraintsTakeWhatFits(t *testing.T) {
	ctx := context.Background()
	c := &constrained{counting: counting{caps: all}, k: oktaLike}
	d := identity.NewDirectory("test", c)
	_, err := d.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", Username: "ada_l",
		Metadata: map[string]any{"countryCode": "GB", "seats": 3, "born": "1815-12-10", "tags": []string{"a"}}})
	require.NoError(t, err)
	_, err = d.UpdateUser(ctx, "u1", identity.UserUpdate{Username: new(strings.Repeat("a", 100)), Metadata: map[string]any{"seats": nil}})
	require.NoError(t, err)
	require.NoError(t, d.AssignRole(ctx, "u1", "org"))
	require.NoError(t, d.AssignRole(ctx, "u1", "org:acme"), "a reserved prefix holds at creation only")
	assert.Equal(t, int64(4), c.calls.Load())
}

func TestMetadataIsNormalised(t *testing.T) {
	when := time.Date(1815, 12, 10, 9, 30, 0, 0, time.UTC)
	type plan string
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"int", 5, float64(5)},
		{"int8", int8(-5), float64(-5)},
		{"uint32", uint32(7), float64(7)},
		{"int64 within 2^53", int64(1 << 53), float64(1 << 53)},
		{"int64 beyond 2^53 that a float64 holds", int64(1 << 60), float64(1 << 60)},
		{"float32 as JSON writes it", float32(0.1), 0.1},
		{"float64", 2.5, 2.5},
		{"json.Number", json.Number("42"), float64(42)},
		{"json.Number fraction", json.Number("0.25"), 0.25},
		{"json.RawMessage", json.RawMessage(`{"a":[1,"b",null]}`), map[string]any{"a": []any{float64(1), "b", nil}}},
		{"time.Time", when, "1815-12-10T09:30:00Z"},
		{"string type", plan("pro"), "pro"},
		{"[]byte", []byte{1, 2}, "AQI="},
		{"[]string", []string{"a"}, []any{"a"}},
		{"[]int", []int{1, 2}, []any{float64(1), float64(2)}},
		{"map[string]int", map[string]int{"a": 1}, map[string]any{"a": float64(1)}},
		{"nested", map[string]any{"a": []any{int16(3), map[string]any{"b": uint(4)}}}, map[string]any{"a": []any{float64(3), map[string]any{"b": float64(4)}}}},
		{"struct", struct {
			N    int    `json:"n"`
			Skip string `json:"-"`
		}{N: 1, Skip: "x"}, map[string]any{"n": float64(1)}},
		{"pointer", new(3), float64(3)},
		{"bool and string", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &constrained{counting: counting{caps: all}}
			d := identity.NewDirectory("test", c)
			in := map[string]any{"k": tt.in}
			u, err := d.CreateUser(context.Background(), identity.NewUser{Email: "ada@example.com", Metadata: in})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.created.Metadata["k"], "what the backend is given")
			assert.Equal(t, tt.want, u.Metadata["k"])
			assert.Equal(t, tt.in, in["k"], "the caller's map is not changed")

			_, err = d.UpdateUser(context.Background(), "u1", identity.UserUpdate{Metadata: in})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.updated.Metadata["k"], "what the backend is given on update")
		})
	}
	t.Run("the caller's nested values are not shared", func(t *testing.T) {
		c := &constrained{counting: counting{caps: all}}
		d := identity.NewDirectory("test", c)
		inner := []any{"a"}
		_, err := d.CreateUser(context.Background(), identity.NewUser{Email: "ada@example.com", Metadata: map[string]any{"k": inner}})
		require.NoError(t, err)
		inner[0] = "changed"
		assert.Equal(t, []any{"a"}, c.created.Metadata["k"])
	})
}

func TestProviderRefusalIsMarked(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		err    *identity.Error
		marked bool
	}{
		{"an answer's InvalidArgument", &identity.Error{Code: identity.InvalidArgument, Field: "Traits", HTTPStatus: 400, Message: "the schema refused it"}, true},
		{"the backend's own InvalidArgument, before a request", &identity.Error{Code: identity.InvalidArgument, Field: "Metadata.roles", Message: "reserved"}, false},
		{"another code", &identity.Error{Code: identity.AlreadyExists, HTTPStatus: 422, Message: "taken"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &constrained{counting: counting{caps: all, err: tt.err}}
			d := identity.NewDirectory("test", c)
			_, err := d.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
			var e *identity.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.marked, strings.HasPrefix(e.Message, "refused by the provider: "), "%v", err)
			assert.True(t, strings.HasSuffix(e.Message, tt.err.Message))
			assert.Equal(t, tt.err.Field, e.Field)
			_, err = d.UpdateUser(ctx, "u1", identity.UserUpdate{GivenName: new("Ada")})
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.marked, strings.HasPrefix(e.Message, "refused by the provider: "), "%v", err)
			err = d.AssignRole(ctx, "u1", "editor")
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.marked, strings.HasPrefix(e.Message, "refused by the provider: "), "%v", err)
			if tt.marked {
				assert.Equal(t, 1, strings.Count(e.Message, "refused by the provider"), "marked once")
			}
			assert.False(t, strings.HasPrefix(tt.err.Message, "refused"), "the backend's error is its own")
		})
	}
}

func TestConstraintsAreTheDirectorysOwn(t *testing.T) {
	c := &constrained{counting: counting{caps: all}, k: oktaLike.Clone()}
	d := identity.NewDirectory("test", c)
	got := d.Constraints()
	assert.Equal(t, oktaLike, got)
	got.Required[0] = "Username"
	got.Metadata.Fields["seats"] = identity.MetadataValue{}
	c.k.Required[0] = "FamilyName"
	assert.Equal(t, oktaLike, d.Constraints(), "neither the caller nor the backend can change them afterwards")

	plain := identity.NewDirectory("test", &counting{caps: all})
	assert.Equal(t, identity.Constraints{}, plain.Constraints(), "a backend that declares none")
}

func TestMalformedConstraints(t *testing.T) {
	tests := map[string]identity.Constraints{
		"pattern":       {Username: identity.TextRule{Pattern: "("}},
		"bounds":        {Email: identity.TextRule{MinLen: 10, MaxLen: 5}},
		"required":      {Required: []string{"Nickname"}},
		"key pattern":   {Metadata: identity.MetadataRules{KeyPattern: "[a-"}},
		"value type":    {Metadata: identity.MetadataRules{Values: identity.MetadataValue{Type: "uuid"}}},
		"closed, empty": {Metadata: identity.MetadataRules{Closed: true}},
		"order":         {Order: identity.Order(9)},
	}
	for name, k := range tests {
		t.Run(name, func(t *testing.T) { assert.Error(t, k.Check()) })
	}
	require.NoError(t, oktaLike.Check())

	// A malformed rule met at a call is the backend's bug.
	c := &constrained{counting: counting{caps: all}, k: tests["pattern"]}
	_, err := identity.NewDirectory("test", c).CreateUser(context.Background(), identity.NewUser{Email: "ada@example.com", Username: "ada"})
	assert.Equal(t, identity.Internal, identity.CodeOf(err))
	assert.Zero(t, c.calls.Load())
}

// A directory on memory behaving like Okta refuses, before any request,
// what Okta would refuse after one.
func ExampleDirectory_Constraints() {
	ctx := context.Background()
	dir, err := identity.Open(ctx, "memory://?like=okta")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dir.Close()

	k := dir.Constraints()
	fmt.Println("required:", k.Required, "usernames:", k.Username.MinLen, "to", k.Username.MaxLen)

	_, err = dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Username: "ada1", GivenName: "Ada", FamilyName: "Lovelace"})
	fmt.Println(err)
	_, err = dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	fmt.Println(err)
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace",
		Metadata: map[string]any{"seats": 5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %T\n", u.Status, u.Metadata["seats"])
	// Output:
	// required: [GivenName FamilyName] usernames: 5 to 100
	// memory: CreateUser: InvalidArgument (Username): Username "ada1" has 4 characters; this backend takes 5 to 100
	// memory: CreateUser: InvalidArgument (GivenName): GivenName is required by this backend
	// pending float64
}
