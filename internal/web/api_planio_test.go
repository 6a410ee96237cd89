package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/i18n"
)

// ioFormType is the Content-Type of ioForm's bodies.
const ioFormType = "multipart/form-data; boundary=" + uiBoundary

// ioForm is a multipart/form-data body of fields and a file in the field
// "file"; name "" sends the empty part of a form whose file was not chosen.
func ioForm(fields url.Values, name string, data []byte) string {
	return uiMultipart(fields, name, string(data))
}

// ioNote is the revision note an import into the fixture's plan (in force)
// needs, as form fields.
var ioNote = url.Values{"reason": {"联席会议调整任务"}, "approved_by": {"协调办公室"}}

// ioBook is a downloaded workbook opened to be filled in like a user would,
// by the headers of its table in lang.
type ioBook struct {
	t     *testing.T
	f     *excelize.File
	lang  string
	sheet string
}

func ioOpen(t *testing.T, data []byte, lang, sheetKey string) *ioBook {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	b := &ioBook{t: t, f: f, lang: lang, sheet: i18n.T(lang, sheetKey)}
	if idx, _ := f.GetSheetIndex(b.sheet); idx < 0 {
		t.Fatalf("no sheet %q in %v", b.sheet, f.GetSheetList())
	}
	return b
}

func (b *ioBook) rows() [][]string {
	rows, err := b.f.GetRows(b.sheet)
	if err != nil {
		b.t.Fatal(err)
	}
	return rows
}

