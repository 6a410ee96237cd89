package inspect_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/inspect"
	"concord/internal/testworld"
)

var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")

type fixture struct {
	*testworld.World
	S *inspect.Service
}

func setup(t *testing.T, d *db.DB) fixture {
	w := testworld.New(t, d)
	return fixture{w, &inspect.Service{DB: d, Clock: w.Clock, Plans: w.Plans}}
}

func (f fixture) round(t *testing.T, units ...int64) inspect.Round {
	t.Helper()
	r, err := f.S.CreateRound(f.Insp, inspect.RoundInput{Title: "2026年一季度督查", PlanID: &f.Plan.ID, UnitIDs: units,
		Inspectors: []int64{f.Users["inspector"].ID}, StartsOn: clock.DateOf(2026, 3, 2), EndsOn: clock.DateOf(2026, 3, 20)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f fixture) started(t *testing.T, units ...int64) inspect.Round {
	t.Helper()
	r := f.round(t, units...)
	r, err := f.S.SetRoundStatus(f.Insp, r.ID, inspect.InProgress, r.Version)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// item opens a rectification item at unit B from a finding, due dueOn.
func (f fixture) item(t *testing.T, dueOn clock.Date) inspect.Rectification {
	t.Helper()
	r := f.started(t, f.B.ID)
	fd, err := f.S.AddFinding(f.Insp, r.ID, inspect.FindingInput{UnitID: f.B.ID, Severity: inspect.Major, Description: "港口资源整合台账不全", TaskID: &f.Task.ID})
	if err != nil {
		t.Fatal(err)
	}
	it, err := f.S.OpenRectification(f.Insp, inspect.RectInput{SourceKind: inspect.SourceFinding, SourceRef: itoa(fd.ID), Requirement: "补齐台账", DueOn: dueOn})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRoundValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		bad := int64(999999)
		cases := []struct {
			name  string
			in    inspect.RoundInput
			field string
			key   string
		}{
			{"no scope", inspect.RoundInput{Title: "x", Inspectors: []int64{f.Users["inspector"].ID}, StartsOn: clock.DateOf(2026, 3, 1), EndsOn: clock.DateOf(2026, 3, 2)}, "unit_ids", "error.inspection.scope"},
			{"dates", inspect.RoundInput{Title: "x", UnitIDs: []int64{f.A.ID}, Inspectors: []int64{f.Users["inspector"].ID}, StartsOn: clock.DateOf(2026, 3, 5), EndsOn: clock.DateOf(2026, 3, 2)}, "ends_on", "error.date_order"},
			{"unknown plan", inspect.RoundInput{Title: "x", PlanID: &bad, Inspectors: []int64{f.Users["inspector"].ID}, StartsOn: clock.DateOf(2026, 3, 1), EndsOn: clock.DateOf(2026, 3, 2)}, "plan_id", "error.inspection.plan_unknown"},
			{"reporter as inspector", inspect.RoundInput{Title: "x", UnitIDs: []int64{f.A.ID}, Inspectors: []int64{f.Users["dalian-reporter"].ID}, StartsOn: clock.DateOf(2026, 3, 1), EndsOn: clock.DateOf(2026, 3, 2)}, "inspector_ids", "error.inspection.inspector"},
			{"no inspector", inspect.RoundInput{Title: "x", UnitIDs: []int64{f.A.ID}, StartsOn: clock.DateOf(2026, 3, 1), EndsOn: clock.DateOf(2026, 3, 2)}, "inspector_ids", "error.required"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.S.CreateRound(f.Insp, c.in)
				errstest.WantField(t, err, c.field, c.key)
			})
		}
		_, err := f.S.CreateRound(f.Reporter[f.A.ID], cases[0].in)
		errstest.WantKind(t, err, errs.Forbidden)
	})
}

