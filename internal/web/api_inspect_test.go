package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
)

// isCall sends a request and insists on its status, returning the answer.
func isCall(t *testing.T, f *fixture, want int, method, path, login string, body any, header map[string]string) result {
	t.Helper()
	res := f.do(method, path, f.token(login), body, header)
	if res.StatusCode != want {
		t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, login, res.StatusCode, want, pmSnippet(res.Body))
	}
	return res
}

// isList reads a JSON array answer.
func isList(t *testing.T, res result) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal([]byte(res.Body), &l); err != nil {
		t.Fatalf("not a JSON list: %s", res.Body)
	}
	return l
}

func isVersion(res result) map[string]string { return arIfMatch(int(res.JSON["version"].(float64))) }

// TestInspectionAPIFlow runs a round from plan to correction and a
// rectification item from opening to closure through the API, trying the
// illegal moves on the way: each is refused with 409 and changes nothing.
func TestInspectionAPIFlow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		today := clock.Today(clock.System)
		body := map[string]any{"title": "一季度督查", "plan_id": f.Plan.ID, "unit_ids": []int64{f.Own.ID},
			"inspector_ids": []int64{f.Users["inspector"].ID}, "starts_on": today.String(), "ends_on": today.AddDays(10).String()}
		round := isCall(t, f, 201, "POST", "/api/v1/inspections", "inspector", body, nil)
		path := fmt.Sprintf("/api/v1/inspections/%d", int64(round.JSON["id"].(float64)))
		// Planned → finished skips a step; a finding needs a round in progress.
		isCall(t, f, 409, "PUT", path+"/status", "inspector", map[string]string{"status": "finished"}, isVersion(round))
		isCall(t, f, 409, "POST", path+"/findings", "inspector", map[string]any{"unit_id": f.Own.ID, "severity": "major", "description": "x"}, nil)
		round = isCall(t, f, 200, "PUT", path+"/status", "inspector", map[string]string{"status": "in_progress"}, isVersion(round))
		finding := isCall(t, f, 201, "POST", path+"/findings", "inspector", map[string]any{"unit_id": f.Own.ID, "severity": "major", "description": "台账不全"}, nil)
		fid := int64(finding.JSON["id"].(float64))
		item := isCall(t, f, 201, "POST", "/api/v1/rectifications", "inspector", map[string]any{"source_kind": "finding", "source_ref": fmt.Sprint(fid),
			"requirement": "补齐台账", "due_on": today.AddDays(15).String()}, nil)
		if item.JSON["unit_id"].(float64) != float64(f.Own.ID) {
			t.Fatalf("the item's unit is not the finding's: %v", item.JSON)
		}
		ipath := fmt.Sprintf("/api/v1/rectifications/%d", int64(item.JSON["id"].(float64)))
		// Done without evidence is refused, and names the missing evidence.
		res := isCall(t, f, 422, "POST", ipath+"/respond", "reporter", map[string]string{"response": "已整改"}, isVersion(item))
		if fs := res.JSON["fields"].([]any); len(fs) != 1 || fs[0].(map[string]any)["field"] != "evidence" {
			t.Fatalf("no evidence: %s", res.Body)
		}
		isCall(t, f, 409, "POST", ipath+"/verify", "inspector", map[string]any{"accept": true}, isVersion(item))
		isCall(t, f, 403, "POST", ipath+"/respond", "peer", map[string]string{"response": "x"}, isVersion(item))
		file := isCall(t, f, 201, "POST", ipath+"/evidence", "reporter", apForm("整改报告.pdf", apPDF), map[string]string{"Content-Type": apFormType})
		item = isCall(t, f, 200, "POST", ipath+"/respond", "unit-leader", map[string]string{"response": "已补齐"}, isVersion(item))
		isCall(t, f, 409, "POST", ipath+"/respond", "reporter", map[string]string{"response": "again"}, isVersion(item))
		isCall(t, f, 403, "POST", ipath+"/verify", "reporter", map[string]any{"accept": true}, isVersion(item))
		item = isCall(t, f, 200, "POST", ipath+"/verify", "inspector", map[string]any{"accept": false, "reason": "缺签字页"}, isVersion(item))
		stale := isVersion(item)
		item = isCall(t, f, 200, "POST", ipath+"/respond", "reporter", map[string]string{"response": "已补签字页"}, isVersion(item))
		res = isCall(t, f, 409, "POST", ipath+"/verify", "inspector", map[string]any{"accept": true}, stale)
		if res.JSON["current"] == nil {
			t.Fatalf("stale verify: no current: %s", res.Body)
		}
		item = isCall(t, f, 200, "POST", ipath+"/verify", "coordinator", map[string]any{"accept": true}, isVersion(item))
		if item.JSON["status"] != "closed" || item.JSON["closed_on"] != today.String() {
			t.Fatalf("closed: %s", item.Body)
		}
		steps := f.do("GET", ipath+"/timeline", f.token("viewer"), nil, nil)
		if n := len(isList(t, steps)); n != 5 {
			t.Fatalf("timeline has %d steps, want 5: %s", n, steps.Body)
		}
		dl := f.do("GET", file.Header.Get("Location"), f.token("viewer"), nil, nil)
		if dl.StatusCode != http.StatusOK || dl.Body != string(apPDF) || dl.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %d %q", dl.StatusCode, dl.Header)
		}
		// Finish, then only a correction with a reason changes the round.
		round = isCall(t, f, 200, "PUT", path+"/status", "inspector", map[string]string{"status": "finished"}, isVersion(round))
		isCall(t, f, 409, "PUT", path, "inspector", body, isVersion(round))
		isCall(t, f, 409, "PUT", path+"/status", "inspector", map[string]string{"status": "in_progress"}, isVersion(round))
		body["reason"] = "检查日期有误"
		body["ends_on"] = today.AddDays(12).String()
		round = isCall(t, f, 200, "POST", path+"/correction", "coordinator", body, isVersion(round))
		if round.JSON["revision"].(float64) != 2 {
			t.Fatalf("correction: %s", round.Body)
		}
		revs := f.do("GET", path+"/revisions", f.token("viewer"), nil, nil)
		if l := isList(t, revs); len(l) != 1 || l[0].(map[string]any)["before"].(map[string]any)["ends_on"] != today.AddDays(10).String() {
			t.Fatalf("revisions: %s", revs.Body)
		}
		// The unit's open items, for its workspace: none left.
		open := f.do("GET", fmt.Sprintf("/api/v1/rectifications?unit_id=%d&open=1", f.Own.ID), f.token("viewer"), nil, nil)
		if open.StatusCode != 200 || len(isList(t, open)) != 0 {
			t.Fatalf("open items: %d %s", open.StatusCode, open.Body)
		}
		isCall(t, f, 422, "GET", "/api/v1/rectifications?status=lost&due_from=soon", "viewer", nil, nil)
	})
}

