package plans_test

import (
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs/errstest"
	"concord/internal/plans"
)

// TestSearch finds Chinese text in task titles and report narratives, with
// two characters (below the trigram length) and with more.
func TestSearch(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		r := w.report(task.ID, w.A.ID)
		in := filled(20)
		in.Problems = "用地指标不足，需省自然资源厅协调"
		if _, err := w.Plans.SubmitReport(w.Reporter[w.A.ID], r.ID, in, r.Version); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    string
			kind string
		}{
			{"港口", "task"}, {"港口资源整合", "task"}, {"用地指标", "report"}, {"自然资源厅", "report"},
		} {
			hits, err := w.Plans.Search(w.Coord, c.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range hits {
				found = found || h.Kind == c.kind && h.TaskID == task.ID
			}
			if !found {
				t.Errorf("%q: no %s hit in %+v", c.q, c.kind, hits)
			}
		}
		if hits, _ := w.Plans.Search(w.Coord, "没有这段文字", 10); len(hits) != 0 {
			t.Errorf("false hits: %+v", hits)
		}
		ts, n, err := w.Plans.ListTasks(w.Coord, plans.TaskFilter{Query: "用地指标"})
		if err != nil || n != 1 || ts[0].ID != task.ID {
			t.Fatalf("task list by report text: %v %d", err, n)
		}
	})
}

// TestCountsMatchRecount: the trigger-kept dashboard counts equal a count
// of the tasks themselves after creates, moves and closures.
func TestCountsMatchRecount(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		a, b := w.task("T-1"), w.task("T-2")
		w.task("T-3")
		if _, err := w.Plans.CancelTask(w.Coord, b.ID, "重复立项", b.Version); err != nil {
			t.Fatal(err)
		}
		_, _, err := w.Plans.FileCompletion(w.Leader[w.A.ID], a.ID, "完成", a.Version)
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := w.Plans.Task(w.Coord, a.ID)
		if _, err := w.Plans.CloseTask(w.Coord, a.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		rows, err := d.R.Query(`SELECT t.light, t.area_id, t.lead_unit_id, count(*), (SELECT n FROM task_counts c WHERE c.plan_id = t.plan_id AND c.area_id = t.area_id AND c.unit_id = t.lead_unit_id AND c.light = t.light)
			FROM tasks t GROUP BY t.plan_id, t.light, t.area_id, t.lead_unit_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var light string
			var area, unit int64
			var n, kept int
			if err := rows.Scan(&light, &area, &unit, &n, &kept); err != nil {
				t.Fatal(err)
			}
			if n != kept {
				t.Errorf("%s/%d/%d: %d tasks, counts say %d", light, area, unit, n, kept)
			}
		}
		var total int
		if err := d.R.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM task_counts`).Scan(&total); err != nil || total != 3 {
			t.Fatalf("counts total %d", total)
		}
		// Assignments carry their task's light, which a unit's light filter
		// reads, and reports whether they are live, which the lists read.
		var stale, live int
		if err := d.R.QueryRow(`SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.light <> t.light`).Scan(&stale); err != nil || stale != 0 {
			t.Errorf("%d assignments with another light than their task (%v)", stale, err)
		}
		if err := d.R.QueryRow(`SELECT count(*) FROM reports r JOIN tasks t ON t.id = r.task_id JOIN assignments a ON a.id = r.assignment_id
			WHERE r.live <> (t.status IN ('active','completion_filed') AND a.active)`).Scan(&stale); err != nil || stale != 0 {
			t.Errorf("%d reports live or not against their task and unit (%v)", stale, err)
		}
		if err := d.R.QueryRow(`SELECT count(*) FROM reports WHERE live`).Scan(&live); err != nil || live == 0 {
			t.Errorf("no live report left (%v)", err)
		}
		for _, l := range []plans.Light{plans.Closed, plans.Cancelled, plans.NotStarted} {
			var want int
			if err := d.R.QueryRow(`SELECT count(*) FROM tasks t JOIN assignments a ON a.task_id = t.id WHERE a.unit_id = $1 AND a.active AND t.light = $2`, w.A.ID, l).Scan(&want); err != nil {
				t.Fatal(err)
			}
			_, got, err := w.Plans.ListTasks(w.Coord, plans.TaskFilter{UnitID: w.A.ID, Light: l})
			if err != nil || got != want {
				t.Errorf("unit %d, light %s: listed %d, want %d (%v)", w.A.ID, l, got, want, err)
			}
		}
	})
}

