// Package mocks holds a go.uber.org/mock implementation of
// identity.UserDirectory, for unit tests of code that uses one, and what
// makes such tests short and their failures readable:
//
//   - [NewMockUserDirectoryWith] returns a mock whose Capabilities are
//     stubbed already, with those of the backend the application runs on
//     from [CapabilitiesOf] ("okta://dev-1.okta.com?roles=admin", say);
//   - [Users] and [UsersThen] turn a slice into the iterator ListUsers
//     returns;
//   - [Eq] and [SecretEq] match as gomock.Eq does, but print a mismatch
//     with each password or hash as its [Fingerprint] (its length and a
//     short keyed hash), so that the two sides differ where the secrets
//     do, and the secrets never show.
//
// NewUser and UserUpdate print the fields that are set, pointers as what
// they point to, with gomock.Eq too; only secrets need Eq to tell apart.
//
// Regenerate the mock with `go generate ./mocks` after changing the
// interface; CI fails when userdirectory.go is stale.
package mocks

//go:generate go tool mockgen -destination=userdirectory.go -package=mocks -typed=false github.com/idport/identity UserDirectory
