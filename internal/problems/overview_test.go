package problems_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/meetings"
	"concord/internal/problems"
)

// TestOverviewAndBrief puts problems in every state, one escalated and one
// past its deadline, and reads the dashboard's counts and the brief's
// section before and after the escalated one is solved.
func TestOverviewAndBrief(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		handler, raiser := f.Reporter[f.B.ID], f.Reporter[f.A.ID]
		step := func(p problems.Problem, err error) problems.Problem {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		accept := func(p problems.Problem, due clock.Date) problems.Problem {
			return step(f.S.TriageProblem(f.Coord, p.ID, problems.Triage{Accept: true, HandlingUnitID: f.B.ID, DueOn: due}, p.Version))
		}
		raised := f.raise(t)
		refused := f.raise(t)
		step(f.S.TriageProblem(f.Coord, refused.ID, problems.Triage{Reason: "不属于跨市问题"}, refused.Version))
		late := accept(f.raise(t), clock.DateOf(2026, 3, 5))
		answered := accept(f.raise(t), clock.DateOf(2026, 4, 30))
		answered = step(f.S.Respond(handler, answered.ID, "已形成方案", answered.Version))
		escalated := accept(f.raise(t), clock.DateOf(2026, 4, 30))
		escalated = step(f.S.Escalate(f.Coord, escalated.ID, "需联席会议协调", "第二次联席会议", escalated.Version))
		f.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))

		o, err := f.S.Overview(f.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		want := map[problems.Status]int{problems.Raised: 1, problems.Assigned: 2, problems.Responded: 1}
		if o.Open != 4 || o.Escalated != 1 || o.Overdue != 1 || len(o.ByStatus) != 3 || o.ByStatus[problems.Assigned] != want[problems.Assigned] ||
			o.ByStatus[problems.Raised] != 1 || o.ByStatus[problems.Responded] != 1 {
			t.Errorf("overview = %+v, want %v", o, want)
		}

		brief := func(since clock.Date) [][]string {
			t.Helper()
			secs, err := f.S.BriefSections(f.Viewer, meetings.Scope{Since: since, Before: clock.DateOf(2026, 3, 31), Lang: "zh-Hans"})
			if err != nil || len(secs) != 1 || secs[0].Title != "八、提请会议协调的问题" || len(secs[0].Head) != 7 {
				t.Fatalf("sections = %+v, %v", secs, err)
			}
			return secs[0].Rows
		}
		ids := func(rows [][]string) []string {
			var out []string
			for _, r := range rows {
				out = append(out, r[0])
			}
			return out
		}
		rows := brief(clock.Date{})
		if got, want := ids(rows), []string{"#" + itoa(escalated.ID), "#" + itoa(raised.ID), "#" + itoa(late.ID), "#" + itoa(answered.ID)}; !slices.Equal(got, want) {
			t.Fatalf("open problems, the escalated first: %v, want %v", got, want)
		}
		if want := []string{"#" + itoa(escalated.ID), "疏港铁路接轨", "dalian", "yingkou", "2026-04-30", "办理中", "需联席会议协调"}; !slices.Equal(rows[0], want) {
			t.Errorf("escalated row = %v, want %v", rows[0], want)
		}

		// Solved, the escalated one stays in the brief of the meeting after,
		// and leaves the one after that.
		escalated = step(f.S.Respond(handler, escalated.ID, "已协调解决", escalated.Version))
		step(f.S.Confirm(raiser, escalated.ID, true, "", escalated.Version))
		if rows := brief(clock.DateOf(2026, 3, 10)); len(rows) != 4 || rows[0][0] != "#"+itoa(escalated.ID) || rows[0][5] != "已解决" {
			t.Errorf("since the solving: %v", rows)
		}
		if rows := brief(clock.DateOf(2026, 3, 11)); len(rows) != 3 || slices.Contains(ids(rows), "#"+itoa(escalated.ID)) {
			t.Errorf("after it: %v", rows)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
