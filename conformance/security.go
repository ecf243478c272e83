package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Actor is an optional Harness method set for harnesses that can act at
// the provider as a user would, outside the admin API a Directory is:
// enrol a second factor, link an account at another provider, sign in.
// With it, the account-security sections check that what users did is
// what ListFactors, ListIdentities and RevokeSessions see and undo.
//
// dir is a directory MakeDirectory returned, and userID one of its users.
// Each method may return an error whose Code is Unsupported for what the
// harness cannot do (a live tenant, an emulator without the endpoint, a
// factor kind the provider lacks); the subtests that need it then skip,
// saying why.
type Actor interface {
	// AddFactor enrols a factor of kind for the user and returns its id,
	// as ListFactors will report it.
	AddFactor(ctx context.Context, dir *identity.Directory, userID string, kind identity.FactorKind) (factorID string, err error)
	// LinkIdentity links the user's account subject at the connector the
	// suite calls provider ("google", "github"), and returns the Provider
	// ListIdentities will report for it: the same word where the
	// provider names connectors so, an IdP's id where it does not.
	LinkIdentity(ctx context.Context, dir *identity.Directory, userID, provider, subject string) (string, error)
	// SignIn starts a session of the user, with refresh tokens where the
	// provider issues them.
	SignIn(ctx context.Context, dir *identity.Directory, userID string) error
	// Sessions returns how many sessions of the user are open.
	Sessions(ctx context.Context, dir *identity.Directory, userID string) (int, error)
}

// act returns the harness's Actor, skipping the subtest when there is
// none.
func (e *env) act() Actor {
	e.t.Helper()
	a, ok := e.h.(Actor)
	if !ok {
		e.t.Skip("the harness cannot act as a user (conformance.Actor), so there is nothing to list or undo")
	}
	return a
}

// acted fails the subtest on err, or skips it when err is Unsupported:
// the harness cannot do what was asked.
func (e *env) acted(what string, err error) {
	e.t.Helper()
	if identity.CodeOf(err) == identity.Unsupported {
		e.t.Skipf("the harness cannot %s: %v", what, err)
	}
	require.NoError(e.t, err, what)
}

// addFactor enrols a factor of kind for the user, through the harness.
func (e *env) addFactor(userID string, kind identity.FactorKind) string {
	e.t.Helper()
	id, err := e.act().AddFactor(e.ctx, e.dir, userID, kind)
	e.acted("enrol a "+string(kind)+" factor", err)
	require.NotEmpty(e.t, id, "AddFactor returned no id")
	return id
}

// enrollable are the kinds addFactors tries, in order.
var enrollable = []identity.FactorKind{identity.FactorTOTP, identity.FactorWebAuthn, identity.FactorSMS,
	identity.FactorEmail, identity.FactorPush, identity.FactorBackupCodes, identity.FactorOther}

// addFactors enrols n factors for the user through the harness, of the
// kinds the provider has: each kind once, in enrollable's order, then
// those kinds again where a user can hold two of one kind (Passage's
// devices, say). The subtest skips, saying why, when the harness cannot
// enrol n.
func (e *env) addFactors(userID string, n int) []string {
	e.t.Helper()
	var ids []string
	var kinds []identity.FactorKind
	var last error
	for _, kind := range enrollable {
		if len(ids) == n {
			return ids
		}
		id, err := e.act().AddFactor(e.ctx, e.dir, userID, kind)
		if err != nil {
			if identity.CodeOf(err) != identity.Unsupported {
				require.NoError(e.t, err, "enrol a %s factor", kind)
			}
			last = err
			continue
		}
		require.NotEmpty(e.t, id, "AddFactor returned no id")
		ids, kinds = append(ids, id), append(kinds, kind)
	}
	for _, kind := range kinds {
		if len(ids) == n {
			break
		}
		if id, err := e.act().AddFactor(e.ctx, e.dir, userID, kind); err == nil && id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		} else if err != nil {
			last = err
		}
	}
	if len(ids) < n {
		e.t.Skipf("the harness cannot enrol %d factors for one user (%d enrolled): %v", n, len(ids), last)
	}
	return ids
}

// link links the user's account subject at provider, through the
// harness, and returns the provider's name as listed.
func (e *env) link(userID, provider, subject string) string {
	e.t.Helper()
	p, err := e.act().LinkIdentity(e.ctx, e.dir, userID, provider, subject)
	e.acted("link an identity at "+provider, err)
	require.NotEmpty(e.t, p, "LinkIdentity returned no provider")
	return p
}

// signIn starts a session of the user, through the harness.
func (e *env) signIn(userID string) {
	e.t.Helper()
	e.acted("sign a user in", e.act().SignIn(e.ctx, e.dir, userID))
}

// sessions returns how many sessions the harness sees the user have.
func (e *env) sessions(userID string) int {
	e.t.Helper()
	n, err := e.act().Sessions(e.ctx, e.dir, userID)
	e.acted("count a user's sessions", err)
	return n
}

