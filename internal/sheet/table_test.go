package sheet

import (
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestTable(t *testing.T) {
	date := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		rows     [][]any
		edit     func(f *excelize.File)
		spec     *TableSpec
		rowsWant []string
		problems []string
	}{{
		name: "every type, written the ways people write them",
		rows: [][]any{
			taskHeader,
			{"T-001", "港口协同", "大连市", 3, 12.5, date, 85, "启用", "是"},
			{"T-002", "  产业园区　", nil, "１２", "1,234.5", "2024/3/31", "12%", "Disabled", "yes"},
			{"T-003", "通关", nil, "7.0", "-0.5", "2024年3月31日", "１２．５％", "disabled", "√"},
			{"T-004", "环境", nil, nil, nil, "2024.3.31", 0, "已停用", "否"},
			{"T-005", "创新", nil, nil, nil, "２０２４年３月３１日", 100, "active", "FALSE"},
			{"T-006", "规划", nil, nil, nil, 45382, nil, nil, 0},
			{"T-007", "改革", nil, nil, nil, "20240331", nil, nil, false},
			{"T-008", "政策", nil, nil, nil, "2024-03-31 08:30:00", nil, nil, nil},
			{"T-009", "数字", nil, nil, nil, 20240331, nil, nil, nil},
		},
		rowsWant: []string{
			"2 code=T-001 name=港口协同 unit=大连市 count=3 budget=12.5 due=2024-03-31 progress=85 status=active urgent=true",
			"3 code=T-002 name=产业园区 count=12 budget=1234.5 due=2024-03-31 progress=12 status=disabled urgent=true",
			"4 code=T-003 name=通关 count=7 budget=-0.5 due=2024-03-31 progress=12.5 status=disabled urgent=true",
			"5 code=T-004 name=环境 due=2024-03-31 progress=0 status=disabled urgent=false",
			"6 code=T-005 name=创新 due=2024-03-31 progress=100 status=active urgent=false",
			"7 code=T-006 name=规划 due=2024-03-31 urgent=false",
			"8 code=T-007 name=改革 due=2024-03-31 urgent=false",
			"9 code=T-008 name=政策 due=2024-03-31",
			"10 code=T-009 name=数字 due=2024-03-31",
		},
	}, {
		name: "headers in English, marked required, odd spacing and case",
		rows: [][]any{
			{"　CODE*　", "name ＊", "Due"},
			{"A", "B", "2024-1-2"},
		},
		rowsWant: []string{"2 code=A name=B due=2024-01-02"},
	}, {
		name: "missing, unknown and repeated headers",
		rows: [][]any{
			{"代码", "状熊", "截止日期", "Due", "备注"},
			{"A", "x", "2024-01-02", "2024-01-03", "y"},
		},
		rowsWant: []string{"2 code=A due=2024-01-02"},
		problems: []string{
			"任务!1:1 error.sheet.missing_column",
			"任务!B1 error.sheet.unknown_column_suggest 状熊|状态",
			"任务!D1 error.sheet.duplicate_column Due|C",
			"任务!E1 error.sheet.unknown_column 备注",
		},
	}, {
		name: "header on a configured row below a merged title",
		rows: [][]any{
			{"2024 年度任务表"},
			{"代码", "名称"},
			{"A", "B"},
		},
		edit:     func(f *excelize.File) { f.MergeCell("任务", "A1", "B1") },
		spec:     &TableSpec{Columns: taskSpec.Columns, HeaderRow: 2},
		rowsWant: []string{"3 code=A name=B"},
	}, {
		name: "merged cells in the data",
		rows: [][]any{
			{"代码", "名称", "所属单位"},
			{"A", "甲", "大连市"},
			{"B", "乙"},
		},
		edit:     func(f *excelize.File) { f.MergeCell("任务", "C2", "C3") },
		rowsWant: []string{"2 code=A name=甲 unit=大连市", "3 code=B name=乙"},
		problems: []string{"任务!C2 error.sheet.merged C2:C3"},
	}, {
		name: "formulas",
		rows: [][]any{
			{"代码", "名称", "排序"},
			{"A", "甲", 1},
			{"B", "乙"},
		},
		edit: func(f *excelize.File) {
			f.SetCellFormula("任务", "C3", "C2+1")
			f.SetCellFormula("任务", "B3", `"乙"`)
		},
		rowsWant: []string{"2 code=A name=甲 count=1", "3 code=B"},
		problems: []string{"任务!B3 error.sheet.formula", "任务!C3 error.sheet.formula"},
	}, {
		name: "wrong types",
		rows: [][]any{
			taskHeader,
			{"A", "甲", nil, 12.5, "abc", "2024-02-30", 150, "启", "maybe"},
			{"B", "乙", nil, "1,2", "1,5", "31/12/2024", "-1%", "停用", 2},
			{"C", "丙", nil, "12个", "１２万", 1234, "85%%", "x", "对"},
		},
		rowsWant: []string{"2 code=A name=甲", "3 code=B name=乙", "4 code=C name=丙 urgent=true"},
		problems: []string{
			"任务!D2 error.sheet.int 12.5",
			"任务!E2 error.sheet.decimal abc",
			"任务!F2 error.sheet.date 2024-02-30",
			"任务!G2 error.sheet.percent_range 150",
			"任务!H2 error.sheet.choice_suggest 启|启用",
			"任务!I2 error.sheet.bool maybe",
			"任务!D3 error.sheet.int 1,2",
			"任务!E3 error.sheet.decimal 1,5",
			"任务!F3 error.sheet.date 31/12/2024",
			"任务!G3 error.sheet.percent_range -1%",
			"任务!H3 error.sheet.choice 停用",
			"任务!I3 error.sheet.bool 2",
			"任务!D4 error.sheet.int 12个",
			"任务!E4 error.sheet.decimal １２万",
			"任务!F4 error.sheet.date 1234",
			"任务!G4 error.sheet.percent 85%%",
			"任务!H4 error.sheet.choice x",
		},
	}, {
		name: "blank rows: trailing, in between, white space only",
		rows: [][]any{
			{"代码", "名称"},
			{},
			{"A", "甲"},
			{" ", "　"},
			{"B", "乙"},
			{},
			{"\u200b", nil},
		},
		edit:     func(f *excelize.File) { f.SetCellValue("任务", "B40", "") },
		rowsWant: []string{"3 code=A name=甲", "5 code=B name=乙"},
	}, {
		name: "required cells left empty",
		rows: [][]any{
			{"代码", "名称", "所属单位"},
			{"A", nil, "大连市"},
			{nil, "乙"},
		},
		rowsWant: []string{"2 code=A unit=大连市", "3 name=乙"},
		problems: []string{"任务!B2 error.sheet.required", "任务!A3 error.sheet.required"},
	}, {
		name: "content in a column without a header",
		rows: [][]any{
			{"代码", "名称"},
			{"A", "甲", nil, "备注"},
			{"B", "乙", nil, "又一条"},
		},
		rowsWant: []string{"2 code=A name=甲", "3 code=B name=乙"},
		problems: []string{"任务!D2 error.sheet.unnamed_column"},
	}, {
		name:     "an empty sheet",
		rowsWant: []string{},
		problems: []string{"任务 error.sheet.no_header"},
	}, {
		name:     "a configured header row that is empty",
		rows:     [][]any{{"代码", "名称"}, {}, {"A", "甲"}},
		spec:     &TableSpec{Columns: taskSpec.Columns, HeaderRow: 2},
		rowsWant: []string{},
		problems: []string{"任务!2:2 error.sheet.no_header"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			spec := taskSpec
			if c.spec != nil {
				spec = *c.spec
			}
			tb := read(t, build(t, "任务", c.rows, c.edit), spec)
			same(t, "rows", dump(tb, spec), c.rowsWant)
			if c.problems == nil {
				c.problems = []string{}
			}
			same(t, "problems", brief(tb.Problems), c.problems)
		})
	}
}

