package web

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"concord/internal/audit"
	"concord/internal/errs"
	"concord/internal/planio"
	"concord/internal/plans"
)

// The Excel round trip of plans and progress reports: workbooks to download
// (the same handlers serve the API and the pages) and imports, checked in a
// dry run before anything is written.

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendWorkbook writes the workbook that write makes as a download named
// file. Made in memory first, so a failure is an error answer rather than a
// broken file; what carries the store's data is recorded as an export.
func (s *Server) sendWorkbook(w http.ResponseWriter, r *http.Request, file string, export *audit.Change, write func(io.Writer) error) {
	var buf bytes.Buffer
	err := write(&buf)
	if err == nil && export != nil {
		err = s.DB.Tx(r.Context(), func(tx *sql.Tx) error { return audit.Record(r.Context(), tx, *export) })
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(file))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}

func fileDate() string { return time.Now().In(cst).Format("20060102") }

// planTemplate sends an empty plan workbook in the user's language.
func (s *Server) planTemplate(w http.ResponseWriter, r *http.Request) {
	s.sendWorkbook(w, r, "plan-template.xlsx", nil, func(out io.Writer) error {
		return s.Planio.TaskTemplate(r.Context(), out, langOf(r), 0)
	})
}

// planWorkbook sends plan {id}'s tasks as a plan workbook in the user's
// language, which imports back unchanged.
func (s *Server) planWorkbook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var p plans.Plan
	if err == nil {
		p, err = s.Plans.Plan(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendWorkbook(w, r, "plan-"+p.Code+"-"+fileDate()+".xlsx",
		&audit.Change{Action: "export", ObjectType: "plan", ObjectID: id, Detail: "xlsx plan workbook"},
		func(out io.Writer) error { return s.Planio.TaskTemplate(r.Context(), out, langOf(r), id) })
}

// reportWorkbook sends a unit's open reports (the unit_id of the query, or
// the user's own unit) to fill in offline.
func (s *Server) reportWorkbook(w http.ResponseWriter, r *http.Request) {
	unit, _ := unitFromQuery(s, r)
	u, err := s.Alliance.Unit(r.Context(), unit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendWorkbook(w, r, "reports-"+u.Code+"-"+fileDate()+".xlsx",
		&audit.Change{Action: "export", ObjectType: "unit", ObjectID: unit, Detail: "xlsx report workbook"},
		func(out io.Writer) error { return s.Planio.ReportTemplate(r.Context(), out, langOf(r), unit) })
}

// ---- uploads ----

// importLimit is the largest file an import takes: the sheet reader's own
// limit (sheet.Limits' default), whose message the user sees either way.
const importLimit = 10 << 20

// importCap caps an import's body: the file and the few fields beside it.
const importCap = importLimit + 64<<10

// importFieldCap caps each text field of an import's form.
const importFieldCap = 8 << 10

// importFields are the form fields an import reads beside its file.
var importFields = map[string]bool{"reason": true, "approved_by": true, "commit": true, "sha256": true}

// importUpload is a file sent for import and the fields sent with it. It is
// held in memory for the request only: nothing is written to disk.
type importUpload struct {
	name   string
	data   []byte
	fields url.Values
}

// sum is the file's SHA-256, in hex: the page's confirmation carries it, so
// that what is imported is the file that was checked.
func (u importUpload) sum() string {
	h := sha256.Sum256(u.data)
	return hex.EncodeToString(h[:])
}

// value is a field of the form, else of the query.
func (u importUpload) value(r *http.Request, name string) string {
	if v, ok := u.fields[name]; ok {
		return strings.TrimSpace(v[0])
	}
	return strings.TrimSpace(r.URL.Query().Get(name))
}

// commit reads whether to import (1, true) or only check (0, false, none).
func (u importUpload) commit(r *http.Request) (bool, error) {
	switch u.value(r, "commit") {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	var v errs.Validation
	v.Add("commit", "error.choice")
	return false, v.Err()
}

// readImport reads an import's multipart/form-data body: the file in the
// field "file" and the text fields of importFields, as a stream of at most
// importCap bytes; other parts are skipped. A page's form posted without
// JavaScript was parsed already, for its CSRF field (validCSRF), in memory.
func readImport(w http.ResponseWriter, r *http.Request) (importUpload, error) {
	if r.MultipartForm != nil {
		return parsedImport(r.MultipartForm)
	}
	u := importUpload{fields: url.Values{}}
	r.Body = http.MaxBytesReader(w, r.Body, importCap)
	mr, err := r.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		return u, errs.New(errs.Unsupported, "error.api.upload")
	}
	if err != nil {
		return u, errs.New(errs.Malformed, "error.api.upload")
	}
	found := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return u, importFault(err)
		}
		switch name := p.FormName(); {
		case name == "file" && !found:
			if u.data, err = io.ReadAll(io.LimitReader(p, importLimit+1)); err != nil {
				return u, importFault(err)
			}
			if len(u.data) > importLimit {
				return u, importTooLarge()
			}
			// A form whose file was not chosen sends an empty, nameless one.
			u.name = p.FileName()
			found = u.name != "" || len(u.data) > 0
		case importFields[name]:
			b, err := io.ReadAll(io.LimitReader(p, importFieldCap+1))
			if err != nil {
				return u, importFault(err)
			}
			if err := u.addField(name, string(b)); err != nil {
				return u, err
			}
		}
	}
	return u, u.complete(found)
}

