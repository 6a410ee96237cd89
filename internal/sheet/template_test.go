package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/i18n"
)

var templateSpec = TableSpec{Sheet: "object.unit", Columns: taskSpec.Columns}

func unitNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("第%03d成员单位", i+1)
	}
	return out
}

func TestTemplateRoundTrip(t *testing.T) {
	due := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	rows := []map[string]any{
		{"code": "001", "name": "港口协同", "unit": "第007成员单位", "count": 3, "budget": 12.5, "due": due, "progress": 85.5, "status": "active", "urgent": true},
		{"code": "T-002", "name": "=不是公式", "budget": int64(-2), "progress": 0, "status": "disabled", "urgent": false},
		{"code": "T-003", "name": "空值", "due": time.Time{}, "unit": nil},
	}
	want := []string{
		"2 code=001 name=港口协同 unit=第007成员单位 count=3 budget=12.5 due=2024-03-31 progress=85.5 status=active urgent=true",
		"3 code=T-002 name==不是公式 budget=-2 progress=0 status=disabled urgent=false",
		"4 code=T-003 name=空值",
	}
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			tp := NewTemplate(lang)
			if err := tp.Instructions("填报说明", []string{"带 * 的列必须填写。", "日期写作 2024-03-31。"}); err != nil {
				t.Fatal(err)
			}
			w, err := tp.AddTable(templateSpec, map[string][]string{"unit": unitNames(300)})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := w.Append(r); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := tp.Write(&buf); err != nil {
				t.Fatal(err)
			}
			tb := read(t, buf.Bytes(), templateSpec)
			same(t, "rows", dump(tb, templateSpec), want)
			same(t, "problems", brief(tb.Problems), []string{})
			checkTemplate(t, buf.Bytes(), lang)
		})
	}
}

// checkTemplate looks at the template as Excel will: sheets, headers,
// frozen panes and validations.
func checkTemplate(t *testing.T, data []byte, lang string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := i18n.T(lang, "object.unit")
	same(t, "sheets", f.GetSheetList(), []string{i18n.T(lang, "sheet.instructions"), sheet, listSheet})
	if v, _ := f.GetSheetVisible(listSheet); v {
		t.Error("the list sheet is visible")
	}
	if s, _ := f.GetCellValue(i18n.T(lang, "sheet.instructions"), "A4"); s != "2. 日期写作 2024-03-31。" {
		t.Errorf("instruction line = %q", s)
	}
	header, _ := f.GetRows(sheet)
	if got := strings.Join(header[0], "|"); !strings.HasPrefix(got, i18n.T(lang, "field.code")+"*|"+i18n.T(lang, "field.name")+"*|"+i18n.T(lang, "field.unit")+"|") {
		t.Errorf("header = %s", got)
	}
	panes, _ := f.GetPanes(sheet)
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v", panes)
	}
	dvs, _ := f.GetDataValidations(sheet)
	got := map[string]string{}
	for _, dv := range dvs {
		got[dv.Sqref] = dv.Type + " " + dv.Formula1
	}
	wantDV := map[string]string{
		"C2:C1048576": "list '_lists'!$A$1:$A$300",
		"F2:F1048576": "date 32874",
		"G2:G1048576": "decimal 0",
		"H2:H1048576": fmt.Sprintf("list \"%s,%s\"", i18n.T(lang, "field.active"), i18n.T(lang, "field.disabled")),
		"I2:I1048576": fmt.Sprintf("list \"%s,%s\"", i18n.T(lang, "sheet.bool.yes"), i18n.T(lang, "sheet.bool.no")),
	}
	if fmt.Sprint(got) != fmt.Sprint(wantDV) {
		t.Errorf("validations:\n got  %v\n want %v", got, wantDV)
	}
	if last, _ := f.GetCellValue(listSheet, "A300"); last != "第300成员单位" {
		t.Errorf("list ends with %q", last)
	}
}

// TestTemplateFilled fills an English template as a user would, typing into
// Excel, and reads it with the same spec.
func TestTemplateFilled(t *testing.T) {
	tp := NewTemplate("en")
	if _, err := tp.AddTable(templateSpec, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tp.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sheet := i18n.T("en", "object.unit")
	f.SetSheetRow(sheet, "A2", &[]any{"A-1", "Port", "Dalian", "４", "3,000", "2024/4/1", "50%", "Active", "No"})
	f.SetSheetRow(sheet, "A3", &[]any{"A-2", "Park", nil, 2, 1.25, time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), 0.5, "已停用", "Y"})
	f.SetSheetRow(sheet, "A5", &[]any{"A-3", nil, nil, nil, nil, "soon"})
	buf.Reset()
	f.Write(&buf)
	tb := read(t, buf.Bytes(), templateSpec)
	same(t, "rows", dump(tb, templateSpec), []string{
		"2 code=A-1 name=Port unit=Dalian count=4 budget=3000 due=2024-04-01 progress=50 status=active urgent=false",
		"3 code=A-2 name=Park count=2 budget=1.25 due=2025-01-02 progress=0.5 status=disabled urgent=true",
		"5 code=A-3",
	})
	same(t, "problems", brief(tb.Problems), []string{"unit!B5 error.sheet.required", "unit!F5 error.sheet.date soon"})
}

func TestTemplateMisuse(t *testing.T) {
	tp := NewTemplate("zh-Hans")
	if _, err := tp.AddTable(TableSpec{Columns: taskSpec.Columns}, nil); err == nil {
		t.Error("a table without a sheet name")
	}
	if _, err := tp.AddTable(templateSpec, map[string][]string{"nope": {"x"}}); err == nil {
		t.Error("a list for no column")
	}
	w, err := tp.AddTable(TableSpec{Sheet: "object.user", Columns: taskSpec.Columns}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []map[string]any{
		{"nope": "x"},
		{"count": "3"},
		{"count": 3.5},
		{"due": "2024-03-31"},
		{"status": "paused"},
		{"urgent": "是"},
		{"name": 7},
	} {
		if err := w.Append(row); err == nil {
			t.Errorf("Append(%v) took it", row)
		}
	}
}

// TestLongChoice puts a Choice list too long for a validation on the list
// sheet.
func TestLongChoice(t *testing.T) {
	var opts []Option
	for range 40 {
		opts = append(opts, Option{Value: "x", Label: "sheet.dv.percent"})
	}
	spec := TableSpec{Sheet: "object.unit", Columns: []Column{{Key: "k", Label: "field.kind", Type: Choice, Options: opts}}}
	tp := NewTemplate("en")
	if _, err := tp.AddTable(spec, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tp.Write(&buf)
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	dvs, _ := f.GetDataValidations("unit")
	if len(dvs) != 1 || dvs[0].Formula1 != "'_lists'!$A$1:$A$40" {
		t.Errorf("validation = %+v", dvs)
	}
}
