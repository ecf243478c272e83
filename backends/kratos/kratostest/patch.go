package kratostest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The JSON Patch of PATCH /admin/identities/{id}, as Kratos v1.3.1 applies
// it (ory/x jsonx.ApplyJSONPatch over evanphx/json-patch v5):
//
//   - only add, remove and replace are taken; move, copy, test and any
//     other op answer "unsupported operation: <op>";
//   - a path in the deny list (/id) answers "patch includes denied path";
//   - replace of a path whose last segment is not an array index (a
//     number or "-") is applied as add, so it never fails for a missing
//     key;
//   - add creates missing parents (EnsurePathExistsOnAdd), objects or,
//     where the next segment is a number, arrays; a null counts as
//     missing, so adding below a null metadata_public creates the object;
//   - the error texts are the library's, wrapped with ": missing value"
//     and the like exactly as it words them.
//
// The patched document is the identity without its credentials; after the
// patch, each top-level field present in it overwrites the identity's and
// a field removed from it keeps its old value (so removing /traits or
// /metadata_public changes nothing, as observed).

// arr is a JSON array that patch operations can grow in place.
type arr struct{ items []any }

// mutable turns decoded JSON into a tree whose arrays are *arr.
func mutable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = mutable(e)
		}
		return t
	case []any:
		a := &arr{items: t}
		for i, e := range t {
			t[i] = mutable(e)
		}
		return a
	}
	return v
}

// frozen turns a mutable tree back into plain decoded JSON.
func frozen(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = frozen(e)
		}
		return t
	case *arr:
		for i, e := range t.items {
			t.items[i] = frozen(e)
		}
		if t.items == nil {
			return []any{}
		}
		return t.items
	}
	return v
}

// patchError is a failure to apply the patch; its text is the message of
// Kratos's 400.
type patchError struct{ msg string }

func (e *patchError) Error() string { return e.msg }

func perr(format string, a ...any) error { return &patchError{fmt.Sprintf(format, a...)} }

type patchOp struct {
	kind  string
	path  string
	value any
}

