package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/plans"
)

// apRevision is the note that changes to the fixture's plan, in force, carry.
var apRevision = plans.RevisionNote{Reason: "联席会议决定调整", ApprovedBy: "第三次联席会议"}

// apAs is a service context acting as u.
func apAs(u accounts.User) context.Context {
	return access.WithActor(context.Background(), &access.Actor{UserID: u.ID, Login: u.Login, UnitID: u.UnitID, Roles: u.Roles})
}

func apCoordinator(f *fixture) context.Context { return apAs(f.Users[access.Coordinator]) }

// apTask adds a task to the fixture's plan through the service, led by lead
// with co co-operating, running from 40 days ago to 60 days ahead.
func apTask(f *fixture, code string, lead, co int64, mods ...func(*plans.TaskInput)) plans.Task {
	f.t.Helper()
	today := clock.Today(clock.System)
	in := plans.TaskInput{GoalID: f.Goal.ID, Code: code, Title: "任务 " + code, LeadUnitID: lead, CoUnitIDs: []int64{co},
		StartsOn: today.AddDays(-40), DueOn: today.AddDays(60), Revision: apRevision}
	for _, m := range mods {
		m(&in)
	}
	t, err := f.Plans.CreateTask(apCoordinator(f), f.Plan.ID, in)
	if err != nil {
		f.t.Fatalf("create task %s: %v", code, err)
	}
	return t
}

// apReports are unit's reports of a task in state, earliest due first.
func apReports(f *fixture, taskID, unit int64, state plans.ReportState) []plans.Report {
	f.t.Helper()
	rows, _, err := f.Plans.ListReports(apCoordinator(f), plans.ReportFilter{TaskID: taskID, UnitID: unit, States: []plans.ReportState{state}, Limit: 1000})
	if err != nil || len(rows) == 0 {
		f.t.Fatalf("no %s report of unit %d on task %d: %v", state, unit, taskID, err)
	}
	out := make([]plans.Report, len(rows))
	for i, r := range rows {
		out[i] = r.Report
	}
	return out
}

// apSubmitted is a fresh report of the own unit on a new task, submitted by
// the own unit's reporter.
func apSubmitted(f *fixture, code string) plans.Report {
	f.t.Helper()
	t := apTask(f, code, f.Own.ID, f.Other.ID)
	r := apReports(f, t.ID, f.Own.ID, plans.Pending)[0]
	pct := 40.0
	r, err := f.Plans.SubmitReport(apAs(f.Users[access.Reporter]), r.ID, plans.ReportInput{Percent: &pct, SelfStatus: "on_track", Narrative: "按计划推进"}, r.Version)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// apFiled is a new task of the own unit with its completion report filed.
func apFiled(f *fixture, code string) (plans.Task, plans.Completion) {
	f.t.Helper()
	t := apTask(f, code, f.Own.ID, f.Other.ID)
	t, c, err := f.Plans.FileCompletion(apAs(f.Users[access.Reporter]), t.ID, "已全部完成", t.Version)
	if err != nil {
		f.t.Fatal(err)
	}
	return t, c
}

// apDay is today plus n days, as YYYY-MM-DD.
func apDay(n int) string { return clock.Today(clock.System).AddDays(n).String() }

// apPDF is a small file that sniffs as a PDF.
var apPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// apFormType is the Content-Type of apForm's bodies.
const apFormType = "multipart/form-data; boundary=concord-plan-api"

// apForm is a multipart/form-data body with one file in the field "file".
func apForm(name string, data []byte) string {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary("concord-plan-api")
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	return b.String()
}

// apFields are the fields an error answer names.
func apFields(res result) []string {
	var out []string
	for _, f := range res.JSON["fields"].([]any) {
		out = append(out, f.(map[string]any)["field"].(string))
	}
	return out
}

// apItems are the objects of a JSON array answer or of a page's items.
func apItems(t *testing.T, res result) []map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
		t.Fatalf("not JSON: %s", res.Body)
	}
	list, ok := v.([]any)
	if !ok {
		list, _ = v.(map[string]any)["items"].([]any)
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

func apNum(v any) int64 { return int64(v.(float64)) }

// apAPI calls the plan API as the fixture's users and checks every answer
// against the OpenAPI document: its status must be documented for the
// operation, and a JSON body must match the documented schema.
type apAPI struct {
	t    *testing.T
	f    *fixture
	spec *oaSpec
	ops  []apOp
}

type apOp struct {
	method string
	path   *regexp.Regexp
	op     oaOperation
}

func apNew(t *testing.T, e db.Engine) *apAPI {
	f := newFixture(t, e)
	a := &apAPI{t: t, f: f, spec: oaServedSpec(t, f)}
	for _, o := range a.spec.operations() {
		segs := strings.Split(o.path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				segs[i] = `[^/]+`
			} else {
				segs[i] = regexp.QuoteMeta(s)
			}
		}
		a.ops = append(a.ops, apOp{o.method, regexp.MustCompile("^" + strings.Join(segs, "/") + "$"), o})
	}
	return a
}

