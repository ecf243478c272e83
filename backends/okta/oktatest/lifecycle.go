package oktatest

import (
	"net/http"
	"strconv"

	"github.com/idport/identity/internal/emulate"
)

// lifecycleOps are the POST /api/v1/users/{id}/lifecycle/{op} calls the
// emulator serves; any other op is 404.
var lifecycleOps = []string{"activate", "reactivate", "deactivate", "suspend", "unsuspend", "unlock", "expire_password", "reset_password",
	"expire_password_with_temp_password", "reset_factors"}

// flag reads a boolean query parameter; absent, or not a boolean, is def.
func flag(r *http.Request, name string, def bool) bool {
	if b, err := strconv.ParseBool(r.URL.Query().Get(name)); err == nil {
		return b
	}
	return def
}

// activationToken is the UserActivationToken body of activate and
// reactivate when no email is sent.
func activationToken(r *http.Request) map[string]string {
	tok := emulate.ID(emulate.Base62, 20)
	return map[string]string{"activationToken": tok, "activationUrl": requestOrigin(r) + "/welcome/" + tok}
}

// lifecycle runs one lifecycle call on the user with id, following
// SEMANTICS.md section 1.7:
//
//   - activate: STAGED or DEPROVISIONED to ACTIVE with a password, to
//     PROVISIONED without; {activationToken, activationUrl} when
//     sendEmail=false, {} otherwise; any other status 403 E0000016.
//   - reactivate: PROVISIONED or RECOVERY, status unchanged (the
//     activation restarts; Unpublished); the token unless sendEmail=true;
//     otherwise 403 E0000038.
//   - deactivate: to DEPROVISIONED, 200 with no body; the password is
//     deleted, as Okta's help says of deactivated users ("the password is
//     permanently deleted"), so that activate leaves the user PROVISIONED,
//     and its sessions and refresh tokens end (Unpublished, but a
//     deactivated user cannot sign in). Factors and IdP links stay
//     (Unpublished). On a user already DEPROVISIONED: 403 E0000038
//     (Unpublished).
//   - suspend: ACTIVE only, otherwise 400 E0000001. unsuspend: SUSPENDED
//     only, otherwise 400 E0000001. Both 200 with no body. The E0000001
//     summary names "status" and the cause is an Unpublished wording.
//   - unlock: LOCKED_OUT to ACTIVE; otherwise 403 E0000038 (Unpublished).
//   - expire_password: ACTIVE or PASSWORD_EXPIRED with a password, to
//     PASSWORD_EXPIRED, answering the User; otherwise 403 E0000038
//     (Unpublished).
//   - reset_password: ACTIVE, PASSWORD_EXPIRED, RECOVERY or LOCKED_OUT to
//     RECOVERY; {resetPasswordUrl} when sendEmail=false, {} otherwise; a
//     missing sendEmail is taken as true. Other statuses 403 E0000038
//     (all Unpublished: the spec states no precondition).
//     revokeSessions=true ends the user's sessions.
//   - expire_password_with_temp_password: from the statuses reset_password
//     takes, to PASSWORD_EXPIRED with a new random password, answering
//     {tempPassword}; revokeSessions=true ends the user's sessions. Other
//     statuses 403 E0000038 (Unpublished).
//   - reset_factors: every factor of the user is unenrolled, in any
//     status, with or without factors; 200 with no body, the status
//     unchanged (Unpublished: the document states no precondition).
func (e *Emulator) lifecycle(r *http.Request, id, op string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(id)
	if u == nil {
		return notFound(id, "User")
	}
	switch op {
	case "activate":
		if u.status != staged && u.status != deprovisioned {
			return fail(http.StatusForbidden, "E0000016", "Activation failed because the user is already active")
		}
		if u.pw != nil {
			e.setStatus(u, active)
		} else {
			e.setStatus(u, provisioned)
		}
		if !flag(r, "sendEmail", true) {
			return ok(activationToken(r))
		}
		return ok(map[string]any{})
	case "reactivate":
		if u.status != provisioned && u.status != recovery {
			return wrongStatus()
		}
		e.touch(u, true)
		if flag(r, "sendEmail", false) {
			return ok(map[string]any{})
		}
		return ok(activationToken(r))
	case "deactivate":
		if u.status == deprovisioned {
			return wrongStatus()
		}
		e.deactivate(u)
		return empty()
	case "suspend":
		if u.status != active {
			return invalid("status", "status: Cannot suspend a user that is not active")
		}
		e.setStatus(u, suspended)
		return empty()
	case "unsuspend":
		if u.status != suspended {
			return invalid("status", "status: Cannot unsuspend a user that is not suspended")
		}
		e.setStatus(u, active)
		return empty()
	case "unlock":
		if u.status != lockedOut {
			return wrongStatus()
		}
		e.setStatus(u, active)
		return empty()
	case "expire_password":
		if u.pw == nil || u.status != active && u.status != passwordExpired {
			return wrongStatus()
		}
		e.setStatus(u, passwordExpired)
		return ok(e.userJSON(u, requestOrigin(r), true))
	case "reset_password":
		switch u.status {
		case active, passwordExpired, recovery, lockedOut:
		default:
			return wrongStatus()
		}
		e.setStatus(u, recovery)
		if flag(r, "revokeSessions", false) {
			endSessions(u, false)
		}
		if !flag(r, "sendEmail", true) {
			return ok(map[string]string{"resetPasswordUrl": requestOrigin(r) + "/reset_password/" + emulate.ID(emulate.Base62, 20)})
		}
		return ok(map[string]any{})
	case "expire_password_with_temp_password":
		switch u.status {
		case active, passwordExpired, recovery, lockedOut:
		default:
			return wrongStatus()
		}
		pw := newTempPassword()
		e.setPassword(u, pw)
		e.setStatus(u, passwordExpired)
		if flag(r, "revokeSessions", false) {
			endSessions(u, false)
		}
		return ok(map[string]string{"tempPassword": pw})
	case "reset_factors":
		u.factors = nil
		e.touch(u, true)
		return empty()
	}
	return notFound(r.URL.Path, "Resource")
}

