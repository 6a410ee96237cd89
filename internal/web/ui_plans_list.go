package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"concord/internal/i18n"
	"concord/internal/plans"
)

// The task and report lists: filters, pages, exports and saved views.

// listQuery is a list's filters as a query string, without its page: what
// export links carry and saved views keep.
func listQuery(q url.Values) string {
	out := url.Values{}
	for k, vs := range q {
		if k == "page" || k == "per_page" || k == "flash" || k == "format" {
			continue
		}
		for _, v := range vs {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	return out.Encode()
}

// listData is what the task and report lists share: their filters, page,
// saved views and the plans to filter by.
type listData struct {
	*directory
	Page   string // tasks or reports
	Query  string
	Filter url.Values
	Pager  pager
	Views  []plans.SavedView
	Plans  []option
}

// listPage builds the page of list d.Page with data (which holds d): the
// directory, the plans to filter by, the saved views, then fetch reads the
// filters from q and lists one page, returning how many match in all. A
// refused filter comes back beside its field (422).
func (s *Server) listPage(r *http.Request, f form, d *listData, data any, fetch func(q *formIn, pg page) (int, error)) (string, pageData, error) {
	ctx := r.Context()
	p := s.newPage(r, "plans.ui.page."+d.Page, data)
	p.Form = f
	q := readQuery(r)
	d.Filter, d.Query = r.URL.Query(), listQuery(r.URL.Query())
	pg, err := pageOf(r)
	if err != nil {
		q.v.Add("page", "error.range", 1, 1000000)
		pg = page{Page: 1, PerPage: 50}
	}
	d.Pager = pager{pg.Page, pg.PerPage, 0, d.Filter}
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	ps, err := s.Plans.Plans(ctx)
	if err != nil {
		return "", p, err
	}
	for _, pl := range ps {
		d.Plans = append(d.Plans, option{itoa(pl.ID), pl.Code + " " + pl.Name})
	}
	if d.Views, err = s.Plans.SavedViews(ctx, d.Page); err != nil {
		return "", p, err
	}
	d.Pager.Total, err = fetch(q, pg)
	if rf, ok := s.refused(r, err, "filter", d.Filter); ok {
		p.Form, err = rf, nil
	}
	return d.Page, p, err
}

// filterForm draws list d's filter form with its fields. Built here rather
// than by the template: there each field was a handful of reflective calls,
// and with nine the task list's filters were a quarter of its work.
func (p pageData) filterForm(d *listData, fields ...input) template.HTML {
	drawn, size := make([]template.HTML, len(fields)), 512
	for i, in := range fields {
		drawn[i] = in.HTML()
		size += len(drawn[i]) + 3
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(`<form method="get" action="/` + d.Page + `" class="filters form noprint" role="search" novalidate>` + "\n")
	if msg := p.MsgIn("filter"); msg != "" {
		b.WriteString(`  <p class="error" role="alert">` + template.HTMLEscapeString(msg) + "</p>\n")
	}
	for _, f := range drawn {
		b.WriteString("  ")
		b.WriteString(string(f))
		b.WriteByte('\n')
	}
	b.WriteString(`  <button type="submit">` + template.HTMLEscapeString(p.T("action.search")) + "</button>\n</form>")
	return template.HTML(b.String())
}

// filter is field name of list d's filter form.
func (p pageData) filter(d *listData, name, labelKey string) input {
	return p.Input("filter", name, labelKey, d.Filter)
}

// rowStream emits an export's rows.
type rowStream = func(emit func([]any) error) error

// exportList writes a list as CSV or XLSX, its column headers in the
// reader's language. rows reads the filters from q (a filter that does not
// parse refuses the export) and returns the stream of rows.
func (s *Server) exportList(w http.ResponseWriter, r *http.Request, name string, cols []string, rows func(q *formIn, dir *directory) (rowStream, error)) {
	q := readQuery(r)
	dir, err := s.directory(r.Context(), langOf(r))
	var stream rowStream
	if err == nil {
		stream, err = rows(q, dir)
	}
	if err == nil {
		err = q.err()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeTable(w, r, table{name: name, headers: headers(dir.lang, cols), rows: stream}, r.URL.RawQuery)
}

// headers are an export's column headers in lang.
func headers(lang string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = i18n.T(lang, "plans.ui.col."+c)
	}
	return out
}

// listPages are the lists whose filters can be saved, and their pages.
func (s *Server) listPages() map[string]pageFunc {
	return map[string]pageFunc{"tasks": s.tasksPage, "reports": s.reportsPage}
}

// listOf is the list page named by a form's page field: tasks unless it
// names another list.
func (s *Server) listOf(f *formIn) (string, pageFunc) {
	name := f.text("page")
	build, ok := s.listPages()[name]
	if !ok {
		return "tasks", s.tasksPage
	}
	return name, build
}

// submitSaveView keeps the list's current filters under a name.
func (s *Server) submitSaveView(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	name, build := s.listOf(f)
	query := f.text("query")
	_, err := s.Plans.SaveView(r.Context(), f.text("page"), f.text("name"), query)
	to := "/" + name
	if query != "" {
		to += "?" + query
	}
	s.finish(w, r, err, "view", build, to)
}

func (s *Server) submitDeleteView(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	name, _ := s.listOf(f)
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Plans.DeleteView(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	done(w, r, "/"+name, "flash.saved")
}

// listTools are a list's export links and saved views, drawn by the
// "exports" and "saved-views" templates.
type listTools struct {
	P     pageData
	Page  string // tasks or reports
	Query string // the list's filters
	Views []plans.SavedView
}

// ListTools builds the tools of list page.
func (p pageData) ListTools(page, query string, views []plans.SavedView) listTools {
	return listTools{p, page, query, views}
}

// Current reports whether a saved view's query is the list's.
func (t listTools) Current(q string) bool { return t.Query == q }
