package mocks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/idport/identity"
	"go.uber.org/mock/gomock"
)

// fingerprintKey keys the fingerprints of secrets, fresh in each process:
// a fingerprint tells two secrets of one test run apart, and says nothing
// anyone could check a guess against outside it.
var fingerprintKey = func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}()

// Fingerprint prints a secret as a test failure may show it: its length
// and the first bytes of an HMAC-SHA256 under a key of this process, such
// as "[REDACTED 12 bytes #3fa9c01e]". Two equal secrets print the same,
// two different ones almost surely not, and the value never shows.
func Fingerprint[S ~string](s S) string {
	m := hmac.New(sha256.New, fingerprintKey)
	m.Write([]byte(s))
	return fmt.Sprintf("[REDACTED %d bytes #%s]", len(s), hex.EncodeToString(m.Sum(nil)[:4]))
}

// SecretEq returns a matcher of an identity.Secret argument equal to
// want, such as SetPassword's. Where gomock.Eq would print both sides of
// a mismatch as "[REDACTED]", it prints each as its [Fingerprint]:
//
//	dir.EXPECT().SetPassword(gomock.Any(), "u1", mocks.SecretEq("n3w-Passw0rd!"))
func SecretEq(want identity.Secret) gomock.Matcher { return secretEq{want} }

type secretEq struct{ want identity.Secret }

func (m secretEq) Matches(x any) bool {
	s, ok := x.(identity.Secret)
	return ok && subtle.ConstantTimeCompare([]byte(s), []byte(m.want)) == 1
}

func (m secretEq) String() string { return "is the secret " + Fingerprint(m.want) }

// Got implements gomock.GotFormatter, so that the secret received prints
// as a fingerprint too.
func (m secretEq) Got(got any) string { return render(got) }

// Eq returns a matcher of an argument deeply equal to want, as gomock.Eq,
// which prints both sides of a mismatch with every identity.Secret and
// identity.PasswordHash inside them as its [Fingerprint], each pointer
// as what it points to, and only the fields that are set:
//
//	dir.EXPECT().CreateUser(gomock.Any(), mocks.Eq(identity.NewUser{Email: "ada@example.com", Password: pw}))
//
// fails, when the code under test sends another password, with
//
//	Got: identity.NewUser{Email:"ada@example.com" Password:[REDACTED 9 bytes #51c2e0aa]}
//	Want: is equal to identity.NewUser{Email:"ada@example.com" Password:[REDACTED 12 bytes #0be41f7d]}
func Eq(want any) gomock.Matcher { return eq{want: want, m: gomock.Eq(want)} }

type eq struct {
	want any
	m    gomock.Matcher
}

func (m eq) Matches(x any) bool { return m.m.Matches(x) }
func (m eq) String() string     { return "is equal to " + render(m.want) }
func (m eq) Got(got any) string { return render(got) }

var (
	secretType = reflect.TypeFor[identity.Secret]()
	hashType   = reflect.TypeFor[identity.PasswordHash]()
)

// render prints v for a matcher's failure.
func render(v any) string {
	if v == nil {
		return "nil"
	}
	var b strings.Builder
	writeValue(&b, reflect.ValueOf(v), 0)
	return b.String()
}

// maxDepth bounds how deep render goes, so that a cycle ends.
const maxDepth = 10

func writeValue(b *strings.Builder, v reflect.Value, depth int) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	switch v.Type() {
	case secretType, hashType:
		b.WriteString(Fingerprint(v.String()))
		return
	}
	if depth > maxDepth {
		b.WriteString("...")
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("&")
		writeValue(b, v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		writeValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		if !holdsSecret(v.Type(), map[reflect.Type]bool{}) && v.CanInterface() {
			// time.Time and the like print as they mean to.
			fmt.Fprintf(b, "%v", v.Interface())
			return
		}
		b.WriteString(typeName(v.Type()) + "{")
		sep := ""
		for i := range v.NumField() {
			f := v.Field(i)
			if f.IsZero() {
				continue
			}
			b.WriteString(sep + v.Type().Field(i).Name + ":")
			writeValue(b, f, depth+1)
			sep = " "
		}
		b.WriteString("}")
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		b.WriteString("map[")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" ")
			}
			writeValue(b, k, depth+1)
			b.WriteString(":")
			writeValue(b, v.MapIndex(k), depth+1)
		}
		b.WriteString("]")
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("[")
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(" ")
			}
			writeValue(b, v.Index(i), depth+1)
		}
		b.WriteString("]")
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	default:
		if v.CanInterface() {
			fmt.Fprintf(b, "%v", v.Interface())
		} else {
			fmt.Fprintf(b, "<%s>", v.Type())
		}
	}
}

// typeName is t's name as the application spells it: the model's types
// are declared in package driver and named in package identity.
func typeName(t reflect.Type) string {
	if t.PkgPath() == "github.com/idport/identity/driver" {
		return "identity." + t.Name()
	}
	return t.String()
}

// holdsSecret reports whether a value of t can hold a Secret or a
// PasswordHash; an interface can hold anything.
func holdsSecret(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == secretType || t == hashType {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsSecret(t.Elem(), seen)
	case reflect.Map:
		return holdsSecret(t.Key(), seen) || holdsSecret(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsSecret(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
