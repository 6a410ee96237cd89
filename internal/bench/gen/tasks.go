package gen

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"concord/internal/clock"
	"concord/internal/plans"
)

// fate is where a task stands on the day generated for.
type fate int

const (
	running    fate = iota // active, due later
	overdue                // active, past its due date
	closed                 // completion filed and verified (销号)
	filed                  // completion filed, awaiting verification
	cancelled              // stopped with a reason
	merged                 // folded into another task
	notStarted             // starts later
)

// rows is what one chunk of tasks writes, table by table in the order the
// foreign keys need.
type rows struct {
	tasks, assignments, reports, docs, events, completions, chases [][]any
}

var tables = []struct {
	name    string
	columns []string
	rows    func(*rows) [][]any
}{
	{"tasks", []string{"id", "plan_id", "goal_id", "code", "title", "description", "area_id", "lead_unit_id", "starts_on", "due_on",
		"deliverables", "target", "cycle", "report_dates", "status", "status_reason", "merged_into_id", "completed_on", "closed_at",
		"closed_month", "progress", "light", "light_on", "created_at", "updated_at"}, func(r *rows) [][]any { return r.tasks }},
	{"assignments", []string{"id", "task_id", "unit_id", "role", "due_on", "progress", "created_at", "updated_at", "light"},
		func(r *rows) [][]any { return r.assignments }},
	{"reports", []string{"id", "assignment_id", "task_id", "unit_id", "period_start", "period_end", "due_on", "state", "percent",
		"self_status", "narrative", "problems", "help_needed", "next_steps", "first_submitted_at", "on_time", "submitted_at",
		"submitted_by", "reviewed_at", "reviewed_by", "return_reason", "returns", "chase_level", "version", "created_at", "updated_at", "live"},
		func(r *rows) [][]any { return r.reports }},
	{"chases", []string{"id", "task_id", "assignment_id", "report_id", "unit_id", "level", "created_at"}, func(r *rows) [][]any { return r.chases }},
	{"search_docs", []string{"kind", "ref_id", "task_id", "body"}, func(r *rows) [][]any { return r.docs }},
	{"task_events", []string{"task_id", "at", "actor", "kind", "unit_id", "ref_id", "note"}, func(r *rows) [][]any { return r.events }},
	{"completions", []string{"task_id", "summary", "filed_at", "filed_by", "verdict", "verdict_at", "verdict_by"},
		func(r *rows) [][]any { return r.completions }},
}