// do sends method path (under /api/v1) as login ("" for nobody).
func (a *apAPI) do(login, method, path string, body any, header map[string]string) result {
	a.t.Helper()
	token := ""
	if login != "" {
		token = a.f.token(login)
	}
	res := a.f.do(method, "/api/v1"+path, token, body, header)
	a.check(method, path, res)
	return res
}

func (a *apAPI) check(method, path string, res result) {
	a.t.Helper()
	a.spec.t = a.t
	where := fmt.Sprintf("%s %s → %d", method, path, res.StatusCode)
	p, _, _ := strings.Cut(path, "?")
	i := slices.IndexFunc(a.ops, func(o apOp) bool { return o.method == method && o.path.MatchString(p) })
	if i < 0 {
		a.t.Errorf("%s: no documented operation", where)
		return
	}
	r := a.spec.response(a.ops[i].op, strconv.Itoa(res.StatusCode))
	switch {
	case r == nil:
		a.t.Errorf("%s: status not documented: %s", where, pmSnippet(res.Body))
	case r["content"] != nil || res.Body != "":
		a.spec.validateBody(a.t, where, res, r)
	}
}

// want fails the test unless res has status and, for an error, code.
func (a *apAPI) want(what string, res result, status int, code string) {
	a.t.Helper()
	if res.StatusCode != status {
		a.t.Errorf("%s: status %d, want %d: %s", what, res.StatusCode, status, pmSnippet(res.Body))
	} else if code != "" && res.JSON["code"] != code {
		a.t.Errorf("%s: code %v, want %s: %s", what, res.JSON["code"], code, pmSnippet(res.Body))
	}
}

// wantField fails the test unless res is a 422 naming field.
func (a *apAPI) wantField(what string, res result, field string) {
	a.t.Helper()
	if res.StatusCode != http.StatusUnprocessableEntity || !slices.Contains(apFields(res), field) {
		a.t.Errorf("%s: %d, want 422 naming %s: %s", what, res.StatusCode, field, pmSnippet(res.Body))
	}
}

// version reads an object's version from the ETag of its GET.
func (a *apAPI) version(path string) int {
	a.t.Helper()
	res := a.do("coordinator", "GET", path, nil, nil)
	v, err := strconv.Atoi(strings.Trim(res.Header.Get("ETag"), `"v`))
	if res.StatusCode != http.StatusOK || err != nil {
		a.t.Fatalf("GET %s: %d ETag %q", path, res.StatusCode, res.Header.Get("ETag"))
	}
	return v
}

// apTaskBody is a valid task for the fixture's plan as a JSON body.
func apTaskBody(f *fixture, code string) map[string]any {
	return map[string]any{"goal_id": f.Goal.ID, "code": code, "title": "推进 " + code, "lead_unit_id": f.Own.ID,
		"co_unit_ids": []int64{f.Other.ID}, "starts_on": apDay(-10), "due_on": apDay(90),
		"revision": map[string]string{"reason": apRevision.Reason, "approved_by": apRevision.ApprovedBy}}
}

