package gen_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/bench/gen"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/plans"
)

// TestGenerate generates a small alliance on both engines and checks it
// against the service and a recount from the base tables.
func TestGenerate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		coord := setup(t, d)
		today := clock.DateOf(2026, 11, 29)
		made, err := gen.Generate(ctx, d, gen.Options{Tasks: 600, Reports: 9000, Seed: 7, Today: today, Chunk: 250})
		if err != nil {
			t.Fatal(err)
		}
		if made.Tasks != 600 || made.Plans != 13 || made.Reports < 6000 || made.Reports > 12000 || made.Chases == 0 {
			t.Errorf("made %+v", made)
		}
		if _, err := gen.Generate(ctx, d, gen.Options{Tasks: 1, Today: today}); err == nil {
			t.Error("generating twice succeeded")
		}
		svc := &plans.Service{DB: d, Clock: clock.NewFake(today.Time().Add(12 * time.Hour))}
		checkAggregates(t, d)
		checkTasks(t, d, svc, coord)
		checkReports(t, d, today)
		checkPeriods(t, d, svc, coord)
	})
}

// setup makes an alliance of twelve units, with a coordinator and a
// reporter in every unit.
func setup(t *testing.T, d *db.DB) context.Context {
	ctx := context.Background()
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	if err := al.BootstrapInit(ctx, alliance.Names{ZhHans: "测试", ZhHant: "測試", En: "Test"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range alliance.DefaultAreas {
		if _, err := al.BootstrapArea(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var coord context.Context
	for i := range 12 {
		u, err := al.BootstrapUnit(ctx, alliance.UnitInput{Code: fmt.Sprintf("u%02d", i), Name: alliance.Names{ZhHans: "单位", ZhHant: "單位", En: "Unit"}, Kind: alliance.City})
		if err != nil {
			t.Fatal(err)
		}
		login := fmt.Sprintf("reporter%02d", i)
		if _, err := acc.Bootstrap(ctx, accounts.UserInput{Login: login, Name: login, UnitID: u.ID, Password: "Password-2018-x", Roles: []access.Role{access.Reporter}}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			c, err := acc.Bootstrap(ctx, accounts.UserInput{Login: "coord", Name: "coord", UnitID: u.ID, Password: "Password-2018-x", Roles: []access.Role{access.Coordinator}})
			if err != nil {
				t.Fatal(err)
			}
			coord = access.WithActor(ctx, &access.Actor{UserID: c.ID, Login: c.Login, UnitID: u.ID, Roles: c.Roles})
		}
	}
	return coord
}

// query collects rows of a query as strings keyed by their first columns.
func query(t *testing.T, d *db.DB, q string) map[string]string {
	t.Helper()
	rows, err := d.R.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k1, k2, k3, k4 any
		var n float64
		var sum float64
		if err := rows.Scan(&k1, &k2, &k3, &k4, &n, &sum); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprint(k1, "/", k2, "/", k3, "/", k4)] = fmt.Sprintf("%.0f %.3f", n, sum)
	}
	return out
}

func checkAggregates(t *testing.T, d *db.DB) {
	counts := query(t, d, `SELECT plan_id, area_id, unit_id, light, n, progress_sum FROM task_counts WHERE n > 0`)
	recount := query(t, d, `SELECT plan_id, area_id, lead_unit_id, light, count(*), SUM(progress) FROM tasks GROUP BY plan_id, area_id, lead_unit_id, light`)
	if !mapsEqual(counts, recount) {
		t.Errorf("task_counts differ from a recount:\n%v\n%v", counts, recount)
	}
	var stale, dead int
	if err := d.R.QueryRow(`SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.light <> t.light`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d assignments do not carry their task's light (%v)", stale, err)
	}
	if err := d.R.QueryRow(`SELECT count(*) FROM reports r JOIN tasks t ON t.id = r.task_id JOIN assignments a ON a.id = r.assignment_id
		WHERE r.live <> (t.status IN ('active','completion_filed') AND a.active)`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d reports marked live or not against their task and unit (%v)", stale, err)
	}
	if err := d.R.QueryRow(`SELECT count(*) FROM reports WHERE NOT live`).Scan(&dead); err != nil || dead == 0 {
		t.Errorf("no report of an ended task (%v)", err)
	}
	months := query(t, d, `SELECT plan_id, month, area_id, 0, n, 0 FROM closed_months WHERE n > 0`)
	remonths := query(t, d, `SELECT plan_id, closed_month, area_id, 0, count(*), 0 FROM tasks WHERE closed_month <> '' GROUP BY plan_id, closed_month, area_id`)
	if len(months) == 0 || !mapsEqual(months, remonths) {
		t.Errorf("closed_months differ from a recount:\n%v\n%v", months, remonths)
	}
	type rc struct{ on, late, ret int }
	want := map[string]rc{}
	rows, err := d.R.Query(`SELECT t.plan_id, r.unit_id, r.period_end, r.on_time, r.returns FROM reports r JOIN tasks t ON t.id = r.task_id
		WHERE r.on_time IS NOT NULL OR r.returns > 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var plan, unit int64
		var end clock.Date
		var onTime *bool
		var returns int
		if err := rows.Scan(&plan, &unit, &end, &onTime, &returns); err != nil {
			t.Fatal(err)
		}
		k := fmt.Sprint(plan, "/", unit, "/", end.Month())
		c := want[k]
		if onTime != nil && *onTime {
			c.on++
		} else if onTime != nil {
			c.late++
		}
		c.ret += returns
		want[k] = c
	}
	rows.Close()
	got := map[string]rc{}
	rows, err = d.R.Query(`SELECT plan_id, unit_id, month, on_time, late, returned FROM report_counts`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var plan, unit int64
		var month string
		var c rc
		if err := rows.Scan(&plan, &unit, &month, &c.on, &c.late, &c.ret); err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprint(plan, "/", unit, "/", month)] = c
	}
	rows.Close()
	if len(got) == 0 || !mapsEqual(got, want) {
		t.Errorf("report_counts differ from a recount:\n%v\n%v", got, want)
	}
}

func mapsEqual[V comparable](a, b map[string]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// checkTasks: every light is the service's verdict, every light and
// status occurs, progress is rolled up as the service does, and text
// search finds tasks and reports.
func checkTasks(t *testing.T, d *db.DB, svc *plans.Service, coord context.Context) {
	lights := map[plans.Light]int{}
	statuses := map[plans.Status]int{}
	err := svc.EachTask(coord, plans.TaskFilter{}, func(task plans.Task) error {
		v, err := svc.Verdict(coord, task)
		if err != nil {
			return err
		}
		if v.Light != task.Light {
			t.Errorf("task %d %s: light %s, the service says %s", task.ID, task.Code, task.Light, v.Light)
		}
		lights[task.Light]++
		statuses[task.Status]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range plans.Lights {
		if lights[l] == 0 {
			t.Errorf("no %s task: %v", l, lights)
		}
	}
	for _, s := range []plans.Status{plans.TaskActive, plans.TaskFiled, plans.TaskClosed, plans.TaskCancelled, plans.TaskMerged} {
		if statuses[s] == 0 {
			t.Errorf("no %s task: %v", s, statuses)
		}
	}
	// The refresh rule: an active assignment's progress is its latest
	// submitted or accepted report's percent.
	var wrong int
	if err := d.R.QueryRow(`SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.status = 'active' AND a.progress <> COALESCE((SELECT r.percent FROM reports r
		WHERE r.assignment_id = a.id AND r.state IN ('submitted','approved','accepted') AND r.percent IS NOT NULL ORDER BY r.period_end DESC LIMIT 1), 0)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong > 0 {
		t.Errorf("%d assignments' progress is not their latest report's", wrong)
	}
	set, err := svc.Settings(coord)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.R.Query(`SELECT t.id, t.progress, a.role, a.progress FROM tasks t JOIN assignments a ON a.task_id = t.id WHERE t.status = 'active' ORDER BY t.id`)
	if err != nil {
		t.Fatal(err)
	}
	type roll struct {
		task, lead, coSum float64
		co                int
	}
	rolls := map[int64]*roll{}
	for rows.Next() {
		var id int64
		var tp, ap float64
		var role string
		if err := rows.Scan(&id, &tp, &role, &ap); err != nil {
			t.Fatal(err)
		}
		if rolls[id] == nil {
			rolls[id] = &roll{task: tp}
		}
		if role == "lead" {
			rolls[id].lead = ap
		} else {
			rolls[id].coSum += ap
			rolls[id].co++
		}
	}
	rows.Close()
	for id, r := range rolls {
		want := r.lead
		if r.co > 0 {
			want = set.LeadWeight*r.lead + (1-set.LeadWeight)*r.coSum/float64(r.co)
		}
		if math.Abs(want-r.task) > 1e-6 {
			t.Errorf("task %d progress %v, rolled up %v", id, r.task, want)
		}
	}
	for _, q := range []string{"累计完成", "倒排工期"} {
		hits, err := svc.Search(coord, q, 10)
		if err != nil || len(hits) == 0 {
			t.Errorf("search %q: %d hits, %v", q, len(hits), err)
		}
	}
	if ts, n, err := svc.ListTasks(coord, plans.TaskFilter{Query: "成果材料"}); err != nil || n == 0 || len(ts) == 0 {
		t.Errorf("task text search: %d, %v", n, err)
	}
}

// checkReports: every state occurs; on_time and first_submitted_at agree.
func checkReports(t *testing.T, d *db.DB, today clock.Date) {
	rows, err := d.R.Query(`SELECT state, due_on, first_submitted_at, on_time, submitted_at, reviewed_at, returns FROM reports`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	states := map[plans.ReportState]int{}
	for rows.Next() {
		var st plans.ReportState
		var due clock.Date
		var first, sub, rev *time.Time
		var onTime *bool
		var returns int
		if err := rows.Scan(&st, &due, &first, &onTime, &sub, &rev, &returns); err != nil {
			t.Fatal(err)
		}
		states[st]++
		written := st != plans.Pending && st != plans.Drafted
		if written != (first != nil) || (first != nil) != (onTime != nil) || (sub != nil) != written {
			t.Errorf("%s report: first %v, on time %v, submitted %v", st, first, onTime, sub)
			continue
		}
		if first != nil && *onTime != !clock.DayOf(*first).After(due) {
			t.Errorf("report due %s first submitted %s: on_time %v", due, first, *onTime)
		}
		if (st == plans.Accepted || st == plans.Returned) != (rev != nil) || st == plans.Returned && returns == 0 {
			t.Errorf("%s report: reviewed %v, returns %d", st, rev, returns)
		}
		if sub != nil && !sub.Before(today.Time()) || rev != nil && !rev.Before(today.Time()) {
			t.Errorf("report acted on after today: %v %v", sub, rev)
		}
	}
	for _, st := range []plans.ReportState{plans.Pending, plans.Drafted, plans.Submitted, plans.Accepted, plans.Returned} {
		if states[st] == 0 {
			t.Errorf("no %s report: %v", st, states)
		}
	}
}

// checkPeriods lets the service re-derive the report rows of live tasks
// (UpdateTask with the task unchanged opens missing periods, moves wrong
// starts and drops rows of periods that do not exist) and a daily sweep
// run: neither may change the rows, the lights or the chases.
func checkPeriods(t *testing.T, d *db.DB, svc *plans.Service, coord context.Context) {
	snapshot := func() []string {
		var out []string
		rows, err := d.R.Query(`SELECT r.assignment_id, r.period_start, r.period_end, r.due_on, t.light, r.chase_level FROM reports r JOIN tasks t ON t.id = r.task_id ORDER BY r.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a int64
			var s, e, due clock.Date
			var light string
			var chase int
			if err := rows.Scan(&a, &s, &e, &due, &light, &chase); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(a, s, e, due, light, chase))
		}
		return out
	}
	chases := func() (n int) {
		if err := d.R.QueryRow(`SELECT count(*) FROM chases`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, chased := snapshot(), chases()
	tasks, _, err := svc.ListTasks(coord, plans.TaskFilter{Status: plans.TaskActive, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	updated := 0
	for _, task := range tasks {
		as, err := svc.Assignments(coord, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		var co []int64
		for _, a := range as {
			if a.Role == plans.Co {
				co = append(co, a.UnitID)
			}
		}
		in := plans.TaskInput{GoalID: task.GoalID, Code: task.Code, Title: task.Title, Description: task.Description, AreaID: task.AreaID,
			LeadUnitID: task.LeadUnitID, CoUnitIDs: co, StartsOn: task.StartsOn, DueOn: task.DueOn, Deliverables: task.Deliverables,
			Target: task.Target, Cycle: task.Cycle, ReportDates: task.ReportDates, Revision: plans.RevisionNote{Reason: "核对", ApprovedBy: "测试"}}
		if _, err := svc.UpdateTask(coord, task.ID, in, task.Version); err != nil {
			t.Fatalf("task %s: %v", task.Code, err)
		}
		updated++
	}
	if err := svc.Daily(coord, clock.Today(svc.Clock)); err != nil {
		t.Fatal(err)
	}
	after := snapshot()
	if updated == 0 || !slices.Equal(before, after) {
		t.Errorf("the service re-derived other rows for %d live tasks: %d rows before, %d after", updated, len(before), len(after))
		for i := range min(len(before), len(after)) {
			if before[i] != after[i] {
				t.Errorf("first difference: %s → %s", before[i], after[i])
				break
			}
		}
	}
	if n := chases(); n != chased {
		t.Errorf("the daily sweep sent %d chases on a generated store", n-chased)
	}
}
