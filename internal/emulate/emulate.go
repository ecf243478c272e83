// Package emulate holds what the provider emulators share: JSON replies,
// bounded request bodies, the latency and middleware chain, random ids,
// SQL LIKE matching, and, for their tests, a clock moved by hand and a
// sender that reads answers whole. Fault injection, which any emulator
// takes through its Middleware option, is the public package faultinject.
package emulate

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxRequestBody bounds what an emulator reads of a request body.
const MaxRequestBody = 1 << 20

// WriteJSON writes v as the JSON body of a status response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrTooLarge is returned by ReadJSON for a body over MaxRequestBody.
var ErrTooLarge = errors.New("request body too large")

// ReadJSON decodes a request body of at most MaxRequestBody bytes into v.
func ReadJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return err
	}
	if len(data) > MaxRequestBody {
		return ErrTooLarge
	}
	return json.Unmarshal(data, v)
}

// Chain wraps api in the emulator options every emulator offers:
// middleware inside, latency outside.
func Chain(api http.Handler, middleware func(http.Handler) http.Handler, latency time.Duration) http.Handler {
	h := api
	if middleware != nil {
		h = middleware(h)
	}
	if latency > 0 {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t := time.NewTimer(latency)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
	return h
}

// Default sets *p to def when the option *p is unset: zero, or, for a
// number such as a duration or a count, negative, which no emulator
// option means.
func Default[T cmp.Ordered](p *T, def T) {
	var zero T
	if *p <= zero {
		*p = def
	}
}

// Locked returns fn's result computed holding mu, for the emulators'
// accessors, which tests call while handlers change what they read.
func Locked[T any](mu *sync.Mutex, fn func() T) T {
	mu.Lock()
	defer mu.Unlock()
	return fn()
}

// ID returns n random characters from alphabet.
func ID(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Alphabets for ID.
const (
	Lower36 = "0123456789abcdefghijklmnopqrstuvwxyz"
	Base62  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// Compare reports whether c, the sign of comparing a value with an
// operand (as cmp.Compare or time.Time.Compare give it), satisfies op:
// "eq", "ne", "gt", "ge", "lt" or "le", the comparison operators of the
// providers' filter languages. Any other op is false.
func Compare(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

// Like reports whether s matches the SQL LIKE pattern: % is any run of
// characters, _ is one character. Without caseSensitive it compares as
// ILIKE does.
func Like(pattern, s string, caseSensitive bool) bool {
	if !caseSensitive {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, t := []rune(pattern), []rune(s)
	// Classic wildcard matching with backtracking to the last %.
	i, j, star, mark := 0, 0, -1, 0
	for j < len(t) {
		switch {
		case i < len(p) && p[i] == '%':
			// Checked first: a % in the subject is not the wildcard.
			star, mark = i, j
			i++
		case i < len(p) && (p[i] == '_' || p[i] == t[j]):
			i++
			j++
		case star >= 0:
			i = star + 1
			mark++
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '%' {
		i++
	}
	return i == len(p)
}
