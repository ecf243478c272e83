package passage_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/backends/passage"
	"github.com/idport/identity/backends/passage/passagetest"
	"github.com/idport/identity/internal/backendtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryProfileIsPassages holds memory's like=passage to what this
// backend declares in roles mode, with the same fields and without, so
// that the two cannot drift apart.
func TestMemoryProfileIsPassages(t *testing.T) {
	ctx := context.Background()
	for name, fields := range map[string]map[string]identity.ValueType{"with fields": fieldTypes(metadataFields()), "without": nil} {
		t.Run(name, func(t *testing.T) {
			dir, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "k", RolesField: memory.PassageRolesField, MetadataFields: fields})
			require.NoError(t, err)
			mem, err := memory.New(ctx, memory.Options{Like: memory.LikePassage, MetadataFields: fields})
			require.NoError(t, err)
			backendtest.SameDeclarations(t, dir, mem)
		})
	}
}

func TestMetadataFieldsOption(t *testing.T) {
	ctx := context.Background()
	t.Setenv(passage.EnvAPIKey, "k")
	tests := map[string]string{ // URL: the field at fault, "" when it opens
		"passage://app1?metadata_fields=plan:string,seats:integer":                         "",
		"passage://app1?metadata_fields=plan:string&roles_field=plan":                      "",
		"passage://app1?metadata_fields=plan:text":                                         "MetadataFields",
		"passage://app1?metadata_fields=plan":                                              "MetadataFields",
		"passage://app1?metadata_fields=":                                                  "MetadataFields",
		"passage://app1?metadata_fields=plan:string,seats:integer&roles_field=seats":       "MetadataFields",
		"passage://app1?metadata_fields=plan:string,seats:integer&roles_field=nosuchfield": "MetadataFields",
	}
	for url, field := range tests {
		t.Run(url, func(t *testing.T) {
			dir, err := identity.Open(ctx, url)
			if field == "" {
				require.NoError(t, err)
				k := dir.Constraints()
				assert.True(t, k.Metadata.Closed)
				assert.Equal(t, identity.MetadataValue{Type: identity.StringType, Shape: identity.Scalars}, k.Metadata.Fields["plan"])
				return
			}
			var e *identity.Error
			require.True(t, errors.As(err, &e), "%v", err)
			assert.Equal(t, identity.InvalidArgument, e.Code)
			assert.Equal(t, field, e.Field)
		})
	}
}

// TestSameInputsFailOnMemoryAndPassage is issue #16's application on
// memory like=passage and on the Passage emulator, with the app's fields
// declared on both: every input Passage refuses fails on both with the
// same code and Field, having sent nothing to Passage; sent to the
// emulator as a raw request, the same metadata is refused there; and
// what Passage takes, both take alike.
func TestSameInputsFailOnMemoryAndPassage(t *testing.T) {
	ctx := context.Background()
	fields := fieldTypes(metadataFields())
	counter := &backendtest.Counting{Next: http.DefaultTransport}
	srv := passagetest.NewServer(t, passagetest.Options{AppID: "app1", APIKey: "test-key", MetadataFields: metadataFields()})
	remote, err := passage.New(ctx, passage.Options{AppID: "app1", APIKey: "test-key", BaseURL: srv.URL + "/v1",
		RolesField: memory.PassageRolesField, Roles: []identity.Role{{Name: "editor"}}, MetadataFields: fields,
		HTTPOptions: identity.HTTPOptions{HTTPClient: &http.Client{Transport: counter}}})
	require.NoError(t, err)
	local, err := memory.New(ctx, memory.Options{Like: memory.LikePassage, MetadataFields: fields})
	require.NoError(t, err)
	_, err = local.CreateRole(ctx, identity.Role{Name: "editor"})
	require.NoError(t, err)
	var client *passage.Client
	require.True(t, remote.As(&client))

	refused := []struct {
		name   string
		md     map[string]any
		code   identity.Code
		field  string
		status int // what Passage answers the raw request
	}{
		{"a key the app does not define", map[string]any{"plan2": "pro"}, identity.InvalidArgument, "Metadata.plan2", http.StatusNotFound},
		{"a string in an integer field", map[string]any{"seats": "three"}, identity.InvalidArgument, "Metadata.seats", http.StatusBadRequest},
		{"a fraction in an integer field", map[string]any{"seats": 2.5}, identity.InvalidArgument, "Metadata.seats", http.StatusBadRequest},
		{"a number in a boolean field", map[string]any{"beta": 1}, identity.InvalidArgument, "Metadata.beta", http.StatusBadRequest},
		{"an object in a string field", map[string]any{"plan": map[string]any{"tier": "pro"}}, identity.Unsupported, "Metadata.plan", http.StatusBadRequest},
		{"a list in a string field", map[string]any{"plan": []string{"pro"}}, identity.Unsupported, "Metadata.plan", http.StatusBadRequest},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			for name, dir := range map[string]*identity.Directory{"memory": local, "passage": remote} {
				before := counter.Requests()
				_, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com", Metadata: tt.md})
				var e *identity.Error
				require.True(t, errors.As(err, &e), "%s: %v", name, err)
				assert.Equal(t, tt.code, e.Code, "%s: %v", name, err)
				assert.Equal(t, tt.field, e.Field, "%s: %v", name, err)
				assert.Equal(t, before, counter.Requests(), "%s sent a request", name)
			}
			err := client.Do(ctx, http.MethodPost, "/apps/app1/users", map[string]any{"email": "raw@example.com", "user_metadata": tt.md}, nil)
			var e *identity.Error
			require.True(t, errors.As(err, &e), "the emulator took it: %v", err)
			assert.Equal(t, tt.status, e.HTTPStatus, "%v", err)
		})
	}

	t.Run("roles", func(t *testing.T) {
		for name, dir := range map[string]*identity.Directory{"memory": local, "passage": remote} {
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: name + ".roles@example.com"})
			require.NoError(t, err, name)
			before := counter.Requests()
			err = dir.AssignRole(ctx, u.ID, "read,write")
			require.ErrorIs(t, err, identity.ErrInvalidArgument, "%s: a role name with a comma", name)
			_, err = dir.CreateRole(ctx, identity.Role{Name: "read,write"})
			require.ErrorIs(t, err, identity.ErrInvalidArgument, "%s: a role name with a comma", name)
			_, err = dir.UpdateUser(ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{memory.PassageRolesField: "editor"}})
			require.ErrorIs(t, err, identity.ErrInvalidArgument, "%s: the roles field is no metadata", name)
			assert.Equal(t, before, counter.Requests(), "%s sent a request", name)
			require.NoError(t, dir.AssignRole(ctx, u.ID, "editor"), name)
		}
	})

	t.Run("what Passage takes", func(t *testing.T) {
		type plan string
		for name, dir := range map[string]*identity.Directory{"memory": local, "passage": remote} {
			u, err := dir.CreateUser(ctx, identity.NewUser{Email: "Grace." + name + "@Example.com",
				Metadata: map[string]any{"seats": 5, "beta": true, "plan": plan("pro")}})
			require.NoError(t, err, name)
			got, err := dir.GetUser(ctx, u.ID)
			require.NoError(t, err, name)
			assert.Equal(t, "grace."+name+"@example.com", got.Email, "%s: Passage keeps emails in lower case", name)
			assert.Equal(t, map[string]any{"seats": float64(5), "beta": true, "plan": "pro"}, got.Metadata, "%s: as encoding/json decodes it", name)
		}
	})
}
