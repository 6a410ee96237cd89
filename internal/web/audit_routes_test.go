package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/i18n"
)

// arRow is one audit row as stored.
type arRow struct {
	ID                                        int64
	Action, ObjectType, ObjectID, Actor       string
	Before, After, RequestID, ClientAddr, Det string
}

func (r arRow) text() string {
	return strings.Join([]string{r.Action, r.ObjectType, r.ObjectID, r.Actor, r.Before, r.After, r.RequestID, r.ClientAddr, r.Det}, "\n")
}

func arLastID(f *fixture) int64 {
	f.t.Helper()
	var id int64
	if err := f.DB.R.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// arRowsAfter returns the audit rows written after row id, oldest first.
func arRowsAfter(f *fixture, id int64) []arRow {
	f.t.Helper()
	rows, err := f.DB.R.Query(`SELECT id, action, object_type, object_id, actor_login, before_json, after_json, request_id, client_addr, detail
		FROM audit_log WHERE id > $1 ORDER BY id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []arRow
	for rows.Next() {
		var r arRow
		if err := rows.Scan(&r.ID, &r.Action, &r.ObjectType, &r.ObjectID, &r.Actor, &r.Before, &r.After, &r.RequestID, &r.ClientAddr, &r.Det); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// arField reads a dotted path ("name.en") from a JSON document.
func arField(doc, path string) (any, bool) {
	if doc == "" {
		return nil, false
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return nil, false
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

type arSentinel string

const (
	arAbsent arSentinel = "(absent or null)"
	arSet    arSentinel = "(set)"
)

func arMatches(doc, path string, want any) (any, bool) {
	got, found := arField(doc, path)
	switch want {
	case arAbsent:
		return got, !found || got == nil
	case arSet:
		return got, found && got != nil
	}
	return got, found && fmt.Sprint(got) == fmt.Sprint(want)
}

// arChange is a field the audit row must show changing from before to after.
type arChange struct {
	field         string
	before, after any
}

// arCall is one successful call of a mutating route and what its single
// audit row must say.
type arCall struct {
	method, path string
	token        string            // bearer token (API)
	ui           *pmSession        // session cookie and CSRF token (UI)
	json         any               // API body
	form         url.Values        // UI body
	header       map[string]string // e.g. If-Match
	status       int

	action, objectType, actor string
	objectID                  func(res result) string
	changes                   []arChange
	secrets                   []string // must appear nowhere in the row
	secretsFrom               func(res result) []string

	// invalid, when set, is a body (JSON for the API, url.Values for the UI)
	// that fails validation: sent first, it must write nothing.
	invalid any
}

func arID(id int64) func(result) string { return func(result) string { return fmt.Sprint(id) } }

// arCreatedID is the id of the object a create returned.
func arCreatedID(res result) string {
	if v, ok := res.JSON["id"].(float64); ok {
		return fmt.Sprint(int64(v))
	}
	return "(no id in response)"
}

// arLocationID is the last path segment of the redirect after a UI create.
func arLocationID(res result) string {
	loc, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	return loc[strings.LastIndex(loc, "/")+1:]
}

func (c arCall) send(f *fixture, body any) result {
	f.t.Helper()
	h := map[string]string{}
	for k, v := range c.header {
		h[k] = v
	}
	var b any
	switch v := body.(type) {
	case url.Values:
		b = v.Encode()
		h["Content-Type"] = "application/x-www-form-urlencoded"
	case nil:
	default:
		b = v
	}
	if c.ui != nil {
		h["Cookie"] = "concord_session=" + c.ui.token
		h["X-CSRF-Token"] = c.ui.csrf
	}
	return f.do(c.method, c.path, c.token, b, h)
}

// arGet reads an object through the API and returns its JSON and version.
func arGet(f *fixture, path, token string) (map[string]any, int) {
	f.t.Helper()
	res := f.do("GET", path, token, nil, nil)
	if res.StatusCode != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Body)
	}
	return res.JSON, int(res.JSON["version"].(float64))
}

func arIfMatch(version int) map[string]string {
	return map[string]string{"If-Match": fmt.Sprintf(`"v%d"`, version)}
}

// arNewUser creates a user through the API as the security administrator.
func arNewUser(f *fixture, login string, role access.Role) int64 {
	f.t.Helper()
	res := f.do("POST", "/api/v1/users", f.token("sec-admin"), map[string]any{
		"login": login, "name": login, "unit_id": f.Own.ID, "password": testPassword, "roles": []access.Role{role}}, nil)
	if res.StatusCode != http.StatusCreated {
		f.t.Fatalf("create user %s: %d %s", login, res.StatusCode, res.Body)
	}
	return int64(res.JSON["id"].(float64))
}

func arNewToken(f *fixture, token, name string) int64 {
	f.t.Helper()
	res := f.do("POST", "/api/v1/me/tokens", token, map[string]string{"name": name}, nil)
	if res.StatusCode != http.StatusCreated {
		f.t.Fatalf("create token: %d %s", res.StatusCode, res.Body)
	}
	return int64(res.JSON["id"].(float64))
}

func arAreaIDs(f *fixture) []int64 {
	f.t.Helper()
	rows, err := f.DB.R.Query(`SELECT id FROM areas ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

const (
	arNewPassword   = "New-Password-2019"
	arResetPassword = "Reset-Password-2021"
)

// arCases has one entry per mutating route (API and UI), keyed "METHOD
// PATTERN"; each prepares its objects and returns the call to measure.
func arCases() map[string]func(f *fixture) arCall {
	cases := arFoundationCases()
	for _, more := range []map[string]func(f *fixture) arCall{arPlanAPICases(), arPlanUICases(), arNotifyCases(), arInspectCases(), arMeetingCases(), arScoreCases(), arBulletinCases(), arWaterBriefCases(), arWaterCases()} {
		for k, c := range more {
			cases[k] = c
		}
	}
	return cases
}

func arFoundationCases() map[string]func(f *fixture) arCall {
	return map[string]func(f *fixture) arCall{
		// ---- API ----
		"POST /api/v1/session": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/session",
				json: map[string]string{"login": "viewer", "password": testPassword}, status: 201,
				action: "login", objectType: "user", actor: "viewer", objectID: arID(f.Users[access.Viewer].ID),
				secrets: []string{testPassword}, secretsFrom: func(res result) []string { return []string{fmt.Sprint(res.JSON["token"])} },
				invalid: map[string]any{"login": 5}}
		},
		"DELETE /api/v1/session": func(f *fixture) arCall {
			s := pmLogin(f, "inspector")
			return arCall{method: "DELETE", path: "/api/v1/session", token: s.token, status: 204,
				action: "logout", objectType: "user", actor: "inspector", objectID: arID(f.Users[access.Inspector].ID),
				secrets: []string{s.token}}
		},
		"PUT /api/v1/me/password": func(f *fixture) arCall {
			id := arNewUser(f, "pw-self", access.Viewer)
			tok := f.token("pw-self")
			_, ver := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), f.token("sec-admin"))
			return arCall{method: "PUT", path: "/api/v1/me/password", token: tok,
				json: map[string]string{"old_password": testPassword, "password": arNewPassword}, status: 200,
				action: "user.password_change", objectType: "user", actor: "pw-self", objectID: arID(id),
				changes: []arChange{{"version", ver, ver + 1}},
				secrets: []string{testPassword, arNewPassword, "argon2", "password_hash"},
				invalid: map[string]string{"old_password": "Wrong-Password-1", "password": arNewPassword}}
		},
		"PUT /api/v1/me/language": func(f *fixture) arCall {
			return arCall{method: "PUT", path: "/api/v1/me/language", token: f.token("coordinator"),
				json: map[string]string{"language": "en"}, status: 200,
				action: "user.language", objectType: "user", actor: "coordinator", objectID: arID(f.Users[access.Coordinator].ID),
				changes: []arChange{{"language", "", "en"}},
				invalid: map[string]string{"language": "klingon"}}
		},
		"POST /api/v1/me/tokens": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/me/tokens", token: f.token("reporter"),
				json: map[string]string{"name": "ci token"}, status: 201,
				action: "token.create", objectType: "token", actor: "reporter", objectID: arCreatedID,
				changes:     []arChange{{"name", arAbsent, "ci token"}},
				secretsFrom: func(res result) []string { return []string{fmt.Sprint(res.JSON["token"])} },
				invalid:     map[string]string{"name": ""}}
		},
		"DELETE /api/v1/tokens/{id}": func(f *fixture) arCall {
			tok := f.token("reporter")
			id := arNewToken(f, tok, "to revoke")
			return arCall{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", id), token: tok, status: 204,
				action: "token.revoke", objectType: "token", actor: "reporter", objectID: arID(id),
				changes: []arChange{{"revoked_at", arAbsent, arSet}}}
		},
		"PUT /api/v1/alliance": func(f *fixture) arCall {
			tok := f.token("sys-admin")
			_, v := arGet(f, "/api/v1/alliance", tok)
			return arCall{method: "PUT", path: "/api/v1/alliance", token: tok, header: arIfMatch(v),
				json:   map[string]any{"name": map[string]string{"zh_hans": "新经济带", "zh_hant": "新經濟帶", "en": "New belt"}},
				status: 200, action: "alliance.update", objectType: "alliance", actor: "sys-admin", objectID: arID(1),
				changes: []arChange{{"name.en", "Test belt", "New belt"}, {"version", v, v + 1}},
				invalid: map[string]any{"name": map[string]string{"zh_hans": ""}}}
		},
		"POST /api/v1/units": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/units", token: f.token("sys-admin"),
				json:   map[string]any{"code": "audit-u", "kind": "city", "name": map[string]string{"zh_hans": "审计市"}},
				status: 201, action: "unit.create", objectType: "unit", actor: "sys-admin", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "audit-u"}, {"name.zh_hans", arAbsent, "审计市"}},
				invalid: map[string]any{"code": "audit-u", "kind": "planet", "name": map[string]string{"zh_hans": "审计市"}}}
		},
		"PUT /api/v1/units/{id}": func(f *fixture) arCall {
			tok := f.token("sys-admin")
			path := fmt.Sprintf("/api/v1/units/%d", f.Other.ID)
			_, v := arGet(f, path, tok)
			return arCall{method: "PUT", path: path, token: tok, header: arIfMatch(v),
				json:   map[string]any{"code": "other", "kind": "city", "name": map[string]string{"zh_hans": "他单位改", "en": "Other unit"}},
				status: 200, action: "unit.update", objectType: "unit", actor: "sys-admin", objectID: arID(f.Other.ID),
				changes: []arChange{{"name.zh_hans", "他单位", "他单位改"}, {"name.en", "他单位", "Other unit"}, {"version", v, v + 1}},
				invalid: map[string]any{"code": "other", "kind": "planet", "name": map[string]string{"zh_hans": "他单位改"}}}
		},
		"POST /api/v1/areas": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/areas", token: f.token("sys-admin"),
				json:   map[string]any{"code": "audit-area", "name": map[string]string{"zh_hans": "审计协同"}, "position": 7},
				status: 201, action: "area.create", objectType: "area", actor: "sys-admin", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "audit-area"}, {"position", arAbsent, 7}},
				invalid: map[string]any{"code": "audit-area", "name": map[string]string{"zh_hans": "审计协同"}, "position": -1}}
		},
		"PUT /api/v1/areas/{id}": func(f *fixture) arCall {
			tok := f.token("sys-admin")
			id := arAreaIDs(f)[0]
			path := fmt.Sprintf("/api/v1/areas/%d", id)
			a, v := arGet(f, path, tok)
			name := a["name"].(map[string]any)
			return arCall{method: "PUT", path: path, token: tok, header: arIfMatch(v),
				json: map[string]any{"code": a["code"], "position": a["position"],
					"name": map[string]any{"zh_hans": name["zh_hans"], "zh_hant": name["zh_hant"], "en": "Spatial planning"}},
				status: 200, action: "area.update", objectType: "area", actor: "sys-admin", objectID: arID(id),
				changes: []arChange{{"name.en", name["en"], "Spatial planning"}, {"version", v, v + 1}},
				invalid: map[string]any{"code": a["code"], "position": 5000, "name": map[string]any{"zh_hans": name["zh_hans"]}}}
		},
		"POST /api/v1/users": func(f *fixture) arCall {
			const pw = "Another-Pass-2020"
			return arCall{method: "POST", path: "/api/v1/users", token: f.token("sec-admin"),
				json:   map[string]any{"login": "audit-new", "name": "新用户", "unit_id": f.Own.ID, "password": pw, "roles": []string{"viewer"}},
				status: 201, action: "user.create", objectType: "user", actor: "sec-admin", objectID: arCreatedID,
				changes: []arChange{{"login", arAbsent, "audit-new"}, {"roles", arAbsent, []string{"viewer"}}},
				secrets: []string{pw, "argon2", "password_hash"},
				invalid: map[string]any{"login": "Bad Login!", "name": "x", "unit_id": f.Own.ID, "password": pw}}
		},
		"PUT /api/v1/users/{id}": func(f *fixture) arCall {
			tok := f.token("sec-admin")
			id := f.Users[access.Viewer].ID
			path := fmt.Sprintf("/api/v1/users/%d", id)
			_, v := arGet(f, path, tok)
			return arCall{method: "PUT", path: path, token: tok, header: arIfMatch(v),
				json: map[string]any{"name": "Viewer Renamed", "email": "viewer@example.org", "unit_id": f.Own.ID}, status: 200,
				action: "user.update", objectType: "user", actor: "sec-admin", objectID: arID(id),
				changes: []arChange{{"name", "viewer", "Viewer Renamed"}, {"email", "", "viewer@example.org"}, {"version", v, v + 1}},
				invalid: map[string]any{"name": "", "unit_id": f.Own.ID}}
		},
		"PUT /api/v1/users/{id}/roles": func(f *fixture) arCall {
			tok := f.token("sec-admin")
			id := f.Peer.ID
			_, v := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), tok)
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/users/%d/roles", id), token: tok, header: arIfMatch(v),
				json: map[string]any{"roles": []string{"inspector", "viewer"}}, status: 200,
				action: "user.roles", objectType: "user", actor: "sec-admin", objectID: arID(id),
				changes: []arChange{{"roles", []string{"reporter"}, []string{"inspector", "viewer"}}, {"version", v, v + 1}},
				invalid: map[string]any{"roles": []string{"emperor"}}}
		},
		"PUT /api/v1/users/{id}/password": func(f *fixture) arCall {
			tok := f.token("sec-admin")
			id := arNewUser(f, "pw-reset", access.Viewer)
			_, v := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), tok)
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/users/%d/password", id), token: tok, header: arIfMatch(v),
				json: map[string]string{"password": arResetPassword}, status: 200,
				action: "user.password_reset", objectType: "user", actor: "sec-admin", objectID: arID(id),
				changes: []arChange{{"version", v, v + 1}},
				secrets: []string{arResetPassword, testPassword, "argon2", "password_hash"},
				invalid: map[string]string{"password": "short"}}
		},

		// ---- UI ----
		"POST /login": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/login", form: url.Values{"login": {"unit-leader"}, "password": {testPassword}}, status: 303,
				action: "login", objectType: "user", actor: "unit-leader", objectID: arID(f.Users[access.UnitLeader].ID),
				secrets: []string{testPassword}}
		},
		"POST /logout": func(f *fixture) arCall {
			s := pmLogin(f, "inspector")
			return arCall{method: "POST", path: "/logout", ui: &s, status: 303,
				action: "logout", objectType: "user", actor: "inspector", objectID: arID(f.Users[access.Inspector].ID)}
		},
		"POST /lang": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			return arCall{method: "POST", path: "/lang", ui: &s, form: url.Values{"lang": {"zh-Hant"}}, status: 303,
				action: "user.language", objectType: "user", actor: "sys-admin", objectID: arID(f.Users[access.SysAdmin].ID),
				changes: []arChange{{"language", "", "zh-Hant"}},
				invalid: url.Values{"lang": {"klingon"}}}
		},
		"POST /units": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			return arCall{method: "POST", path: "/units", ui: &s, status: 303,
				form:   url.Values{"code": {"ui-unit"}, "kind": {"department"}, "name.zh_hans": {"界面厅"}},
				action: "unit.create", objectType: "unit", actor: "sys-admin", objectID: arLocationID,
				changes: []arChange{{"code", arAbsent, "ui-unit"}, {"kind", arAbsent, "department"}},
				invalid: url.Values{"code": {"ui-unit"}, "kind": {"planet"}, "name.zh_hans": {"界面厅"}}}
		},
		"POST /units/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			_, v := arGet(f, fmt.Sprintf("/api/v1/units/%d", f.Own.ID), s.token)
			return arCall{method: "POST", path: fmt.Sprintf("/units/%d", f.Own.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(v)}, "code": {"own"}, "kind": {"city"}, "name.zh_hans": {"本单位改"}},
				action: "unit.update", objectType: "unit", actor: "sys-admin", objectID: arID(f.Own.ID),
				changes: []arChange{{"name.zh_hans", "本单位", "本单位改"}, {"version", v, v + 1}},
				invalid: url.Values{"version": {fmt.Sprint(v)}, "code": {"own"}, "kind": {"planet"}, "name.zh_hans": {"本单位改"}}}
		},
		"POST /alliance": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			a, v := arGet(f, "/api/v1/alliance", s.token)
			name := a["name"].(map[string]any)
			return arCall{method: "POST", path: "/alliance", ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(v)}, "name.zh_hans": {"界面经济带"}, "name.zh_hant": {"界面經濟帶"}, "name.en": {fmt.Sprint(name["en"])}},
				action: "alliance.update", objectType: "alliance", actor: "sys-admin", objectID: arID(1),
				changes: []arChange{{"name.zh_hans", name["zh_hans"], "界面经济带"}, {"version", v, v + 1}},
				invalid: url.Values{"version": {fmt.Sprint(v)}, "name.zh_hans": {""}}}
		},
		"POST /areas": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			return arCall{method: "POST", path: "/areas", ui: &s, status: 303,
				form:   url.Values{"code": {"ui-area"}, "name.zh_hans": {"界面协同"}, "position": {"9"}},
				action: "area.create", objectType: "area", actor: "sys-admin",
				objectID: func(result) string {
					ids := arAreaIDs(f)
					return fmt.Sprint(ids[len(ids)-1])
				},
				changes: []arChange{{"code", arAbsent, "ui-area"}, {"position", arAbsent, 9}},
				invalid: url.Values{"code": {"ui area!"}, "name.zh_hans": {"界面协同"}, "position": {"9"}}}
		},
		"POST /areas/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			id := arAreaIDs(f)[1]
			a, v := arGet(f, fmt.Sprintf("/api/v1/areas/%d", id), s.token)
			name := a["name"].(map[string]any)
			form := url.Values{"version": {fmt.Sprint(v)}, "code": {fmt.Sprint(a["code"])}, "position": {"20"},
				"name.zh_hans": {fmt.Sprint(name["zh_hans"])}, "name.zh_hant": {fmt.Sprint(name["zh_hant"])}, "name.en": {fmt.Sprint(name["en"])}}
			bad := url.Values{}
			for k, vs := range form {
				bad[k] = vs
			}
			bad.Set("position", "5000")
			return arCall{method: "POST", path: fmt.Sprintf("/areas/%d", id), ui: &s, status: 303, form: form,
				action: "area.update", objectType: "area", actor: "sys-admin", objectID: arID(id),
				changes: []arChange{{"position", a["position"], 20}, {"version", v, v + 1}},
				invalid: bad}
		},
		"POST /users": func(f *fixture) arCall {
			s := pmLogin(f, "sec-admin")
			const pw = "Form-Password-2022"
			form := url.Values{"login": {"ui-user"}, "name": {"界面用户"}, "unit_id": {fmt.Sprint(f.Own.ID)}, "password": {pw}, "roles": {"inspector"}}
			bad := url.Values{"login": {"UI User"}, "name": {"界面用户"}, "unit_id": {fmt.Sprint(f.Own.ID)}, "password": {pw}}
			return arCall{method: "POST", path: "/users", ui: &s, status: 303, form: form,
				action: "user.create", objectType: "user", actor: "sec-admin", objectID: arLocationID,
				changes: []arChange{{"login", arAbsent, "ui-user"}, {"roles", arAbsent, []string{"inspector"}}},
				secrets: []string{pw, "argon2", "password_hash"},
				invalid: bad}
		},
		"POST /users/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "sec-admin")
			id := f.Users[access.Reporter].ID
			_, v := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), s.token)
			return arCall{method: "POST", path: fmt.Sprintf("/users/%d", id), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(v)}, "name": {"报送员"}, "unit_id": {fmt.Sprint(f.Own.ID)}, "language": {"en"}},
				action: "user.update", objectType: "user", actor: "sec-admin", objectID: arID(id),
				changes: []arChange{{"name", "reporter", "报送员"}, {"language", "", "en"}, {"version", v, v + 1}},
				invalid: url.Values{"version": {fmt.Sprint(v)}, "name": {""}, "unit_id": {fmt.Sprint(f.Own.ID)}}}
		},
		"POST /users/{id}/roles": func(f *fixture) arCall {
			s := pmLogin(f, "sec-admin")
			id := arNewUser(f, "ui-roles", access.Reporter)
			_, v := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), s.token)
			return arCall{method: "POST", path: fmt.Sprintf("/users/%d/roles", id), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(v)}, "roles": {"audit_admin"}},
				action: "user.roles", objectType: "user", actor: "sec-admin", objectID: arID(id),
				changes: []arChange{{"roles", []string{"reporter"}, []string{"audit_admin"}}, {"version", v, v + 1}},
				invalid: url.Values{"version": {fmt.Sprint(v)}, "roles": {"audit_admin", "viewer"}}}
		},
		"POST /users/{id}/password": func(f *fixture) arCall {
			s := pmLogin(f, "sec-admin")
			id := arNewUser(f, "ui-reset", access.Viewer)
			_, v := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), s.token)
			return arCall{method: "POST", path: fmt.Sprintf("/users/%d/password", id), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(v)}, "password": {arResetPassword}},
				action: "user.password_reset", objectType: "user", actor: "sec-admin", objectID: arID(id),
				changes: []arChange{{"version", v, v + 1}},
				secrets: []string{arResetPassword, testPassword, "argon2", "password_hash"},
				invalid: url.Values{"version": {fmt.Sprint(v)}, "password": {"short"}}}
		},
		"POST /profile/password": func(f *fixture) arCall {
			id := arNewUser(f, "ui-self", access.Inspector)
			s := pmLogin(f, "ui-self")
			_, v := arGet(f, fmt.Sprintf("/api/v1/users/%d", id), f.token("sec-admin"))
			return arCall{method: "POST", path: "/profile/password", ui: &s, status: 303,
				form:   url.Values{"old_password": {testPassword}, "password": {arNewPassword}, "password2": {arNewPassword}},
				action: "user.password_change", objectType: "user", actor: "ui-self", objectID: arID(id),
				changes: []arChange{{"version", v, v + 1}},
				secrets: []string{testPassword, arNewPassword, "argon2", "password_hash"},
				invalid: url.Values{"old_password": {testPassword}, "password": {arNewPassword}, "password2": {"Something-Else-1"}}}
		},
		"POST /profile/tokens": func(f *fixture) arCall {
			s := pmLogin(f, "viewer")
			return arCall{method: "POST", path: "/profile/tokens", ui: &s, status: 201, form: url.Values{"name": {"界面令牌"}},
				action: "token.create", objectType: "token", actor: "viewer",
				objectID: func(result) string {
					var id int64
					f.DB.R.QueryRow(`SELECT MAX(id) FROM api_tokens`).Scan(&id)
					return fmt.Sprint(id)
				},
				changes: []arChange{{"name", arAbsent, "界面令牌"}},
				secretsFrom: func(res result) []string {
					// The page shows the secret once; it must not reach the audit trail.
					i := strings.Index(res.Body, "cct_")
					if i < 0 {
						return []string{"(no token on the page)"}
					}
					return []string{res.Body[i : i+20]}
				},
				invalid: url.Values{"name": {""}}}
		},
		"POST /profile/tokens/{id}/revoke": func(f *fixture) arCall {
			s := pmLogin(f, "viewer")
			id := arNewToken(f, s.token, "to revoke in the UI")
			return arCall{method: "POST", path: fmt.Sprintf("/profile/tokens/%d/revoke", id), ui: &s, status: 303,
				action: "token.revoke", objectType: "token", actor: "viewer", objectID: arID(id),
				changes: []arChange{{"revoked_at", arAbsent, arSet}}}
		},
	}
}

