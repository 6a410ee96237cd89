package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/errs"
	"concord/internal/errs/errstest"
)

// zipOf builds a zip archive of parts; big parts are deflated for real.
func zipOf(t testing.TB, parts map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip has one part whose header claims size bytes while its data
// inflates to real.
func lyingZip(t testing.TB, name string, claimed uint64, real []byte) []byte {
	t.Helper()
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(real)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"[Content_Types].xml", "xl/_rels/workbook.xml.rels"} {
		w, _ := zw.Create(n)
		w.Write([]byte("<x/>"))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(real),
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: claimed})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenRefuses(t *testing.T) {
	ok := build(t, "任务", [][]any{{"代码"}}, nil)
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rand.IntN(256))
	}
	ole := []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 500))
	encrypted := append(bytes.Clone(ole), utf16le("EncryptedPackage")...)
	zeros := make([]byte, 4<<20)
	for _, c := range []struct {
		name   string
		data   []byte
		limits Limits
		kind   errs.Kind
		key    string
	}{
		{"over the size limit", ok, Limits{FileSize: int64(len(ok) - 1)}, errs.TooLarge, "error.sheet.too_large"},
		{"legacy xls", ole, Limits{}, errs.Unsupported, "error.sheet.xls"},
		{"password protected", encrypted, Limits{}, errs.Unsupported, "error.sheet.encrypted"},
		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n"), Limits{}, errs.Unsupported, "error.sheet.pdf"},
		{"csv renamed", []byte("代码,名称\nA,甲\n"), Limits{}, errs.Unsupported, "error.sheet.text"},
		{"gbk csv renamed", []byte("\xb4\xfa\xc2\xeb,\xc3\xfb\xb3\xc6\r\n"), Limits{}, errs.Unsupported, "error.sheet.text"},
		{"random bytes", random, Limits{}, errs.Unsupported, "error.sheet.not_xlsx"},
		{"empty", nil, Limits{}, errs.Unsupported, "error.sheet.not_xlsx"},
		{"zip, not a workbook", zipOf(t, map[string][]byte{"word/document.xml": []byte("<w/>"), "[Content_Types].xml": []byte("<x/>")}), Limits{}, errs.Unsupported, "error.sheet.not_xlsx"},
		{"ods", zipOf(t, map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"), "content.xml": []byte("<x/>")}), Limits{}, errs.Unsupported, "error.sheet.ods"},
		{"truncated zip", ok[:len(ok)/2], Limits{}, errs.Malformed, "error.sheet.corrupt"},
		{"zip bomb by ratio", zipOf(t, map[string][]byte{"xl/worksheets/sheet1.xml": zeros}), Limits{}, errs.TooLarge, "error.sheet.zip_ratio"},
		{"zip bomb by total", zipOf(t, map[string][]byte{"a": zeros[:1<<20], "b": zeros[:1<<20]}), Limits{Unzipped: 1 << 20, Ratio: 1 << 30}, errs.TooLarge, "error.sheet.unzipped_too_large"},
		{"zip bomb by declared size", lyingZip(t, "xl/workbook.xml", 1<<40, []byte("<x/>")), Limits{}, errs.TooLarge, "error.sheet.unzipped_too_large"},
		{"header that lies small", lyingZip(t, "xl/workbook.xml", 10, []byte("<workbook>"+strings.Repeat(" ", 1<<20)+"</workbook>")), Limits{}, errs.Malformed, "error.sheet.corrupt"},
		{"too many parts", zipOf(t, map[string][]byte{"a": nil, "b": nil, "c": nil}), Limits{Entries: 2}, errs.TooLarge, "error.sheet.zip_entries"},
		{"workbook that is not XML", rawBook(t, "", map[string]string{"xl/workbook.xml": "<workbook><sheets><sheet"}), Limits{}, errs.Malformed, "error.sheet.corrupt"},
		{"shared strings nesting too deep", rawBook(t, "", map[string]string{"xl/sharedStrings.xml": "<sst><si>" + strings.Repeat("<r>", 100)}), Limits{}, errs.Malformed, "error.sheet.corrupt"},
		{"workbook without sheets", rawBook(t, "", map[string]string{"xl/workbook.xml": "<workbook/>"}), Limits{}, errs.Malformed, "error.sheet.corrupt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(c.data), c.limits)
			if e := errstest.WantKind(t, err, c.kind); e.Key != c.key {
				t.Errorf("key = %s, want %s", e.Key, c.key)
			}
		})
	}
}

