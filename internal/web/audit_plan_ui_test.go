package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/url"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/clock"
	"concord/internal/plans"
)

// uiCtx is a service context acting as user u of the fixture.
func uiCtx(u accounts.User) context.Context {
	return access.WithActor(context.Background(), &access.Actor{UserID: u.ID, Login: u.Login, UnitID: u.UnitID, Roles: u.Roles})
}

// uiTask adds a task to the fixture's plan (in force), led by Own with
// Other co-operating, and returns it with Own's current report.
func uiTask(f *fixture, code string) (plans.Task, plans.Report) {
	f.t.Helper()
	coord := uiCtx(f.Users[access.Coordinator])
	today := clock.Today(clock.System)
	t, err := f.Plans.CreateTask(coord, f.Plan.ID, plans.TaskInput{GoalID: f.Goal.ID, Code: code, Title: "界面任务 " + code,
		LeadUnitID: f.Own.ID, CoUnitIDs: []int64{f.Other.ID}, StartsOn: today.AddDays(-40), DueOn: today.AddDays(60),
		Revision: plans.RevisionNote{Reason: "增补任务", ApprovedBy: "联席会议"}})
	if err != nil {
		f.t.Fatal(err)
	}
	rs, _, err := f.Plans.ListReports(coord, plans.ReportFilter{TaskID: t.ID, UnitID: f.Own.ID, States: []plans.ReportState{plans.Pending}})
	if err != nil || len(rs) == 0 {
		f.t.Fatalf("no pending report on %s: %v", code, err)
	}
	return t, rs[len(rs)-1].Report
}

