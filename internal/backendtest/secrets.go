package backendtest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/hostiletest"
	"github.com/idport/identity/internal/httpx"
	"github.com/idport/identity/internal/secrettest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Leaks is what the secrets test needs from a backend.
type Leaks struct {
	// Mode is the mode the flow runs in.
	Mode string
	// Options returns the backend's Options for c, so that their printed
	// forms are checked too.
	Options func(c Config) any
	// Canaries, if set, adds the canaries the backend derives from a
	// secret: every encoding of a key made from it, say.
	Canaries func(c *secrettest.Canaries, secret string)
	// Errors are the provider's error bodies for 401, 403, 500 and 429,
	// with hostiletest.EchoAuth where a server echoes the request's
	// Authorization header.
	Errors map[int]string
	// More are the backend's own error cases, met by a create.
	More map[string]LeakError
	// TokenErrors are answers of a failing token endpoint, each given
	// for as long as a new directory's client tries.
	TokenErrors map[string]hostiletest.Answer
	// Steps, if set, runs the backend's own part of the flow.
	Steps func(t *testing.T, e *LeakEnv)
}

// LeakError is an error case of the secrets test: the answers a create
// meets, and the code it must fail with.
type LeakError struct {
	Code    identity.Code
	Answers []hostiletest.Answer
}

// LeakEnv is what a backend's own steps of the secrets flow work with.
type LeakEnv struct {
	Ctx        context.Context
	Dir        *identity.Directory
	User       *identity.User
	Credential Credential
	Canaries   *secrettest.Canaries
	Script     *hostiletest.Script
	// Password is the user's password, a canary.
	Password identity.Secret
}

// Check fails the test if a canary shows in any form of values.
func (e *LeakEnv) Check(t *testing.T, label string, values ...any) {
	t.Helper()
	e.Canaries.Check(t, label, values...)
}

// canaries adds to c what the backend derives from secret as cred: its
// HTTP Basic encoding, every encoding of a key made from it.
func (b *Backend) canaries(c *secrettest.Canaries, cred Credential, secret string) {
	if cred.BasicUser != "" {
		c.Add("basic", secrettest.EncodeBasic(cred.BasicUser, secret))
	}
	if b.Leaks.Canaries != nil {
		b.Leaks.Canaries(c, secret)
	}
}

// noSecretLeaks runs the operations of the conformance flow, and the
// error paths a caller meets, for every credential, with canaries for
// the credential, the passwords and every token the emulator issues, and
// fails if any of them shows in the debug log, in an error, or in any
// printed or logged form of the options, requests, users, roles, errors
// and directories.
func noSecretLeaks(t *testing.T, b *Backend) {
	for _, cred := range b.Credentials {
		t.Run(cred.Name, func(t *testing.T) { leakFlow(t, b, cred) })
	}
}

