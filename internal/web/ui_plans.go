package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/plans"
)

// The shared pieces of the supervision pages: how a page is built and a form
// finished, the directory of units and areas, form fields, choices, badges,
// and reading submitted forms.

// pageFunc builds a page; f is the form shown again after a refused post.
type pageFunc func(r *http.Request, f form) (string, pageData, error)

// showPage serves the page build makes. A page whose filters were refused
// carries them in p.Form and answers 422.
func (s *Server) showPage(build pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, p, err := build(r, form{})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.renderStatus(w, r, statusFor(p.Form), name, p)
	}
}

// finish ends a post: on success it redirects to `to` with a flash; a form
// refused for its input comes back on its page with each error beside its
// field (422, or 409 when someone else changed the record first).
func (s *Server) finish(w http.ResponseWriter, r *http.Request, err error, formID string, build pageFunc, to string) {
	if err == nil {
		done(w, r, to, "flash.saved")
		return
	}
	s.formFailed(w, r, err, formID, func(f form) (string, pageData) {
		name, p, e := build(r, f)
		if e != nil {
			_, body := s.describe(r, e)
			return "error", s.newPage(r, "page.error", body)
		}
		return name, p
	})
}

// refused turns a validation error into form formID shown with its errors.
func (s *Server) refused(r *http.Request, err error, formID string, values url.Values) (form, bool) {
	if !errs.Is(err, errs.Invalid) {
		return form{}, false
	}
	_, body := s.describe(r, err)
	f := form{ID: formID, Values: values, Errors: map[string]string{}, Message: body.Message}
	for _, fe := range body.Fields {
		f.Errors[fe.Field] = fe.Message
	}
	return f, true
}

// directory names the alliance's units and coordination areas in one
// language; its lists hold the active ones, to choose from.
type directory struct {
	lang    string
	Units   []alliance.Unit
	Areas   []alliance.Area
	all     *alliance.Directory
	choices *dirChoices
}

// dirChoices are the active units and areas as options, in one language.
type dirChoices struct{ units, areas []option }

// allianceDir is the alliance's directory, read once per page or API read:
// the page's frame names the alliance and its body the units, one check of
// the change count serves both. A write reads it afresh each time, as it
// may have changed it.
func (s *Server) allianceDir(ctx context.Context) (*alliance.Directory, error) {
	ri, _ := ctx.Value(infoKey{}).(*reqInfo)
	if ri != nil && ri.dir != nil {
		return ri.dir, nil
	}
	dir, err := s.Alliance.Directory(ctx)
	if err == nil && ri != nil && ri.read {
		ri.dir = dir
	}
	return dir, err
}

func (s *Server) directory(ctx context.Context, lang string) (*directory, error) {
	all, err := s.allianceDir(ctx)
	if err != nil {
		return nil, err
	}
	d := &directory{lang: lang, Units: all.ActiveUnits, Areas: all.ActiveAreas, all: all}
	// Built once per directory and language: every list page and most
	// forms offer all the units (300 in a national alliance).
	key, from := derivedKey{"directory.choices", 0, lang}, derivedFrom{nil, all}
	c, ok := s.derived.get(key, from)
	if !ok {
		c = d.newChoices()
		s.derived.put(key, from, c)
	}
	d.choices = c.(*dirChoices)
	return d, nil
}

func (d *directory) newChoices() *dirChoices {
	c := &dirChoices{make([]option, len(d.Units)), make([]option, len(d.Areas))}
	for i, u := range d.Units {
		c.units[i] = option{itoa(u.ID), u.Name.In(d.lang)}
	}
	for i, a := range d.Areas {
		c.areas[i] = option{itoa(a.ID), a.Name.In(d.lang)}
	}
	return c
}

// Dir is the directory itself, for templates handing it on.
func (d *directory) Dir() *directory { return d }

// Unit names unit id.
func (d *directory) Unit(id int64) string {
	if u, ok := d.all.Unit(id); ok {
		return u.Name.In(d.lang)
	}
	return "#" + itoa(id)
}

// Area names coordination area id.
func (d *directory) Area(id int64) string {
	if a, ok := d.all.Area(id); ok {
		return a.Name.In(d.lang)
	}
	return "#" + itoa(id)
}