// uiFiled is a new task whose completion report Own's reporter has filed.
func uiFiled(f *fixture, code string) plans.Task {
	f.t.Helper()
	t, _ := uiTask(f, code)
	t, _, err := f.Plans.FileCompletion(uiCtx(f.Users[access.Reporter]), t.ID, "已全部完成", t.Version)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

// uiSubmitted is Own's report on a new task, submitted by Own's reporter.
func uiSubmitted(f *fixture, code string) plans.Report {
	f.t.Helper()
	_, r := uiTask(f, code)
	pct := 30.0
	r, err := f.Plans.SubmitReport(uiCtx(f.Users[access.Reporter]), r.ID, plans.ReportInput{Percent: &pct, SelfStatus: "on_track", Narrative: "按计划推进"}, r.Version)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// uiLeaderApproval switches the unit leader's sign-off on or off.
func uiLeaderApproval(f *fixture, on bool) {
	f.t.Helper()
	coord := uiCtx(f.Users[access.Coordinator])
	set, err := f.Plans.Settings(coord)
	if err != nil {
		f.t.Fatal(err)
	}
	if set.LeaderApproval == on {
		return
	}
	set.LeaderApproval = on
	if _, err := f.Plans.UpdateSettings(coord, set, set.Version); err != nil {
		f.t.Fatal(err)
	}
}

// uiAssignment is unit's assignment on task.
func uiAssignment(f *fixture, task, unit int64) plans.Assignment {
	f.t.Helper()
	var id int64
	if err := f.DB.R.QueryRow(`SELECT id FROM assignments WHERE task_id = $1 AND unit_id = $2`, task, unit).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	a, err := f.Plans.Assignment(uiCtx(f.Users[access.Coordinator]), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// uiMaxID is the newest id of table, for objects a form creates without
// saying where they went.
func uiMaxID(f *fixture, table string) func(result) string {
	return func(result) string {
		var id int64
		f.DB.R.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM ` + table).Scan(&id)
		return fmt.Sprint(id)
	}
}

// uiMultipart encodes a form with one file, as a browser sends it, with a
// fixed boundary so that two bodies share one Content-Type.
func uiMultipart(fields url.Values, file, content string) string {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.SetBoundary(uiBoundary)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	part, _ := w.CreateFormFile("file", file)
	part.Write([]byte(content))
	w.Close()
	return buf.String()
}

const uiBoundary = "concord-test-boundary"

func uiTaskForm(t plans.Task, f *fixture, title string) url.Values {
	return url.Values{"version": {fmt.Sprint(t.Version)}, "goal_id": {fmt.Sprint(t.GoalID)}, "code": {t.Code}, "title": {title},
		"lead_unit_id": {fmt.Sprint(f.Own.ID)}, "co_unit_ids": {fmt.Sprint(f.Other.ID)}, "starts_on": {t.StartsOn.String()},
		"due_on": {t.DueOn.String()}, "cycle": {"monthly"}, "weight": {"1"}, "revision.reason": {"调整名称"}, "revision.approved_by": {"协调办公室"}}
}

// arPlanUICases are arCases for the pages' forms of plans, tasks and reports.
func arPlanUICases() map[string]func(f *fixture) arCall {
	today := clock.Today(clock.System)
	return map[string]func(f *fixture) arCall{
		"POST /plans": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			form := url.Values{"code": {"UI-P"}, "kind": {"action"}, "name": {"界面行动计划"}, "starts_on": {"2026-01-01"}, "ends_on": {"2028-12-31"}}
			return arCall{method: "POST", path: "/plans", ui: &s, form: form, status: 303,
				action: "plan.create", objectType: "plan", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"code", arAbsent, "UI-P"}, {"status", arAbsent, "draft"}},
				invalid: url.Values{"code": {"UI-P"}, "kind": {"action"}, "starts_on": {"2026-01-01"}, "ends_on": {"2028-12-31"}}}
		},
		"POST /plans/{id}/status": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			pl, err := f.Plans.CreatePlan(uiCtx(f.Users[access.Coordinator]), plans.PlanInput{Code: "UI-S", Kind: plans.ActionPlan, Name: "待施行计划",
				StartsOn: today, EndsOn: today.AddDays(365)})
			if err != nil {
				f.t.Fatal(err)
			}
			v := fmt.Sprint(pl.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/plans/%d/status", pl.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "status": {"in_force"}, "approved_by": {"联席会议"}},
				action: "plan.status", objectType: "plan", actor: "coordinator", objectID: arID(pl.ID),
				changes: []arChange{{"status", "draft", "in_force"}, {"version", pl.Version, pl.Version + 1}},
				invalid: url.Values{"version": {v}, "status": {"in_force"}}}
		},
		"POST /plans/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			pl := f.Plan
			form := url.Values{"version": {fmt.Sprint(pl.Version)}, "code": {pl.Code}, "name": {"改名后的计划"}, "kind": {string(pl.Kind)},
				"starts_on": {pl.StartsOn.String()}, "ends_on": {pl.EndsOn.String()}}
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set("ends_on", pl.StartsOn.AddDays(-1).String())
			return arCall{method: "POST", path: fmt.Sprintf("/plans/%d", pl.ID), ui: &s, status: 303, form: form,
				action: "plan.update", objectType: "plan", actor: "coordinator", objectID: arID(pl.ID),
				changes: []arChange{{"name", pl.Name, "改名后的计划"}}, invalid: bad}
		},
		"POST /goals/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			g := f.Goal
			form := url.Values{"version": {fmt.Sprint(g.Version)}, "code": {g.Code}, "title": {"改写后的目标"}, "area_id": {fmt.Sprint(g.AreaID)}}
			return arCall{method: "POST", path: fmt.Sprintf("/goals/%d", g.ID), ui: &s, status: 303, form: form,
				action: "goal.update", objectType: "goal", actor: "coordinator", objectID: arID(g.ID),
				changes: []arChange{{"title", g.Title, "改写后的目标"}},
				invalid: url.Values{"version": {fmt.Sprint(g.Version)}, "code": {g.Code}, "title": {""}, "area_id": {fmt.Sprint(g.AreaID)}}}
		},
		"POST /plans/{id}/goals": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			area := fmt.Sprint(arAreaIDs(f)[0])
			return arCall{method: "POST", path: fmt.Sprintf("/plans/%d/goals", f.Plan.ID), ui: &s, status: 303,
				form:   url.Values{"code": {"UI-G"}, "title": {"界面目标"}, "area_id": {area}},
				action: "goal.create", objectType: "goal", actor: "coordinator", objectID: uiMaxID(f, "goals"),
				changes: []arChange{{"code", arAbsent, "UI-G"}},
				invalid: url.Values{"code": {"UI-G"}, "title": {"界面目标"}, "area_id": {"0"}}}
		},
		"POST /plans/{id}/tasks": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			form := url.Values{"goal_id": {fmt.Sprint(f.Goal.ID)}, "code": {"UI-T"}, "title": {"界面交办任务"}, "lead_unit_id": {fmt.Sprint(f.Own.ID)},
				"co_unit_ids": {fmt.Sprint(f.Other.ID)}, "starts_on": {today.String()}, "due_on": {today.AddDays(90).String()}, "cycle": {"quarterly"},
				"milestones": {today.AddDays(30).String() + " | 完成方案"}, "revision.reason": {"新增任务"}, "revision.approved_by": {"联席会议"}}
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Del("revision.reason")
			return arCall{method: "POST", path: fmt.Sprintf("/plans/%d/tasks", f.Plan.ID), ui: &s, form: form, status: 303,
				action: "task.create", objectType: "task", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"code", arAbsent, "UI-T"}, {"co_unit_ids", arAbsent, []int64{f.Other.ID}}, {"cycle", arAbsent, "quarterly"}},
				invalid: bad}
		},
		"POST /tasks/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			t, _ := uiTask(f, "UI-E")
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d", t.ID), ui: &s, status: 303, form: uiTaskForm(t, f, "改名后的任务"),
				action: "task.update", objectType: "task", actor: "coordinator", objectID: arID(t.ID),
				changes: []arChange{{"title", t.Title, "改名后的任务"}, {"version", t.Version, t.Version + 1}},
				invalid: uiTaskForm(t, f, "")}
		},
		"POST /tasks/{id}/complete": func(f *fixture) arCall {
			s := pmLogin(f, "reporter")
			t, _ := uiTask(f, "UI-C")
			v := fmt.Sprint(t.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d/complete", t.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "summary": {"任务全部完成"}},
				action: "task.completion_filed", objectType: "task", actor: "reporter", objectID: arID(t.ID),
				changes: []arChange{{"status", "active", "completion_filed"}},
				invalid: url.Values{"version": {v}, "summary": {" "}}}
		},
		"POST /tasks/{id}/evidence": func(f *fixture) arCall {
			s := pmLogin(f, "reporter")
			t := uiFiled(f, "UI-F")
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d/evidence", t.ID), ui: &s, status: 303,
				json:   uiMultipart(nil, "验收意见.txt", "验收合格"),
				header: map[string]string{"Content-Type": "multipart/form-data; boundary=" + uiBoundary},
				action: "attachment.add", objectType: "attachment", actor: "reporter", objectID: uiMaxID(f, "attachments"),
				changes: []arChange{{"name", arAbsent, "验收意见.txt"}, {"owner_type", arAbsent, "completion"}},
				invalid: uiMultipart(nil, "setup.exe", "MZ")}
		},
		"POST /tasks/{id}/close": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			t := uiFiled(f, "UI-X")
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d/close", t.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(t.Version)}},
				action: "task.closed", objectType: "task", actor: "coordinator", objectID: arID(t.ID),
				changes: []arChange{{"status", "completion_filed", "closed"}, {"closed_at", arAbsent, arSet}},
				invalid: url.Values{"version": {fmt.Sprint(t.Version + 5)}}}
		},
		"POST /tasks/{id}/reopen": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			t := uiFiled(f, "UI-R")
			v := fmt.Sprint(t.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d/reopen", t.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "reason": {"佐证材料不足"}},
				action: "task.reopened", objectType: "task", actor: "coordinator", objectID: arID(t.ID),
				changes: []arChange{{"status", "completion_filed", "active"}, {"status_reason", "", "佐证材料不足"}},
				invalid: url.Values{"version": {v}, "reason": {""}}}
		},
		"POST /tasks/{id}/cancel": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			t, _ := uiTask(f, "UI-Z")
			v := fmt.Sprint(t.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d/cancel", t.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "reason": {"不再实施"}},
				action: "task.cancelled", objectType: "task", actor: "coordinator", objectID: arID(t.ID),
				changes: []arChange{{"status", "active", "cancelled"}},
				invalid: url.Values{"version": {v}, "reason": {""}}}
		},
		"POST /tasks/{id}/merge": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			t, _ := uiTask(f, "UI-M1")
			into, _ := uiTask(f, "UI-M2")
			v := fmt.Sprint(t.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/tasks/%d/merge", t.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "into": {fmt.Sprint(into.ID)}, "reason": {"内容重复"}},
				action: "task.merged", objectType: "task", actor: "coordinator", objectID: arID(t.ID),
				changes: []arChange{{"status", "active", "merged"}, {"merged_into_id", arAbsent, into.ID}},
				invalid: url.Values{"version": {v}, "into": {fmt.Sprint(t.ID)}, "reason": {"内容重复"}}}
		},
		"POST /assignments/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "unit-leader")
			t, _ := uiTask(f, "UI-A")
			a := uiAssignment(f, t.ID, f.Own.ID)
			v := fmt.Sprint(a.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/assignments/%d", a.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "responsible_name": {"张三"}, "due_on": {t.DueOn.AddDays(-10).String()}},
				action: "assignment.update", objectType: "assignment", actor: "unit-leader", objectID: arID(a.ID),
				changes: []arChange{{"responsible_name", "", "张三"}, {"due_on", t.DueOn.String(), t.DueOn.AddDays(-10).String()}},
				invalid: url.Values{"version": {v}, "responsible_name": {"张三"}, "due_on": {t.StartsOn.AddDays(-1).String()}}}
		},
		"POST /assignments/{id}/chase": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			t, _ := uiTask(f, "UI-H")
			a := uiAssignment(f, t.ID, f.Other.ID)
			return arCall{method: "POST", path: fmt.Sprintf("/assignments/%d/chase", a.ID), ui: &s, status: 303,
				form:   url.Values{"note": {"请尽快报送进展"}},
				action: "task.chase", objectType: "chase", actor: "coordinator", objectID: uiMaxID(f, "chases"),
				changes: []arChange{{"note", arAbsent, "请尽快报送进展"}, {"unit_id", arAbsent, f.Other.ID}},
				invalid: url.Values{"note": {""}}}
		},
		"POST /reports/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "reporter")
			_, r := uiTask(f, "UI-W")
			v := fmt.Sprint(r.Version)
			form := url.Values{"version": {v}, "percent": {"40"}, "self_status": {"on_track"}, "narrative": {"已完成方案编制"}, "action": {"submit"}}
			return arCall{method: "POST", path: fmt.Sprintf("/reports/%d", r.ID), ui: &s, form: form, status: 303,
				action: "report.submitted", objectType: "report", actor: "reporter", objectID: arID(r.ID),
				changes: []arChange{{"state", "pending", "submitted"}, {"percent", arAbsent, 40}},
				invalid: url.Values{"version": {v}, "percent": {"150"}, "self_status": {"on_track"}, "narrative": {"x"}, "action": {"submit"}}}
		},
		"POST /reports/{id}/approve": func(f *fixture) arCall {
			// Leader approval stays on for the cases that follow until
			// "POST /settings" sets it again.
			uiLeaderApproval(f, true)
			s := pmLogin(f, "unit-leader")
			r := uiSubmitted(f, "UI-AP")
			return arCall{method: "POST", path: fmt.Sprintf("/reports/%d/approve", r.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(r.Version)}},
				action: "report.approved", objectType: "report", actor: "unit-leader", objectID: arID(r.ID),
				changes: []arChange{{"state", "submitted", "approved"}, {"approved_by", "", "unit-leader"}},
				invalid: url.Values{"version": {fmt.Sprint(r.Version + 5)}}}
		},
		"POST /reports/{id}/accept": func(f *fixture) arCall {
			uiLeaderApproval(f, false)
			s := pmLogin(f, "coordinator")
			r := uiSubmitted(f, "UI-AC")
			return arCall{method: "POST", path: fmt.Sprintf("/reports/%d/accept", r.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(r.Version)}},
				action: "report.accepted", objectType: "report", actor: "coordinator", objectID: arID(r.ID),
				changes: []arChange{{"state", "submitted", "accepted"}},
				invalid: url.Values{"version": {fmt.Sprint(r.Version + 5)}}}
		},
		"POST /reports/{id}/return": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			r := uiSubmitted(f, "UI-RT")
			v := fmt.Sprint(r.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/reports/%d/return", r.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "reason": {"请补充数据"}},
				action: "report.returned", objectType: "report", actor: "coordinator", objectID: arID(r.ID),
				changes: []arChange{{"return_reason", "", "请补充数据"}},
				invalid: url.Values{"version": {v}, "reason": {" "}}}
		},
		"POST /reports/{id}/send-back": func(f *fixture) arCall {
			s := pmLogin(f, "unit-leader")
			r := uiSubmitted(f, "UI-SB")
			v := fmt.Sprint(r.Version)
			return arCall{method: "POST", path: fmt.Sprintf("/reports/%d/send-back", r.ID), ui: &s, status: 303,
				form:   url.Values{"version": {v}, "reason": {"数据口径不一致"}},
				action: "report.returned", objectType: "report", actor: "unit-leader", objectID: arID(r.ID),
				changes: []arChange{{"return_reason", "", "数据口径不一致"}},
				invalid: url.Values{"version": {v}, "reason": {" "}}}
		},
		"POST /settings": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			set, err := f.Plans.Settings(uiCtx(f.Users[access.Coordinator]))
			if err != nil {
				f.t.Fatal(err)
			}
			form := url.Values{"version": {fmt.Sprint(set.Version)}, "lead_weight": {"0.5"}, "behind_points": {"20"}, "due_soon_days": {"7"},
				"due_soon_percent": {"80"}, "remind_days": {"3"}, "report_grace_days": {"5"}, "chase_leader_days": {"3"}, "chase_office_days": {"7"}}
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set("lead_weight", "5")
			return arCall{method: "POST", path: "/settings", ui: &s, form: form, status: 303,
				action: "settings.update", objectType: "settings", actor: "coordinator", objectID: arID(1),
				changes: []arChange{{"lead_weight", set.LeadWeight, 0.5}, {"leader_approval", set.LeaderApproval, false}},
				invalid: bad}
		},
		"POST /views": func(f *fixture) arCall {
			s := pmLogin(f, "viewer")
			return arCall{method: "POST", path: "/views", ui: &s, status: 303,
				form:   url.Values{"page": {"tasks"}, "name": {"逾期任务"}, "query": {"light=red"}},
				action: "view.save", objectType: "saved_view", actor: "viewer", objectID: uiMaxID(f, "saved_views"),
				changes: []arChange{{"name", arAbsent, "逾期任务"}, {"query", arAbsent, "light=red"}},
				invalid: url.Values{"page": {"tasks"}, "name": {""}, "query": {"light=red"}}}
		},
		"POST /views/{id}/delete": func(f *fixture) arCall {
			s := pmLogin(f, "viewer")
			v, err := f.Plans.SaveView(uiCtx(f.Users[access.Viewer]), "reports", "待删除", "show=missing")
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "POST", path: fmt.Sprintf("/views/%d/delete", v.ID), ui: &s, status: 303,
				form:   url.Values{"page": {"reports"}},
				action: "view.delete", objectType: "saved_view", actor: "viewer", objectID: arID(v.ID)}
		},
	}
}