// parsedImport is readImport of a form parsed already.
func parsedImport(form *multipart.Form) (importUpload, error) {
	u := importUpload{fields: url.Values{}}
	for name := range importFields {
		for _, v := range form.Value[name] {
			if err := u.addField(name, v); err != nil {
				return u, err
			}
		}
	}
	files := form.File["file"]
	if len(files) == 0 {
		return u, u.complete(false)
	}
	if files[0].Size > importLimit {
		return u, importTooLarge()
	}
	file, err := files[0].Open()
	if err != nil {
		return u, importFault(err)
	}
	defer file.Close()
	if u.data, err = io.ReadAll(io.LimitReader(file, importLimit+1)); err != nil {
		return u, importFault(err)
	}
	if len(u.data) > importLimit {
		return u, importTooLarge()
	}
	u.name = files[0].Filename
	return u, u.complete(true)
}

func (u importUpload) addField(name, value string) error {
	if len(value) > importFieldCap {
		var v errs.Validation
		v.Add(name, "error.too_long", importFieldCap)
		return v.Err()
	}
	u.fields.Add(name, value)
	return nil
}

// complete checks that a file came.
func (u importUpload) complete(found bool) error {
	if !found {
		var v errs.Validation
		v.Add("file", "error.required")
		return v.Err()
	}
	return nil
}

func importTooLarge() error {
	return errs.New(errs.TooLarge, "error.sheet.too_large", importLimit>>20)
}

func importFault(err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return importTooLarge()
	}
	return errs.New(errs.Malformed, "error.api.upload")
}

// importRun checks an upload (or, with commit, imports it) and returns what
// it did or would do.
type importRun func(r *http.Request, u importUpload, commit bool) (planio.Preview, error)

// importPlan checks or imports a plan workbook into plan {id}; a plan in
// force records the import as a revision under the reason and approved_by
// fields (form or query).
func (s *Server) importPlan(r *http.Request, u importUpload, commit bool) (planio.Preview, error) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = s.Plans.Plan(r.Context(), id)
	}
	if err != nil {
		return planio.Preview{}, err
	}
	note := plans.RevisionNote{Reason: u.value(r, "reason"), ApprovedBy: u.value(r, "approved_by")}
	pv, err := s.Planio.ImportTasks(r.Context(), bytes.NewReader(u.data), planio.FormatOf(u.name), langOf(r), id, note, commit)
	return pv, s.recordCheck(r, u, commit, "plan", id, pv, err)
}

// importReports checks or imports a report workbook of the user's unit.
func (s *Server) importReports(r *http.Request, u importUpload, commit bool) (planio.Preview, error) {
	pv, err := s.Planio.ImportReports(r.Context(), bytes.NewReader(u.data), planio.FormatOf(u.name), commit)
	return pv, s.recordCheck(r, u, commit, "unit", actorOf(r).UnitID, pv, err)
}

// recordCheck puts an import that wrote nothing on the audit trail (the
// services record what an import writes): who checked which file and when,
// and what the check found, never the file's content. An asked-for import
// that the file's problems stopped is import.refused.
func (s *Server) recordCheck(r *http.Request, u importUpload, commit bool, objType string, objID int64, pv planio.Preview, err error) error {
	if err != nil || pv.Committed {
		return err
	}
	action := "import.dry_run"
	if commit {
		action = "import.refused"
	}
	name := strings.ToValidUTF8(u.name, "?")
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		return audit.Record(r.Context(), tx, audit.Change{Action: action, ObjectType: objType, ObjectID: objID,
			After: map[string]any{"file": name, "bytes": len(u.data), "sha256": u.sum(), "format": planio.FormatOf(u.name),
				"rows": len(pv.Rows), "problems": len(pv.Problems)}})
	})
}

// previewJSON is an import's answer: each row's action and changes, each
// problem located and worded in the request's language, and whether the
// import was made.
type previewJSON struct {
	Rows      []plans.RowResult `json:"rows"`
	Problems  []problemJSON     `json:"problems"`
	Committed bool              `json:"committed"`
}

type problemJSON struct {
	Ref     string `json:"ref"`
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Col     string `json:"col"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func newPreviewJSON(lang string, pv planio.Preview) previewJSON {
	out := previewJSON{Rows: make([]plans.RowResult, len(pv.Rows)), Problems: make([]problemJSON, len(pv.Problems)), Committed: pv.Committed}
	for i, row := range pv.Rows {
		if row.Changes == nil {
			row.Changes = []plans.Change{}
		}
		out.Rows[i] = row
	}
	for i, p := range pv.Problems {
		out.Problems[i] = problemJSON{Ref: p.Ref(), Sheet: p.Sheet, Row: p.Row, Col: p.Col, Field: p.Field, Message: p.Text(lang)}
	}
	return out
}

// apiImport answers an upload to run: 200 with the preview when the file is
// clean (imported when commit=1), or 422 sheet.problems when it is not,
// with nothing written, each problem in fields by its cell reference and
// the whole preview in current.
func (s *Server) apiImport(run importRun) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := readImport(w, r)
		commit := false
		if err == nil {
			commit, err = u.commit(r)
		}
		var pv planio.Preview
		if err == nil {
			pv, err = run(r, u, commit)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		body := newPreviewJSON(langOf(r), pv)
		if e, ok := errs.As(pv.Err()); ok {
			c := *e
			c.Current = body
			s.apiFail(w, r, &c)
			return
		}
		writeJSON(w, http.StatusOK, body)
	}
}
