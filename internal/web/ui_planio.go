package web

import (
	"net/http"
	"strings"

	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/planio"
	"concord/internal/plans"
)

// The import pages: upload a workbook, see what it would do (a dry run, with
// every problem at its cell), then confirm. The confirmation carries the
// checked file's SHA-256 and asks for the file again: the server keeps no
// upload between requests, and imports only the very file it checked.

// importData is an import page: its form and, after a check, the result.
type importData struct {
	Action    string // where the forms post
	Plan      *plans.Plan
	Revision  bool     // a plan in force: the import needs a reason and an approver
	Downloads []option // workbooks to start from
	Done      string   // where a finished import goes

	Checked  bool   // a file was checked: what follows is about it
	File     string // its name
	SHA      string // its SHA-256, for the confirmation
	Summary  string // what a clean check found, in words
	Preview  previewJSON
	Dir      *directory
	Reason   string // the revision note, carried to the confirmation
	Approved string
}

// Clean reports whether the checked file may be imported.
func (d *importData) Clean() bool { return d.Checked && len(d.Preview.Problems) == 0 }

// ReportLink is the page of report id (a report import's row code).
func (d *importData) ReportLink(code string) string {
	if d.Plan != nil {
		return ""
	}
	return "/reports/" + code
}

func (s *Server) planImportPage(r *http.Request, f form) (string, pageData, error) {
	id, err := pathID(r, "id")
	var pl plans.Plan
	if err == nil {
		pl, err = s.Plans.Plan(r.Context(), id)
	}
	if err != nil {
		return "", pageData{}, err
	}
	path := "/plans/" + itoa(id)
	d := &importData{Action: path + "/import", Plan: &pl, Revision: pl.Status == plans.InForce, Done: path}
	p := s.newPage(r, "page.plan_import", d)
	p.Title = p.T("planio.ui.title.plan", pl.Code+" "+pl.Name)
	d.Downloads = []option{{path + "/workbook", p.T("planio.ui.download.plan")}, {"/plan-template", p.T("planio.ui.download.template")}}
	p.Form = f
	return "import", p, nil
}

func (s *Server) reportImportPage(r *http.Request, f form) (string, pageData, error) {
	d := &importData{Action: "/reports/import", Done: "/reports/import"}
	p := s.newPage(r, "page.report_import", d)
	d.Downloads = []option{{"/reports/workbook", p.T("planio.ui.download.reports")}}
	p.Form = f
	return "import", p, nil
}

// submitImport checks an uploaded file and shows what it would do or, sent
// from the confirmation with the same file, imports it and moves on.
func (s *Server) submitImport(build pageFunc, run importRun) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := readImport(w, r)
		r.PostForm = u.fields
		commit := false
		if err == nil {
			commit, err = u.commit(r)
		}
		// A confirmation with another file than the one checked checks it.
		other := commit && u.fields.Get("sha256") != u.sum()
		var pv planio.Preview
		if err == nil {
			pv, err = run(r, u, commit && !other)
		}
		if err != nil {
			s.finish(w, r, asFileError(err), "upload", build, "")
			return
		}
		name, p, err := build(r, form{})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := p.Data.(*importData)
		if pv.Committed {
			done(w, r, d.Done, "flash.imported")
			return
		}
		if err := s.showCheck(r, &p, d, u, pv); err != nil {
			s.fail(w, r, err)
			return
		}
		status := http.StatusOK
		switch {
		case other:
			p.Form.Message, status = p.T("planio.ui.other_file"), http.StatusConflict
		case len(pv.Problems) > 0:
			status = http.StatusUnprocessableEntity
		}
		s.renderStatus(w, r, status, name, p)
	}
}

// showCheck puts the check of u on the page. The revision note's problems
// show beside its fields in the upload form, which keeps what was typed.
func (s *Server) showCheck(r *http.Request, p *pageData, d *importData, u importUpload, pv planio.Preview) error {
	dir, err := s.directory(r.Context(), p.Lang)
	if err != nil {
		return err
	}
	d.Checked, d.File, d.SHA, d.Dir = true, u.name, u.sum(), dir
	d.Preview = newPreviewJSON(p.Lang, pv)
	d.Summary = importSummary(p.Lang, pv.Rows)
	d.Reason, d.Approved = u.fields.Get("reason"), u.fields.Get("approved_by")
	p.Form = form{ID: "upload", Values: u.fields, Errors: map[string]string{}}
	for _, pr := range pv.Problems {
		if field, ok := strings.CutPrefix(pr.Field, "revision."); ok && pr.Row == 0 {
			p.Form.Errors[field] = i18n.T(p.Lang, pr.Key, anyArgs(pr.Args)...)
		}
	}
	return nil
}

func anyArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// asFileError makes a refused file (too large, not a workbook, broken) an
// error of the form's file field, to show beside it.
func asFileError(err error) error {
	if e, ok := errs.As(err); ok && (e.Kind == errs.TooLarge || e.Kind == errs.Unsupported || e.Kind == errs.Malformed) {
		return &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "file", Key: e.Key, Args: e.Args}}}
	}
	return err
}

// importSummary says in lang what a clean check found.
func importSummary(lang string, rows []plans.RowResult) string {
	n := map[string]int{}
	for _, row := range rows {
		n[row.Action]++
	}
	var parts []string
	for _, a := range []string{"create", "update", "unchanged", "save", "submit"} {
		if n[a] > 0 {
			parts = append(parts, i18n.T(lang, "planio.ui.count."+a, n[a]))
		}
	}
	if len(parts) == 0 {
		return i18n.T(lang, "planio.ui.count.none")
	}
	return strings.Join(parts, i18n.T(lang, "planio.ui.count.sep"))
}