// factorIDs lists the user's factors' ids, in the order listed.
func (e *env) factorIDs(userID string) []string {
	e.t.Helper()
	fs, err := e.dir.ListFactors(e.ctx, userID)
	require.NoError(e.t, err, "ListFactors")
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// linked lists the user's identities as provider/subject, in the order
// listed.
func (e *env) linked(userID string) []string {
	e.t.Helper()
	ls, err := e.dir.ListIdentities(e.ctx, userID)
	require.NoError(e.t, err, "ListIdentities")
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.Provider+"/"+l.Subject)
	}
	return out
}

// subject is an account id at another provider unique to this subtest.
func (e *env) subject(name string) string { return "sub-" + name + "-" + e.tag }

// userSecurity is a user's account-security state as a snapshot sees
// it, as far as the backend can say.
type userSecurity struct {
	id          string
	factors     []string
	identities  []string
	hasPassword bool
	roles       []string
}

// security returns the account-security state of each user in users.
func (e *env) security(users []identity.User) []userSecurity {
	e.t.Helper()
	var out []userSecurity
	for _, u := range users {
		s := userSecurity{id: u.ID}
		if e.caps.Factors {
			s.factors = e.factorIDs(u.ID)
		}
		if e.caps.Identities {
			s.identities = e.linked(u.ID)
		}
		if e.caps.HasPassword {
			has, err := e.dir.HasPassword(e.ctx, u.ID)
			require.NoError(e.t, err, "HasPassword")
			s.hasPassword = has
		}
		if e.caps.Roles {
			rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
			require.NoError(e.t, err, "ListUserRoles")
			s.roles = roleNames(rs)
		}
		out = append(out, s)
	}
	return out
}

// badCall is a call of a bad-input table: fn calls with v in the place
// under test, on victim, a user of the subtest.
type badCall struct {
	name string
	fn   func(e *env, victim, v string) error
	want identity.Code
}

// refuses runs every call with every value on victim, checking each is
// answered want before any request, and then that nothing changed.
func (e *env) refuses(t *testing.T, victim string, calls []badCall, values map[string]string) {
	before := e.snapshot()
	for _, cl := range calls {
		for name, v := range values {
			t.Run(cl.name+"/"+name, func(t *testing.T) {
				sub := e.sub(t)
				err := sub.requireNoRequest(cl.name, func() error { return cl.fn(sub, victim, v) })
				requireCode(t, err, cl.want)
			})
		}
	}
	t.Run("Unchanged", func(t *testing.T) { e.sub(t).requireUnchanged(before, "bad input") })
}

// requireUnsupportedOps checks that each op of ops is Unsupported naming
// it, sending nothing, where off says its capability is off; it skips when
// none is.
func requireUnsupportedOps(t *testing.T, h Harness, ops []gate) {
	e := newEnv(t, h)
	u := e.create(e.newUser("unsup"))
	n := 0
	for _, g := range ops {
		if g.on(e.caps) {
			continue
		}
		n++
		err := e.requireNoRequest(g.op, func() error { return g.call(e, u) })
		requireUnsupported(t, err, g.op, g.op)
	}
	if n == 0 {
		t.Skip("every operation of the group is supported")
	}
}

// missingFactorID is well-formed for every backend and names no factor.
const missingFactorID = "zz0000notafactor0000zz"

// missingProvider is well-formed and names no connector a subtest links.
const missingProvider = "zz-not-a-provider"

func hasSessions(c identity.Capabilities) bool    { return c.RevokeSessions }
func hasFactors(c identity.Capabilities) bool     { return c.Factors }
func hasIdentities(c identity.Capabilities) bool  { return c.Identities }
func hasUnlink(c identity.Capabilities) bool      { return c.UnlinkIdentity }
func hasDeprovision(c identity.Capabilities) bool { return c.Deprovision }
func hasHasPassword(c identity.Capabilities) bool { return c.HasPassword }
func hasRoles(c identity.Capabilities) bool       { return c.Roles }
func hasResets(c identity.Capabilities) bool {
	return c.ResetPasswordLink || c.ResetPasswordTemporary
}

