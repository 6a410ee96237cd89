package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
)

// TestPlanAPICompletionAndClosure takes tasks through completion, closure,
// reopening, cancelling and merging through the API.
func TestPlanAPICompletionAndClosure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		task := apTask(f, "T-DONE", f.Own.ID, f.Other.ID)
		path := fmt.Sprintf("/tasks/%d", task.ID)
		v := task.Version

		a.want("file without If-Match", a.do("reporter", "POST", path+"/completion", map[string]string{"summary": "已完成"}, nil),
			http.StatusUnprocessableEntity, "if_match_required")
		a.wantField("file without a summary", a.do("reporter", "POST", path+"/completion", map[string]string{"summary": ""}, arIfMatch(v)), "summary")
		a.want("the co-operating unit files", a.do("peer", "POST", path+"/completion", map[string]string{"summary": "已完成"}, arIfMatch(v)),
			http.StatusForbidden, "forbidden")
		a.want("close before filing", a.do("coordinator", "POST", path+"/close", nil, arIfMatch(v)), http.StatusConflict, "task.transition")

		res := a.do("reporter", "POST", path+"/completion", map[string]string{"summary": "方案已印发，项目已落地"}, arIfMatch(v))
		a.want("file", res, http.StatusOK, "")
		filed, completion := res.JSON["task"].(map[string]any), res.JSON["completion"].(map[string]any)
		if filed["status"] != "completion_filed" || filed["light"] != "done_on_time" || completion["summary"] != "方案已印发，项目已落地" || completion["filed_by"] != "reporter" {
			t.Errorf("filed: %s", res.Body)
		}
		v = apETag(t, res)
		if v != int(filed["version"].(float64)) {
			t.Errorf("ETag %d, task version %v", v, filed["version"])
		}
		a.want("file twice", a.do("reporter", "POST", path+"/completion", map[string]string{"summary": "再报"}, arIfMatch(v)), http.StatusConflict, "task.transition")

		for lang, want := range map[string]string{"en": "awaiting verification", "zh-CN": "待协调办公室销号"} {
			res := a.do("viewer", "GET", path, nil, map[string]string{"Accept-Language": lang})
			verdict := res.JSON["verdict"].(map[string]any)
			if verdict["light"] != "done_on_time" || !strings.Contains(verdict["reason"].(string), want) {
				t.Errorf("%s verdict: %v", lang, verdict)
			}
			if cs := res.JSON["completions"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != completion["id"] {
				t.Errorf("completions: %v", cs)
			}
		}

		res = a.do("coordinator", "POST", path+"/close", nil, arIfMatch(v))
		if a.want("close", res, http.StatusOK, ""); res.JSON["status"] != "closed" || res.JSON["light"] != "closed" || res.JSON["closed_at"] == nil {
			t.Errorf("closed: %s", res.Body)
		}
		v = apETag(t, res)
		a.want("close twice", a.do("coordinator", "POST", path+"/close", nil, arIfMatch(v)), http.StatusConflict, "task.transition")
		a.want("stale reopen", a.do("coordinator", "POST", path+"/reopen", map[string]string{"reason": "核查不实"}, arIfMatch(v-1)), http.StatusConflict, "stale_version")
		a.wantField("reopen without a reason", a.do("coordinator", "POST", path+"/reopen", map[string]string{}, arIfMatch(v)), "reason")
		res = a.do("coordinator", "POST", path+"/reopen", map[string]string{"reason": "核查发现项目未落地"}, arIfMatch(v))
		if a.want("reopen", res, http.StatusOK, ""); res.JSON["status"] != "active" || res.JSON["status_reason"] != "核查发现项目未落地" || res.JSON["closed_at"] != nil {
			t.Errorf("reopened: %s", res.Body)
		}
		res = a.do("viewer", "GET", path, nil, nil)
		if c := res.JSON["completions"].([]any)[0].(map[string]any); c["verdict"] != "closed" {
			t.Errorf("the closed completion report's verdict: %v", c)
		}
		var kinds []string
		for _, e := range apItems(t, a.do("viewer", "GET", path+"/timeline", nil, nil)) {
			kinds = append(kinds, e["kind"].(string))
		}
		if want := "task.reopened task.closed task.completion_filed created"; strings.Join(kinds, " ") != want {
			t.Errorf("timeline %v, want %s", kinds, want)
		}

		// Cancel and merge need a reason; a merge needs a live task of the same plan.
		other := fmt.Sprintf("/tasks/%d", f.TaskOther.ID)
		ov := f.TaskOther.Version
		a.wantField("cancel without a reason", a.do("coordinator", "POST", other+"/cancel", map[string]string{"reason": ""}, arIfMatch(ov)), "reason")
		a.want("unit leader cancels", a.do("unit-leader", "POST", other+"/cancel", map[string]string{"reason": "不再需要"}, arIfMatch(ov)), http.StatusForbidden, "forbidden")
		res = a.do("coordinator", "POST", other+"/cancel", map[string]string{"reason": "联席会议决定不再实施"}, arIfMatch(ov))
		if a.want("cancel", res, http.StatusOK, ""); res.JSON["status"] != "cancelled" || res.JSON["light"] != "cancelled" {
			t.Errorf("cancelled: %s", res.Body)
		}

		merged := apTask(f, "T-MERGE", f.Own.ID, f.Other.ID)
		mpath := fmt.Sprintf("/tasks/%d/merge", merged.ID)
		for name, into := range map[string]int64{"itself": merged.ID, "a cancelled task": f.TaskOther.ID, "an unknown task": 99999} {
			a.wantField("merge into "+name, a.do("coordinator", "POST", mpath, map[string]any{"into": into, "reason": "合并"}, arIfMatch(merged.Version)), "into")
		}
		a.wantField("merge without a reason", a.do("coordinator", "POST", mpath, map[string]any{"into": task.ID}, arIfMatch(merged.Version)), "reason")
		res = a.do("coordinator", "POST", mpath, map[string]any{"into": task.ID, "reason": "与 T-DONE 合并推进"}, arIfMatch(merged.Version))
		if a.want("merge", res, http.StatusOK, ""); res.JSON["status"] != "merged" || res.JSON["merged_into_id"] != float64(task.ID) {
			t.Errorf("merged: %s", res.Body)
		}

		// Both left the plan: its latest revision says so.
		rev := apItems(t, a.do("viewer", "GET", fmt.Sprintf("/plans/%d/revisions", f.Plan.ID), nil, nil))[0]
		if !strings.Contains(fmt.Sprint(rev["changes"]), "T-MERGE") || rev["reason"] != "与 T-DONE 合并推进" {
			t.Errorf("revision after the merge: %v", rev)
		}
		a.want("unknown task", a.do("coordinator", "POST", "/tasks/99999/close", nil, arIfMatch(1)), http.StatusNotFound, "not_found")
		a.want("timeline of an unknown task", a.do("viewer", "GET", "/tasks/99999/timeline", nil, nil), http.StatusNotFound, "not_found")
	})
}

