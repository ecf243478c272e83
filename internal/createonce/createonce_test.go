package createonce

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lost is the error httpx gives for a create whose answer was lost.
func lost() error {
	return &identity.Error{Code: identity.Unavailable, Message: "request failed: EOF", Err: fmt.Errorf("wrapped: %w", httpx.ErrMaybeProcessed)}
}

// provider is a fake provider with unique emails and phones whose create
// can lose its answer after making the user.
type provider struct {
	mu      sync.Mutex
	users   map[string]*identity.User // by lower-case email
	seq     int
	creates atomic.Int32
	finds   atomic.Int32
	// fault, when set, decides per create what goes wrong: "lost-after"
	// makes the user and loses the answer, "lost-before" loses it without
	// making the user.
	fault func() string
	// clock is the provider's; nil means time.Now.
	clock func() time.Time
}

func newProvider() *provider { return &provider{users: map[string]*identity.User{}} }

func (p *provider) create(nu identity.NewUser) func(context.Context) (*identity.User, error) {
	return func(context.Context) (*identity.User, error) {
		p.creates.Add(1)
		f := ""
		if p.fault != nil {
			f = p.fault()
		}
		if f == "lost-before" {
			return nil, lost()
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if _, taken := p.users[strings.ToLower(nu.Email)]; taken {
			if f == "lost-after" {
				return nil, lost()
			}
			return nil, &identity.Error{Code: identity.AlreadyExists, Field: "Email", ProviderCode: "taken"}
		}
		p.seq++
		now := time.Now()
		if p.clock != nil {
			now = p.clock()
		}
		u := &identity.User{ID: fmt.Sprintf("u%d", p.seq), Email: nu.Email, Phone: nu.Phone, DisplayName: nu.DisplayName,
			Metadata: nu.Metadata, CreatedAt: now}
		p.users[strings.ToLower(nu.Email)] = u
		if f == "lost-after" {
			return nil, lost()
		}
		c := *u
		return &c, nil
	}
}

func (p *provider) find(_ context.Context, f Field, v string) (*identity.User, error) {
	p.finds.Add(1)
	if f != Email {
		return nil, driver.UnsupportedError("lookup by " + string(f))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u, ok := p.users[strings.ToLower(v)]; ok {
		c := *u
		return &c, nil
	}
	return nil, driver.Errorf(identity.NotFound, "none")
}

func (p *provider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.users)
}

// script returns a fault func answering the faults in turn, then none.
func script(faults ...string) func() string {
	var mu sync.Mutex
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(faults) == 0 {
			return ""
		}
		f := faults[0]
		faults = faults[1:]
		return f
	}
}