// UnitChoices are the active units to choose from; shared, not to be
// changed.
func (d *directory) UnitChoices() []option { return d.choices.units }

// AreaChoices are the active coordination areas to choose from; shared,
// not to be changed.
func (d *directory) AreaChoices() []option { return d.choices.areas }

// option is one choice of a select.
type option struct{ Value, Text string }

// enums are the service's fixed value sets: their catalogue prefix and values.
var enums = map[string]struct {
	prefix string
	values []string
}{
	"light":       {"light.", names(plans.Lights)},
	"status":      {"task.status.", names([]plans.Status{plans.TaskActive, plans.TaskFiled, plans.TaskClosed, plans.TaskCancelled, plans.TaskMerged})},
	"state":       {"report.state.", names([]plans.ReportState{plans.Pending, plans.Drafted, plans.Submitted, plans.Approved, plans.Accepted, plans.Returned})},
	"self_status": {"self_status.", names(plans.SelfStatuses)},
	"cycle":       {"cycle.", names([]plans.Cycle{plans.Monthly, plans.Quarterly, plans.Custom})},
	"plan_kind":   {"plan.kind.", names([]plans.PlanKind{plans.ActionPlan, plans.AnnualPlan})},
	"plan_status": {"plan.status.", names([]plans.PlanStatus{plans.Draft, plans.InForce, plans.Done})},
	"role":        {"assignment.role.", names([]plans.Role{plans.Lead, plans.Co})},
}

func names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Enum lists the values of enum kind as choices in the page's language.
func (p pageData) Enum(kind string) []option {
	e := enums[kind]
	out := make([]option, len(e.values))
	for i, v := range e.values {
		out[i] = option{v, p.T(e.prefix + v)}
	}
	return out
}

// Label names value of enum kind in the page's language.
func (p pageData) Label(kind string, value any) string {
	return p.T(enums[kind].prefix + fmt.Sprint(value))
}

// badge is a value of an enum shown with its colour and its words.
type badge struct{ Class, Text string }

// Badge shows value of enum kind (a light, a status, a report's state).
func (p pageData) Badge(kind string, value any) badge {
	return badge{Class: kind + "-" + fmt.Sprint(value), Text: p.Label(kind, value)}
}

// Pct writes a percentage rounded to a whole number.
func (p pageData) Pct(f float64) string { return strconv.Itoa(int(math.Round(f))) + "%" }

// bar is a progress bar with its figure in words.
type bar struct {
	Value       float64
	Text, Label string
}

// Bar shows progress f (percent).
func (p pageData) Bar(f float64) bar { return bar{f, p.Pct(f), p.T("plans.ui.col.progress")} }

// Bytes writes a file size for people.
func (p pageData) Bytes(n int64) string {
	if n < 1<<10 {
		return strconv.FormatInt(n, 10) + " B"
	}
	if n < 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// fileList is the evidence files of a report or completion report.
type fileList struct {
	P     pageData
	Files []plans.Attachment
}

// FileList lists evidence files for download.
func (p pageData) FileList(files []plans.Attachment) fileList { return fileList{p, files} }

// actionForm is a form that moves an object on with one button and maybe
// one text (a reason, a note): drawn by the "action-form" template.
type actionForm struct {
	P            pageData
	ID, Action   string
	Version      int
	Button       string
	Field, Label string
	Danger       bool
}

// Act builds form formID posting to action, filled against version.
func (p pageData) Act(formID, action string, version int, buttonKey string) actionForm {
	return actionForm{P: p, ID: formID, Action: action, Version: version, Button: buttonKey}
}

// Ask adds the required text field to the form.
func (a actionForm) Ask(field, labelKey string) actionForm {
	a.Field, a.Label = field, labelKey
	return a
}

// Risky marks a form whose button undoes or ends something.
func (a actionForm) Risky() actionForm { a.Danger = true; return a }

// formHead is what every form of the supervision pages starts with: the
// anti-forgery token, the version it was filled against, its error.
type formHead struct {
	P       pageData
	ID      string
	Version int
}

// Head starts form formID, filled against version (0: none).
func (p pageData) Head(formID string, version int) formHead { return formHead{p, formID, version} }

// In reports whether the page is section or one of its sub-pages.
func (p pageData) In(section string) bool {
	return p.Path == section || strings.HasPrefix(p.Path, section+"/")
}

// formIn reads a submitted form or a query. Values that do not parse become
// field errors in the services' shape, reported by err.
type formIn struct {
	vals  url.Values
	files map[string][]*multipart.FileHeader
	v     errs.Validation
	fatal error
}

// maxUpload caps a form with evidence files: a few files at the limit.
const maxUpload = 4*plans.MaxAttachment + 1<<20

// readForm parses a post, url-encoded or multipart (with evidence files).
func readForm(w http.ResponseWriter, r *http.Request) *formIn {
	f := &formIn{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var big *http.MaxBytesError
			if errors.As(err, &big) {
				f.fatal = errs.New(errs.TooLarge, "error.attachment.too_large", plans.MaxAttachment>>20)
			} else {
				f.fatal = errs.New(errs.Malformed, "plans.ui.error.form")
			}
		} else {
			f.files = r.MultipartForm.File
		}
	} else if err := r.ParseForm(); err != nil {
		f.fatal = errs.New(errs.Malformed, "plans.ui.error.form")
	}
	f.vals = r.PostForm
	return f
}

