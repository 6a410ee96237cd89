package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"concord/internal/db"
	"concord/internal/dbtest"
)

// mtMeeting creates a held meeting through the API, with one agenda item,
// and returns its id and the agenda item's.
func mtMeeting(a *apAPI, title string, day int) (meeting, item int64) {
	a.t.Helper()
	f := a.f
	res := a.do("coordinator", "POST", "/meetings", map[string]any{"kind": "leaders", "title": title, "held_on": apDay(day), "place": "盘锦",
		"host_unit_id": f.Own.ID, "attendees": []map[string]any{{"unit_id": f.Own.ID, "person": "市长", "role": "host"}, {"unit_id": f.Other.ID, "person": "副市长", "role": "speaker"}},
		"agenda": []map[string]any{{"title": "审议三年行动计划", "presenter_unit_id": f.Own.ID}}}, nil)
	a.want("create meeting", res, http.StatusCreated, "")
	meeting = apNum(res.JSON["id"])
	item = apNum(res.JSON["agenda"].([]any)[0].(map[string]any)["id"])
	path := fmt.Sprintf("/meetings/%d/status", meeting)
	a.want("hold", a.do("coordinator", "PUT", path, map[string]string{"status": "held"}, arIfMatch(int(apNum(res.JSON["version"])))), http.StatusOK, "")
	return meeting, item
}

// TestMeetingAPIDecisionToClosure follows a decision through the API: the
// meeting decides, the decision becomes a task of the lead unit, the unit
// files its completion report, the office closes the task, and the decision
// shows as closed in its trace and in the next meeting's brief.
func TestMeetingAPIDecisionToClosure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		a.wantField("meeting without a host", a.do("coordinator", "POST", "/meetings", map[string]any{"kind": "leaders", "title": "会", "held_on": apDay(0)}, nil), "host_unit_id")
		a.want("viewer creates", a.do("viewer", "POST", "/meetings", map[string]any{}, nil), http.StatusForbidden, "")
		meeting, item := mtMeeting(a, "第一次联席会议", -30)

		decisions := fmt.Sprintf("/meetings/%d/decisions", meeting)
		body := map[string]any{"agenda_item_id": item, "text": "建立港口协同发展机制", "area_id": f.Goal.AreaID, "due_on": apDay(30)}
		a.wantField("decision without a lead unit", a.do("coordinator", "POST", decisions, body, nil), "lead_unit_id")
		body["lead_unit_id"], body["co_unit_ids"] = f.Own.ID, []int64{f.Other.ID}
		res := a.do("coordinator", "POST", decisions, body, nil)
		a.want("decide", res, http.StatusCreated, "")
		decision := apNum(res.JSON["id"])
		if res.JSON["status"] != "unassigned" {
			t.Fatalf("new decision: %s", res.Body)
		}
		a.want("stale decision", a.do("coordinator", "PUT", fmt.Sprintf("/decisions/%d", decision), body, arIfMatch(7)), http.StatusConflict, "stale_version")

		res = a.do("coordinator", "POST", fmt.Sprintf("/decisions/%d/tasks", decision), map[string]any{}, nil)
		a.want("assign", res, http.StatusCreated, "")
		task := apNum(res.JSON["id"])
		if apNum(res.JSON["lead_unit_id"]) != f.Own.ID || res.Header.Get("Location") != fmt.Sprintf("/api/v1/tasks/%d", task) {
			t.Fatalf("task: %s", res.Body)
		}
		// The task is the lead unit's to report on.
		found := false
		for _, it := range apItems(t, a.do("reporter", "GET", fmt.Sprintf("/tasks?unit_id=%d", f.Own.ID), nil, nil)) {
			found = found || apNum(it["id"]) == task
		}
		if !found {
			t.Fatal("the decision's task is not in the lead unit's task list")
		}
		path := fmt.Sprintf("/tasks/%d", task)
		a.want("file", a.do("reporter", "POST", path+"/completion", map[string]string{"summary": "机制已建立"}, arIfMatch(a.version(path))), http.StatusOK, "")
		a.want("close", a.do("coordinator", "POST", path+"/close", nil, arIfMatch(a.version(path))), http.StatusOK, "")

		res = a.do("viewer", "GET", fmt.Sprintf("/decisions/%d/trace", decision), nil, nil)
		a.want("trace", res, http.StatusOK, "")
		tr := res.JSON["tasks"].([]any)
		if res.JSON["decision"].(map[string]any)["status"] != "closed" || len(tr) != 1 || len(tr[0].(map[string]any)["completions"].([]any)) != 1 {
			t.Fatalf("trace: %s", res.Body)
		}

		next, _ := mtMeeting(a, "第二次联席会议", 0)
		res = a.do("viewer", "GET", fmt.Sprintf("/meetings/%d/brief", next), nil, nil)
		a.want("brief", res, http.StatusOK, "")
		ds := res.JSON["decisions"].([]any)
		if len(ds) != 1 || ds[0].(map[string]any)["status"] != "closed" || res.JSON["totals"].(map[string]any)["closed"] != 1.0 {
			t.Fatalf("brief: %s", res.Body)
		}
		for _, it := range apItems(t, a.do("viewer", "GET", "/decisions?status=closed", nil, nil)) {
			if apNum(it["id"]) != decision {
				t.Errorf("closed decisions list %v", it)
			}
		}
		a.wantField("bad filter", a.do("viewer", "GET", "/decisions?status=done&meeting_id=x", nil, nil), "status")
	})
}

