package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Goroutines is how many concurrent callers the concurrency tests use.
const Goroutines = 32

func testConcurrency(t *testing.T, h Harness) {
	t.Run("Creates", func(t *testing.T) {
		e := newEnv(t, h)
		created := make([]string, Goroutines)
		errs := make([]error, Goroutines)
		parallel(Goroutines, func(i int) {
			u, err := e.dir.CreateUser(e.ctx, e.newUser(fmt.Sprintf("c%d", i)))
			if errs[i] = err; err == nil {
				created[i] = u.ID
			}
		})
		for i, err := range errs {
			require.NoError(t, err, "create %d", i)
		}
		assert.ElementsMatch(t, created, ids(e.listTagged(identity.ListOptions{PageSize: 10})), "nothing lost, nothing doubled")
	})
	t.Run("SameEmail", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.UniqueEmail {
			t.Skip("emails need not be unique on this backend (UniqueEmail is false)")
		}
		var ok, dup atomic.Int32
		errs := make([]error, 8)
		parallel(8, func(i int) {
			_, err := e.dir.CreateUser(e.ctx, e.newUser("race"))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, identity.ErrAlreadyExists):
				dup.Add(1)
			default:
				errs[i] = err
			}
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, int32(1), ok.Load(), "exactly one create of the same email wins")
		assert.Equal(t, int32(7), dup.Load())
		assert.Len(t, e.listTagged(identity.ListOptions{}), 1)
	})
	t.Run("MetadataUpdates", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Metadata {
			t.Skip("no metadata: Create/UnsupportedFields checks Unsupported")
		}
		u := e.create(e.newUser("md"))
		errs := make([]error, Goroutines)
		parallel(Goroutines, func(i int) {
			_, errs[i] = e.dir.UpdateUser(e.ctx, u.ID, identity.UserUpdate{Metadata: map[string]any{fmt.Sprintf("k%d", i): fmt.Sprintf("v%d", i)}})
		})
		for i, err := range errs {
			require.NoError(t, err, "update %d", i)
		}
		md := e.get(u.ID).Metadata
		for i := range Goroutines {
			assert.Equal(t, fmt.Sprintf("v%d", i), md[fmt.Sprintf("k%d", i)], "key k%d lost", i)
		}
	})
	t.Run("FieldUpdates", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Names || !e.caps.DisplayName {
			t.Skip("names unsupported")
		}
		u := e.create(e.newUser("fu"))
		fields := []identity.UserUpdate{
			{GivenName: ptr("Grace")}, {FamilyName: ptr("Hopper")}, {DisplayName: ptr("Amazing Grace")},
		}
		errs := make([]error, len(fields))
		parallel(len(fields), func(i int) { _, errs[i] = e.dir.UpdateUser(e.ctx, u.ID, fields[i]) })
		for _, err := range errs {
			require.NoError(t, err)
		}
		got := e.get(u.ID)
		assert.Equal(t, "Grace", got.GivenName)
		assert.Equal(t, "Hopper", got.FamilyName)
		assert.Equal(t, "Amazing Grace", got.DisplayName)
	})
	t.Run("RoleAssignments", func(t *testing.T) {
		e := newEnv(t, h)
		if !e.caps.Roles {
			t.Skip("no roles: Roles/Unsupported checks Unsupported")
		}
		u := e.create(e.newUser("ra"))
		const n = 8
		names := make([]string, n)
		for i := range n {
			names[i] = e.role(fmt.Sprintf("r%d", i))
		}
		errs := make([]error, n)
		parallel(n, func(i int) { errs[i] = e.dir.AssignRole(e.ctx, u.ID, names[i]) })
		for _, err := range errs {
			require.NoError(t, err)
		}
		rs, err := e.dir.ListUserRoles(e.ctx, u.ID)
		require.NoError(t, err)
		assert.ElementsMatch(t, names, e.rolesWithTag(rs))
	})
	t.Run("Lifecycle", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.activeUser("lc")
		errs := make([]error, 16)
		parallel(16, func(i int) { errs[i] = e.dir.SuspendUser(e.ctx, u.ID) })
		for _, err := range errs {
			require.NoError(t, err, "concurrent suspends all succeed")
		}
		assert.Equal(t, identity.StatusSuspended, e.get(u.ID).Status)
	})
}

func testContext(t *testing.T, h Harness) {
	t.Run("Canceled", func(t *testing.T) {
		e := newEnv(t, h)
		u := e.create(e.newUser("ctx"))
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		_, err := e.dir.GetUser(ctx, u.ID)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, context.Canceled, err, "context errors are returned as they are")
		_, err = e.dir.CreateUser(ctx, e.newUser("never"))
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, e.dir.SuspendUser(ctx, u.ID), context.Canceled)
		for _, err := range e.dir.ListUsers(ctx, identity.ListOptions{}) {
			require.ErrorIs(t, err, context.Canceled)
		}
		assert.Equal(t, []string{u.ID}, ids(e.listTagged(identity.ListOptions{})), "a canceled create made nothing")
		assert.Equal(t, u.Status, e.get(u.ID).Status, "a canceled suspend changed nothing")
	})
	t.Run("DeadlineExceeded", func(t *testing.T) {
		e := newEnv(t, h)
		ctx, cancel := context.WithDeadline(e.ctx, time.Now().Add(-time.Second))
		defer cancel()
		_, err := e.dir.GetUser(ctx, missingID)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = e.dir.ListUsersPage(ctx, identity.ListOptions{}, "")
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("CanceledMidIteration", func(t *testing.T) {
		e := newEnv(t, h)
		for i := range 4 {
			e.create(e.newUser(fmt.Sprintf("it%d", i)))
		}
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		n, sawCancel := 0, false
		for u, err := range e.dir.ListUsers(ctx, identity.ListOptions{Query: e.tag, PageSize: 1}) {
			if err != nil {
				require.ErrorIs(t, err, context.Canceled)
				sawCancel = true
				break
			}
			require.NotNil(t, u)
			n++
			if n == 2 {
				cancel()
			}
		}
		assert.True(t, sawCancel, "the iterator reports the cancellation")
		assert.Equal(t, 2, n, "no user after the cancellation")
	})
}

func testErrors(t *testing.T, h Harness) {
	t.Run("Detail", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.GetUser(e.ctx, missingID)
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, identity.NotFound, ie.Code)
		assert.Equal(t, "GetUser", ie.Op)
		assert.NotEmpty(t, ie.Backend)
		assert.Equal(t, missingID, ie.UserID)
		assert.Contains(t, err.Error(), "NotFound")
		assert.Contains(t, err.Error(), missingID)
		assert.False(t, errors.Is(err, identity.ErrAlreadyExists))
	})
	t.Run("InvalidArgumentNamesField", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.dir.CreateUser(e.ctx, identity.NewUser{Email: "not-an-email"})
		var ie *identity.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "Email", ie.Field)
		assert.Equal(t, "CreateUser", ie.Op)
	})
	t.Run("Closed", func(t *testing.T) {
		e := newEnv(t, h)
		require.NoError(t, e.dir.Close())
		_, err := e.dir.GetUser(e.ctx, missingID)
		requireCode(t, err, identity.FailedPrecondition)
		require.NoError(t, e.dir.Close(), "Close twice")
	})
}