func TestTableRefuses(t *testing.T) {
	for _, c := range []struct {
		name  string
		sheet string
		kind  errs.Kind
		key   string
	}{
		{"a cell of a column past XFD", `<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>`, errs.Malformed, "error.sheet.corrupt"},
		{"rows out of order", `<sheetData><row r="2"/><row r="1"/></sheetData>`, errs.Malformed, "error.sheet.corrupt"},
		{"cells out of order", `<sheetData><row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>1</v></c></row></sheetData>`, errs.Malformed, "error.sheet.corrupt"},
		{"a shared string that is not there", `<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData>`, errs.Malformed, "error.sheet.corrupt"},
		{"broken XML", `<sheetData><row r="1"><c r="A1"><v>1</c></row></sheetData>`, errs.Malformed, "error.sheet.corrupt"},
		{"nesting too deep", `<sheetData><row><c>` + strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + `</c></row></sheetData>`, errs.Malformed, "error.sheet.corrupt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := open(t, rawBook(t, c.sheet, nil)).Table(TableSpec{})
			if e := errstest.WantKind(t, err, c.kind); e.Key != c.key {
				t.Errorf("key = %s, want %s", e.Key, c.key)
			}
		})
	}
}

// TestSparseSheet is the upload that costs excelize gigabytes: one cell in
// the last column of each of 20,000 rows.
func TestSparseSheet(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c></row>`)
	for r := 2; r <= 20001; r++ {
		sb.WriteString(`<row r="` + strconv.Itoa(r) + `"><c r="XFD` + strconv.Itoa(r) + `"><v>1</v></c></row>`)
	}
	sb.WriteString(`</sheetData>`)
	tb := read(t, rawBook(t, sb.String(), nil), taskSpec)
	same(t, "problems", brief(tb.Problems), []string{"任务!1:1 error.sheet.missing_column", "任务!XFD2 error.sheet.unnamed_column"})
}

func TestRowLimit(t *testing.T) {
	rows := [][]any{{"代码", "名称"}}
	for range 5 {
		rows = append(rows, []any{"A", "甲"}, []any{})
	}
	data := build(t, "任务", rows, nil)
	b, err := Open(bytes.NewReader(data), Limits{Rows: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Table(taskSpec); err != nil {
		t.Fatalf("5 rows, limit 5: %v", err)
	}
	rows = append(rows, []any{"B", "乙"})
	b, _ = Open(bytes.NewReader(build(t, "任务", rows, nil)), Limits{Rows: 5})
	_, err = b.Table(taskSpec)
	if e := errstest.WantKind(t, err, errs.TooLarge); e.Key != "error.sheet.too_many_rows" {
		t.Errorf("key = %s", e.Key)
	}
}

func TestFindSheet(t *testing.T) {
	spec := TableSpec{Sheet: "object.unit", Columns: taskSpec.Columns}
	for _, name := range []string{"成员单位", "成員單位", "Unit", " UNIT "} {
		data := build(t, "说明", [][]any{{"x"}}, nil)
		b := open(t, addSheet(t, data, name, [][]any{{"代码", "名称"}, {"A", "甲"}}))
		tb, err := b.Table(spec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tb.Sheet != name || len(tb.Rows) != 1 {
			t.Errorf("%s: read %q, %d rows", name, tb.Sheet, len(tb.Rows))
		}
	}
	_, err := open(t, build(t, "Sheet1", nil, nil)).Table(spec)
	ps, ok := ProblemsOf(err)
	errstest.WantKind(t, err, errs.Invalid)
	if !ok || len(ps) != 1 || ps[0].Key != "error.sheet.no_sheet" {
		t.Fatalf("problems = %v", ps)
	}
	same(t, "args", ps[0].Args, []string{"成员单位 / 成員單位 / unit", "Sheet1"})
}

// TestCells covers what excelize does not write: error values, ISO dates,
// inline and rich strings with phonetic guides, escapes, the 1904 date
// system, custom date and percent formats, and rows and cells without
// references.
func TestCells(t *testing.T) {
	styles := `<styleSheet><numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/>` +
		`<numFmt numFmtId="177" formatCode="0.0%"/></numFmts>` +
		`<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs>` +
		`<cellXfs><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="9"/></cellXfs>` +
		`<dxfs><dxf><numFmt numFmtId="178" formatCode="0%"/></dxf></dxfs></styleSheet>`
	strs := `<sst><si><t>代码</t></si><si><r><t>名</t></r><r><rPr/><t>称</t></r><rPh><t>めい</t></rPh></si><si><t>截止日期</t></si><si><t>进度</t></si><si><t xml:space="preserve">a_x000D_b</t></si></sst>`
	sheet := `<sheetData>` +
		`<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row>` +
		`<row><c t="inlineStr"><is><t>A</t></is></c><c t="s"><v>4</v></c><c s="1"><v>45382</v></c><c s="2"><v>0.125</v></c></row>` +
		`<row r="4"><c r="A4" t="str"><v>B</v></c><c r="B4" t="inlineStr"><is><r><t>乙</t></r><rPh><t>x</t></rPh></is></c><c r="C4" t="d"><v>2024-03-31T00:00:00Z</v></c><c r="D4" s="3"><v>1</v></c></row>` +
		`<row r="5"><c r="A5" t="e"><v>#N/A</v></c><c r="B5" t="b"><v>1</v></c><c r="C5" s="2"><v>0.5</v></c><c r="D5" t="e"><v>#DIV/0!</v></c></row>` +
		`</sheetData>`
	data := rawBook(t, sheet, map[string]string{"xl/styles.xml": styles, "xl/sharedStrings.xml": strs})
	tb := read(t, data, taskSpec)
	same(t, "rows", dump(tb, taskSpec), []string{
		"2 code=A name=a\rb due=2024-03-31 progress=12.5",
		"4 code=B name=乙 due=2024-03-31 progress=100",
		"5 name=TRUE",
	})
	same(t, "problems", brief(tb.Problems), []string{
		"任务!A5 error.sheet.cell_error #N/A",
		"任务!C5 error.sheet.date 50%",
		"任务!D5 error.sheet.cell_error #DIV/0!",
	})

	date1904 := rawBook(t, `<sheetData><row><c t="inlineStr"><is><t>截止日期</t></is></c></row><row><c s="1"><v>43920</v></c></row></sheetData>`,
		map[string]string{"xl/styles.xml": styles, "xl/workbook.xml": `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<workbookPr date1904="1"/><sheets><sheet name="任务" sheetId="1" r:id="rId1"/></sheets></workbook>`})
	tb = read(t, date1904, TableSpec{Columns: taskSpec.Columns[5:6]})
	same(t, "1904", dump(tb, taskSpec), []string{"2 due=2024-03-31"})
}

