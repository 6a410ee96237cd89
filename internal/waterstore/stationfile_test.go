package waterstore_test

import (
	"bytes"
	"strings"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/water"
	"concord/internal/waterstore"
)

const stationsCSV = "code,name_zh,name_en,province,basin,water,latitude,longitude,unit,water_body,target_class,status,boundary,upstream_unit,downstream_unit,stem\n" +
	"LN-001,三岔河,Sanchahe,辽宁,辽河流域,大辽河,40.9,122.3,yingkou,river,Ⅳ,active,cross_city,dalian,yingkou,main\n" +
	"LN-002,大伙房水库,Dahuofang,辽宁,辽河流域,浑河,,,panjin,水库,II,,,,,\n"

func TestImportStations(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		res, err := f.S.ImportStations(f.Coord, strings.NewReader(stationsCSV), "csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) > 0 || res.Created != 2 {
			t.Fatalf("import %+v", res)
		}
		list, err := f.S.Stations(f.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || *list[0].UpstreamID != f.A.ID || *list[0].UnitID != f.B.ID || list[0].Target != water.ClassIV ||
			list[1].Body != water.Reservoir || list[1].Target != water.ClassII || list[1].Latitude != nil || list[1].Status != waterstore.Active {
			t.Fatalf("stations %+v", list)
		}
		again, err := f.S.ImportStations(f.Coord, strings.NewReader(stationsCSV), "csv")
		if err != nil || again.Unchanged != 2 || again.Created+again.Updated != 0 {
			t.Errorf("the same file again: %+v, %v", again, err)
		}
		// An export in either format imports again unchanged.
		for _, format := range []string{"csv", "xlsx"} {
			for _, lang := range []string{"zh-Hans", "en"} {
				var b bytes.Buffer
				if err := f.S.ExportStations(f.Viewer, &b, format, lang); err != nil {
					t.Fatal(err)
				}
				res, err := f.S.ImportStations(f.Coord, &b, format)
				if err != nil || len(res.Problems) > 0 || res.Unchanged != 2 {
					t.Errorf("%s %s export imported again: %+v, %v", format, lang, res, err)
				}
			}
		}
		changed := strings.Replace(stationsCSV, "river,Ⅳ", "river,Ⅲ", 1)
		res, err = f.S.ImportStations(f.Coord, strings.NewReader(changed), "csv")
		if err != nil || res.Updated != 1 || res.Unchanged != 1 {
			t.Errorf("changed target: %+v, %v", res, err)
		}
		if n := f.Count(t, `SELECT count(*) FROM audit_log WHERE object_type = 'water_station' AND detail = 'import'`); n != 3 {
			t.Errorf("%d audit rows of imports, want 3", n)
		}
	})
}

func TestImportStationsProblems(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		head := stationsCSV[:strings.Index(stationsCSV, "\n")+1]
		row := "LN-009,辽河公园,,辽宁,,,,,yingkou,river,Ⅳ,,,,,\n"
		// other is a valid row of its own, which each case breaks.
		other := "LN-010,辽河大桥,,辽宁,,,,,yingkou,river,Ⅳ,,,,,\n"
		cases := []struct {
			name, rows, col, key string
		}{
			{"unknown unit", strings.Replace(other, "yingkou", "yingkuo", 1), "I", "error.water.unit_name_near"},
			{"class", strings.Replace(other, "Ⅳ", "七", 1), "K", "error.water.class"},
			{"water body", strings.Replace(other, "river", "pond", 1), "J", "error.sheet.choice"},
			{"no name", strings.Replace(other, "辽河大桥", "", 1), "B", "error.sheet.required"},
			{"duplicate code", strings.Replace(row, "辽河公园", "辽河公园二", 1), "A", "error.water.file_duplicate"},
			{"rule", strings.Replace(other, ",,,,,\n", ",,cross_city,,,main\n", 1), "N", "error.required"},
		}
		for _, c := range cases {
			res, err := f.S.ImportStations(f.Coord, strings.NewReader(head+row+c.rows), "csv")
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			found := false
			for _, p := range res.Problems {
				if p.Col == c.col && strings.HasPrefix(p.Key, c.key) {
					found = true
				}
			}
			if !found || res.Created != 0 {
				t.Errorf("%s: %+v, want %s in column %s", c.name, res, c.key, c.col)
			}
		}
		if n := f.Count(t, `SELECT count(*) FROM water_stations`); n != 0 {
			t.Errorf("%d stations stored from refused files", n)
		}
	})
}
