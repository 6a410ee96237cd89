package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/inspect"
	"concord/internal/water"
	"concord/internal/waterstore"
)

// The water rules in the permission matrix, and the scheme's request body
// in the OpenAPI check.
func init() {
	pmRules[access.ViewWater] = map[access.Role]pmReach{
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	}
	pmRules[access.ManageWater] = map[access.Role]pmReach{access.Coordinator: pmAny}
	oaRequestBodies["updateWaterScheme"] = oaFields{"name": nil, "per_class_main": nil, "per_class_tributary": nil, "per_multiple": nil,
		"province": nil, "late_rate": nil, "due_month": nil} // web.schemeBody
}

// wbLastMonth is the month before this one in China, yyyymm, as the pages
// default to it.
func wbLastMonth() int {
	now := clock.System.Now().In(time.FixedZone("CST", 8*3600))
	return waterstore.AddMonths(now.Year()*100+int(now.Month()), -1)
}

// wbSetup registers a cross-boundary section from Own down to Other (main
// stem, target Ⅳ) with a reading last month of TP 0.5 (worse than Ⅴ: two
// classes and a multiple of 1.5, so ¥2,150,000 owed by Own), and runs the
// loop for that month, which opens a water item for Own. It returns the
// station and the item.
func wbSetup(f *fixture) (waterstore.Station, inspect.Rectification) {
	f.t.Helper()
	coord := apCoordinator(f)
	wa := f.Srv.WaterAccount
	st, err := wa.Water.CreateStation(coord, waterstore.StationInput{Code: "WB-001", NameZh: "界河桥", Province: "辽宁", Water: "大辽河",
		UnitID: &f.Other.ID, Body: water.River, Target: water.ClassIV, Boundary: waterstore.CrossCity, UpstreamID: &f.Own.ID,
		DownstreamID: &f.Other.ID, Stem: waterstore.MainStem})
	if err != nil {
		f.t.Fatal(err)
	}
	m := wbLastMonth()
	csv := fmt.Sprintf("province,section,time,ph,do,codmn,nh3n,tp\n辽宁,界河桥,%04d-%02d-05T08:00:00+08:00,7.5,8,3,0.3,0.5\n", m/100, m%100)
	if rep, err := wa.Water.Ingest(coord, strings.NewReader(csv), waterstore.IngestOptions{Options: water.Options{File: "wb.csv"}, Format: water.CSV}); err != nil || !rep.OK() {
		f.t.Fatalf("ingest: %v %+v", err, rep)
	}
	r, err := wa.Run(coord, m)
	if err != nil || len(r.Opened) != 1 {
		f.t.Fatalf("loop: %v %+v", err, r)
	}
	it, err := f.Srv.Inspect.Rectification(coord, r.Opened[0])
	if err != nil {
		f.t.Fatal(err)
	}
	return st, it
}

// wbPages are the water brief's pages, for the test of every page in
// every language, and the page of a water rectification item.
func wbPages(f *fixture) []string {
	_, it := wbSetup(f)
	m := waterstore.MonthString(wbLastMonth())
	return []string{"/water/boundary", "/water/boundary?period=" + m, "/water/boundary/scheme", "/water/brief", "/water/brief?month=" + m,
		fmt.Sprintf("/rectifications/%d", it.ID)}
}

// arWaterBriefCases are arCases for the compensation scheme's API and form.
func arWaterBriefCases() map[string]func(f *fixture) arCall {
	scheme := func(f *fixture) waterstore.SchemeSettings {
		f.t.Helper()
		sc, err := f.Srv.WaterAccount.Water.Scheme(apCoordinator(f))
		if err != nil {
			f.t.Fatal(err)
		}
		return sc
	}
	body := func(sc waterstore.SchemeSettings, main float64, late float64) map[string]any {
		return map[string]any{"name": sc.Name, "per_class_main": main, "per_class_tributary": sc.PerClassTributary, "per_multiple": sc.PerMultiple,
			"province": sc.Province, "late_rate": late, "due_month": sc.DueMonth}
	}
	form := func(sc waterstore.SchemeSettings, main, late string) url.Values {
		return url.Values{"version": {fmt.Sprint(sc.Version)}, "name": {sc.Name}, "per_class_main": {main}, "per_class_tributary": {"500000"},
			"per_multiple": {"100000"}, "province": {sc.Province}, "late_rate": {late}, "due_month": {"3"}}
	}
	return map[string]func(f *fixture) arCall{
		"PUT /api/v1/water/boundary/scheme": func(f *fixture) arCall {
			sc := scheme(f)
			return arCall{method: "PUT", path: "/api/v1/water/boundary/scheme", token: f.token("coordinator"), header: arIfMatch(sc.Version),
				json: body(sc, 800_000, 0.1), status: 200, action: "water.scheme.update", objectType: "water_scheme", actor: "coordinator", objectID: arID(1),
				changes: []arChange{{"per_class_main", sc.PerClassMain, 800_000.0}, {"version", sc.Version, sc.Version + 1}}, invalid: body(sc, 800_000, 2)}
		},
		"POST /water/boundary/scheme": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			sc := scheme(f)
			return arCall{method: "POST", path: "/water/boundary/scheme", ui: &s, form: form(sc, "900000", "0.1"), status: 303,
				action: "water.scheme.update", objectType: "water_scheme", actor: "coordinator", objectID: arID(1),
				changes: []arChange{{"per_class_main", sc.PerClassMain, 900_000.0}}, invalid: form(sc, "900000", "-1")}
		},
	}
}

