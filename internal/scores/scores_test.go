package scores_test

import (
	"concord/internal/bulletin"
	"math"
	"strconv"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/scores"
	"concord/internal/testworld"
)

type fixture struct {
	*testworld.World
	S *scores.Service
}

func setup(t *testing.T, d *db.DB) fixture {
	w := testworld.New(t, d)
	return fixture{w, &scores.Service{DB: d, Clock: w.Clock}}
}

func day(m time.Month, d int) clock.Date { return clock.DateOf(2027, m, d) }

func ptr[T any](v T) *T { return &v }

// exec runs fixture SQL and returns the id it gives back.
func (f fixture) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := f.DB.W.QueryRow(query+` RETURNING id`, args...).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// task adds a task led by unit, with the lead's assignment; it returns the
// task and the assignment.
func (f fixture) task(t *testing.T, code string, unit int64, due clock.Date, status string, completed *clock.Date) (int64, int64) {
	t.Helper()
	now := f.Clock.Now()
	id := f.exec(t, `INSERT INTO tasks (plan_id, goal_id, code, title, area_id, lead_unit_id, starts_on, due_on, cycle, status, completed_on, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'monthly',$9,$10,$11,$11)`, f.Plan.ID, f.Task.GoalID, code, "任务"+code, f.Area, unit, day(1, 1), due, status, completed, now)
	a := f.exec(t, `INSERT INTO assignments (task_id, unit_id, role, due_on, created_at, updated_at) VALUES ($1,$2,'lead',$3,$4,$4)`, id, unit, due, now)
	return id, a
}

// report adds a progress report; submitted nil leaves it unfiled.
func (f fixture) report(t *testing.T, task, assignment, unit int64, due clock.Date, submitted *time.Time, onTime *bool, returns int, live bool) int64 {
	t.Helper()
	state := "pending"
	if submitted != nil {
		state = "accepted"
	}
	return f.exec(t, `INSERT INTO reports (assignment_id, task_id, unit_id, period_start, period_end, due_on, state, first_submitted_at, on_time, returns, live, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$5,$6,$7,$8,$9,$10,$11,$11)`, assignment, task, unit, due.AddDays(-30), due, state, submitted, onTime, returns, live, f.Clock.Now())
}

func (f fixture) rect(t *testing.T, unit int64, due clock.Date, closed *clock.Date) int64 {
	t.Helper()
	status := "open"
	if closed != nil {
		status = "closed"
	}
	return f.exec(t, `INSERT INTO rectifications (source_kind, source_ref, unit_id, requirement, due_on, status, closed_on, created_by, created_at, updated_at)
		VALUES ('finding','1',$1,'整改',$2,$3,$4,'coord',$5,$5)`, unit, due, status, closed, f.Clock.Now())
}

func (f fixture) problem(t *testing.T, handler int64, due clock.Date, solved *time.Time) int64 {
	t.Helper()
	status := "assigned"
	if solved != nil {
		status = "solved"
	}
	return f.exec(t, `INSERT INTO problems (raised_by_unit_id, raised_by, category, title, ask, status, handling_unit_id, due_on, solved_at, created_at, updated_at)
		VALUES ($1,'x','policy','问题','请协调',$2,$3,$4,$5,$6,$6)`, f.B.ID, status, handler, due, solved, f.Clock.Now())
}

var model = scores.ModelInput{Name: "年度考核", Total: 100, AppealDays: 7, Items: []scores.Item{
	{Kind: scores.TaskOnTime, Label: "任务按期完成", Weight: 30, Cap: 30},
	{Kind: scores.ReportOnTime, Label: "报送及时", Weight: 15, Cap: 10},
	{Kind: scores.ReportComplete, Label: "报送完整", Weight: 10, Cap: 10},
	{Kind: scores.ReportReturned, Label: "退回率", Weight: 10, Cap: 10},
	{Kind: scores.RectificationOnTime, Label: "整改按期", Weight: 15, Cap: 15},
	{Kind: scores.ProblemOnTime, Label: "问题解决", Weight: 10, Cap: 10},
	{Kind: scores.Manual, Label: "领导评价", Weight: 10, Cap: 5},
}}

