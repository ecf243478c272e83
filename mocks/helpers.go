package mocks

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"

	"github.com/idport/identity"
	"go.uber.org/mock/gomock"
)

// Users returns an iterator over users, in order, as ListUsers returns
// one, for a stubbed listing:
//
//	dir.EXPECT().ListUsers(gomock.Any(), gomock.Any()).Return(mocks.Users(ada, grace))
//
// It stops when the loop breaks, and can be ranged over more than once.
func Users(users ...*identity.User) iter.Seq2[*identity.User, error] {
	return UsersThen(nil, users...)
}

// UsersThen is [Users] followed, when err is not nil, by err with a nil
// user, as a listing that fails part of the way through yields it.
func UsersThen(err error, users ...*identity.User) iter.Seq2[*identity.User, error] {
	users = slices.Clone(users)
	return func(yield func(*identity.User, error) bool) {
		for _, u := range users {
			if !yield(u, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}

// NewMockUserDirectoryWith returns a mock whose Capabilities returns
// caps, however often it is called, so that code that checks
// capabilities first needs no stub of its own for it; every other call
// is to be expected as with NewMockUserDirectory. Take caps from
// [CapabilitiesOf] for those of the backend the application runs on.
func NewMockUserDirectoryWith(ctrl *gomock.Controller, caps identity.Capabilities) *MockUserDirectory {
	m := NewMockUserDirectory(ctrl)
	m.EXPECT().Capabilities().DoAndReturn(func() identity.Capabilities {
		c := caps
		c.Statuses = slices.Clone(caps.Statuses)
		c.PasswordHashes = slices.Clone(caps.PasswordHashes)
		return c
	}).AnyTimes()
	return m
}

// CapabilitiesOf returns the capabilities a directory opened on urlstr
// reports, such as "okta://dev-1.okta.com?roles=admin", for
// [NewMockUserDirectoryWith]. The URL's backend must be registered (its
// package imported by the test). It makes no network call, as Open
// makes none: a placeholder stands in for each API token, key, app id
// and secret the backend would otherwise read from the environment.
func CapabilitiesOf(ctx context.Context, urlstr string) (identity.Capabilities, error) {
	dir, err := identity.Open(ctx, urlstr, identity.WithSecrets(placeholder))
	var e *identity.Error
	if errors.As(err, &e) && e.Code == identity.InvalidArgument && e.Field == "opts" {
		// A backend that takes no credentials (memory) takes no options.
		dir, err = identity.Open(ctx, urlstr)
	}
	if err != nil {
		return identity.Capabilities{}, err
	}
	defer dir.Close()
	return dir.Capabilities(), nil
}

// placeholder answers the credentials' names (OKTA_API_TOKEN,
// LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET, PASSAGE_API_KEY, ORY_API_KEY)
// with a value no provider accepts, and settings such as LOGTO_RESOURCE
// with nothing, so that their defaults hold.
func placeholder(_ context.Context, name string) (identity.Secret, error) {
	for _, suffix := range []string{"_TOKEN", "_SECRET", "_API_KEY", "_APP_ID"} {
		if strings.HasSuffix(name, suffix) {
			return "mocks-placeholder", nil
		}
	}
	return "", nil
}
