package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/web"
)

// pmReach is how far the test expects a role's permission to go.
type pmReach int

const (
	pmNone pmReach = iota
	pmOwn          // objects of the user's own unit only
	pmAny          // every unit
)

// pmAnonymous stands for a request without any credentials.
const pmAnonymous access.Role = "(anonymous)"

// pmRules is the intended permission table, written out here on purpose
// rather than read from access.Policy: the matrix checks the running server
// against what the rules are meant to be, so a wrong entry in the policy (or
// a route tied to the wrong action) shows up as a failure.
var pmRules = map[access.Action]map[access.Role]pmReach{
	access.ViewDirectory: {
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny,
		access.Viewer: pmAny, access.SysAdmin: pmAny, access.SecAdmin: pmAny,
	},
	access.EditAlliance:  {access.SysAdmin: pmAny},
	access.CreateUnit:    {access.SysAdmin: pmAny},
	access.EditUnit:      {access.SysAdmin: pmAny},
	access.CreateArea:    {access.SysAdmin: pmAny},
	access.EditArea:      {access.SysAdmin: pmAny},
	access.ListUsers:     {access.SecAdmin: pmAny, access.UnitLeader: pmOwn},
	access.ViewUser:      {access.SecAdmin: pmAny, access.UnitLeader: pmOwn},
	access.CreateUser:    {access.SecAdmin: pmAny},
	access.EditUser:      {access.SecAdmin: pmAny},
	access.SetRoles:      {access.SecAdmin: pmAny},
	access.ResetPassword: {access.SecAdmin: pmAny},
	access.ManageTokens:  {access.SecAdmin: pmAny},
	access.SearchAudit:   {access.AuditAdmin: pmAny},
	access.ExportAudit:   {access.AuditAdmin: pmAny},
	access.ViewHistory:   {access.AuditAdmin: pmAny, access.Coordinator: pmAny, access.UnitLeader: pmOwn},
	access.ViewDashboard: {
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	},
	access.ViewPlans: {
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	},
	access.EditPlans:      {access.Coordinator: pmAny},
	access.EditAssignment: {access.Coordinator: pmAny, access.UnitLeader: pmOwn},
	access.ReportProgress: {access.Reporter: pmOwn, access.UnitLeader: pmOwn},
	access.ApproveReport:  {access.UnitLeader: pmOwn},
	access.ReviewReport:   {access.Coordinator: pmAny},
	access.CompleteTask:   {access.Reporter: pmOwn, access.UnitLeader: pmOwn},
	access.CloseTask:      {access.Coordinator: pmAny},
	access.ChaseTask:      {access.Coordinator: pmAny},
	access.ManageWebhooks: {access.SysAdmin: pmAny},
	access.Self: {
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny,
		access.Viewer: pmAny, access.SysAdmin: pmAny, access.SecAdmin: pmAny, access.AuditAdmin: pmAny,
	},
	access.Public: {
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny,
		access.Viewer: pmAny, access.SysAdmin: pmAny, access.SecAdmin: pmAny, access.AuditAdmin: pmAny,
		pmAnonymous: pmAny,
	},
}

// pmExpectAllowed says whether role may use a route of action on an object
// of unit ("own", "other", or "" when the request concerns no one unit).
func pmExpectAllowed(action access.Action, role access.Role, unit string) bool {
	switch pmRules[action][role] {
	case pmAny:
		return true
	case pmOwn:
		return unit == "own"
	}
	return false
}

// pmSession is a signed-in client: its token serves as bearer token on the
// API and as session cookie in the UI, with the CSRF token for UI posts.
type pmSession struct {
	login, token, csrf string
}

func pmLogin(f *fixture, login string) pmSession {
	f.t.Helper()
	res := f.do("POST", "/api/v1/session", "", map[string]string{"login": login, "password": testPassword}, nil)
	if res.StatusCode != http.StatusCreated {
		f.t.Fatalf("login %s: %d %s", login, res.StatusCode, res.Body)
	}
	return pmSession{login: login, token: res.JSON["token"].(string), csrf: res.JSON["csrf_token"].(string)}
}

