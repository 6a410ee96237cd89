package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/evidence"
	"concord/internal/inspect"
	"concord/internal/problems"
	"concord/internal/timeline"
	"concord/internal/waterstore"
)

// The pages of inspections, rectification and the problem list.

func init() {
	enums["inspection_status"] = enumOf("inspection.status.", inspect.Planned, inspect.InProgress, inspect.Finished)
	enums["severity"] = enumOf("finding.severity.", inspect.Minor, inspect.Major, inspect.Serious)
	enums["rect_status"] = enumOf("rectification.status.", inspect.Open, inspect.Responded, inspect.Returned, inspect.Closed)
	enums["problem_status"] = enumOf("problem.status.", problems.Raised, problems.Rejected, problems.Assigned, problems.Responded, problems.Solved)
	enums["problem_category"] = enumOf("problem.category.", problems.Categories...)
}

func enumOf[T ~string](prefix string, values ...T) struct {
	prefix string
	values []string
} {
	return struct {
		prefix string
		values []string
	}{prefix, names(values)}
}

// evidenceList is files for download at base+id, drawn by "evidence-files".
type evidenceList struct {
	P     pageData
	Base  string
	Files []evidence.File
}

// Evidence lists files served under base (an API download route).
func (p pageData) Evidence(base string, files []evidence.File) evidenceList {
	return evidenceList{p, base, files}
}

// addEvidence stores the form's "file" files with add; a refused file is an
// error on that field.
func addEvidence(ctx context.Context, f *formIn, add func(ctx context.Context, name string, data []byte) error) error {
	for _, fh := range f.files["file"] {
		data, err := readUpload(fh)
		if err == nil {
			err = add(ctx, fh.Filename, data)
		}
		if e, ok := errs.As(err); ok && (e.Kind == errs.TooLarge || e.Kind == errs.Unsupported) {
			err = &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "file", Key: e.Key, Args: e.Args}}}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ---- inspection rounds ----

type roundsData struct {
	*directory
	Rounds     []inspect.Round
	Plans      []option
	Inspectors []option
	Defaults   url.Values
}

func (s *Server) inspectionsPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &roundsData{}
	p := s.newPage(r, "inspect.ui.page.inspections", d)
	p.Form = f
	var err error
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	if d.Rounds, err = s.Inspect.Rounds(ctx); err != nil {
		return "", p, err
	}
	if p.Can(string(access.EditInspections)) {
		if d.Plans, d.Inspectors, err = s.roundChoices(ctx); err != nil {
			return "", p, err
		}
		d.Defaults = url.Values{"inspector_ids": {itoa(actorOf(r).UserID)}}
	}
	return "inspections", p, nil
}

