package sheet

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"concord/internal/errs"
	"concord/internal/errs/errstest"
)

const csvText = "代码,名称,排序,截止日期,进度,状态,紧急\r\n" +
	"T-001,港口协同,３,2024/3/31,85%,启用,是\r\n" +
	"T-002,\"产业,园区\",x,2024年3月31日,12.5,Disabled,否\r\n" +
	",,,,,,\r\n" +
	"T-003,\"两行\n名称\",1,45382,,,\r\n" +
	"\r\n"

var csvWant = []string{
	"2 code=T-001 name=港口协同 count=3 due=2024-03-31 progress=85 status=active urgent=true",
	"3 code=T-002 name=产业,园区 due=2024-03-31 progress=12.5 status=disabled urgent=false",
	"5 code=T-003 name=两行\n名称 count=1 due=2024-03-31",
}

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadCSV(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(csvText)},
		{"UTF-8 with BOM", append([]byte("\xEF\xBB\xBF"), csvText...)},
		{"GB18030", encode(t, simplifiedchinese.GB18030, csvText)},
		{"GBK", encode(t, simplifiedchinese.GBK, csvText)},
		{"UTF-16LE with BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), csvText)},
		{"UTF-16BE with BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), csvText)},
		{"tab separated", []byte(strings.ReplaceAll(csvText, ",", "\t"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, err := ReadCSV(bytes.NewReader(c.data), Limits{}, taskSpec)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(csvWant)
			if strings.HasPrefix(c.name, "tab") {
				want[1] = strings.Replace(want[1], ",", "\t", 1)
			}
			same(t, "rows", dump(tb, taskSpec), want)
			same(t, "problems", brief(tb.Problems), []string{"C3 error.sheet.int x"})
		})
	}
}

func TestReadCSVProblems(t *testing.T) {
	// Valid UTF-8 for the first 64 KiB, then a GBK line: the rest cannot
	// be decoded and says so where it is.
	head := "代码,名称\n" + strings.Repeat("A,甲\n", 70000/len("A,甲\n"))
	data := append([]byte(head), encode(t, simplifiedchinese.GBK, "B,乙\n")...)
	tb, err := ReadCSV(bytes.NewReader(data), Limits{Rows: 100000}, taskSpec)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tb.Rows) + 1
	same(t, "problems", brief(tb.Problems), []string{"B" + strconv.Itoa(n) + " error.sheet.encoding"})

	tb, err = ReadCSV(strings.NewReader("代码,名称\n\n\nA,\"甲\n乙\"\n\n\"B\",\n"), Limits{}, taskSpec)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "rows numbered as Excel shows them", dump(tb, taskSpec), []string{"4 code=A name=甲\n乙", "6 code=B"})
	same(t, "problems", brief(tb.Problems), []string{"B6 error.sheet.required"})

	tb, err = ReadCSV(strings.NewReader("代码,名字\nA,甲\n"), Limits{}, taskSpec)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "problems", brief(tb.Problems), []string{"1:1 error.sheet.missing_column", "B1 error.sheet.unknown_column_suggest 名字|名称"})
}

func TestReadCSVRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		data   string
		limits Limits
		kind   errs.Kind
		key    string
	}{
		{"over the size limit", csvText, Limits{FileSize: 20}, errs.TooLarge, "error.sheet.too_large"},
		{"over the size limit, past the first read", strings.Repeat("代码,名称\n", 10000), Limits{FileSize: 100000}, errs.TooLarge, "error.sheet.too_large"},
		{"unbalanced quote", "代码,名称\nA,\"甲\n", Limits{}, errs.Malformed, "error.sheet.csv_syntax"},
		{"bare quote", "代码,名称\nA,甲\"乙\"\n", Limits{}, errs.Malformed, "error.sheet.csv_syntax"},
		{"too many rows", "代码\nA\nB\nC\n", Limits{Rows: 2}, errs.TooLarge, "error.sheet.too_many_rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(c.data), c.limits, taskSpec)
			if e := errstest.WantKind(t, err, c.kind); e.Key != c.key {
				t.Errorf("key = %s, want %s", e.Key, c.key)
			}
		})
	}
	if _, err := ReadCSV(strings.NewReader(strings.Repeat("代码,名称\n", 10000)), Limits{FileSize: 140000}, taskSpec); err != nil {
		t.Errorf("at the size limit: %v", err)
	}
}