// TestEveryMutatingRouteWritesOneAuditRow performs one successful call of
// every mutating route and checks it wrote exactly one audit row, with the
// right action, object, actor, request id and before/after values, and that
// a call failing validation first wrote nothing.
func TestEveryMutatingRouteWritesOneAuditRow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		cases := arCases()
		covered := map[string]bool{}
		for _, rt := range f.Srv.Routes() {
			if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
				continue
			}
			key := rt.Method + " " + rt.Pattern
			covered[key] = true
			if _, ok := cases[key]; !ok {
				t.Errorf("mutating route %s has no audit case in this test", key)
			}
		}
		keys := make([]string, 0, len(cases))
		for k := range cases {
			if !covered[k] {
				t.Errorf("audit case %s matches no mutating route", k)
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
				ft := f.t
				f.t = t
				defer func() { f.t = ft }()
				c := cases[key](f)
				if c.invalid != nil {
					mark := arLastID(f)
					res := c.send(f, c.invalid)
					if res.StatusCode < 400 || res.StatusCode == 401 || res.StatusCode == 403 || res.StatusCode >= 500 {
						t.Errorf("invalid input: status %d, want a 4xx validation error: %s", res.StatusCode, pmSnippet(res.Body))
					}
					if rows := arRowsAfter(f, mark); len(rows) != 0 {
						t.Errorf("invalid input wrote %d audit rows: %+v", len(rows), rows)
					}
				}
				body := c.json
				if c.form != nil {
					body = c.form
				}
				mark := arLastID(f)
				res := c.send(f, body)
				if res.StatusCode != c.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, pmSnippet(res.Body))
				}
				rows := arRowsAfter(f, mark)
				if len(rows) != 1 {
					t.Fatalf("wrote %d audit rows, want exactly 1: %+v", len(rows), rows)
				}
				row := rows[0]
				if row.Action != c.action || row.ObjectType != c.objectType || row.ObjectID != c.objectID(res) || row.Actor != c.actor {
					t.Errorf("row says %s %s #%s by %q; want %s %s #%s by %q", row.Action, row.ObjectType, row.ObjectID, row.Actor,
						c.action, c.objectType, c.objectID(res), c.actor)
				}
				if rid := res.Header.Get("X-Request-ID"); rid == "" || row.RequestID != rid {
					t.Errorf("row request_id %q, response X-Request-ID %q", row.RequestID, rid)
				}
				if row.ClientAddr == "" {
					t.Error("row has no client address")
				}
				for _, ch := range c.changes {
					if got, ok := arMatches(row.Before, ch.field, ch.before); !ok {
						t.Errorf("before.%s = %v, want %v (before: %s)", ch.field, got, ch.before, row.Before)
					}
					if got, ok := arMatches(row.After, ch.field, ch.after); !ok {
						t.Errorf("after.%s = %v, want %v (after: %s)", ch.field, got, ch.after, row.After)
					}
				}
				secrets := c.secrets
				if c.secretsFrom != nil {
					secrets = append(slices.Clone(secrets), c.secretsFrom(res)...)
				}
				for _, s := range secrets {
					if s != "" && strings.Contains(row.text(), s) {
						t.Errorf("audit row holds a secret (%q): %+v", s, row)
					}
				}
			})
		}
	})
}