// deactivate makes the user DEPROVISIONED, deleting its password and
// ending its sessions and refresh tokens. Callers hold e.mu.
func (e *Emulator) deactivate(u *user) {
	u.pw = nil
	endSessions(u, true)
	e.setStatus(u, deprovisioned)
}

// changeAllowed is where change_password may be used.
func changeAllowed(status string) bool {
	switch status {
	case staged, active, passwordExpired, recovery:
		return true
	}
	return false
}

// changePassword is the user's own change: the old password must match,
// the new one meet the policy and differ from the old. It brings a
// PASSWORD_EXPIRED or RECOVERY user back to ACTIVE and answers the
// credentials. Wrong status 403 E0000035; wrong old password or policy
// failure 403 E0000014 with the cause. Unpublished: a new password equal
// to the old is 403 E0000014 with the cause "password: Password cannot be
// your current password" (the default policy's history of one), and a
// missing oldPassword or newPassword is 400 E0000001.
func (e *Emulator) changePassword(r *http.Request, p []string) reply {
	var b struct {
		Old *struct {
			Value *string `json:"value"`
		} `json:"oldPassword"`
		New *struct {
			Value *string `json:"value"`
		} `json:"newPassword"`
	}
	if rp, good := readBody(r, &b); !good {
		return rp
	}
	if b.Old == nil || b.Old.Value == nil {
		return invalid("oldPassword", "oldPassword: The field cannot be left blank")
	}
	if b.New == nil || b.New.Value == nil {
		return invalid("newPassword", "newPassword: The field cannot be left blank")
	}
	oldPw, newPw := *b.Old.Value, *b.New.Value
	credentialsFailed := func(cause string) reply {
		return fail(http.StatusForbidden, "E0000014", "Update of credentials failed", cause)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(p[0])
	if u == nil {
		return notFound(p[0], "User")
	}
	if !changeAllowed(u.status) {
		return fail(http.StatusForbidden, "E0000035", "Change password not allowed on specified user.")
	}
	if !u.passwordIs(oldPw) {
		return credentialsFailed("oldPassword: The credentials provided were incorrect.")
	}
	if !meetsPolicy(newPw, u.login()) {
		return credentialsFailed(policyText)
	}
	if newPw == oldPw {
		return credentialsFailed("password: Password cannot be your current password")
	}
	e.setPassword(u, newPw)
	if u.status == passwordExpired || u.status == recovery {
		e.setStatus(u, active)
	}
	e.touch(u, true)
	return ok(map[string]any{"password": map[string]any{}, "provider": map[string]string{"type": "OKTA", "name": "OKTA"}})
}
