package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/plans"
)

// The handler shapes of the plan API, beside update and create in api.go.

// fetch answers with the {id} object load finds, with its ETag when it is
// versioned.
func fetch[Out any](s *Server, w http.ResponseWriter, r *http.Request, load func(id int64) (Out, error), versionOf func(Out) int) {
	id, err := pathID(r, "id")
	var out Out
	if err == nil {
		out, err = load(id)
	}
	respond(s, w, r, out, versionOf(out), err)
}

// unversioned is the version of what has none (lists).
func unversioned[T any](T) int { return 0 }

// fetchUnder lists what belongs to the {id} object, answering 404 when the
// object itself does not exist: an empty list would hide a wrong id.
func fetchUnder[P, T any](s *Server, w http.ResponseWriter, r *http.Request, parent func(context.Context, int64) (P, error), list func(context.Context, int64) ([]T, error)) {
	fetch(s, w, r, func(id int64) ([]T, error) {
		if _, err := parent(r.Context(), id); err != nil {
			return nil, err
		}
		return list(r.Context(), id)
	}, unversioned)
}

// updateBy is update for a service method that takes the request's context.
func updateBy[In, Out any](s *Server, w http.ResponseWriter, r *http.Request, apply func(context.Context, int64, In, int) (Out, error), versionOf func(Out) int) {
	update(s, w, r, func(id int64, in In, version int) (Out, error) { return apply(r.Context(), id, in, version) }, versionOf)
}

// updateReason is update for a move whose only input is a reason.
func updateReason[Out any](s *Server, w http.ResponseWriter, r *http.Request, apply func(context.Context, int64, string, int) (Out, error), versionOf func(Out) int) {
	update(s, w, r, func(id int64, in reasonBody, version int) (Out, error) {
		return apply(r.Context(), id, in.Reason, version)
	}, versionOf)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

// moveBy runs a versioned move of the {id} object that takes no input, such
// as accepting a report: If-Match carries the version, there is no body.
func moveBy[Out any](s *Server, w http.ResponseWriter, r *http.Request, apply func(context.Context, int64, int) (Out, error), versionOf func(Out) int) {
	id, err := pathID(r, "id")
	version := 0
	if err == nil {
		version, err = ifMatch(r)
	}
	var out Out
	if err == nil {
		out, err = apply(r.Context(), id, version)
	}
	respond(s, w, r, out, versionOf(out), err)
}

// listOrExport answers with a page of a list, or with every match as a file
// when the query names a format.
func listOrExport[F, T any](s *Server, w http.ResponseWriter, r *http.Request, filter func(*http.Request, page) (F, error),
	list func(context.Context, F) ([]T, int, error), export http.HandlerFunc) {
	if r.URL.Query().Has("format") {
		export(w, r)
		return
	}
	p, err := pageOf(r)
	var f F
	if err == nil {
		f, err = filter(r, p)
	}
	var items []T
	total := 0
	if err == nil {
		items, total, err = list(r.Context(), f)
	}
	respond(s, w, r, newList(items, total, p), 0, err)
}

// createPlain decodes a body into in, calls apply and answers 201 with what
// it made: for objects with neither a version nor an address of their own.
func createPlain[In, Out any](s *Server, w http.ResponseWriter, r *http.Request, apply func(In) (Out, error)) {
	var in In
	err := decode(r, &in)
	var out Out
	if err == nil {
		out, err = apply(in)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// filters reads a list's filters from the URL, collecting an error that
// names each parameter that does not parse.
type filters struct {
	url.Values
	v errs.Validation
}

func filtersOf(r *http.Request) *filters { return &filters{Values: r.URL.Query()} }

func (q *filters) id(name string) int64 {
	s := q.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		q.v.Add(name, "error.number")
		return 0
	}
	return n
}

func (q *filters) date(name string) clock.Date {
	s := q.Get(name)
	if s == "" {
		return clock.Date{}
	}
	d, err := clock.ParseDate(s)
	if err != nil {
		q.v.Add(name, "error.date")
	}
	return d
}

func (q *filters) flag(name string) bool {
	s := q.Get(name)
	return s == "1" || s == "true"
}

// oneOf reads a parameter that must be one of allowed ("" when absent).
func oneOf[T ~string](q *filters, name string, allowed []T) T {
	return pickOf(q, name, q.Get(name), allowed)
}

// someOf reads a repeatable parameter whose values must be in allowed.
func someOf[T ~string](q *filters, name string, allowed []T) []T {
	var out []T
	for _, s := range q.Values[name] {
		if c := pickOf(q, name, s, allowed); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func pickOf[T ~string](q *filters, name, s string, allowed []T) T {
	if s == "" || slices.Contains(allowed, T(s)) {
		return T(s)
	}
	q.v.Add(name, "error.choice")
	return ""
}

// unitAreaNames are the units' and the areas' names in lang, by id, retired
// ones included: old tasks still name them.
func (s *Server) unitAreaNames(ctx context.Context, lang string) (units, areas map[int64]string, err error) {
	dir, err := s.Alliance.Directory(ctx)
	if err != nil {
		return nil, nil, err
	}
	units, areas = namesIn(dir, lang)
	return units, areas, nil
}

func namesIn(dir *alliance.Directory, lang string) (units, areas map[int64]string) {
	units, areas = make(map[int64]string, len(dir.Units)), make(map[int64]string, len(dir.Areas))
	for _, u := range dir.Units {
		units[u.ID] = u.Name.In(lang)
	}
	for _, a := range dir.Areas {
		areas[a.ID] = a.Name.In(lang)
	}
	return units, areas
}

// exportHeaders are an export's headers in lang, from the catalogue's
// api.col.<kind>.<column>.
func exportHeaders(lang, kind string, cols ...string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = i18n.T(lang, "api.col."+kind+"."+c)
	}
	return out
}

// ---- plans and goals ----

func planVersion(p plans.Plan) int { return p.Version }
func goalVersion(g plans.Goal) int { return g.Version }

func (s *Server) apiPlans(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Plans.Plans(r.Context())
	respond(s, w, r, ps, 0, err)
}

func (s *Server) apiCreatePlan(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in plans.PlanInput) (plans.Plan, error) { return s.Plans.CreatePlan(r.Context(), in) },
		func(p plans.Plan) (string, int) { return "/api/v1/plans/" + itoa(p.ID), p.Version })
}

// planJSON is a plan with its goals and, when asked for, its tasks.
type planJSON struct {
	plans.Plan
	Goals []plans.Goal `json:"goals"`
	Tasks []plans.Task `json:"tasks,omitzero"`
}

func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) {
	withTasks := filtersOf(r).flag("tasks")
	fetch(s, w, r, func(id int64) (planJSON, error) {
		p, err := s.Plans.Plan(r.Context(), id)
		if err != nil {
			return planJSON{}, err
		}
		d := planJSON{Plan: p}
		if d.Goals, err = s.Plans.Goals(r.Context(), id); err != nil || !withTasks {
			return d, err
		}
		d.Tasks = []plans.Task{}
		return d, s.Plans.EachTask(r.Context(), plans.TaskFilter{PlanID: id}, func(t plans.Task) error {
			d.Tasks = append(d.Tasks, t)
			return nil
		})
	}, func(d planJSON) int { return d.Version })
}