// TestLoginLockoutLogoutAndTokens covers the sign-in life cycle through the
// API: lockout after repeated failures, logout, and personal tokens.
func TestLoginLockoutLogoutAndTokens(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)

		t.Run("lockout", func(t *testing.T) {
			login := "inspector"
			wrong := map[string]string{"login": login, "password": "Wrong-Password-0"}
			for i := 1; i <= 5; i++ {
				mark := arLastID(f)
				res := f.do("POST", "/api/v1/session", "", wrong, nil)
				// The fifth failure locks the account; it may already say so.
				if res.StatusCode != http.StatusUnauthorized && !(i == 5 && res.StatusCode == http.StatusLocked) {
					t.Errorf("wrong password #%d: %d %s", i, res.StatusCode, res.Body)
				}
				rows := arRowsAfter(f, mark)
				if len(rows) != 1 || rows[0].Action != "login.failed" || rows[0].Actor != login || rows[0].RequestID != res.Header.Get("X-Request-ID") {
					t.Errorf("wrong password #%d: audit rows %+v", i, rows)
				}
				for _, r := range rows {
					if strings.Contains(r.text(), wrong["password"]) {
						t.Errorf("the wrong password is on the audit trail: %+v", r)
					}
				}
			}
			mark := arLastID(f)
			res := f.do("POST", "/api/v1/session", "", map[string]string{"login": login, "password": testPassword}, nil)
			if res.StatusCode != http.StatusLocked || res.JSON["code"] != "login.locked" {
				t.Errorf("right password on a locked account: %d %s", res.StatusCode, res.Body)
			}
			if res.JSON["token"] != nil {
				t.Error("a locked account got a token")
			}
			if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "login.failed" || rows[0].Actor != login {
				t.Errorf("locked attempt: audit rows %+v", rows)
			}
			// Others are not affected.
			if res := f.do("POST", "/api/v1/session", "", map[string]string{"login": "viewer", "password": testPassword}, nil); res.StatusCode != http.StatusCreated {
				t.Errorf("another user's login: %d", res.StatusCode)
			}
		})

		t.Run("logout", func(t *testing.T) {
			s := pmLogin(f, "reporter")
			if res := f.do("GET", "/api/v1/me", s.token, nil, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("/me before logout: %d", res.StatusCode)
			}
			if res := f.do("DELETE", "/api/v1/session", s.token, nil, nil); res.StatusCode != http.StatusNoContent {
				t.Fatalf("logout: %d %s", res.StatusCode, res.Body)
			}
			if res := f.do("GET", "/api/v1/me", s.token, nil, nil); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("/me after logout: %d, want 401", res.StatusCode)
			}
			if res := f.do("GET", "/units", "", nil, map[string]string{"Cookie": "concord_session=" + s.token}); res.StatusCode != http.StatusSeeOther {
				t.Errorf("page with the ended session as cookie: %d, want 303", res.StatusCode)
			}
		})

		t.Run("personal token", func(t *testing.T) {
			sess := f.token("coordinator")
			res := f.do("POST", "/api/v1/me/tokens", sess, map[string]string{"name": "script"}, nil)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", res.StatusCode, res.Body)
			}
			secret, _ := res.JSON["token"].(string)
			id := int64(res.JSON["id"].(float64))
			if !strings.HasPrefix(secret, "cct_") {
				t.Fatalf("secret %q", secret)
			}
			// Shown once: the list never has it.
			list := f.do("GET", "/api/v1/me/tokens", sess, nil, nil)
			if list.StatusCode != http.StatusOK || strings.Contains(list.Body, secret) || !strings.Contains(list.Body, "script") {
				t.Errorf("token list: %d %s", list.StatusCode, list.Body)
			}
			if strings.Contains(fmt.Sprint(arRowsAfter(f, 0)), secret) {
				t.Error("the token's secret is on the audit trail")
			}
			me := f.do("GET", "/api/v1/me", secret, nil, nil)
			if me.StatusCode != http.StatusOK || me.JSON["login"] != "coordinator" {
				t.Fatalf("/me with the token: %d %s", me.StatusCode, me.Body)
			}
			// Another user cannot revoke it.
			if res := f.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), f.token("viewer"), nil, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("someone else revoking: %d", res.StatusCode)
			}
			if res := f.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), sess, nil, nil); res.StatusCode != http.StatusNoContent {
				t.Fatalf("revoke: %d %s", res.StatusCode, res.Body)
			}
			if res := f.do("GET", "/api/v1/me", secret, nil, nil); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("/me with the revoked token: %d, want 401", res.StatusCode)
			}
			if res := f.do("GET", "/api/v1/me", sess, nil, nil); res.StatusCode != http.StatusOK {
				t.Errorf("the session itself still works: %d", res.StatusCode)
			}
		})
	})
}

