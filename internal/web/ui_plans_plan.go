package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"concord/internal/clock"
	"concord/internal/i18n"
	"concord/internal/plans"
)

type plansData struct {
	Plans []plans.Plan
	Form  planForm
}

// planForm is the add or edit form of a plan, drawn by "plan-form".
type planForm struct {
	P               pageData
	ID, Action, Key string // Key: the submit button's label
	Version         int
	Values          url.Values
	Parents         []option // the action plans that annual work points belong to
}

// planParents are the action plans to choose a parent from, other than self.
func (s *Server) planParents(ctx context.Context, self int64) ([]option, error) {
	all, err := s.Plans.Plans(ctx)
	var out []option
	for _, pl := range all {
		if pl.Kind == plans.ActionPlan && pl.ID != self {
			out = append(out, option{itoa(pl.ID), pl.Code + " " + pl.Name})
		}
	}
	return out, err
}

func (s *Server) plansPage(r *http.Request, f form) (string, pageData, error) {
	d := &plansData{}
	p := s.newPage(r, "plans.ui.page.plans", d)
	p.Form = f
	var err error
	if d.Plans, err = s.Plans.Plans(r.Context()); err != nil {
		return "", p, err
	}
	d.Form = planForm{P: p, ID: "plan", Action: "/plans", Key: "action.create", Values: url.Values{"kind": {string(plans.ActionPlan)}}}
	d.Form.Parents, err = s.planParents(r.Context(), 0)
	return "plans", p, err
}

func planInput(f *formIn) plans.PlanInput {
	in := plans.PlanInput{Code: f.text("code"), Kind: plans.PlanKind(f.text("kind")), Name: f.text("name"), Description: f.text("description"),
		StartsOn: f.date("starts_on"), EndsOn: f.date("ends_on"), Sample: f.bool("sample")}
	if id := f.id("parent_id"); id != 0 {
		in.ParentID = &id
	}
	return in
}

func (s *Server) submitCreatePlan(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := planInput(f)
	err := f.err()
	var pl plans.Plan
	if err == nil {
		pl, err = s.Plans.CreatePlan(r.Context(), in)
	}
	s.finish(w, r, err, "plan", s.plansPage, "/plans/"+itoa(pl.ID))
}

// taskNode is a task in a plan's tree, with its co-operating units.
type taskNode struct {
	plans.Task
	CoUnits []int64
}

type goalNode struct {
	plans.Goal
	Tasks []taskNode
}

type planData struct {
	*directory
	Plan      plans.Plan
	Goals     []goalNode
	Revisions []plans.Revision
	Gantt     chart
	TaskForm  taskForm
	PlanForm  planForm
}

