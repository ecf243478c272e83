package driver

import (
	"net/url"
)

// OptionError returns the error a backend's constructor or URL opener
// gives for a bad option: InvalidArgument naming field, with Op "New" and
// the backend set. The message must not contain the option's value when
// the option is a credential.
func OptionError(backend, field, format string, args ...any) *Error {
	e := InvalidArgumentError(field, format, args...)
	e.Op, e.Backend = "New", backend
	return e
}

// URLParams reads a backend URL of the form scheme://{host}?{params}: it
// refuses a URL with a path, then hands each query parameter to set with
// its last value. A parameter set does not know (known false) is
// InvalidArgument naming it; an error set returns is returned as it is.
// Checking the host is the backend's: what it names differs.
func URLParams(backend string, u *url.URL, set func(key, value string) (known bool, err error)) error {
	if u.Path != "" && u.Path != "/" {
		return OptionError(backend, "url", "%s URLs have no path", backend)
	}
	for k, vs := range u.Query() {
		known, err := set(k, vs[len(vs)-1])
		if err != nil {
			return err
		}
		if !known {
			return OptionError(backend, k, "unknown query parameter %q", k)
		}
	}
	return nil
}

// BoolParam reads a URL parameter that is "true" or "false"; anything
// else is InvalidArgument naming key.
func BoolParam(backend, key, value string) (bool, error) {
	switch value {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, OptionError(backend, key, "%s must be true or false", key)
}
