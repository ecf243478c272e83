// Package mocks holds a go.uber.org/mock implementation of
// identity.UserDirectory, for unit tests of code that uses one.
//
// Regenerate with `go generate ./mocks` after changing the interface; CI
// fails when the file is stale.
package mocks

//go:generate go tool mockgen -destination=userdirectory.go -package=mocks -typed=false github.com/idport/identity UserDirectory
