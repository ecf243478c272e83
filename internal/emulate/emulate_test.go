package emulate

import (
	"testing"

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

func FuzzLike(f *testing.F) {
	f.Add("%a_b%", "xxaXbyy")
	f.Fuzz(func(t *testing.T, p, s string) {
		_ = Like(p, s, false)
		if !Like("%", s, true) {
			t.Fatal("% matches everything")
		}
	})
}