func pmLoginOf(r access.Role) string { return strings.ReplaceAll(string(r), "_", "-") }

// pmTarget is one concrete request path for a route pattern.
type pmTarget struct {
	path string
	unit string // "own", "other" or "" (the request concerns no one unit)
}

// pmTargets fills in a route's path parameters: once with an object of the
// actor's own unit and once with one of the other unit, where the object
// belongs to a unit. tokenID is a token of the acting user.
func pmTargets(f *fixture, rt web.Route, tokenID, areaID int64) ([]pmTarget, error) {
	p := strings.ReplaceAll(rt.Pattern, "{$}", "")
	own, other := f.Users[access.Viewer].ID, f.Peer.ID
	sub := func(param string, pairs ...any) []pmTarget {
		var out []pmTarget
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, pmTarget{path: strings.Replace(p, param, fmt.Sprint(pairs[i]), 1), unit: pairs[i+1].(string)})
		}
		return out
	}
	var ts []pmTarget
	switch {
	case strings.Contains(p, "/history/{type}/{id}"):
		ts = sub("{type}/{id}",
			fmt.Sprintf("unit/%d", f.Own.ID), "own", fmt.Sprintf("unit/%d", f.Other.ID), "other",
			fmt.Sprintf("user/%d", own), "own", fmt.Sprintf("user/%d", other), "other")
	case strings.Contains(p, "/units/{id}"):
		ts = sub("{id}", f.Own.ID, "own", f.Other.ID, "other")
	case strings.Contains(p, "/users/{id}"):
		ts = sub("{id}", own, "own", other, "other")
	case strings.Contains(p, "/tokens/{id}"):
		ts = sub("{id}", tokenID, "")
	case strings.Contains(p, "/areas/{id}"):
		ts = sub("{id}", areaID, "")
	case strings.Contains(p, "/plans/{id}"):
		ts = sub("{id}", f.Plan.ID, "")
	case strings.Contains(p, "/goals/{id}"):
		ts = sub("{id}", f.Goal.ID, "")
	case strings.Contains(p, "/tasks/{id}"):
		ts = sub("{id}", f.TaskOwn.ID, "own", f.TaskOther.ID, "other")
	case strings.Contains(p, "/reports/{id}"):
		ts = sub("{id}", f.ReportOwn.ID, "own", f.ReportOther.ID, "other")
	case strings.Contains(p, "/assignments/{id}"):
		ts = sub("{id}", pmAssignment(f, f.Own.ID), "own", pmAssignment(f, f.Other.ID), "other")
	case strings.Contains(p, "/completions/{id}"):
		ts = sub("{id}", apCompletion(f, f.Own.ID), "own", apCompletion(f, f.Other.ID), "other")
	case strings.Contains(p, "/attachments/{id}"):
		ts = sub("{id}", apAttachment(f), "")
	case strings.Contains(p, "/views/{id}"):
		// Anyone's own views: a view that is not the caller's is a 404.
		ts = sub("{id}", 1, "")
	case strings.Contains(p, "/webhooks/{id}"):
		ts = sub("{id}", ntHook(f, "matrix").ID, "")
	case strings.HasSuffix(p, "/reports/workbook"):
		// The unit comes from the query, or is the caller's own.
		ts = []pmTarget{{path: p, unit: "own"}, {path: fmt.Sprintf("%s?unit_id=%d", p, f.Own.ID), unit: "own"},
			{path: fmt.Sprintf("%s?unit_id=%d", p, f.Other.ID), unit: "other"}}
	case strings.HasSuffix(p, "/reports/import"):
		ts = []pmTarget{{path: p, unit: "own"}} // always the caller's own unit
	case pmIsInspectPath(p):
		ts = pmInspectTargets(f, p, sub)
	case strings.TrimPrefix(p, "/api/v1") == "/users" && rt.Method == http.MethodGet:
		// The list's unit comes from the query, or is the caller's own.
		ts = []pmTarget{
			{path: fmt.Sprintf("%s?unit_id=%d", p, f.Own.ID), unit: "own"},
			{path: fmt.Sprintf("%s?unit_id=%d", p, f.Other.ID), unit: "other"},
			{path: p, unit: "own"},
		}
	case wtTargets(f, p) != nil:
		ts = wtTargets(f, p)
	case scTargets(f, p) != nil:
		ts = scTargets(f, p)
	case mtMatrixID(f, p) != 0:
		ts = sub("{id}", mtMatrixID(f, p), "")
	case blMatrixID(f, p) != 0:
		ts = sub("{id}", blMatrixID(f, p), "")
	default:
		ts = []pmTarget{{path: p}}
	}
	for _, t := range ts {
		if strings.ContainsAny(t.path, "{}") {
			return nil, fmt.Errorf("the matrix does not know how to fill in the path parameters of %s", t.path)
		}
	}
	return ts, nil
}