// TestPlanAPIAssignments: the office and the unit's leader set a unit's
// responsible person and deadline; the office chases the unit.
func TestPlanAPIAssignments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		res := a.do("viewer", "GET", fmt.Sprintf("/tasks/%d", f.TaskOwn.ID), nil, nil)
		var own, other map[string]any
		for _, x := range res.JSON["assignments"].([]any) {
			switch x := x.(map[string]any); x["unit_id"] {
			case float64(f.Own.ID):
				own = x
			case float64(f.Other.ID):
				other = x
			}
		}
		if own["role"] != "lead" || other["role"] != "co" || fmt.Sprint(res.JSON["co_unit_ids"]) != fmt.Sprintf("[%d]", f.Other.ID) {
			t.Fatalf("assignments: %s", res.Body)
		}
		path := fmt.Sprintf("/assignments/%d", apNum(own["id"]))
		v := arIfMatch(int(own["version"].(float64)))
		reporter := f.Users["reporter"].ID
		a.wantField("due after the task", a.do("unit-leader", "PUT", path, map[string]any{"due_on": apDay(120)}, v), "due_on")
		a.wantField("responsible person of another unit", a.do("unit-leader", "PUT", path, map[string]any{"responsible_user_id": f.Peer.ID}, v), "responsible_user_id")
		res = a.do("unit-leader", "PUT", path, map[string]any{"responsible_user_id": reporter, "responsible_name": "张伟", "due_on": apDay(30)}, v)
		if a.want("set the responsible person", res, http.StatusOK, ""); res.JSON["responsible_name"] != "张伟" || res.JSON["due_on"] != apDay(30) {
			t.Errorf("assignment: %s", res.Body)
		}
		a.want("stale assignment", a.do("coordinator", "PUT", path, map[string]any{}, v), http.StatusConflict, "stale_version")
		a.want("the other unit's leader", a.do("unit-leader", "PUT", fmt.Sprintf("/assignments/%d", apNum(other["id"])), map[string]any{}, v),
			http.StatusForbidden, "forbidden")

		chase := fmt.Sprintf("/assignments/%d/chase", apNum(other["id"]))
		a.wantField("chase without a note", a.do("coordinator", "POST", chase, map[string]string{"note": ""}, nil), "note")
		res = a.do("coordinator", "POST", chase, map[string]string{"note": "请于本周内报送进展"}, nil)
		if a.want("chase", res, http.StatusCreated, ""); res.JSON["unit_id"] != float64(f.Other.ID) || res.JSON["sent_by"] != "coordinator" || res.JSON["task_code"] != "T-1" {
			t.Errorf("chase: %s", res.Body)
		}
		a.want("unit leader chases", a.do("unit-leader", "POST", chase, map[string]string{"note": "催"}, nil), http.StatusForbidden, "forbidden")
		a.want("chase an unknown assignment", a.do("coordinator", "POST", "/assignments/99999/chase", map[string]string{"note": "催"}, nil), http.StatusNotFound, "not_found")
	})
}
