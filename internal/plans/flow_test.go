package plans_test

import (
	"reflect"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/plans"
)

// TestTaskLifecycle follows one task from assignment to closure: reports
// from both units roll up, a late report is marked late, completion is filed
// and closed, a reopen needs a reason; the dashboard's counts follow.
func TestTaskLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		if task.Light != plans.Green || task.Progress != 0 {
			t.Fatalf("new task: %s %v", task.Light, task.Progress)
		}
		// March's reports are due 5 April; A reports on time, B late.
		w.Clock.Set(time.Date(2026, 4, 3, 10, 0, 0, 0, time.UTC))
		ra := w.report(task.ID, w.A.ID)
		if ra.PeriodEnd != clock.DateOf(2026, 3, 31) || ra.DueOn != clock.DateOf(2026, 4, 5) {
			t.Fatalf("period %s due %s", ra.PeriodEnd, ra.DueOn)
		}
		ra, err := w.Plans.SubmitReport(w.Reporter[w.A.ID], ra.ID, filled(30), ra.Version)
		if err != nil || !*ra.OnTime {
			t.Fatalf("submit A: %v %+v", err, ra.OnTime)
		}
		w.Clock.Set(time.Date(2026, 4, 6, 10, 0, 0, 0, time.UTC))
		rb := w.report(task.ID, w.B.ID)
		if _, err := w.Plans.SubmitReport(w.Reporter[w.A.ID], rb.ID, filled(10), rb.Version); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("A's reporter wrote B's report: %v", err)
		}
		rb, err = w.Plans.SubmitReport(w.Reporter[w.B.ID], rb.ID, filled(10), rb.Version)
		if err != nil || *rb.OnTime {
			t.Fatalf("submit B: %v %+v", err, rb.OnTime)
		}
		got, _ := w.Plans.Task(w.Coord, task.ID)
		if want := 0.6*30 + 0.4*10; got.Progress != want {
			t.Fatalf("progress %v, want %v", got.Progress, want)
		}
		// A return takes B's report out of the roll-up until resubmitted.
		if _, err := w.Plans.ReturnReport(w.Coord, rb.ID, "", rb.Version+0); err == nil {
			t.Fatal("returned without a reason")
		}
		rb, _ = w.Plans.Report(w.Coord, rb.ID)
		rb, err = w.Plans.ReturnReport(w.Coord, rb.ID, "请补充数据", rb.Version)
		if err != nil || rb.ReturnReason != "请补充数据" || rb.Returns != 1 {
			t.Fatalf("return: %v %+v", err, rb)
		}
		got, _ = w.Plans.Task(w.Coord, task.ID)
		if got.Progress != 0.6*30 {
			t.Fatalf("progress after return %v", got.Progress)
		}
		if rb, err = w.Plans.SubmitReport(w.Reporter[w.B.ID], rb.ID, filled(15), rb.Version); err != nil {
			t.Fatal(err)
		}
		if *rb.OnTime {
			t.Fatal("resubmission changed the first submission's lateness")
		}
		// Completion: only the lead unit files, the office closes.
		if _, _, err := w.Plans.FileCompletion(w.Reporter[w.B.ID], task.ID, "完成", got.Version); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("co unit filed completion: %v", err)
		}
		w.Clock.Set(time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC))
		got, _ = w.Plans.Task(w.Coord, task.ID)
		filed, c, err := w.Plans.FileCompletion(w.Leader[w.A.ID], task.ID, "港口整合方案已实施", got.Version)
		if err != nil || filed.Light != plans.DoneOnTime || c.Summary == "" {
			t.Fatalf("file: %v %s", err, filed.Light)
		}
		if _, err := w.Plans.ReopenTask(w.Coord, task.ID, " ", filed.Version); err == nil {
			t.Fatal("reopened without a reason")
		} else {
			errstest.WantField(t, err, "reason", "error.required")
		}
		closed, err := w.Plans.CloseTask(w.Coord, task.ID, filed.Version)
		if err != nil || closed.Light != plans.Closed || closed.Progress != 100 {
			t.Fatalf("close: %v %s %v", err, closed.Light, closed.Progress)
		}
		dash, err := w.Plans.Dashboard(w.Coord, w.Plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dash.All.Counts[plans.Closed] != 1 || len(dash.Closed) != 1 || dash.Closed[0].Month != "2026-06" {
			t.Fatalf("dashboard: %+v", dash)
		}
		// The light counts by plan (a meeting brief's) are the dashboard's.
		if lights, err := w.Plans.LightsByPlan(w.Coord); err != nil || !reflect.DeepEqual(lights[w.Plan.ID], dash.All) {
			t.Fatalf("lights by plan %+v, %v; the dashboard's %+v", lights[w.Plan.ID], err, dash.All)
		}
		var onTime, late, returned int
		for _, tl := range dash.Timeliness {
			onTime, late, returned = onTime+tl.OnTime, late+tl.Late, returned+tl.Returned
		}
		if onTime != 1 || late != 1 || returned != 1 {
			t.Fatalf("timeliness %+v", dash.Timeliness)
		}
		// Another plan's dashboard counts none of this plan's reports.
		other, err := w.Plans.Dashboard(w.Coord, w.Plan.ID+1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, tl := range other.Timeliness {
			if tl.OnTime+tl.Late+tl.Returned+tl.Missing != 0 {
				t.Errorf("another plan's timeliness counts this plan's reports: %+v", tl)
			}
		}
		events, _ := w.Plans.Timeline(w.Coord, task.ID)
		kinds := map[string]int{}
		for _, e := range events {
			kinds[e.Kind]++
		}
		for _, k := range []string{"created", "report.submitted", "report.returned", "task.completion_filed", "task.closed"} {
			if kinds[k] == 0 {
				t.Errorf("timeline lacks %s: %v", k, kinds)
			}
		}
	})
}