func (s *Server) planPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &planData{}
	p := s.newPage(r, "plans.ui.page.plan", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	if d.Plan, err = s.Plans.Plan(ctx, id); err != nil {
		return "", p, err
	}
	p.Title = d.Plan.Code + " " + d.Plan.Name
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	goals, err := s.Plans.Goals(ctx, id)
	if err != nil {
		return "", p, err
	}
	tasks, _, err := s.Plans.ListTasks(ctx, plans.TaskFilter{PlanID: id, Limit: 1000})
	if err != nil {
		return "", p, err
	}
	d.Gantt = newChart(p, "gantt-chart", "plans.ui.plan.timeline", "gantt",
		p.T("plans.ui.col.task"), p.T("plans.ui.field.starts_on"), p.T("plans.ui.field.due_on"), p.T("plans.ui.col.light"), p.T("plans.ui.col.milestones"))
	rows, marks := []map[string]any{}, []map[string]any{}
	byGoal := map[int64][]taskNode{}
	outline, err := s.Plans.Outline(ctx, id)
	if err != nil {
		return "", p, err
	}
	for _, t := range tasks {
		ms := outline.Milestones[t.ID]
		byGoal[t.GoalID] = append(byGoal[t.GoalID], taskNode{t, outline.CoUnits[t.ID]})
		label := t.Code + " " + t.Title
		var mnames []string
		for _, m := range ms {
			marks = append(marks, map[string]any{"row": len(rows), "at": m.DueOn.String(), "label": m.Title})
			mnames = append(mnames, m.DueOn.String()+" "+m.Title)
		}
		rows = append(rows, map[string]any{"label": label, "start": t.StartsOn.String(), "end": t.DueOn.String(), "key": "light-" + string(t.Light), "light": p.Label("light", t.Light)})
		d.Gantt.Rows = append(d.Gantt.Rows, chartRow{label, []any{t.StartsOn, t.DueOn, p.Label("light", t.Light), strings.Join(mnames, "；")}})
	}
	d.Gantt.Spec["rows"], d.Gantt.Spec["marks"], d.Gantt.Spec["today"] = rows, marks, clock.Today(s.Plans.Clock).String()
	var goalChoices []option
	for _, g := range goals {
		d.Goals = append(d.Goals, goalNode{g, byGoal[g.ID]})
		goalChoices = append(goalChoices, option{itoa(g.ID), g.Code + " " + g.Title})
	}
	if d.Revisions, err = s.Plans.Revisions(ctx, id); err != nil {
		return "", p, err
	}
	d.TaskForm = taskForm{P: p, ID: "task", Action: "/plans/" + itoa(id) + "/tasks", Goals: goalChoices, Dir: d.directory,
		Values: url.Values{"cycle": {string(plans.Monthly)}, "weight": {"1"}}, Revision: d.Plan.Status == plans.InForce}
	pl := d.Plan
	d.PlanForm = planForm{P: p, ID: "plan-edit", Action: "/plans/" + itoa(id), Key: "action.save", Version: pl.Version, Values: url.Values{
		"code": {pl.Code}, "name": {pl.Name}, "kind": {string(pl.Kind)}, "starts_on": {pl.StartsOn.String()}, "ends_on": {pl.EndsOn.String()},
		"description": {pl.Description}}}
	if pl.ParentID != nil {
		d.PlanForm.Values.Set("parent_id", itoa(*pl.ParentID))
	}
	if pl.Sample {
		d.PlanForm.Values.Set("sample", "on")
	}
	d.PlanForm.Parents, err = s.planParents(ctx, id)
	return "plan", p, err
}

// coUnits are the active co-operating units of a task's assignments.
func coUnits(as []plans.Assignment) []int64 {
	var out []int64
	for _, a := range as {
		if a.Active && a.Role == plans.Co {
			out = append(out, a.UnitID)
		}
	}
	return out
}

// ChangeValues writes a revision's change from → to in words: units by
// name, statuses in the page's language.
func (d *directory) ChangeValues(c plans.Change) [2]string {
	word := func(v string) string {
		switch c.Field {
		case "status":
			return i18n.T(d.lang, "task.status."+v)
		case "", "lead_unit", "co_units":
			var out []string
			for _, code := range strings.Split(v, ",") {
				if u, ok := d.all.UnitByCode(code); ok {
					code = u.Name.In(d.lang)
				}
				out = append(out, code)
			}
			return strings.Join(out, "、")
		}
		return v
	}
	return [2]string{word(c.From), word(c.To)}
}

func (s *Server) submitPlanStatus(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	note := plans.RevisionNote{Reason: f.text("reason"), ApprovedBy: f.text("approved_by")}
	_, err := s.Plans.SetPlanStatus(r.Context(), id, plans.PlanStatus(f.text("status")), note, f.version())
	s.finish(w, r, err, "status", s.planPage, "/plans/"+itoa(id))
}

func (s *Server) submitEditPlan(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	in := planInput(f)
	err := f.err()
	if err == nil {
		_, err = s.Plans.UpdatePlan(r.Context(), id, in, f.version())
	}
	s.finish(w, r, err, "plan-edit", s.planPage, "/plans/"+itoa(id))
}

func goalInput(f *formIn) plans.GoalInput {
	return plans.GoalInput{Code: f.text("code"), Title: f.text("title"), AreaID: f.id("area_id"), Position: f.int("position")}
}

func (s *Server) submitCreateGoal(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	in := goalInput(f)
	err := f.err()
	if err == nil {
		_, err = s.Plans.SaveGoal(r.Context(), id, 0, in, 0)
	}
	s.finish(w, r, err, "goal", s.planPage, "/plans/"+itoa(id))
}

