package kratos

import (
	"context"
	"net/http"
	"net/url"

	"github.com/idport/identity"
	"github.com/idport/identity/internal/httpx"
)

// roleNames reads the role names an identity's metadata_admin holds.
func (d *directory) roleNames(w *wireIdentity) []string {
	list, _ := w.MetadataAdmin[d.opts.RolesKey].([]any)
	names := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			names = append(names, s)
		}
	}
	return names
}

// UserRoles implements metaroles.Store.
func (d *directory) UserRoles(ctx context.Context, userID string) ([]string, error) {
	_, w, err := d.read(ctx, userID)
	if err != nil {
		return nil, err
	}
	return d.roleNames(w), nil
}

// SetUserRoles implements metaroles.Store: one patch of the roles key,
// which sets a value, so it is safe to send again.
func (d *directory) SetUserRoles(ctx context.Context, userID string, names []string) error {
	_, _, err := d.call(ctx, &httpx.Request{Method: http.MethodPatch, Path: identityPath(userID),
		Body: []patchOp{{Op: "add", Path: pointer("metadata_admin", d.opts.RolesKey), Value: append([]string{}, names...)}}, Idempotent: true})
	return err
}

// EachUser implements metaroles.Store.
func (d *directory) EachUser(ctx context.Context, fn func(userID string, names []string) error) error {
	return d.each(ctx, url.Values{}, func(u *identity.User, w *wireIdentity) error {
		return fn(u.ID, d.roleNames(w))
	})
}