func leakFlow(t *testing.T, b *Backend, cred Credential) {
	ctx := context.Background()
	l := b.Leaks
	m := b.mode(l.Mode)
	caps := m.Capabilities
	c := secrettest.New(t)
	sec := c.Make("secret")
	b.canaries(c, cred, sec)
	pw, pw2, wrong := identity.Secret(c.Make("password")), identity.Secret(c.Make("new-password")), identity.Secret(c.Make("wrong-password"))
	script := &hostiletest.Script{}
	s := start(t, b, siteOptions{outer: []func(http.Handler) http.Handler{c.Middleware, script.Wrap}, schema: true, mode: m.Name, secret: sec, canaries: c})
	check := func(label string, vs ...any) { t.Helper(); c.Check(t, label, vs...) }

	cfg := s.config(cred.Name, identity.HTTPOptions{Logger: c.Logger(), RetryBaseDelay: time.Millisecond})
	if l.Options != nil {
		o := l.Options(cfg)
		check("Options", o, &o)
	}
	dir, err := b.Open(ctx, cfg)
	require.NoError(t, err)
	check("directory", dir)

	nu := identity.NewUser{Email: "grace@example.com", Password: pw}
	if !caps.SetPassword {
		check("NewUser with password", nu, &nu)
		_, err = dir.CreateUser(ctx, nu)
		require.ErrorIs(t, err, identity.ErrUnsupported)
		check("CreateUser with password", err)
		nu.Password = ""
	}
	if caps.Username {
		nu.Username = "grace"
	}
	if caps.Names {
		nu.GivenName = "Grace"
	}
	if caps.Phone {
		nu.Phone = "+14155550100"
	}
	if caps.Metadata {
		nu.Metadata = map[string]any{"plan": "pro"}
	}
	check("NewUser", nu, &nu)
	u, err := dir.CreateUser(ctx, nu)
	require.NoError(t, err)
	check("CreateUser", u)
	_, err = dir.CreateUser(ctx, nu)
	require.ErrorIs(t, err, identity.ErrAlreadyExists)
	check("CreateUser duplicate", err)

	up := identity.UserUpdate{}
	if caps.DisplayName {
		up.DisplayName = new("Grace H.")
	}
	if caps.Names {
		up.FamilyName = new("Hopper")
	}
	if caps.Metadata {
		up.Metadata = map[string]any{"plan": "team", "note": nil}
	}
	check("UserUpdate", up, &up)
	u, err = dir.UpdateUser(ctx, u.ID, up)
	require.NoError(t, err)
	check("UpdateUser", u)

	passwords := func(name string, on bool, call func() error, want error) {
		t.Helper()
		err := call()
		if !on {
			want = identity.ErrUnsupported
		}
		if want == nil {
			require.NoError(t, err, name)
			return
		}
		require.ErrorIs(t, err, want, name)
		check(name, err)
	}
	passwords("VerifyPassword", caps.VerifyPassword, func() error { return dir.VerifyPassword(ctx, u.ID, pw) }, nil)
	passwords("VerifyPassword wrong", caps.VerifyPassword, func() error { return dir.VerifyPassword(ctx, u.ID, wrong) }, identity.ErrInvalidCredentials)
	passwords("ChangePassword", caps.ChangePassword, func() error { return dir.ChangePassword(ctx, u.ID, pw, pw2) }, nil)
	passwords("ChangePassword wrong", caps.ChangePassword, func() error { return dir.ChangePassword(ctx, u.ID, wrong, pw) }, identity.ErrInvalidCredentials)
	passwords("SetPassword", caps.SetPassword, func() error { return dir.SetPassword(ctx, u.ID, pw) }, nil)
	passwords("SetPassword missing user", caps.SetPassword, func() error { return dir.SetPassword(ctx, b.MissingID, pw) }, identity.ErrNotFound)

	role := m.Role
	if caps.Roles {
		if role == "" {
			role = "editor"
			r := identity.Role{Name: role, Description: "edits"}
			made, err := dir.CreateRole(ctx, r)
			require.NoError(t, err)
			check("CreateRole", r, made)
		}
		require.NoError(t, dir.AssignRole(ctx, u.ID, role))
		roles, err := dir.ListUserRoles(ctx, u.ID)
		require.NoError(t, err)
		check("ListUserRoles", roles)
		all, err := dir.ListRoles(ctx)
		require.NoError(t, err)
		check("ListRoles", all)
		err = dir.AssignRole(ctx, u.ID, "nope")
		require.ErrorIs(t, err, identity.ErrNotFound)
		check("AssignRole unknown role", err)
		require.NoError(t, dir.RevokeRole(ctx, u.ID, role))
	}

	lo := identity.ListOptions{Query: "grace", PageSize: 1}
	check("ListOptions", lo)
	for lu, err := range dir.ListUsers(ctx, lo) {
		require.NoError(t, err)
		check("ListUsers", lu)
	}
	got, err := dir.GetUserByEmail(ctx, "grace@example.com")
	require.NoError(t, err)
	check("GetUserByEmail", got)
	_, err = dir.GetUser(ctx, b.MissingID)
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("GetUser missing", err)
	require.NoError(t, dir.SuspendUser(ctx, u.ID))
	require.NoError(t, dir.ActivateUser(ctx, u.ID))

	if l.Steps != nil {
		l.Steps(t, &LeakEnv{Ctx: ctx, Dir: dir, User: u, Credential: cred, Canaries: c, Script: script, Password: pw})
	}

	if te, ok := s.emu.(TokenEmulator); ok && cred.TokenPath != "" {
		// A token the server stops accepting mid-session is replaced.
		te.RevokeTokens()
		got, err = dir.GetUser(ctx, u.ID)
		require.NoError(t, err)
		check("GetUser after revocation", got)
	}

	unauthorized := []hostiletest.Answer{hostiletest.JSON(401, l.Errors[401])}
	if cred.TokenPath != "" {
		// The first 401 makes the client fetch a new token and try again.
		unauthorized = append(unauthorized, unauthorized[0])
	}
	refused := hostiletest.JSON(403, l.Errors[403])
	errs := map[string]LeakError{
		"401 echoing the request's Authorization": {identity.Unauthenticated, unauthorized},
		"403": {identity.PermissionDenied, []hostiletest.Answer{refused}},
		// A 5xx leaves open whether the create was made; the lookup that
		// would settle it is refused too, so the create fails.
		"500 echoing it":      {identity.Unavailable, []hostiletest.Answer{hostiletest.JSON(500, l.Errors[500]), refused}},
		"502 page echoing it": {identity.Unavailable, []hostiletest.Answer{{Status: 502, Body: []byte("<html>" + hostiletest.EchoAuth + "</html>")}, refused}},
		"429 without Retry-After": {identity.RateLimited, append([]hostiletest.Answer{hostiletest.JSON(429, l.Errors[429])},
			throttledAnswers(hostiletest.JSON(429, `{}`))[1:]...)},
		"429 with Retry-After": {identity.RateLimited, throttledAnswers(hostiletest.JSON(429, `{}`, "Retry-After", "0"))},
	}
	for name, e := range l.More {
		errs[name] = e
	}
	for name, e := range errs {
		script.Next(b.APIPrefix, e.Answers...)
		// A create is never resent after a 5xx (its lookup is scripted
		// too), so each case costs one round of answers and no waiting
		// but the 429s' backoff.
		_, err := dir.CreateUser(ctx, identity.NewUser{Email: "x@example.com", Password: nu.Password})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, e.Code, ie.Code, name)
		check(name, err)
		assert.Zero(t, script.Pending(), "%s: every answer was asked for", name)
		script.Reset()
	}

	if cred.TokenPath != "" {
		require.NotEmpty(t, l.TokenErrors, "the backend says how its token endpoint fails")
		// The token endpoint failing, for a directory with no token yet,
		// for as long as the client tries.
		for name, a := range l.TokenErrors {
			for range 8 {
				script.Next(cred.TokenPath, a)
			}
			fresh, err := b.Open(ctx, cfg)
			require.NoError(t, err)
			_, err = fresh.GetUser(ctx, u.ID)
			var ie *identity.Error
			require.ErrorAs(t, err, &ie, name)
			if a.Status >= 500 {
				assert.Equal(t, identity.Unavailable, ie.Code, name)
			}
			check(name, err, fresh)
			script.Reset()
		}
	}

	// Wrong credentials, themselves canaries.
	bad := cfg
	bad.Secret = c.Make("wrong-secret")
	b.canaries(c, cred, bad.Secret)
	if l.Options != nil {
		check("wrong Options", l.Options(bad))
	}
	badDir, err := b.Open(ctx, bad)
	require.NoError(t, err)
	_, err = badDir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrUnauthenticated)
	check("wrong credentials", err, badDir)

	if caps.Roles && m.Role == "" {
		require.NoError(t, dir.DeleteRole(ctx, role))
	}
	require.NoError(t, dir.DeleteUser(ctx, u.ID))
	_, err = dir.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, identity.ErrNotFound)
	check("GetUser deleted", err)
	require.NoError(t, dir.Close())
	check("closed directory", dir)

	// The test means something only if the credentials were seen and
	// logged requests went by.
	assert.True(t, c.Has("authorization"), "the credential was seen on the wire")
	if cred.TokenPath != "" {
		assert.True(t, c.Has("bearer"), "the access token the emulator issued is a canary")
	}
	assert.Greater(t, strings.Count(c.Log(), "level=DEBUG"), 20, "the debug log was written")
	t.Logf("canaries: %v; %d debug lines scanned", c.Names(), strings.Count(c.Log(), "\n"))
}

// throttledAnswers are as many of a 429 as a call with the default
// attempts meets before it gives up: the first try and every wait httpx
// allows for 429s, which spend no attempt of their own.
func throttledAnswers(a hostiletest.Answer) []hostiletest.Answer {
	out := make([]hostiletest.Answer, 1+httpx.MaxThrottled(httpx.DefaultMaxAttempts))
	for i := range out {
		out[i] = a
	}
	return out
}
