package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/meetings"
	"concord/internal/plans"
)

type tasksData struct {
	listData
	Tasks []plans.Task
}

// TaskSorts are the orders a task list can take.
func (p pageData) TaskSorts() []option {
	var out []option
	for _, s := range []string{"code", "due", "progress", "-progress"} {
		out = append(out, option{s, p.T("plans.ui.sort." + strings.Replace(s, "-", "desc_", 1))})
	}
	return out
}

// TaskFilters is the task list's filter form.
func (p pageData) TaskFilters(d *tasksData) template.HTML {
	l := &d.listData
	return p.filterForm(l,
		p.filter(l, "q", "plans.ui.field.q").Of("search"),
		p.filter(l, "plan_id", "plans.ui.field.plan").Pick(d.Plans),
		p.filter(l, "area_id", "plans.ui.col.area").Pick(d.AreaChoices()),
		p.filter(l, "unit_id", "plans.ui.col.unit").Pick(d.UnitChoices()),
		p.filter(l, "light", "plans.ui.col.light").Pick(p.Enum("light")),
		p.filter(l, "status", "plans.ui.col.status").Pick(p.Enum("status")),
		p.filter(l, "due_from", "plans.ui.field.due_from").Of("date"),
		p.filter(l, "due_to", "plans.ui.field.due_to").Of("date"),
		p.filter(l, "sort", "plans.ui.field.sort").Pick(p.TaskSorts()))
}

func taskFilter(q *formIn) plans.TaskFilter {
	return plans.TaskFilter{PlanID: q.id("plan_id"), AreaID: q.id("area_id"), UnitID: q.id("unit_id"), Light: plans.Light(q.text("light")),
		Status: plans.Status(q.text("status")), Query: q.text("q"), DueFrom: q.date("due_from"), DueTo: q.date("due_to"), Sort: q.text("sort")}
}

func (s *Server) tasksPage(r *http.Request, f form) (string, pageData, error) {
	d := &tasksData{listData: listData{Page: "tasks"}}
	return s.listPage(r, f, &d.listData, d, func(q *formIn, pg page) (total int, err error) {
		filter := taskFilter(q)
		filter.Limit, filter.Offset = pg.PerPage, pg.offset()
		if err = q.err(); err == nil {
			d.Tasks, total, err = s.Plans.ListTasks(r.Context(), filter)
		}
		return total, err
	})
}

// exportTasks writes the filtered task list.
func (s *Server) exportTasks(w http.ResponseWriter, r *http.Request) {
	cols := []string{"plan", "code", "title", "area", "lead_unit", "starts_on", "due_on", "status", "light", "progress"}
	s.exportList(w, r, "tasks", cols, func(q *formIn, dir *directory) (rowStream, error) {
		ctx, filter := r.Context(), taskFilter(q)
		ps, err := s.Plans.Plans(ctx)
		planCode := map[int64]string{}
		for _, pl := range ps {
			planCode[pl.ID] = pl.Code
		}
		return func(emit func([]any) error) error {
			return s.Plans.EachTask(ctx, filter, func(t plans.Task) error {
				return emit([]any{planCode[t.PlanID], t.Code, t.Title, dir.Area(t.AreaID), dir.Unit(t.LeadUnitID), t.StartsOn.String(), t.DueOn.String(),
					i18n.T(dir.lang, "task.status."+string(t.Status)), i18n.T(dir.lang, "light."+string(t.Light)), t.Progress})
			})
		}, err
	})
}

// completionView is a completion report with its evidence files.
type completionView struct {
	plans.Completion
	Files []plans.Attachment
}

type taskData struct {
	*directory
	Task        plans.Task
	Plan        plans.Plan
	Goal        plans.Goal
	Why         string
	Assignments []plans.Assignment
	CoUnits     []int64
	Milestones  []plans.Milestone
	Reports     []plans.ReportRow
	Completions []completionView
	Timeline    []plans.Event
	MergeInto   []option
	Form        taskForm
	Today       clock.Date
	Decisions   []meetings.Decision // the meeting decisions the task carries out
}

func (s *Server) taskPage(r *http.Request, f form) (string, pageData, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return "", pageData{}, err
	}
	return s.taskPageOf(r, f, id)
}

