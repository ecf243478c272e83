package passage

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/httpx"
)

func asError(err error, target **identity.Error) bool { return errors.As(err, target) }

func checkRoleName(name string) error {
	if strings.Contains(name, ",") {
		return driver.InvalidArgumentError("role", "role names cannot contain ',' on Passage, which keeps a user's roles as a comma-separated list")
	}
	return nil
}

func (d *directory) parseRoles(md map[string]any) []string {
	s, _ := md[d.opts.RolesField].(string)
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

func (d *directory) rawUser(ctx context.Context, id string) (*wireUser, error) {
	var env userEnvelope
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: d.path(id), Out: &env}); err != nil {
		return nil, err
	}
	if env.User.Err != nil || env.User.Value.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Passage returned a user the backend cannot read")
	}
	return &env.User.Value, nil
}

// UserRoles implements metaroles.Store: the roles field, read.
func (d *directory) UserRoles(ctx context.Context, userID string) ([]string, error) {
	u, err := d.rawUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return d.parseRoles(u.Metadata), nil
}

// SetUserRoles implements metaroles.Store: the roles field, written as a
// sorted, comma-separated list, or removed when there is none.
func (d *directory) SetUserRoles(ctx context.Context, userID string, names []string) error {
	var value any = strings.Join(names, ",")
	if len(names) == 0 {
		value = nil
	}
	_, err := d.do(ctx, http.MethodPatch, d.path(userID), nil, map[string]any{"user_metadata": map[string]any{d.opts.RolesField: value}})
	return err
}

// EachUser implements metaroles.Store, walking every page of users.
func (d *directory) EachUser(ctx context.Context, fn func(userID string, names []string) error) error {
	first := "" // the first user of the last page
	for page := 1; ; page++ {
		env, err := d.listPage(ctx, url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(maxPageSize)}})
		if err != nil {
			return err
		}
		for i := range env.Users {
			w := &env.Users[i].Value
			if env.Users[i].Err != nil {
				return driver.Errorf(identity.Internal, "Passage returned a user the backend cannot read")
			}
			if i == 0 && page > 1 && w.ID == first {
				// A server or cache that ignores ?page= would be walked for ever.
				return driver.Errorf(identity.Internal, "Passage answered page %d with page %d again", page, page-1)
			}
			if i == 0 {
				first = w.ID
			}
			if err := fn(w.ID, d.parseRoles(w.Metadata)); err != nil {
				return err
			}
		}
		if len(env.Users) == 0 || env.Limit <= 0 || int64(page)*int64(env.Limit) >= env.Total {
			return nil
		}
	}
}
