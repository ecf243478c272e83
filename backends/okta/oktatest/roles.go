package oktatest

import (
	"net/http"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// roleLabels are Okta's standard admin roles and the labels it shows.
var roleLabels = map[string]string{
	"ACCESS_CERTIFICATIONS_ADMIN": "Access Certifications Administrator",
	"ACCESS_REQUESTS_ADMIN":       "Access Requests Administrator",
	"API_ACCESS_MANAGEMENT_ADMIN": "API Access Management Administrator",
	"APP_ADMIN":                   "Application Administrator",
	"GROUP_MEMBERSHIP_ADMIN":      "Group Membership Administrator",
	"HELP_DESK_ADMIN":             "Help Desk Administrator",
	"ORG_ADMIN":                   "Organizational Administrator",
	"READ_ONLY_ADMIN":             "Read Only Administrator",
	"REPORT_ADMIN":                "Report Administrator",
	"SUPER_ADMIN":                 "Super Administrator",
	"USER_ADMIN":                  "User Administrator",
	"WORKFLOWS_ADMIN":             "Workflows Administrator",
}

type roleAssignment struct {
	id      string
	typ     string
	created time.Time
}

func (ra *roleAssignment) json(origin, uid string) map[string]any {
	return map[string]any{
		"id": ra.id, "type": ra.typ, "label": roleLabels[ra.typ], "status": "ACTIVE", "assignmentType": "USER",
		"created": stamp(ra.created), "lastUpdated": stamp(ra.created),
		"_links": map[string]any{"assignee": map[string]string{"href": origin + "/api/v1/users/" + uid}},
	}
}

// withUser runs fn on the user under the lock, or answers 404 "(User)".
func (e *Emulator) withUser(id string, fn func(*user) reply) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(id)
	if u == nil {
		return notFound(id, "User")
	}
	return fn(u)
}

func (e *Emulator) listRoles(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		out := make([]map[string]any, 0, len(u.roles))
		for _, ra := range u.roles {
			out = append(out, ra.json(requestOrigin(r), u.id))
		}
		return ok(out)
	})
}

// assignRole assigns a standard admin role, answering 201 with the
// assignment. A type that is not a standard role is 400 E0000001; custom
// roles (type CUSTOM with a resource set) are not emulated and get the
// same answer (both Unpublished). A role the user already has is 409
// E0000090.
func (e *Emulator) assignRole(r *http.Request, p []string) reply {
	var b struct {
		Type string `json:"type"`
	}
	if rp, good := readBody(r, &b); !good {
		return rp
	}
	if _, known := roleLabels[b.Type]; !known {
		return invalid("type", "type: The role type is not a standard role the emulator knows")
	}
	return e.withUser(p[0], func(u *user) reply {
		for _, ra := range u.roles {
			if ra.typ == b.Type {
				return fail(http.StatusConflict, "E0000090", "The role specified is already assigned to the user.")
			}
		}
		ra := &roleAssignment{id: "ra1" + emulate.ID(emulate.Base62, 17), typ: b.Type, created: e.opts.Now()}
		u.roles = append(u.roles, ra)
		return emulate.JSON(http.StatusCreated, ra.json(requestOrigin(r), u.id))
	})
}

// roleNotFound is the 404 E0000007 for an assignment id the user does not
// have ("(Role)" in the summary is Unpublished).
func roleNotFound(id string) reply { return notFound(id, "Role") }

func (e *Emulator) getRole(r *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		for _, ra := range u.roles {
			if ra.id == p[1] {
				return ok(ra.json(requestOrigin(r), u.id))
			}
		}
		return roleNotFound(p[1])
	})
}

func (e *Emulator) unassignRole(_ *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		for i, ra := range u.roles {
			if ra.id == p[1] {
				u.roles = append(u.roles[:i:i], u.roles[i+1:]...)
				return noContent()
			}
		}
		return roleNotFound(p[1])
	})
}
