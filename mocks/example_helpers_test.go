package mocks_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/idport/identity"
	"github.com/idport/identity/mocks"
	"go.uber.org/mock/gomock"
)

// suspendAll is application code: it suspends every active user, where
// the backend can tell a user's status.
func suspendAll(ctx context.Context, dir identity.UserDirectory) (int, error) {
	if !dir.Capabilities().HasStatus(identity.StatusSuspended) {
		return 0, nil
	}
	n := 0
	for u, err := range dir.ListUsers(ctx, identity.ListOptions{Status: identity.StatusActive}) {
		if err != nil {
			return n, err
		}
		if err := dir.SuspendUser(ctx, u.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// A mock with Okta's capabilities stubbed, a listing stubbed from a
// slice, and a password matched without printing it.
func ExampleNewMockUserDirectoryWith() {
	ctx := context.Background()
	t := &testing.T{} // in a real test, the *testing.T of the test
	caps, err := mocks.CapabilitiesOf(ctx, "okta://dev-1.okta.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	dir := mocks.NewMockUserDirectoryWith(gomock.NewController(t), caps)
	dir.EXPECT().ListUsers(gomock.Any(), identity.ListOptions{Status: identity.StatusActive}).
		Return(mocks.Users(&identity.User{ID: "u1"}, &identity.User{ID: "u2"}))
	dir.EXPECT().SuspendUser(gomock.Any(), gomock.Any()).Return(nil).Times(2)

	n, err := suspendAll(ctx, dir)
	fmt.Println(n, err)

	dir.EXPECT().SetPassword(gomock.Any(), "u1", mocks.SecretEq("n3w-Passw0rd!")).Return(nil)
	fmt.Println(dir.SetPassword(ctx, "u1", "n3w-Passw0rd!"))
	// Output:
	// 2 <nil>
	// <nil>
}
