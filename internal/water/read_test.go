package water

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func readAll(t *testing.T, data string, f Format, opt Options) ([]Sample, Summary, error) {
	t.Helper()
	if opt.File == "" {
		opt.File = "in"
	}
	var out []Sample
	sum, err := Read(strings.NewReader(data), f, opt, func(s Sample) error {
		out = append(out, s)
		return nil
	})
	return out, sum, err
}

var cst = time.FixedZone("CST", 8*3600)

func TestReadWideCSV(t *testing.T) {
	data := "\ufeff省份,断面名称,监测时间,pH,溶解氧(mg/L),氨氮(μg/L),总磷,水温(℃),站点情况\n" +
		"辽宁省,兴安,2024-05-01 08:00,7.5,8.1,350,0.12,18,正常\n" +
		"辽宁省,兴安,2024-05-01 12:00,7.6,*,--,0.13,18.5,\n" +
		"\n" +
		"辽宁省,兴安,2024-05-01 12:00,7.6,*,--,0.13,18.5,\n" + // exact repeat: skipped, counted
		"辽宁省,兴安,2024-05-01 12:00,7.6,*,--,0.2,18.5,\n" + // conflict: listed, first kept
		"辽宁省,兴安,,,,,,,维护\n"
	got, sum, err := readAll(t, data, CSV, Options{Zone: cst})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || sum.Samples != 3 || sum.Duplicates != 1 || len(sum.Problems) != 1 {
		t.Fatalf("samples %d, summary %+v", len(got), sum)
	}
	p := sum.Problems[0]
	if p.Row != 6 || p.Key != "water.error.conflict" || !strings.Contains(p.Text("zh-Hans"), "in 第 6 行") {
		t.Errorf("conflict %+v: %s", p, p.Text("zh-Hans"))
	}
	if v, _ := got[0].Value(NH3N); v != 0.35 {
		t.Errorf("μg/L converted: %v", v)
	}
	if !got[0].Time.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("time %v", got[0].Time)
	}
	if len(got[1].Values) != 3 || got[2].Status != Maintenance || !got[2].Time.IsZero() {
		t.Errorf("missing values left out: %v; maintenance row %+v", got[1].Values, got[2])
	}
}

func TestReadProblems(t *testing.T) {
	head := "断面名称,监测时间,氨氮\n"
	cases := []struct {
		name string
		data string
		f    Format
		opt  Options
		key  string // the first problem's, or the error's
		row  int
	}{
		{"unit refused", "断面名称,监测时间,氨氮(个/L)\n", CSV, Options{}, "water.error.unit", 1},
		{"unknown column", "断面名称,监测时间,氨氮,浓度\n", CSV, Options{}, "water.error.unknown_column", 1},
		{"same item twice", "断面名称,监测时间,氨氮,NH3-N\n", CSV, Options{}, "water.error.duplicate_column", 1},
		{"no time column", "断面名称,氨氮\n", CSV, Options{}, "water.error.missing_column", 1},
		{"empty file", "", CSV, Options{}, "water.error.empty", 0},
		{"broken quotes", head + "a,\"2024-01-01 00:00,1\n", CSV, Options{Zone: cst}, "water.error.csv", 2},
		{"no year", head + "兴安,05-01 08:00,1\n", CSV, Options{Zone: cst}, "water.error.no_year", 2},
		{"no zone", head + "兴安,2024-05-01 08:00,1\n", CSV, Options{}, "water.error.no_zone", 2},
		{"29 February of a common year", head + "兴安,02-29 08:00,1\n", CSV, Options{Year: 2023, Zone: cst}, "water.error.time", 2},
		{"bad time", head + "兴安,yesterday,1\n", CSV, Options{Zone: cst}, "water.error.time", 2},
		{"not a number", head + "兴安,2024-05-01T08:00:00+08:00,1.2.3\n", CSV, Options{}, "water.error.number", 2},
		{"broken HTML", head + "兴安,2024-05-01T08:00:00+08:00,<span title='原始值：1'>1\n", CSV, Options{}, "water.error.html_cell", 2},
		{"JSON in a cell", head + "兴安,2024-05-01T08:00:00+08:00,\"{\"\"v\"\":1}\"\n", CSV, Options{}, "water.error.json_cell", 2},
		{"extra cells", head + "兴安,2024-05-01T08:00:00+08:00,1,2\n", CSV, Options{}, "water.error.extra_cells", 2},
		{"no section", head + ",2024-05-01T08:00:00+08:00,1\n", CSV, Options{}, "water.error.no_section", 2},
		{"bad class", "断面名称,监测时间,水质类别\n兴安,2024-05-01T08:00:00+08:00,Ⅵ\n", CSV, Options{}, "water.error.class", 2},
		{"bad status", "断面名称,监测时间,站点情况\n兴安,2024-05-01T08:00:00+08:00,坏了\n", CSV, Options{}, "water.error.status", 2},
		{"bad encoding", head + "兴安,2024-05-01T08:00:00+08:00,\xff\n", CSV, Options{}, "water.error.encoding", 2},
		{"JSON syntax", `{"thead": ["断面名称", "监测时间"], "tbody": [["a",]]}`, Release, Options{}, "water.error.json", 1},
		{"JSON truncated", `{"thead": ["断面名称", "监测时间"], "tbody": [`, Release, Options{}, "water.error.json", 0},
		{"JSON body first", `{"tbody": [], "thead": []}`, Release, Options{}, "water.error.json_order", 0},
		{"JSON without body", `{"thead": ["断面名称", "监测时间"]}`, Release, Options{}, "water.error.json_body", 0},
		{"JSON number cell", `{"thead": ["断面名称", "监测时间", "氨氮"], "tbody": [["a", "05-01 08:00", 1]]}`, Release, Options{Year: 2020, Zone: cst}, "water.error.json_cell_type", 1},
		{"JSON not an object", `[1]`, Release, Options{}, "water.error.json", 0},
		{"JSON trailing data", `{"thead": ["断面名称", "监测时间"], "tbody": []} {}`, Release, Options{}, "water.error.json", 0},
	}
	for _, c := range cases {
		_, sum, err := readAll(t, c.data, c.f, c.opt)
		var p Problem
		switch {
		case err != nil && errors.As(err, &p):
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
			continue
		case len(sum.Problems) > 0:
			p = sum.Problems[0]
		default:
			t.Errorf("%s: no problem found", c.name)
			continue
		}
		if p.Key != c.key || p.Row != c.row {
			t.Errorf("%s: %s at row %d, want %s at row %d (%s)", c.name, p.Key, p.Row, c.key, c.row, p.Text("en"))
		}
		if text := p.Text("en"); strings.Contains(text, "‼") {
			t.Errorf("%s: untranslated %q", c.name, text)
		}
	}
}

