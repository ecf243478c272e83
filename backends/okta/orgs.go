package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idport/identity"
	"github.com/idport/identity/driver"
	"github.com/idport/identity/internal/createonce"
	"github.com/idport/identity/internal/httpx"
)

// Organizations are OKTA_GROUP groups whose names start with the
// directory's orgPrefix; see the package doc. Organization roles are not
// implemented, so the directory is no driver.OrganizationRoles.
var _ driver.Organizations = (*directory)(nil)

// Cursors of organization and member listings carry Okta's after value,
// each with a prefix of its own so that one listing's cursor is not taken
// for another's.
const (
	orgCursorPrefix    = "oko1."
	memberCursorPrefix = "okm1."
)

// The group profile properties the organization's fields map to. Every
// other property is metadata.
const (
	propGroupName        = "name"
	propGroupDescription = "description"
)

// isOrgName reports whether a group name is an organization's: it starts
// with the prefix, ignoring case as Okta's q does, so that the groups a
// prefix search finds and the groups that are organizations are the same.
// The prefix is ASCII (checkPrefix), so cutting its length off a name
// cuts at a character boundary whenever the two match.
func (d *directory) isOrgName(name string) bool {
	n := len(d.orgPrefix)
	return len(name) >= n && strings.EqualFold(name[:n], d.orgPrefix)
}

func orgNotFound() error {
	return &identity.Error{Code: identity.NotFound, Field: "organization", Message: "no such organization"}
}

// missing names what a NotFound err is about, as driver.Organizations
// asks; other errors are returned as they are.
func missing(err error, field string) error {
	var ie *identity.Error
	if errors.As(err, &ie) && ie.Code == identity.NotFound {
		ie.Field = field
	}
	return err
}

// memberError names what a NotFound from a membership call is about: Okta
// names the group's id in its message when the group is missing, and the
// user is missing otherwise.
func memberError(err error, orgID, userID string) error {
	var ie *identity.Error
	if !errors.As(err, &ie) || ie.Code != identity.NotFound {
		return err
	}
	if isGroupMissing(err, orgID) {
		ie.Field = "organization"
	} else {
		ie.Field, ie.UserID = "user", userID
	}
	return err
}

// orgFields renames the fields decodeError named for a group's profile,
// which are a role's there ("name" is Role), to the organization's.
func orgFields(err error) error {
	var ie *identity.Error
	if !errors.As(err, &ie) {
		return err
	}
	switch ie.Field {
	case "Role":
		ie.Field = "Name"
	case "Metadata." + propGroupDescription:
		ie.Field = "Description"
	}
	return err
}