func (s *Server) taskPageOf(r *http.Request, f form, id int64) (string, pageData, error) {
	ctx := r.Context()
	d := &taskData{Today: clock.Today(s.Plans.Clock)}
	p := s.newPage(r, "plans.ui.page.task", d)
	p.Form = f
	var err error
	if d.Task, err = s.Plans.Task(ctx, id); err != nil {
		return "", p, err
	}
	t := d.Task
	p.Title = t.Code + " " + t.Title
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	if d.Plan, err = s.Plans.Plan(ctx, t.PlanID); err != nil {
		return "", p, err
	}
	goals, err := s.Plans.Goals(ctx, t.PlanID)
	if err != nil {
		return "", p, err
	}
	var goalChoices []option
	for _, g := range goals {
		if g.ID == t.GoalID {
			d.Goal = g
		}
		goalChoices = append(goalChoices, option{itoa(g.ID), g.Code + " " + g.Title})
	}
	v, err := s.Plans.Verdict(ctx, t)
	if err != nil {
		return "", p, err
	}
	d.Why = why(p.Lang, v)
	if d.Assignments, err = s.Plans.Assignments(ctx, id); err != nil {
		return "", p, err
	}
	d.CoUnits = coUnits(d.Assignments)
	if d.Decisions, err = s.Meetings.DecisionsOfTask(ctx, id); err != nil {
		return "", p, err
	}
	if d.Milestones, err = s.Plans.Milestones(ctx, id); err != nil {
		return "", p, err
	}
	reports, err := s.Plans.TaskReports(ctx, id)
	if err != nil {
		return "", p, err
	}
	for _, rep := range reports {
		d.Reports = append(d.Reports, plans.ReportRow{Report: rep, TaskCode: t.Code, TaskTitle: t.Title})
	}
	cs, err := s.Plans.Completions(ctx, id)
	if err != nil {
		return "", p, err
	}
	for _, c := range cs {
		files, err := s.Plans.Attachments(ctx, "completion", c.ID)
		if err != nil {
			return "", p, err
		}
		d.Completions = append(d.Completions, completionView{c, files})
	}
	if d.Timeline, err = s.Plans.Timeline(ctx, id); err != nil {
		return "", p, err
	}
	if p.Can(string(access.CloseTask)) {
		if d.MergeInto, err = s.mergeTargets(ctx, t); err != nil {
			return "", p, err
		}
	}
	d.Form = taskForm{P: p, ID: "edit", Action: "/tasks/" + itoa(id), Goals: goalChoices, Dir: d.directory,
		Values: taskValues(t, d.CoUnits, d.Milestones), Revision: d.Plan.Status == plans.InForce, Version: t.Version}
	return "task", p, nil
}

// mergeTargets are the live tasks of t's plan that t could be merged into.
func (s *Server) mergeTargets(ctx context.Context, t plans.Task) ([]option, error) {
	ts, _, err := s.Plans.ListTasks(ctx, plans.TaskFilter{PlanID: t.PlanID, Limit: 1000})
	var out []option
	for _, o := range ts {
		if o.ID != t.ID && o.Status != plans.TaskMerged && o.Status != plans.TaskCancelled {
			out = append(out, option{itoa(o.ID), o.Code + " " + o.Title})
		}
	}
	return out, err
}

func (s *Server) editTask(ctx context.Context, id int64, f *formIn) error {
	in := taskInput(f)
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Plans.UpdateTask(ctx, id, in, f.version())
	return err
}

// fileCompletion files the lead unit's completion report with its evidence.
func (s *Server) fileCompletion(ctx context.Context, id int64, f *formIn) error {
	files, err := formFiles(f)
	if err != nil {
		return err
	}
	_, _, err = s.Plans.FileCompletion(ctx, id, f.text("summary"), f.version(), files...)
	return asFileField(err)
}

// byVersion adapts a service's move of an object filled against a version
// to a form action.
func byVersion[T any](move func(context.Context, int64, int) (T, error)) func(context.Context, int64, *formIn) error {
	return func(ctx context.Context, id int64, f *formIn) error {
		_, err := move(ctx, id, f.version())
		return err
	}
}

// byReason adapts a service's move that needs a reason to a form action.
func byReason[T any](move func(context.Context, int64, string, int) (T, error)) func(context.Context, int64, *formIn) error {
	return func(ctx context.Context, id int64, f *formIn) error {
		_, err := move(ctx, id, f.text("reason"), f.version())
		return err
	}
}

// addEvidence adds files to the completion report awaiting verification.
func (s *Server) addEvidence(ctx context.Context, id int64, f *formIn) error {
	cs, err := s.Plans.Completions(ctx, id)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return errs.New(errs.NotFound, "error.not_found", "completion")
	}
	return s.attach(ctx, f, "completion", cs[0].ID)
}

func (s *Server) mergeTask(ctx context.Context, id int64, f *formIn) error {
	into := f.id("into")
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Plans.MergeTask(ctx, id, into, f.text("reason"), f.version())
	return err
}

// assignmentAction handles a form about one unit's share of a task, shown
// on the task's page.
func (s *Server) assignmentAction(formPrefix string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := readForm(w, r)
		id, _ := pathID(r, "id")
		a, err := s.Plans.Assignment(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err = f.err(); err == nil {
			err = act(r.Context(), id, f)
		}
		page := func(r *http.Request, f form) (string, pageData, error) { return s.taskPageOf(r, f, a.TaskID) }
		s.finish(w, r, err, formPrefix+itoa(id), page, "/tasks/"+itoa(a.TaskID))
	}
}

func (s *Server) editAssignment(ctx context.Context, id int64, f *formIn) error {
	in := plans.AssignmentInput{ResponsibleName: f.text("responsible_name"), DueOn: f.date("due_on")}
	if u := f.id("responsible_user_id"); u != 0 {
		in.ResponsibleUserID = &u
	}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Plans.UpdateAssignment(ctx, id, in, f.version())
	return err
}

func (s *Server) chaseAssignment(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Plans.ChaseAssignment(ctx, id, f.text("note"))
	return err
}