func (s *Server) apiUpdatePlan(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Plans.UpdatePlan, planVersion)
}

type planStatusBody struct {
	Status   plans.PlanStatus   `json:"status"`
	Revision plans.RevisionNote `json:"revision"`
}

func (s *Server) apiSetPlanStatus(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in planStatusBody, v int) (plans.Plan, error) {
		return s.Plans.SetPlanStatus(r.Context(), id, in.Status, in.Revision, v)
	}, planVersion)
}

func (s *Server) apiPlanRevisions(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Plans.Plan, s.Plans.Revisions)
}

func (s *Server) apiCreateGoal(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in plans.GoalInput) (plans.Goal, error) {
		planID, err := pathID(r, "id")
		if err != nil {
			return plans.Goal{}, err
		}
		return s.Plans.SaveGoal(r.Context(), planID, 0, in, 0)
	}, func(g plans.Goal) (string, int) { return "/api/v1/goals/" + itoa(g.ID), g.Version })
}

func (s *Server) apiGoal(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (plans.Goal, error) { return s.Plans.Goal(r.Context(), id) }, goalVersion)
}

func (s *Server) apiUpdateGoal(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in plans.GoalInput, v int) (plans.Goal, error) {
		g, err := s.Plans.Goal(r.Context(), id)
		if err != nil {
			return plans.Goal{}, err
		}
		return s.Plans.SaveGoal(r.Context(), g.PlanID, id, in, v)
	}, goalVersion)
}

// ---- overview, search, saved views, settings ----

// dashboardJSON is plans.Dashboard with the names of the units and areas its
// figures are keyed by, in the request's language.
type dashboardJSON struct {
	plans.Dashboard
	UnitNames map[int64]string `json:"unit_names"`
	AreaNames map[int64]string `json:"area_names"`
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), langOf(r)
	q := filtersOf(r)
	planID := q.id("plan_id")
	if err := q.v.Err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	dash, err := s.Plans.Dashboard(ctx, planID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	dir, err := s.Alliance.Directory(ctx)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	key, from := derivedKey{"dashboard.json", planID, lang}, derivedFrom{dash.Computed, dir}
	body, ok := s.derived.get(key, from)
	if !ok {
		d := dashboardJSON{Dashboard: dash}
		d.UnitNames, d.AreaNames = namesIn(dir, lang)
		body = encodeJSON(d)
		s.derived.put(key, from, body)
	}
	writeJSONBytes(w, http.StatusOK, body.([]byte))
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	hs, err := s.Plans.Search(r.Context(), r.URL.Query().Get("q"), 0)
	if hs == nil {
		hs = []plans.Hit{}
	}
	respond(s, w, r, hs, 0, err)
}

func (s *Server) apiViews(w http.ResponseWriter, r *http.Request) {
	vs, err := s.Plans.SavedViews(r.Context(), r.URL.Query().Get("page"))
	respond(s, w, r, vs, 0, err)
}

type viewBody struct {
	Page  string `json:"page"`
	Name  string `json:"name"`
	Query string `json:"query"`
}

func (s *Server) apiSaveView(w http.ResponseWriter, r *http.Request) {
	createPlain(s, w, r, func(in viewBody) (plans.SavedView, error) {
		return s.Plans.SaveView(r.Context(), in.Page, in.Name, in.Query)
	})
}

func (s *Server) apiDeleteView(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Plans.DeleteView(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSettings(w http.ResponseWriter, r *http.Request) {
	set, err := s.Plans.Settings(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(set.Version))
	writeJSON(w, http.StatusOK, set)
}

func (s *Server) apiUpdateSettings(w http.ResponseWriter, r *http.Request) {
	var in plans.Settings
	err := decode(r, &in)
	var version int
	if err == nil {
		version, err = ifMatch(r)
	}
	var out plans.Settings
	if err == nil {
		out, err = s.Plans.UpdateSettings(r.Context(), in, version)
	}
	respond(s, w, r, out, out.Version, err)
}
