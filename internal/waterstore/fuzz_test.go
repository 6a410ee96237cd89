package waterstore

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// FuzzReadStationFile feeds the stations file reader anything: it must
// return rows or located problems, never panic, and every row it returns
// must pass validation.
func FuzzReadStationFile(f *testing.F) {
	f.Add([]byte("code,name_zh,province,water_body,unit,target_class\nLN-1,三岔河,辽宁,river,dalian,Ⅲ\n"))
	f.Add([]byte("code,name_zh,province,water_body,boundary,upstream_unit,downstream_unit,stem\nX,a,b,sea,cross_city,dalian,dalian,main\n"))
	f.Add([]byte("\ufeff站点编码,中文名称,省份,水体类型,纬度,经度\nA,B,C,湖泊,91,\n"))
	f.Add([]byte("code\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		units := &unitNames{ids: map[string]int64{}, codes: map[int64]string{}}
		units.add(1, "dalian", "大连市")
		units.add(2, "yingkou", "营口市")
		list, _, err := readStationFile(bytes.NewReader(data), "csv", units)
		if err != nil {
			return
		}
		for _, in := range list {
			if in.Code == "" || in.NameZh == "" || in.Province == "" {
				t.Fatalf("a row without its required fields passed: %+v", in)
			}
		}
	})
}

// FuzzAppendNum checks that a packed value is a JSON number that reads
// back as exactly the value, as short as strconv's shortest form.
func FuzzAppendNum(f *testing.F) {
	for _, v := range []float64{7.53, 0.05, 0.0001, 0.00005, 12, -3.25, 123456789.5, 1e9, 0, math.Copysign(0, -1), 0.1 + 0.2, 1.0 / 3, 8.6e-7, -0.0125} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		b := appendNum(nil, v)
		var got float64
		if err := json.Unmarshal(b, &got); err != nil || math.Float64bits(got) != math.Float64bits(v) {
			t.Fatalf("appendNum(%v) = %s, reads back %v, %v", v, b, got, err)
		}
		if short := strconv.FormatFloat(v, 'g', -1, 64); len(b) > len(short) {
			t.Fatalf("appendNum(%v) = %s, longer than %s", v, b, short)
		}
	})
}
