// Package testworld builds a small alliance for the tests of the
// supervision capabilities that work on top of plans: three cities with a
// leader and a reporter each, a coordinator, an inspector and a viewer, and
// a plan in force with one task, on a fake clock starting 2026-03-01.
package testworld

import (
	"context"
	"sync"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/jobs"
	"concord/internal/plans"
)

// World is the alliance.
type World struct {
	DB                  *db.DB
	Clock               *clock.Fake
	Plans               *plans.Service
	A, B, C             alliance.Unit
	Area                int64
	Coord, Insp, Viewer context.Context
	Leader, Reporter    map[int64]context.Context
	Users               map[string]accounts.User
	Plan                plans.Plan
	Task                plans.Task
}

// New builds the world in d.
func New(t testing.TB, d *db.DB) *World {
	t.Helper()
	ctx := context.Background()
	w := &World{DB: d, Clock: clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)),
		Leader: map[int64]context.Context{}, Reporter: map[int64]context.Context{}, Users: map[string]accounts.User{}}
	w.Plans = &plans.Service{DB: d, Clock: w.Clock}
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(al.Init(ctx, alliance.Names{ZhHans: "测试"}))
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	for _, area := range alliance.DefaultAreas {
		a, err := al.CreateArea(sys, area)
		must(err)
		if w.Area == 0 {
			w.Area = a.ID
		}
	}
	var units []alliance.Unit
	for _, code := range []string{"dalian", "yingkou", "panjin"} {
		u, err := al.CreateUnit(sys, alliance.UnitInput{Code: code, Name: alliance.Names{ZhHans: code}, Kind: alliance.City})
		must(err)
		units = append(units, u)
	}
	w.A, w.B, w.C = units[0], units[1], units[2]
	user := func(login string, unit int64, role access.Role) context.Context {
		u, err := acc.Bootstrap(ctx, accounts.UserInput{Login: login, Name: login, Email: login + "@example.org", UnitID: unit, Password: "Password-2018", Roles: []access.Role{role}})
		must(err)
		w.Users[login] = u
		return access.WithActor(ctx, &access.Actor{UserID: u.ID, Login: login, UnitID: unit, Roles: []access.Role{role}})
	}
	w.Coord = user("coord", w.A.ID, access.Coordinator)
	w.Insp = user("inspector", w.A.ID, access.Inspector)
	w.Viewer = user("viewer", w.A.ID, access.Viewer)
	for _, u := range units {
		w.Leader[u.ID] = user(u.Code+"-leader", u.ID, access.UnitLeader)
		w.Reporter[u.ID] = user(u.Code+"-reporter", u.ID, access.Reporter)
	}
	var err error
	w.Plan, err = w.Plans.CreatePlan(w.Coord, plans.PlanInput{Code: "P", Kind: plans.ActionPlan, Name: "计划", StartsOn: clock.DateOf(2026, 1, 1), EndsOn: clock.DateOf(2027, 12, 31)})
	must(err)
	goal, err := w.Plans.SaveGoal(w.Coord, w.Plan.ID, 0, plans.GoalInput{Code: "G", Title: "目标", AreaID: w.Area}, 0)
	must(err)
	w.Task, err = w.Plans.CreateTask(w.Coord, w.Plan.ID, plans.TaskInput{GoalID: goal.ID, Code: "T-1", Title: "推进港口资源整合",
		LeadUnitID: w.A.ID, CoUnitIDs: []int64{w.B.ID}, StartsOn: clock.DateOf(2026, 3, 1), DueOn: clock.DateOf(2026, 6, 30),
		Revision: plans.RevisionNote{Reason: "联席会议决定", ApprovedBy: "协调办公室主任"}})
	must(err)
	return w
}

// Count runs a count query.
func (w *World) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Sweeper runs job as two instances would: a runner each, three sweeps
// each at once, as of the fake clock set to at. A daily job claims its
// slot once across them, so whatever it sends must be sent once.
func (w *World) Sweeper(t testing.TB, job jobs.Job) func(at time.Time) {
	var runners []*jobs.Runner
	for _, name := range []string{"one", "two"} {
		r := &jobs.Runner{DB: w.DB, Clock: w.Clock, Instance: name}
		r.Add(job)
		runners = append(runners, r)
	}
	return func(at time.Time) {
		t.Helper()
		w.Clock.Set(at)
		var wg sync.WaitGroup
		for range 3 {
			for _, r := range runners {
				wg.Go(func() {
					if err := r.RunDue(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
	}
}
