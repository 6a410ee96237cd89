package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/audit"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/notify"
	"concord/internal/planio"
	"concord/internal/plans"
	"concord/internal/problems"
	"concord/internal/scores"
	"concord/internal/wateraccount"
	"concord/internal/waterstore"
	"concord/internal/web"
)

// fixture is a running server over a fresh store with two units (own and
// other) and one user per role in the own unit, plus a reporter in other.
type fixture struct {
	t      *testing.T
	DB     *db.DB
	Srv    *web.Server
	HTTP   *httptest.Server
	Own    alliance.Unit
	Other  alliance.Unit
	Users  map[access.Role]accounts.User
	Peer   accounts.User // a reporter in Other
	tokens map[string]string

	// A plan in force with two tasks: TaskOwn led by Own with Other
	// co-operating, and TaskOther the other way round; ReportOwn and
	// ReportOther are the current period's reports of TaskOwn by each unit.
	Plans       *plans.Service
	Plan        plans.Plan
	Goal        plans.Goal
	TaskOwn     plans.Task
	TaskOther   plans.Task
	ReportOwn   plans.Report
	ReportOther plans.Report
}

const testPassword = "Password-2018"

func newFixture(t *testing.T, e db.Engine) *fixture {
	t.Helper()
	d := dbtest.Open(t, e)
	ctx := context.Background()
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	if err := al.Init(ctx, alliance.Names{ZhHans: "测试经济带", ZhHant: "測試經濟帶", En: "Test belt"}); err != nil {
		t.Fatal(err)
	}
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	f := &fixture{t: t, DB: d, Users: map[access.Role]accounts.User{}, tokens: map[string]string{}}
	var err error
	if f.Own, err = al.CreateUnit(sys, alliance.UnitInput{Code: "own", Name: alliance.Names{ZhHans: "本单位"}, Kind: alliance.City}); err != nil {
		t.Fatal(err)
	}
	if f.Other, err = al.CreateUnit(sys, alliance.UnitInput{Code: "other", Name: alliance.Names{ZhHans: "他单位"}, Kind: alliance.City}); err != nil {
		t.Fatal(err)
	}
	for _, area := range alliance.DefaultAreas {
		if _, err := al.CreateArea(sys, area); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range access.Roles {
		u, err := acc.Bootstrap(ctx, accounts.UserInput{Login: strings.ReplaceAll(string(r), "_", "-"), Name: string(r), UnitID: f.Own.ID, Password: testPassword, Roles: []access.Role{r}})
		if err != nil {
			t.Fatal(err)
		}
		f.Users[r] = u
	}
	if f.Peer, err = acc.Bootstrap(ctx, accounts.UserInput{Login: "peer", Name: "peer", UnitID: f.Other.ID, Password: testPassword, Roles: []access.Role{access.Reporter}}); err != nil {
		t.Fatal(err)
	}
	f.Plans = &plans.Service{DB: d, Clock: clock.System}
	f.seedPlan()
	ws := &waterstore.Service{DB: d, Clock: clock.System}
	f.Srv, err = web.New(web.Deps{DB: d, Accounts: acc, Alliance: al, Plans: f.Plans, Audit: &audit.Store{DB: d}, Version: "test",
		Notify: &notify.Service{DB: d, Clock: clock.System}, Planio: &planio.Service{Plans: f.Plans, Alliance: al},
		Inspect: &inspect.Service{DB: d, Clock: clock.System, Plans: f.Plans}, Problems: &problems.Service{DB: d, Clock: clock.System, Plans: f.Plans},
		Meetings:  &meetings.Service{DB: d, Clock: clock.System, Plans: f.Plans},
		Scores:    &scores.Service{DB: d, Clock: clock.System},
		Bulletins: &bulletin.Service{DB: d, Clock: clock.System, Alliance: al},
		Water:     ws,
		WaterAccount: &wateraccount.Service{DB: d, Clock: clock.System, Water: ws,
			Inspect: &inspect.Service{DB: d, Clock: clock.System, Plans: f.Plans}}})
	if err != nil {
		t.Fatal(err)
	}
	f.HTTP = httptest.NewServer(f.Srv.Handler())
	t.Cleanup(f.HTTP.Close)
	return f
}

// seedPlan gives the fixture its plan, tasks and reports, dated around
// today so that the current reporting period has begun.
func (f *fixture) seedPlan() {
	t := f.t
	coord := access.WithActor(context.Background(), &access.Actor{UserID: f.Users[access.Coordinator].ID, Login: "coordinator", UnitID: f.Own.ID, Roles: []access.Role{access.Coordinator}})
	today := clock.Today(clock.System)
	var err error
	f.Plan, err = f.Plans.CreatePlan(coord, plans.PlanInput{Code: "P1", Kind: plans.ActionPlan, Name: "测试行动计划", StartsOn: today.AddDays(-400), EndsOn: today.AddDays(400)})
	if err != nil {
		t.Fatal(err)
	}
	var area int64
	if err := f.DB.R.QueryRow(`SELECT min(id) FROM areas`).Scan(&area); err != nil {
		t.Fatal(err)
	}
	if f.Goal, err = f.Plans.SaveGoal(coord, f.Plan.ID, 0, plans.GoalInput{Code: "G1", Title: "产业协同", AreaID: area}, 0); err != nil {
		t.Fatal(err)
	}
	task := func(code string, lead, co int64) plans.Task {
		tk, err := f.Plans.CreateTask(coord, f.Plan.ID, plans.TaskInput{GoalID: f.Goal.ID, Code: code, Title: "任务 " + code,
			LeadUnitID: lead, CoUnitIDs: []int64{co}, StartsOn: today.AddDays(-40), DueOn: today.AddDays(60)})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	f.TaskOwn, f.TaskOther = task("T-1", f.Own.ID, f.Other.ID), task("T-2", f.Other.ID, f.Own.ID)
	if f.Plan, err = f.Plans.SetPlanStatus(coord, f.Plan.ID, plans.InForce, plans.RevisionNote{ApprovedBy: "联席会议"}, f.Plan.Version); err != nil {
		t.Fatal(err)
	}
	current := func(unit int64) plans.Report {
		rs, _, err := f.Plans.ListReports(coord, plans.ReportFilter{TaskID: f.TaskOwn.ID, UnitID: unit, States: []plans.ReportState{plans.Pending}})
		if err != nil || len(rs) == 0 {
			t.Fatalf("no pending report for unit %d: %v", unit, err)
		}
		return rs[len(rs)-1].Report
	}
	f.ReportOwn, f.ReportOther = current(f.Own.ID), current(f.Other.ID)
}

// token signs login in through the API once and returns its bearer token.
func (f *fixture) token(login string) string {
	f.t.Helper()
	if tok, ok := f.tokens[login]; ok {
		return tok
	}
	res := f.do("POST", "/api/v1/session", "", map[string]string{"login": login, "password": testPassword}, nil)
	if res.StatusCode != http.StatusCreated {
		f.t.Fatalf("login %s: %d %s", login, res.StatusCode, res.Body)
	}
	tok := res.JSON["token"].(string)
	f.tokens[login] = tok
	return tok
}

type result struct {
	StatusCode int
	Header     http.Header
	Body       string
	JSON       map[string]any
}

// do sends a request with an optional bearer token and JSON body.
func (f *fixture) do(method, path, token string, body any, header map[string]string) result {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, f.HTTP.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := result{StatusCode: res.StatusCode, Header: res.Header, Body: string(b)}
	json.Unmarshal(b, &out.JSON)
	return out
}

// auditCount is the number of audit rows.
func (f *fixture) auditCount() int {
	var n int
	if err := f.DB.R.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