func TestClassify(t *testing.T) {
	for code, want := range map[string]numFormat{
		"yyyy-mm-dd":                   dateFormat,
		`yyyy"年"m"月"d"日";@`:            dateFormat,
		"[$-F800]dddd, mmmm dd, yyyy":  dateFormat,
		"[DBNum1][$-804]yyyy年m月d日":     dateFormat,
		"h:mm AM/PM":                   dateFormat,
		"[h]:mm:ss":                    dateFormat,
		"0.00%":                        percentFormat,
		`0.0"%"`:                       general,
		"#,##0.00_);[Red](#,##0.00)":   general,
		"0.00E+00":                     general,
		"General":                      general,
		`"day "0`:                      general,
		`\d0`:                          general,
		"@":                            general,
		"0;[Red]-0;\"zero\";\"text\"@": general,
	} {
		if got := classify(code); got != want {
			t.Errorf("classify(%q) = %d, want %d", code, got, want)
		}
	}
}

// addSheet adds a sheet of rows to a workbook made by build.
func addSheet(t testing.TB, data []byte, name string, rows [][]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f.NewSheet(name)
	for i, r := range rows {
		f.SetSheetRow(name, "A"+strconv.Itoa(i+1), &r)
	}
	var buf bytes.Buffer
	f.Write(&buf)
	return buf.Bytes()
}

func TestConcurrentTables(t *testing.T) {
	b := open(t, build(t, "任务", [][]any{taskHeader, {"A", "甲", nil, 1}, {"B", "乙", nil, "x"}}, nil))
	want, _ := b.Table(taskSpec)
	done := make(chan *Table)
	for range 4 {
		go func() {
			tb, _ := b.Table(taskSpec)
			done <- tb
		}()
	}
	for range 4 {
		tb := <-done
		same(t, "rows", dump(tb, taskSpec), dump(want, taskSpec))
		same(t, "problems", brief(tb.Problems), brief(want.Problems))
	}
}
