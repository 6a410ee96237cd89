package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"concord/internal/db"
)

// TestWaterForms covers the water pages' forms as the office uses them: a
// period that does not parse, a stale station edit, a broken stations file
// listed cell by cell, and a push token shown once.
func TestWaterForms(t *testing.T) {
	f := newFixture(t, db.SQLite)
	w := wtSample(f)
	s := pmLogin(f, "coordinator")
	cookie := map[string]string{"Cookie": "concord_session=" + s.token, "X-CSRF-Token": s.csrf}
	post := func(path string, form url.Values) result {
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		for k, v := range cookie {
			h[k] = v
		}
		return f.do("POST", path, "", form.Encode(), h)
	}

	res := f.do("GET", "/water/matrix?period=2020-14", "", nil, cookie)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "2020-14") || !strings.Contains(res.Body, `aria-invalid="true"`) {
		t.Errorf("bad period: %d", res.StatusCode)
	}
	res = f.do("GET", "/water/matrix?period=2020-05..2020-06", "", nil, cookie)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `<td class="wq wq-4">Ⅳ</td>`) {
		t.Errorf("matrix page: %d", res.StatusCode)
	}

	// A stale edit answers 409 on the station's page and changes nothing.
	path := fmt.Sprintf("/water/stations/%d", w.Daling.ID)
	form := url.Values{"version": {fmt.Sprint(w.Daling.Version)}, "code": {"LN-002"}, "name_zh": {"大凌河"}, "province": {"辽宁"},
		"water_body": {"river"}, "status": {"active"}, "target_class": {"4"}, "unit_id": {fmt.Sprint(f.Other.ID)}}
	if res := post(path, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, pmSnippet(res.Body))
	}
	if res := post(path, form); res.StatusCode != http.StatusConflict {
		t.Errorf("stale edit: %d", res.StatusCode)
	}
	form.Set("version", fmt.Sprint(w.Daling.Version+1))
	form.Set("target_class", "七")
	if res := post(path, form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "七") {
		t.Errorf("bad target: %d", res.StatusCode)
	}

	// A broken stations file: every problem by cell, nothing imported.
	body, ct := wtMultipart("stations.csv", "code,name_zh,province,water_body,status\nLN-8,新,辽宁,pond,active\nLN 9,,辽宁,river,active\n", nil)
	h := map[string]string{"Content-Type": ct}
	for k, v := range cookie {
		h[k] = v
	}
	res = f.do("POST", "/water/stations/file", "", body, h)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "pond") || !strings.Contains(res.Body, "D2") {
		t.Errorf("broken stations file: %d %s", res.StatusCode, pmSnippet(res.Body))
	}
	if wtStationID(f, "LN-8") != 0 {
		t.Error("a station of the broken file was created")
	}

	// Without script the upload form posts its CSRF token in the body; the
	// import's page follows with its report.
	body, ct = wtMultipart("表单.csv", wtHeader+"辽宁,大凌河,2020-10-10T08:00:00+08:00,7.5,6,5,0.8,0.15,正常\n", map[string]string{"csrf": s.csrf, "zone": "+08:00"})
	res = f.do("POST", "/water/imports", "", body, map[string]string{"Content-Type": ct, "Cookie": cookie["Cookie"]})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/water/imports/") {
		t.Fatalf("form upload: %d %s", res.StatusCode, pmSnippet(res.Body))
	}
	page := f.do("GET", loc, "", nil, cookie)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `data-state="done"`) || !strings.Contains(page.Body, "表单.csv") {
		t.Errorf("import page: %d %s", page.StatusCode, pmSnippet(page.Body))
	}
	if other := f.do("GET", loc, "", nil, map[string]string{"Cookie": "concord_session=" + f.token("viewer")}); other.StatusCode != http.StatusForbidden {
		t.Errorf("someone else's import page: %d", other.StatusCode)
	}

	// A push token: shown once on the page that creates it, never again.
	res = post(fmt.Sprintf("/water/stations/%d/tokens", w.Sea.ID), url.Values{"label": {"浮标"}})
	i := strings.Index(res.Body, "cwp_")
	if res.StatusCode != http.StatusOK || i < 0 {
		t.Fatalf("token: %d", res.StatusCode)
	}
	secret := res.Body[i : i+strings.IndexByte(res.Body[i:], '<')]
	if page := f.do("GET", fmt.Sprintf("/water/stations/%d", w.Sea.ID), "", nil, cookie); strings.Contains(page.Body, secret) || !strings.Contains(page.Body, "浮标") {
		t.Error("the station's page shows the token again, or not its label")
	}
	push := map[string]any{"samples": []map[string]any{{"time": "2020-05-01T08:00:00+08:00", "values": map[string]float64{"do": 7}}}}
	if res := f.do("POST", "/api/v1/water/push", secret, push, nil); res.StatusCode != http.StatusOK {
		t.Errorf("push with the new token: %d %s", res.StatusCode, res.Body)
	}
}
