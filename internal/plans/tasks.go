package plans

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"concord/internal/access"
	"concord/internal/audit"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/errs"
)

// Status is where a task is in the supervision cycle.
type Status string

const (
	TaskActive    Status = "active"
	TaskFiled     Status = "completion_filed" // the lead unit filed its completion report
	TaskClosed    Status = "closed"           // the office verified and closed it (销号)
	TaskCancelled Status = "cancelled"
	TaskMerged    Status = "merged"
)

// Statuses lists the task statuses in the order of the cycle.
var Statuses = []Status{TaskActive, TaskFiled, TaskClosed, TaskCancelled, TaskMerged}

// Cycle is how often a task's units report.
type Cycle string

const (
	Monthly   Cycle = "monthly"
	Quarterly Cycle = "quarterly"
	Custom    Cycle = "custom" // on the task's own report dates
)

// Task is one piece of work in a plan.
type Task struct {
	ID            int64        `json:"id"`
	PlanID        int64        `json:"plan_id"`
	GoalID        int64        `json:"goal_id"`
	Code          string       `json:"code"`
	Title         string       `json:"title"`
	Description   string       `json:"description"`
	AreaID        int64        `json:"area_id"`
	LeadUnitID    int64        `json:"lead_unit_id"`
	StartsOn      clock.Date   `json:"starts_on"`
	DueOn         clock.Date   `json:"due_on"`
	Deliverables  string       `json:"deliverables"`
	Target        string       `json:"target"`
	Indicator     string       `json:"indicator"`
	IndicatorUnit string       `json:"indicator_unit"`
	TargetValue   *float64     `json:"target_value"`
	Weight        float64      `json:"weight"`
	Cycle         Cycle        `json:"cycle"`
	ReportDates   []clock.Date `json:"report_dates"`
	Status        Status       `json:"status"`
	StatusReason  string       `json:"status_reason"`
	MergedIntoID  *int64       `json:"merged_into_id"`
	CompletedOn   clock.Date   `json:"completed_on"`
	ClosedAt      *time.Time   `json:"closed_at"`
	Progress      float64      `json:"progress"`
	Light         Light        `json:"light"`
	Version       int          `json:"version"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// TaskInput is what a caller sets on a task. Revision is required when the
// plan is in force: it says why the plan changed and who approved it.
type TaskInput struct {
	GoalID        int64            `json:"goal_id"`
	Code          string           `json:"code"`
	Title         string           `json:"title"`
	Description   string           `json:"description"`
	AreaID        int64            `json:"area_id"` // 0: the goal's area
	LeadUnitID    int64            `json:"lead_unit_id"`
	CoUnitIDs     []int64          `json:"co_unit_ids"`
	StartsOn      clock.Date       `json:"starts_on"`
	DueOn         clock.Date       `json:"due_on"`
	Deliverables  string           `json:"deliverables"`
	Target        string           `json:"target"`
	Indicator     string           `json:"indicator"`
	IndicatorUnit string           `json:"indicator_unit"`
	TargetValue   *float64         `json:"target_value"`
	Weight        float64          `json:"weight"` // 0: 1
	Cycle         Cycle            `json:"cycle"`  // "": monthly
	ReportDates   []clock.Date     `json:"report_dates"`
	Milestones    []MilestoneInput `json:"milestones"`
	Revision      RevisionNote     `json:"revision"`
	// Origin says what the task was made from when another capability made
	// it (e.g. "decision:12"); it is kept on the audit record.
	Origin string `json:"-"`
}

// Milestone is a checkpoint (节点) on the way to a task's deadline.
type Milestone struct {
	ID       int64      `json:"id"`
	TaskID   int64      `json:"task_id"`
	Title    string     `json:"title"`
	DueOn    clock.Date `json:"due_on"`
	DoneOn   clock.Date `json:"done_on"`
	Position int        `json:"position"`
}

// MilestoneInput is a milestone as a caller gives it.
type MilestoneInput struct {
	Title  string     `json:"title"`
	DueOn  clock.Date `json:"due_on"`
	DoneOn clock.Date `json:"done_on"`
}

const taskColumns = `t.id, t.plan_id, t.goal_id, t.code, t.title, t.description, t.area_id, t.lead_unit_id, t.starts_on, t.due_on,
	t.deliverables, t.target, t.indicator, t.indicator_unit, t.target_value, t.weight, t.cycle, t.report_dates, t.status, t.status_reason,
	t.merged_into_id, t.completed_on, t.closed_at, t.progress, t.light, t.version, t.created_at, t.updated_at`

func scanTask(row db.Scanner) (Task, error) {
	var t Task
	var dates string
	var closed sql.NullTime
	err := row.Scan(&t.ID, &t.PlanID, &t.GoalID, &t.Code, &t.Title, &t.Description, &t.AreaID, &t.LeadUnitID, &t.StartsOn, &t.DueOn,
		&t.Deliverables, &t.Target, &t.Indicator, &t.IndicatorUnit, &t.TargetValue, &t.Weight, &t.Cycle, &dates, &t.Status, &t.StatusReason,
		&t.MergedIntoID, &t.CompletedOn, &closed, &t.Progress, &t.Light, &t.Version, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	if closed.Valid {
		c := closed.Time.UTC()
		t.ClosedAt = &c
	}
	t.ReportDates, err = parseDates(dates)
	return t, err
}

func parseDates(s string) ([]clock.Date, error) {
	var out []clock.Date
	for f := range strings.FieldsSeq(strings.ReplaceAll(s, ",", " ")) {
		d, err := clock.ParseDate(f)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func joinDates(ds []clock.Date) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ",")
}

func getTask(ctx context.Context, q db.Querier, id int64) (Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE t.id = $1`, id))
	return t, errs.NotFoundIf(err, "task")
}

