package inspect_test

import (
	"slices"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/inspect"
	"concord/internal/meetings"
)

// TestOverviewAndBrief closes one item and lets another pass its deadline,
// then reads the dashboard's counts and the brief's sections for periods
// that hold the findings or not.
func TestOverviewAndBrief(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		late := f.item(t, clock.DateOf(2026, 3, 10))
		done := f.item(t, clock.DateOf(2026, 3, 5))
		f.Clock.Set(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
		unit := f.Reporter[f.B.ID]
		if _, err := f.S.AddEvidence(unit, "rectification", done.ID, "台账.pdf", pdf); err != nil {
			t.Fatal(err)
		}
		done, err := f.S.Respond(unit, done.ID, "已补齐", done.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.Verify(f.Insp, done.ID, true, "", done.Version); err != nil {
			t.Fatal(err)
		}
		f.Clock.Set(time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC))

		o, err := f.S.Overview(f.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		if o.Open != 1 || o.Overdue != 1 || len(o.ByUnit) != 1 || o.ByUnit[0] != (inspect.UnitOpen{UnitID: f.B.ID, Open: 1, Overdue: 1}) {
			t.Errorf("overview = %+v", o)
		}

		cases := []struct {
			name  string
			since clock.Date
			want  []string
		}{
			{"first meeting", clock.Date{}, []string{"yingkou", "2", "2", "1", "1", "1"}},
			{"since the findings", clock.DateOf(2026, 3, 1), []string{"yingkou", "2", "2", "1", "1", "1"}},
			{"after the closure", clock.DateOf(2026, 3, 5), []string{"yingkou", "0", "0", "0", "1", "1"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				secs, err := f.S.BriefSections(f.Viewer, meetings.Scope{Since: c.since, Before: clock.DateOf(2026, 3, 11), Lang: "zh-Hans"})
				if err != nil {
					t.Fatal(err)
				}
				if len(secs) != 2 || secs[0].Title != "六、督查检查和整改情况" || len(secs[0].Rows) != 1 || !slices.Equal(secs[0].Rows[0], c.want) {
					t.Fatalf("by unit = %+v, want row %v", secs, c.want)
				}
				want := []string{"#" + itoa(late.ID), "yingkou", "补齐台账", "2026-03-10", "待整改", ""}
				if len(secs[1].Rows) != 1 || !slices.Equal(secs[1].Rows[0], want) || len(secs[1].Head) != len(want) {
					t.Errorf("overdue = %+v, want %v", secs[1], want)
				}
			})
		}
		secs, err := f.S.BriefSections(f.Viewer, meetings.Scope{Before: clock.DateOf(2026, 3, 11), Lang: "en"})
		if err != nil || secs[0].Title != "6. Inspections and rectification" || secs[1].Rows[0][4] != "open" {
			t.Errorf("in English: %+v, %v", secs, err)
		}
	})
}