// checkGroupMetadata refuses keys that are the profile properties of the
// organization's fields, which a metadata write would silently turn into
// another field, and values a profile cannot hold.
func checkGroupMetadata(md map[string]any) error {
	for k, v := range md {
		if k == propGroupName || k == propGroupDescription {
			return driver.InvalidArgumentError("Metadata."+k, "metadata key %q is the Okta group profile property of an organization's field; set the field instead", k)
		}
		if v != nil {
			if err := metadataValue(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// wireOrgGroup is a group as an organization reads it: the whole profile,
// since every property but the name and description is metadata.
type wireOrgGroup struct {
	ID      string         `json:"id"`
	Type    string         `json:"type"`
	Created time.Time      `json:"created"`
	Profile map[string]any `json:"profile"`
}

func (g *wireOrgGroup) name() string { s, _ := g.Profile[propGroupName].(string); return s }

// decodeOrgGroup reads a group's JSON, keeping numbers exact, so that a
// profile read and written back changes no other property.
func decodeOrgGroup(raw json.RawMessage) (*wireOrgGroup, error) {
	var g wireOrgGroup
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&g); err != nil || g.ID == "" {
		return nil, driver.Errorf(identity.Internal, "Okta returned a group the backend cannot read")
	}
	return &g, nil
}

// toOrg returns the organization a group's JSON is, or nil for a group
// that is none: not an OKTA_GROUP, or named without the prefix.
func (d *directory) toOrg(raw json.RawMessage) (*identity.Organization, error) {
	g, err := decodeOrgGroup(raw)
	if err != nil {
		return nil, err
	}
	if g.Type != okGroup || !d.isOrgName(g.name()) {
		return nil, nil
	}
	desc, _ := g.Profile[propGroupDescription].(string)
	o := &identity.Organization{ID: g.ID, Name: g.name()[len(d.orgPrefix):], Description: desc, CreatedAt: g.Created, Raw: raw}
	for k, v := range g.Profile {
		if k == propGroupName || k == propGroupDescription || v == nil {
			continue
		}
		if o.Metadata == nil {
			o.Metadata = map[string]any{}
		}
		if n, isNum := v.(json.Number); isNum {
			// Metadata holds numbers as float64, as users' does.
			v, _ = n.Float64()
		}
		o.Metadata[k] = v
	}
	return o, nil
}

// getOrgGroup reads the group id and returns its JSON and the
// organization it is; a group that is no organization is NotFound, so
// that no organization call reaches a role's group.
func (d *directory) getOrgGroup(ctx context.Context, id string) (json.RawMessage, *identity.Organization, error) {
	var raw json.RawMessage
	if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: groupsPath(id), Out: &raw}); err != nil {
		return nil, nil, missing(err, "organization")
	}
	o, err := d.toOrg(raw)
	switch {
	case err != nil:
		return nil, nil, err
	case o == nil || o.ID != id:
		return nil, nil, orgNotFound()
	}
	return raw, o, nil
}

// CreateOrganization creates the group named with the prefix. A create
// whose answer was lost is settled by name: a group with the name and
// description that Okta says it made no earlier than the create was sent
// (allowing for clock skew) is the one it made.
func (d *directory) CreateOrganization(ctx context.Context, o driver.NewOrganization) (*identity.Organization, error) {
	if err := checkGroupMetadata(o.Metadata); err != nil {
		return nil, err
	}
	profile := map[string]any{propGroupName: d.orgPrefix + o.Name}
	if o.Description != "" {
		profile[propGroupDescription] = o.Description
	}
	maps.Copy(profile, o.Metadata)
	sent := time.Now()
	g, raw, err := d.createGroup(ctx, profile, func(g wireGroup) bool {
		return !g.Created.Before(sent.Add(-createonce.DefaultClockSkew))
	})
	if err != nil {
		return nil, orgFields(err)
	}
	if raw == nil {
		_, org, err := d.getOrgGroup(ctx, g.ID)
		return org, err
	}
	org, err := d.toOrg(raw)
	if err == nil && org == nil {
		err = driver.Errorf(identity.Internal, "Okta created a group that is not an organization")
	}
	return org, err
}

func (d *directory) GetOrganization(ctx context.Context, id string) (*identity.Organization, error) {
	_, o, err := d.getOrgGroup(ctx, id)
	return o, err
}

// UpdateOrganization reads the group and replaces its profile with the
// changes applied: Okta's group update takes a whole profile. The prefix
// keeps the case the group's name has.
func (d *directory) UpdateOrganization(ctx context.Context, id string, u driver.OrganizationUpdate) (*identity.Organization, error) {
	if err := checkGroupMetadata(u.Metadata); err != nil {
		return nil, err
	}
	raw, _, err := d.getOrgGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	g, err := decodeOrgGroup(raw)
	if err != nil {
		return nil, err
	}
	if u.Name != nil {
		g.Profile[propGroupName] = g.name()[:len(d.orgPrefix)] + *u.Name
	}
	if u.Description != nil {
		if *u.Description == "" {
			delete(g.Profile, propGroupDescription)
		} else {
			g.Profile[propGroupDescription] = *u.Description
		}
	}
	for k, v := range u.Metadata {
		if v == nil {
			delete(g.Profile, k)
		} else {
			g.Profile[k] = v
		}
	}
	var out json.RawMessage
	// The same profile written twice is the same group.
	_, err = d.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: groupsPath(id), Body: map[string]any{"profile": g.Profile}, Idempotent: true, Out: &out})
	if err != nil {
		return nil, orgFields(missing(err, "organization"))
	}
	o, err := d.toOrg(out)
	if err == nil && o == nil {
		err = driver.Errorf(identity.Internal, "Okta's updated group is not an organization")
	}
	return o, err
}

// DeleteOrganization deletes the group, which ends its memberships. The
// group is read first, so that a role's group is never deleted and a
// DELETE sent again that finds the group gone is success.
func (d *directory) DeleteOrganization(ctx context.Context, id string) error {
	if _, _, err := d.getOrgGroup(ctx, id); err != nil {
		return err
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: groupsPath(id)})
	return missing(httpx.DoneIfGone(err), "organization")
}

