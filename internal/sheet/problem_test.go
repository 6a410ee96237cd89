package sheet

import (
	"fmt"
	"strings"
	"testing"

	"concord/internal/errs"
	"concord/internal/errs/errstest"
	"concord/internal/i18n"
)

func TestProblemText(t *testing.T) {
	unit := Problem{Sheet: "任务", Row: 5, Col: "C", Field: "unit", Label: "field.unit", Key: "error.sheet.unknown_unit_suggest", Args: []string{"大莲市", "大连市"}}
	csvCell := Problem{Row: 3, Col: "D", Field: "count", Label: "field.position", Key: "error.sheet.int", Args: []string{"12.5"}}
	header := Problem{Sheet: "任务", Row: 1, Field: "name", Label: "field.name", Key: "error.sheet.missing_column"}
	sheet := Problem{Sheet: "任务", Key: "error.sheet.no_header"}
	bare := Problem{Key: "error.sheet.no_sheet", Args: []string{"任务 / 任務 / Tasks", "Sheet1"}}
	for _, c := range []struct {
		p    Problem
		want [3]string // zh-Hans, zh-Hant, en
	}{
		{unit, [3]string{
			"工作表“任务”第 5 行 C 列（所属单位）：未知单位“大莲市”，是否指“大连市”？",
			"工作表「任务」第 5 列 C 欄（所屬單位）：未知單位「大莲市」，是否指「大连市」？",
			"Sheet “任务”, row 5, column C (Unit): unknown member unit “大莲市”; did you mean “大连市”?",
		}},
		{csvCell, [3]string{
			"第 3 行 D 列（排序）：“12.5”不是整数",
			"第 3 列 D 欄（排序）：「12.5」不是整數",
			"Row 3, column D (Order): “12.5” is not a whole number",
		}},
		{header, [3]string{
			"工作表“任务”第 1 行（名称）：缺少此列，请在标题行中添加",
			"工作表「任务」第 1 列（名稱）：缺少此欄，請在標題列中新增",
			"Sheet “任务”, row 1 (Name): this column is missing; add it to the header row",
		}},
		{sheet, [3]string{
			"工作表“任务”：找不到标题行，请使用下载的模板",
			"工作表「任务」：找不到標題列，請使用下載的範本",
			"Sheet “任务”: no header row found; use the downloaded template",
		}},
		{bare, [3]string{
			"工作簿中没有名为“任务 / 任務 / Tasks”的工作表（现有工作表：Sheet1），请使用下载的模板",
			"活頁簿中沒有名為「任务 / 任務 / Tasks」的工作表（現有工作表：Sheet1），請使用下載的範本",
			"The workbook has no sheet named “任务 / 任務 / Tasks” (its sheets: Sheet1); use the downloaded template",
		}},
	} {
		for i, lang := range i18n.Languages {
			if got := c.p.Text(lang); got != c.want[i] {
				t.Errorf("%s %s:\n got  %s\n want %s", c.p.Key, lang, got, c.want[i])
			}
		}
	}
}

// TestProblemKeys checks that every problem a table can report has text in
// every language, with each argument used.
func TestProblemKeys(t *testing.T) {
	data := build(t, "任务", [][]any{
		{"代码", "状熊", "截止日期", "Due", "备注", "排序", "进度", "状态", "紧急", "预算（万元）"},
		{"A", "x", "2024-02-30", nil, nil, 1.5, 150, "启", "maybe", "x"},
		{nil, nil, nil, nil, nil, nil, "x", "zz", nil, nil, "y"},
	}, nil)
	tb := read(t, data, taskSpec)
	if len(tb.Problems) < 10 {
		t.Fatalf("only %d problems: %v", len(tb.Problems), brief(tb.Problems))
	}
	for _, p := range tb.Problems {
		for _, lang := range i18n.Languages {
			text := p.Text(lang)
			if strings.Contains(text, i18n.Missing) || strings.Contains(text, "{") {
				t.Errorf("%s: %s", lang, text)
			}
			for _, a := range p.Args {
				if !strings.Contains(text, a) {
					t.Errorf("%s: %q does not show %q", lang, text, a)
				}
			}
		}
	}
}