// roundChoices are the plans a round may check and the people who may inspect.
func (s *Server) roundChoices(ctx context.Context) (plansOut, inspectors []option, err error) {
	ps, err := s.Plans.Plans(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, pl := range ps {
		plansOut = append(plansOut, option{itoa(pl.ID), pl.Code + " " + pl.Name})
	}
	people, err := s.Inspect.Inspectors(ctx)
	for _, u := range people {
		inspectors = append(inspectors, option{itoa(u.ID), u.Name + " (" + u.Login + ")"})
	}
	return plansOut, inspectors, err
}

func roundInput(f *formIn) inspect.RoundInput {
	in := inspect.RoundInput{Title: f.text("title"), UnitIDs: f.ids("unit_ids"), Inspectors: f.ids("inspector_ids"),
		StartsOn: f.date("starts_on"), EndsOn: f.date("ends_on"), Summary: f.text("summary")}
	if id := f.id("plan_id"); id != 0 {
		in.PlanID = &id
	}
	if id := f.id("area_id"); id != 0 {
		in.AreaID = &id
	}
	return in
}

func (s *Server) submitCreateInspection(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := roundInput(f)
	err := f.err()
	var round inspect.Round
	if err == nil {
		round, err = s.Inspect.CreateRound(r.Context(), in)
	}
	s.finish(w, r, err, "round", s.inspectionsPage, "/inspections/"+itoa(round.ID))
}

// findingRow is a finding with its files and rectification items.
type findingRow struct {
	inspect.Finding
	Files []evidence.File
	Items []inspect.Rectification
}

type roundData struct {
	*directory
	Round     inspect.Round
	Findings  []findingRow
	Revisions []inspect.Revision
	Choices   []option // the findings, to open rectification items from
	Values    url.Values
	Edit      bool // the viewer may work on the round
}

func (s *Server) inspectionPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &roundData{}
	p := s.newPage(r, "inspect.ui.page.inspection", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	if d.Round, err = s.Inspect.Round(ctx, id); err != nil {
		return "", p, err
	}
	p.Title = d.Round.Title
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	findings, err := s.Inspect.Findings(ctx, id)
	if err != nil {
		return "", p, err
	}
	for _, fd := range findings {
		row := findingRow{Finding: fd}
		if row.Files, err = s.Inspect.Evidence(ctx, "finding", fd.ID); err != nil {
			return "", p, err
		}
		if row.Items, err = s.Inspect.Rectifications(ctx, inspect.RectFilter{SourceKind: inspect.SourceFinding, SourceRef: itoa(fd.ID)}); err != nil {
			return "", p, err
		}
		d.Findings = append(d.Findings, row)
		d.Choices = append(d.Choices, option{itoa(fd.ID), "#" + itoa(fd.ID) + " " + d.Unit(fd.UnitID) + " · " + clip(fd.Description)})
	}
	if d.Revisions, err = s.Inspect.Revisions(ctx, id); err != nil {
		return "", p, err
	}
	d.Edit = p.Can(string(access.EditInspections))
	rd := d.Round
	d.Values = url.Values{"title": {rd.Title}, "summary": {rd.Summary}, "starts_on": {rd.StartsOn.String()}, "ends_on": {rd.EndsOn.String()}}
	return "inspection", p, nil
}

// clip shortens a text for a choice.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// roundAction handles a form of the round page.
func (s *Server) roundAction(formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return s.objectAction("/inspections/", s.inspectionPage, formID, act)
}

func (s *Server) moveRound(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Inspect.SetRoundStatus(ctx, id, inspect.Status(f.text("status")), f.version())
	return err
}

// correctRound keeps the round's scope and inspectors and corrects its
// title, dates and summary, with the reason.
func (s *Server) correctRound(ctx context.Context, id int64, f *formIn) error {
	rd, err := s.Inspect.Round(ctx, id)
	if err != nil {
		return err
	}
	in := inspect.RoundInput{Title: f.text("title"), PlanID: rd.PlanID, AreaID: rd.AreaID, UnitIDs: rd.UnitIDs, Inspectors: rd.Inspectors,
		StartsOn: f.date("starts_on"), EndsOn: f.date("ends_on"), Summary: f.text("summary")}
	if err := f.err(); err != nil {
		return err
	}
	_, err = s.Inspect.CorrectRound(ctx, id, in, f.text("reason"), f.version())
	return err
}

// addFinding records a finding with its files, in one go: a refused file
// leaves the finding recorded, and says so beside the file field.
func (s *Server) addFinding(ctx context.Context, id int64, f *formIn) error {
	in := inspect.FindingInput{UnitID: f.id("unit_id"), Severity: inspect.Severity(f.text("severity")), Description: f.text("description")}
	if task := f.id("task_id"); task != 0 {
		in.TaskID = &task
	}
	if err := f.err(); err != nil {
		return err
	}
	fd, err := s.Inspect.AddFinding(ctx, id, in)
	if err != nil {
		return err
	}
	return addEvidence(ctx, f, func(ctx context.Context, name string, data []byte) error {
		_, err := s.Inspect.AddEvidence(ctx, "finding", fd.ID, name, data)
		return err
	})
}

func (s *Server) openRectification(ctx context.Context, _ int64, f *formIn) error {
	in := inspect.RectInput{SourceKind: inspect.SourceFinding, SourceRef: f.text("finding_id"), Requirement: f.text("requirement"), DueOn: f.date("due_on")}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Inspect.OpenRectification(ctx, in)
	return err
}

// ---- rectification items ----

type rectsData struct {
	*directory
	Items  []inspect.Rectification
	Filter url.Values
}

func (s *Server) rectificationsPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &rectsData{Filter: r.URL.Query()}
	p := s.newPage(r, "inspect.ui.page.rectifications", d)
	p.Form = f
	filter, err := rectFilter(r)
	if err != nil {
		if ff, ok := s.refused(r, err, "filter", d.Filter); ok {
			p.Form = ff
			filter, err = inspect.RectFilter{}, nil
		}
	}
	if err == nil {
		d.directory, err = s.directory(ctx, p.Lang)
	}
	if err == nil {
		d.Items, err = s.Inspect.Rectifications(ctx, filter)
	}
	return "rectifications", p, err
}