func TestUser(t *testing.T) {
	ctx := context.Background()
	nu := identity.NewUser{Email: "Ada@Example.com", DisplayName: "Ada", Metadata: map[string]any{"seats": 3}}

	t.Run("NoFault", func(t *testing.T) {
		p := newProvider()
		var c Creator
		u, err := c.User(ctx, nu, p.create(nu), p.find)
		require.NoError(t, err)
		assert.Equal(t, "u1", u.ID)
		assert.Zero(t, p.finds.Load(), "no lookup without a fault")
	})
	t.Run("LostAfterMaking", func(t *testing.T) {
		p := newProvider()
		p.fault = script("lost-after")
		var c Creator
		u, err := c.User(ctx, nu, p.create(nu), p.find)
		require.NoError(t, err, "the lookup finds the user the create made")
		assert.Equal(t, "u1", u.ID)
		assert.EqualValues(t, 1, p.creates.Load(), "not sent again")
		assert.Equal(t, 1, p.count())
	})
	t.Run("LostBeforeMaking", func(t *testing.T) {
		p := newProvider()
		p.fault = script("lost-before", "lost-before")
		var c Creator
		u, err := c.User(ctx, nu, p.create(nu), p.find)
		require.NoError(t, err, "nothing found, so sent again")
		assert.Equal(t, "u1", u.ID)
		assert.EqualValues(t, 3, p.creates.Load())
	})
	t.Run("GivesUp", func(t *testing.T) {
		p := newProvider()
		p.fault = func() string { return "lost-before" }
		c := Creator{Attempts: 3}
		_, err := c.User(ctx, nu, p.create(nu), p.find)
		require.ErrorIs(t, err, identity.ErrUnavailable)
		assert.True(t, Ambiguous(err), "the caller still learns the last attempt may have landed")
		assert.EqualValues(t, 3, p.creates.Load())
		assert.Zero(t, p.count())
	})
	t.Run("SomeoneElsesUser", func(t *testing.T) {
		for name, other := range map[string]identity.NewUser{
			"OtherName":     {Email: nu.Email, DisplayName: "Not Ada", Metadata: nu.Metadata},
			"OtherMetadata": {Email: nu.Email, DisplayName: "Ada", Metadata: map[string]any{"seats": 4}},
		} {
			t.Run(name, func(t *testing.T) {
				p := newProvider()
				_, err := p.create(other)(ctx)
				require.NoError(t, err)
				p.fault = script("lost-after")
				var c Creator
				_, err = c.User(ctx, nu, p.create(nu), p.find)
				var ie *identity.Error
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, identity.AlreadyExists, ie.Code)
				assert.Equal(t, "Email", ie.Field)
			})
		}
	})
	t.Run("OlderUser", func(t *testing.T) {
		p := newProvider()
		p.clock = func() time.Time { return time.Now().Add(-time.Hour) }
		_, err := p.create(nu)(ctx)
		require.NoError(t, err)
		p.clock = nil
		p.fault = script("lost-after")
		var c Creator
		_, err = c.User(ctx, nu, p.create(nu), p.find)
		require.ErrorIs(t, err, identity.ErrAlreadyExists, "a user made an hour before the create was sent is not its own")
	})
	t.Run("ProviderClockBehind", func(t *testing.T) {
		p := newProvider()
		p.clock = func() time.Time { return time.Now().Add(-time.Second) }
		p.fault = script("lost-after")
		var c Creator
		u, err := c.User(ctx, nu, p.create(nu), p.find)
		require.NoError(t, err, "a second of skew is within ClockSkew")
		assert.Equal(t, "u1", u.ID)
	})
	t.Run("AlreadyHandedOut", func(t *testing.T) {
		p := newProvider()
		var c Creator
		first, err := c.User(ctx, nu, p.create(nu), p.find)
		require.NoError(t, err)
		p.fault = script("lost-after")
		_, err = c.User(ctx, nu, p.create(nu), p.find)
		require.ErrorIs(t, err, identity.ErrAlreadyExists, "a user this Creator returned a moment ago is not the second create's")
		assert.Equal(t, 1, p.count())
		assert.Equal(t, "u1", first.ID)
	})
	t.Run("LandedLate", func(t *testing.T) {
		// The first attempt's answer is lost and the lookup finds
		// nothing, as if the user had not been made yet; by the second
		// attempt it has been, and the second meets AlreadyExists.
		p := newProvider()
		var late sync.Once
		p.fault = script("lost-before")
		find := func(ctx context.Context, f Field, v string) (*identity.User, error) {
			u, err := p.find(ctx, f, v)
			late.Do(func() {
				p.fault = nil
				_, _ = p.create(nu)(ctx)
			})
			return u, err
		}
		var c Creator
		u, err := c.User(ctx, nu, p.create(nu), find)
		require.NoError(t, err)
		assert.Equal(t, "u1", u.ID)
		assert.Equal(t, 1, p.count())
	})
	t.Run("PlainErrorsPassThrough", func(t *testing.T) {
		var c Creator
		bad := driver.InvalidArgumentError("Email", "no")
		_, err := c.User(ctx, nu, func(context.Context) (*identity.User, error) { return nil, bad }, nil)
		assert.Same(t, bad, err)
	})
	t.Run("LookupFails", func(t *testing.T) {
		p := newProvider()
		p.fault = script("lost-after")
		var c Creator
		_, err := c.User(ctx, nu, p.create(nu), func(context.Context, Field, string) (*identity.User, error) {
			return nil, driver.Errorf(identity.Unavailable, "down")
		})
		require.ErrorIs(t, err, identity.ErrUnavailable)
		assert.Contains(t, err.Error(), "may or may not have been made")
	})
	t.Run("NoUsableIdentifier", func(t *testing.T) {
		phoneOnly := identity.NewUser{Phone: "+14155550100"}
		p := newProvider()
		p.fault = script("lost-after")
		var c Creator
		_, err := c.User(ctx, phoneOnly, p.create(phoneOnly), ByFindUser(nil, Email, Username))
		require.ErrorIs(t, err, identity.ErrUnavailable)
	})
	t.Run("ContextEnds", func(t *testing.T) {
		p := newProvider()
		p.fault = script("lost-after")
		cctx, cancel := context.WithCancel(ctx)
		var c Creator
		_, err := c.User(cctx, nu, p.create(nu), func(ctx context.Context, f Field, v string) (*identity.User, error) {
			cancel()
			return nil, ctx.Err()
		})
		assert.ErrorIs(t, err, context.Canceled)
	})
}

