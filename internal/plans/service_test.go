package plans_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/plans"
)

// world is a store with three cities, a coordinator, a leader and a
// reporter per city, and a plan "P" with goal "G" in the first area, on a
// fake clock starting 2026-03-01.
type world struct {
	t                *testing.T
	DB               *db.DB
	Clock            *clock.Fake
	Plans            *plans.Service
	A, B, C          alliance.Unit
	Coord            context.Context
	Leader, Reporter map[int64]context.Context
	Users            map[string]accounts.User
	Plan             plans.Plan
	Goal             plans.Goal
	Area             int64
	Start, Due       clock.Date
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, DB: d, Clock: clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)),
		Leader: map[int64]context.Context{}, Reporter: map[int64]context.Context{}, Users: map[string]accounts.User{}}
	w.Plans = &plans.Service{DB: d, Clock: w.Clock}
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	if err := al.Init(ctx, alliance.Names{ZhHans: "测试"}); err != nil {
		t.Fatal(err)
	}
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	for _, area := range alliance.DefaultAreas {
		a, err := al.CreateArea(sys, area)
		if err != nil {
			t.Fatal(err)
		}
		if w.Area == 0 {
			w.Area = a.ID
		}
	}
	var units []alliance.Unit
	for _, code := range []string{"dalian", "yingkou", "panjin"} {
		u, err := al.CreateUnit(sys, alliance.UnitInput{Code: code, Name: alliance.Names{ZhHans: code}, Kind: alliance.City})
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	w.A, w.B, w.C = units[0], units[1], units[2]
	user := func(login string, unit int64, role access.Role) context.Context {
		u, err := acc.Bootstrap(ctx, accounts.UserInput{Login: login, Name: login, Email: login + "@example.org", UnitID: unit, Password: "Password-2018", Roles: []access.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		w.Users[login] = u
		return access.WithActor(ctx, &access.Actor{UserID: u.ID, Login: login, UnitID: unit, Roles: []access.Role{role}})
	}
	w.Coord = user("coord", w.A.ID, access.Coordinator)
	for _, u := range units {
		w.Leader[u.ID] = user(u.Code+"-leader", u.ID, access.UnitLeader)
		w.Reporter[u.ID] = user(u.Code+"-reporter", u.ID, access.Reporter)
	}
	w.Start, w.Due = clock.DateOf(2026, 3, 1), clock.DateOf(2026, 6, 30)
	var err error
	w.Plan, err = w.Plans.CreatePlan(w.Coord, plans.PlanInput{Code: "P", Kind: plans.ActionPlan, Name: "计划", StartsOn: clock.DateOf(2026, 1, 1), EndsOn: clock.DateOf(2027, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if w.Goal, err = w.Plans.SaveGoal(w.Coord, w.Plan.ID, 0, plans.GoalInput{Code: "G", Title: "目标", AreaID: w.Area}, 0); err != nil {
		t.Fatal(err)
	}
	return w
}

// task adds a task led by A with B co-operating, from Start to Due.
func (w *world) task(code string) plans.Task {
	w.t.Helper()
	t, err := w.Plans.CreateTask(w.Coord, w.Plan.ID, plans.TaskInput{GoalID: w.Goal.ID, Code: code, Title: "推进港口资源整合 " + code,
		LeadUnitID: w.A.ID, CoUnitIDs: []int64{w.B.ID}, StartsOn: w.Start, DueOn: w.Due, Revision: w.note()})
	if err != nil {
		w.t.Fatal(err)
	}
	return t
}

func (w *world) note() plans.RevisionNote {
	return plans.RevisionNote{Reason: "联席会议决定", ApprovedBy: "协调办公室主任"}
}

// report is unit's earliest open report on task.
func (w *world) report(task, unit int64) plans.Report {
	w.t.Helper()
	rs, _, err := w.Plans.ListReports(w.Coord, plans.ReportFilter{TaskID: task, UnitID: unit})
	if err != nil || len(rs) == 0 {
		w.t.Fatalf("no report of unit %d on task %d: %v", unit, task, err)
	}
	return rs[0].Report
}

func pct(f float64) *float64 { return &f }

func filled(p float64) plans.ReportInput {
	return plans.ReportInput{Percent: pct(p), SelfStatus: "on_track", Narrative: "完成港口调研，形成整合方案初稿"}
}

func TestReviewStateMachine(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		rep, coord := w.Reporter[w.A.ID], w.Coord
		type move func(r plans.Report) (plans.Report, error)
		save := func(r plans.Report) (plans.Report, error) {
			return w.Plans.SaveReport(rep, r.ID, filled(10), r.Version)
		}
		submit := func(r plans.Report) (plans.Report, error) {
			return w.Plans.SubmitReport(rep, r.ID, filled(20), r.Version)
		}
		accept := func(r plans.Report) (plans.Report, error) { return w.Plans.AcceptReport(coord, r.ID, r.Version) }
		ret := func(r plans.Report) (plans.Report, error) {
			return w.Plans.ReturnReport(coord, r.ID, "数据不全", r.Version)
		}
		approve := func(r plans.Report) (plans.Report, error) {
			return w.Plans.ApproveReport(w.Leader[w.A.ID], r.ID, r.Version)
		}
		moves := map[string]move{"save": save, "submit": submit, "accept": accept, "return": ret, "approve": approve}
		// paths reach each state from pending.
		paths := map[plans.ReportState][]string{
			plans.Pending:   nil,
			plans.Drafted:   {"save"},
			plans.Submitted: {"submit"},
			plans.Accepted:  {"submit", "accept"},
			plans.Returned:  {"submit", "return"},
		}
		// allowed[state] lists the moves that succeed from it (leader
		// approval is off, so approve never does).
		allowed := map[plans.ReportState]map[string]plans.ReportState{
			plans.Pending:   {"save": plans.Drafted, "submit": plans.Submitted},
			plans.Drafted:   {"save": plans.Drafted, "submit": plans.Submitted},
			plans.Submitted: {"accept": plans.Accepted, "return": plans.Returned},
			plans.Accepted:  {},
			plans.Returned:  {"save": plans.Returned, "submit": plans.Submitted},
		}
		w.Clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		for state, path := range paths {
			for name, m := range moves {
				t.Run(string(state)+"/"+name, func(t *testing.T) {
					// A fresh report each time: reset the one report to pending by
					// using a new task.
					tk := w.task("S-" + string(state) + "-" + name)
					r := w.report(tk.ID, w.A.ID)
					var err error
					for _, step := range path {
						if r, err = moves[step](r); err != nil {
							t.Fatalf("path %v: %v", path, err)
						}
					}
					if r.State != state {
						t.Fatalf("path gave %s", r.State)
					}
					got, err := m(r)
					want, ok := allowed[state][name]
					switch {
					case ok && err != nil:
						t.Fatalf("%s from %s: %v", name, state, err)
					case ok && got.State != want:
						t.Fatalf("%s from %s gave %s, want %s", name, state, got.State, want)
					case !ok && err == nil:
						t.Fatalf("%s from %s was allowed (→ %s)", name, state, got.State)
					case !ok && name == "approve":
						errstest.WantKind(t, err, errs.Conflict)
					case !ok && !errs.Is(err, errs.Conflict):
						t.Fatalf("%s from %s: %v, want a conflict", name, state, err)
					}
				})
			}
		}
	})
}

// TestPlanListFollowsChanges: the plan list is kept between calls; a plan
// made through this service is listed at once, one made by another instance
// once dashboardTTL has passed.
func TestPlanListFollowsChanges(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		listed := func(code string) bool {
			t.Helper()
			ps, err := w.Plans.Plans(w.Coord)
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(ps, func(p plans.Plan) bool { return p.Code == code })
		}
		create := func(svc *plans.Service, code string) {
			t.Helper()
			if _, err := svc.CreatePlan(w.Coord, plans.PlanInput{Code: code, Kind: plans.ActionPlan, Name: code, StartsOn: w.Start, EndsOn: w.Due}); err != nil {
				t.Fatal(err)
			}
		}
		if !listed("P") {
			t.Fatal("the world's plan is not listed")
		}
		create(w.Plans, "HERE")
		if !listed("HERE") {
			t.Error("a plan made here is not listed at once")
		}
		create(&plans.Service{DB: d, Clock: w.Clock}, "ELSEWHERE")
		if listed("ELSEWHERE") {
			t.Error("the list was read again although nothing changed here")
		}
		w.Clock.Advance(11 * time.Second)
		if !listed("ELSEWHERE") {
			t.Error("a plan made by another instance is not listed after the TTL")
		}
	})
}