// col is the letter of column key (planio.col.KEY in the header row).
func (b *ioBook) col(key string) string {
	b.t.Helper()
	for i, h := range b.rows()[0] {
		if strings.TrimSuffix(h, "*") == i18n.T(b.lang, "planio.col."+key) {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	b.t.Fatalf("no column %s", key)
	return ""
}

// row is the number of the row whose column key reads value.
func (b *ioBook) row(key, value string) int {
	b.t.Helper()
	c, _ := excelize.ColumnNameToNumber(b.col(key))
	for i, r := range b.rows() {
		if len(r) >= c && r[c-1] == value {
			return i + 1
		}
	}
	b.t.Fatalf("no row with %s = %q", key, value)
	return 0
}

func (b *ioBook) set(row int, key string, v any) {
	b.t.Helper()
	if err := b.f.SetCellValue(b.sheet, fmt.Sprintf("%s%d", b.col(key), row), v); err != nil {
		b.t.Fatal(err)
	}
}

func (b *ioBook) get(row int, key string) string {
	b.t.Helper()
	v, err := b.f.GetCellValue(b.sheet, fmt.Sprintf("%s%d", b.col(key), row))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// copyRow copies row from to the row after the last one, and returns it.
func (b *ioBook) copyRow(from int) int {
	b.t.Helper()
	to := len(b.rows()) + 1
	if err := b.f.DuplicateRowTo(b.sheet, from, to); err != nil {
		b.t.Fatal(err)
	}
	return to
}

// keepOnly removes the data rows other than row.
func (b *ioBook) keepOnly(row int) {
	b.t.Helper()
	for r := len(b.rows()); r > 1; r-- {
		if r != row {
			if err := b.f.RemoveRow(b.sheet, r); err != nil {
				b.t.Fatal(err)
			}
		}
	}
}

func (b *ioBook) bytes() []byte {
	b.t.Helper()
	var out bytes.Buffer
	if err := b.f.Write(&out); err != nil {
		b.t.Fatal(err)
	}
	return out.Bytes()
}

// ioPreview reads an import's answer: the preview itself (200) or the one in
// the 422's current.
func ioPreview(t *testing.T, res result) (rows []map[string]any, problems []map[string]any, committed bool) {
	t.Helper()
	pv := res.JSON
	if res.StatusCode == http.StatusUnprocessableEntity {
		pv, _ = res.JSON["current"].(map[string]any)
	}
	for _, r := range pv["rows"].([]any) {
		rows = append(rows, r.(map[string]any))
	}
	for _, p := range pv["problems"].([]any) {
		problems = append(problems, p.(map[string]any))
	}
	return rows, problems, pv["committed"] == true
}

func ioActions(rows []map[string]any) string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%v:%v", r["code"], r["action"]))
	}
	return strings.Join(out, " ")
}

func ioCount(f *fixture, query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestPlanWorkbookRoundTrip: a plan downloads as a workbook that imports
// back unchanged; a dry run shows the changes of an edited one and writes
// nothing but its audit row; the commit writes them; bad files are refused
// with their problems located and worded in the request's language.
func TestPlanWorkbookRoundTrip(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		plan := fmt.Sprintf("/plans/%d", f.Plan.ID)
		f.token("viewer")
		f.token("coordinator")
		send := func(login, query string, body string, header map[string]string) result {
			t.Helper()
			h := map[string]string{"Content-Type": ioFormType}
			for k, v := range header {
				h[k] = v
			}
			return a.do(login, "POST", plan+"/import"+query, body, h)
		}

		mark := arLastID(f)
		res := a.do("viewer", "GET", plan+"/workbook", nil, nil)
		a.want("download", res, http.StatusOK, "")
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename*=UTF-8''plan-P1-") || !strings.HasSuffix(cd, ".xlsx") {
			t.Errorf("Content-Disposition %q", cd)
		}
		if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "export" || rows[0].ObjectType != "plan" || rows[0].Actor != "viewer" {
			t.Errorf("download's audit rows %+v", rows)
		}
		wb := []byte(res.Body)

		// Unchanged, as XLSX and as CSV of its task sheet.
		book := ioOpen(t, wb, "zh-Hans", "planio.sheet.tasks")
		var csvBody bytes.Buffer
		csvBody.WriteString("\xEF\xBB\xBF")
		cw := csv.NewWriter(&csvBody)
		cw.WriteAll(book.rows())
		for _, file := range []struct{ name, data string }{{"计划.xlsx", string(wb)}, {"计划.csv", csvBody.String()}} {
			mark = arLastID(f)
			res = send("coordinator", "", ioForm(ioNote, file.name, []byte(file.data)), nil)
			a.want(file.name+" unchanged", res, http.StatusOK, "")
			rows, problems, committed := ioPreview(t, res)
			if ioActions(rows) != "T-1:unchanged T-2:unchanged" || len(problems) != 0 || committed {
				t.Errorf("%s: %s", file.name, res.Body)
			}
			if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "import.dry_run" || rows[0].ObjectID != fmt.Sprint(f.Plan.ID) ||
				!strings.Contains(rows[0].After, file.name) || strings.Contains(rows[0].After, "T-1") {
				t.Errorf("%s: audit rows %+v", file.name, rows)
			}
		}

		// An edited workbook: a title changed and a task added.
		r1 := book.row("code", "T-1")
		book.set(r1, "title", "任务 T-1（调整）")
		r3 := book.copyRow(book.row("code", "T-2"))
		book.set(r3, "code", "T-3")
		book.set(r3, "title", "新增任务")
		edited := book.bytes()

		// A plan in force takes changes only as a revision.
		res = send("coordinator", "", ioForm(nil, "plan.xlsx", edited), map[string]string{"Accept-Language": "en"})
		a.want("no revision note", res, http.StatusUnprocessableEntity, "sheet.problems")
		if _, problems, _ := ioPreview(t, res); len(problems) != 2 || !slices.ContainsFunc(problems, func(p map[string]any) bool {
			return p["field"] == "revision.reason" && p["message"] == "Sheet “任务” (Reason for the revision): Required"
		}) {
			t.Errorf("no revision note: %s", res.Body)
		}

		tasks := ioCount(f, `SELECT count(*) FROM tasks`)
		mark = arLastID(f)
		res = send("coordinator", "", ioForm(ioNote, "plan.xlsx", edited), nil)
		a.want("dry run", res, http.StatusOK, "")
		rows, _, committed := ioPreview(t, res)
		if ioActions(rows) != "T-1:update T-2:unchanged T-3:create" || committed {
			t.Fatalf("dry run: %s", res.Body)
		}
		if ch, _ := rows[0]["changes"].([]any); len(ch) != 1 || ch[0].(map[string]any)["field"] != "title" || ch[0].(map[string]any)["to"] != "任务 T-1（调整）" {
			t.Errorf("T-1's changes: %v", rows[0]["changes"])
		}
		if rows := arRowsAfter(f, mark); len(rows) != 1 || ioCount(f, `SELECT count(*) FROM tasks`) != tasks ||
			ioCount(f, `SELECT count(*) FROM tasks WHERE title = $1`, "任务 T-1") != 1 {
			t.Errorf("the dry run wrote: %+v", rows)
		}

		// The commit writes it all, as one revision; as query parameters too.
		q := "?commit=1&" + ioNote.Encode()
		res = send("coordinator", q, ioForm(nil, "plan.xlsx", edited), nil)
		a.want("commit", res, http.StatusOK, "")
		if rows, _, committed := ioPreview(t, res); !committed || ioActions(rows) != "T-1:update T-2:unchanged T-3:create" {
			t.Fatalf("commit: %s", res.Body)
		}
		if ioCount(f, `SELECT count(*) FROM tasks WHERE code = 'T-3' AND plan_id = $1`, f.Plan.ID) != 1 ||
			ioCount(f, `SELECT count(*) FROM tasks WHERE title = $1`, "任务 T-1（调整）") != 1 ||
			ioCount(f, `SELECT count(*) FROM audit_log WHERE action = 'plan.import'`) != 1 {
			t.Error("the commit did not write the changes")
		}
		// Downloaded again, it imports unchanged.
		again := a.do("coordinator", "GET", plan+"/workbook", nil, nil)
		res = send("coordinator", "", ioForm(ioNote, "plan.xlsx", []byte(again.Body)), nil)
		if rows, problems, _ := ioPreview(t, res); ioActions(rows) != "T-1:unchanged T-2:unchanged T-3:unchanged" || len(problems) != 0 {
			t.Errorf("re-import after the commit: %s", res.Body)
		}

		// A wrong unit: 422, located, in English, and nothing written.
		book.set(r3, "lead_unit", "本单")
		tasks = ioCount(f, `SELECT count(*) FROM tasks`)
		mark = arLastID(f)
		res = send("coordinator", "?commit=1", ioForm(ioNote, "plan.xlsx", book.bytes()), map[string]string{"Accept-Language": "en"})
		a.want("unknown unit", res, http.StatusUnprocessableEntity, "sheet.problems")
		ref := fmt.Sprintf("%s!%s%d", i18n.T("zh-Hans", "planio.sheet.tasks"), book.col("lead_unit"), r3)
		_, problems, committed := ioPreview(t, res)
		wantMsg := i18n.T("en", "sheet.at.message", i18n.T("en", "sheet.at.field", i18n.T("en", "sheet.at.sheet_cell", "任务", r3, book.col("lead_unit")),
			i18n.T("en", "planio.col.lead_unit")), i18n.T("en", "error.sheet.unknown_unit_suggest", "本单", "本单位"))
		if committed || len(problems) != 1 || problems[0]["ref"] != ref || problems[0]["field"] != "lead_unit" || problems[0]["message"] != wantMsg ||
			res.JSON["message"] != i18n.T("en", "error.sheet.problems", 1) || !slices.Equal(apFields(res), []string{ref}) {
			t.Errorf("unknown unit: %s\nwant message %q", res.Body, wantMsg)
		}
		if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "import.refused" || ioCount(f, `SELECT count(*) FROM tasks`) != tasks {
			t.Errorf("refused import wrote: %+v", rows)
		}

		// Files that are no workbook, and uploads that are no upload.
		en := map[string]string{"Accept-Language": "en"}
		res = send("coordinator", "", ioForm(ioNote, "计划.pdf", []byte("%PDF-1.4\n%%EOF\n")), en)
		a.want("a PDF", res, http.StatusUnsupportedMediaType, "sheet.pdf")
		if res.JSON["message"] != i18n.T("en", "error.sheet.pdf") {
			t.Errorf("a PDF: %s", res.Body)
		}
		a.want("broken zip", send("coordinator", "", ioForm(ioNote, "plan.xlsx", []byte("PK\x03\x04broken")), nil), http.StatusBadRequest, "sheet.corrupt")
		a.want("too large", send("coordinator", "", ioForm(ioNote, "plan.csv", bytes.Repeat([]byte("x"), 10<<20+1)), nil), http.StatusRequestEntityTooLarge, "sheet.too_large")
		a.wantField("no file", send("coordinator", "", ioForm(ioNote, "", nil), nil), "file")
		a.wantField("commit?", send("coordinator", "?commit=maybe", ioForm(ioNote, "plan.xlsx", wb), nil), "commit")
		a.want("JSON", a.do("coordinator", "POST", plan+"/import", map[string]any{"file": "x"}, nil), http.StatusUnsupportedMediaType, "api.upload")
		a.want("no such plan", a.do("coordinator", "POST", "/plans/999999/import", ioForm(ioNote, "plan.xlsx", wb), map[string]string{"Content-Type": ioFormType}), http.StatusNotFound, "not_found")
		a.want("viewer imports", send("viewer", "", ioForm(ioNote, "plan.xlsx", wb), nil), http.StatusForbidden, "forbidden")
		a.want("no such plan's workbook", a.do("viewer", "GET", "/plans/999999/workbook", nil, nil), http.StatusNotFound, "not_found")
	})
}

