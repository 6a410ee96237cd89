package web_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/db"
	"concord/internal/dbtest"
)

var wtUpdate = flag.Bool("update-water", false, "rewrite the water golden files")

// wtClasses reads the class names of an assessment list by station code.
func wtClasses(t *testing.T, res result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, row := range wtList(t, res) {
		st := row["station"].(map[string]any)
		out[st["code"].(string)] = fmt.Sprint(row["class_name"])
	}
	return out
}

func wtList(t *testing.T, res result) []map[string]any {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, pmSnippet(res.Body))
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWaterAPI walks the water API over both engines: stations with
// filters and stale versions, the assessment explained, the matrix, grades
// and ranking, suspects, the series, imports refused and stored, and the
// push with its token.
func TestWaterAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		w := wtSample(f)
		coord, viewer := f.token("coordinator"), f.token("viewer")

		// Stations, filtered.
		list := wtList(t, f.do("GET", fmt.Sprintf("/api/v1/water/stations?unit_id=%d", f.Other.ID), viewer, nil, nil))
		if len(list) != 1 || list[0]["code"] != "LN-002" {
			t.Errorf("stations of the other unit: %v", list)
		}
		if list := wtList(t, f.do("GET", "/api/v1/water/stations?q=ln-s", viewer, nil, nil)); len(list) != 1 || list[0]["code"] != "LN-S01" {
			t.Errorf("search: %v", list)
		}
		if list := wtList(t, f.do("GET", "/api/v1/water/stations?boundary=any", viewer, nil, nil)); len(list) != 0 {
			t.Errorf("no station is on a boundary: %v", list)
		}
		// A stale version is refused with 409.
		path := fmt.Sprintf("/api/v1/water/stations/%d", w.Daling.ID)
		body := wtRiver(f, "LN-002", "大凌河", f.Other.ID, 4)
		if res := f.do("PUT", path, coord, body, arIfMatch(w.Daling.Version)); res.StatusCode != http.StatusOK {
			t.Fatalf("update: %d %s", res.StatusCode, res.Body)
		}
		if res := f.do("PUT", path, coord, body, arIfMatch(w.Daling.Version)); res.StatusCode != http.StatusConflict {
			t.Errorf("stale update: %d, want 409", res.StatusCode)
		}
		if res := f.do("PUT", path, viewer, body, arIfMatch(w.Daling.Version+1)); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer updating: %d, want 403", res.StatusCode)
		}

		// May: 三岔河 is Class Ⅳ by total phosphorus, missing its target Ⅲ.
		res := f.do("GET", "/api/v1/water/assessment?period=2020-05", viewer, nil, map[string]string{"Accept-Language": "zh-CN"})
		rows := wtList(t, res)
		if got := wtClasses(t, res); got["LN-001"] != "Ⅳ" || got["LN-002"] != "Ⅲ" || len(got) != 2 {
			t.Errorf("classes in May: %v", got)
		}
		for _, r := range rows {
			if r["station"].(map[string]any)["code"] == "LN-001" {
				if !strings.Contains(fmt.Sprint(r["explain"]), "总磷") || r["compliant"] != false || fmt.Sprint(r["main_pollutants"]) != "[总磷(0.3)]" {
					t.Errorf("三岔河 explained: %v %v %v", r["explain"], r["compliant"], r["main_pollutants"])
				}
			}
		}
		if res := f.do("GET", "/api/v1/water/assessment?period=2020-13", viewer, nil, nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad period: %d", res.StatusCode)
		}
		one := f.do("GET", fmt.Sprintf("/api/v1/water/stations/%d/assessment?period=2020-06", w.Sanchahe.ID), viewer, nil, nil)
		if one.StatusCode != http.StatusOK || one.JSON["class_name"] != "Ⅱ" {
			t.Errorf("三岔河 in June (the suspect pH left out): %d %s", one.StatusCode, pmSnippet(one.Body))
		}

		// The matrix, the grades, the ranking.
		m := f.do("GET", "/api/v1/water/matrix?period=2020-05..2020-06", viewer, nil, nil)
		if m.StatusCode != http.StatusOK || fmt.Sprint(m.JSON["months"]) != "[202005 202006]" || !strings.Contains(m.Body, `"classes":[4,2]`) {
			t.Errorf("matrix: %d %s", m.StatusCode, pmSnippet(m.Body))
		}
		grades := wtList(t, f.do("GET", "/api/v1/water/grades?period=2020-05", viewer, nil, map[string]string{"Accept-Language": "en"}))
		if len(grades) != 3 || grades[0]["kind"] != "basin" || grades[0]["name"] != "辽河流域" || grades[0]["grade_name"] == "" {
			t.Errorf("grades: %v", grades)
		}
		rank := wtList(t, f.do("GET", "/api/v1/water/ranking?period=2020-05", viewer, nil, nil))
		if len(rank) != 2 || rank[0]["unit_id"] != float64(f.Other.ID) || rank[0]["meeting_share"] != float64(100) ||
			rank[1]["meeting_share"] != float64(0) || rank[1]["rank"] != float64(2) {
			t.Errorf("ranking: %v", rank)
		}

		// Suspects and the series.
		sus := wtList(t, f.do("GET", "/api/v1/water/suspects?period=2020-06", viewer, nil, nil))
		if len(sus) != 1 || sus[0]["item"] != "ph" || sus[0]["value"] != float64(15) {
			t.Errorf("suspects: %v", sus)
		}
		se := f.do("GET", fmt.Sprintf("/api/v1/water/stations/%d/series?period=2020-05..2020-06&item=总磷", w.Sanchahe.ID), viewer, nil, nil)
		if se.StatusCode != http.StatusOK || len(se.JSON["points"].([]any)) != 4 || len(se.JSON["bands"].([]any)) != 5 {
			t.Errorf("series: %d %s", se.StatusCode, pmSnippet(se.Body))
		}
		if res := f.do("GET", fmt.Sprintf("/api/v1/water/stations/%d/series?item=nothing", w.Sanchahe.ID), viewer, nil, nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown item: %d", res.StatusCode)
		}

		// An import with an unknown station stores nothing and says where.
		mbody, ct := wtMultipart("bad.csv", wtHeader+"辽宁,三岔河,2020-07-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n辽宁,三叉河口,2020-07-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n", nil)
		imp := f.do("POST", "/api/v1/water/imports?wait=60", coord, mbody, map[string]string{"Content-Type": ct})
		if imp.StatusCode != http.StatusCreated || imp.JSON["state"] != "refused" {
			t.Fatalf("refused import: %d %s", imp.StatusCode, imp.Body)
		}
		msgs := fmt.Sprint(imp.JSON["report"].(map[string]any)["problem_messages"])
		if !strings.Contains(msgs, "bad.csv") || !strings.Contains(msgs, "3") || !strings.Contains(msgs, "三叉河口") {
			t.Errorf("problems: %s", msgs)
		}
		// Its progress is the importer's only.
		loc := imp.Header.Get("Location")
		if res := f.do("GET", loc, coord, nil, nil); res.StatusCode != http.StatusOK || res.JSON["percent"] != float64(100) {
			t.Errorf("progress: %d %s", res.StatusCode, res.Body)
		}
		mbody, ct = wtMultipart("notes.txt", "x", nil)
		if res := f.do("POST", "/api/v1/water/imports", coord, mbody, map[string]string{"Content-Type": ct}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a .txt file: %d", res.StatusCode)
		}
		mbody, ct = wtMultipart("a.csv", "x", map[string]string{"zone": "China"})
		if res := f.do("POST", "/api/v1/water/imports", coord, mbody, map[string]string{"Content-Type": ct}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"zone"`) {
			t.Errorf("a bad zone: %d %s", res.StatusCode, res.Body)
		}

		// The push: its token as bearer, no session; a revoked or wrong token is 401.
		push := map[string]any{"samples": []map[string]any{{"time": "2020-07-01T08:00:00+08:00", "values": map[string]float64{"tp": 0.1}}}}
		res = f.do("POST", "/api/v1/water/push", w.PushToken, push, nil)
		if res.StatusCode != http.StatusOK || res.JSON["inserted"] != float64(1) {
			t.Fatalf("push: %d %s", res.StatusCode, res.Body)
		}
		if res := f.do("POST", "/api/v1/water/push", w.PushToken, push, nil); res.StatusCode != http.StatusOK || res.JSON["duplicates"] != float64(1) {
			t.Errorf("the same push again: %d %s", res.StatusCode, res.Body)
		}
		if res := f.do("POST", "/api/v1/water/push", coord, push, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a user's token: %d", res.StatusCode)
		}
		if res := f.do("DELETE", fmt.Sprintf("/api/v1/water/tokens/%d", w.SpareToken), coord, nil, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		toks := wtList(t, f.do("GET", fmt.Sprintf("/api/v1/water/stations/%d/tokens", w.Sanchahe.ID), coord, nil, nil))
		if len(toks) != 2 || strings.Contains(fmt.Sprint(toks), w.PushToken) {
			t.Errorf("tokens list: %v", toks)
		}
	})
}

// TestWaterExports checks the matrix export against its golden file (CSV)
// and the stations file's round trip through the web.
func TestWaterExports(t *testing.T) {
	f := newFixture(t, db.SQLite)
	wtSample(f)
	cookie := map[string]string{"Cookie": "concord_session=" + f.token("viewer")}
	res := f.do("GET", "/water/matrix/export?period=2020-05..2020-06&format=csv", "", nil, cookie)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("matrix export: %d %s", res.StatusCode, pmSnippet(res.Body))
	}
	got := strings.TrimPrefix(res.Body, "\xEF\xBB\xBF")
	golden := "testdata/water_matrix.golden.csv"
	if *wtUpdate {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("matrix export:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	x := f.do("GET", "/water/assessment/export?period=2020-05&format=xlsx", "", nil, cookie)
	book, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatalf("assessment xlsx: %v", err)
	}
	if v, _ := book.GetCellValue("Sheet1", "E2"); v != "Ⅳ" {
		t.Errorf("assessment xlsx E2 = %q, want Ⅳ", v)
	}
	if res := f.do("GET", "/water/matrix/export?period=x&format=csv", "", nil, cookie); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad period export: %d", res.StatusCode)
	}
	// The stations file exports and imports again unchanged; a broken one
	// lists its problems by row and column and changes nothing.
	file := f.do("GET", "/api/v1/water/stations/file?format=csv", f.token("viewer"), nil, nil)
	mbody, ct := wtMultipart("stations.csv", file.Body, nil)
	res = f.do("POST", "/api/v1/water/stations/file", f.token("coordinator"), mbody, map[string]string{"Content-Type": ct})
	if res.StatusCode != http.StatusOK || res.JSON["unchanged"] != float64(3) {
		t.Errorf("round trip: %d %s", res.StatusCode, res.Body)
	}
	mbody, ct = wtMultipart("stations.csv", "code,name_zh,province,water_body,status\nLN-9,新,辽宁,pond,active\n", nil)
	res = f.do("POST", "/api/v1/water/stations/file", f.token("coordinator"), mbody, map[string]string{"Content-Type": ct})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "pond") || res.JSON["code"] != "sheet.problems" {
		t.Errorf("broken stations file: %d %s", res.StatusCode, res.Body)
	}
}
