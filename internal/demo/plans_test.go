package demo_test

import (
	"context"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/demo"
	"concord/internal/plans"
)

// TestSamplePlans seeds the demo on both engines and checks that the
// sample plans show what the demo is for: every light in the current work
// points, every state of a report, chases, and a dashboard with data.
func TestSamplePlans(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		now := time.Now().UTC()
		checkSeed(t, d, now)
	})
}

// TestSamplePlansAnyDay seeds the demo as of days that put the current
// plan's edges and the month's turn in awkward places.
func TestSamplePlansAnyDay(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC), // the work points began a year and a half ago
		time.Date(2027, 7, 1, 8, 0, 0, 0, time.UTC),  // they began half a year ago
	} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) { checkSeed(t, dbtest.Open(t, db.SQLite), now) })
	}
}

func checkSeed(t *testing.T, d *db.DB, now time.Time) {
	demo.WithoutWaters(t) // TestSeed checks them
	ctx := context.Background()
	accts := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	dir := &alliance.Service{DB: d}
	start := time.Now()
	if _, err := demo.SeedAt(ctx, accts, dir, now); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s", time.Since(start).Round(time.Millisecond))

	svc := &plans.Service{DB: d, Clock: clock.NewFake(now)}
	var coordID int64
	if err := d.R.QueryRow(`SELECT id FROM users WHERE login = 'coordinator'`).Scan(&coordID); err != nil {
		t.Fatal(err)
	}
	as := access.WithActor(ctx, &access.Actor{UserID: coordID, Login: "coordinator", Roles: []access.Role{access.Coordinator}})
	all, err := svc.Plans(as)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]plans.Plan{}
	for _, p := range all {
		byCode[p.Code] = p
		if !p.Sample {
			t.Errorf("plan %s is not marked as sample data", p.Code)
		}
	}
	if p := byCode["LN-2018-2020"]; p.Status != plans.InForce || p.Kind != plans.ActionPlan {
		t.Errorf("three-year plan: %+v", p)
	}
	if p := byCode["LN-2018-WP"]; p.Status != plans.Done || p.ParentID == nil || *p.ParentID != byCode["LN-2018-2020"].ID {
		t.Errorf("2018 work points: %+v", p)
	}
	var current plans.Plan
	for _, p := range all {
		if p.Kind == plans.AnnualPlan && p.Status == plans.InForce && !p.StartsOn.After(clock.DayOf(now)) && !p.EndsOn.Before(clock.DayOf(now)) {
			current = p
		}
	}
	if current.ID == 0 {
		t.Fatalf("no work points in force today among %+v", all)
	}

	// Every light in the current work points.
	tasks, _, err := svc.ListTasks(as, plans.TaskFilter{PlanID: current.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	lights := map[plans.Light][]string{}
	for _, task := range tasks {
		lights[task.Light] = append(lights[task.Light], task.Code)
	}
	for _, l := range plans.Lights {
		if len(lights[l]) == 0 {
			t.Errorf("no %s task in %s: %v", l, current.Code, lights)
		}
	}
	reasons := map[string]bool{}
	for _, task := range tasks {
		if task.Light == plans.Yellow {
			v, err := svc.Verdict(as, task)
			if err != nil {
				t.Fatal(err)
			}
			reasons[v.Key] = true
		}
	}
	if !reasons["light.why.behind"] || !reasons["light.why.due_soon"] {
		t.Errorf("yellow for %v, want both rules", reasons)
	}
	var reopened bool
	for _, task := range tasks {
		cs, err := svc.Completions(as, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		reopened = reopened || task.Status == plans.TaskActive && len(cs) > 0 && cs[0].Verdict == "reopened"
		if task.Status == plans.TaskCancelled && task.StatusReason == "" {
			t.Errorf("task %s cancelled without a reason", task.Code)
		}
	}
	if !reopened {
		t.Error("no reopened task")
	}

	// Every report state, a report returned and resubmitted, missing ones,
	// on-time and late ones; the three-year plan mostly accepted and closed.
	states := map[plans.ReportState]int{}
	rows, err := d.R.Query(`SELECT state, count(*) FROM reports GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st plans.ReportState
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		states[st] = n
	}
	rows.Close()
	for _, st := range []plans.ReportState{plans.Pending, plans.Drafted, plans.Submitted, plans.Accepted, plans.Returned} {
		if states[st] == 0 {
			t.Errorf("no %s report: %v", st, states)
		}
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := d.R.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM reports WHERE state = 'submitted' AND returns > 0`); n == 0 {
		t.Error("no report resubmitted after a return")
	}
	if n := count(`SELECT count(*) FROM reports WHERE on_time = $1`, false); n == 0 {
		t.Error("no late report")
	}
	missing, _, err := svc.ListReports(as, plans.ReportFilter{Missing: true})
	if err != nil || len(missing) == 0 {
		t.Errorf("missing reports: %d, %v", len(missing), err)
	}
	old := byCode["LN-2018-2020"].ID
	closed := count(`SELECT count(*) FROM tasks WHERE plan_id = $1 AND status = 'closed'`, old)
	if all := count(`SELECT count(*) FROM tasks WHERE plan_id = $1`, old); closed < all*3/4 {
		t.Errorf("three-year plan: %d of %d tasks closed", closed, all)
	}
	accepted := count(`SELECT count(*) FROM reports r JOIN tasks t ON t.id = r.task_id WHERE t.plan_id = $1 AND r.state = 'accepted'`, old)
	if all := count(`SELECT count(*) FROM reports r JOIN tasks t ON t.id = r.task_id WHERE t.plan_id = $1`, old); accepted < all*9/10 {
		t.Errorf("three-year plan: %d of %d reports accepted", accepted, all)
	}

	// Chases by hand and by the daily sweep; responsible persons set.
	if n := count(`SELECT count(*) FROM chases WHERE sent_by = 'coordinator'`); n < 2 {
		t.Errorf("%d chases by hand", n)
	}
	if n := count(`SELECT count(*) FROM chases WHERE sent_by = ''`); n == 0 {
		t.Error("no automatic chase")
	}
	if n := count(`SELECT count(*) FROM assignments WHERE responsible_user_id IS NOT NULL`); n == 0 {
		t.Error("no responsible person set")
	}

	// The dashboard has data.
	dash, err := svc.Dashboard(as, 0)
	if err != nil {
		t.Fatal(err)
	}
	if dash.All.Total != count(`SELECT count(*) FROM tasks`) || len(dash.ByArea) != 6 || len(dash.Closed) == 0 || len(dash.Overdue) == 0 || len(dash.Timeliness) == 0 {
		t.Errorf("dashboard: %+v", dash)
	}
	var onTime, late, returned, absent int
	for _, tl := range dash.Timeliness {
		onTime, late, returned, absent = onTime+tl.OnTime, late+tl.Late, returned+tl.Returned, absent+tl.Missing
	}
	if onTime == 0 || late == 0 || returned == 0 || absent == 0 {
		t.Errorf("timeliness: on time %d, late %d, returned %d, missing %d", onTime, late, returned, absent)
	}
	checkBelt(t, d, now, as)
	checkSupervision(t, d, now, as)
}