// TestReportListStates: the state filter takes the review states only,
// and lists live reports of those states.
func TestReportListStates(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		_, _, err := w.Plans.ListReports(w.Coord, plans.ReportFilter{States: []plans.ReportState{"bogus"}})
		errstest.WantField(t, err, "states", "error.choice")
		rows, total, err := w.Plans.ListReports(w.Coord, plans.ReportFilter{TaskID: task.ID, States: []plans.ReportState{plans.Pending}})
		if err != nil || total == 0 || len(rows) != total {
			t.Fatalf("pending reports of a new task: %d of %d (%v)", len(rows), total, err)
		}
		if _, err := w.Plans.CancelTask(w.Coord, task.ID, "重复立项", task.Version); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := w.Plans.ListReports(w.Coord, plans.ReportFilter{TaskID: task.ID}); total != 0 {
			t.Errorf("%d reports of a cancelled task still listed", total)
		}
	})
}

// TestListTasksTotal: the total is every matching task whether the page is
// full (counted), the last one (told by its rows) or past the end.
func TestListTasksTotal(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for _, code := range []string{"T-1", "T-2", "T-3"} {
			w.task(code)
		}
		for _, c := range []struct{ limit, offset, rows int }{{2, 0, 2}, {2, 2, 1}, {50, 0, 3}, {2, 4, 0}, {3, 0, 3}} {
			ts, total, err := w.Plans.ListTasks(w.Coord, plans.TaskFilter{PlanID: w.Plan.ID, Limit: c.limit, Offset: c.offset})
			if err != nil || len(ts) != c.rows || total != 3 {
				t.Errorf("limit %d offset %d: %d rows of %d, want %d of 3 (%v)", c.limit, c.offset, len(ts), total, c.rows, err)
			}
		}
	})
}

// TestListTasksFollowsChanges: task list pages are kept between calls, and
// a change to a task or an assignment made straight in the database, as
// another instance would, shows at the next call; a text search is read
// afresh every time.
func TestListTasksFollowsChanges(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		task := w.task("T-1")
		w.task("T-2")
		list := func(f plans.TaskFilter) []string {
			t.Helper()
			ts, total, err := w.Plans.ListTasks(w.Coord, f)
			if err != nil || total != len(ts) {
				t.Fatalf("%d tasks of %d, %v", len(ts), total, err)
			}
			var out []string
			for _, x := range ts {
				out = append(out, x.Title)
			}
			return out
		}
		byPlan := plans.TaskFilter{PlanID: w.Plan.ID}
		byUnit := plans.TaskFilter{UnitID: w.B.ID}
		if got := list(byPlan); len(got) != 2 || len(list(byUnit)) != 2 {
			t.Fatalf("tasks %v", got)
		}
		if _, err := d.W.Exec(`UPDATE tasks SET title = 'renamed' WHERE id = $1`, task.ID); err != nil {
			t.Fatal(err)
		}
		if got := list(byPlan); got[0] != "renamed" {
			t.Errorf("after a rename in the database: %v", got)
		}
		if _, err := d.W.Exec(`UPDATE assignments SET active = FALSE WHERE task_id = $1 AND unit_id = $2`, task.ID, w.B.ID); err != nil {
			t.Fatal(err)
		}
		if got := list(byUnit); len(got) != 1 {
			t.Errorf("after an assignment ended in the database: %v", got)
		}
		search := plans.TaskFilter{PlanID: w.Plan.ID, Query: "港口资源"}
		if got := list(search); len(got) != 2 {
			t.Fatalf("search: %v", got)
		}
		if _, err := d.W.Exec(`DELETE FROM search_docs WHERE task_id = $1`, task.ID); err != nil {
			t.Fatal(err)
		}
		if got := list(search); len(got) != 1 {
			t.Errorf("a search after its text went: %v", got)
		}
	})
}
