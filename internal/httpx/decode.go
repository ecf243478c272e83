package httpx

import (
	"encoding/json"
	"errors"
)

// BodyDecoder is implemented by a Request.Out that decodes a 2xx body
// itself. Do calls DecodeBody instead of json.Unmarshal, after the same
// Content-Type check; an error it returns counts as an unreadable body,
// retried as the package doc says.
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

// JSON is a Request.Out, or a value inside one, that decodes a JSON
// value into Value and keeps the bytes it came from in Raw, without a
// copy: Raw is a slice of the response body, which Do reads once into a
// buffer of its own and never reuses, so the slice stays valid for as
// long as it is held.
//
// Valid JSON of the wrong shape for T (a string where T is a struct, a
// field of the wrong type) does not fail the decode: Err records it, and
// the backend decides what to make of it, as it would of a user it cannot
// read. Only a body that is not JSON at all fails, as it would have
// decoding into a json.RawMessage.
//
// So a backend decodes each answer once, straight into its wire type,
// where decoding into a json.RawMessage and then from it would scan the
// body twice and copy it.
type JSON[T any] struct {
	Value T
	Raw   []byte
	Err   error
}

// DecodeBody decodes body, the whole response body, as UnmarshalJSON
// does.
func (j *JSON[T]) DecodeBody(body []byte) error {
	err := json.Unmarshal(body, &j.Value)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return err
	}
	j.Raw, j.Err = body, err
	return nil
}

// UnmarshalJSON keeps b, a slice of the body being decoded, in Raw and
// decodes it into Value; it never fails, since the decoder it is called
// from has already checked that b is JSON.
func (j *JSON[T]) UnmarshalJSON(b []byte) error {
	j.Raw = b
	j.Err = json.Unmarshal(b, &j.Value)
	return nil
}