// TestPlanAPIPlansAndGoals: a plan from draft to in force through the API,
// its goals and tasks, and the revisions that follow.
func TestPlanAPIPlansAndGoals(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		area := arAreaIDs(f)[1]

		res := a.do("coordinator", "POST", "/plans", map[string]any{"code": "P2", "kind": "action", "name": "第二期行动计划",
			"starts_on": apDay(-30), "ends_on": apDay(700)}, nil)
		a.want("create plan", res, http.StatusCreated, "")
		plan := apNum(res.JSON["id"])
		if res.JSON["status"] != "draft" || res.Header.Get("Location") != fmt.Sprintf("/api/v1/plans/%d", plan) {
			t.Errorf("new plan: %s %v", res.Body, res.Header)
		}
		a.want("duplicate plan code", a.do("coordinator", "POST", "/plans", map[string]any{"code": "P2", "kind": "action", "name": "重复",
			"starts_on": apDay(0), "ends_on": apDay(10)}, nil), http.StatusConflict, "duplicate")
		a.wantField("annual plan without a parent", a.do("coordinator", "POST", "/plans", map[string]any{"code": "P3", "kind": "annual",
			"name": "年度要点", "starts_on": apDay(0), "ends_on": apDay(10)}, nil), "parent_id")
		a.want("viewer creates a plan", a.do("viewer", "POST", "/plans", map[string]any{}, nil), http.StatusForbidden, "forbidden")

		path := fmt.Sprintf("/plans/%d", plan)
		res = a.do("coordinator", "PUT", path, map[string]any{"code": "P2", "kind": "action", "name": "第二期三年行动计划",
			"starts_on": apDay(-30), "ends_on": apDay(700)}, arIfMatch(1))
		a.want("rename plan", res, http.StatusOK, "")
		if res.Header.Get("ETag") != `"v2"` || res.JSON["name"] != "第二期三年行动计划" {
			t.Errorf("renamed plan: %s %v", res.Body, res.Header)
		}
		res = a.do("coordinator", "PUT", path, map[string]any{"code": "P2", "kind": "action", "name": "过期修改",
			"starts_on": apDay(-30), "ends_on": apDay(700)}, arIfMatch(1))
		a.want("stale plan update", res, http.StatusConflict, "stale_version")
		if cur, _ := res.JSON["current"].(map[string]any); cur == nil || cur["version"] != float64(2) {
			t.Errorf("stale plan update lacks the current plan: %s", res.Body)
		}

		res = a.do("coordinator", "POST", path+"/goals", map[string]any{"code": "G1", "title": "产业协同", "area_id": area}, nil)
		a.want("add goal", res, http.StatusCreated, "")
		goal := apNum(res.JSON["id"])
		a.want("duplicate goal code", a.do("coordinator", "POST", path+"/goals", map[string]any{"code": "G1", "title": "重复", "area_id": area}, nil),
			http.StatusConflict, "duplicate")
		a.wantField("goal in an unknown area", a.do("coordinator", "POST", path+"/goals", map[string]any{"code": "G2", "title": "无领域", "area_id": 9999}, nil), "area_id")
		res = a.do("coordinator", "PUT", fmt.Sprintf("/goals/%d", goal), map[string]any{"code": "G1", "title": "产业协同发展", "area_id": area}, arIfMatch(1))
		if a.want("rename goal", res, http.StatusOK, ""); res.JSON["title"] != "产业协同发展" || res.Header.Get("ETag") != `"v2"` {
			t.Errorf("renamed goal: %s", res.Body)
		}
		if res := a.do("viewer", "GET", fmt.Sprintf("/goals/%d", goal), nil, nil); res.JSON["plan_id"] != float64(plan) || res.Header.Get("ETag") != `"v2"` {
			t.Errorf("goal: %s", res.Body)
		}
		a.want("unknown goal", a.do("viewer", "GET", "/goals/99999", nil, nil), http.StatusNotFound, "not_found")
		a.want("update an unknown goal", a.do("coordinator", "PUT", "/goals/99999", map[string]any{"code": "G9", "title": "无", "area_id": area}, arIfMatch(1)),
			http.StatusNotFound, "not_found")

		// In draft, tasks need no revision note.
		body := apTaskBody(f, "T-9")
		body["goal_id"], body["revision"] = goal, map[string]string{}
		a.want("task in a draft plan", a.do("coordinator", "POST", path+"/tasks", body, nil), http.StatusCreated, "")

		v := a.version(path)
		a.want("in force without an approver", a.do("coordinator", "PUT", path+"/status", map[string]any{"status": "in_force", "revision": map[string]string{}}, arIfMatch(v)),
			http.StatusUnprocessableEntity, "invalid")
		res = a.do("coordinator", "PUT", path+"/status", map[string]any{"status": "in_force", "revision": map[string]string{"approved_by": "联席会议"}}, arIfMatch(v))
		if a.want("put in force", res, http.StatusOK, ""); res.JSON["status"] != "in_force" || res.JSON["revision"] != float64(1) || res.Header.Get("ETag") != fmt.Sprintf(`"v%d"`, v+1) {
			t.Errorf("plan in force: %s", res.Body)
		}
		a.want("back to draft", a.do("coordinator", "PUT", path+"/status", map[string]any{"status": "draft"}, arIfMatch(v+1)), http.StatusConflict, "plan.transition")

		res = a.do("viewer", "GET", path+"?tasks=1", nil, nil)
		a.want("get plan with tasks", res, http.StatusOK, "")
		if goals, tasks := res.JSON["goals"].([]any), res.JSON["tasks"].([]any); len(goals) != 1 || len(tasks) != 1 || res.Header.Get("ETag") != fmt.Sprintf(`"v%d"`, v+1) {
			t.Errorf("plan detail: %s", res.Body)
		}
		if res := a.do("viewer", "GET", path, nil, nil); res.JSON["tasks"] != nil {
			t.Errorf("tasks without tasks=1: %s", res.Body)
		}
		a.want("unknown plan", a.do("viewer", "GET", "/plans/99999", nil, nil), http.StatusNotFound, "not_found")
		a.want("revisions of an unknown plan", a.do("viewer", "GET", "/plans/99999/revisions", nil, nil), http.StatusNotFound, "not_found")
		if list := apItems(t, a.do("viewer", "GET", "/plans", nil, nil)); len(list) != 2 {
			t.Errorf("plans: %v", list)
		}
	})
}

