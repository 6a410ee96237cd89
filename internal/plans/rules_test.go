package plans

import (
	"slices"
	"testing"

	"concord/internal/clock"
)

func d(s string) clock.Date {
	t, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestJudge walks each light's boundary with the default settings: a task
// running 2026-01-01 … 2026-04-10 (100 days), behind threshold 20 points,
// due-soon window 7 days below 80%.
func TestJudge(t *testing.T) {
	set := DefaultSettings
	start, due := d("2026-01-01"), d("2026-04-10")
	cases := []struct {
		name      string
		status    Status
		completed string
		today     string
		progress  float64
		want      Light
		key       string
	}{
		{"day before start", TaskActive, "", "2025-12-31", 0, NotStarted, "light.why.not_started"},
		{"first day, nothing expected yet beyond 1%", TaskActive, "", "2026-01-01", 0, Green, "light.why.on_track"},
		{"day 21: 21% expected, 1 point behind → exactly 20 behind is green", TaskActive, "", "2026-01-21", 1, Green, "light.why.on_track"},
		{"day 21: 20.5 points behind → yellow", TaskActive, "", "2026-01-21", 0.5, Yellow, "light.why.behind"},
		{"8 days before due at 79% with 92% expected is behind first", TaskActive, "", "2026-04-02", 71, Yellow, "light.why.behind"},
		{"8 days left, 79% → green (outside the window)", TaskActive, "", "2026-04-02", 79, Green, "light.why.on_track"},
		{"7 days left, 79% → yellow (due soon)", TaskActive, "", "2026-04-03", 79, Yellow, "light.why.due_soon"},
		{"7 days left, 80% → green", TaskActive, "", "2026-04-03", 80, Green, "light.why.on_track"},
		{"due day at 95% → green", TaskActive, "", "2026-04-10", 95, Green, "light.why.on_track"},
		{"due day, 79% → yellow", TaskActive, "", "2026-04-10", 79, Yellow, "light.why.behind"},
		{"day after due → red", TaskActive, "", "2026-04-11", 99, Red, "light.why.overdue"},
		{"filed on the due day → on time", TaskFiled, "2026-04-10", "2026-04-20", 100, DoneOnTime, "light.why.done_on_time"},
		{"filed the day after → late", TaskFiled, "2026-04-11", "2026-04-20", 100, DoneLate, "light.why.done_late"},
		{"closed", TaskClosed, "2026-04-09", "2026-05-01", 100, Closed, "light.why.closed"},
		{"cancelled", TaskCancelled, "", "2026-02-01", 10, Cancelled, "light.why.cancelled"},
		{"merged", TaskMerged, "", "2026-02-01", 10, Cancelled, "light.why.cancelled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var completed clock.Date
			if c.completed != "" {
				completed = d(c.completed)
			}
			v := judge(lightFacts{c.status, start, due, completed, c.progress}, d(c.today), set)
			if v.Light != c.want || v.Key != c.key {
				t.Errorf("got %s (%s %v), want %s (%s)", v.Light, v.Key, v.Args, c.want, c.key)
			}
		})
	}
}

// TestJudgeSettings: the thresholds are the office's to set.
func TestJudgeSettings(t *testing.T) {
	f := lightFacts{TaskActive, d("2026-01-01"), d("2026-04-10"), clock.Date{}, 40}
	today := d("2026-02-20") // day 51 of 100: 51% expected, 11 behind
	set := DefaultSettings
	if v := judge(f, today, set); v.Light != Green {
		t.Fatalf("default: %s", v.Light)
	}
	set.BehindPoints = 10
	if v := judge(f, today, set); v.Light != Yellow || v.Args[2] != "11" {
		t.Fatalf("threshold 10: %s %v", v.Light, v.Args)
	}
}