// pmAssignment is unit's assignment on the fixture's TaskOwn.
func pmAssignment(f *fixture, unit int64) int64 {
	var id int64
	if err := f.DB.R.QueryRow(`SELECT id FROM assignments WHERE task_id = $1 AND unit_id = $2`, f.TaskOwn.ID, unit).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// pmBodies are the requests that need a particular body to get past their
// handler's own checks; every other write gets an empty JSON object (API)
// or no form at all (UI), which is enough to reach the permission check.
var pmBodies = map[string]func() (string, string){
	"POST /api/v1/session": func() (string, string) {
		return `{"login":"peer","password":"` + testPassword + `"}`, "application/json"
	},
	"POST /login": func() (string, string) {
		return url.Values{"login": {"peer"}, "password": {testPassword}}.Encode(), "application/x-www-form-urlencoded"
	},
}

// pmTokenFor are the routes whose bearer token is not a user's (a
// station's push token): every caller sends that one.
var pmTokenFor = map[string]func(f *fixture) string{}

// pmEndsSession are the routes that end the caller's session when allowed:
// they get a fresh session each time.
var pmEndsSession = map[string]bool{"DELETE /api/v1/session": true, "POST /logout": true}

func pmSend(f *fixture, rt web.Route, path string, s pmSession) result {
	f.t.Helper()
	key := rt.Method + " " + rt.Pattern
	h := map[string]string{}
	var body any
	if b, ok := pmBodies[key]; ok {
		text, ct := b()
		body, h["Content-Type"] = text, ct
	} else if rt.API && (rt.Method == http.MethodPost || rt.Method == http.MethodPut) {
		body = "{}"
	}
	token := ""
	if tf, ok := pmTokenFor[key]; ok {
		token = tf(f) // a route authenticated by its own kind of token
	} else if s.token != "" {
		if rt.API {
			token = s.token
		} else {
			h["Cookie"] = "concord_session=" + s.token
			if rt.Method != http.MethodGet {
				h["X-CSRF-Token"] = s.csrf
			}
		}
	}
	return f.do(rt.Method, path, token, body, h)
}

// pmDenials counts the permission denials on the audit trail and returns the
// newest one's actor, detail and request id.
func pmDenials(f *fixture) (n int, actor, detail, reqID string) {
	f.t.Helper()
	if err := f.DB.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'permission.denied'`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	if n > 0 {
		err := f.DB.R.QueryRow(`SELECT actor_login, detail, request_id FROM audit_log WHERE action = 'permission.denied' ORDER BY id DESC LIMIT 1`).
			Scan(&actor, &detail, &reqID)
		if err != nil {
			f.t.Fatal(err)
		}
	}
	return
}

// TestPermissionMatrix sends every route of the route table as every role,
// on an object of the user's own unit and of another unit, and signed out,
// and compares the outcome with pmRules. A route whose action has no rule
// in pmRules fails the test.
func TestPermissionMatrix(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		testPermissionMatrix(t, d.Engine)
	})
}

func testPermissionMatrix(t *testing.T, engine db.Engine) {
	f := newFixture(t, engine)
	sessions := map[access.Role]pmSession{}
	tokens := map[access.Role]int64{}
	for _, r := range access.Roles {
		s := pmLogin(f, pmLoginOf(r))
		sessions[r] = s
		res := f.do("POST", "/api/v1/me/tokens", s.token, map[string]string{"name": "matrix"}, nil)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("token for %s: %d %s", r, res.StatusCode, res.Body)
		}
		tokens[r] = int64(res.JSON["id"].(float64))
	}
	tokens[pmAnonymous] = tokens[access.Viewer]
	var areaID int64
	if err := f.DB.R.QueryRow(`SELECT min(id) FROM areas`).Scan(&areaID); err != nil {
		t.Fatal(err)
	}

	actors := append(append([]access.Role{}, access.Roles...), pmAnonymous)
	checks := 0
	for _, rt := range f.Srv.Routes() {
		key := rt.Method + " " + rt.Pattern
		t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
			if _, ok := pmRules[rt.Action]; !ok {
				t.Fatalf("new route without a rule: %s has action %q, which the permission matrix's table does not list", key, rt.Action)
			}
			for _, role := range actors {
				targets, err := pmTargets(f, rt, tokens[role], areaID)
				if err != nil {
					t.Fatal(err)
				}
				for _, tg := range targets {
					s := sessions[role]
					if role != pmAnonymous && pmEndsSession[key] {
						s = pmLogin(f, pmLoginOf(role))
					}
					before, _, _, _ := pmDenials(f)
					res := pmSend(f, rt, tg.path, s)
					checks++
					after, actor, detail, reqID := pmDenials(f)
					want := pmExpectAllowed(rt.Action, role, tg.unit)
					where := fmt.Sprintf("%s %s as %s (unit %q)", rt.Method, tg.path, role, tg.unit)
					if res.StatusCode >= 500 {
						t.Errorf("%s: status %d: %s", where, res.StatusCode, pmSnippet(res.Body))
						continue
					}
					loc := res.Header.Get("Location")
					denied := res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden ||
						!rt.API && res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/login?next=")
					switch {
					case want && denied:
						t.Errorf("%s: denied (%d %s), want allowed: %s", where, res.StatusCode, loc, pmSnippet(res.Body))
					case !want && !denied:
						t.Errorf("%s: allowed (%d), want denied", where, res.StatusCode)
					case !want && role == pmAnonymous && rt.API && res.StatusCode != http.StatusUnauthorized:
						t.Errorf("%s: anonymous API request got %d, want 401", where, res.StatusCode)
					case !want && role == pmAnonymous && !rt.API && res.StatusCode != http.StatusSeeOther:
						t.Errorf("%s: anonymous page request got %d, want 303 to the sign-in page", where, res.StatusCode)
					case !want && role != pmAnonymous && res.StatusCode != http.StatusForbidden:
						t.Errorf("%s: signed-in refusal got %d, want 403", where, res.StatusCode)
					}
					// Every refusal of a signed-in user is on the audit trail, once;
					// nothing else writes a denial.
					wantRows := 0
					if denied && role != pmAnonymous {
						wantRows = 1
					}
					if got := after - before; got != wantRows {
						t.Errorf("%s: %d permission.denied audit rows, want %d", where, got, wantRows)
					} else if wantRows == 1 {
						path, _, _ := strings.Cut(tg.path, "?")
						if actor != s.login || !strings.Contains(detail, rt.Method+" "+path) || reqID != res.Header.Get("X-Request-ID") {
							t.Errorf("%s: denial row actor=%q detail=%q request_id=%q", where, actor, detail, reqID)
						}
					}
				}
			}
		})
	}
	t.Logf("%d routes, %d checks", len(f.Srv.Routes()), checks)
}

func pmSnippet(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
