package web

import (
	"context"
	"math"
	"net/http"
	"strings"

	"concord/internal/i18n"
	"concord/internal/plans"
)

func taskVersion(t plans.Task) int { return t.Version }

// taskStatusValues are the values of the status filter.
var taskStatusValues = []plans.Status{plans.TaskActive, plans.TaskFiled, plans.TaskClosed, plans.TaskCancelled, plans.TaskMerged}

// apiTaskFilter reads the task list's filters; p gives the page (none for an
// export, which takes every match).
func apiTaskFilter(r *http.Request, p page) (plans.TaskFilter, error) {
	q := filtersOf(r)
	f := plans.TaskFilter{PlanID: q.id("plan_id"), GoalID: q.id("goal_id"), AreaID: q.id("area_id"), UnitID: q.id("unit_id"),
		LeadUnitID: q.id("lead_unit_id"), Light: oneOf(q, "light", plans.Lights), Status: oneOf(q, "status", taskStatusValues),
		Query: q.Get("q"), DueFrom: q.date("due_from"), DueTo: q.date("due_to"), Sort: q.Get("sort"), Limit: p.PerPage, Offset: p.offset()}
	if !f.DueFrom.IsZero() && !f.DueTo.IsZero() && f.DueTo.Before(f.DueFrom) {
		q.v.Add("due_to", "error.date_order")
	}
	return f, q.v.Err()
}

func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request) {
	listOrExport(s, w, r, apiTaskFilter, s.Plans.ListTasks, s.apiExportTasks)
}

func (s *Server) apiExportTasks(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), langOf(r)
	f, err := apiTaskFilter(r, page{})
	var units, areas map[int64]string
	if err == nil {
		units, areas, err = s.unitAreaNames(ctx, lang)
	}
	var ps []plans.Plan
	if err == nil {
		ps, err = s.Plans.Plans(ctx)
	}
	// The tasks are read before the rows are written: each row asks for its
	// task's units, which must not wait on a connection the list holds.
	var ts []plans.Task
	if err == nil {
		err = s.Plans.EachTask(ctx, f, func(t plans.Task) error {
			ts = append(ts, t)
			return nil
		})
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	planCodes := map[int64]string{}
	for _, p := range ps {
		planCodes[p.ID] = p.Code
	}
	headers := exportHeaders(lang, "task", "id", "plan", "code", "title", "area", "lead_unit", "co_units", "starts_on", "due_on", "status", "light", "progress", "completed_on")
	s.writeTable(w, r, table{name: "tasks", headers: headers, rows: func(emit func([]any) error) error {
		for _, t := range ts {
			as, err := s.Plans.Assignments(ctx, t.ID)
			if err != nil {
				return err
			}
			var coNames []string
			for _, u := range coUnitIDs(as) {
				coNames = append(coNames, units[u])
			}
			err = emit([]any{t.ID, planCodes[t.PlanID], t.Code, t.Title, areas[t.AreaID], units[t.LeadUnitID], strings.Join(coNames, "、"),
				t.StartsOn.String(), t.DueOn.String(), i18n.T(lang, "task.status."+string(t.Status)), i18n.T(lang, "light."+string(t.Light)),
				math.Round(t.Progress*10) / 10, t.CompletedOn.String()})
			if err != nil {
				return err
			}
		}
		return nil
	}}, r.URL.RawQuery)
}

// coUnitIDs are the units co-operating on a task now, from its assignments.
func coUnitIDs(as []plans.Assignment) []int64 {
	out := []int64{}
	for _, a := range as {
		if a.Active && a.Role == plans.Co {
			out = append(out, a.UnitID)
		}
	}
	return out
}

func (s *Server) apiCreateTask(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in plans.TaskInput) (plans.Task, error) {
		planID, err := pathID(r, "id")
		if err != nil {
			return plans.Task{}, err
		}
		return s.Plans.CreateTask(r.Context(), planID, in)
	}, func(t plans.Task) (string, int) { return "/api/v1/tasks/" + itoa(t.ID), t.Version })
}