// orgGroups fetches one page of a group listing and returns the
// organizations on it and the after value of the next page ("" on the
// last).
func (d *directory) orgGroups(ctx context.Context, path string, q url.Values) ([]*identity.Organization, string, error) {
	var raws []json.RawMessage
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Out: &raws})
	if err != nil {
		return nil, "", err
	}
	out := make([]*identity.Organization, 0, len(raws))
	for _, raw := range raws {
		o, err := d.toOrg(raw)
		if err != nil {
			return nil, "", err
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nextAfter(resp.Header), nil
}

// afterOf reads the after value from a cursor with prefix, into q.
func afterOf(q url.Values, prefix, cursor string) error {
	if cursor == "" {
		return nil
	}
	b, ok := driver.DecodeCursor(prefix, cursor)
	if !ok {
		return driver.ForeignCursorError()
	}
	q.Set("after", string(b))
	return nil
}

// cursorRefused names the cursor in Okta's refusal of the after value
// inside it.
func cursorRefused(err error, cursor string) error {
	var ie *identity.Error
	if cursor != "" && errors.As(err, &ie) && ie.Code == identity.InvalidArgument {
		ie.Field = "cursor"
	}
	return err
}

// ListOrganizations searches the groups by the prefix (Okta's q, a
// starts-with match) and applies Query to each page, so that pages can
// hold fewer organizations than PageSize, or none, before the last.
func (d *directory) ListOrganizations(ctx context.Context, opts driver.OrganizationListOptions, cursor string) (*driver.OrganizationPage, error) {
	q := url.Values{"q": {d.orgPrefix}, "limit": {strconv.Itoa(driver.PageSize(opts.PageSize, defaultPageSize, maxPageSize))}}
	if err := afterOf(q, orgCursorPrefix, cursor); err != nil {
		return nil, err
	}
	os, after, err := d.orgGroups(ctx, groupsPath(), q)
	if err != nil {
		return nil, cursorRefused(err, cursor)
	}
	pg := &driver.OrganizationPage{Organizations: os[:0]}
	query := strings.ToLower(opts.Query)
	for _, o := range os {
		if strings.Contains(strings.ToLower(o.Name), query) {
			pg.Organizations = append(pg.Organizations, o)
		}
	}
	if after != "" {
		pg.NextCursor = driver.EncodeCursor(orgCursorPrefix, []byte(after))
	}
	return pg, nil
}

// userExists reads the user, which is NotFound naming it when missing.
// Okta's membership calls take a login where an id is expected, and
// answer a DELETE for a user that does not exist with 204, so the
// membership calls check the user first.
func (d *directory) userExists(ctx context.Context, id string) error {
	_, _, _, err := d.get(ctx, id)
	var ie *identity.Error
	if errors.As(err, &ie) && ie.Code == identity.NotFound {
		ie.Field, ie.UserID = "user", id
	}
	return err
}

// AddMembers adds the users one by one, after checking that the
// organization and every user exist: Okta has no call that adds several
// at once, so a failure part way leaves the users added before it
// members. Okta's PUT of a membership is idempotent.
func (d *directory) AddMembers(ctx context.Context, orgID string, userIDs []string) error {
	if _, _, err := d.getOrgGroup(ctx, orgID); err != nil {
		return err
	}
	for _, id := range userIDs {
		if err := d.userExists(ctx, id); err != nil {
			return err
		}
	}
	for _, id := range userIDs {
		if _, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: groupsPath(orgID, "users", id)}); err != nil {
			return memberError(err, orgID, id)
		}
	}
	return nil
}

// RemoveMember removes the user from the group; removing a non-member
// succeeds, as Okta's DELETE of a membership does.
func (d *directory) RemoveMember(ctx context.Context, orgID, userID string) error {
	if _, _, err := d.getOrgGroup(ctx, orgID); err != nil {
		return err
	}
	if err := d.userExists(ctx, userID); err != nil {
		return err
	}
	_, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: groupsPath(orgID, "users", userID)})
	return memberError(err, orgID, userID)
}

// ListMembers pages the group's members with Okta's after cursor. The
// group is read for every page, so that a cursor cannot list a role's
// members.
func (d *directory) ListMembers(ctx context.Context, orgID string, pageSize int, cursor string) (*identity.UserPage, error) {
	q := url.Values{"limit": {strconv.Itoa(driver.PageSize(pageSize, defaultPageSize, maxPageSize))}}
	if err := afterOf(q, memberCursorPrefix, cursor); err != nil {
		return nil, err
	}
	if _, _, err := d.getOrgGroup(ctx, orgID); err != nil {
		return nil, err
	}
	var ws []httpx.JSON[wireUser]
	resp, err := d.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: groupsPath(orgID, "users"), Query: q, Out: &ws})
	if err != nil {
		return nil, cursorRefused(missing(err, "organization"), cursor)
	}
	pg := &identity.UserPage{Users: make([]*identity.User, 0, len(ws))}
	for i := range ws {
		u, err := toUser(&ws[i])
		if err != nil {
			return nil, err
		}
		pg.Users = append(pg.Users, u)
	}
	if after := nextAfter(resp.Header); after != "" {
		pg.NextCursor = driver.EncodeCursor(memberCursorPrefix, []byte(after))
	}
	return pg, nil
}

// ListUserOrganizations lists the user's groups, following the Link
// header, and keeps the organizations.
func (d *directory) ListUserOrganizations(ctx context.Context, userID string) ([]*identity.Organization, error) {
	if err := d.userExists(ctx, userID); err != nil {
		return nil, err
	}
	var all []*identity.Organization
	q := url.Values{}
	for {
		os, after, err := d.orgGroups(ctx, usersPath(userID, "groups"), q)
		if err != nil {
			return nil, missing(err, "user")
		}
		all = append(all, os...)
		if after == "" || after == q.Get("after") {
			return all, nil
		}
		q.Set("after", after)
	}
}