func readQuery(r *http.Request) *formIn { return &formIn{vals: r.URL.Query()} }

func (f *formIn) err() error {
	if f.fatal != nil {
		return f.fatal
	}
	return f.v.Err()
}

func (f *formIn) text(name string) string { return strings.TrimSpace(f.vals.Get(name)) }

func (f *formIn) bool(name string) bool { return f.vals.Get(name) == "true" }

func (f *formIn) date(name string) clock.Date {
	s := f.text(name)
	if s == "" {
		return clock.Date{}
	}
	d, err := clock.ParseDate(s)
	if err != nil {
		f.v.Add(name, "error.date")
	}
	return d
}

// dates reads dates separated by commas or spaces.
func (f *formIn) dates(name string) []clock.Date {
	var out []clock.Date
	for _, s := range strings.Fields(strings.ReplaceAll(f.vals.Get(name), ",", " ")) {
		d, err := clock.ParseDate(s)
		if err != nil {
			f.v.Add(name, "error.date")
			return nil
		}
		out = append(out, d)
	}
	return out
}

// id reads a positive id; empty is 0.
func (f *formIn) id(name string) int64 {
	s := f.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		f.v.Add(name, "error.number")
	}
	return n
}

func (f *formIn) ids(name string) []int64 {
	var out []int64
	for _, s := range f.vals[name] {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.v.Add(name, "error.number")
			return nil
		}
		out = append(out, n)
	}
	return out
}

// number reads a decimal number; empty is nil.
func (f *formIn) number(name string) *float64 {
	s := f.text(name)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		f.v.Add(name, "plans.ui.error.number")
		return nil
	}
	return &n
}

func (f *formIn) float(name string) float64 {
	if n := f.number(name); n != nil {
		return *n
	}
	return 0
}

func (f *formIn) int(name string) int {
	s := f.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.v.Add(name, "plans.ui.error.whole")
	}
	return n
}

func (f *formIn) version() int { return f.int("version") }

// attach stores the evidence files of field "file" on a report or a
// completion report. A refused file is an error on that field.
// formFiles reads the form's files for a service step that stores them with
// it.
func formFiles(f *formIn) ([]plans.File, error) {
	var out []plans.File
	for _, fh := range f.files["file"] {
		data, err := readUpload(fh)
		if err != nil {
			return nil, asFileField(err)
		}
		out = append(out, plans.File{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// asFileField makes a refused file an error of the form's file field, so
// the form shows it there.
func asFileField(err error) error {
	if e, ok := errs.As(err); ok && (e.Kind == errs.TooLarge || e.Kind == errs.Unsupported) {
		return &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "file", Key: e.Key, Args: e.Args}}}
	}
	return err
}

// attach adds the form's files to a report or completion report on their own.
func (s *Server) attach(ctx context.Context, f *formIn, ownerType string, ownerID int64) error {
	files, err := formFiles(f)
	for _, file := range files {
		if err == nil {
			_, err = s.Plans.AddAttachment(ctx, ownerType, ownerID, file.Name, file.Data)
		}
	}
	return asFileField(err)
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > plans.MaxAttachment {
		return nil, errs.New(errs.TooLarge, "error.attachment.too_large", plans.MaxAttachment>>20)
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, plans.MaxAttachment+1))
}