// records lays out the first quarter of 2027 for the three units, with
// records outside the period or not due for scoring that must not count.
// It returns A's counted tasks.
func (f fixture) records(t *testing.T) []int64 {
	at := func(m time.Month, d, h int) *time.Time { return ptr(time.Date(2027, m, d, h, 0, 0, 0, time.UTC)) }
	A, B, C := f.A.ID, f.B.ID, f.C.ID
	// Tasks led by A: on time, late, open past its deadline, cancelled, due after the period.
	a1, _ := f.task(t, "a1", A, day(1, 31), "closed", ptr(day(1, 20)))
	a2, _ := f.task(t, "a2", A, day(2, 28), "closed", ptr(day(3, 5)))
	a3, as3 := f.task(t, "a3", A, day(3, 31), "active", nil)
	a4, as4 := f.task(t, "a4", A, day(2, 15), "cancelled", nil)
	f.task(t, "a5", A, day(5, 31), "active", nil)
	b1, bs1 := f.task(t, "b1", B, day(3, 15), "closed", ptr(day(3, 15)))
	// A's reports: on time; late and sent back once; never filed; one of a cancelled task.
	f.report(t, a3, as3, A, day(1, 10), at(1, 8, 10), ptr(true), 0, true)
	f.report(t, a3, as3, A, day(2, 10), at(2, 15, 10), ptr(false), 1, true)
	f.report(t, a3, as3, A, day(3, 10), nil, nil, 0, true)
	f.report(t, a4, as4, A, day(2, 5), nil, nil, 0, false)
	f.report(t, b1, bs1, B, day(3, 5), at(3, 1, 9), ptr(true), 0, false)
	// Rectification: A one on time and one open past its deadline; B late; C's is due after the period.
	f.rect(t, A, day(2, 1), ptr(day(1, 30)))
	f.rect(t, A, day(3, 1), nil)
	f.rect(t, B, day(3, 20), ptr(day(3, 25)))
	f.rect(t, C, day(4, 20), nil)
	// Problems: C solves one on its deadline day and has one open; A solves one late.
	f.problem(t, C, day(3, 1), at(3, 1, 15))
	f.problem(t, C, day(3, 10), nil)
	f.problem(t, A, day(3, 31), at(4, 2, 9))
	return []int64{a1, a2, a3}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

func TestScorecardArithmeticAndAppeals(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.Clock.Set(time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC))
		tasksA := f.records(t)
		m, err := f.S.CreateModel(f.Coord, model)
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.S.CreateScorecard(f.Coord, scores.ScorecardInput{ModelID: m.ID, Title: "2027年一季度", PeriodKind: scores.Quarter, StartsOn: day(1, 1)})
		if err != nil || c.EndsOn != day(3, 31) || c.Status != scores.Draft || len(c.Items) != 7 {
			t.Fatalf("create: %+v %v", c, err)
		}
		// The leaders' assessment: A 2 of 10 (loses 8, capped at 5), C 9; B not assessed.
		for _, in := range []scores.ManualInput{{UnitID: f.A.ID, Position: 7, Points: 2}, {UnitID: f.C.ID, Position: 7, Points: 9, Note: "配合积极"}} {
			if c, err = f.S.SetManual(f.Coord, c.ID, in, c.Version); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.S.SetManual(f.Coord, c.ID, scores.ManualInput{UnitID: f.A.ID, Position: 1, Points: 2}, c.Version)
		errstest.WantField(t, err, "position", "error.score.not_manual")
		_, err = f.S.SetManual(f.Coord, c.ID, scores.ManualInput{UnitID: f.A.ID, Position: 7, Points: 11}, c.Version)
		errstest.WantField(t, err, "points", "error.range")

		type line struct {
			num, den []int
			points   []float64
			total    float64
			rank     int
		}
		want := map[int64]line{
			f.A.ID: {[]int{1, 1, 2, 1, 1, 0, 0}, []int{3, 3, 3, 2, 2, 1, 0}, []float64{10, 5, 6.67, 5, 7.5, 0, 5}, 39.17, 3},
			f.B.ID: {[]int{1, 1, 1, 0, 0, 0, 0}, []int{1, 1, 1, 1, 1, 0, 0}, []float64{30, 15, 10, 10, 0, 10, 10}, 85, 2},
			f.C.ID: {[]int{0, 0, 0, 0, 0, 1, 0}, []int{0, 0, 0, 0, 0, 2, 0}, []float64{30, 15, 10, 10, 15, 5, 9}, 94, 1},
		}
		check := func(t *testing.T, cards []scores.UnitCard, want map[int64]line) {
			t.Helper()
			if len(cards) != 3 {
				t.Fatalf("%d units scored, want 3", len(cards))
			}
			for _, u := range cards {
				w := want[u.UnitID]
				if !near(u.Total, w.total) || u.Rank != w.rank {
					t.Errorf("unit %s: total %v rank %d, want %v rank %d", u.Code, u.Total, u.Rank, w.total, w.rank)
				}
				for i, sc := range u.Scores {
					if sc.Numerator != w.num[i] || sc.Denominator != w.den[i] || !near(sc.Points, w.points[i]) {
						t.Errorf("unit %s item %d: %d/%d %v points, want %d/%d %v", u.Code, i+1, sc.Numerator, sc.Denominator, sc.Points, w.num[i], w.den[i], w.points[i])
					}
				}
			}
		}
		_, cards, err := f.S.Results(f.Viewer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(t, cards, want)
		if cards[0].UnitID != f.C.ID || cards[2].UnitID != f.A.ID {
			t.Fatalf("order: %+v", cards)
		}
		if sc := cards[1].Scores[5]; sc.Applicable || !cards[1].Scores[0].Applicable {
			t.Fatalf("B's problem item has no record and keeps its points as not applicable: %+v", cards[1].Scores)
		}

		// Every score opens to the records behind it.
		b, err := f.S.Breakdown(f.Viewer, c.ID, f.A.ID, 1)
		if err != nil || b.Changed || len(b.Records) != 3 || b.Score != cards[2].Scores[0] {
			t.Fatalf("breakdown: %+v %v", b, err)
		}
		if b, err = f.S.Breakdown(f.Viewer, c.ID, f.A.ID, 7); err != nil || b.Score != cards[2].Scores[6] || len(b.Records) != 0 {
			t.Fatalf("a manual item has its points and no records: %+v %v", b, err)
		}
		_, err = f.S.Breakdown(f.Viewer, c.ID, 999999, 1)
		errstest.WantKind(t, err, errs.NotFound)
		for i, r := range b.Records {
			if r.Object != "task" || r.ID != tasksA[i] || !r.Counted || r.Hit != (i == 0) {
				t.Errorf("record %d: %+v", i, r)
			}
		}
		if b, err = f.S.Breakdown(f.Viewer, c.ID, f.A.ID, 2); err != nil || len(b.Records) != 4 || b.Records[1].Counted {
			t.Fatalf("reports: the cancelled task's is listed but not counted: %+v %v", b.Records, err)
		}

		// Nothing is appealed before publication; publishing freezes revision 1.
		_, err = f.S.FileAppeal(f.Reporter[f.A.ID], c.ID, scores.AppealInput{UnitID: f.A.ID, Position: 6, Reason: "x"})
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.S.Publish(f.Coord, c.ID, c.Version-1)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.S.Publish(f.Leader[f.A.ID], c.ID, c.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		if c, err = f.S.Publish(f.Coord, c.ID, c.Version); err != nil || c.Status != scores.Published || c.Revision != 1 || *c.AppealUntil != day(4, 17) {
			t.Fatalf("publish: %+v %v", c, err)
		}
		// A bulletin over the period carries the published ranking; one
		// ending before the scorecard's period does not.
		secs, err := f.S.BulletinSections(f.Viewer, bulletin.Scope{From: c.StartsOn, To: c.EndsOn.AddDays(10), Lang: "zh-Hans"})
		if err != nil || len(secs) != 1 || secs[0].Table == nil || len(secs[0].Table.Rows) != len(cards) || secs[0].Table.Rows[0][0] != "1" {
			t.Fatalf("bulletin ranking: %+v %v", secs, err)
		}
		if secs, err = f.S.BulletinSections(f.Viewer, bulletin.Scope{From: c.StartsOn.AddDays(-90), To: c.StartsOn, Lang: "en"}); err != nil || len(secs) != 0 {
			t.Errorf("a bulletin before the period has a ranking: %+v %v", secs, err)
		}
		_, err = f.S.Publish(f.Coord, c.ID, c.Version)
		errstest.WantKind(t, err, errs.Conflict)
		_, err = f.S.SetManual(f.Coord, c.ID, scores.ManualInput{UnitID: f.B.ID, Position: 7, Points: 1}, c.Version)
		errstest.WantKind(t, err, errs.Conflict)
		// Live data changes after publication: the scorecard does not.
		f.problem(t, f.A.ID, day(3, 20), nil)
		if _, cards, err = f.S.Results(f.Viewer, c.ID); err != nil {
			t.Fatal(err)
		}
		check(t, cards, want)
		if b, err = f.S.Breakdown(f.Viewer, c.ID, f.A.ID, 6); err != nil || !b.Changed {
			t.Fatalf("a breakdown says the live records changed: %+v %v", b, err)
		}

		// A appeals the problem item; B may not appeal for A.
		_, err = f.S.FileAppeal(f.Reporter[f.B.ID], c.ID, scores.AppealInput{UnitID: f.A.ID, Position: 6, Reason: "x"})
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.FileAppeal(f.Reporter[f.A.ID], c.ID, scores.AppealInput{UnitID: f.A.ID, Position: 9, Reason: " "})
		errstest.WantField(t, err, "position", "error.score.item_unknown")
		errstest.WantField(t, err, "reason", "error.required")
		ap, err := f.S.FileAppeal(f.Reporter[f.A.ID], c.ID, scores.AppealInput{UnitID: f.A.ID, Position: 6, Reason: "延期经联席会议同意"})
		if err != nil || ap.Status != scores.Pending || ap.Revision != 1 {
			t.Fatalf("appeal: %+v %v", ap, err)
		}
		_, err = f.S.FileAppeal(f.Leader[f.A.ID], c.ID, scores.AppealInput{UnitID: f.A.ID, Position: 6, Reason: "again"})
		errstest.WantField(t, err, "position", "error.score.appeal_pending")
		_, err = f.S.Rule(f.Coord, ap.ID, scores.Ruling{Uphold: true}, ap.Version)
		errstest.WantField(t, err, "points", "error.required")
		_, err = f.S.Rule(f.Reporter[f.A.ID], ap.ID, scores.Ruling{Uphold: true, Points: ptr(8.0)}, ap.Version)
		errstest.WantKind(t, err, errs.Forbidden)
		if ap, err = f.S.Rule(f.Coord, ap.ID, scores.Ruling{Uphold: true, Points: ptr(8.0), Reason: "会议纪要可证"}, ap.Version); err != nil || ap.Status != scores.Upheld {
			t.Fatalf("uphold: %+v %v", ap, err)
		}
		_, err = f.S.Rule(f.Coord, ap.ID, scores.Ruling{Reason: "no"}, ap.Version)
		errstest.WantKind(t, err, errs.Conflict)
		// The upheld appeal made revision 2: A gains 8 points on item 6.
		c, cards, err = f.S.Results(f.Viewer, c.ID)
		if err != nil || c.Revision != 2 {
			t.Fatalf("revision after the ruling: %+v %v", c, err)
		}
		a := want[f.A.ID]
		a.points = []float64{10, 5, 6.67, 5, 7.5, 8, 5}
		a.total = 47.17
		want[f.A.ID] = a
		check(t, cards, want)
		if sc := cards[2].Scores[5]; sc.AppealID == nil || *sc.AppealID != ap.ID {
			t.Fatalf("the item names the appeal: %+v", sc)
		}
		revs, err := f.S.Revisions(f.Viewer, c.ID)
		if err != nil || len(revs) != 2 || revs[1].AppealID == nil || *revs[1].AppealID != ap.ID {
			t.Fatalf("revisions: %+v %v", revs, err)
		}
		ranking, err := f.S.Ranking(f.Viewer, c.ID)
		if err != nil || len(ranking) != 3 || ranking[2].UnitID != f.A.ID || !near(ranking[2].Total, 47.17) {
			t.Fatalf("ranking: %+v %v", ranking, err)
		}

		// B's appeal is rejected with a reason; no revision.
		bp, err := f.S.FileAppeal(f.Leader[f.B.ID], c.ID, scores.AppealInput{UnitID: f.B.ID, Position: 5, Reason: "已整改"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.S.Rule(f.Coord, bp.ID, scores.Ruling{Reason: ""}, bp.Version)
		errstest.WantField(t, err, "reason", "error.required")
		_, err = f.S.Rule(f.Coord, bp.ID, scores.Ruling{Reason: "逾期五天", Points: ptr(3.0)}, bp.Version)
		errstest.WantField(t, err, "points", "error.score.points_on_reject")
		if bp, err = f.S.Rule(f.Coord, bp.ID, scores.Ruling{Reason: "逾期五天"}, bp.Version); err != nil || bp.Status != scores.Rejected || bp.Ruling != "逾期五天" {
			t.Fatalf("reject: %+v %v", bp, err)
		}
		if c, err = f.S.Scorecard(f.Viewer, c.ID); err != nil || c.Revision != 2 {
			t.Fatalf("a rejection makes no revision: %+v %v", c, err)
		}

		// After the window: a clear error naming the last day.
		f.Clock.Set(time.Date(2027, 4, 18, 9, 0, 0, 0, time.UTC))
		_, err = f.S.FileAppeal(f.Reporter[f.C.ID], c.ID, scores.AppealInput{UnitID: f.C.ID, Position: 6, Reason: "迟到的申诉"})
		errstest.WantField(t, err, "scorecard_id", "error.score.appeal_closed")

		// A correction recomputes from live data as revision 3 and reopens the window.
		_, err = f.S.Correct(f.Coord, c.ID, " ", c.Version)
		errstest.WantField(t, err, "reason", "error.required")
		if c, err = f.S.Correct(f.Coord, c.ID, "补录问题清单", c.Version); err != nil || c.Revision != 3 || *c.AppealUntil != day(4, 25) {
			t.Fatalf("correct: %+v %v", c, err)
		}
		if _, cards, err = f.S.Results(f.Viewer, c.ID); err != nil {
			t.Fatal(err)
		}
		if sc := cards[2].Scores[5]; cards[2].UnitID != f.A.ID || sc.Numerator != 0 || sc.Denominator != 2 || sc.AppealID != nil {
			t.Fatalf("corrected from live data: %+v", cards[2])
		}
		appeals, err := f.S.Appeals(f.Viewer, c.ID)
		if err != nil || len(appeals) != 2 {
			t.Fatalf("appeals on the record: %+v %v", appeals, err)
		}

		// Each change wrote one audit row.
		for _, w := range []struct {
			typ string
			id  int64
			n   int
		}{{"scorecard", c.ID, 5}, {"score_appeal", ap.ID, 2}, {"score_appeal", bp.ID, 2}, {"score_model", m.ID, 1}} {
			if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE object_type = $1 AND object_id = $2`, w.typ, strconv.FormatInt(w.id, 10)); n != w.n {
				t.Errorf("%s %d: %d audit rows, want %d", w.typ, w.id, n, w.n)
			}
		}
	})
}

func TestModelValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		with := func(change func(*scores.ModelInput)) scores.ModelInput {
			in := model
			in.Items = append([]scores.Item(nil), model.Items...)
			change(&in)
			return in
		}
		cases := []struct {
			name, field, key string
			in               scores.ModelInput
		}{
			{"weights short of the total", "items", "error.score.weight_sum", with(func(in *scores.ModelInput) { in.Items[0].Weight = 20; in.Items[0].Cap = 20 })},
			{"weights over the total", "items", "error.score.weight_sum", with(func(in *scores.ModelInput) { in.Total = 90 })},
			{"no items", "items", "error.required", with(func(in *scores.ModelInput) { in.Items = nil })},
			{"unknown kind", "items[2].kind", "error.choice", with(func(in *scores.ModelInput) { in.Items[2].Kind = "weather" })},
			{"cap over weight", "items[1].cap", "error.score.cap", with(func(in *scores.ModelInput) { in.Items[1].Cap = 16 })},
			{"zero weight", "items[6].weight", "error.score.weight_positive", with(func(in *scores.ModelInput) { in.Items[6].Weight = 0 })},
			{"no label", "items[0].label", "error.required", with(func(in *scores.ModelInput) { in.Items[0].Label = "" })},
			{"no name", "name", "error.required", with(func(in *scores.ModelInput) { in.Name = "" })},
			{"appeal window", "appeal_days", "error.range", with(func(in *scores.ModelInput) { in.AppealDays = 0 })},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.S.CreateModel(f.Coord, c.in)
				errstest.WantField(t, err, c.field, c.key)
			})
		}
		// The sum is named in the error.
		_, err := f.S.CreateModel(f.Coord, cases[0].in)
		if e, _ := errs.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Args[0] != 90.0 || e.Fields[0].Args[1] != 100.0 {
			t.Fatalf("the sum in the error: %v", err)
		}
		// Decimal weights that sum exactly on paper pass.
		thirds := scores.ModelInput{Name: "三项", Total: 100, AppealDays: 5, Items: []scores.Item{
			{Kind: scores.Manual, Label: "甲", Weight: 33.3, Cap: 10}, {Kind: scores.Manual, Label: "乙", Weight: 33.3, Cap: 10}, {Kind: scores.Manual, Label: "丙", Weight: 33.4, Cap: 10}}}
		m, err := f.S.CreateModel(f.Coord, thirds)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.S.CreateModel(f.Viewer, model)
		errstest.WantKind(t, err, errs.Forbidden)
		_, err = f.S.CreateModel(f.Coord, thirds)
		errstest.WantKind(t, err, errs.Conflict)

		// Edits are versioned: a stale copy gets 409 with the current model.
		m2, err := f.S.UpdateModel(f.Coord, m.ID, model, m.Version)
		if err != nil || m2.Version != m.Version+1 || len(m2.Items) != 7 {
			t.Fatalf("update: %+v %v", m2, err)
		}
		_, err = f.S.UpdateModel(f.Coord, m.ID, thirds, m.Version)
		errstest.WantKind(t, err, errs.Conflict)
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE object_type = 'score_model' AND action = 'score_model.update'`); n != 1 {
			t.Fatalf("audit rows of the update: %d", n)
		}
	})
}

func TestPeriods(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		m, err := f.S.CreateModel(f.Coord, model)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			kind       string
			starts     clock.Date
			ends, want clock.Date
			field, key string
		}{
			{kind: scores.Month, starts: day(2, 1), want: day(2, 28)},
			{kind: scores.Quarter, starts: day(10, 1), want: day(12, 31)},
			{kind: scores.Year, starts: day(1, 1), want: day(12, 31)},
			{kind: scores.Custom, starts: day(3, 5), ends: day(4, 20), want: day(4, 20)},
			{kind: scores.Quarter, starts: day(2, 1), field: "starts_on", key: "error.score.period_start"},
			{kind: scores.Month, starts: day(2, 3), field: "starts_on", key: "error.score.period_start"},
			{kind: scores.Custom, starts: day(3, 5), ends: day(3, 4), field: "ends_on", key: "error.date_order"},
			{kind: "week", starts: day(3, 1), field: "period_kind", key: "error.choice"},
		}
		for _, c := range cases {
			t.Run(c.kind+" "+c.starts.String(), func(t *testing.T) {
				got, err := f.S.CreateScorecard(f.Coord, scores.ScorecardInput{ModelID: m.ID, Title: "t", PeriodKind: c.kind, StartsOn: c.starts, EndsOn: c.ends})
				if c.field != "" {
					errstest.WantField(t, err, c.field, c.key)
					return
				}
				if err != nil || got.EndsOn != c.want {
					t.Fatalf("%+v %v", got, err)
				}
			})
		}
		_, err = f.S.CreateScorecard(f.Coord, scores.ScorecardInput{ModelID: 999999, Title: "t", PeriodKind: scores.Year, StartsOn: day(1, 1)})
		errstest.WantField(t, err, "model_id", "error.score.model_unknown")
	})
}
