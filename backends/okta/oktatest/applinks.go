package oktatest

import "net/http"

// AppLink is one app a user can launch from the Okta dashboard, the
// AssignedAppLink object of GET /api/v1/users/{id}/appLinks. Okta derives
// these from the user's direct and group app assignments; the emulator
// has no apps, so a test assigns them with AddAppLink.
type AppLink struct {
	ID               string `json:"id"`
	Label            string `json:"label"`
	LinkURL          string `json:"linkUrl"`
	LogoURL          string `json:"logoUrl"`
	AppName          string `json:"appName"`
	AppInstanceID    string `json:"appInstanceId"`
	AppAssignmentID  string `json:"appAssignmentId"`
	CredentialsSetup bool   `json:"credentialsSetup"`
	Hidden           bool   `json:"hidden"`
	SortOrder        int    `json:"sortOrder"`
}

// AddAppLink gives the user with this id or login an app link, served as
// given (the emulator fills in nothing) after those added before. It
// reports false, adding nothing, when there is no such user. The links
// go when the user is deleted.
func (e *Emulator) AddAppLink(userID string, link AppLink) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(userID)
	if u == nil {
		return false
	}
	u.appLinks = append(u.appLinks, link)
	return true
}

// listAppLinks answers 200 with the user's app links, an empty array when
// there are none. The list is not paged: Okta's operation takes no limit
// or after.
func (e *Emulator) listAppLinks(_ *http.Request, p []string) reply {
	return e.withUser(p[0], func(u *user) reply {
		return ok(append([]AppLink{}, u.appLinks...))
	})
}