// why says in words why a task has its light; a cancelled task's reason
// names its status.
func why(lang string, v plans.Verdict) string {
	args := make([]any, len(v.Args))
	for i, a := range v.Args {
		args[i] = a
		if i18n.Has(lang, "task.status."+a) {
			args[i] = i18n.T(lang, "task.status."+a)
		}
	}
	return i18n.T(lang, v.Key, args...)
}

// serveAttachment sends an evidence file for download.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, data, err := s.Plans.AttachmentContent(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(data)
}

// taskTable is a list of tasks, drawn by the "task-table" template.
type taskTable struct {
	P       pageData
	Dir     *directory
	Tasks   []plans.Task
	Caption string
}

// TaskTable lists tasks under the caption captionKey.
func (p pageData) TaskTable(dir *directory, tasks []plans.Task, captionKey string) taskTable {
	return taskTable{p, dir, tasks, p.T(captionKey)}
}

// Rows draws the table's rows as the "badge" and "bar" templates would.
// Built here: lists of fifty tasks are the most drawn markup there is, and
// as template actions each row cost some forty reflective calls.
func (t taskTable) Rows() template.HTML {
	var b strings.Builder
	esc := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	progress := t.P.T("plans.ui.col.progress")
	for _, k := range t.Tasks {
		light := string(k.Light)
		b.WriteString(`<tr><td><span class="badge light-`)
		esc(light)
		b.WriteString(`">`)
		esc(t.P.Label("light", light))
		b.WriteString(`</span></td><td><a href="/tasks/`)
		b.WriteString(itoa(k.ID))
		b.WriteString(`">`)
		esc(k.Code + " " + k.Title)
		b.WriteString(`</a></td><td>`)
		esc(t.Dir.Unit(k.LeadUnitID))
		b.WriteString(`</td><td>`)
		esc(k.DueOn.String())
		pct := t.P.Pct(k.Progress)
		b.WriteString(`</td><td><span class="bar"><progress max="100" value="`)
		b.WriteString(strconv.FormatFloat(k.Progress, 'g', -1, 64))
		b.WriteString(`" aria-label="`)
		esc(progress)
		b.WriteString(`">`)
		esc(pct)
		b.WriteString(`</progress> `)
		esc(pct)
		b.WriteString(`</span></td><td>`)
		esc(t.P.Label("status", k.Status))
		b.WriteString("</td></tr>\n")
	}
	if len(t.Tasks) == 0 {
		b.WriteString(`<tr><td colspan="6">`)
		esc(t.P.T("list.empty"))
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}

// reportTable is a list of progress reports, drawn by the "report-table"
// template.
type reportTable struct {
	P       pageData
	Dir     *directory
	Rows    []plans.ReportRow
	Caption string
	Today   clock.Date
}

// ReportTable lists reports under the caption captionKey.
func (p pageData) ReportTable(dir *directory, rows []plans.ReportRow, captionKey string, today clock.Date) reportTable {
	return reportTable{p, dir, rows, p.T(captionKey), today}
}

// Timely says in words whether report r came on time.
func (t reportTable) Timely(r plans.Report) string {
	return t.P.T("plans.ui.timely." + timeliness(r, t.Today))
}

// reportAction handles a form of the report page.
func (s *Server) reportAction(formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return s.objectAction("/reports/", s.reportPage, formID, act)
}

// taskAction handles a form of the task page.
func (s *Server) taskAction(formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return s.objectAction("/tasks/", s.taskPage, formID, act)
}

// objectAction handles a form on the page of object base+{id}: act with the
// form read, then back to that page.
func (s *Server) objectAction(base string, build pageFunc, formID string, act func(ctx context.Context, id int64, f *formIn) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := readForm(w, r)
		id, _ := pathID(r, "id")
		err := f.err()
		if err == nil {
			err = act(r.Context(), id, f)
		}
		s.finish(w, r, err, formID, build, base+itoa(id))
	}
}