// TestPlanAPITaskValidation: a task's errors name the field they are about.
func TestPlanAPITaskValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		create := fmt.Sprintf("/plans/%d/tasks", f.Plan.ID)
		update := fmt.Sprintf("/tasks/%d", f.TaskOwn.ID)
		for _, c := range []struct {
			name   string
			edit   func(map[string]any)
			status int
			field  string
		}{
			{"co unit is the lead", func(b map[string]any) { b["co_unit_ids"] = []int64{f.Own.ID} }, 422, "co_unit_ids"},
			{"co unit twice", func(b map[string]any) { b["co_unit_ids"] = []int64{f.Other.ID, f.Other.ID} }, 422, "co_unit_ids"},
			{"due before start", func(b map[string]any) { b["due_on"] = apDay(-20) }, 422, "due_on"},
			{"unknown lead unit", func(b map[string]any) { b["lead_unit_id"] = 99999 }, 422, "lead_unit_id"},
			{"unknown co unit", func(b map[string]any) { b["co_unit_ids"] = []int64{99999} }, 422, "co_unit_ids"},
			{"unknown goal", func(b map[string]any) { b["goal_id"] = 99999 }, 422, "goal_id"},
			{"no title", func(b map[string]any) { b["title"] = " " }, 422, "title"},
			{"bad cycle", func(b map[string]any) { b["cycle"] = "weekly" }, 422, "cycle"},
			{"milestone after the deadline", func(b map[string]any) {
				b["milestones"] = []map[string]string{{"title": "方案印发", "due_on": apDay(200)}}
			}, 422, "milestones.0.due_on"},
			{"no revision reason in force", func(b map[string]any) { b["revision"] = map[string]string{"approved_by": "联席会议"} }, 422, "revision.reason"},
			{"no approver in force", func(b map[string]any) { b["revision"] = map[string]string{"reason": "调整"} }, 422, "revision.approved_by"},
			{"duplicate code", func(b map[string]any) { b["code"] = f.TaskOther.Code }, 409, "code"},
			{"unknown field", func(b map[string]any) { b["owner"] = "x" }, 422, "owner"},
		} {
			for _, call := range []struct {
				method, path string
				header       map[string]string
			}{{"POST", create, nil}, {"PUT", update, arIfMatch(f.TaskOwn.Version)}} {
				body := apTaskBody(f, "T-NEW")
				c.edit(body)
				res := a.do("coordinator", call.method, call.path, body, call.header)
				if res.StatusCode != c.status || !slices.Contains(apFields(res), c.field) {
					t.Errorf("%s %s: %d, want %d naming %s: %s", call.method, c.name, res.StatusCode, c.status, c.field, pmSnippet(res.Body))
				}
			}
		}
		res := a.do("coordinator", "PUT", update, apTaskBody(f, f.TaskOwn.Code), arIfMatch(f.TaskOwn.Version+5))
		if a.want("stale task update", res, http.StatusConflict, "stale_version"); res.JSON["current"].(map[string]any)["code"] != f.TaskOwn.Code {
			t.Errorf("stale task update lacks the current task: %s", res.Body)
		}
		a.want("task update without If-Match", a.do("coordinator", "PUT", update, apTaskBody(f, f.TaskOwn.Code), nil), http.StatusUnprocessableEntity, "if_match_required")
		a.want("unit leader edits a task", a.do("unit-leader", "PUT", update, apTaskBody(f, f.TaskOwn.Code), arIfMatch(f.TaskOwn.Version)), http.StatusForbidden, "forbidden")
		a.want("task in an unknown plan", a.do("coordinator", "POST", "/plans/99999/tasks", apTaskBody(f, "T-X"), nil), http.StatusNotFound, "not_found")
	})
}