// TestWaterBriefRoutes: the cross-boundary table through the API and its
// exports, the brief as JSON and as files, and the water item's page
// linking its station.
func TestWaterBriefRoutes(t *testing.T) {
	f := newFixture(t, db.SQLite)
	st, it := wbSetup(f)
	m := waterstore.MonthString(wbLastMonth())
	viewer := f.token("viewer")
	res := f.do("GET", "/api/v1/water/boundary?period="+m, viewer, nil, nil)
	rows, _ := res.JSON["rows"].([]any)
	if res.StatusCode != 200 || len(rows) != 1 || res.JSON["total"] != 2_150_000.0 {
		t.Fatalf("boundary: %d %s", res.StatusCode, res.Body)
	}
	row := rows[0].(map[string]any)
	if row["payer"] != f.Own.Name.ZhHans || row["class"] != 6.0 || !strings.Contains(row["arithmetic"].(string), "1.5 × 100,000 元 = 150,000 元") {
		t.Errorf("row %v", row)
	}
	if res := f.do("GET", "/api/v1/water/boundary?period=2026-13", viewer, nil, nil); res.StatusCode != 422 || !strings.Contains(res.Body, "period") {
		t.Errorf("bad period: %d %s", res.StatusCode, res.Body)
	}
	res = f.do("GET", "/water/boundary/export?format=csv&period="+m, "", nil, map[string]string{"Cookie": "concord_session=" + viewer})
	if res.StatusCode != 200 || !strings.Contains(res.Body, "补偿金额（元）") || !strings.Contains(res.Body, "WB-001,界河桥,大辽河,跨市,干流") || !strings.Contains(res.Body, ",2150000,") {
		t.Errorf("csv export: %d %s", res.StatusCode, res.Body)
	}
	res = f.do("GET", "/api/v1/water/boundary/export?format=xlsx&period="+m, viewer, nil, nil)
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatalf("xlsx export: %v", err)
	}
	if v, _ := x.GetCellValue("Sheet1", "P2"); v != "2150000" {
		t.Errorf("xlsx amount %q", v)
	}
	x.Close()

	res = f.do("GET", "/api/v1/water/brief?month="+m, viewer, nil, nil)
	if res.StatusCode != 200 || len(res.JSON["off_target"].([]any)) != 1 || len(res.JSON["rectifications"].([]any)) != 1 {
		t.Fatalf("brief: %d %s", res.StatusCode, res.Body)
	}
	if res := f.do("GET", "/api/v1/water/brief?month=2026Q1", viewer, nil, nil); res.StatusCode != 422 {
		t.Errorf("a quarter as month: %d", res.StatusCode)
	}
	res = f.do("GET", "/api/v1/water/brief/download?format=xlsx&month="+m, viewer, nil, nil)
	if x, err = excelize.OpenReader(bytes.NewReader([]byte(res.Body))); err != nil {
		t.Fatalf("brief xlsx: %v", err)
	}
	if v, _ := x.GetCellValue("跨界补偿", "D2"); v != "2,150,000" {
		t.Errorf("brief xlsx compensation %q", v)
	}
	x.Close()
	res = f.do("GET", "/water/brief?month="+m, "", nil, map[string]string{"Cookie": "concord_session=" + viewer})
	if res.StatusCode != 200 || !strings.Contains(res.Body, "水环境质量月报") || !strings.Contains(res.Body, `data-chart="water-trend-chart"`) {
		t.Errorf("brief page: %d", res.StatusCode)
	}
	res = f.do("GET", fmt.Sprintf("/rectifications/%d", it.ID), "", nil, map[string]string{"Cookie": "concord_session=" + f.token("reporter")})
	if res.StatusCode != 200 || !strings.Contains(res.Body, fmt.Sprintf(`href="/water/stations/%d"`, st.ID)) || !strings.Contains(res.Body, "未达标月份："+m) {
		t.Errorf("water item page: %d", res.StatusCode)
	}
}
