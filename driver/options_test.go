package driver

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURLParams(t *testing.T) {
	cases := []struct {
		url   string
		field string // "" when it parses
		got   map[string]string
	}{
		{"x://host", "", map[string]string{}},
		{"x://host/", "", map[string]string{}},
		{"x://host?a=1&a=2&b=", "", map[string]string{"a": "2", "b": ""}},
		{"x://host/path", "url", nil},
		{"x://host?colour=blue", "colour", nil},
		{"x://host?flag=yes", "flag", nil},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			u, err := url.Parse(c.url)
			require.NoError(t, err)
			got := map[string]string{}
			err = URLParams("x", u, func(k, v string) (bool, error) {
				switch k {
				case "a", "b":
					got[k] = v
				case "flag":
					_, err := BoolParam("x", k, v)
					return true, err
				default:
					return false, nil
				}
				return true, nil
			})
			if c.field == "" {
				require.NoError(t, err)
				assert.Equal(t, c.got, got)
				return
			}
			var ie *Error
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, InvalidArgument, ie.Code)
			assert.Equal(t, c.field, ie.Field)
			assert.Equal(t, "New", ie.Op)
			assert.Equal(t, "x", ie.Backend)
		})
	}
}