func TestReadRelease(t *testing.T) {
	data := `{"result": 1, "thead": ["省份", "流域", "断面名称", "监测时间", "水质类别", "pH<br/><span class='unit'>(无量纲)</span>", "总磷<br/><span class='unit'>(mg/L)</span>", "站点情况"],
	"tbody": [null,
	  ["辽宁省", "辽河流域", "<span data-toggle='tooltip' title='所在地市:盘锦市&#10;所属河流:辽河'>兴安</span>", "05-15 08:00", "Ⅲ",
	   "<span data-toggle='tooltip' title='原始值：7.5685'>7.57</span>", "<span title='原始值：0.2'>0.200</span>", "正常"],
	  ["辽宁省", "辽河流域", "赵圈河", null, "", "--", "<span title='极值过滤'>--</span>", "停站"]]}`
	got, sum, err := readAll(t, data, Release, Options{Year: 2020, Zone: cst})
	if err != nil || !sum.OK() {
		t.Fatal(err, sum.Problems)
	}
	if len(got) != 2 || got[0].Section != "兴安" || got[0].Published != ClassIII || got[0].Row != 2 {
		t.Fatalf("%+v", got)
	}
	if v, _ := got[0].Value(PH); v != 7.5685 {
		t.Errorf("raw value from the tooltip: %v", v)
	}
	if got[1].Status != Stopped || len(got[1].Values) != 0 {
		t.Errorf("stopped row %+v", got[1])
	}
}

func TestReadXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"省份", "断面名称", "监测时间", "氨氮(mg/L)", "总磷(μg/L)"},
		{"辽宁省", "兴安", "2024-05-01 08:00", 1.2, 150},
		{},
		{"辽宁省", "兴安", "2024-05-01 12:00", "abc", 150},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, sum, err := readAll(t, buf.String(), XLSX, Options{Zone: cst})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(sum.Problems) != 1 || sum.Problems[0].Row != 4 || sum.Problems[0].Column != "氨氮" {
		t.Fatalf("samples %v, problems %+v", got, sum.Problems)
	}
	if v, _ := got[0].Value(TP); v != 0.15 {
		t.Errorf("TP %v", v)
	}
	if _, _, err := readAll(t, "not a workbook", XLSX, Options{}); err == nil {
		t.Error("text read as a workbook")
	}
}

func TestReadStations(t *testing.T) {
	s, err := ReadStations(strings.NewReader("province,basin,section,water_body\n辽宁省,辽河流域,兴安,river\n湖南省,长江流域,岳阳楼,lake\n"), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := s.Lookup("湖南省", "岳阳楼"); !ok || st.Body != Lake {
		t.Errorf("%+v %v", st, ok)
	}
	if name, ok := s.Closest("兴安桥"); !ok || name != "兴安" {
		t.Errorf("closest %q", name)
	}
	_, err = ReadStations(strings.NewReader("province,basin,section,water_body\na,b,c,sea\na,b,c,river\nx,y,z,pond\n"), "s.csv")
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2 || ps[0].Row != 3 || ps[1].Key != "water.error.water_body" {
		t.Errorf("%v", err)
	}
	if _, err := ReadStations(strings.NewReader("name,body\n"), "s.csv"); err == nil {
		t.Error("wrong header accepted")
	}
	if National().Len() < 90 {
		t.Errorf("national stations: %d", National().Len())
	}
}
