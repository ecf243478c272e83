package kratos_test

import (
	"context"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/backends/kratos"
	"github.com/idport/identity/backends/memory"
	"github.com/idport/identity/internal/backendtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryProfileIsKratoss holds memory's like=kratos to what this
// backend declares with the person schema's traits and a public API, so
// that the two cannot drift apart; and checks what the other
// configurations declare.
func TestMemoryProfileIsKratoss(t *testing.T) {
	ctx := context.Background()
	open := func(o kratos.Options) *identity.Directory {
		o.AdminURL = "https://kratos.example.com"
		dir, err := kratos.New(ctx, o)
		require.NoError(t, err)
		return dir
	}
	dir := open(kratos.Options{PublicURL: "https://kratos.example.com", Traits: traits})
	mem, err := memory.New(ctx, memory.Options{Like: memory.LikeKratos})
	require.NoError(t, err)
	backendtest.SameDeclarations(t, dir, mem)
	k := dir.Constraints()

	notIdentifier := traits
	notIdentifier.Identifiers = []string{"email"}
	assert.False(t, open(kratos.Options{Traits: notIdentifier}).Constraints().Case.UsernameUniqueIgnoringCase,
		"a username that is no identifier is unique with case, if at all")
	assert.Equal(t, []string{kratos.DefaultRolesKey}, open(kratos.Options{Traits: traits, Metadata: kratos.MetadataAdmin}).Constraints().Metadata.Reserved,
		"roles and metadata share metadata_admin")
	assert.Empty(t, k.Metadata.Reserved)
}