// TestSameEmailUnderFaults races 8 creates of one email, again and again,
// with answers lost at random before or after the provider acts: exactly
// one create succeeds, the others get AlreadyExists, and the provider
// holds one user.
func TestSameEmailUnderFaults(t *testing.T) {
	ctx := context.Background()
	for round := range 50 {
		p := newProvider()
		rng := rand.New(rand.NewPCG(uint64(round), 1))
		var rmu sync.Mutex
		p.fault = func() string {
			rmu.Lock()
			defer rmu.Unlock()
			switch rng.IntN(4) {
			case 0:
				return "lost-after"
			case 1:
				return "lost-before"
			}
			return ""
		}
		c := Creator{Attempts: 20}
		nu := identity.NewUser{Email: fmt.Sprintf("race%d@example.com", round)}
		var ok, dup atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.User(ctx, nu, p.create(nu), p.find)
				switch {
				case err == nil:
					ok.Add(1)
				case identity.CodeOf(err) == identity.AlreadyExists:
					dup.Add(1)
				default:
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
		require.EqualValues(t, 1, ok.Load(), "round %d", round)
		require.EqualValues(t, 7, dup.Load(), "round %d", round)
		require.Equal(t, 1, p.count())
	}
}

func TestLocks(t *testing.T) {
	var c Creator
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	holding := map[string]bool{}
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Overlapping identifier sets, taken in every order.
			nu := identity.NewUser{Email: fmt.Sprintf("e%d@x.io", i%3), Phone: fmt.Sprintf("+1%d", i%5), Username: fmt.Sprintf("u%d", i%2)}
			ks := keys(&nu)
			unlock, err := c.lock(ctx, ks)
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			for _, k := range ks {
				assert.False(t, holding[k], "two creates hold %q at once", k)
				holding[k] = true
			}
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			for _, k := range ks {
				holding[k] = false
			}
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	cctx, cancel := context.WithCancel(ctx)
	unlock, err := c.lock(ctx, []string{"k"})
	require.NoError(t, err)
	cancel()
	_, err = c.lock(cctx, []string{"k"})
	assert.ErrorIs(t, err, context.Canceled, "a wait for a held identifier ends with the context")
	unlock()
}

func TestByFindUser(t *testing.T) {
	var got []driver.Identifier
	find := ByFindUser(func(_ context.Context, by driver.Identifier, v string) (*identity.User, error) {
		got = append(got, by)
		return &identity.User{ID: v}, nil
	}, Username)
	_, err := find(context.Background(), Username, "ada")
	require.NoError(t, err)
	_, err = find(context.Background(), Email, "ada@example.com")
	assert.ErrorIs(t, err, identity.ErrUnsupported, "email was not declared unique")
	_, err = find(context.Background(), Phone, "+1415")
	assert.ErrorIs(t, err, identity.ErrUnsupported)
	assert.Equal(t, []driver.Identifier{driver.ByUsername}, got)
}

func TestGenericCreate(t *testing.T) {
	// Roles or any other resource: settle decides.
	var creates int
	v, err := Create(context.Background(), 0, func(context.Context) (string, error) {
		creates++
		if creates == 1 {
			return "", lost()
		}
		return "made", nil
	}, func(context.Context, error) (string, bool, error) { return "", false, nil })
	require.NoError(t, err)
	assert.Equal(t, "made", v)
	assert.Equal(t, 2, creates)
}
