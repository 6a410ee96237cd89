package meetings

import (
	"context"
	"database/sql"
	"strconv"
	"unicode/utf8"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/plans"
)

// StandingPlanCode is the code of the alliance's standing plan for meeting
// decisions that belong to no other plan, created when first needed.
const StandingPlanCode = "MEETING-DECISIONS"

// The standing plan spans the years any meeting may set deadlines in, so a
// decision's task never falls outside it.
var standingStart, standingEnd = clock.DateOf(2000, 1, 1), clock.DateOf(2099, 12, 31)

// TaskSpec says how a decision becomes a task. Zero fields take the
// decision's values: its lead and co-operating units and deadline, the
// meeting's day as start, "D<decision>-<n>" as code, its text as title.
type TaskSpec struct {
	PlanID      int64      `json:"plan_id"` // 0: the standing meeting-decisions plan
	GoalID      int64      `json:"goal_id"` // required with plan_id
	Code        string     `json:"code"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	LeadUnitID  int64      `json:"lead_unit_id"`
	CoUnitIDs   []int64    `json:"co_unit_ids"`
	StartsOn    clock.Date `json:"starts_on"`
	DueOn       clock.Date `json:"due_on"`
}

// AssignTask turns a decision into a task through the plans service: the
// task, its assignments and the link to the decision are written in one
// transaction, with the plan's revision noting the meeting that decided and
// the task's audit record naming the decision as its origin.
func (s *Service) AssignTask(ctx context.Context, decisionID int64, spec TaskSpec) (plans.Task, error) {
	if err := access.FromContext(ctx).Check(access.ManageMeetings, 0); err != nil {
		return plans.Task{}, err
	}
	d, err := getDecision(ctx, s.DB.R, decisionID)
	if err != nil {
		return plans.Task{}, err
	}
	m, err := getMeeting(ctx, s.DB.R, d.MeetingID)
	if err != nil {
		return plans.Task{}, err
	}
	if m.Status == Planned {
		return plans.Task{}, errs.New(errs.Conflict, "error.decision.meeting_not_held", string(m.Status))
	}
	in := spec.taskInput(d, m)
	if spec.PlanID == 0 {
		if spec.PlanID, in.GoalID, err = s.standingGoal(ctx, d.AreaID); err != nil {
			return plans.Task{}, err
		}
	} else if spec.GoalID == 0 {
		var v errs.Validation
		v.Add("goal_id", "error.required")
		return plans.Task{}, v.Err()
	}
	return s.Plans.CreateTaskThen(ctx, spec.PlanID, in, func(tx *sql.Tx, t plans.Task) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO decision_tasks (decision_id, task_id) VALUES ($1,$2)`, decisionID, t.ID)
		return err
	})
}