// TestProblemAPIStateMachine tries every move of the problem list from
// every state through the API: only the flow's moves pass.
func TestProblemAPIStateMachine(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d.Engine)
		due := clock.Today(clock.System).AddDays(20).String()
		type move struct {
			login, suffix string
			body          any
		}
		moves := map[string]move{
			"accept":   {"coordinator", "triage", map[string]any{"accept": true, "handling_unit_id": f.Other.ID, "due_on": due}},
			"reject":   {"coordinator", "triage", map[string]any{"accept": false, "reason": "不属于跨单位问题"}},
			"reassign": {"coordinator", "reassign", map[string]any{"handling_unit_id": f.Own.ID, "due_on": due, "reason": "改由本单位"}},
			"escalate": {"coordinator", "escalate", map[string]any{"reason": "意见不一"}},
			"respond":  {"peer", "respond", map[string]any{"response": "已协调"}},
			"solved":   {"reporter", "confirm", map[string]any{"solved": true}},
			"unsolved": {"reporter", "confirm", map[string]any{"solved": false, "note": "未落实"}},
		}
		paths := map[string][]string{
			"raised": nil, "rejected": {"reject"}, "assigned": {"accept"}, "responded": {"accept", "respond"},
			"solved": {"accept", "respond", "solved"}, "escalated": {"accept", "escalate"},
		}
		allowed := map[string]map[string]string{
			"raised":    {"accept": "assigned", "reject": "rejected"},
			"assigned":  {"respond": "responded", "reassign": "assigned", "escalate": "assigned"},
			"responded": {"solved": "solved", "unsolved": "assigned", "escalate": "responded"},
			"escalated": {"respond": "responded", "reassign": "assigned"},
		}
		for state, path := range paths {
			for name, m := range moves {
				t.Run(state+"/"+name, func(t *testing.T) {
					p := isCall(t, f, 201, "POST", "/api/v1/problems", "reporter",
						map[string]any{"category": "infrastructure", "title": "疏港铁路", "ask": "请协调", "unit_ids": []int64{f.Other.ID}}, nil)
					url := fmt.Sprintf("/api/v1/problems/%d/", int64(p.JSON["id"].(float64)))
					for _, step := range path {
						s := moves[step]
						p = isCall(t, f, 200, "POST", url+s.suffix, s.login, s.body, isVersion(p))
					}
					want, ok := allowed[state][name]
					if !ok {
						refused := http.StatusConflict
						if p.JSON["handling_unit_id"] == nil && name == "respond" {
							refused = http.StatusForbidden // nobody handles it yet
						}
						isCall(t, f, refused, "POST", url+m.suffix, m.login, m.body, isVersion(p))
						return
					}
					got := isCall(t, f, 200, "POST", url+m.suffix, m.login, m.body, isVersion(p))
					if got.JSON["status"] != want {
						t.Fatalf("%s from %s gave %v, want %s", name, state, got.JSON["status"], want)
					}
				})
			}
		}
	})
}