// TestPlanAPIRevisions: while the plan is in force a task changes only with
// a reason, and the plan's revisions show what changed.
func TestPlanAPIRevisions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		a := apNew(t, d.Engine)
		f := a.f
		res := a.do("sys-admin", "POST", "/units", map[string]any{"code": "third", "kind": "city", "name": map[string]string{"zh_hans": "第三市"}}, nil)
		a.want("create a third unit", res, http.StatusCreated, "")
		third := apNum(res.JSON["id"])

		path := fmt.Sprintf("/tasks/%d", f.TaskOwn.ID)
		cur := a.do("coordinator", "GET", path, nil, nil)
		a.want("get task", cur, http.StatusOK, "")
		// What GET answers is what PUT takes, apart from the revision note.
		body := map[string]any{"revision": map[string]string{"approved_by": "联席会议"}}
		for _, k := range []string{"goal_id", "code", "title", "description", "area_id", "lead_unit_id", "co_unit_ids", "starts_on", "due_on",
			"deliverables", "target", "indicator", "indicator_unit", "target_value", "weight", "cycle", "report_dates"} {
			body[k] = cur.JSON[k]
		}
		moved := clock.Today(clock.System).AddDays(75).String()
		body["due_on"], body["co_unit_ids"] = moved, []int64{third}
		version := arIfMatch(f.TaskOwn.Version)
		a.wantField("change without a reason", a.do("coordinator", "PUT", path, body, version), "revision.reason")
		body["revision"] = map[string]string{"reason": "配合单位调整，完成时限延后", "approved_by": "第三次联席会议"}
		res = a.do("coordinator", "PUT", path, body, version)
		if a.want("change with a reason", res, http.StatusOK, ""); res.JSON["due_on"] != moved {
			t.Errorf("changed task: %s", res.Body)
		}
		if res := a.do("viewer", "GET", path, nil, nil); fmt.Sprint(res.JSON["co_unit_ids"]) != fmt.Sprintf("[%d]", third) {
			t.Errorf("co-operating units after the change: %v", res.JSON["co_unit_ids"])
		}

		revs := apItems(t, a.do("viewer", "GET", fmt.Sprintf("/plans/%d/revisions", f.Plan.ID), nil, nil))
		if len(revs) != 2 {
			t.Fatalf("revisions: %v", revs)
		}
		latest := revs[0]
		if latest["number"] != float64(2) || latest["reason"] != "配合单位调整，完成时限延后" || latest["approved_by"] != "第三次联席会议" || latest["recorded_by"] != "coordinator" {
			t.Errorf("latest revision: %v", latest)
		}
		var got []string
		for _, c := range latest["changes"].([]any) {
			c := c.(map[string]any)
			got = append(got, fmt.Sprintf("%s %s %s: %v → %v", c["kind"], c["code"], c["field"], c["from"], c["to"]))
		}
		want := []string{
			"reassigned T-1 co_units: other → third",
			fmt.Sprintf("deadline T-1 due_on: %s → %s", f.TaskOwn.DueOn, moved),
		}
		if !slices.Equal(got, want) {
			t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// apCompletion is a completion report on a task that unit leads, filed the
// first time it is asked for.
func apCompletion(f *fixture, unit int64) int64 {
	f.t.Helper()
	var id int64
	if err := f.DB.R.QueryRow(`SELECT COALESCE(MAX(c.id), 0) FROM completions c JOIN tasks t ON t.id = c.task_id WHERE t.lead_unit_id = $1`, unit).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	if id != 0 {
		return id
	}
	reporter, co := f.Users[access.Reporter], f.Other.ID
	if unit == f.Other.ID {
		reporter, co = f.Peer, f.Own.ID
	}
	t := apTask(f, fmt.Sprintf("DONE-%d", unit), unit, co)
	_, c, err := f.Plans.FileCompletion(apAs(reporter), t.ID, "已完成", t.Version)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// apAttachment is a file on the own unit's current report, added the first
// time it is asked for.
func apAttachment(f *fixture) int64 {
	f.t.Helper()
	var id int64
	if err := f.DB.R.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM attachments`).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	if id != 0 {
		return id
	}
	a, err := f.Plans.AddAttachment(apAs(f.Users[access.Reporter]), "report", f.ReportOwn.ID, "佐证.pdf", apPDF)
	if err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}
