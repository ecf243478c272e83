package okta_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/backends/okta"
	"github.com/idport/identity/backends/okta/oktatest"
	"github.com/idport/identity/internal/backendtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryProfileIsOktas holds memory's like=okta to what this backend
// declares in the configuration it mirrors (group roles, Okta's default
// profile), so that the two cannot drift apart.
func TestMemoryProfileIsOktas(t *testing.T) {
	ctx := context.Background()
	dir, err := okta.New(ctx, okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t"})
	require.NoError(t, err)
	mem, err := memory.New(ctx, memory.Options{Like: memory.LikeOkta})
	require.NoError(t, err)
	backendtest.SameDeclarations(t, dir, mem)

	// The other configurations change only what they say.
	opt, err := okta.New(ctx, okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t", NamesOptional: true, OrganizationPrefix: "tenant-"})
	require.NoError(t, err)
	k := opt.Constraints()
	assert.Empty(t, k.Required)
	assert.Equal(t, "tenant-", k.Role.ReservedPrefix)
	admin, err := okta.New(ctx, okta.Options{OrgURL: "https://dev-1.okta.com", APIToken: "t", RoleMode: okta.RoleModeAdmin})
	require.NoError(t, err)
	assert.Equal(t, identity.TextRule{}, admin.Constraints().Role, "administrator roles are Okta's fixed set")
	assert.False(t, admin.Constraints().Case.RoleNameUniqueIgnoringCase)

	t.Setenv(okta.EnvAPIToken, "t")
	for url, optional := range map[string]bool{"okta://dev-1.okta.com?names=optional": true, "okta://dev-1.okta.com?names=required": false} {
		d, err := identity.Open(ctx, url)
		require.NoError(t, err, url)
		assert.Equal(t, optional, len(d.Constraints().Required) == 0, url)
	}
	_, err = identity.Open(ctx, "okta://dev-1.okta.com?names=maybe")
	require.ErrorIs(t, err, identity.ErrInvalidArgument)
}

// TestSameInputsFailOnMemoryAndOkta is issue #16's application, written
// once and run on memory like=okta and on the Okta emulator as it comes
// (firstName and lastName required): every input Okta refuses fails on
// both with the same code and Field, having sent nothing to Okta; sent to
// the emulator as a raw request, the same input is refused there, so the
// rule is Okta's; and what Okta takes, both take alike.
func TestSameInputsFailOnMemoryAndOkta(t *testing.T) {
	ctx := context.Background()
	counter := &backendtest.Counting{Next: http.DefaultTransport}
	srv := oktatest.NewServer(t, oktatest.Options{APIToken: testToken})
	remote, err := okta.New(ctx, okta.Options{OrgURL: srv.URL, APIToken: testToken,
		HTTPOptions: identity.HTTPOptions{HTTPClient: &http.Client{Transport: counter}}})
	require.NoError(t, err)
	local, err := memory.New(ctx, memory.Options{Like: memory.LikeOkta})
	require.NoError(t, err)
	var client *okta.Client
	require.True(t, remote.As(&client))

	ada := func() identity.NewUser {
		return identity.NewUser{Email: "ada@example.com", Username: "ada_l", GivenName: "Ada", FamilyName: "Lovelace"}
	}
	with := func(f func(*identity.NewUser)) identity.NewUser { u := ada(); f(&u); return u }
	// profile is what the backend would send for u, for the raw request.
	profile := func(u identity.NewUser) map[string]any {
		p := map[string]any{"login": u.Username, "email": u.Email}
		for k, v := range map[string]string{"firstName": u.GivenName, "lastName": u.FamilyName} {
			if v != "" {
				p[k] = v
			}
		}
		for k, v := range u.Metadata {
			p[k] = v
		}
		return p
	}
	refused := []struct {
		name  string
		u     identity.NewUser
		code  identity.Code
		field string
		cause string // what Okta answers the raw request
	}{
		{"a login of four characters", with(func(u *identity.NewUser) { u.Username = "ada1" }), identity.InvalidArgument, "Username",
			"login: The field cannot be shorter than 5 characters"},
		{"no first name", with(func(u *identity.NewUser) { u.GivenName = "" }), identity.InvalidArgument, "GivenName",
			"firstName: The field cannot be left blank"},
		{"a blank last name", with(func(u *identity.NewUser) { u.FamilyName = "   " }), identity.InvalidArgument, "FamilyName",
			"lastName: The field cannot be left blank"},
		{"a first name of 51 characters", with(func(u *identity.NewUser) { u.GivenName = strings.Repeat("a", 51) }), identity.InvalidArgument, "GivenName",
			"firstName: The field cannot be longer than 50 characters"},
		{"an email of 101 characters", with(func(u *identity.NewUser) { u.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 32) + ".com" }), identity.InvalidArgument, "Email",
			"email: The field cannot be longer than 100 characters"},
		{"nested metadata", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"address": map[string]any{"city": "London"}} }), identity.Unsupported, "Metadata.address",
			"address: Property value is not a valid type"},
		{"a metadata key Okta cannot name", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"plan-tier": "pro"} }), identity.InvalidArgument, "Metadata.plan-tier",
			"plan-tier: Property name is not valid"},
		{"a country code of three letters", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"countryCode": "GBR"} }), identity.InvalidArgument, "Metadata.countryCode",
			"countryCode: The field cannot be longer than 2 characters"},
		{"a number in a string attribute", with(func(u *identity.NewUser) { u.Metadata = map[string]any{"title": 5} }), identity.InvalidArgument, "Metadata.title",
			"title: Property value is not a valid type"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			for name, dir := range map[string]*identity.Directory{"memory": local, "okta": remote} {
				before := counter.Requests()
				_, err := dir.CreateUser(ctx, tt.u)
				var e *identity.Error
				require.True(t, errors.As(err, &e), "%s: %v", name, err)
				assert.Equal(t, tt.code, e.Code, "%s: %v", name, err)
				assert.Equal(t, tt.field, e.Field, "%s: %v", name, err)
				assert.Equal(t, before, counter.Requests(), "%s sent a request", name)
			}
			// The rule is Okta's: the emulator refuses the same user.
			err := client.Do(ctx, http.MethodPost, "/api/v1/users?activate=false", map[string]any{"profile": profile(tt.u)}, nil)
			var body *okta.APIError
			require.True(t, errors.As(err, &body), "the emulator took it: %v", err)
			assert.Equal(t, "E0000001", body.ErrorCode)
			var causes []string
			for _, c := range body.ErrorCauses {
				causes = append(causes, c.ErrorSummary)
			}
			assert.Contains(t, causes, tt.cause)
		})
	}

	t.Run("what Okta takes", func(t *testing.T) {
		when := time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)
		for name, dir := range map[string]*identity.Directory{"memory": local, "okta": remote} {
			u, err := dir.CreateUser(ctx, with(func(u *identity.NewUser) {
				u.Metadata = map[string]any{"seats": 5, "born": when, "tags": []string{"a", "b"}, "countryCode": "GB"}
			}))
			require.NoError(t, err, name)
			got, err := dir.GetUser(ctx, u.ID)
			require.NoError(t, err, name)
			assert.Equal(t, map[string]any{"seats": float64(5), "born": "1815-12-10T00:00:00Z", "tags": []any{"a", "b"}, "countryCode": "GB"},
				got.Metadata, "%s: metadata as encoding/json decodes it", name)
			assert.Equal(t, identity.StatusPending, got.Status, "%s: without a password, pending", name)
			require.ErrorIs(t, dir.SuspendUser(ctx, u.ID), identity.ErrFailedPrecondition, name)

			_, err = dir.CreateUser(ctx, with(func(u *identity.NewUser) { u.Username, u.Email = "ADA_L", "grace@example.com" }))
			require.ErrorIs(t, err, identity.ErrAlreadyExists, "%s: logins are unique ignoring case", name)

			_, err = dir.CreateRole(ctx, identity.Role{Name: "editor"})
			require.NoError(t, err, name)
			_, err = dir.CreateRole(ctx, identity.Role{Name: "Editor"})
			require.ErrorIs(t, err, identity.ErrAlreadyExists, "%s: group names are unique ignoring case", name)
			before := counter.Requests()
			_, err = dir.CreateRole(ctx, identity.Role{Name: "org:acme"})
			require.ErrorIs(t, err, identity.ErrInvalidArgument, "%s: the organization prefix", name)
			assert.Equal(t, before, counter.Requests(), "%s sent a request", name)
		}
	})
}
