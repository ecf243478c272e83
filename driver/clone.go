package driver

// CloneMetadata deep-copies a JSON-shaped map, so that metadata handed
// out or taken in shares nothing with its source. It returns nil for nil.
func CloneMetadata(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = CloneValue(v)
	}
	return out
}

// CloneValue deep-copies a JSON-shaped value (maps, slices and scalars),
// so that metadata handed out or taken in shares nothing with its source.
func CloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return CloneMetadata(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = CloneValue(x)
		}
		return out
	default:
		return v
	}
}
