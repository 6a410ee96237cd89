package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/plans"
)

// apCodes are the codes of a task list's items.
func apCodes(t *testing.T, res result) []string {
	t.Helper()
	var out []string
	for _, it := range apItems(t, res) {
		out = append(out, it["code"].(string))
	}
	slices.Sort(out)
	return out
}

// TestPlanAPILists: the task and report lists' filters, pages and errors.
func TestPlanAPILists(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		light := a.do("viewer", "GET", fmt.Sprintf("/tasks/%d", f.TaskOwn.ID), nil, nil).JSON["light"]
		for _, c := range []struct {
			query string
			codes []string
		}{
			{"", []string{"T-1", "T-2"}},
			{fmt.Sprintf("?plan_id=%d", f.Plan.ID), []string{"T-1", "T-2"}},
			{"?plan_id=99999", nil},
			{fmt.Sprintf("?goal_id=%d&area_id=%d", f.Goal.ID, f.Goal.AreaID), []string{"T-1", "T-2"}},
			{fmt.Sprintf("?lead_unit_id=%d", f.Own.ID), []string{"T-1"}},
			{fmt.Sprintf("?unit_id=%d", f.Other.ID), []string{"T-1", "T-2"}},
			{fmt.Sprintf("?light=%s&status=active", light), []string{"T-1", "T-2"}},
			{"?status=closed", nil},
			{"?q=T-2", []string{"T-2"}},
			{fmt.Sprintf("?due_from=%s&due_to=%s&sort=-progress", apDay(0), apDay(60)), []string{"T-1", "T-2"}},
			{fmt.Sprintf("?due_to=%s", apDay(59)), nil},
		} {
			res := a.do("viewer", "GET", "/tasks"+c.query, nil, nil)
			if got := apCodes(t, res); res.StatusCode != http.StatusOK || !slices.Equal(got, c.codes) || res.JSON["total"] != float64(len(c.codes)) {
				t.Errorf("tasks%s: %d %v (total %v), want %v", c.query, res.StatusCode, got, res.JSON["total"], c.codes)
			}
		}
		var paged []string
		for page := 1; page <= 2; page++ {
			res := a.do("viewer", "GET", fmt.Sprintf("/tasks?per_page=1&page=%d", page), nil, nil)
			if res.JSON["total"] != float64(2) || res.JSON["page"] != float64(page) || res.JSON["per_page"] != float64(1) {
				t.Errorf("page %d: %s", page, res.Body)
			}
			paged = append(paged, apCodes(t, res)...)
		}
		if slices.Sort(paged); !slices.Equal(paged, []string{"T-1", "T-2"}) {
			t.Errorf("two pages of one: %v", paged)
		}
		for query, field := range map[string]string{
			"?status=lost": "status", "?light=purple": "light", "?plan_id=abc": "plan_id", "?unit_id=0": "unit_id",
			"?due_from=2018-02-30": "due_from", "?sort=random": "sort", "?per_page=500": "per_page",
			fmt.Sprintf("?due_from=%s&due_to=%s", apDay(10), apDay(0)): "due_to",
		} {
			a.wantField("tasks"+query, a.do("viewer", "GET", "/tasks"+query, nil, nil), field)
		}

		// Reports: the seeded task's periods so far, for both its units.
		res := a.do("viewer", "GET", fmt.Sprintf("/reports?task_id=%d&state=pending&state=draft", f.TaskOwn.ID), nil, nil)
		all := apItems(t, res)
		units := map[float64]int{}
		for _, r := range all {
			units[r["unit_id"].(float64)]++
			if r["task_code"] != "T-1" || r["state"] != "pending" {
				t.Errorf("report: %v", r)
			}
		}
		if len(units) != 2 || units[float64(f.Own.ID)] != units[float64(f.Other.ID)] {
			t.Errorf("reports by unit: %v", units)
		}
		res = a.do("viewer", "GET", fmt.Sprintf("/reports?task_id=%d&unit_id=%d", f.TaskOwn.ID, f.Other.ID), nil, nil)
		if n := len(apItems(t, res)); n != units[float64(f.Other.ID)] {
			t.Errorf("the other unit's reports: %d", n)
		}
		for _, r := range apItems(t, a.do("viewer", "GET", "/reports?missing=1&per_page=200", nil, nil)) {
			if r["due_on"].(string) >= apDay(0) {
				t.Errorf("missing, yet not due: %v", r)
			}
		}
		if n := len(apItems(t, a.do("viewer", "GET", "/reports?state=accepted", nil, nil))); n != 0 {
			t.Errorf("%d accepted reports", n)
		}
		a.wantField("a bad state", a.do("viewer", "GET", "/reports?state=pending&state=lost", nil, nil), "state")
		a.wantField("a bad date", a.do("viewer", "GET", "/reports?due_to=tomorrow", nil, nil), "due_to")
		a.want("a task's reports", a.do("viewer", "GET", fmt.Sprintf("/tasks/%d/reports", f.TaskOwn.ID), nil, nil), http.StatusOK, "")
		a.want("an auditor's list", a.do("audit-admin", "GET", "/reports", nil, nil), http.StatusForbidden, "forbidden")
	})
}

