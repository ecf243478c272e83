package httpx

import (
	"reflect"
	"strings"
)

// maxRedactDepth bounds the walk of redactStrings: a decoded error body
// is shallow, and the bound keeps a cyclic value from walking for ever.
const maxRedactDepth = 32

// redactStrings replaces cred with "[REDACTED]" in every string that v, a
// pointer, reaches through exported fields, pointers, interfaces, slices,
// arrays and maps (keys too), byte slices included. It changes the
// values in place, since a decoded error body belongs to the error alone.
// A provider's body type is the backend's own, so the walk is by
// reflection rather than a method each body type would have to export.
func redactStrings(v any, cred string) {
	redactValue(reflect.ValueOf(v), func(s string) string { return strings.ReplaceAll(s, cred, "[REDACTED]") }, 0)
}

func redactValue(v reflect.Value, f func(string) string, depth int) {
	if depth > maxRedactDepth || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(f(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			redactValue(v.Elem(), f, depth+1)
		}
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		// What an interface holds cannot be changed in place: change a
		// copy and put it back.
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		redactValue(c, f, depth+1)
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			redactValue(v.Field(i), f, depth+1)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			if v.CanSet() {
				v.SetBytes([]byte(f(string(v.Bytes()))))
			}
			return
		}
		for i := range v.Len() {
			redactValue(v.Index(i), f, depth+1)
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		for _, k := range v.MapKeys() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			redactValue(val, f, depth+1)
			key := reflect.New(v.Type().Key()).Elem()
			key.Set(k)
			redactValue(key, f, depth+1)
			v.SetMapIndex(k, reflect.Value{})
			v.SetMapIndex(key, val)
		}
	}
}
