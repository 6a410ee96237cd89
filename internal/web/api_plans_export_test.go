package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/i18n"
)

// apSheet reads an export, CSV or XLSX, into rows of cells.
func apSheet(t *testing.T, format string, res result) [][]string {
	t.Helper()
	if format == "csv" {
		body, ok := strings.CutPrefix(res.Body, "\xEF\xBB\xBF")
		if !ok {
			t.Error("CSV without a UTF-8 byte order mark")
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v", err)
		}
		return rows
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestPlanAPIExports: the task and report lists as CSV and XLSX, with
// headers and values in the request's language, the filters applied, and
// each export on the audit trail.
func TestPlanAPIExports(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		f.token("viewer") // signed in before the audit rows are counted
		for _, c := range []struct {
			path, format, accept, lang string
			firstCols                  []string // the first headers, as catalogue keys
			rows                       int      // below the header
			cells                      []string // in some row
		}{
			{fmt.Sprintf("/tasks?lead_unit_id=%d", f.Own.ID), "csv", "", "zh-Hans", []string{"api.col.task.id", "api.col.task.plan", "api.col.task.code"}, 1,
				[]string{"P1", "T-1", "本单位", "他单位", "task.status.active"}},
			{"/tasks?sort=due", "xlsx", "en", "en", []string{"api.col.task.id", "api.col.task.plan"}, 2, []string{"T-2", "task.status.active"}},
			{fmt.Sprintf("/reports?task_id=%d&unit_id=%d", f.TaskOwn.ID, f.Own.ID), "csv", "zh-TW", "zh-Hant", []string{"api.col.report.id", "api.col.report.task_code"}, -1,
				[]string{"T-1", "本单位", "report.state.pending"}},
			{fmt.Sprintf("/reports?task_id=%d", f.TaskOwn.ID), "xlsx", "", "zh-Hans", []string{"api.col.report.id"}, -1, []string{"他单位"}},
		} {
			name := c.path + " " + c.format + " " + c.lang
			mark := arLastID(f)
			res := a.do("viewer", "GET", c.path+"&format="+c.format, nil, map[string]string{"Accept-Language": c.accept})
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d %s", name, res.StatusCode, pmSnippet(res.Body))
				continue
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.HasSuffix(cd, "."+c.format) {
				t.Errorf("%s: Content-Disposition %q", name, cd)
			}
			rows := apSheet(t, c.format, res)
			for i, key := range c.firstCols {
				if len(rows) == 0 || rows[0][i] != i18n.T(c.lang, key) {
					t.Errorf("%s: header %d is not %q: %v", name, i, i18n.T(c.lang, key), rows)
				}
			}
			if c.rows >= 0 && len(rows) != c.rows+1 {
				t.Errorf("%s: %d rows, want %d", name, len(rows)-1, c.rows)
			}
			for _, cell := range c.cells {
				if strings.Contains(cell, ".") {
					cell = i18n.T(c.lang, cell)
				}
				if !slices.ContainsFunc(rows[1:], func(r []string) bool { return slices.Contains(r, cell) }) {
					t.Errorf("%s: no row has %q: %v", name, cell, rows)
				}
			}
			if rs := arRowsAfter(f, mark); len(rs) != 1 || rs[0].Action != "export" || rs[0].Actor != "viewer" || !strings.Contains(rs[0].Det, c.format) {
				t.Errorf("%s: audit rows %+v, want one export row", name, rs)
			}
		}
		a.want("an unknown format", a.do("viewer", "GET", "/tasks?format=pdf", nil, nil), http.StatusUnprocessableEntity, "invalid")
		a.wantField("a bad filter", a.do("viewer", "GET", "/reports?format=csv&state=lost", nil, nil), "state")
		a.want("an administrator", a.do("sys-admin", "GET", "/tasks?format=csv", nil, nil), http.StatusForbidden, "forbidden")
	})
}

// apTasksCSV is the fixture's task list as exported in Simplified Chinese;
// {-40} and {+60} stand for the days the tasks start and are due.
const apTasksCSV = "\xEF\xBB\xBF" + `编号,所属计划,任务编号,任务,协同领域,牵头单位,配合单位,开始日期,完成时限,状态,亮灯,进度（%）,办结日期
1,P1,T-1,任务 T-1,规划协同,本单位,他单位,{-40},{+60},进行中,预警,0,
2,P1,T-2,任务 T-2,规划协同,他单位,本单位,{-40},{+60},进行中,预警,0,
`

// TestPlanAPITaskExportGolden compares the whole CSV export of the task list
// with what it must be, byte for byte.
func TestPlanAPITaskExportGolden(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		res := a.do("viewer", "GET", "/tasks?format=csv", nil, nil)
		got := strings.NewReplacer(apDay(-40), "{-40}", apDay(60), "{+60}").Replace(res.Body)
		if got != apTasksCSV {
			t.Errorf("tasks CSV:\n%s\nwant:\n%s", got, apTasksCSV)
		}
	})
}
