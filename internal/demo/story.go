package demo

import (
	"container/heap"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/plans"
	"concord/internal/problems"
	"concord/internal/scores"
)

// A story is played on the plans service with its clock set back: every
// plan, task, report, review and closure goes through the service as of the
// day it happens, so due dates, on-time judgements, lights, chases and the
// audit trail are the service's own. Events are played in time order up to
// the moment the demo is seeded; whatever would happen later is left
// undone, which is what leaves today's reports pending, awaiting review or
// returned.
type story struct {
	svc    *plans.Service
	meet   *meetings.Service
	insp   *inspect.Service
	probs  *problems.Service
	scores *scores.Service
	bulls  *bulletin.Service
	clock  *clock.Fake
	now    time.Time  // when the demo is seeded
	today  clock.Date // its day
	as     map[string]context.Context
	units  map[string]int64
	code   map[int64]string // unit id → code
	areas  map[string]int64
	tasks  map[int64]*taskSpec
	seen   map[int64]bool // report rows already given their fate
	nth    map[string]int // reports scheduled so far per task and unit
	queue  eventQueue
	seq    int
}

// event is something a sample user does at a moment.
type event struct {
	at  time.Time
	seq int
	do  func() error
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// at schedules do at hour o'clock on day d.
func (s *story) at(d clock.Date, hour int, do func() error) {
	s.seq++
	heap.Push(&s.queue, event{at: d.Time().Add(time.Duration(hour) * time.Hour), seq: s.seq, do: do})
}

// play runs the events in time order until the seeding moment.
func (s *story) play() error {
	for s.queue.Len() > 0 {
		e := heap.Pop(&s.queue).(event)
		if !e.at.Before(s.now) {
			return nil
		}
		s.clock.Set(e.at)
		if err := e.do(); err != nil {
			return fmt.Errorf("%s: %w", e.at.Format("2006-01-02 15:04"), err)
		}
	}
	return nil
}

func (s *story) coord() context.Context { return s.as["coordinator"] }

// reporter is the sample reporter of a unit.
func (s *story) reporter(unit string) context.Context { return s.as[reporters[unit]] }

// daily runs the service's daily sweep on day d, then gives every report
// row it opened its fate.
func (s *story) daily(d clock.Date) error {
	if err := s.svc.Daily(s.coord(), d); err != nil {
		return err
	}
	return s.discover()
}

// discover schedules what happens to report rows not seen before, task by
// task in a fixed order so that every seed plays the same way.
func (s *story) discover() error {
	for _, id := range slices.Sorted(maps.Keys(s.tasks)) {
		spec := s.tasks[id]
		t, err := s.svc.Task(s.coord(), id)
		if err != nil {
			return err
		}
		if t.Status != plans.TaskActive {
			continue
		}
		rs, err := s.svc.TaskReports(s.coord(), id)
		if err != nil {
			return err
		}
		for i := len(rs) - 1; i >= 0; i-- { // earliest period first
			if r := rs[i]; !s.seen[r.ID] {
				s.seen[r.ID] = true
				s.fate(spec, r)
			}
		}
	}
	return nil
}

// reserved is the day whose reporting period each unit's scripted last
// report covers: a month back, so its row exists well before the scripts
// run in the last days.
func (s *story) reserved() clock.Date { return s.today.AddDays(-30) }

// fate schedules the life of report r of task spec.
func (s *story) fate(spec *taskSpec, r plans.Report) {
	unit := s.code[r.UnitID]
	key := spec.code + "/" + unit
	n := s.nth[key]
	s.nth[key]++
	in := spec.input(r)
	p := spec.plot
	if p.script != nil && p.scriptUnit == unit && !s.reserved().Before(r.PeriodStart) && !r.PeriodEnd.Before(s.reserved()) {
		p.script(s, r.ID, unit, in)
		return
	}
	if unit == p.silent && !r.DueOn.Before(s.today.AddDays(-45)) {
		return // never written: missing once due, and chased
	}
	submit := r.DueOn.AddDays(-2)
	if unit == p.late {
		submit = r.DueOn.AddDays(6)
	}
	s.at(submit, 10+n%6, func() error {
		if err := s.submit(r.ID, unit, in); err != nil {
			return err
		}
		if unit == p.returned && n == 0 {
			s.at(submit.AddDays(3), 15, func() error {
				if err := s.giveBack(r.ID, "请补充重点项目投资完成额和形象进度照片"); err != nil {
					return err
				}
				s.at(submit.AddDays(5), 9, func() error { return s.submit(r.ID, unit, in) })
				s.at(submit.AddDays(7), 16, func() error { return s.accept(r.ID) })
				return nil
			})
			return nil
		}
		s.at(submit.AddDays(max(p.review, 3)), 16, func() error { return s.accept(r.ID) })
		return nil
	})
}

// live reports whether report id's task still takes reports (a task that
// is over drops the rows nobody wrote).
func (s *story) live(id int64) (plans.Report, bool, error) {
	r, err := s.svc.Report(s.coord(), id)
	if errs.Is(err, errs.NotFound) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	t, err := s.svc.Task(s.coord(), r.TaskID)
	return r, err == nil && (t.Status == plans.TaskActive || t.Status == plans.TaskFiled), err
}

func (s *story) submit(id int64, unit string, in plans.ReportInput) error {
	r, ok, err := s.live(id)
	if !ok || err != nil {
		return err
	}
	_, err = s.svc.SubmitReport(s.reporter(unit), id, in, r.Version)
	return err
}

func (s *story) save(id int64, unit string, in plans.ReportInput) error {
	r, ok, err := s.live(id)
	if !ok || err != nil {
		return err
	}
	_, err = s.svc.SaveReport(s.reporter(unit), id, in, r.Version)
	return err
}

func (s *story) accept(id int64) error {
	r, ok, err := s.live(id)
	if !ok || err != nil || r.State != plans.Submitted {
		return err
	}
	_, err = s.svc.AcceptReport(s.coord(), id, r.Version)
	return err
}

func (s *story) giveBack(id int64, reason string) error {
	r, ok, err := s.live(id)
	if !ok || err != nil {
		return err
	}
	_, err = s.svc.ReturnReport(s.coord(), id, reason, r.Version)
	return err
}

// Scripts for a unit's last report of a current task, played in the last
// days before the seeding moment.

func awaitReview(s *story, id int64, unit string, in plans.ReportInput) {
	s.at(s.today.AddDays(-2), 10, func() error { return s.submit(id, unit, in) })
}

func draftOnly(s *story, id int64, unit string, in plans.ReportInput) {
	in.Narrative = "（草稿）" + in.Narrative
	s.at(s.today.AddDays(-1), 17, func() error { return s.save(id, unit, in) })
}

func returnedOpen(s *story, id int64, unit string, in plans.ReportInput) {
	s.at(s.today.AddDays(-8), 10, func() error { return s.submit(id, unit, in) })
	s.at(s.today.AddDays(-5), 15, func() error {
		return s.giveBack(id, "进展数据与项目调度台账不一致，请核实后重新报送")
	})
}

func returnedResubmitted(s *story, id int64, unit string, in plans.ReportInput) {
	s.at(s.today.AddDays(-9), 10, func() error { return s.submit(id, unit, in) })
	s.at(s.today.AddDays(-7), 15, func() error { return s.giveBack(id, "未说明存在问题和下一步措施，请补充") })
	in.Problems = "跨市协调事项较多，部分配套资金尚未到位"
	in.NextSteps = "下月召开专题协调会，落实配套资金"
	s.at(s.today.AddDays(-4), 11, func() error { return s.submit(id, unit, in) })
}

// input is what a unit writes for report r: progress at the task's pace,
// the final period's at 100 when the task is done.
func (t *taskSpec) input(r plans.Report) plans.ReportInput {
	span := float64(t.starts.DaysUntil(t.due) + 1)
	elapsed := float64(t.starts.DaysUntil(r.PeriodEnd) + 1)
	limit := t.plot.cap
	if limit == 0 {
		limit = 100
	}
	pct := math.Round(min(100*elapsed/span*t.plot.pace, limit))
	if r.PeriodEnd == t.due && t.plot.done {
		pct = 100
	}
	status := plans.SelfStatus("on_track")
	switch {
	case pct >= 100:
		status = "done"
	case t.plot.pace < 0.7:
		status = "behind"
	case limit < 100:
		status = "at_risk"
	}
	in := plans.ReportInput{Percent: &pct, SelfStatus: status,
		Narrative: fmt.Sprintf("%s：%s，累计完成%.0f%%。", r.PeriodEnd.Month(), t.step(pct), pct)}
	if t.plot.pace < 0.7 {
		in.Problems = "项目用地和配套资金尚未落实，进度滞后"
		in.HelpNeeded = "请省发展改革委协调用地指标和专项资金"
		in.NextSteps = "倒排工期，挂图作战，按周调度"
	}
	return in
}

// step is the stage of work a report at pct describes.
func (t *taskSpec) step(pct float64) string {
	steps := areaSteps[t.area]
	i := min(int(pct/100*float64(len(steps))), len(steps)-1)
	return fmt.Sprintf(steps[i], t.topic)
}

var areaSteps = map[string][]string{
	"planning":    {"完成%s前期调研和基础资料收集", "形成%s方案初稿并征求各市意见", "%s方案经联席会议审议，进入实施", "%s主要内容落实到位，开展评估"},
	"industry":    {"梳理%s重点项目清单", "%s重点项目签约落地，开工建设", "%s重点项目加快建设，部分投产", "%s项目建成投产，形成新增产能"},
	"innovation":  {"启动%s组建工作", "%s完成共建协议签署", "%s开展联合攻关，取得阶段成果", "%s成果转化应用"},
	"reform":      {"制定%s改革任务清单", "%s制度创新举措推出", "%s改革试点成效显现", "%s经验复制推广"},
	"policy":      {"梳理%s政策差异", "起草%s共通政策文件", "%s政策文件印发实施", "%s政策落实情况评估"},
	"environment": {"开展%s现状调查和监测", "制定%s联防联治方案", "%s整治工程实施", "%s水质和生态指标达到目标"},
}

// plot is a task's outcome and the ways its units report.
type plot struct {
	pace   float64 // reported progress ÷ share of time elapsed
	cap    float64 // reported progress never above this
	done   bool    // the final report says 100
	review int     // days from submission to acceptance (at least 3)
	late   string  // unit that submits a week after the due date
	silent string  // unit that stops reporting 45 days before the seeding
	// returned: unit whose first report is returned once, then accepted
	returned   string
	script     func(s *story, report int64, unit string, in plans.ReportInput)
	scriptUnit string
	outcome    []outcome
}

// outcome is a step of a task's completion, closure or cancellation, or a
// chase of one of its units.
type outcome struct {
	kind   string // file, close, reopen, cancel, chase
	on     clock.Date
	reason string // or the chase's note
	unit   string // the unit chased
}

// reporters are the sample users who write each unit's reports.
var reporters = map[string]string{
	"dalian": "dalian-reporter", "yingkou": "yingkou-reporter", "dandong": "dandong-reporter", "jinzhou": "jinzhou-reporter",
	"panjin": "panjin-reporter", "huludao": "huludao-reporter", "ln-drc": "drc-reporter", "ln-transport": "transport-reporter",
	"ln-commerce": "commerce-reporter", "dalian-eco": "dalian-eco-reporter",
}

// actorFor is the context of a sample user acting.
func actorFor(ctx context.Context, id int64, u user, unit int64) context.Context {
	return access.WithActor(ctx, &access.Actor{UserID: id, Login: u.login, UnitID: unit, Roles: []access.Role{u.role}})
}

// seedPlans plays the sample plans' story, and the meetings, inspections
// and problems around them (belt.go), on a fake clock, from the three-year
// plan's adoption in 2018 up to now, and ends with the day's sweeps as of
// now.
func seedPlans(as map[string]context.Context, d *db.DB, units, areas map[string]int64, users map[string]accounts.User, now time.Time) error {
	fake := clock.NewFake(now)
	svc := &plans.Service{DB: d, Clock: fake}
	sc := &scores.Service{DB: d, Clock: fake}
	s := &story{svc: svc, meet: &meetings.Service{DB: d, Clock: fake, Plans: svc}, insp: &inspect.Service{DB: d, Clock: fake, Plans: svc},
		probs: &problems.Service{DB: d, Clock: fake, Plans: svc}, clock: fake,
		scores: sc, bulls: &bulletin.Service{DB: d, Clock: fake, Alliance: &alliance.Service{DB: d}, Providers: []bulletin.SectionProvider{sc}}, now: now, today: clock.DayOf(now), as: as, units: units,
		code: map[int64]string{}, areas: areas, tasks: map[int64]*taskSpec{}, seen: map[int64]bool{}, nth: map[string]int{}}
	for c, id := range units {
		s.code[id] = c
	}
	for _, p := range append(threeYearPlan(), currentPlans(s.today)...) {
		s.at(p.adopted, 9, func() error { return s.adopt(p, users) })
		if !p.closed.IsZero() {
			s.at(p.closed, 11, func() error { return s.closePlan(p.code) })
		}
	}
	for m := day(2018, 1, 1); m.Before(s.today); m = m.MonthEnd().AddDays(1) {
		s.at(m, 1, func() error { return s.daily(m) })
	}
	s.beltStory(users)
	if err := s.play(); err != nil {
		return err
	}
	fake.Set(now)
	if err := s.svc.Daily(s.coord(), s.today); err != nil {
		return err
	}
	if err := s.insp.ChaseOverdue(s.coord(), s.today); err != nil {
		return err
	}
	return s.probs.ChaseOverdue(s.coord(), s.today)
}

// adopt makes plan p with its goals and tasks and puts it in force, as the
// joint meeting decided.
func (s *story) adopt(p planSpec, users map[string]accounts.User) error {
	ctx := s.coord()
	in := plans.PlanInput{Code: p.code, Kind: p.kind, Name: p.name, Description: p.desc, StartsOn: p.starts, EndsOn: p.ends, Sample: true}
	if p.parent != "" {
		parent, err := s.svc.PlanByCode(ctx, p.parent)
		if err != nil {
			return err
		}
		in.ParentID = &parent.ID
	}
	plan, err := s.svc.CreatePlan(ctx, in)
	if err != nil {
		return fmt.Errorf("plan %s: %w", p.code, err)
	}
	goals := map[string]int64{}
	for i, g := range p.goals {
		goal, err := s.svc.SaveGoal(ctx, plan.ID, 0, plans.GoalInput{Code: fmt.Sprintf("G%d", i+1), Title: g.title, AreaID: s.areas[g.area], Position: i + 1}, 0)
		if err != nil {
			return fmt.Errorf("plan %s goal %s: %w", p.code, g.area, err)
		}
		goals[g.area] = goal.ID
	}
	for _, t := range p.tasks {
		task, err := s.svc.CreateTask(ctx, plan.ID, t.taskInput(goals[t.area], s.units))
		if err != nil {
			return fmt.Errorf("task %s: %w", t.code, err)
		}
		t.id = task.ID
		s.tasks[task.ID] = t
		for _, o := range t.plot.outcome {
			s.at(o.on, 11, func() error { return s.conclude(t, o) })
		}
		if p.responsible {
			if err := s.answerFor(t, users); err != nil {
				return err
			}
		}
	}
	if plan, err = s.svc.Plan(ctx, plan.ID); err != nil {
		return err
	}
	note := plans.RevisionNote{Reason: "书记市长联席会议审议通过（示例）", ApprovedBy: "六城市书记市长联席会议"}
	if _, err := s.svc.SetPlanStatus(ctx, plan.ID, plans.InForce, note, plan.Version); err != nil {
		return fmt.Errorf("plan %s in force: %w", p.code, err)
	}
	return s.discover()
}

func (s *story) closePlan(code string) error {
	p, err := s.svc.PlanByCode(s.coord(), code)
	if err != nil {
		return err
	}
	_, err = s.svc.SetPlanStatus(s.coord(), p.ID, plans.Done, plans.RevisionNote{}, p.Version)
	return err
}

// taskInput is the task as the office enters it, with a milestone a third
// and two thirds of the way when it runs more than two months.
func (t *taskSpec) taskInput(goal int64, units map[string]int64) plans.TaskInput {
	in := plans.TaskInput{GoalID: goal, Code: t.code, Title: t.title, LeadUnitID: units[t.lead], StartsOn: t.starts, DueOn: t.due,
		Description:  fmt.Sprintf("%s。牵头单位会同配合单位倒排工期、挂图作战，按期报送进展。（示例数据）", t.title),
		Deliverables: t.deliverables, Target: t.target, Indicator: t.indicator, IndicatorUnit: t.indicatorUnit, Cycle: t.cycle, ReportDates: t.reportDates}
	if t.value != 0 {
		in.TargetValue = &t.value
	}
	for _, u := range t.co {
		in.CoUnitIDs = append(in.CoUnitIDs, units[u])
	}
	if span := t.starts.DaysUntil(t.due); span > 60 {
		in.Milestones = []plans.MilestoneInput{
			{Title: t.topic + "：工作方案印发", DueOn: t.starts.AddDays(span / 3)},
			{Title: t.topic + "：中期评估", DueOn: t.starts.AddDays(2 * span / 3)},
		}
	}
	return in
}

// answerFor makes the Dalian and Yingkou reporters responsible for their
// units' shares of t.
func (s *story) answerFor(t *taskSpec, users map[string]accounts.User) error {
	as, err := s.svc.Assignments(s.coord(), t.id)
	if err != nil {
		return err
	}
	for _, a := range as {
		u, ok := users[reporters[s.code[a.UnitID]]]
		if !ok || (s.code[a.UnitID] != "dalian" && s.code[a.UnitID] != "yingkou") {
			continue
		}
		in := plans.AssignmentInput{ResponsibleUserID: &u.ID, ResponsibleName: u.Name}
		if _, err := s.svc.UpdateAssignment(s.coord(), a.ID, in, a.Version); err != nil {
			return err
		}
	}
	return nil
}

// conclude plays outcome o of task t.
func (s *story) conclude(t *taskSpec, o outcome) error {
	ctx := s.coord()
	cur, err := s.svc.Task(ctx, t.id)
	if err != nil {
		return err
	}
	switch o.kind {
	case "file":
		summary := fmt.Sprintf("%s已完成，%s。", t.topic, t.deliverables)
		_, _, err = s.svc.FileCompletion(s.reporter(t.lead), t.id, summary, cur.Version)
	case "close":
		_, err = s.svc.CloseTask(ctx, t.id, cur.Version)
	case "reopen":
		_, err = s.svc.ReopenTask(ctx, t.id, o.reason, cur.Version)
	case "cancel":
		_, err = s.svc.CancelTask(ctx, t.id, o.reason, cur.Version)
	case "chase":
		var as []plans.Assignment
		if as, err = s.svc.Assignments(ctx, t.id); err != nil {
			return err
		}
		for _, a := range as {
			if s.code[a.UnitID] == o.unit {
				_, err = s.svc.ChaseAssignment(ctx, a.ID, o.reason)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("task %s %s: %w", t.code, o.kind, err)
	}
	return nil
}