func (spec TaskSpec) taskInput(d Decision, m Meeting) plans.TaskInput {
	in := plans.TaskInput{GoalID: spec.GoalID, Code: spec.Code, Title: spec.Title, Description: spec.Description, AreaID: d.AreaID,
		LeadUnitID: spec.LeadUnitID, CoUnitIDs: spec.CoUnitIDs, StartsOn: spec.StartsOn, DueOn: spec.DueOn,
		Origin:   "decision:" + strconv.FormatInt(d.ID, 10),
		Revision: plans.RevisionNote{Reason: "议定事项 #" + strconv.FormatInt(d.ID, 10) + "：" + clip(d.Text, 900), ApprovedBy: clip(m.Title, 200)}}
	if in.Code == "" {
		in.Code = "D" + strconv.FormatInt(d.ID, 10) + "-" + strconv.Itoa(len(d.TaskIDs)+1)
	}
	if in.Title == "" {
		in.Title = clip(d.Text, 300)
	}
	if in.Description == "" {
		in.Description = d.Text
	}
	if in.LeadUnitID == 0 {
		in.LeadUnitID = d.LeadUnitID
	}
	if in.CoUnitIDs == nil {
		in.CoUnitIDs = d.CoUnitIDs
	}
	if in.StartsOn.IsZero() {
		in.StartsOn = m.HeldOn
	}
	if in.DueOn.IsZero() {
		in.DueOn = d.DueOn
	}
	return in
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// standingGoal finds, or makes, the standing plan and its goal for an area.
// Two requests making it at once meet at the unique code; the loser reads
// what the winner made.
func (s *Service) standingGoal(ctx context.Context, areaID int64) (planID, goalID int64, err error) {
	p, err := s.Plans.PlanByCode(ctx, StandingPlanCode)
	if errs.Is(err, errs.NotFound) {
		p, err = s.Plans.CreatePlan(ctx, plans.PlanInput{Code: StandingPlanCode, Kind: plans.ActionPlan, Name: "联席会议议定事项",
			Description: "联席会议议定事项转化的任务", StartsOn: standingStart, EndsOn: standingEnd})
		if errs.Is(err, errs.Conflict) || errs.Is(err, errs.Invalid) {
			p, err = s.Plans.PlanByCode(ctx, StandingPlanCode)
		}
	}
	if err != nil {
		return 0, 0, err
	}
	if p.Status == plans.Draft {
		p, err = s.Plans.SetPlanStatus(ctx, p.ID, plans.InForce, plans.RevisionNote{Reason: "联席会议议定事项", ApprovedBy: "联席会议"}, p.Version)
		if errs.Is(err, errs.Conflict) {
			p, err = s.Plans.PlanByCode(ctx, StandingPlanCode)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	code := "AREA-" + strconv.FormatInt(areaID, 10)
	find := func() (int64, error) {
		goals, err := s.Plans.Goals(ctx, p.ID)
		for _, g := range goals {
			if g.Code == code {
				return g.ID, err
			}
		}
		return 0, err
	}
	if goalID, err = find(); goalID != 0 || err != nil {
		return p.ID, goalID, err
	}
	g, err := s.Plans.SaveGoal(ctx, p.ID, 0, plans.GoalInput{Code: code, Title: "议定事项", AreaID: areaID, Position: int(areaID)}, 0)
	if errs.Is(err, errs.Conflict) || errs.Is(err, errs.Invalid) {
		goalID, err = find()
		return p.ID, goalID, err
	}
	return p.ID, g.ID, err
}

// Trace is a decision's follow-up on the record: each task with its
// reports and completion reports.
type Trace struct {
	Decision Decision    `json:"decision"`
	Tasks    []TaskTrace `json:"tasks"`
}

// TaskTrace is one task of a decision and what its units reported.
type TaskTrace struct {
	Task        plans.Task         `json:"task"`
	Reports     []plans.ReportRow  `json:"reports"`
	Completions []plans.Completion `json:"completions"`
}

// Trace follows a decision to its tasks, their reports and their closure.
func (s *Service) Trace(ctx context.Context, decisionID int64) (Trace, error) {
	d, err := s.Decision(ctx, decisionID)
	if err != nil {
		return Trace{}, err
	}
	tr := Trace{Decision: d, Tasks: []TaskTrace{}}
	for _, id := range d.TaskIDs {
		var tt TaskTrace
		if tt.Task, err = s.Plans.Task(ctx, id); err != nil {
			return Trace{}, err
		}
		if tt.Reports, _, err = s.Plans.ListReports(ctx, plans.ReportFilter{TaskID: id, Limit: 1000}); err != nil {
			return Trace{}, err
		}
		if tt.Completions, err = s.Plans.Completions(ctx, id); err != nil {
			return Trace{}, err
		}
		tr.Tasks = append(tr.Tasks, tt)
	}
	return tr, nil
}

// DecisionsOfTask lists the decisions a task carries out, for the task's page.
func (s *Service) DecisionsOfTask(ctx context.Context, taskID int64) ([]Decision, error) {
	if err := access.FromContext(ctx).Check(access.ViewMeetings, 0); err != nil {
		return nil, err
	}
	list, err := ids(ctx, s.DB.R, `SELECT decision_id FROM decision_tasks WHERE task_id = $1 ORDER BY decision_id`, taskID)
	if err != nil {
		return nil, err
	}
	out := make([]Decision, 0, len(list))
	for _, id := range list {
		d, err := getDecision(ctx, s.DB.R, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