type rectData struct {
	*directory
	Item                  inspect.Rectification
	Finding               *inspect.Finding
	Station               *waterstore.Station // of an item from the water loop
	Files                 []evidence.File
	Steps                 []timeline.Event
	Respond, Verify, Late bool
}

func (s *Server) rectificationPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &rectData{}
	p := s.newPage(r, "inspect.ui.page.rectification", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	if d.Item, err = s.Inspect.Rectification(ctx, id); err != nil {
		return "", p, err
	}
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	it := d.Item
	p.Title = p.T("inspect.ui.rect.title", it.ID, d.Unit(it.UnitID))
	if it.SourceKind == inspect.SourceFinding {
		if fid, err := strconv.ParseInt(it.SourceRef, 10, 64); err == nil {
			if fd, err := s.Inspect.Finding(ctx, fid); err == nil {
				d.Finding = &fd
			}
		}
	}
	if it.Water != nil {
		st, err := s.WaterAccount.Water.Station(ctx, it.Water.StationID)
		if err != nil {
			return "", p, err
		}
		d.Station = &st
	}
	if d.Files, err = s.Inspect.Evidence(ctx, "rectification", id); err != nil {
		return "", p, err
	}
	if d.Steps, err = s.Inspect.Timeline(ctx, id); err != nil {
		return "", p, err
	}
	a := actorOf(r)
	d.Respond = (it.Status == inspect.Open || it.Status == inspect.Returned) && a.Can(access.RespondRectification, it.UnitID)
	d.Verify = it.Status == inspect.Responded && a.Can(access.EditInspections, 0)
	d.Late = it.Overdue(clock.Today(s.Inspect.Clock))
	return "rectification", p, nil
}

func (s *Server) rectAction(formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return s.objectAction("/rectifications/", s.rectificationPage, formID, act)
}

// respondRectification adds the form's files, then the response: the
// service refuses a response without evidence.
func (s *Server) respondRectification(ctx context.Context, id int64, f *formIn) error {
	err := addEvidence(ctx, f, func(ctx context.Context, name string, data []byte) error {
		_, err := s.Inspect.AddEvidence(ctx, "rectification", id, name, data)
		return err
	})
	if err == nil {
		_, err = s.Inspect.Respond(ctx, id, f.text("response"), f.version())
	}
	return onFileField(err, "evidence")
}

// onFileField shows the service's error about field (missing evidence) on
// the form's file field.
func onFileField(err error, field string) error {
	if e, ok := errs.As(err); ok {
		for i := range e.Fields {
			if e.Fields[i].Field == field {
				e.Fields[i].Field = "file"
			}
		}
	}
	return err
}

func (s *Server) verifyRectification(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Inspect.Verify(ctx, id, f.text("verdict") == "accept", f.text("reason"), f.version())
	return err
}

// ---- the problem list ----

type problemsData struct {
	*directory
	Problems []problems.Problem
	Filter   url.Values
	Reports  []option // the unit's reports that ask for help
}

func (s *Server) problemsPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &problemsData{Filter: r.URL.Query()}
	p := s.newPage(r, "problems.ui.page.problems", d)
	p.Form = f
	filter, err := problemFilter(r)
	if err != nil {
		if ff, ok := s.refused(r, err, "filter", d.Filter); ok {
			p.Form = ff
			filter, err = problems.Filter{}, nil
		}
	}
	if err == nil {
		d.directory, err = s.directory(ctx, p.Lang)
	}
	if err == nil {
		d.Problems, err = s.Problems.List(ctx, filter)
	}
	return "problems", p, err
}

func (s *Server) submitRaiseProblem(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := problems.Input{Category: f.text("category"), Title: f.text("title"), Description: f.text("description"), Ask: f.text("ask"), UnitIDs: f.ids("unit_ids")}
	if id := f.id("report_id"); id != 0 {
		in.ReportID = &id
	}
	err := f.err()
	var pr problems.Problem
	if err == nil {
		pr, err = s.Problems.Raise(r.Context(), in)
	}
	s.finish(w, r, err, "raise", s.problemsPage, "/problems/"+itoa(pr.ID))
}