// TestPlanAPIOverview: the dashboard with names, search, saved views, and
// the rules of supervision.
func TestPlanAPIOverview(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		res := a.do("viewer", "GET", "/dashboard", nil, nil)
		a.want("dashboard", res, http.StatusOK, "")
		all := res.JSON["all"].(map[string]any)
		units, areas := res.JSON["unit_names"].(map[string]any), res.JSON["area_names"].(map[string]any)
		if all["total"] != float64(2) || units[fmt.Sprint(f.Own.ID)] != "本单位" || areas[fmt.Sprint(f.Goal.AreaID)] == nil {
			t.Errorf("dashboard: %s", res.Body)
		}
		if byUnit := res.JSON["by_unit"].(map[string]any); byUnit[fmt.Sprint(f.Own.ID)] == nil || byUnit[fmt.Sprint(f.Other.ID)] == nil {
			t.Errorf("by unit: %v", byUnit)
		}
		en := a.do("viewer", "GET", fmt.Sprintf("/dashboard?plan_id=%d", f.Plan.ID), nil, map[string]string{"Accept-Language": "en"})
		if en.JSON["area_names"].(map[string]any)[fmt.Sprint(f.Goal.AreaID)] == areas[fmt.Sprint(f.Goal.AreaID)] {
			t.Errorf("area names in English as in Chinese: %v", en.JSON["area_names"])
		}
		a.wantField("a bad plan", a.do("viewer", "GET", "/dashboard?plan_id=x", nil, nil), "plan_id")
		a.want("another plan's dashboard", a.do("viewer", "GET", "/dashboard?plan_id=99999", nil, nil), http.StatusOK, "")

		pct := 60.0
		r, err := f.Plans.SubmitReport(apAs(f.Users[access.Reporter]), f.ReportOwn.ID,
			plans.ReportInput{Percent: &pct, SelfStatus: "on_track", Narrative: "示范园区一期已开工"}, f.ReportOwn.Version)
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{"T-1": fmt.Sprintf("task %d", f.TaskOwn.ID), "示范园区": fmt.Sprintf("report %d", r.ID)} {
			var got []string
			for _, h := range apItems(t, a.do("viewer", "GET", "/search?q="+q, nil, nil)) {
				got = append(got, fmt.Sprintf("%s %v", h["kind"], h["ref_id"]))
			}
			if !slices.Contains(got, want) {
				t.Errorf("search %s: %v, want %s among them", q, got, want)
			}
		}
		if hits := apItems(t, a.do("viewer", "GET", "/search?q=", nil, nil)); len(hits) != 0 {
			t.Errorf("empty search: %v", hits)
		}

		view := map[string]string{"page": "tasks", "name": "逾期任务", "query": "light=red"}
		res = a.do("viewer", "POST", "/views", view, nil)
		a.want("save a view", res, http.StatusCreated, "")
		id := apNum(res.JSON["id"])
		view["query"] = "light=red&sort=due"
		if res := a.do("viewer", "POST", "/views", view, nil); apNum(res.JSON["id"]) != id {
			t.Errorf("saving under the same name made another view: %s", res.Body)
		}
		if vs := apItems(t, a.do("viewer", "GET", "/views?page=tasks", nil, nil)); len(vs) != 1 || vs[0]["query"] != "light=red&sort=due" {
			t.Errorf("views: %v", vs)
		}
		if vs := apItems(t, a.do("reporter", "GET", "/views?page=tasks", nil, nil)); len(vs) != 0 {
			t.Errorf("someone else's views: %v", vs)
		}
		a.wantField("a view of no list", a.do("viewer", "POST", "/views", map[string]string{"page": "units", "name": "x"}, nil), "page")
		a.want("delete someone else's view", a.do("reporter", "DELETE", fmt.Sprintf("/views/%d", id), nil, nil), http.StatusNotFound, "not_found")
		a.want("delete", a.do("viewer", "DELETE", fmt.Sprintf("/views/%d", id), nil, nil), http.StatusNoContent, "")
		a.want("delete twice", a.do("viewer", "DELETE", fmt.Sprintf("/views/%d", id), nil, nil), http.StatusNotFound, "not_found")

		res = a.do("viewer", "GET", "/settings", nil, nil)
		rules := res.JSON
		if res.Header.Get("ETag") != `"v1"` || rules["lead_weight"] != 0.6 || rules["version"] != float64(1) {
			t.Errorf("the rules as shipped: %v %s", res.Header, res.Body)
		}
		rules["remind_days"] = 5
		a.want("rules without If-Match", a.do("coordinator", "PUT", "/settings", rules, nil), http.StatusUnprocessableEntity, "if_match_required")
		a.want("rules as a viewer", a.do("viewer", "PUT", "/settings", rules, map[string]string{"If-Match": `"v1"`}), http.StatusForbidden, "forbidden")
		res = a.do("coordinator", "PUT", "/settings", rules, map[string]string{"If-Match": `"v1"`})
		if a.want("change the rules", res, http.StatusOK, ""); res.JSON["remind_days"] != float64(5) || res.Header.Get("ETag") != `"v2"` {
			t.Errorf("changed rules: %v %s", res.Header, res.Body)
		}
		res = a.do("coordinator", "PUT", "/settings", rules, map[string]string{"If-Match": `"v1"`})
		if a.want("stale rules", res, http.StatusConflict, "stale_version"); res.JSON["current"].(map[string]any)["version"] != float64(2) {
			t.Errorf("stale rules lack the current ones: %s", res.Body)
		}
		for field, value := range map[string]any{"lead_weight": 1.5, "chase_office_days": 2, "due_soon_days": -1} {
			bad := map[string]any{}
			for k, v := range rules {
				bad[k] = v
			}
			bad[field] = value
			a.wantField("rules with "+field, a.do("coordinator", "PUT", "/settings", bad, arIfMatch(1)), field)
		}
	})
}
