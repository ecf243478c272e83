package migrate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/idport/identity"
)

// catalogue is what Copy knows of the destination's roles, organizations
// and organization roles, and what it created of them. It is safe for
// concurrent use: each is looked up once, and created at most once.
type catalogue struct {
	c *copier

	mu         sync.Mutex
	roleSet    map[string]*identity.Role // nil until read
	orgRoleSet map[string]*identity.OrganizationRole
	orgs       map[string]*orgRef
	made       []Made
	losses     []Loss

	// The source's catalogue, by name, for what Copy creates.
	srcRoles    map[string]identity.Role
	srcOrgs     map[string]identity.NewOrganization
	srcOrgRoles map[string]identity.OrganizationRole
}

// orgRef is one organization of the destination, by the source's name.
type orgRef struct {
	mu    sync.Mutex
	ready bool
	// id is "" in a dry run for one that would be created.
	id  string
	org *identity.Organization
	// note, when set, is the loss every member of it is told.
	note string
}

func (k *catalogue) madeList() []Made {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.made)
}

func (k *catalogue) addMade(kind, name string) {
	k.made = append(k.made, Made{Kind: kind, Name: name})
}

func (k *catalogue) loss(field, format string, args ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.losses = append(k.losses, Loss{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// ensure creates in the destination what the source's catalogue lists
// and the destination lacks, and names what it cannot carry.
func (k *catalogue) ensure(ctx context.Context, cat *Catalogue) error {
	if cat == nil {
		return nil
	}
	caps := k.c.caps
	k.srcRoles, k.srcOrgs, k.srcOrgRoles = map[string]identity.Role{}, map[string]identity.NewOrganization{}, map[string]identity.OrganizationRole{}
	for _, r := range cat.Roles {
		k.srcRoles[r.Name] = r
	}
	for _, o := range cat.Organizations {
		k.srcOrgs[o.Name] = o
	}
	for _, r := range cat.OrganizationRoles {
		k.srcOrgRoles[r.Name] = r
	}
	ls := &lossSet{}
	if len(cat.Roles) > 0 {
		if !caps.Roles {
			k.loss("Roles", "the destination has no roles; the source's roles %s are not carried", names(cat.Roles, func(r identity.Role) string { return r.Name }))
		} else {
			want := names(cat.Roles, func(r identity.Role) string { return r.Name })
			if _, err := k.roles(ctx, strings.Split(want, ", "), ls); err != nil {
				return err
			}
			for _, r := range cat.Roles {
				k.mu.Lock()
				have := k.roleSet[r.Name]
				k.mu.Unlock()
				if have != nil && r.Description != "" && have.Description != r.Description {
					k.loss("Roles."+r.Name+".Description", "the destination's role has another description; left as it is")
				}
			}
		}
	}
	if len(cat.Organizations) > 0 {
		if !caps.Organizations {
			k.loss("Organizations", "the destination has no organizations; the source's organizations %s are not carried",
				names(cat.Organizations, func(o identity.NewOrganization) string { return o.Name }))
		} else {
			for _, o := range cat.Organizations {
				ref, err := k.org(ctx, o.Name, ls)
				if err != nil {
					return err
				}
				if ref.org == nil {
					continue
				}
				if o.Description != "" && ref.org.Description != o.Description {
					k.loss("Organizations."+o.Name+".Description", "the destination's organization has another description; left as it is")
				}
				for _, key := range sortedKeys(o.Metadata) {
					if caps.OrganizationMetadata && !sameJSON(ref.org.Metadata[key], o.Metadata[key]) {
						k.loss("Organizations."+o.Name+".Metadata."+key, "the destination's organization has another value; left as it is")
					}
				}
			}
		}
	}
	if len(cat.OrganizationRoles) > 0 {
		if !caps.OrganizationRoles {
			k.loss("OrganizationRoles", "the destination has no organization roles; the source's %s are not carried",
				names(cat.OrganizationRoles, func(r identity.OrganizationRole) string { return r.Name }))
		} else {
			want := names(cat.OrganizationRoles, func(r identity.OrganizationRole) string { return r.Name })
			if _, err := k.orgRoles(ctx, strings.Split(want, ", "), "OrganizationRoles", ls); err != nil {
				return err
			}
			for _, r := range cat.OrganizationRoles {
				k.mu.Lock()
				have := k.orgRoleSet[r.Name]
				k.mu.Unlock()
				if have == nil {
					continue
				}
				if r.Description != "" && have.Description != r.Description {
					k.loss("OrganizationRoles."+r.Name+".Description", "the destination's organization role has another description; left as it is")
				}
				if caps.OrganizationPermissions && !slices.Equal(slices.Sorted(slices.Values(have.Permissions)), slices.Sorted(slices.Values(r.Permissions))) {
					k.loss("OrganizationRoles."+r.Name+".Permissions", "the destination's organization role has the permissions [%s], the source's [%s]; left as it is",
						strings.Join(have.Permissions, ", "), strings.Join(r.Permissions, ", "))
				}
			}
		}
	}
	k.mu.Lock()
	k.losses = append(k.losses, ls.list...)
	k.mu.Unlock()
	return nil
}

func names[T any](xs []T, name func(T) string) string {
	ns := make([]string, 0, len(xs))
	for _, x := range xs {
		ns = append(ns, name(x))
	}
	return strings.Join(ns, ", ")
}

// roles returns those of names the destination has, sorted, creating
// those it lacks where it has a role catalogue; those it can neither
// find nor create are losses in ls.
func (k *catalogue) roles(ctx context.Context, want []string, ls *lossSet) ([]string, error) {
	c := k.c
	return ensureRoles(ctx, k, &k.roleSet, roleKind[identity.Role]{
		what: "role", field: "Roles",
		list:   c.dst.ListRoles,
		create: c.dst.CreateRole,
		name:   func(r *identity.Role) string { return r.Name },
		build: func(n string) (identity.Role, bool) {
			if !c.caps.RoleCatalog {
				ls.add("Roles", "the destination has no role %q, and its roles are a fixed set; the role is not carried", n)
				return identity.Role{}, false
			}
			return identity.Role{Name: n, Description: k.srcRoles[n].Description}, true
		},
	}, want, ls)
}

// orgRoles is roles for the catalogue of organization roles; field is
// the Loss field for one it cannot carry.
func (k *catalogue) orgRoles(ctx context.Context, want []string, field string, ls *lossSet) ([]string, error) {
	c := k.c
	return ensureRoles(ctx, k, &k.orgRoleSet, roleKind[identity.OrganizationRole]{
		what: "organization role", field: field,
		list:   c.dst.ListOrganizationRoles,
		create: c.dst.CreateOrganizationRole,
		name:   func(r *identity.OrganizationRole) string { return r.Name },
		build: func(n string) (identity.OrganizationRole, bool) {
			src := k.srcOrgRoles[n]
			r := identity.OrganizationRole{Name: n, Description: src.Description, Permissions: src.Permissions}
			if len(r.Permissions) > 0 && !c.caps.OrganizationPermissions {
				k.losses = append(k.losses, Loss{Field: "OrganizationRoles." + n + ".Permissions",
					Reason: fmt.Sprintf("the destination's organization roles carry no permissions; [%s] are not carried", strings.Join(r.Permissions, ", "))})
				r.Permissions = nil
			}
			return r, true
		},
	}, want, ls)
}

// roleKind is what ensureRoles needs of one catalogue of roles.
type roleKind[R any] struct {
	what, field string // the kind in a loss's reason, and the loss's field
	list        func(context.Context) ([]*R, error)
	create      func(context.Context, R) (*R, error)
	name        func(*R) string
	// build returns the role to create for a name the destination
	// lacks, or false, having named the loss, where none can be.
	build func(name string) (R, bool)
}

// ensureRoles returns those of want that *set (read from the destination
// on first use) holds, sorted, creating the others as kind builds them;
// a role the destination refuses is a loss in ls. It holds k.mu
// throughout, so that concurrent users create a role once.
func ensureRoles[R any](ctx context.Context, k *catalogue, set *map[string]*R, kind roleKind[R], want []string, ls *lossSet) ([]string, error) {
	out := []string{}
	if len(want) == 0 {
		return out, nil
	}
	c := k.c
	k.mu.Lock()
	defer k.mu.Unlock()
	if *set == nil {
		var rs []*R
		if err := retry(ctx, c.retries, func() (err error) { rs, err = kind.list(ctx); return err }); err != nil {
			return nil, err
		}
		*set = map[string]*R{}
		for _, r := range rs {
			(*set)[kind.name(r)] = r
		}
	}
	for _, n := range want {
		if (*set)[n] != nil {
			out = append(out, n)
			continue
		}
		r, ok := kind.build(n)
		if !ok {
			continue
		}
		if !c.dry {
			var got *R
			err := retry(ctx, c.retries, func() (err error) { got, err = kind.create(ctx, r); return err })
			switch identity.CodeOf(err) {
			case identity.Unknown:
				if err != nil {
					return nil, err
				}
				r = *got
			case identity.AlreadyExists:
				// Made by another process meanwhile.
			case identity.InvalidArgument:
				ls.add(kind.field, "the destination refused to create the %s %q: %s; the %s is not carried", kind.what, n, message(err), kind.what)
				continue
			default:
				return nil, err
			}
		}
		(*set)[n] = &r
		k.addMade(kind.what, n)
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// org returns the destination's organization of the source's name,
// creating it where there is none. Where the name matches more than one,
// or matches only ignoring case, the loss goes to ls.
func (k *catalogue) org(ctx context.Context, name string, ls *lossSet) (*orgRef, error) {
	k.mu.Lock()
	if k.orgs == nil {
		k.orgs = map[string]*orgRef{}
	}
	ref := k.orgs[name]
	if ref == nil {
		ref = &orgRef{}
		k.orgs[name] = ref
	}
	k.mu.Unlock()
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if !ref.ready {
		if err := k.findOrg(ctx, name, ref, true); err != nil {
			return nil, err
		}
		ref.ready = true
	}
	if ref.note != "" {
		ls.add("Organizations."+name, "%s", ref.note)
	}
	return ref, nil
}

// findOrg looks the organization up by name, and creates it when create
// is set and there is none.
func (k *catalogue) findOrg(ctx context.Context, name string, ref *orgRef, create bool) error {
	c := k.c
	var exact, folded []*identity.Organization
	err := retry(ctx, c.retries, func() error {
		exact, folded = nil, nil
		for o, err := range c.dst.ListOrganizations(ctx, identity.OrganizationListOptions{Query: name}) {
			if err != nil {
				return err
			}
			switch {
			case o.Name == name:
				exact = append(exact, o)
			case strings.EqualFold(o.Name, name):
				folded = append(folded, o)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case len(exact) == 1:
		ref.id, ref.org = exact[0].ID, exact[0]
		return nil
	case len(exact) > 1:
		ref.id, ref.org = exact[0].ID, exact[0]
		ref.note = fmt.Sprintf("the destination has %d organizations named %q; the user is made a member of the first listed, %s", len(exact), name, exact[0].ID)
		return nil
	case len(folded) > 0:
		ref.id, ref.org = folded[0].ID, folded[0]
		ref.note = fmt.Sprintf("the destination's organization of that name is %q, which differs in case; the user is made a member of it", folded[0].Name)
		return nil
	case !create:
		return &identity.Error{Code: identity.NotFound, Op: "migrate", Field: "organization", Organization: name,
			Message: "the destination said the organization exists, and no listing finds it"}
	}
	src := k.srcOrgs[name]
	no := identity.NewOrganization{Name: name, Description: src.Description, Metadata: maps.Clone(src.Metadata)}
	if len(no.Metadata) > 0 && !c.caps.OrganizationMetadata {
		k.loss("Organizations."+name+".Metadata", "the destination's organizations carry no metadata; the keys %s are not carried", keyList(no.Metadata))
		no.Metadata = nil
	}
	made := func() {
		k.mu.Lock()
		k.addMade("organization", name)
		k.mu.Unlock()
	}
	if c.dry {
		made()
		return nil
	}
	var got *identity.Organization
	err = retry(ctx, c.retries, func() (err error) { got, err = c.dst.CreateOrganization(ctx, no); return err })
	if identity.CodeOf(err) == identity.AlreadyExists {
		// Made meanwhile by another process; it is found now.
		return k.findOrg(ctx, name, ref, false)
	}
	if err != nil {
		return err
	}
	made()
	ref.id, ref.org = got.ID, got
	return nil
}