// Task returns one task.
func (s *Service) Task(ctx context.Context, id int64) (Task, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Task{}, err
	}
	return getTask(ctx, s.DB.R, id)
}

// TaskByCode finds a task by its plan and code.
func (s *Service) TaskByCode(ctx context.Context, planID int64, code string) (Task, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return Task{}, err
	}
	t, err := scanTask(s.DB.R.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE t.plan_id = $1 AND t.code = $2`, planID, code))
	return t, errs.NotFoundIf(err, "task")
}

// Milestones lists a task's milestones in order.
func (s *Service) Milestones(ctx context.Context, taskID int64) ([]Milestone, error) {
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return nil, err
	}
	return milestones(ctx, s.DB.R, taskID)
}

func milestones(ctx context.Context, q db.Querier, taskID int64) ([]Milestone, error) {
	return db.All(ctx, q, scanMilestone, `SELECT id, task_id, title, due_on, done_on, position FROM milestones WHERE task_id = $1 ORDER BY position`, taskID)
}

func scanMilestone(row db.Scanner) (Milestone, error) {
	var m Milestone
	return m, row.Scan(&m.ID, &m.TaskID, &m.Title, &m.DueOn, &m.DoneOn, &m.Position)
}

// checkPeriod requires both dates and start ≤ end.
func checkPeriod(v *errs.Validation, startField, endField string, start, end clock.Date) {
	if start.IsZero() {
		v.Add(startField, "error.required")
	}
	if end.IsZero() {
		v.Add(endField, "error.required")
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		v.Add(endField, "error.date_order")
	}
}

// normalize fills defaults so that validation and storage see one form.
func (in *TaskInput) normalize() {
	if in.Weight == 0 {
		in.Weight = 1
	}
	if in.Cycle == "" {
		in.Cycle = Monthly
	}
	in.Code = strings.TrimSpace(in.Code)
	in.Title = strings.TrimSpace(in.Title)
	slices.SortFunc(in.ReportDates, func(a, b clock.Date) int { return a.Time().Compare(b.Time()) })
	in.ReportDates = slices.Compact(in.ReportDates)
}

func (in *TaskInput) validate(ctx context.Context, r refs, p Plan) error {
	var v errs.Validation
	checkCode(&v, "code", in.Code)
	v.Text("title", in.Title, true, 300)
	v.Text("description", in.Description, false, 8000)
	v.Text("deliverables", in.Deliverables, false, 4000)
	v.Text("target", in.Target, false, 2000)
	v.Text("indicator", in.Indicator, false, 200)
	v.Text("indicator_unit", in.IndicatorUnit, false, 40)
	if in.TargetValue != nil && in.Indicator == "" {
		v.Add("indicator", "error.required")
	}
	if in.Weight <= 0 || in.Weight > 100 {
		v.Add("weight", "error.range", 0, 100)
	}
	var g Goal
	if in.GoalID == 0 {
		v.Add("goal_id", "error.required")
	} else {
		var err error
		g, err = r.goal(ctx, in.GoalID)
		if errs.Is(err, errs.NotFound) || err == nil && g.PlanID != p.ID {
			v.Add("goal_id", "error.plan.goal_unknown")
		} else if err != nil {
			return err
		}
	}
	if in.AreaID == 0 {
		in.AreaID = g.AreaID
	}
	if in.AreaID != 0 {
		if err := checkArea(ctx, r, &v, "area_id", in.AreaID); err != nil {
			return err
		}
	}
	if in.LeadUnitID == 0 {
		v.Add("lead_unit_id", "error.required")
	} else if err := checkUnit(ctx, r, &v, "lead_unit_id", in.LeadUnitID); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, u := range in.CoUnitIDs {
		switch {
		case u == in.LeadUnitID:
			v.Add("co_unit_ids", "error.plan.co_is_lead")
		case seen[u]:
			v.Add("co_unit_ids", "error.plan.co_twice")
		default:
			if err := checkUnit(ctx, r, &v, "co_unit_ids", u); err != nil {
				return err
			}
		}
		seen[u] = true
	}
	checkPeriod(&v, "starts_on", "due_on", in.StartsOn, in.DueOn)
	if !in.StartsOn.IsZero() && in.StartsOn.Before(p.StartsOn) {
		v.Add("starts_on", "error.plan.outside_plan", p.StartsOn.String(), p.EndsOn.String())
	}
	if !in.DueOn.IsZero() && in.DueOn.After(p.EndsOn) {
		v.Add("due_on", "error.plan.outside_plan", p.StartsOn.String(), p.EndsOn.String())
	}
	switch in.Cycle {
	case Monthly, Quarterly:
	case Custom:
		if len(in.ReportDates) == 0 {
			v.Add("report_dates", "error.required")
		}
		for _, d := range in.ReportDates {
			if d.Before(in.StartsOn) || d.After(in.DueOn) {
				v.Add("report_dates", "error.plan.outside_task", d.String())
			}
		}
	default:
		v.Add("cycle", "error.choice")
	}
	for i, m := range in.Milestones {
		f := "milestones." + itoa(i)
		v.Text(f+".title", m.Title, true, 300)
		if m.DueOn.IsZero() {
			v.Add(f+".due_on", "error.required")
		} else if m.DueOn.Before(in.StartsOn) || m.DueOn.After(in.DueOn) {
			v.Add(f+".due_on", "error.plan.outside_task", m.DueOn.String())
		}
	}
	if p.Status == InForce {
		in.Revision.validate(&v)
	}
	return v.Err()
}

func checkUnit(ctx context.Context, r refs, v *errs.Validation, field string, id int64) error {
	exists, active, err := r.unit(ctx, id)
	switch {
	case err != nil:
		return err
	case !exists:
		v.Add(field, "error.unit.unknown")
	case !active:
		v.Add(field, "error.unit.retired")
	}
	return nil
}

// CreateTask adds a task to plan planID with its assignments, milestones and
// reporting periods.
func (s *Service) CreateTask(ctx context.Context, planID int64, in TaskInput) (Task, error) {
	return s.CreateTaskThen(ctx, planID, in, nil)
}

// CreateTaskThen is CreateTask that runs then, if not nil, in the same
// transaction once the task is written, so that another capability can record
// what the task came from (a meeting decision) all or nothing.
func (s *Service) CreateTaskThen(ctx context.Context, planID int64, in TaskInput, then func(*sql.Tx, Task) error) (Task, error) {
	return s.saveTask(ctx, func(*sql.Tx) (int64, error) { return planID, nil }, 0, in, 0, then)
}

// UpdateTask replaces a task's fields if version is current. Units dropped
// from the task keep their reports on the record but stop being asked.
func (s *Service) UpdateTask(ctx context.Context, id int64, in TaskInput, version int) (Task, error) {
	return s.saveTask(ctx, func(tx *sql.Tx) (int64, error) {
		cur, err := getTask(ctx, tx, id)
		return cur.PlanID, err
	}, id, in, version, nil)
}

// saveTask writes one task in a transaction of its own, its plan (found by
// planOf) locked, and records the plan's revision if it is in force.
func (s *Service) saveTask(ctx context.Context, planOf func(*sql.Tx) (int64, error), id int64, in TaskInput, version int, then func(*sql.Tx, Task) error) (Task, error) {
	if err := access.FromContext(ctx).Check(access.EditPlans, 0); err != nil {
		return Task{}, err
	}
	var t Task
	err := s.tx(ctx, func(tx *sql.Tx) error {
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		planID, err := planOf(tx)
		if err != nil {
			return err
		}
		p, err := s.lockPlan(ctx, tx, planID)
		if err != nil {
			return err
		}
		changes, err := s.taskChanges(ctx, tx, p.ID, id, func() (int64, error) {
			t, err = s.writeTask(ctx, tx, p, id, in, version, set)
			return t.ID, err
		})
		if err != nil {
			return err
		}
		if err := s.revise(ctx, tx, p.ID, in.Revision, changes); err != nil || then == nil {
			return err
		}
		return then(tx, t)
	})
	return t, err
}

// writeTask inserts (id 0) or updates a task inside tx, the plan locked.
func (s *Service) writeTask(ctx context.Context, tx *sql.Tx, p Plan, id int64, in TaskInput, version int, set Settings) (Task, error) {
	if p.Status == Done {
		return Task{}, errs.New(errs.Conflict, "error.plan.closed")
	}
	in.normalize()
	if err := in.validate(ctx, storeRefs{tx}, p); err != nil {
		return Task{}, err
	}
	now := s.now()
	args := []any{in.GoalID, in.Code, in.Title, in.Description, in.AreaID, in.LeadUnitID, in.StartsOn, in.DueOn, in.Deliverables, in.Target,
		in.Indicator, in.IndicatorUnit, in.TargetValue, in.Weight, in.Cycle, joinDates(in.ReportDates), now}
	var before *Task
	if id == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO tasks (goal_id, code, title, description, area_id, lead_unit_id, starts_on, due_on, deliverables, target,
			indicator, indicator_unit, target_value, weight, cycle, report_dates, created_at, updated_at, plan_id, status)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17,$18,'active') RETURNING id`, append(args, p.ID)...).Scan(&id)
		if err != nil {
			return Task{}, errs.Unique(err, "code")
		}
	} else {
		old, err := getTask(ctx, tx, id)
		if err != nil {
			return Task{}, err
		}
		if old.Status != TaskActive {
			return Task{}, errs.New(errs.Conflict, "error.task.not_active", string(old.Status))
		}
		before = &old
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET goal_id=$1, code=$2, title=$3, description=$4, area_id=$5, lead_unit_id=$6, starts_on=$7, due_on=$8,
			deliverables=$9, target=$10, indicator=$11, indicator_unit=$12, target_value=$13, weight=$14, cycle=$15, report_dates=$16, updated_at=$17,
			version=version+1 WHERE id=$18 AND version=$19`, append(args, id, version)...)
		if err != nil {
			return Task{}, errs.Unique(err, "code")
		}
		if err := staleIfNone(res, func() (any, error) { return getTask(ctx, tx, id) }); err != nil {
			return Task{}, err
		}
	}
	t, err := getTask(ctx, tx, id)
	if err != nil {
		return Task{}, err
	}
	if err := s.syncAssignments(ctx, tx, t, before, in.CoUnitIDs, set); err != nil {
		return Task{}, err
	}
	if err := syncMilestones(ctx, tx, id, in.Milestones, now); err != nil {
		return Task{}, err
	}
	if err := indexText(ctx, tx, "task", id, id, t.Title, t.Description, t.Deliverables, t.Target); err != nil {
		return Task{}, err
	}
	if err := s.refresh(ctx, tx, id, set); err != nil {
		return Task{}, err
	}
	if t, err = getTask(ctx, tx, id); err != nil {
		return Task{}, err
	}
	kind, action := "created", "task.create"
	var b any
	if before != nil {
		kind, action, b = "updated", "task.update", *before
	}
	if err := s.event(ctx, tx, id, kind, 0, 0, in.Revision.Reason); err != nil {
		return Task{}, err
	}
	return t, audit.Record(ctx, tx, audit.Change{Action: action, ObjectType: "task", ObjectID: id, Before: b, After: taskRecord{t, in.CoUnitIDs, in.Milestones, in.Origin}})
}

// taskRecord is a task as the audit trail keeps it: with its units and
// milestones, which live in rows of their own.
type taskRecord struct {
	Task
	CoUnitIDs  []int64          `json:"co_unit_ids"`
	Milestones []MilestoneInput `json:"milestones"`
	Origin     string           `json:"origin,omitempty"`
}

// syncMilestones makes a task's milestones the given list, in order.
func syncMilestones(ctx context.Context, tx *sql.Tx, taskID int64, ms []MilestoneInput, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM milestones WHERE task_id = $1`, taskID); err != nil {
		return err
	}
	for i, m := range ms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO milestones (task_id, title, due_on, done_on, position, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6)`,
			taskID, m.Title, m.DueOn, m.DoneOn, i, now); err != nil {
			return err
		}
	}
	return nil
}

// event adds a line to a task's timeline.
func (s *Service) event(ctx context.Context, tx *sql.Tx, taskID int64, kind string, unitID, refID int64, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO task_events (task_id, at, actor, kind, unit_id, ref_id, note) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		taskID, s.now(), access.FromContext(ctx).LoginOrSystem(), kind, nullID(unitID), nullID(refID), note)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PlanOutline is what a plan's page draws beside its tasks: each task's
// co-operating units and milestones, read for the whole plan at once rather
// than task by task.
type PlanOutline struct {
	CoUnits    map[int64][]int64     // by task: the active co-operating units
	Milestones map[int64][]Milestone // by task, in order
}

// Outline gathers plan planID's outline.
func (s *Service) Outline(ctx context.Context, planID int64) (PlanOutline, error) {
	o := PlanOutline{CoUnits: map[int64][]int64{}, Milestones: map[int64][]Milestone{}}
	if err := access.FromContext(ctx).Check(access.ViewPlans, 0); err != nil {
		return o, err
	}
	err := eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		var task, unit int64
		err := row.Scan(&task, &unit)
		o.CoUnits[task] = append(o.CoUnits[task], unit)
		return err
	}, `SELECT a.task_id, a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id
		WHERE t.plan_id = $1 AND a.active AND a.role = 'co' ORDER BY a.task_id, a.id`, planID)
	if err != nil {
		return o, err
	}
	err = eachRow(ctx, s.DB.R, func(row db.Scanner) error {
		m, err := scanMilestone(row)
		o.Milestones[m.TaskID] = append(o.Milestones[m.TaskID], m)
		return err
	}, `SELECT m.id, m.task_id, m.title, m.due_on, m.done_on, m.position FROM milestones m JOIN tasks t ON t.id = m.task_id
		WHERE t.plan_id = $1 ORDER BY m.task_id, m.position`, planID)
	return o, err
}