// taskJSON is a task with what its page shows: its co-operating units
// (as TaskInput names them, so the task can be read, changed and put back),
// each unit's share, the milestones, why it has its light, and its
// completion reports.
type taskJSON struct {
	plans.Task
	CoUnitIDs   []int64            `json:"co_unit_ids"`
	Assignments []plans.Assignment `json:"assignments"`
	Milestones  []plans.Milestone  `json:"milestones"`
	Verdict     verdictJSON        `json:"verdict"`
	Completions []completionJSON   `json:"completions"`
}

// verdictJSON is a task's light with its reason in the request's language.
type verdictJSON struct {
	plans.Verdict
	Reason string `json:"reason"`
}

// completionJSON is a completion report with its evidence files.
type completionJSON struct {
	plans.Completion
	Attachments []plans.Attachment `json:"attachments"`
}

func (s *Server) apiTask(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (taskJSON, error) { return s.loadTaskJSON(r.Context(), langOf(r), id) },
		func(d taskJSON) int { return d.Version })
}

func (s *Server) loadTaskJSON(ctx context.Context, lang string, id int64) (taskJSON, error) {
	t, err := s.Plans.Task(ctx, id)
	if err != nil {
		return taskJSON{}, err
	}
	d := taskJSON{Task: t}
	if d.Assignments, err = s.Plans.Assignments(ctx, id); err != nil {
		return d, err
	}
	d.CoUnitIDs = coUnitIDs(d.Assignments)
	if d.Milestones, err = s.Plans.Milestones(ctx, id); err != nil {
		return d, err
	}
	v, err := s.Plans.Verdict(ctx, t)
	if err != nil {
		return d, err
	}
	args := make([]any, len(v.Args))
	for i, a := range v.Args {
		args[i] = a
	}
	d.Verdict = verdictJSON{Verdict: v, Reason: i18n.T(lang, v.Key, args...)}
	cs, err := s.Plans.Completions(ctx, id)
	if err != nil {
		return d, err
	}
	d.Completions = make([]completionJSON, len(cs))
	for i, c := range cs {
		d.Completions[i].Completion = c
		if d.Completions[i].Attachments, err = s.Plans.Attachments(ctx, "completion", c.ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) apiUpdateTask(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Plans.UpdateTask, taskVersion)
}

func (s *Server) apiTaskTimeline(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Plans.Task, s.Plans.Timeline)
}

func (s *Server) apiTaskReports(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Plans.Task, s.Plans.TaskReports)
}

// ---- completion and closure ----

type summaryBody struct {
	Summary string `json:"summary"`
}

// filedJSON is a task just filed as complete, with the completion report that
// evidence files are then attached to.
type filedJSON struct {
	Task       plans.Task       `json:"task"`
	Completion plans.Completion `json:"completion"`
}

func (s *Server) apiFileCompletion(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in summaryBody, v int) (filedJSON, error) {
		t, c, err := s.Plans.FileCompletion(r.Context(), id, in.Summary, v)
		return filedJSON{t, c}, err
	}, func(f filedJSON) int { return f.Task.Version })
}

func (s *Server) apiCloseTask(w http.ResponseWriter, r *http.Request) {
	moveBy(s, w, r, s.Plans.CloseTask, taskVersion)
}

func (s *Server) apiReopenTask(w http.ResponseWriter, r *http.Request) {
	updateReason(s, w, r, s.Plans.ReopenTask, taskVersion)
}

func (s *Server) apiCancelTask(w http.ResponseWriter, r *http.Request) {
	updateReason(s, w, r, s.Plans.CancelTask, taskVersion)
}

type mergeBody struct {
	Into   int64  `json:"into"`
	Reason string `json:"reason"`
}

func (s *Server) apiMergeTask(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in mergeBody, v int) (plans.Task, error) {
		return s.Plans.MergeTask(r.Context(), id, in.Into, in.Reason, v)
	}, taskVersion)
}

// ---- assignments ----

func (s *Server) apiUpdateAssignment(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Plans.UpdateAssignment, func(a plans.Assignment) int { return a.Version })
}

type noteBody struct {
	Note string `json:"note"`
}

func (s *Server) apiChase(w http.ResponseWriter, r *http.Request) {
	createPlain(s, w, r, func(in noteBody) (plans.Chase, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return plans.Chase{}, err
		}
		return s.Plans.ChaseAssignment(r.Context(), id, in.Note)
	})
}
