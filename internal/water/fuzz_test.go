package water

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// fuzzRead reads data in format f and checks what any input must give: no
// panic, samples with a section and finite values, problems worded in
// every language.
func fuzzRead(t *testing.T, data []byte, f Format) {
	sum, err := Read(bytes.NewReader(data), f, Options{File: "f", Year: 2021, Zone: cst, MaxProblems: 20}, func(s Sample) error {
		if s.Section == "" {
			t.Fatalf("sample without a section: %+v", s)
		}
		for _, r := range s.Values {
			if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
				t.Fatalf("value %v", r)
			}
		}
		return nil
	})
	problems := sum.Problems
	var p Problem
	if errors.As(err, &p) {
		problems = append(problems, p)
	}
	for _, p := range problems {
		for _, lang := range []string{"zh-Hans", "zh-Hant", "en"} {
			if text := p.Text(lang); strings.Contains(text, "‼") {
				t.Fatalf("untranslated problem %q", text)
			}
		}
	}
	if len(sum.Problems) > 20 {
		t.Fatalf("%d problems kept over the cap", len(sum.Problems))
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("省份,断面名称,监测时间,pH,溶解氧(mg/L),氨氮(μg/L),水质类别,站点情况\n辽宁省,兴安,04-01 08:00,7.5,8.1,350,Ⅱ,正常\n辽宁省,兴安,04-01 08:00,7.5,8.1,351,Ⅱ,正常\n"))
	f.Add([]byte("断面名称,监测时间,总磷\nx,2024-01-01 00:00,<span title='原始值：0.1'>0.10</span>\nx,\"2024-01-01\n00:00\",{}\n"))
	f.Add([]byte("\ufeffsection,time,tp(mg/L)\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, CSV) })
}

func FuzzReadRelease(f *testing.F) {
	f.Add([]byte(`{"thead": ["省份", "断面名称", "监测时间", "水质类别", "pH<br/><span class='unit'>(无量纲)</span>", "站点情况"], "tbody": [null, ["辽宁省", "<span title='所在地市:盘锦市'>兴安</span>", "05-15 08:00", "Ⅱ", "<span title='原始值：7.5'>7.50</span>", "正常"]]}`))
	f.Add([]byte(`{"thead": ["断面名称", "监测时间"], "tbody": [["a", null], 1, [2]]}`))
	f.Add([]byte(`{"x": {"thead": 1}}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, Release) })
}

func FuzzReadXLSX(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("断面名称,监测时间\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, XLSX) })
}

func FuzzReadStations(f *testing.F) {
	f.Add([]byte("province,basin,section,water_body\n辽宁省,辽河流域,兴安,river\n"))
	f.Add([]byte("province,basin,section,water_body\na,b,,lake\n\"x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadStations(bytes.NewReader(data), "s.csv")
		if err == nil && s == nil {
			t.Fatal("no stations and no error")
		}
		if err != nil && strings.Contains(err.Error(), "‼") {
			t.Fatalf("untranslated %v", err)
		}
	})
}

// FuzzNumber checks number's fast path against strconv.ParseFloat: the
// same bits, or both an error.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"7.53", "0", "-0", "0.050", ".5", "1.", "-12.25", "123456789012345", "1234567890123456", "9007199254740993",
		"0.000000000000001", "1e3", "-", ".", "", "1.2.3", "0x10", "+1", "00012.3400", "999999999999999.9", "4.35"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := number(s)
		want, werr := strconv.ParseFloat(s, 64)
		if (err != nil) != (werr != nil) || err == nil && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("number(%q) = %v, %v; ParseFloat: %v, %v", s, got, err, want, werr)
		}
	})
}