// TestMeetingAPIRecord covers the meeting's own record: editing with
// versions, documents, closing, corrections, committees and agreements.
func TestMeetingAPIRecord(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		res := a.do("coordinator", "POST", "/committees", map[string]any{"code": "PORT", "name": "港口物流专业委员会", "level": "coordination", "unit_ids": []int64{f.Own.ID, f.Other.ID}}, nil)
		a.want("committee", res, http.StatusCreated, "")
		committee := apNum(res.JSON["id"])
		a.wantField("committee level", a.do("coordinator", "POST", "/committees", map[string]any{"code": "X", "name": "x", "level": "top"}, nil), "level")
		cpath := fmt.Sprintf("/committees/%d", committee)
		a.want("committee update", a.do("coordinator", "PUT", cpath, map[string]any{"code": "PORT", "name": "港口委员会", "level": "execution"}, arIfMatch(a.version(cpath))), http.StatusOK, "")
		a.want("committee stale", a.do("coordinator", "PUT", cpath, map[string]any{"code": "PORT", "name": "港口委员会", "level": "execution"}, arIfMatch(1)), http.StatusConflict, "stale_version")

		res = a.do("coordinator", "POST", "/meetings", map[string]any{"kind": "committee", "committee_id": committee, "title": "港口委员会会议", "held_on": apDay(0), "host_unit_id": f.Own.ID}, nil)
		a.want("committee meeting", res, http.StatusCreated, "")
		meeting := apNum(res.JSON["id"])
		mpath := fmt.Sprintf("/meetings/%d", meeting)
		if list := apItems(t, a.do("viewer", "GET", fmt.Sprintf("/meetings?committee_id=%d", committee), nil, nil)); len(list) != 1 {
			t.Fatalf("committee's meetings: %v", list)
		}
		docs := mpath + "/documents"
		a.want("bad document", a.do("coordinator", "POST", docs, apForm("纪要.exe", []byte("MZ")), map[string]string{"Content-Type": apFormType}), http.StatusUnsupportedMediaType, "")
		res = a.do("coordinator", "POST", docs, apForm("行动计划.pdf", apPDF), map[string]string{"Content-Type": apFormType})
		a.want("document", res, http.StatusCreated, "")
		dl := f.do("GET", res.Header.Get("Location"), f.token("viewer"), nil, nil)
		if dl.StatusCode != http.StatusOK || dl.Body != string(apPDF) || dl.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %d %q", dl.StatusCode, dl.Header)
		}
		if list := apItems(t, a.do("viewer", "GET", docs, nil, nil)); len(list) != 1 {
			t.Fatalf("documents: %v", list)
		}

		in := map[string]any{"kind": "committee", "committee_id": committee, "title": "港口委员会第一次会议", "held_on": apDay(0), "host_unit_id": f.Own.ID, "minutes": "会议议定两项事项。"}
		v := a.version(mpath)
		a.want("update", a.do("coordinator", "PUT", mpath, in, arIfMatch(v)), http.StatusOK, "")
		a.want("stale update", a.do("coordinator", "PUT", mpath, in, arIfMatch(v)), http.StatusConflict, "stale_version")
		a.want("close a planned meeting", a.do("coordinator", "PUT", mpath+"/status", map[string]string{"status": "closed"}, arIfMatch(a.version(mpath))), http.StatusConflict, "meeting.transition")
		a.want("hold", a.do("coordinator", "PUT", mpath+"/status", map[string]string{"status": "held"}, arIfMatch(a.version(mpath))), http.StatusOK, "")
		a.want("close", a.do("coordinator", "PUT", mpath+"/status", map[string]string{"status": "closed"}, arIfMatch(a.version(mpath))), http.StatusOK, "")
		a.want("edit a closed meeting", a.do("coordinator", "PUT", mpath, in, arIfMatch(a.version(mpath))), http.StatusConflict, "meeting.closed")
		in["place"] = "营口"
		a.wantField("correction without reason", a.do("coordinator", "POST", mpath+"/correction", map[string]any{"meeting": in}, arIfMatch(a.version(mpath))), "reason")
		res = a.do("coordinator", "POST", mpath+"/correction", map[string]any{"meeting": in, "reason": "地点有误"}, arIfMatch(a.version(mpath)))
		a.want("correct", res, http.StatusOK, "")
		if res.JSON["place"] != "营口" || apNum(res.JSON["revision"]) != 1 {
			t.Fatalf("corrected: %s", res.Body)
		}
		if revs := apItems(t, a.do("viewer", "GET", mpath+"/revisions", nil, nil)); len(revs) != 1 || revs[0]["previous"].(map[string]any)["place"] != "" {
			t.Fatalf("revisions: %v", revs)
		}
		res = a.do("viewer", "GET", mpath, nil, nil)
		if len(res.JSON["documents"].([]any)) != 1 || res.JSON["status"] != "closed" {
			t.Fatalf("meeting: %s", res.Body)
		}

		a.wantField("one party", a.do("coordinator", "POST", "/agreements", map[string]any{"title": "协议", "signed_on": apDay(0), "unit_ids": []int64{f.Own.ID}}, nil), "unit_ids")
		res = a.do("coordinator", "POST", "/agreements", map[string]any{"meeting_id": meeting, "title": "港口合作框架协议", "signed_on": apDay(0), "scope": "航线",
			"unit_ids": []int64{f.Own.ID, f.Other.ID}, "task_ids": []int64{f.TaskOwn.ID}}, nil)
		a.want("agreement", res, http.StatusCreated, "")
		apath := fmt.Sprintf("/agreements/%d", apNum(res.JSON["id"]))
		a.want("agreement update", a.do("coordinator", "PUT", apath, map[string]any{"meeting_id": meeting, "title": "港口合作协议", "signed_on": apDay(0), "unit_ids": []int64{f.Own.ID, f.Other.ID}}, arIfMatch(a.version(apath))), http.StatusOK, "")
		if list := apItems(t, a.do("viewer", "GET", fmt.Sprintf("/agreements?meeting_id=%d", meeting), nil, nil)); len(list) != 1 || len(list[0]["task_ids"].([]any)) != 0 {
			t.Fatalf("agreements: %v", list)
		}
	})
}