func TestColumnsAndNumbers(t *testing.T) {
	spec := TableSpec{Columns: append([]Column{
		{Key: "note", Aliases: []string{"备注"}, Type: Text},
		{Key: "size", Aliases: []string{"规模"}, Type: Decimal, Required: true},
	}, taskSpec.Columns[:4]...)}
	when := time.Date(2024, 3, 31, 8, 30, 0, 0, time.UTC)
	tb := read(t, build(t, "任务", [][]any{
		{"备注", "代码", "名称", "排序"},
		{0.1 + 0.2, "A", time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), "12345678901234567"},
		{when, "B", 1e20, "-3"},
	}, nil), spec)
	same(t, "rows", dump(tb, spec), []string{
		"2 note=0.3 code=A name=2024-03-31 count=12345678901234567",
		"3 note=2024-03-31 08:30:00 code=B name=100000000000000000000 count=-3",
	})
	same(t, "problems", brief(tb.Problems), []string{"任务!1:1 error.sheet.missing_column_named 规模"})
	if !tb.HasColumn("code") || tb.HasColumn("unit") || tb.HasColumn("nope") {
		t.Error("HasColumn")
	}
	p := tb.Rows[0].Problem("name", "error.sheet.unknown_unit", "x")
	if p.Ref() != "任务!C2" || p.Label != "field.name" || p.Field != "name" {
		t.Errorf("Row.Problem = %+v", p)
	}
	if p := tb.Rows[0].Problem("unit", "error.sheet.unknown_unit", "x"); p.Ref() != "任务!2:2" {
		t.Errorf("Row.Problem on an absent column = %+v", p)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-31":           "2024-03-31",
		"2024-3-1":             "2024-03-01",
		"2024/03/31":           "2024-03-31",
		"2024.3.31":            "2024-03-31",
		"2024年3月31日":           "2024-03-31",
		"2024 年 3 月 31 日":      "2024-03-31",
		"２０２４－０３－３１":           "2024-03-31",
		"20240331":             "2024-03-31",
		"2024-03-31T08:00:00Z": "2024-03-31",
		"2024-03-31 23:59":     "2024-03-31",
		" 2024-03-31 ":         "2024-03-31",
		"2024-02-29":           "2024-02-29",
		"2023-02-29":           "",
		"2024-13-01":           "",
		"31/03/2024":           "",
		"03/31/2024":           "",
		"2024-03":              "",
		"1899-12-31":           "",
		"2024-03-31 nonsense":  "",
		"24-3-31":              "",
	} {
		d, ok := parseDate(in)
		got := ""
		if ok {
			got = d.Format(time.DateOnly)
		}
		if got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
	for serial, want := range map[float64]string{1: "1900-01-01", 59: "1900-02-28", 61: "1900-03-01", 45382: "2024-03-31", 45382.75: "2024-03-31"} {
		if d, _ := fromSerial(serial, false); d.Format(time.DateOnly) != want {
			t.Errorf("fromSerial(%v) = %v, want %s", serial, d, want)
		}
	}
	if _, ok := fromSerial(60, false); ok {
		t.Error("serial 60 is 29 February 1900, which never was")
	}
	if s := toSerial(time.Date(2024, 3, 31, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))); s != 45382 {
		t.Errorf("toSerial = %v", s)
	}
}

func TestParseNumber(t *testing.T) {
	for in, want := range map[string]string{
		"12": "12", "-12.5": "-12.5", "+3": "3", "1,234,567.25": "1234567.25", "1.5E+3": "1500", "\u22125": "-5",
		"1,5": "", "12,34": "", "1,2345": "", ",123": "", "1.2.3": "", "0x10": "", "Inf": "", "NaN": "", "1_000": "", "": "", "1e999": "",
	} {
		v, ok := parseNumber(in)
		got := ""
		if ok {
			got = formatNumber(v)
		}
		if got != want {
			t.Errorf("parseNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
