package web_test

import (
	"fmt"
	"strings"

	"concord/internal/access"
	"concord/internal/plans"
)

// arPlanAPICases are arCases for the JSON routes of plans, tasks and reports.
// Each case makes its own plan, task or report, so that the cases, which
// share one fixture, do not depend on each other's order.
func arPlanAPICases() map[string]func(f *fixture) arCall {
	// report moves a fresh report of the own unit, brought by prepare to the
	// state the move starts from.
	report := func(code, login, suffix, action string, prepare func(f *fixture, r plans.Report) plans.Report, body, invalid any, changes ...arChange) func(f *fixture) arCall {
		return func(f *fixture) arCall {
			task := apTask(f, code, f.Own.ID, f.Other.ID)
			r := apReports(f, task.ID, f.Own.ID, plans.Pending)[0]
			if prepare != nil {
				r = prepare(f, r)
			}
			return arCall{method: map[bool]string{true: "PUT", false: "POST"}[suffix == ""], path: fmt.Sprintf("/api/v1/reports/%d%s", r.ID, suffix),
				token: f.token(login), header: arIfMatch(r.Version), json: body, status: 200,
				action: action, objectType: "report", actor: login, objectID: arID(r.ID),
				changes: append(changes, arChange{"version", r.Version, r.Version + 1}), invalid: invalid}
		}
	}
	submit := func(f *fixture, r plans.Report) plans.Report {
		pct := 50.0
		r, err := f.Plans.SubmitReport(apAs(f.Users[access.Reporter]), r.ID, plans.ReportInput{Percent: &pct, SelfStatus: "on_track", Narrative: "按计划推进"}, r.Version)
		if err != nil {
			f.t.Fatal(err)
		}
		return r
	}
	// task moves a new task of the own unit, brought by prepare to the
	// status the move starts from.
	task := func(code, login, suffix, action string, prepare func(f *fixture, t plans.Task) plans.Task, body, invalid any, from, to string) func(f *fixture) arCall {
		return func(f *fixture) arCall {
			t := apTask(f, code, f.Own.ID, f.Other.ID)
			if prepare != nil {
				t = prepare(f, t)
			}
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/tasks/%d/%s", t.ID, suffix), token: f.token(login),
				header: arIfMatch(t.Version), json: body, status: 200, action: action, objectType: "task", actor: login, objectID: arID(t.ID),
				changes: []arChange{{"status", from, to}, {"version", t.Version, t.Version + 1}}, invalid: invalid}
		}
	}
	file := func(f *fixture, t plans.Task) plans.Task {
		t, _, err := f.Plans.FileCompletion(apAs(f.Users[access.Reporter]), t.ID, "已完成", t.Version)
		if err != nil {
			f.t.Fatal(err)
		}
		return t
	}
	fileAndClose := func(f *fixture, t plans.Task) plans.Task {
		t, err := f.Plans.CloseTask(apCoordinator(f), t.ID, file(f, t).Version)
		if err != nil {
			f.t.Fatal(err)
		}
		return t
	}
	// upload adds a file to a fresh owner; invalid is a file refused.
	upload := func(owner func(f *fixture) string, invalidName string, invalidData []byte) func(f *fixture) arCall {
		return func(f *fixture) arCall {
			return arCall{method: "POST", path: owner(f), token: f.token("reporter"), json: apForm("佐证材料.pdf", apPDF),
				header: map[string]string{"Content-Type": apFormType}, status: 201,
				action: "attachment.add", objectType: "attachment", actor: "reporter", objectID: arCreatedID,
				changes: []arChange{{"name", arAbsent, "佐证材料.pdf"}, {"size", arAbsent, len(apPDF)}}, invalid: apForm(invalidName, invalidData)}
		}
	}
	// plan is a new draft plan.
	plan := func(f *fixture, code string) plans.Plan {
		p, err := f.Plans.CreatePlan(apCoordinator(f), plans.PlanInput{Code: code, Kind: plans.ActionPlan, Name: "审计计划", StartsOn: f.Plan.StartsOn, EndsOn: f.Plan.EndsOn})
		if err != nil {
			f.t.Fatal(err)
		}
		return p
	}
	planBody := func(f *fixture, code, name string) map[string]any {
		return map[string]any{"code": code, "kind": "action", "name": name, "starts_on": f.Plan.StartsOn, "ends_on": f.Plan.EndsOn}
	}

	return map[string]func(f *fixture) arCall{
		"POST /api/v1/plans": func(f *fixture) arCall {
			invalid := planBody(f, "AR-P", "审计计划")
			invalid["ends_on"] = f.Plan.StartsOn.AddDays(-1)
			return arCall{method: "POST", path: "/api/v1/plans", token: f.token("coordinator"), json: planBody(f, "AR-P", "审计计划"), status: 201,
				action: "plan.create", objectType: "plan", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "AR-P"}, {"status", arAbsent, "draft"}}, invalid: invalid}
		},
		"PUT /api/v1/plans/{id}": func(f *fixture) arCall {
			p := plan(f, "AR-PU")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/plans/%d", p.ID), token: f.token("coordinator"), header: arIfMatch(p.Version),
				json: planBody(f, "AR-PU", "审计计划（修订）"), status: 200, action: "plan.update", objectType: "plan", actor: "coordinator", objectID: arID(p.ID),
				changes: []arChange{{"name", "审计计划", "审计计划（修订）"}, {"version", p.Version, p.Version + 1}},
				invalid: planBody(f, "AR-PU", "")}
		},
		"PUT /api/v1/plans/{id}/status": func(f *fixture) arCall {
			p := plan(f, "AR-PS")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/plans/%d/status", p.ID), token: f.token("coordinator"), header: arIfMatch(p.Version),
				json: map[string]any{"status": "in_force", "revision": map[string]string{"approved_by": "联席会议"}}, status: 200,
				action: "plan.status", objectType: "plan", actor: "coordinator", objectID: arID(p.ID),
				changes: []arChange{{"status", "draft", "in_force"}, {"revision", 0, 1}},
				invalid: map[string]any{"status": "in_force", "revision": map[string]string{}}}
		},
		"POST /api/v1/plans/{id}/goals": func(f *fixture) arCall {
			area := arAreaIDs(f)[2]
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/plans/%d/goals", f.Plan.ID), token: f.token("coordinator"),
				json: map[string]any{"code": "AR-G", "title": "创新协同", "area_id": area}, status: 201,
				action: "goal.create", objectType: "goal", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "AR-G"}, {"area_id", arAbsent, area}},
				invalid: map[string]any{"code": "AR-G", "title": "创新协同", "area_id": 99999}}
		},
		"PUT /api/v1/goals/{id}": func(f *fixture) arCall {
			g, err := f.Plans.SaveGoal(apCoordinator(f), f.Plan.ID, 0, plans.GoalInput{Code: "AR-GU", Title: "改革协同", AreaID: f.Goal.AreaID}, 0)
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/goals/%d", g.ID), token: f.token("coordinator"), header: arIfMatch(g.Version),
				json: map[string]any{"code": "AR-GU", "title": "深化改革协同", "area_id": g.AreaID}, status: 200,
				action: "goal.update", objectType: "goal", actor: "coordinator", objectID: arID(g.ID),
				changes: []arChange{{"title", "改革协同", "深化改革协同"}, {"version", g.Version, g.Version + 1}},
				invalid: map[string]any{"code": "AR GU", "title": "深化改革协同", "area_id": g.AreaID}}
		},
		"POST /api/v1/plans/{id}/tasks": func(f *fixture) arCall {
			invalid := apTaskBody(f, "AR-T")
			invalid["co_unit_ids"] = []int64{f.Own.ID}
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/plans/%d/tasks", f.Plan.ID), token: f.token("coordinator"),
				json: apTaskBody(f, "AR-T"), status: 201, action: "task.create", objectType: "task", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "AR-T"}, {"co_unit_ids", arAbsent, []int64{f.Other.ID}}}, invalid: invalid}
		},
		"PUT /api/v1/tasks/{id}": func(f *fixture) arCall {
			t := apTask(f, "AR-TU", f.Own.ID, f.Other.ID)
			body := apTaskBody(f, "AR-TU")
			invalid := apTaskBody(f, "AR-TU")
			delete(invalid, "revision")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/tasks/%d", t.ID), token: f.token("coordinator"), header: arIfMatch(t.Version),
				json: body, status: 200, action: "task.update", objectType: "task", actor: "coordinator", objectID: arID(t.ID),
				changes: []arChange{{"title", t.Title, body["title"]}, {"due_on", t.DueOn, body["due_on"]}, {"version", t.Version, t.Version + 1}},
				invalid: invalid}
		},
		"POST /api/v1/tasks/{id}/completion": task("AR-C", "reporter", "completion", "task.completion_filed", nil,
			map[string]string{"summary": "已全部完成"}, map[string]string{"summary": ""}, "active", "completion_filed"),
		"POST /api/v1/tasks/{id}/close": task("AR-CL", "coordinator", "close", "task.closed", file, nil, nil, "completion_filed", "closed"),
		"POST /api/v1/tasks/{id}/reopen": task("AR-RO", "coordinator", "reopen", "task.reopened", fileAndClose,
			map[string]string{"reason": "核查不实"}, map[string]string{"reason": ""}, "closed", "active"),
		"POST /api/v1/tasks/{id}/cancel": task("AR-CA", "coordinator", "cancel", "task.cancelled", nil,
			map[string]string{"reason": "不再实施"}, map[string]string{"reason": " "}, "active", "cancelled"),
		"POST /api/v1/tasks/{id}/merge": func(f *fixture) arCall {
			c := task("AR-M", "coordinator", "merge", "task.merged", nil, map[string]any{"into": f.TaskOwn.ID, "reason": "合并推进"},
				map[string]any{"into": 99999, "reason": "合并推进"}, "active", "merged")(f)
			c.changes = append(c.changes, arChange{"merged_into_id", arAbsent, f.TaskOwn.ID})
			return c
		},
		"PUT /api/v1/assignments/{id}": func(f *fixture) arCall {
			t := apTask(f, "AR-A", f.Own.ID, f.Other.ID)
			as, err := f.Plans.Assignments(apCoordinator(f), t.ID)
			if err != nil || as[0].UnitID != f.Own.ID {
				f.t.Fatalf("assignments %v: %v", as, err)
			}
			a := as[0]
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/assignments/%d", a.ID), token: f.token("unit-leader"), header: arIfMatch(a.Version),
				json: map[string]any{"responsible_name": "张伟", "due_on": t.DueOn.AddDays(-5)}, status: 200,
				action: "assignment.update", objectType: "assignment", actor: "unit-leader", objectID: arID(a.ID),
				changes: []arChange{{"responsible_name", "", "张伟"}, {"due_on", t.DueOn, t.DueOn.AddDays(-5)}, {"version", a.Version, a.Version + 1}},
				invalid: map[string]any{"due_on": t.DueOn.AddDays(1)}}
		},
		"POST /api/v1/assignments/{id}/chase": func(f *fixture) arCall {
			t := apTask(f, "AR-CH", f.Own.ID, f.Other.ID)
			as, err := f.Plans.Assignments(apCoordinator(f), t.ID)
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/assignments/%d/chase", as[1].ID), token: f.token("coordinator"),
				json: map[string]string{"note": "请尽快报送进展"}, status: 201, action: "task.chase", objectType: "chase", actor: "coordinator",
				objectID: arCreatedID, changes: []arChange{{"note", arAbsent, "请尽快报送进展"}, {"unit_id", arAbsent, f.Other.ID}},
				invalid: map[string]string{"note": ""}}
		},
		"PUT /api/v1/reports/{id}": report("AR-RS", "reporter", "", "report.saved", nil, map[string]any{"narrative": "初稿", "percent": 20},
			map[string]any{"percent": 101}, arChange{"state", "pending", "draft"}, arChange{"narrative", "", "初稿"}),
		"POST /api/v1/reports/{id}/submit": report("AR-RSU", "reporter", "/submit", "report.submitted", nil,
			map[string]any{"narrative": "已开工", "percent": 30, "self_status": "on_track"}, map[string]any{"percent": 30},
			arChange{"state", "pending", "submitted"}, arChange{"percent", arAbsent, 30}),
		"POST /api/v1/reports/{id}/approve": func(f *fixture) arCall {
			apLeaderApproval(f, true)
			f.t.Cleanup(func() { apLeaderApproval(f, false) })
			return report("AR-RAP", "unit-leader", "/approve", "report.approved", submit, nil, nil, arChange{"state", "submitted", "approved"})(f)
		},
		"POST /api/v1/reports/{id}/accept": report("AR-RAC", "coordinator", "/accept", "report.accepted", submit, nil, nil,
			arChange{"state", "submitted", "accepted"}, arChange{"reviewed_by", "", "coordinator"}),
		"POST /api/v1/reports/{id}/return": report("AR-RR", "coordinator", "/return", "report.returned", submit,
			map[string]string{"reason": "请补充材料"}, map[string]string{"reason": ""},
			arChange{"state", "submitted", "returned"}, arChange{"return_reason", "", "请补充材料"}, arChange{"returns", 0, 1}),
		"POST /api/v1/reports/{id}/attachments": upload(func(f *fixture) string {
			t := apTask(f, "AR-UR", f.Own.ID, f.Other.ID)
			return fmt.Sprintf("/api/v1/reports/%d/attachments", apReports(f, t.ID, f.Own.ID, plans.Pending)[0].ID)
		}, "setup.exe", []byte("MZ\x90\x00")),
		"POST /api/v1/completions/{id}/attachments": upload(func(f *fixture) string {
			_, c := apFiled(f, "AR-UC")
			return fmt.Sprintf("/api/v1/completions/%d/attachments", c.ID)
		}, "验收.pdf", []byte("文字而非 PDF")),
		"POST /api/v1/views": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/views", token: f.token("viewer"),
				json: map[string]string{"page": "reports", "name": "逾期未报", "query": "missing=1"}, status: 201,
				action: "view.save", objectType: "saved_view", actor: "viewer", objectID: arCreatedID,
				changes: []arChange{{"name", arAbsent, "逾期未报"}, {"query", arAbsent, "missing=1"}},
				invalid: map[string]string{"page": "reports", "name": strings.Repeat("长", 101)}}
		},
		"DELETE /api/v1/views/{id}": func(f *fixture) arCall {
			v, err := f.Plans.SaveView(apAs(f.Users[access.Viewer]), "tasks", "待删除", "light=red")
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "DELETE", path: fmt.Sprintf("/api/v1/views/%d", v.ID), token: f.token("viewer"), status: 204,
				action: "view.delete", objectType: "saved_view", actor: "viewer", objectID: arID(v.ID)}
		},
		"PUT /api/v1/settings": func(f *fixture) arCall {
			set, err := f.Plans.Settings(apCoordinator(f))
			if err != nil {
				f.t.Fatal(err)
			}
			body := set
			body.RemindDays = set.RemindDays + 1
			invalid := set
			invalid.ChaseOfficeDays = set.ChaseLeaderDays
			return arCall{method: "PUT", path: "/api/v1/settings", token: f.token("coordinator"), header: map[string]string{"If-Match": fmt.Sprintf(`"v%d"`, set.Version)},
				json: body, status: 200, action: "settings.update", objectType: "settings", actor: "coordinator", objectID: arID(1),
				changes: []arChange{{"remind_days", set.RemindDays, body.RemindDays}, {"version", set.Version, set.Version + 1}}, invalid: invalid}
		},
	}
}

// apLeaderApproval turns the unit leader's approval of reports on or off.
func apLeaderApproval(f *fixture, on bool) {
	f.t.Helper()
	ctx := apCoordinator(f)
	set, err := f.Plans.Settings(ctx)
	if err == nil && set.LeaderApproval != on {
		set.LeaderApproval = on
		_, err = f.Plans.UpdateSettings(ctx, set, set.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
}