// TestRoundStateMachine tries every status from every status: only
// planned → in progress → finished passes; a finished round changes only by
// correction, which keeps the old revision.
func TestRoundStateMachine(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		paths := map[inspect.Status][]inspect.Status{
			inspect.Planned:    nil,
			inspect.InProgress: {inspect.InProgress},
			inspect.Finished:   {inspect.InProgress, inspect.Finished},
		}
		next := map[inspect.Status]inspect.Status{inspect.Planned: inspect.InProgress, inspect.InProgress: inspect.Finished}
		for from, path := range paths {
			for _, to := range []inspect.Status{inspect.Planned, inspect.InProgress, inspect.Finished} {
				r := f.round(t, f.A.ID)
				var err error
				for _, s := range path {
					if r, err = f.S.SetRoundStatus(f.Insp, r.ID, s, r.Version); err != nil {
						t.Fatal(err)
					}
				}
				_, err = f.S.SetRoundStatus(f.Insp, r.ID, to, r.Version)
				if want, ok := next[from]; ok && want == to {
					if err != nil {
						t.Errorf("%s → %s: %v", from, to, err)
					}
				} else {
					errstest.WantKind(t, err, errs.Conflict)
				}
			}
		}
		r := f.started(t, f.A.ID)
		// Findings only in a round in progress, at units in scope, by its inspectors.
		_, err := f.S.AddFinding(f.Insp, r.ID, inspect.FindingInput{UnitID: f.C.ID, Severity: inspect.Minor, Description: "x"})
		errstest.WantField(t, err, "unit_id", "error.finding.out_of_scope")
		_, err = f.S.AddFinding(f.Insp, r.ID, inspect.FindingInput{UnitID: f.A.ID, Severity: "bad", Description: "x"})
		errstest.WantField(t, err, "severity", "error.choice")
		r, err = f.S.SetRoundStatus(f.Insp, r.ID, inspect.Finished, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.S.AddFinding(f.Insp, r.ID, inspect.FindingInput{UnitID: f.A.ID, Severity: inspect.Minor, Description: "x"})
		errstest.WantKind(t, err, errs.Conflict)
		in := inspect.RoundInput{Title: "更正后的标题", UnitIDs: r.UnitIDs, Inspectors: r.Inspectors, StartsOn: r.StartsOn, EndsOn: r.EndsOn}
		_, err = f.S.UpdateRound(f.Insp, r.ID, in, r.Version)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.S.CorrectRound(f.Insp, r.ID, in, "", r.Version)
		errstest.WantField(t, err, "reason", "error.required")
		c, err := f.S.CorrectRound(f.Insp, r.ID, in, "标题有误", r.Version)
		if err != nil || c.Revision != 2 || c.Title != "更正后的标题" || c.Status != inspect.Finished {
			t.Fatalf("correction: %+v, %v", c, err)
		}
		revs, err := f.S.Revisions(f.Viewer, r.ID)
		if err != nil || len(revs) != 1 || revs[0].Revision != 1 || revs[0].Reason != "标题有误" {
			t.Fatalf("revisions: %+v, %v", revs, err)
		}
		_, err = f.S.CorrectRound(f.Insp, r.ID, in, "再改", r.Version)
		errstest.WantKind(t, err, errs.Conflict) // stale
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'inspection.correct' AND object_id = $1 AND before_json <> '' AND after_json <> ''`, itoa(r.ID)); n != 1 {
			t.Fatalf("correction audit rows: %d", n)
		}
	})
}

// TestRectificationFlow walks an item through respond, send back, respond
// again and accept, with the rules on evidence, reasons and who may act.
func TestRectificationFlow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		it := f.item(t, clock.DateOf(2026, 3, 31))
		unit := f.Reporter[f.B.ID]
		// Another unit cannot respond; nobody can mark it done without evidence.
		_, err := f.S.Respond(f.Reporter[f.A.ID], it.ID, "已整改", it.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.Respond(unit, it.ID, "已整改", it.Version)
		errstest.WantField(t, err, "evidence", "error.rectification.no_evidence")
		// Verify before any response is an illegal transition.
		_, err = f.S.Verify(f.Insp, it.ID, true, "", it.Version)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.S.AddEvidence(unit, "rectification", it.ID, "台账.exe", pdf)
		errstest.WantKind(t, err, errs.Unsupported)
		if _, err := f.S.AddEvidence(unit, "rectification", it.ID, "台账.pdf", pdf); err != nil {
			t.Fatal(err)
		}
		it, err = f.S.Respond(unit, it.ID, "已补齐台账", it.Version)
		if err != nil || it.Status != inspect.Responded {
			t.Fatalf("respond: %+v %v", it, err)
		}
		// No more evidence once responded; the unit cannot verify itself.
		_, err = f.S.AddEvidence(unit, "rectification", it.ID, "补充.pdf", pdf)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.S.Verify(f.Leader[f.B.ID], it.ID, true, "", it.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.Verify(f.Insp, it.ID, false, "", it.Version)
		errstest.WantField(t, err, "reason", "error.required")
		it, err = f.S.Verify(f.Insp, it.ID, false, "缺少签字页", it.Version)
		if err != nil || it.Status != inspect.Returned || it.ReturnReason != "缺少签字页" {
			t.Fatalf("send back: %+v %v", it, err)
		}
		_, err = f.S.Respond(unit, it.ID, "已补签字页", it.Version-1)
		errstest.WantKind(t, err, errs.Conflict)
		it, err = f.S.Respond(unit, it.ID, "已补签字页", it.Version)
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
		it, err = f.S.Verify(f.Coord, it.ID, true, "", it.Version)
		if err != nil || it.Status != inspect.Closed || it.ClosedOn == nil || it.OnTime() {
			t.Fatalf("accept: %+v %v", it, err)
		}
		_, err = f.S.Respond(unit, it.ID, "again", it.Version)
		errstest.WantKind(t, err, errs.Conflict)
		steps, err := f.S.Timeline(f.Viewer, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, s := range steps {
			kinds = append(kinds, s.Kind)
		}
		if want := "opened responded returned responded closed"; strings.Join(kinds, " ") != want {
			t.Fatalf("timeline %q, want %q", strings.Join(kinds, " "), want)
		}
		// Scorecard query: B's items due in March, one closed late.
		got, err := f.S.Rectifications(f.Viewer, inspect.RectFilter{UnitID: f.B.ID, DueFrom: clock.DateOf(2026, 3, 1), DueTo: clock.DateOf(2026, 3, 31)})
		if err != nil || len(got) != 1 || got[0].OnTime() {
			t.Fatalf("period query: %+v %v", got, err)
		}
		// Another source: no finding behind it, the office verifies.
		other, err := f.S.OpenRectification(f.Coord, inspect.RectInput{SourceKind: "water_quality", SourceRef: "station:7:2026-01..2026-03", UnitID: f.C.ID, Requirement: "水质达标", DueOn: clock.DateOf(2026, 5, 1)})
		if err != nil || other.UnitID != f.C.ID {
			t.Fatalf("other source: %+v %v", other, err)
		}
		_, err = f.S.OpenRectification(f.Coord, inspect.RectInput{SourceKind: inspect.SourceFinding, SourceRef: "999999", Requirement: "x", DueOn: clock.DateOf(2026, 5, 1)})
		errstest.WantField(t, err, "source_ref", "error.rectification.finding_unknown")
		// Every change wrote one audit row with before and after.
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE object_type = 'rectification' AND object_id = $1`, itoa(it.ID)); n != 5 {
			t.Fatalf("audit rows for the item: %d, want 5", n)
		}
	})
}