// submitEditGoal changes goal {id}; its form sits on the plan's page under
// the goal, with the form id goal-{id}.
func (s *Server) submitEditGoal(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	g, err := s.Plans.Goal(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := goalInput(f)
	if err = f.err(); err == nil {
		_, err = s.Plans.SaveGoal(r.Context(), g.PlanID, id, in, f.version())
	}
	// The plan's page shows the form again, so it is asked for by the plan's id.
	r.SetPathValue("id", itoa(g.PlanID))
	s.finish(w, r, err, "goal-"+itoa(id), s.planPage, "/plans/"+itoa(g.PlanID)+"#goal-"+itoa(id))
}

func (s *Server) submitCreateTask(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, _ := pathID(r, "id")
	in := taskInput(f)
	err := f.err()
	var t plans.Task
	if err == nil {
		t, err = s.Plans.CreateTask(r.Context(), id, in)
	}
	s.finish(w, r, err, "task", s.planPage, "/tasks/"+itoa(t.ID))
}

// taskForm is the add or edit form of a task, drawn by the "task-form"
// template.
type taskForm struct {
	P          pageData
	ID, Action string
	Values     url.Values // the values shown before the user changes them
	Goals      []option
	Dir        *directory
	Revision   bool // the plan is in force: ask why it changes and who approved
	Version    int
}

// taskInput reads the task form. Milestones are one a line: due date, title
// and, once reached, the date done, separated by "|".
func taskInput(f *formIn) plans.TaskInput {
	in := plans.TaskInput{GoalID: f.id("goal_id"), Code: f.text("code"), Title: f.text("title"), Description: f.text("description"),
		AreaID: f.id("area_id"), LeadUnitID: f.id("lead_unit_id"), CoUnitIDs: f.ids("co_unit_ids"), StartsOn: f.date("starts_on"),
		DueOn: f.date("due_on"), Deliverables: f.text("deliverables"), Target: f.text("target"), Indicator: f.text("indicator"),
		IndicatorUnit: f.text("indicator_unit"), TargetValue: f.number("target_value"), Weight: f.float("weight"),
		Cycle: plans.Cycle(f.text("cycle")), ReportDates: f.dates("report_dates"),
		Revision: plans.RevisionNote{Reason: f.text("revision.reason"), ApprovedBy: f.text("revision.approved_by")}}
	for _, line := range strings.Split(f.text("milestones"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		var m plans.MilestoneInput
		due, errDue := clock.ParseDate(strings.TrimSpace(parts[0]))
		m.DueOn = due
		if len(parts) > 1 {
			m.Title = strings.TrimSpace(parts[1])
		}
		var errDone error
		if len(parts) > 2 && strings.TrimSpace(parts[2]) != "" {
			m.DoneOn, errDone = clock.ParseDate(strings.TrimSpace(parts[2]))
		}
		if errDue != nil || errDone != nil || len(parts) > 3 {
			f.v.Add("milestones", "plans.ui.error.milestone", strings.TrimSpace(line))
			continue
		}
		in.Milestones = append(in.Milestones, m)
	}
	return in
}

// taskValues are a task's fields as its form shows them.
func taskValues(t plans.Task, co []int64, ms []plans.Milestone) url.Values {
	v := url.Values{"goal_id": {itoa(t.GoalID)}, "code": {t.Code}, "title": {t.Title}, "description": {t.Description},
		"area_id": {itoa(t.AreaID)}, "lead_unit_id": {itoa(t.LeadUnitID)}, "starts_on": {t.StartsOn.String()}, "due_on": {t.DueOn.String()},
		"deliverables": {t.Deliverables}, "target": {t.Target}, "indicator": {t.Indicator}, "indicator_unit": {t.IndicatorUnit},
		"weight": {strconv.FormatFloat(t.Weight, 'f', -1, 64)}, "cycle": {string(t.Cycle)}}
	for _, u := range co {
		v.Add("co_unit_ids", itoa(u))
	}
	if t.TargetValue != nil {
		v.Set("target_value", strconv.FormatFloat(*t.TargetValue, 'f', -1, 64))
	}
	var dates, lines []string
	for _, d := range t.ReportDates {
		dates = append(dates, d.String())
	}
	for _, m := range ms {
		line := m.DueOn.String() + " | " + m.Title
		if !m.DoneOn.IsZero() {
			line += " | " + m.DoneOn.String()
		}
		lines = append(lines, line)
	}
	v.Set("report_dates", strings.Join(dates, ", "))
	v.Set("milestones", strings.Join(lines, "\n"))
	return v
}

// GoalValues are goal g's fields as its edit form shows them.
func (d *planData) GoalValues(g plans.Goal) url.Values {
	return url.Values{"code": {g.Code}, "title": {g.Title}, "area_id": {itoa(g.AreaID)}, "position": {strconv.Itoa(g.Position)}}
}