func TestPeriods(t *testing.T) {
	str := func(ps []Period) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Start.String()+"…"+p.End.String())
		}
		return out
	}
	cases := []struct {
		name       string
		start, due string
		cycle      Cycle
		dates      []clock.Date
		want       []string
	}{
		{"monthly mid-month", "2026-01-15", "2026-03-10", Monthly, nil,
			[]string{"2026-01-15…2026-01-31", "2026-02-01…2026-02-28", "2026-03-01…2026-03-10"}},
		{"monthly ending on a month end", "2026-01-01", "2026-02-28", Monthly, nil,
			[]string{"2026-01-01…2026-01-31", "2026-02-01…2026-02-28"}},
		{"one day", "2026-05-05", "2026-05-05", Monthly, nil, []string{"2026-05-05…2026-05-05"}},
		{"quarterly across a year", "2026-11-10", "2027-05-01", Quarterly, nil,
			[]string{"2026-11-10…2026-12-31", "2027-01-01…2027-03-31", "2027-04-01…2027-05-01"}},
		{"custom dates, one outside ignored", "2026-01-01", "2026-06-30", Custom, []clock.Date{d("2026-02-15"), d("2026-05-01"), d("2026-07-01")},
			[]string{"2026-01-01…2026-02-15", "2026-02-16…2026-05-01", "2026-05-02…2026-06-30"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := str(Periods(d(c.start), d(c.due), c.cycle, c.dates)); !slices.Equal(got, c.want) {
				t.Errorf("got %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestRollup(t *testing.T) {
	a := func(role Role, p float64, active bool) Assignment {
		return Assignment{Role: role, Progress: p, Active: active}
	}
	cases := []struct {
		name string
		as   []Assignment
		lw   float64
		want float64
	}{
		{"lead alone", []Assignment{a(Lead, 40, true)}, 0.6, 40},
		{"lead and two co units", []Assignment{a(Lead, 50, true), a(Co, 20, true), a(Co, 40, true)}, 0.6, 0.6*50 + 0.4*30},
		{"inactive co unit left out", []Assignment{a(Lead, 50, true), a(Co, 0, false), a(Co, 100, true)}, 0.5, 75},
		{"lead weight 1 ignores co units", []Assignment{a(Lead, 10, true), a(Co, 100, true)}, 1, 10},
	}
	for _, c := range cases {
		if got := rollup(c.as, c.lw); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestChaseLevel(t *testing.T) {
	set := DefaultSettings // leader after 3 more days, office after 7
	due := d("2026-03-10")
	for _, c := range []struct {
		today string
		want  int
	}{
		{"2026-03-10", 0}, {"2026-03-11", ChaseResponsible}, {"2026-03-13", ChaseResponsible},
		{"2026-03-14", ChaseLeader}, {"2026-03-17", ChaseLeader}, {"2026-03-18", ChaseOffice},
	} {
		if got := ChaseLevel(due, d(c.today), set); got != c.want {
			t.Errorf("%s: level %d, want %d", c.today, got, c.want)
		}
	}
}

func TestDiff(t *testing.T) {
	a := map[string]taskSnap{
		"T1": {Title: "港口整合", Lead: "dalian", Co: []string{"yingkou"}, Due: "2026-06-30"},
		"T2": {Title: "自贸区", Lead: "yingkou", Due: "2026-12-31"},
	}
	b := map[string]taskSnap{
		"T1": {Title: "港口整合", Lead: "yingkou", Co: []string{"dalian", "panjin"}, Due: "2026-09-30"},
		"T3": {Title: "新任务", Lead: "jinzhou", Due: "2026-12-31"},
	}
	got := diff(a, b)
	want := []ChangeKind{TaskReassigned, TaskReassigned, DeadlineMoved, TaskRemoved, TaskAdded}
	var kinds []ChangeKind
	for _, c := range got {
		kinds = append(kinds, c.Kind)
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("got %+v", got)
	}
	if got[2].From != "2026-06-30" || got[2].To != "2026-09-30" {
		t.Errorf("deadline change: %+v", got[2])
	}
}