// chunk generates tasks from..to-1 and writes them in tx.
func (g *generator) chunk(ctx context.Context, tx *sql.Tx, from, to int) error {
	var r rows
	for i := from; i < to; i++ {
		if err := g.task(ctx, i, &r); err != nil {
			return err
		}
	}
	for _, t := range tables {
		ins := newInserter(ctx, tx, g.d.Engine, t.name, t.columns...)
		for _, row := range t.rows(&r) {
			if err := ins.add(row...); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		if err := ins.flush(); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	g.made.Tasks += len(r.tasks)
	g.made.Assignments += len(r.assignments)
	g.made.Reports += len(r.reports)
	g.made.SearchDocs += len(r.docs)
	g.made.Chases += len(r.chases)
	return nil
}

// task is the i-th task: its plan, units, dates and fate, then its rows.
func (g *generator) task(ctx context.Context, i int, r *rows) error {
	p := g.pickPlan()
	goal := p.goals[g.rng.IntN(len(p.goals))]
	lead := g.units[g.rng.IntN(len(g.units))]
	units := []unit{lead}
	for n := g.coUnits(); len(units) < n+1; {
		u := g.units[g.rng.IntN(len(g.units))]
		if !hasUnit(units, u.id) {
			units = append(units, u)
		}
	}
	cycle, months := plans.Monthly, 1
	switch x := g.rng.Float64(); {
	case x < 0.15:
		cycle, months = plans.Quarterly, 3
	case x < 0.20:
		cycle, months = plans.Custom, 2
	}
	// Periods per assignment so that the reports written so far and those
	// to come land on the count asked for.
	left := max(g.opt.Reports-g.made.Reports-len(r.reports), 0)
	per := float64(left) / float64(g.opt.Tasks-i) / float64(len(units)) / 0.7 // tasks not started, and periods cut short, report less
	k := max(1, int(math.Round(per*(0.5+g.rng.Float64()))))

	t := g.place(p, months, k)
	id := g.next.task
	g.next.task++
	p.tasks++
	code := fmt.Sprintf("%s-%05d", areaCodes[goal.area], p.tasks)
	name, topic := title(g.rng, goal.area, p.tasks)
	var dates []clock.Date
	if cycle == plans.Custom {
		for d := t.start.MonthEnd(); d.Before(t.due); d = d.AddDays(1).AddDays(32).MonthEnd() {
			dates = append(dates, d)
		}
	}
	ps := plans.Periods(t.start, t.due, cycle, dates)
	created := p.adopted().Add(time.Hour)
	pace := g.pace(t.fate)

	var lastOf []*float64 // each assignment's latest reported percent
	for n, u := range units {
		aid := g.next.assignment
		g.next.assignment++
		role := "lead"
		if n > 0 {
			role = "co"
		}
		var last *float64
		for pi, per := range ps {
			if per.Start.After(t.stop) || t.fate == notStarted {
				break
			}
			pct, counted := g.report(r, t, reportSpec{plan: p.id, id: id, assignment: aid, unit: u.id, period: per, final: pi == len(ps)-1, pace: pace, topic: topic, created: created})
			if counted {
				last = pct
			}
		}
		lastOf = append(lastOf, last)
		r.assignments = append(r.assignments, []any{aid, id, u.id, role, t.due, 0.0, created, created, ""}) // light: below
		if t.fate == overdue {
			g.chaseLate(r, id, aid, 0, u.id, t.due)
		}
	}
	progress := g.rollup(r.assignments[len(r.assignments)-len(units):], lastOf)
	if t.fate == closed {
		progress = 100
	}
	status, reason := t.status()
	v := plans.Judge(plans.Task{Status: status, StartsOn: t.start, DueOn: t.due, CompletedOn: t.completed, Progress: progress}, g.today, g.set)
	var mergedInto any
	if t.fate == merged {
		if p.mergeInto == 0 {
			t.fate, status, reason, v.Light = cancelled, plans.TaskCancelled, "任务调整，予以撤销", plans.Cancelled
		} else {
			mergedInto = p.mergeInto
		}
	} else if status == plans.TaskActive {
		p.mergeInto = id
	}
	for _, a := range r.assignments[len(r.assignments)-len(units):] {
		a[len(a)-1] = string(v.Light)
	}
	var closedAt any
	closedMonth := ""
	updated := created
	if !t.ended.IsZero() {
		updated = t.ended
	}
	if t.fate == closed {
		closedAt, closedMonth = t.ended, clock.DayOf(t.ended).Month()
	}
	desc := name + "，牵头单位会同配合单位按期报送进展。"
	deliverables, target := topic+"阶段成果材料", "按期完成"+topic+"目标"
	r.tasks = append(r.tasks, []any{id, p.id, goal.id, code, name, desc, goal.aid, lead.id, t.start, t.due, deliverables, target,
		string(cycle), joinDates(dates), string(status), reason, mergedInto, t.completed, closedAt, closedMonth, progress, string(v.Light), g.today,
		created, updated})
	r.docs = append(r.docs, []any{"task", id, id, strings.Join([]string{name, desc, deliverables, target}, "\n")})
	r.events = append(r.events, []any{id, created, g.office, "created", nil, nil, ""})
	g.conclude(r, t, id, lead.id, topic, reason)
	return nil
}

func hasUnit(us []unit, id int64) bool {
	for _, u := range us {
		if u.id == id {
			return true
		}
	}
	return false
}

// coUnits is how many units co-operate on a task: none for one in five,
// up to four.
func (g *generator) coUnits() int {
	x := g.rng.Float64()
	switch {
	case x < 0.2:
		return 0
	case x < 0.55:
		return 1
	case x < 0.8:
		return min(2, len(g.units)-1)
	case x < 0.92:
		return min(3, len(g.units)-1)
	}
	return min(4, len(g.units)-1)
}

// pickPlan draws a plan by weight.
func (g *generator) pickPlan() *planInfo {
	var total float64
	for _, p := range g.plans {
		total += p.weight
	}
	x := g.rng.Float64() * total
	for _, p := range g.plans {
		if x -= p.weight; x < 0 {
			return p
		}
	}
	return g.plans[len(g.plans)-1]
}

// pace is reported progress ÷ time elapsed: most units keep up, some are
// behind; done tasks report on schedule.
func (g *generator) pace(f fate) float64 {
	if f != running && f != overdue {
		return 1
	}
	switch x := g.rng.Float64(); {
	case x < 0.6:
		return 1 + 0.3*g.rng.Float64()
	case x < 0.85:
		return 0.75 + 0.25*g.rng.Float64()
	}
	return 0.3 + 0.4*g.rng.Float64()
}

// rollup is the task's progress from its assignments' latest reported
// percents, as the service's refresh computes it; it also sets each
// assignment row's progress.
func (g *generator) rollup(as [][]any, last []*float64) float64 {
	var lead, coSum float64
	for i, p := range last {
		v := 0.0
		if p != nil {
			v = *p
		}
		as[i][5] = v
		if i == 0 {
			lead = v
		} else {
			coSum += v
		}
	}
	if len(last) == 1 {
		return lead
	}
	return g.set.LeadWeight*lead + (1-g.set.LeadWeight)*coSum/float64(len(last)-1)
}

// placed is a task's dates and fate.
type placed struct {
	fate       fate
	start, due clock.Date
	stop       clock.Date // the last day its periods were opened
	completed  clock.Date // completion filed
	ended      time.Time  // verified and closed, cancelled or merged
}

func (t placed) status() (plans.Status, string) {
	switch t.fate {
	case closed:
		return plans.TaskClosed, ""
	case filed:
		return plans.TaskFiled, ""
	case cancelled:
		return plans.TaskCancelled, "按联席会议决定调整，予以撤销"
	case merged:
		return plans.TaskMerged, "与同类任务合并推进"
	}
	return plans.TaskActive, ""
}

// monthsBack is the day after the date m months before d.
func monthsBack(d clock.Date, m int) clock.Date { return clock.DayOf(d.Time().AddDate(0, -m, 1)) }

func later(a, b clock.Date) clock.Date {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b clock.Date) clock.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// place draws a task's fate by where its plan stands today, then dates
// giving it about k periods of `months` months of reporting.
func (g *generator) place(p *planInfo, months, k int) placed {
	today := g.today
	x := g.rng.Float64()
	var f fate
	switch {
	case today.Before(p.starts):
		f = notStarted
	case p.ends.Before(today) && p.status == plans.Done:
		f = pick(x, []float64{0.9, 0.08}, closed, cancelled, merged)
	case p.ends.Before(today):
		f = pick(x, []float64{0.8, 0.06, 0.01, 0.05}, closed, cancelled, merged, filed, overdue)
	default:
		f = pick(x, []float64{0.55, 0.08, 0.17, 0.06, 0.04, 0.01}, running, overdue, closed, filed, cancelled, merged, notStarted)
	}
	days := func(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }
	t := placed{fate: f}
	lastDue := earlier(p.ends, today.AddDays(-20)) // the latest due date of a task done by now
	switch {
	case f == notStarted && !p.ends.After(today.AddDays(30)):
		f = running
	case (f == closed || f == filed || f == cancelled || f == merged) && lastDue.Before(p.starts.AddDays(30)),
		f == overdue && !p.starts.Before(today.AddDays(-2)):
		f = running
	}
	t.fate = f
	switch f {
	case notStarted:
		t.start = later(p.starts, today).AddDays(days(1, 120))
		t.start = earlier(t.start, p.ends.AddDays(-30))
		t.due = earlier(t.start.AddDays(days(30, 300)), p.ends)
		t.stop = today
	case running:
		t.start = later(p.starts, monthsBack(today, k*months))
		t.due = earlier(today.AddDays(days(7, 365)), p.ends)
		t.due = later(t.due, today)
		t.stop = today
	case overdue:
		t.due = today.AddDays(-days(1, 90))
		if p.ends.Before(today) {
			t.due = p.ends.AddDays(-days(0, 200))
		}
		t.due = later(t.due, p.starts)
		t.start = later(p.starts, monthsBack(t.due, k*months))
		t.stop = today
	default:
		t.due = p.starts.AddDays(30 + g.rng.IntN(p.starts.AddDays(30).DaysUntil(lastDue)+1))
		t.start = later(p.starts, monthsBack(t.due, k*months))
		switch f {
		case closed, filed:
			t.completed = t.due.AddDays(-days(0, 20))
			if g.rng.Float64() < 0.2 {
				t.completed = t.due.AddDays(days(1, 19))
			}
			t.completed = later(earlier(t.completed, today.AddDays(-1)), t.start)
			t.stop = t.completed
			if f == closed {
				t.ended = t.completed.AddDays(days(3, 20)).Time().Add(10 * time.Hour)
				if !t.ended.Before(today.Time()) {
					t.fate, t.ended = filed, time.Time{} // not verified yet
				}
			}
		default:
			t.stop = t.start.AddDays(g.rng.IntN(t.start.DaysUntil(t.due) + 1))
			t.ended = t.stop.Time().Add(11 * time.Hour)
		}
	}
	return t
}

// pick chooses among outcomes by cumulative shares; the last takes the rest.
func pick(x float64, shares []float64, fates ...fate) fate {
	for i, s := range shares {
		if x -= s; x < 0 {
			return fates[i]
		}
	}
	return fates[len(fates)-1]
}

// conclude writes a task's completion report, closure or cancellation.
func (g *generator) conclude(r *rows, t placed, id, lead int64, topic, reason string) {
	by := g.reporter[lead]
	if by == "" {
		by = "system"
	}
	switch t.fate {
	case closed, filed:
		filedAt := t.completed.Time().Add(15 * time.Hour)
		summary := topic + "已完成，成果材料已上报。"
		r.events = append(r.events, []any{id, filedAt, by, "task.completion_filed", lead, nil, ""})
		if t.fate == closed {
			r.completions = append(r.completions, []any{id, summary, filedAt, by, "closed", t.ended, g.office})
			r.events = append(r.events, []any{id, t.ended, g.office, "task.closed", lead, nil, ""})
		} else {
			r.completions = append(r.completions, []any{id, summary, filedAt, by, "", nil, ""})
		}
	case cancelled, merged:
		kind := "task.cancelled"
		if t.fate == merged {
			kind = "task.merged"
		}
		r.events = append(r.events, []any{id, t.ended, g.office, kind, lead, nil, reason})
	}
}

// reportSpec is one report row to write.
type reportSpec struct {
	plan, id, assignment, unit int64
	period                     plans.Period
	final                      bool
	pace                       float64
	topic                      string
	created                    time.Time
}

// report writes one report row of task t and says the percent it counts
// with in the assignment's progress (counted false: not submitted).
func (g *generator) report(r *rows, t placed, s reportSpec) (*float64, bool) {
	rid := g.next.report
	g.next.report++
	today := g.today
	due := s.period.End.AddDays(g.set.ReportGraceDays)
	at := func(d clock.Date, hour int) time.Time { return d.Time().Add(time.Duration(hour) * time.Hour) }
	span := float64(t.start.DaysUntil(t.due) + 1)
	pct := math.Round(min(100, 100*float64(t.start.DaysUntil(s.period.End)+1)/span*s.pace))
	if s.final && (t.fate == closed || t.fate == filed) {
		pct = 100
	}
	created := later(s.period.Start, clock.DayOf(s.created)).Time().Add(time.Hour)

	// The report's story: when it was first submitted, returned, accepted;
	// nothing happens from today on, nor once the task has ended.
	state := plans.Accepted
	limit := today
	if !t.ended.IsZero() {
		limit = clock.DayOf(t.ended)
	}
	x := g.rng.Float64()
	finalTask := t.fate != running && t.fate != overdue
	switch {
	case (t.fate == cancelled || t.fate == merged) && !due.Before(t.stop):
		state = plans.Pending // never written: the task stopped first
	case finalTask:
	case due.Before(today.AddDays(-45)):
		state = pickState(x, []float64{0.9, 0.04, 0.02, 0.03}, plans.Accepted, returnedThenAccepted, plans.Submitted, plans.Pending, plans.Drafted)
	case due.Before(today):
		state = pickState(x, []float64{0.45, 0.3, 0.08, 0.12}, plans.Accepted, plans.Submitted, plans.Returned, plans.Pending, plans.Drafted)
	case s.period.End.Before(today):
		state = pickState(x, []float64{0.3, 0.25}, plans.Submitted, plans.Drafted, plans.Pending)
	default:
		state = pickState(x, []float64{0.8}, plans.Pending, plans.Drafted)
	}
	var first, submitted, reviewed time.Time
	returns, reason, reviewer := 0, "", ""
	if state != plans.Pending && state != plans.Drafted {
		first = at(due.AddDays(-g.rng.IntN(5)), 9+g.rng.IntN(9))
		if g.rng.Float64() < 0.12 {
			first = at(due.AddDays(1+g.rng.IntN(15)), 9+g.rng.IntN(9))
		}
		if first.Before(s.period.Start.Time()) {
			first = at(s.period.Start, 17)
		}
		if !first.Before(at(limit, 0)) {
			first = at(earlier(due, limit.AddDays(-1)), 9)
		}
		submitted = first
		switch state {
		case returnedThenAccepted:
			returns, submitted, state = 1, first.Add(96*time.Hour), plans.Accepted
		case plans.Returned:
			returns, reason = 1, "进展数据与调度台账不一致，请核实后重新报送"
		}
		if state == plans.Accepted || state == plans.Returned {
			reviewed = submitted.Add(time.Duration(24+g.rng.IntN(96)) * time.Hour)
			reviewer = g.office
		}
		if !reviewed.IsZero() && !reviewed.Before(at(limit, 0)) || submitted.After(at(limit, 0)) {
			// No time left to review before the limit: still awaiting it.
			state, reviewed, reviewer, reason, returns, submitted = plans.Submitted, time.Time{}, "", "", 0, first
		}
	}
	var percent any
	var counted *float64
	self, narr, problems, help, next := "", "", "", "", ""
	if state != plans.Pending {
		percent, counted = pct, &pct
		self = "on_track"
		switch {
		case pct >= 100:
			self = "done"
		case s.pace < 0.7:
			self = "behind"
			problems, help, next = "资金和用地要素保障不足，进度滞后", "请协调专项资金和用地指标", "倒排工期，按周调度"
		}
		narr = narrative(s.period.End.Month(), s.topic, pct)
	}
	by := ""
	var onTime, firstAt, subAt, revAt any
	updated := created
	if !first.IsZero() {
		by = g.reporter[s.unit]
		if by == "" {
			by = "system"
		}
		ok := !clock.DayOf(first).After(due)
		onTime, firstAt, subAt, updated = ok, first, submitted, submitted
		c := g.count(s.plan, s.unit, s.period.End.Month())
		if ok {
			c.onTime++
		} else {
			c.late++
		}
		c.returned += returns
		r.docs = append(r.docs, []any{"report", rid, s.id, strings.Join([]string{narr, problems, help, next}, "\n")})
	}
	if !reviewed.IsZero() {
		revAt, updated = reviewed, reviewed
	}
	chase := 0
	if (state == plans.Pending || state == plans.Drafted) && due.Before(today) && (t.fate == running || t.fate == overdue) {
		chase = g.chaseLate(r, s.id, s.assignment, rid, s.unit, due)
	}
	status, _ := t.status()
	live := status == plans.TaskActive || status == plans.TaskFiled
	r.reports = append(r.reports, []any{rid, s.assignment, s.id, s.unit, s.period.Start, s.period.End, due, string(state), percent,
		self, narr, problems, help, next, firstAt, onTime, subAt, by, revAt, reviewer, reason, returns, chase, 1 + returns, created, updated, live})
	if state == plans.Pending || state == plans.Drafted || state == plans.Returned {
		return nil, false
	}
	return counted, true
}

// returnedThenAccepted is an accepted report that was returned once first.
const returnedThenAccepted plans.ReportState = "returned_then_accepted"

func pickState(x float64, shares []float64, states ...plans.ReportState) plans.ReportState {
	for i, s := range shares {
		if x -= s; x < 0 {
			return states[i]
		}
	}
	return states[len(states)-1]
}

func (g *generator) count(plan, unit int64, month string) *reportCount {
	k := countKey{plan, unit, month}
	if g.counts[k] == nil {
		g.counts[k] = &reportCount{}
	}
	return g.counts[k]
}

// chaseLate writes the automatic chases a daily sweep sends about a report
// (rid ≠ 0) or an assignment past due: the responsible person the day
// after, the unit leader ChaseLeaderDays later, the office ChaseOfficeDays
// later. It returns the level reached.
func (g *generator) chaseLate(r *rows, task, assignment, rid, unit int64, due clock.Date) int {
	late := due.DaysUntil(g.today)
	var report any
	if rid != 0 {
		report = rid
	}
	level := 0
	for l, after := range []int{1, 1 + g.set.ChaseLeaderDays, 1 + g.set.ChaseOfficeDays} {
		if late < after {
			break
		}
		level = l + 1
		id := g.next.chase
		g.next.chase++
		at := due.AddDays(after).Time().Add(time.Hour)
		r.chases = append(r.chases, []any{id, task, assignment, report, unit, level, at})
		r.events = append(r.events, []any{task, at, "system", "chase", unit, id, ""})
	}
	return level
}

func joinDates(ds []clock.Date) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ",")
}