// securityGates are the account-security operations, for Gates and for
// each section's Unsupported subtest: each makes a well-formed call that
// must succeed where its capability is on.
var securityGates = []gate{
	{"RevokeSessions", hasSessions, func(e *env, u *identity.User) error {
		return e.dir.RevokeSessions(e.ctx, u.ID)
	}},
	{"ListFactors", hasFactors, func(e *env, u *identity.User) error {
		_, err := e.dir.ListFactors(e.ctx, u.ID)
		return err
	}},
	{"DeleteFactor", hasFactors, func(e *env, u *identity.User) error {
		id := missingFactorID
		if e.caps.Factors {
			id = e.addFactor(u.ID, identity.FactorTOTP)
		}
		return e.dir.DeleteFactor(e.ctx, u.ID, id)
	}},
	{"ResetFactors", hasFactors, func(e *env, u *identity.User) error {
		return e.dir.ResetFactors(e.ctx, u.ID)
	}},
	{"ListIdentities", hasIdentities, func(e *env, u *identity.User) error {
		_, err := e.dir.ListIdentities(e.ctx, u.ID)
		return err
	}},
	{"UnlinkIdentity", hasUnlink, func(e *env, u *identity.User) error {
		p := missingProvider
		if e.caps.UnlinkIdentity {
			p = e.link(u.ID, "google", e.subject("gate"))
		}
		return e.dir.UnlinkIdentity(e.ctx, u.ID, p)
	}},
	{"DeprovisionUser", hasDeprovision, func(e *env, u *identity.User) error {
		return e.dir.DeprovisionUser(e.ctx, u.ID)
	}},
	{"HasPassword", hasHasPassword, func(e *env, u *identity.User) error {
		_, err := e.dir.HasPassword(e.ctx, u.ID)
		return err
	}},
	{"SetRoles", hasRoles, func(e *env, u *identity.User) error {
		return e.dir.SetRoles(e.ctx, u.ID, e.roleIfAny("gate"))
	}},
	{"ResetPassword", hasResets, func(e *env, u *identity.User) error {
		_, err := e.dir.ResetPassword(e.ctx, u.ID, identity.ResetOptions{})
		return err
	}},
}

// gatesOf returns the securityGates named.
func gatesOf(ops ...string) []gate {
	var out []gate
	for _, g := range securityGates {
		if slices.Contains(ops, g.op) {
			out = append(out, g)
		}
	}
	if len(out) != len(ops) {
		panic(fmt.Sprintf("conformance: gatesOf(%s) names an operation not in securityGates", strings.Join(ops, ", ")))
	}
	return out
}

// userCalls are the account-security operations called on the user v
// with their other arguments well-formed, for the bad-input tables.
var userCalls = map[string]struct {
	on   func(identity.Capabilities) bool
	call func(e *env, v string) error
}{
	"RevokeSessions": {hasSessions, func(e *env, v string) error { return e.dir.RevokeSessions(e.ctx, v) }},
	"ListFactors":    {hasFactors, func(e *env, v string) error { _, err := e.dir.ListFactors(e.ctx, v); return err }},
	"DeleteFactor":   {hasFactors, func(e *env, v string) error { return e.dir.DeleteFactor(e.ctx, v, missingFactorID) }},
	"ResetFactors":   {hasFactors, func(e *env, v string) error { return e.dir.ResetFactors(e.ctx, v) }},
	"ListIdentities": {hasIdentities, func(e *env, v string) error { _, err := e.dir.ListIdentities(e.ctx, v); return err }},
	"UnlinkIdentity": {hasUnlink, func(e *env, v string) error { return e.dir.UnlinkIdentity(e.ctx, v, missingProvider) }},
	"DeprovisionUser": {hasDeprovision, func(e *env, v string) error {
		return e.dir.DeprovisionUser(e.ctx, v)
	}},
	"HasPassword": {hasHasPassword, func(e *env, v string) error { _, err := e.dir.HasPassword(e.ctx, v); return err }},
	"SetRoles":    {hasRoles, func(e *env, v string) error { return e.dir.SetRoles(e.ctx, v, e.roleName("x")) }},
	"ResetPassword": {hasResets, func(e *env, v string) error {
		_, err := e.dir.ResetPassword(e.ctx, v, identity.ResetOptions{})
		return err
	}},
}

// userIDCalls returns, for a bad-input table, the calls of ops with the
// bad value as the user id, each wanting what its capability makes of
// it.
func userIDCalls(c identity.Capabilities, ops ...string) []badCall {
	var out []badCall
	for _, op := range ops {
		uc, ok := userCalls[op]
		if !ok {
			panic("conformance: no user call " + op)
		}
		out = append(out, badCall{op, func(e *env, _, v string) error { return uc.call(e, v) }, gated(uc.on(c))})
	}
	return out
}

// missingUserCalls checks that each of ops on a user that does not exist
// is NotFound naming the user as what is missing.
func missingUserCalls(t *testing.T, h Harness, ops ...string) {
	e := newEnv(t, h)
	for _, op := range ops {
		t.Run(op, func(t *testing.T) {
			requireMissing(t, userCalls[op].call(e.sub(t), missingID), "user", "", op)
		})
	}
}

// requireSecretHidden fails if any printed form of v holds one of the
// secrets.
func requireSecretHidden(t *testing.T, v any, secrets ...identity.Secret) {
	t.Helper()
	for _, form := range []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v)} {
		for _, s := range secrets {
			if s != "" {
				assert.NotContains(t, form, string(s), "a reset's secret shows when printed")
			}
		}
	}
}
