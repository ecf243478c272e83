package oktatest

import (
	"net/http"
	"time"

	"github.com/idport/identity/internal/emulate"
)

// transactionLife is how long an authentication transaction's tokens
// live; Okta's examples show five minutes.
const transactionLife = 5 * time.Minute

// authnFailed is the one answer for every failure, so that the caller
// cannot tell an unknown user from a wrong password.
func authnFailed() reply {
	return fail(http.StatusUnauthorized, "E0000004", "Authentication failed")
}

// authn is primary authentication, POST /api/v1/authn. It needs no API
// token but counts against the quota. An ACTIVE user with the right
// password gets SUCCESS with a session token (and a new lastLogin); a
// PASSWORD_EXPIRED one PASSWORD_EXPIRED with a state token; with
// Options.MFARequired both get MFA_REQUIRED instead, as Okta challenges
// for a factor before reporting an expired password. A LOCKED_OUT user
// gets 200 LOCKED_OUT whatever the password, as under a password policy
// that shows lockout failures (Okta's default hides them: 401, which
// Options.HideLockoutFailures gives). A wrong password, an unknown user
// and a user in any other status get 401 E0000004; so, Unpublished, do a
// missing username or password and a RECOVERY user. With
// Options.LockoutAttempts, consecutive failures lock the user out; the
// failure that locks still answers 401 (Unpublished).
func (e *Emulator) authn(r *http.Request, _ []string) reply {
	var b struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if rp, good := readBody(r, &b); !good {
		return rp
	}
	if b.Username == "" || b.Password == "" {
		return authnFailed()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(b.Username)
	if u == nil {
		return authnFailed()
	}
	if u.status == lockedOut {
		if e.opts.HideLockoutFailures {
			return authnFailed()
		}
		return ok(map[string]any{"status": lockedOut, "_links": map[string]any{"next": map[string]any{
			"name": "unlock", "href": requestOrigin(r) + "/api/v1/authn/recovery/unlock", "hints": map[string]any{"allow": []string{"POST"}},
		}}})
	}
	if u.status != active && u.status != passwordExpired {
		return authnFailed()
	}
	if !u.passwordIs(b.Password) {
		u.failures++
		if e.opts.LockoutAttempts > 0 && u.failures >= e.opts.LockoutAttempts {
			e.setStatus(u, lockedOut)
		}
		return authnFailed()
	}
	u.failures = 0
	now := e.opts.Now()
	embedded := map[string]any{"user": authnUser(u)}
	stateful := func(status string, next map[string]any) reply {
		body := map[string]any{
			"stateToken": "00" + emulate.ID(emulate.Base62, 40), "expiresAt": stamp(now.Add(transactionLife)),
			"status": status, "_embedded": embedded,
		}
		if next != nil {
			body["_links"] = map[string]any{"next": next}
		}
		return ok(body)
	}
	switch {
	case e.opts.MFARequired:
		embedded["factors"] = []any{}
		return stateful("MFA_REQUIRED", nil)
	case u.status == passwordExpired:
		return stateful(passwordExpired, map[string]any{
			"name": "changePassword", "href": requestOrigin(r) + "/api/v1/authn/credentials/change_password",
			"hints": map[string]any{"allow": []string{"POST"}},
		})
	}
	u.lastLogin = now
	e.touch(u, false)
	return ok(map[string]any{
		"expiresAt": stamp(now.Add(transactionLife)), "status": "SUCCESS",
		"sessionToken": "20111" + emulate.ID(emulate.Base62, 37), "_embedded": embedded,
	})
}

// authnUser is the user as an authentication transaction embeds it.
func authnUser(u *user) map[string]any {
	str := func(k, def string) string {
		if s, _ := u.profile[k].(string); s != "" {
			return s
		}
		return def
	}
	return map[string]any{
		"id": u.id, "passwordChanged": nullStamp(u.passwordChanged),
		"profile": map[string]any{
			"login": u.login(), "firstName": str("firstName", ""), "lastName": str("lastName", ""),
			"locale": str("locale", "en_US"), "timeZone": str("timezone", "America/Los_Angeles"),
		},
	}
}
