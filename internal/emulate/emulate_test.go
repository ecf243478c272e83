package emulate

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLike(t *testing.T) {
	cases := []struct {
		p, s string
		cs   bool
		want bool
	}{
		{"%abc%", "xxABCyy", false, true},
		{"%abc%", "xxABCyy", true, false},
		{"a_c", "abc", false, true},
		{"a_c", "ac", false, false},
		{"%", "", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"a%b%c", "aXXbYYc", false, true},
		{"a%b%c", "aXXbYY", false, false},
		{"%@example.com", "ann@example.com", false, true},
		{"%%%x", "abcx", false, true},
		{"é%", "Éte", false, true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Like(c.p, c.s, c.cs), "%q ~ %q", c.p, c.s)
	}
}

func TestCompare(t *testing.T) {
	// want holds the answers for c = -1, 0 and +1.
	cases := []struct {
		op   string
		want [3]bool
	}{
		{"eq", [3]bool{false, true, false}},
		{"ne", [3]bool{true, false, true}},
		{"gt", [3]bool{false, false, true}},
		{"ge", [3]bool{false, true, true}},
		{"lt", [3]bool{true, false, false}},
		{"le", [3]bool{true, true, false}},
		{"sw", [3]bool{false, false, false}},
		{"", [3]bool{false, false, false}},
	}
	for _, tc := range cases {
		for i, c := range []int{-1, 0, 1} {
			assert.Equal(t, tc.want[i], Compare(tc.op, c), "%s with %d", tc.op, c)
		}
		assert.Equal(t, tc.want[2], Compare(tc.op, 7), "%s: any positive c is greater", tc.op)
	}
}

func TestDefault(t *testing.T) {
	durations := []struct{ set, want time.Duration }{{0, time.Hour}, {-time.Second, time.Hour}, {time.Minute, time.Minute}}
	for _, tc := range durations {
		d := tc.set
		Default(&d, time.Hour)
		assert.Equal(t, tc.want, d, "%v", tc.set)
	}
	strs := []struct{ set, want string }{{"", "app"}, {"mine", "mine"}, {" ", " "}}
	for _, tc := range strs {
		s := tc.set
		Default(&s, "app")
		assert.Equal(t, tc.want, s, "%q", tc.set)
	}
}

func TestLocked(t *testing.T) {
	var mu sync.Mutex
	heldInside := Locked(&mu, func() bool { return !mu.TryLock() })
	assert.True(t, heldInside, "fn runs holding the lock")
	assert.True(t, mu.TryLock(), "the lock is released after fn")
	mu.Unlock()
	assert.Equal(t, 42, Locked(&mu, func() int { return 42 }), "fn's result is returned")
}

func FuzzLike(f *testing.F) {
	f.Add("%a_b%", "xxaXbyy")
	f.Fuzz(func(t *testing.T, p, s string) {
		_ = Like(p, s, false)
		if !Like("%", s, true) {
			t.Fatal("% matches everything")
		}
	})
}