func TestProblemsErr(t *testing.T) {
	var ps Problems
	if ps.Err() != nil {
		t.Fatal("no problems, yet an error")
	}
	ps.Add(
		Problem{Sheet: "任务", Row: 10, Col: "B", Key: "error.sheet.required"},
		Problem{Sheet: "任务", Row: 2, Col: "AA", Key: "error.sheet.required"},
		Problem{Sheet: "任务", Row: 2, Col: "C", Key: "error.sheet.int", Args: []string{"x"}},
		Problem{Sheet: "任务", Key: "error.sheet.no_header"},
	)
	err := ps.Err()
	e := errstest.WantKind(t, err, errs.Invalid)
	if e.Key != "error.sheet.problems" || fmt.Sprint(e.Args) != "[4]" {
		t.Errorf("error = %v", e)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field+" "+f.Key+fmt.Sprint(f.Args))
	}
	same(t, "fields", fields, []string{"任务 error.sheet.no_header[]", "任务!C2 error.sheet.int[x]", "任务!AA2 error.sheet.required[]", "任务!B10 error.sheet.required[]"})
	back, ok := ProblemsOf(fmt.Errorf("import: %w", err))
	if !ok || len(back) != 4 || back[0].Key != "error.sheet.no_header" {
		t.Errorf("ProblemsOf = %v, %v", back, ok)
	}
	if ps[0].Row != 10 {
		t.Error("Err reordered the caller's problems")
	}
	if !strings.HasPrefix(ps.Error(), "4 problems: Sheet “任务”, row 10, column B: required") {
		t.Errorf("Error() = %s", ps.Error())
	}

	many := make(Problems, maxFields+50)
	for i := range many {
		many[i] = Problem{Row: i + 1, Key: "error.sheet.required"}
	}
	e, _ = errs.As(many.Err())
	if len(e.Fields) != maxFields || fmt.Sprint(e.Args) != fmt.Sprint([]any{maxFields + 50}) {
		t.Errorf("%d fields, args %v", len(e.Fields), e.Args)
	}
}

func TestRef(t *testing.T) {
	for _, c := range []struct {
		p    Problem
		want string
	}{
		{Problem{Sheet: "任务", Row: 5, Col: "C"}, "任务!C5"},
		{Problem{Sheet: "任务", Row: 5}, "任务!5:5"},
		{Problem{Sheet: "任务"}, "任务"},
		{Problem{Row: 5, Col: "C"}, "C5"},
		{Problem{}, ""},
	} {
		if got := c.p.Ref(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	units := []string{"沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市", "营口市", "阜新市", "辽阳市", "盘锦市", "铁岭市", "朝阳市", "葫芦岛市", "Dalian", "Shenyang", "大连市"}
	for _, c := range []struct {
		value, want string
	}{
		{"大莲市", "大连市"},   // one character off
		{"沈阳", "沈阳市"},    // the suffix left off
		{"沈 阳 市", "沈阳市"}, // spacing does not count
		{"Dalain", "Dalian"},
		{"ＤＡＬＩＡＮ", "Dalian"}, // full width and case do not count
		{"shenyan", "Shenyang"},
		{"锦阳市", ""}, // 锦州市, 辽阳市 and 朝阳市 are as close: no guess
		{"长春市", ""}, // nothing close
		{"营", ""},   // too short to guess from
		{"", ""},
		{strings.Repeat("大", 1000), ""},
	} {
		got, ok := Suggest(c.value, units)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("Suggest(%q) = %q, %v; want %q", c.value, got, ok, c.want)
		}
	}
	if s, ok := Suggest("大莲市", []string{"大连市", "大庆市"}); ok {
		t.Errorf("a tie suggested %q", s)
	}
}
