package mocks_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/mocks"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// onboard is application code: it creates a member, or finds the one that
// already exists, and makes sure it has the "member" role.
func onboard(ctx context.Context, dir identity.UserDirectory, email string) (string, error) {
	u, err := dir.CreateUser(ctx, identity.NewUser{Email: email})
	if errors.Is(err, identity.ErrAlreadyExists) {
		u, err = dir.GetUserByEmail(ctx, email)
	}
	if err != nil {
		return "", fmt.Errorf("onboard %s: %w", email, err)
	}
	if err := dir.AssignRole(ctx, u.ID, "member"); err != nil {
		return "", fmt.Errorf("onboard %s: %w", email, err)
	}
	return u.ID, nil
}

func TestOnboardExistingUser(t *testing.T) {
	ctrl := gomock.NewController(t)
	dir := mocks.NewMockUserDirectory(ctrl)
	ctx := context.Background()

	gomock.InOrder(
		dir.EXPECT().CreateUser(ctx, identity.NewUser{Email: "ada@example.com"}).
			Return(nil, &identity.Error{Code: identity.AlreadyExists, Op: "CreateUser"}),
		dir.EXPECT().GetUserByEmail(ctx, "ada@example.com").
			Return(&identity.User{ID: "u1", Email: "ada@example.com"}, nil),
		dir.EXPECT().AssignRole(ctx, "u1", "member").Return(nil),
	)

	id, err := onboard(ctx, dir, "ada@example.com")
	require.NoError(t, err)
	require.Equal(t, "u1", id)
}

func TestOnboardRoleMissing(t *testing.T) {
	ctrl := gomock.NewController(t)
	dir := mocks.NewMockUserDirectory(ctrl)
	ctx := context.Background()

	dir.EXPECT().CreateUser(ctx, gomock.Any()).Return(&identity.User{ID: "u2"}, nil)
	dir.EXPECT().AssignRole(ctx, "u2", "member").
		Return(&identity.Error{Code: identity.NotFound, Role: "member"})

	_, err := onboard(ctx, dir, "bob@example.com")
	require.ErrorIs(t, err, identity.ErrNotFound)
}

// Example shows a mock standing in for a directory in an application's
// unit test.
func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test
	ctrl := gomock.NewController(t)
	dir := mocks.NewMockUserDirectory(ctrl)
	dir.EXPECT().CreateUser(gomock.Any(), gomock.Any()).Return(&identity.User{ID: "u3"}, nil)
	dir.EXPECT().AssignRole(gomock.Any(), "u3", "member").Return(nil)

	id, err := onboard(context.Background(), dir, "grace@example.com")
	fmt.Println(id, err)
	// Output: u3 <nil>
}