// TestChaseOverdue runs the daily chase through two job runners: each level
// goes out once, escalating to the leader and the office, and a closed or
// responded item is not chased.
func TestChaseOverdue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		it := f.item(t, clock.DateOf(2026, 3, 10))
		done := f.item(t, clock.DateOf(2026, 3, 10))
		if _, err := f.S.AddEvidence(f.Reporter[f.B.ID], "rectification", done.ID, "a.pdf", pdf); err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.Respond(f.Reporter[f.B.ID], done.ID, "已整改", done.Version); err != nil {
			t.Fatal(err)
		}
		sweeper := f.Sweeper(t, (&inspect.Service{DB: d, Clock: f.Clock, Plans: f.Plans}).Job())
		sweep := func(m time.Month, day int) {
			t.Helper()
			sweeper(time.Date(2026, m, day, 0, 30, 0, 0, time.UTC))
		}
		notices := func(kind, login string) int {
			return f.Count(t, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = $1 AND u.login = $2`, kind, login)
		}
		sweep(3, 10) // due today: not late
		if n := f.Count(t, `SELECT count(*) FROM notifications WHERE kind LIKE 'rectification.chase%'`); n != 0 {
			t.Fatalf("chased on the deadline: %d", n)
		}
		sweep(3, 11)
		sweep(3, 12)
		if notices("rectification.chase.1", "yingkou-reporter") != 1 || notices("rectification.chase.2", "yingkou-leader") != 0 {
			t.Fatal("level 1 not sent once to the unit's reporter")
		}
		sweep(3, 14) // 3 days late: the leader (ChaseLeaderDays = 3)
		if notices("rectification.chase.2", "yingkou-leader") != 1 || notices("rectification.chase.3", "coord") != 0 {
			t.Fatal("level 2 not sent once to the leader")
		}
		sweep(3, 30) // long after: the office, once
		sweep(4, 2)
		if notices("rectification.chase.3", "coord") != 1 {
			t.Fatalf("office chased %d times", notices("rectification.chase.3", "coord"))
		}
		if n := f.Count(t, `SELECT count(*) FROM notifications WHERE kind LIKE 'rectification.chase%' AND object_id = $1`, itoa(done.ID)); n != 0 {
			t.Fatalf("a responded item was chased %d times", n)
		}
		if n := f.Count(t, `SELECT count(*) FROM supervision_events WHERE object_id = $1 AND kind LIKE 'rectification.chase%'`, it.ID); n != 3 {
			t.Fatalf("chase steps on the record: %d, want 3", n)
		}
	})
}

// TestConcurrentVerdicts: two inspectors verify one response at once with
// the same version; one wins, the other gets the stale-version conflict,
// and the item is on the record once.
func TestConcurrentVerdicts(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		it := f.item(t, clock.DateOf(2026, 4, 30))
		rep := f.Reporter[f.B.ID]
		if _, err := f.S.AddEvidence(rep, "rectification", it.ID, "a.pdf", pdf); err != nil {
			t.Fatal(err)
		}
		it, err := f.S.Respond(rep, it.ID, "已整改", it.Version)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i, ctx := range []context.Context{f.Insp, f.Coord} {
			wg.Go(func() { _, results[i] = f.S.Verify(ctx, it.ID, i == 0, "退回补充", it.Version) })
		}
		wg.Wait()
		if (results[0] == nil) == (results[1] == nil) {
			t.Fatalf("both or neither won: %v", results)
		}
		for _, err := range results {
			if err != nil {
				errstest.WantKind(t, err, errs.Conflict)
			}
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'rectification.verify' AND object_id = $1`, itoa(it.ID)); n != 1 {
			t.Fatalf("%d verdicts on the record", n)
		}
	})
}