// TestAuditExportAndHistory checks the audit administrator's CSV and XLSX
// exports (each one on the audit trail) and the oldest-first object history.
func TestAuditExportAndHistory(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		auditor := f.token("audit-admin")

		for _, c := range []struct{ format, accept, lang string }{
			{"csv", "", i18n.Default}, {"csv", "en", "en"}, {"xlsx", "zh-TW", "zh-Hant"}, {"xlsx", "en", "en"},
		} {
			name := c.format + "/" + c.lang
			mark := arLastID(f)
			res := f.do("GET", "/api/v1/audit/export?format="+c.format, auditor, nil, map[string]string{"Accept-Language": c.accept})
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d %s", name, res.StatusCode, pmSnippet(res.Body))
				continue
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "."+c.format) {
				t.Errorf("%s: Content-Disposition %q", name, cd)
			}
			first, second := i18n.T(c.lang, "audit.col.id"), i18n.T(c.lang, "audit.col.at")
			switch c.format {
			case "csv":
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
					t.Errorf("%s: Content-Type %q", name, res.Header.Get("Content-Type"))
				}
				body, ok := strings.CutPrefix(res.Body, "\xEF\xBB\xBF")
				if !ok {
					t.Errorf("%s: no UTF-8 byte order mark", name)
				}
				header, _, _ := strings.Cut(body, "\n")
				if !strings.HasPrefix(header, first+","+second+",") {
					t.Errorf("%s: header row %q, want it to start with %q", name, header, first+","+second)
				}
				if !strings.Contains(body, "user.create") {
					t.Errorf("%s: the rows are missing", name)
				}
			case "xlsx":
				x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
				if err != nil {
					t.Errorf("%s: not a workbook: %v", name, err)
					break
				}
				sheet := x.GetSheetName(0)
				a1, _ := x.GetCellValue(sheet, "A1")
				b1, _ := x.GetCellValue(sheet, "B1")
				if a1 != first || b1 != second {
					t.Errorf("%s: A1 %q B1 %q, want %q %q", name, a1, b1, first, second)
				}
				rows, _ := x.GetRows(sheet)
				if len(rows) < 10 {
					t.Errorf("%s: only %d rows", name, len(rows))
				}
				x.Close()
			}
			rows := arRowsAfter(f, mark)
			if len(rows) != 1 || rows[0].Action != "export" || rows[0].Actor != "audit-admin" ||
				!strings.Contains(rows[0].Det, c.format) || rows[0].RequestID != res.Header.Get("X-Request-ID") {
				t.Errorf("%s: audit rows %+v, want one export row", name, rows)
			}
		}
		if res := f.do("GET", "/api/v1/audit/export?format=pdf", auditor, nil, nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown format: %d", res.StatusCode)
		}

		// History: oldest first.
		sys := f.token("sys-admin")
		res := f.do("POST", "/api/v1/units", sys, map[string]any{"code": "hist", "kind": "city", "name": map[string]string{"zh_hans": "一"}}, nil)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		id := int64(res.JSON["id"].(float64))
		for v, name := range []string{"二", "三"} {
			res := f.do("PUT", fmt.Sprintf("/api/v1/units/%d", id), sys, map[string]any{"code": "hist", "kind": "city", "name": map[string]string{"zh_hans": name}}, arIfMatch(v+1))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("update: %d %s", res.StatusCode, res.Body)
			}
		}
		h := f.do("GET", fmt.Sprintf("/api/v1/history/unit/%d", id), auditor, nil, nil)
		var entries []struct {
			ID     int64           `json:"id"`
			Action string          `json:"action"`
			After  json.RawMessage `json:"after"`
		}
		if err := json.Unmarshal([]byte(h.Body), &entries); h.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("history: %d %v %s", h.StatusCode, err, h.Body)
		}
		var got []string
		for i, e := range entries {
			name, _ := arField(string(e.After), "name.zh_hans")
			got = append(got, fmt.Sprintf("%s:%v", e.Action, name))
			if i > 0 && e.ID <= entries[i-1].ID {
				t.Errorf("history not oldest first: ids %d then %d", entries[i-1].ID, e.ID)
			}
		}
		if want := "[unit.create:一 unit.update:二 unit.update:三]"; fmt.Sprint(got) != want {
			t.Errorf("history = %v, want %s", got, want)
		}
	})
}