// decodePatch reads the body as Kratos does, checking ops and denied paths
// before anything is applied.
func decodePatch(body []byte, deny ...string) ([]patchOp, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			target := "jsonpatch.Patch"
			if strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
				target = "jsonpatch.Operation"
			}
			return nil, perr("json: cannot unmarshal %s into Go value of type %s", te.Value, target)
		}
		return nil, perr("%v", err)
	}
	ops := make([]patchOp, 0, len(raw))
	for _, o := range raw {
		var op patchOp
		op.kind = "unknown"
		if k, ok := o["op"]; ok && string(k) != "null" {
			var s string
			if json.Unmarshal(k, &s) == nil {
				op.kind = s
			}
		}
		if op.kind != "add" && op.kind != "remove" && op.kind != "replace" {
			return nil, perr("unsupported operation: %s", op.kind)
		}
		p, ok := o["path"]
		if !ok || string(p) == "null" {
			return nil, perr("error parsing patch operations: operation missing path field: missing value")
		}
		if err := json.Unmarshal(p, &op.path); err != nil {
			return nil, perr("error parsing patch operations: %v", err)
		}
		for _, d := range deny {
			if op.path == d {
				return nil, perr("patch includes denied path: %s", op.path)
			}
		}
		if op.kind == "replace" && !isElementAccess(op.path) {
			op.kind = "add"
		}
		if v, ok := o["value"]; ok {
			val, err := decodeValue(v)
			if err != nil {
				return nil, perr("%v", err)
			}
			op.value = mutable(val)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func isElementAccess(path string) bool {
	if path == "" {
		return false
	}
	last := path[strings.LastIndexByte(path, '/')+1:]
	if last == "-" {
		return true
	}
	_, err := strconv.Atoi(last)
	return err == nil
}

func decodeKey(k string) string { return strings.NewReplacer("~1", "/", "~0", "~").Replace(k) }

// applyPatch applies ops to doc in order; doc is a mutable tree.
func applyPatch(doc map[string]any, ops []patchOp) error {
	for _, op := range ops {
		var err error
		switch op.kind {
		case "add":
			err = patchAdd(doc, op)
		case "remove":
			err = patchRemove(doc, op)
		case "replace":
			err = patchReplace(doc, op)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// child returns the container at key in c, or nil when it is missing,
// null, or not a container.
func child(c any, key string) (any, bool) {
	var v any
	switch t := c.(type) {
	case map[string]any:
		var ok bool
		if v, ok = t[key]; !ok {
			return nil, false
		}
	case *arr:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(t.items) {
			return nil, false
		}
		v = t.items[i]
	default:
		return nil, false
	}
	switch v.(type) {
	case map[string]any, *arr:
		return v, true
	}
	return v, v != nil
}

// findObject walks to the parent of path's last segment.
func findObject(doc map[string]any, path string) (any, string) {
	split := strings.Split(path, "/")
	if len(split) < 2 {
		return nil, ""
	}
	var c any = doc
	for _, part := range split[1 : len(split)-1] {
		next, ok := child(c, decodeKey(part))
		if !ok {
			return nil, ""
		}
		switch next.(type) {
		case map[string]any, *arr:
			c = next
		default:
			return nil, ""
		}
	}
	return c, decodeKey(split[len(split)-1])
}

func ensurePathExists(doc map[string]any, path string) error {
	split := strings.Split(path, "/")
	if len(split) < 2 {
		return nil
	}
	parts := split[1:]
	var c any = doc
	for pi, part := range parts {
		if pi == len(parts)-1 {
			return nil
		}
		key := decodeKey(part)
		target, ok := child(c, key)
		if !ok {
			if a, isArr := c.(*arr); isArr {
				if idx, err := strconv.Atoi(part); err == nil {
					for i := len(a.items); i < idx; i++ {
						a.items = append(a.items, nil)
					}
				}
			}
			var node any
			if idx, err := strconv.Atoi(parts[pi+1]); err == nil || parts[pi+1] == "-" {
				if idx < 0 {
					//lint:ignore ST1005 the text is json-patch's, which Kratos answers with
					return fmt.Errorf("Unable to ensure path for invalid index: %d: invalid index referenced", idx)
				}
				a := &arr{}
				for i := 0; i < idx; i++ {
					a.items = append(a.items, nil)
				}
				node = a
			} else {
				node = map[string]any{}
			}
			if err := containerAdd(c, key, node); err != nil {
				return err
			}
			c = node
			continue
		}
		switch target.(type) {
		case map[string]any, *arr:
			c = target
		default:
			return fmt.Errorf("json: cannot unmarshal %s into Go value of type jsonpatch.partialDoc", jsonType(frozen(target)))
		}
	}
	return nil
}

func containerAdd(c any, key string, v any) error {
	switch t := c.(type) {
	case map[string]any:
		t[key] = v
	case *arr:
		if key == "-" {
			t.items = append(t.items, v)
			return nil
		}
		idx, err := strconv.Atoi(key)
		if err != nil {
			return fmt.Errorf("value was not a proper array index: '%s': %w", key, err)
		}
		if idx < 0 || idx > len(t.items) {
			//lint:ignore ST1005 the text is json-patch's, which Kratos answers with
			return fmt.Errorf("Unable to access invalid index: %d: invalid index referenced", idx)
		}
		t.items = append(t.items, nil)
		copy(t.items[idx+1:], t.items[idx:])
		t.items[idx] = v
	}
	return nil
}

func patchAdd(doc map[string]any, op patchOp) error {
	if err := ensurePathExists(doc, op.path); err != nil {
		return perr("%v", err)
	}
	c, key := findObject(doc, op.path)
	if c == nil {
		return perr("add operation does not apply: doc is missing path: %q: missing value", op.path)
	}
	if err := containerAdd(c, key, op.value); err != nil {
		return perr("error in add for path: '%s': %v", op.path, err)
	}
	return nil
}

func patchRemove(doc map[string]any, op patchOp) error {
	c, key := findObject(doc, op.path)
	if c == nil {
		return perr("remove operation does not apply: doc is missing path: %q: missing value", op.path)
	}
	switch t := c.(type) {
	case map[string]any:
		if _, ok := t[key]; !ok {
			return perr("error in remove for path: '%s': unable to remove nonexistent key: %s: missing value", op.path, key)
		}
		delete(t, key)
	case *arr:
		idx, err := strconv.Atoi(key)
		if err != nil {
			return perr("error in remove for path: '%s': %v", op.path, err)
		}
		if idx < 0 || idx >= len(t.items) {
			return perr("error in remove for path: '%s': Unable to access invalid index: %d: invalid index referenced", op.path, idx)
		}
		t.items = append(t.items[:idx], t.items[idx+1:]...)
	}
	return nil
}

// patchReplace is replace at an array index (any other replace became
// add).
func patchReplace(doc map[string]any, op patchOp) error {
	c, key := findObject(doc, op.path)
	if c == nil {
		return perr("replace operation does not apply: doc is missing path: %s: missing value", op.path)
	}
	switch t := c.(type) {
	case map[string]any:
		if _, ok := t[key]; !ok {
			return perr("replace operation does not apply: doc is missing key: %s: missing value", op.path)
		}
		t[key] = op.value
	case *arr:
		idx, err := strconv.Atoi(key)
		if err != nil || idx < 0 || idx >= len(t.items) {
			return perr("replace operation does not apply: doc is missing key: %s: missing value", op.path)
		}
		t.items[idx] = op.value
	}
	return nil
}
