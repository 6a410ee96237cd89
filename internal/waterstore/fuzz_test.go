package waterstore

import (
	"bytes"
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