type problemData struct {
	*directory
	Problem                                           problems.Problem
	Files                                             []evidence.File
	Steps                                             []timeline.Event
	Triage, Reassign, Escalate, Respond, Confirm, Add bool
}

func (s *Server) problemPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &problemData{}
	p := s.newPage(r, "problems.ui.page.problem", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	if d.Problem, err = s.Problems.Problem(ctx, id); err != nil {
		return "", p, err
	}
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	pr := d.Problem
	p.Title = p.T("problems.ui.problem.title", pr.ID, pr.Title)
	if d.Files, err = s.Problems.Evidence(ctx, id); err != nil {
		return "", p, err
	}
	if d.Steps, err = s.Problems.Timeline(ctx, id); err != nil {
		return "", p, err
	}
	a := actorOf(r)
	handler := int64(0)
	if pr.HandlingUnitID != nil {
		handler = *pr.HandlingUnitID
	}
	office := a.Can(access.TriageProblem, 0)
	d.Triage = pr.Status == problems.Raised && office
	d.Reassign = pr.Status == problems.Assigned && office
	d.Escalate = (pr.Status == problems.Assigned || pr.Status == problems.Responded) && !pr.Escalated && office
	d.Respond = pr.Status == problems.Assigned && a.Can(access.RespondProblem, handler)
	d.Confirm = pr.Status == problems.Responded && a.Can(access.RaiseProblem, pr.RaisedByUnitID)
	d.Add = pr.Status != problems.Solved && pr.Status != problems.Rejected && (a.Can(access.RaiseProblem, pr.RaisedByUnitID) || a.Can(access.RespondProblem, handler))
	return "problem", p, nil
}

func (s *Server) problemAction(formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return s.objectAction("/problems/", s.problemPage, formID, act)
}

func (s *Server) triageProblem(ctx context.Context, id int64, f *formIn) error {
	t := problems.Triage{Accept: f.text("verdict") == "accept", Reason: f.text("reason"), HandlingUnitID: f.id("handling_unit_id"), DueOn: f.date("due_on")}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Problems.TriageProblem(ctx, id, t, f.version())
	return err
}

func (s *Server) reassignProblem(ctx context.Context, id int64, f *formIn) error {
	unit, due := f.id("handling_unit_id"), f.date("due_on")
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Problems.Reassign(ctx, id, unit, due, f.text("reason"), f.version())
	return err
}

func (s *Server) escalateProblem(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Problems.Escalate(ctx, id, f.text("reason"), f.text("meeting_ref"), f.version())
	return err
}

// respondProblem adds the form's files, then the handling unit's answer.
func (s *Server) respondProblem(ctx context.Context, id int64, f *formIn) error {
	err := addEvidence(ctx, f, func(ctx context.Context, name string, data []byte) error {
		_, err := s.Problems.AddEvidence(ctx, id, name, data)
		return err
	})
	if err == nil {
		_, err = s.Problems.Respond(ctx, id, f.text("response"), f.version())
	}
	return err
}

func (s *Server) confirmProblem(ctx context.Context, id int64, f *formIn) error {
	_, err := s.Problems.Confirm(ctx, id, f.text("verdict") == "solved", f.text("note"), f.version())
	return err
}

// unitWork is what waits on a unit outside its tasks: its rectification
// items not yet closed, and the problems it must act on (handle, or confirm
// as the raiser).
type unitWork struct {
	Rectifications []inspect.Rectification
	Problems       []problems.Problem
}

func (s *Server) unitWorkOf(ctx context.Context, unit int64) (unitWork, error) {
	var w unitWork
	if unit == 0 {
		return w, nil
	}
	a := access.FromContext(ctx)
	var err error
	if a.Can(access.ViewInspections, 0) {
		if w.Rectifications, err = s.Inspect.Rectifications(ctx, inspect.RectFilter{UnitID: unit, OpenOnly: true}); err != nil {
			return w, err
		}
	}
	if !a.Can(access.ViewProblems, 0) {
		return w, nil
	}
	handling, err := s.Problems.List(ctx, problems.Filter{HandlingUnitID: unit, Status: problems.Assigned})
	if err != nil {
		return w, err
	}
	answered, err := s.Problems.List(ctx, problems.Filter{RaisedByUnitID: unit, Status: problems.Responded})
	w.Problems = append(handling, answered...)
	return w, err
}
