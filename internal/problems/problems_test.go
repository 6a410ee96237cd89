package problems_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/plans"
	"concord/internal/problems"
	"concord/internal/testworld"
)

type fixture struct {
	*testworld.World
	S *problems.Service
}

func setup(t *testing.T, d *db.DB) fixture {
	w := testworld.New(t, d)
	return fixture{w, &problems.Service{DB: d, Clock: w.Clock, Plans: w.Plans}}
}

// raise has A's reporter raise a problem involving B.
func (f fixture) raise(t *testing.T) problems.Problem {
	t.Helper()
	p, err := f.S.Raise(f.Reporter[f.A.ID], problems.Input{Category: "infrastructure", Title: "疏港铁路接轨", Ask: "请营口协调接轨方案", UnitIDs: []int64{f.B.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRaiseValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rep := f.Reporter[f.A.ID]
		ok := problems.Input{Category: "policy", Title: "t", Ask: "a", UnitIDs: []int64{f.B.ID}}
		with := func(change func(*problems.Input)) problems.Input {
			in := ok
			change(&in)
			return in
		}
		rs, _, err := f.Plans.ListReports(f.Coord, plans.ReportFilter{TaskID: f.Task.ID, UnitID: f.A.ID})
		if err != nil || len(rs) == 0 {
			t.Fatal("no report", err)
		}
		report := rs[0].Report
		other, _, _ := f.Plans.ListReports(f.Coord, plans.ReportFilter{TaskID: f.Task.ID, UnitID: f.B.ID})
		cases := []struct {
			name, field, key string
			in               problems.Input
		}{
			{"category", "category", "error.choice", with(func(in *problems.Input) { in.Category = "weather" })},
			{"title", "title", "error.required", with(func(in *problems.Input) { in.Title = " " })},
			{"ask", "ask", "error.required", with(func(in *problems.Input) { in.Ask = "" })},
			{"only own unit", "unit_ids", "error.problem.no_other_unit", with(func(in *problems.Input) { in.UnitIDs = []int64{f.A.ID} })},
			{"unknown unit", "unit_ids", "error.problem.unit_unknown", with(func(in *problems.Input) { in.UnitIDs = []int64{f.B.ID, 999999} })},
			{"report without help", "report_id", "error.problem.report_no_help", with(func(in *problems.Input) { in.ReportID = &report.ID })},
			{"another unit's report", "report_id", "error.problem.report_unknown", with(func(in *problems.Input) { in.ReportID = &other[0].ID })},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.S.Raise(rep, c.in)
				errstest.WantField(t, err, c.field, c.key)
			})
		}
		_, err = f.S.Raise(f.Viewer, ok)
		errstest.WantKind(t, err, errs.Forbidden)
		// From a report that asks for help: linked to it.
		in := plans.ReportInput{Percent: new(20.0), SelfStatus: "on_track", Narrative: "调研", HelpNeeded: "需要营口港配合"}
		if _, err := f.Plans.SaveReport(rep, report.ID, in, report.Version); err != nil {
			t.Fatal(err)
		}
		p, err := f.S.Raise(rep, with(func(in *problems.Input) { in.ReportID = &report.ID }))
		if err != nil || p.ReportID == nil || *p.ReportID != report.ID || p.Status != problems.Raised || p.RaisedByUnitID != f.A.ID {
			t.Fatalf("raised from report: %+v %v", p, err)
		}
		if n := f.Count(t, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'problem.raised' AND u.login = 'coord'`); n != 1 {
			t.Fatalf("office told %d times", n)
		}
	})
}

// TestStateMachine tries every move from every state: only the moves of
// the flow pass, every other is a conflict, whoever tries it.
func TestStateMachine(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		due := clock.DateOf(2026, 4, 30)
		handler, raiser := f.Reporter[f.B.ID], f.Reporter[f.A.ID]
		type move func(p problems.Problem) (problems.Problem, error)
		moves := map[string]move{
			"accept": func(p problems.Problem) (problems.Problem, error) {
				return f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Accept: true, HandlingUnitID: f.B.ID, DueOn: due}, p.Version)
			},
			"reject": func(p problems.Problem) (problems.Problem, error) {
				return f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Reason: "不属于跨市问题"}, p.Version)
			},
			"respond": func(p problems.Problem) (problems.Problem, error) {
				return f.S.Respond(handler, p.ID, "已形成接轨方案", p.Version)
			},
			"solved": func(p problems.Problem) (problems.Problem, error) {
				return f.S.Confirm(raiser, p.ID, true, "", p.Version)
			},
			"unsolved": func(p problems.Problem) (problems.Problem, error) {
				return f.S.Confirm(raiser, p.ID, false, "方案未落实", p.Version)
			},
			"reassign": func(p problems.Problem) (problems.Problem, error) {
				return f.S.Reassign(f.Coord, p.ID, f.C.ID, due, "盘锦牵头更合适", p.Version)
			},
		}
		paths := map[problems.Status][]string{
			problems.Raised:    nil,
			problems.Rejected:  {"reject"},
			problems.Assigned:  {"accept"},
			problems.Responded: {"accept", "respond"},
			problems.Solved:    {"accept", "respond", "solved"},
		}
		allowed := map[problems.Status]map[string]problems.Status{
			problems.Raised:    {"accept": problems.Assigned, "reject": problems.Rejected},
			problems.Assigned:  {"respond": problems.Responded, "reassign": problems.Assigned},
			problems.Responded: {"solved": problems.Solved, "unsolved": problems.Assigned},
		}
		for state, path := range paths {
			for name, m := range moves {
				t.Run(string(state)+"/"+name, func(t *testing.T) {
					p := f.raise(t)
					var err error
					for _, s := range path {
						if p, err = moves[s](p); err != nil {
							t.Fatalf("path %v: %v", path, err)
						}
					}
					got, err := m(p)
					want, ok := allowed[state][name]
					switch {
					case ok && err != nil:
						t.Fatalf("%s from %s: %v", name, state, err)
					case ok && got.Status != want:
						t.Fatalf("%s from %s gave %s, want %s", name, state, got.Status, want)
					case !ok:
						errstest.WantKind(t, err, errs.Conflict)
					}
				})
			}
		}
	})
}

func TestFlowOnTheRecord(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p := f.raise(t)
		// Only the office triages; the deadline is not in the past; rejecting needs a reason.
		_, err := f.S.TriageProblem(f.Leader[f.B.ID], p.ID, problems.Triage{Accept: true, HandlingUnitID: f.B.ID, DueOn: clock.DateOf(2026, 4, 1)}, p.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Accept: true, HandlingUnitID: f.B.ID, DueOn: clock.DateOf(2026, 2, 1)}, p.Version)
		errstest.WantField(t, err, "due_on", "error.problem.due_past")
		_, err = f.S.TriageProblem(f.Coord, p.ID, problems.Triage{}, p.Version)
		errstest.WantField(t, err, "reason", "error.required")
		p, err = f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Accept: true, HandlingUnitID: f.B.ID, DueOn: clock.DateOf(2026, 4, 1)}, p.Version)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Reason: "x"}, p.Version-1)
		errstest.WantKind(t, err, errs.Conflict)
		// Another unit cannot respond for the handling unit.
		_, err = f.S.Respond(f.Reporter[f.C.ID], p.ID, "x", p.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.Respond(f.Viewer, p.ID, "x", p.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		// Escalated to a meeting: once, with a reason.
		_, err = f.S.Escalate(f.Coord, p.ID, "", "", p.Version)
		errstest.WantField(t, err, "reason", "error.required")
		p, err = f.S.Escalate(f.Coord, p.ID, "两市意见不一", "meeting:2026-04", p.Version)
		if err != nil || !p.Escalated || p.MeetingRef != "meeting:2026-04" {
			t.Fatalf("escalate: %+v %v", p, err)
		}
		_, err = f.S.Escalate(f.Coord, p.ID, "again", "", p.Version)
		errstest.WantKind(t, err, errs.Conflict)
		p, err = f.S.Respond(f.Leader[f.B.ID], p.ID, "联席会议议定由营口港牵头", p.Version)
		if err != nil {
			t.Fatal(err)
		}
		// The raiser's unit confirms, not the handling unit; not solved needs a reason.
		_, err = f.S.Confirm(f.Reporter[f.B.ID], p.ID, true, "", p.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.Confirm(f.Reporter[f.A.ID], p.ID, false, "", p.Version)
		errstest.WantField(t, err, "note", "error.required")
		p, err = f.S.Confirm(f.Leader[f.A.ID], p.ID, false, "尚未开工", p.Version)
		if err != nil || p.Status != problems.Assigned || p.Reopened != 1 {
			t.Fatalf("reopen: %+v %v", p, err)
		}
		if _, err := f.S.AddEvidence(f.Reporter[f.B.ID], p.ID, "方案.txt", []byte("接轨方案")); err != nil {
			t.Fatal(err)
		}
		_, err = f.S.AddEvidence(f.Reporter[f.C.ID], p.ID, "x.txt", []byte("x"))
		errstest.WantKind(t, err, errs.Forbidden)
		p, err = f.S.Respond(f.Reporter[f.B.ID], p.ID, "已开工", p.Version)
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Set(time.Date(2026, 3, 21, 10, 0, 0, 0, time.UTC))
		p, err = f.S.Confirm(f.Reporter[f.A.ID], p.ID, true, "", p.Version)
		if err != nil || p.Status != problems.Solved || p.HandlingDays() != 20 {
			t.Fatalf("solved: %+v (%d days) %v", p, p.HandlingDays(), err)
		}
		events, err := f.S.Timeline(f.Viewer, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		if got, want := strings.Join(kinds, " "), "raised assigned escalated responded reopened responded solved"; got != want {
			t.Fatalf("timeline %q, want %q", got, want)
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE object_type = 'problem' AND object_id = $1`, strconv.FormatInt(p.ID, 10)); n != 7 {
			t.Fatalf("audit rows %d, want 7", n)
		}
		// Queries for the scorecards and the workspace.
		solved, err := f.S.List(f.Viewer, problems.Filter{SolvedFrom: clock.DateOf(2026, 3, 21), SolvedTo: clock.DateOf(2026, 3, 21)})
		if err != nil || len(solved) != 1 || solved[0].ID != p.ID {
			t.Fatalf("solved in period: %+v %v", solved, err)
		}
		none, err := f.S.List(f.Viewer, problems.Filter{SolvedTo: clock.DateOf(2026, 3, 20)})
		if err != nil || len(none) != 0 {
			t.Fatalf("solved before: %+v %v", none, err)
		}
		open := f.raise(t)
		for unit, want := range map[int64]int{f.A.ID: 2, f.B.ID: 2, f.C.ID: 0} {
			got, err := f.S.List(f.Viewer, problems.Filter{UnitID: unit})
			if err != nil || len(got) != want {
				t.Fatalf("unit %d: %d problems, want %d (%v)", unit, len(got), want, err)
			}
		}
		got, err := f.S.List(f.Viewer, problems.Filter{OpenOnly: true})
		if err != nil || len(got) != 1 || got[0].ID != open.ID {
			t.Fatalf("open: %+v %v", got, err)
		}
	})
}
