package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/errs"
	"concord/internal/i18n"
)

// fuzzLimits keep each run small.
var fuzzLimits = Limits{FileSize: 1 << 20, Unzipped: 8 << 20, Rows: 500}

// stored rewrites a zip with its parts uncompressed and without checksums,
// so that the fuzzer's changes reach the XML instead of failing the CRC.
func stored(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Store, CompressedSize64: uint64(len(b)), UncompressedSize64: uint64(len(b))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func workbookSeeds(t testing.TB) [][]byte {
	plain := build(t, "任务", [][]any{
		taskHeader,
		{"T-001", "港口协同", "大连市", 3, 12.5, time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), 85, "启用", "是"},
		{"T-002", "产业", nil, "１２", "x", "2024年3月31日", "12%", "停用", "maybe"},
	}, func(f *excelize.File) {
		f.MergeCell("任务", "C3", "D4")
		f.SetCellFormula("任务", "E3", "1+1")
	})
	tp := NewTemplate("zh-Hans")
	tp.Instructions("说明", []string{"一"})
	w, _ := tp.AddTable(templateSpec, map[string][]string{"unit": unitNames(5)})
	w.Append(map[string]any{"code": "A", "name": "甲", "due": time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), "status": "active"})
	var tpl bytes.Buffer
	tp.Write(&tpl)
	raw := rawBook(t, `<sheetData><row><c t="inlineStr"><is><t>代码</t></is></c><c t="s"><v>0</v></c></row>`+
		`<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="d"><v>2024-03-31</v></c><c r="C3" s="1"><v>45382</v></c></row></sheetData>`+
		`<mergeCells><mergeCell ref="A3:B4"/></mergeCells>`,
		map[string]string{
			"xl/sharedStrings.xml": `<sst><si><r><t>名</t></r><r><t>称</t></r><rPh><t>x</t></rPh></si></sst>`,
			"xl/styles.xml":        `<styleSheet><numFmts><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts><cellXfs><xf/><xf numFmtId="176"/></cellXfs></styleSheet>`,
		})
	return [][]byte{plain, stored(t, plain), tpl.Bytes(), stored(t, tpl.Bytes()), raw, stored(t, raw)}
}

// FuzzOpen: any bytes give a table or an errs error, never a panic.
func FuzzOpen(f *testing.F) {
	for _, s := range workbookSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte("代码,名称\nA,甲\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			typed(t, err)
			return
		}
		for _, spec := range []TableSpec{{Columns: taskSpec.Columns}, {Columns: taskSpec.Columns, HeaderRow: 3}, templateSpec} {
			tb, err := b.Table(spec)
			if err != nil {
				typed(t, err)
				continue
			}
			check(t, tb)
		}
	})
}

// FuzzReadCSV: any bytes give a table or an errs error, never a panic.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(csvText))
	f.Add(append([]byte("\xEF\xBB\xBF"), csvText...))
	f.Add([]byte("\xFF\xFE" + "\x63\x4ea\x00"))
	f.Add([]byte("\xb4\xfa\xc2\xeb,\xc3\xfb\xb3\xc6\r\nA,\xd2\xbb\r\n"))
	f.Add([]byte("代码\t名称\nA\t\"甲\n乙\"\n"))
	f.Add([]byte("代码,名称\nA,\"甲"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := ReadCSV(bytes.NewReader(data), fuzzLimits, taskSpec)
		if err != nil {
			typed(t, err)
			return
		}
		check(t, tb)
	})
}

func typed(t *testing.T, err error) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Key == "" || e.Kind == errs.Internal {
		t.Fatalf("untyped error: %v", err)
	}
}

// check holds a table to its promises: rows in order, every problem
// located and worded in every language.
func check(t *testing.T, tb *Table) {
	t.Helper()
	last := 0
	for _, r := range tb.Rows {
		if r.Num <= last {
			t.Fatalf("row %d after %d", r.Num, last)
		}
		last = r.Num
	}
	for _, p := range tb.Problems {
		for _, lang := range i18n.Languages {
			if text := p.Text(lang); p.Key == "" || text == "" || bytes.Contains([]byte(text), []byte(i18n.Missing)) {
				t.Fatalf("problem %+v reads %q", p, text)
			}
		}
	}
}

// FuzzSheetXML aims at the worksheet parser: any XML in a valid package.
func FuzzSheetXML(f *testing.F) {
	for _, s := range []string{
		`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c><c t="s"><v>0</v></c></row><row><c t="e"><v>#N/A</v></c><c><f>1+1</f><v>2</v></c><c s="1"><v>45382</v></c></row></sheetData><mergeCells><mergeCell ref="A2:B3"/></mergeCells>`,
		`<sheetData><row><c t="b"><v>1</v></c><c t="d"><v>2024-03-31T00:00:00Z</v></c><c s="2"><v>0.5</v></c><c t="str"><v>x</v></c></row></sheetData>`,
		`<sheetData><row r="1048576"><c r="XFD1048576"><v>1E+308</v></c></row></sheetData>`,
	} {
		f.Add(s)
	}
	parts := map[string]string{
		"xl/sharedStrings.xml": `<sst><si><t>名称</t></si></sst>`,
		"xl/styles.xml":        `<styleSheet><cellXfs><xf/><xf numFmtId="14"/><xf numFmtId="9"/></cellXfs></styleSheet>`,
	}
	f.Fuzz(func(t *testing.T, sheet string) {
		b, err := Open(bytes.NewReader(rawBook(t, sheet, parts)), fuzzLimits)
		if err != nil {
			t.Fatalf("the package is valid: %v", err)
		}
		tb, err := b.Table(TableSpec{Columns: taskSpec.Columns})
		if err != nil {
			typed(t, err)
			return
		}
		check(t, tb)
	})
}