// TestRevisions: a plan in force changes only with a reason, and each
// change is a numbered revision with its diff.
func TestRevisions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		p, err := w.Plans.SetPlanStatus(w.Coord, w.Plan.ID, plans.InForce, w.note(), w.Plan.Version)
		if err != nil || p.Revision != 1 {
			t.Fatalf("in force: %v rev %d", err, p.Revision)
		}
		in := plans.TaskInput{GoalID: w.Goal.ID, Code: "T-1", Title: task.Title, LeadUnitID: w.B.ID, CoUnitIDs: []int64{w.C.ID},
			StartsOn: task.StartsOn, DueOn: clock.DateOf(2026, 9, 30)}
		_, err = w.Plans.UpdateTask(w.Coord, task.ID, in, task.Version)
		errstest.WantField(t, err, "revision.reason", "error.required")
		in.Revision = w.note()
		if _, err := w.Plans.UpdateTask(w.Coord, task.ID, in, task.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Plans.UpdateTask(w.Coord, task.ID, in, task.Version); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		revs, err := w.Plans.Revisions(w.Coord, w.Plan.ID)
		if err != nil || len(revs) != 2 {
			t.Fatalf("revisions %v %+v", err, revs)
		}
		kinds := map[plans.ChangeKind]int{}
		for _, c := range revs[0].Changes {
			kinds[c.Kind]++
		}
		if kinds[plans.TaskReassigned] != 2 || kinds[plans.DeadlineMoved] != 1 || revs[0].ApprovedBy != "协调办公室主任" || revs[0].RecordedBy != "coord" {
			t.Fatalf("revision 2: %+v", revs[0])
		}
		// B's old co-operating row is now the lead; A is retired with its reports kept.
		as, _ := w.Plans.Assignments(w.Coord, task.ID)
		roles := map[int64]string{}
		for _, a := range as {
			roles[a.UnitID] = string(a.Role)
			if !a.Active {
				roles[a.UnitID] += "-retired"
			}
		}
		if roles[w.A.ID] != "lead-retired" || roles[w.B.ID] != "lead" || roles[w.C.ID] != "co" {
			t.Fatalf("assignments %v", roles)
		}
	})
}

// TestTaskValidation: each bad input names its field.
func TestTaskValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.task("T-1")
		good := func() plans.TaskInput {
			return plans.TaskInput{GoalID: w.Goal.ID, Code: "T-2", Title: "任务", LeadUnitID: w.A.ID, CoUnitIDs: []int64{w.B.ID}, StartsOn: w.Start, DueOn: w.Due}
		}
		cases := []struct {
			name  string
			edit  func(*plans.TaskInput)
			field string
			kind  errs.Kind
		}{
			{"co unit is the lead", func(in *plans.TaskInput) { in.CoUnitIDs = []int64{w.A.ID} }, "co_unit_ids", errs.Invalid},
			{"due before start", func(in *plans.TaskInput) { in.DueOn = w.Start.AddDays(-1) }, "due_on", errs.Invalid},
			{"unknown lead", func(in *plans.TaskInput) { in.LeadUnitID = 9999 }, "lead_unit_id", errs.Invalid},
			{"duplicate code", func(in *plans.TaskInput) { in.Code = "T-1" }, "code", errs.Conflict},
			{"bad code", func(in *plans.TaskInput) { in.Code = "任务 1" }, "code", errs.Invalid},
			{"outside the plan", func(in *plans.TaskInput) { in.DueOn = clock.DateOf(2028, 1, 1) }, "due_on", errs.Invalid},
			{"custom cycle without dates", func(in *plans.TaskInput) { in.Cycle = plans.Custom }, "report_dates", errs.Invalid},
			{"milestone after due", func(in *plans.TaskInput) {
				in.Milestones = []plans.MilestoneInput{{Title: "节点", DueOn: w.Due.AddDays(1)}}
			}, "milestones.0.due_on", errs.Invalid},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := good()
				c.edit(&in)
				_, err := w.Plans.CreateTask(w.Coord, w.Plan.ID, in)
				e := errstest.WantKind(t, err, c.kind)
				for _, f := range e.Fields {
					if f.Field == c.field {
						return
					}
				}
				t.Fatalf("error %v does not name %s", err, c.field)
			})
		}
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM tasks`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("tasks after bad input: %d %v", n, err)
		}
	})
}
