package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// taskSpec is the table most tests read: every type, labels from the
// foundation catalogue or literal aliases.
var taskSpec = TableSpec{Columns: []Column{
	{Key: "code", Label: "field.code", Type: Text, Required: true},
	{Key: "name", Label: "field.name", Type: Text, Required: true},
	{Key: "unit", Label: "field.unit", Type: Text},
	{Key: "count", Label: "field.position", Type: Int},
	{Key: "budget", Aliases: []string{"预算（万元）", "Budget"}, Type: Decimal},
	{Key: "due", Aliases: []string{"截止日期", "Due"}, Type: Date},
	{Key: "progress", Aliases: []string{"进度", "Progress"}, Type: Percent},
	{Key: "status", Label: "field.status", Type: Choice, Options: []Option{
		{Value: "active", Label: "field.active"}, {Value: "disabled", Label: "field.disabled"}}},
	{Key: "urgent", Aliases: []string{"紧急", "Urgent"}, Type: Bool},
}}

var taskHeader = []any{"代码", "名称", "所属单位", "排序", "预算（万元）", "截止日期", "进度", "状态", "紧急"}

// build makes an XLSX with excelize: rows from A1 on sheet, then edit.
func build(t testing.TB, sheet string, rows [][]any, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawBook makes an XLSX by hand, for what excelize will not write: parts
// maps names to contents; a workbook with one sheet "任务" is supplied.
func rawBook(t testing.TB, sheetData string, parts map[string]string) []byte {
	t.Helper()
	all := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="任务" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sheetData + `</worksheet>`,
	}
	for k, v := range parts {
		all[k] = v
	}
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(all[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(t testing.TB, data []byte) *Book {
	t.Helper()
	b, err := Open(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

func read(t testing.TB, data []byte, spec TableSpec) *Table {
	t.Helper()
	tb, err := open(t, data).Table(spec)
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	return tb
}

// brief writes problems as "Ref key arg|arg".
func brief(ps Problems) []string {
	out := []string{}
	for _, p := range ps {
		s := p.Ref() + " " + p.Key
		if len(p.Args) > 0 {
			s += " " + strings.Join(p.Args, "|")
		}
		out = append(out, s)
	}
	return out
}

// dump writes rows as "num key=value …" in spec order, by column type.
func dump(t *Table, spec TableSpec) []string {
	out := []string{}
	for _, r := range t.Rows {
		s := fmt.Sprint(r.Num)
		for _, c := range spec.Columns {
			if !r.Has(c.Key) {
				continue
			}
			var v any
			switch c.Type {
			case Int:
				v, _ = r.Int(c.Key)
			case Decimal, Percent:
				v, _ = r.Float(c.Key)
			case Date:
				d, _ := r.Date(c.Key)
				v = d.Format("2006-01-02")
			case Bool:
				v, _ = r.Bool(c.Key)
			default:
				v = r.Text(c.Key)
			}
			s += fmt.Sprintf(" %s=%v", c.Key, v)
		}
		out = append(out, s)
	}
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}