// TestPlanTemplateDownload: the empty template is in the request's language.
func TestPlanTemplateDownload(t *testing.T) {
	a := apNew(t, db.SQLite)
	for _, lang := range i18n.Languages {
		res := a.do("reporter", "GET", "/plan-template", nil, map[string]string{"Accept-Language": lang})
		a.want(lang, res, http.StatusOK, "")
		b := ioOpen(t, []byte(res.Body), lang, "planio.sheet.tasks")
		if rows := b.rows(); len(rows) != 1 || b.col("lead_unit") == "" {
			t.Errorf("%s: %d rows", lang, len(rows))
		}
	}
}

// TestReportWorkbookRoundTrip: a unit downloads its open reports, fills them
// in offline and uploads them: a dry run writes nothing, the commit saves
// (or submits) them, and a report changed since the download is refused on
// its row.
func TestReportWorkbookRoundTrip(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		id := fmt.Sprint(f.ReportOwn.ID)
		for _, login := range []string{"coordinator", "peer", "unit-leader", "reporter", "viewer"} {
			f.token(login)
		}
		download := func(login, query string) result {
			t.Helper()
			return f.do("GET", "/reports/workbook"+query, f.token(login), nil, nil)
		}
		send := func(login, query string, data []byte) result {
			t.Helper()
			return a.do(login, "POST", "/reports/import"+query, ioForm(nil, "报告.xlsx", data), map[string]string{"Content-Type": ioFormType})
		}
		fill := func(data []byte, submit bool) []byte {
			t.Helper()
			b := ioOpen(t, data, "zh-Hans", "planio.sheet.reports")
			row := b.row("report_id", id)
			b.keepOnly(row)
			b.set(2, "percent", 30)
			b.set(2, "self_status", i18n.T("zh-Hans", "self_status.on_track"))
			b.set(2, "narrative", "方案已完成初稿")
			b.set(2, "submit", submit)
			return b.bytes()
		}
		state := func() string {
			t.Helper()
			var s string
			if err := f.DB.R.QueryRow(`SELECT state FROM reports WHERE id = $1`, f.ReportOwn.ID).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}

		for _, c := range []struct {
			login, query string
			status       int
		}{{"coordinator", "", 403}, {"peer", fmt.Sprintf("?unit_id=%d", f.Own.ID), 403}, {"unit-leader", "", 200}, {"reporter", "", 200}} {
			if res := download(c.login, c.query); res.StatusCode != c.status {
				t.Errorf("%s downloads%s: %d", c.login, c.query, res.StatusCode)
			}
		}
		mark := arLastID(f)
		res := download("reporter", "")
		if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "export" || rows[0].ObjectID != fmt.Sprint(f.Own.ID) {
			t.Errorf("download's audit rows %+v", rows)
		}
		if b := ioOpen(t, []byte(res.Body), "zh-Hans", "planio.sheet.reports"); b.get(b.row("report_id", id), "code") != "T-1" {
			t.Errorf("the workbook lacks the report")
		}
		filled := fill([]byte(res.Body), false)

		mark = arLastID(f)
		res = send("reporter", "", filled)
		a.want("dry run", res, http.StatusOK, "")
		if rows, problems, committed := ioPreview(t, res); ioActions(rows) != id+":save" || len(problems) != 0 || committed {
			t.Errorf("dry run: %s", res.Body)
		}
		if rows := arRowsAfter(f, mark); len(rows) != 1 || rows[0].Action != "import.dry_run" || rows[0].ObjectType != "unit" || state() != "pending" {
			t.Errorf("the dry run wrote: %+v, state %s", rows, state())
		}

		// Another unit's reporter cannot write these reports.
		res = send("peer", "?commit=1", filled)
		a.want("peer", res, http.StatusUnprocessableEntity, "sheet.problems")
		if state() != "pending" {
			t.Error("peer's import wrote")
		}

		res = send("reporter", "?commit=1", filled)
		a.want("commit", res, http.StatusOK, "")
		if _, _, committed := ioPreview(t, res); !committed || state() != "draft" {
			t.Errorf("commit: %s, state %s", res.Body, state())
		}
		// The same file again: the report has moved on since the download.
		res = send("reporter", "?commit=1", filled)
		a.want("stale", res, http.StatusUnprocessableEntity, "sheet.problems")
		if _, problems, _ := ioPreview(t, res); len(problems) != 1 || !strings.HasSuffix(problems[0]["ref"].(string), "!2:2") {
			t.Errorf("stale: %s", res.Body)
		}
		// Downloaded afresh and submitted.
		res = send("unit-leader", "?commit=1", fill([]byte(download("unit-leader", "").Body), true))
		a.want("submit", res, http.StatusOK, "")
		if rows, _, _ := ioPreview(t, res); ioActions(rows) != id+":submit" || state() != "submitted" {
			t.Errorf("submit: %s, state %s", res.Body, state())
		}
		a.want("viewer", send("viewer", "", filled), http.StatusForbidden, "forbidden")
		a.want("no file", a.do("reporter", "POST", "/reports/import", ioForm(nil, "", nil), map[string]string{"Content-Type": ioFormType}), http.StatusUnprocessableEntity, "invalid")
	})
}
