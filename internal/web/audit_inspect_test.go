package web_test

import (
	"context"
	"fmt"
	"net/url"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/inspect"
	"concord/internal/problems"
)

// arInspectCases are arCases for the JSON routes of inspections,
// rectification and the problem list; each makes its own objects.
func arInspectCases() map[string]func(f *fixture) arCall {
	today := clock.Today(clock.System)
	day := func(n int) string { return today.AddDays(n).String() }
	roundBody := func(f *fixture, title string) map[string]any {
		return map[string]any{"title": title, "unit_ids": []int64{f.Own.ID}, "inspector_ids": []int64{f.Users[access.Inspector].ID},
			"starts_on": day(0), "ends_on": day(10)}
	}
	insp := func(f *fixture) context.Context { return apAs(f.Users[access.Inspector]) }
	started := func(f *fixture) inspect.Round {
		r, err := f.Srv.Inspect.SetRoundStatus(insp(f), isRound(f, "审计检查").ID, inspect.InProgress, 1)
		if err != nil {
			f.t.Fatal(err)
		}
		return r
	}
	// item is a fresh rectification item of the own unit, responded when asked.
	item := func(f *fixture, responded bool) inspect.Rectification {
		it, err := f.Srv.Inspect.OpenRectification(apCoordinator(f), inspect.RectInput{SourceKind: "test", SourceRef: "audit", UnitID: f.Own.ID, Requirement: "整改", DueOn: today.AddDays(30)})
		if err == nil && responded {
			rep := apAs(f.Users[access.Reporter])
			if _, err = f.Srv.Inspect.AddEvidence(rep, "rectification", it.ID, "整改报告.pdf", apPDF); err == nil {
				it, err = f.Srv.Inspect.Respond(rep, it.ID, "已整改", it.Version)
			}
		}
		if err != nil {
			f.t.Fatal(err)
		}
		return it
	}
	// problem is a fresh problem raised by the own unit and given to it.
	problem := func(f *fixture, responded bool) problems.Problem {
		p := isProblem(f, apAs(f.Users[access.Reporter]), f.Other.ID, f.Own.ID)
		if responded {
			var err error
			if p, err = f.Srv.Problems.Respond(apAs(f.Users[access.Reporter]), p.ID, "已协调", p.Version); err != nil {
				f.t.Fatal(err)
			}
		}
		return p
	}
	upload := func(path func(f *fixture) string, login string) func(f *fixture) arCall {
		return func(f *fixture) arCall {
			return arCall{method: "POST", path: path(f), token: f.token(login), json: apForm("证明材料.pdf", apPDF),
				header: map[string]string{"Content-Type": apFormType}, status: 201,
				action: "evidence.add", objectType: "evidence", actor: login, objectID: arCreatedID,
				changes: []arChange{{"name", arAbsent, "证明材料.pdf"}, {"size", arAbsent, len(apPDF)}}, invalid: apForm("证明材料.exe", apPDF)}
		}
	}
	// move is a versioned POST on a rectification item or a problem.
	move := func(kind, suffix, login, action string, version int, id int64, body, invalid any, changes ...arChange) arCall {
		return arCall{method: "POST", path: fmt.Sprintf("/api/v1/%s/%d/%s", kind, id, suffix), token: "", header: arIfMatch(version),
			json: body, status: 200, action: action, objectType: map[string]string{"rectifications": "rectification", "problems": "problem"}[kind],
			actor: login, objectID: arID(id), changes: append(changes, arChange{"version", version, version + 1}), invalid: invalid}
	}
	withToken := func(f *fixture, c arCall) arCall { c.token = f.token(c.actor); return c }
	cases := map[string]func(f *fixture) arCall{
		"POST /api/v1/inspections": func(f *fixture) arCall {
			bad := roundBody(f, "无范围")
			delete(bad, "unit_ids")
			return arCall{method: "POST", path: "/api/v1/inspections", token: f.token("inspector"), json: roundBody(f, "一季度督查"), status: 201,
				action: "inspection.create", objectType: "inspection", actor: "inspector", objectID: arCreatedID,
				changes: []arChange{{"title", arAbsent, "一季度督查"}, {"status", arAbsent, "planned"}}, invalid: bad}
		},
		"PUT /api/v1/inspections/{id}": func(f *fixture) arCall {
			r := isRound(f, "待修改")
			bad := roundBody(f, "x")
			bad["ends_on"] = day(-5)
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/inspections/%d", r.ID), token: f.token("inspector"), header: arIfMatch(r.Version),
				json: roundBody(f, "已修改"), status: 200, action: "inspection.update", objectType: "inspection", actor: "inspector", objectID: arID(r.ID),
				changes: []arChange{{"title", "待修改", "已修改"}, {"version", r.Version, r.Version + 1}}, invalid: bad}
		},
		"PUT /api/v1/inspections/{id}/status": func(f *fixture) arCall {
			r := isRound(f, "待开始")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/inspections/%d/status", r.ID), token: f.token("coordinator"), header: arIfMatch(r.Version),
				json: map[string]string{"status": "in_progress"}, status: 200, action: "inspection.status", objectType: "inspection", actor: "coordinator",
				objectID: arID(r.ID), changes: []arChange{{"status", "planned", "in_progress"}, {"version", r.Version, r.Version + 1}},
				invalid: map[string]string{"status": "finished"}}
		},
		"POST /api/v1/inspections/{id}/correction": func(f *fixture) arCall {
			r := started(f)
			r, err := f.Srv.Inspect.SetRoundStatus(insp(f), r.ID, inspect.Finished, r.Version)
			if err != nil {
				f.t.Fatal(err)
			}
			body := roundBody(f, "更正后")
			body["reason"] = "标题有误"
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/inspections/%d/correction", r.ID), token: f.token("inspector"), header: arIfMatch(r.Version),
				json: body, status: 200, action: "inspection.correct", objectType: "inspection", actor: "inspector", objectID: arID(r.ID),
				changes: []arChange{{"revision", 1, 2}, {"title", "审计检查", "更正后"}, {"version", r.Version, r.Version + 1}}, invalid: roundBody(f, "无原因")}
		},
		"POST /api/v1/inspections/{id}/findings": func(f *fixture) arCall {
			r := started(f)
			body := map[string]any{"unit_id": f.Own.ID, "severity": "serious", "description": "未按期完成"}
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/inspections/%d/findings", r.ID), token: f.token("inspector"), json: body, status: 201,
				action: "finding.create", objectType: "finding", actor: "inspector", objectID: arCreatedID,
				changes: []arChange{{"severity", arAbsent, "serious"}}, invalid: map[string]any{"unit_id": f.Own.ID, "severity": "fatal", "description": "x"}}
		},
		"POST /api/v1/findings/{id}/evidence": upload(func(f *fixture) string {
			fd, err := f.Srv.Inspect.AddFinding(insp(f), started(f).ID, inspect.FindingInput{UnitID: f.Own.ID, Severity: inspect.Minor, Description: "x"})
			if err != nil {
				f.t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/findings/%d/evidence", fd.ID)
		}, "inspector"),
		"POST /api/v1/rectifications": func(f *fixture) arCall {
			body := map[string]any{"source_kind": "water_quality", "source_ref": "station:1", "unit_id": f.Other.ID, "requirement": "水质达标", "due_on": day(30)}
			bad := map[string]any{"source_kind": "water_quality", "source_ref": "station:1", "unit_id": f.Other.ID, "requirement": "水质达标", "due_on": day(-1)}
			return arCall{method: "POST", path: "/api/v1/rectifications", token: f.token("coordinator"), json: body, status: 201,
				action: "rectification.create", objectType: "rectification", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"status", arAbsent, "open"}, {"source_kind", arAbsent, "water_quality"}}, invalid: bad}
		},
		"POST /api/v1/rectifications/{id}/evidence": upload(func(f *fixture) string {
			return fmt.Sprintf("/api/v1/rectifications/%d/evidence", item(f, false).ID)
		}, "reporter"),
		"POST /api/v1/rectifications/{id}/respond": func(f *fixture) arCall {
			it := item(f, false)
			if _, err := f.Srv.Inspect.AddEvidence(apAs(f.Users[access.Reporter]), "rectification", it.ID, "整改报告.pdf", apPDF); err != nil {
				f.t.Fatal(err)
			}
			return withToken(f, move("rectifications", "respond", "reporter", "rectification.respond", it.Version, it.ID,
				map[string]string{"response": "已整改"}, map[string]string{"response": ""}, arChange{"status", "open", "responded"}))
		},
		"POST /api/v1/rectifications/{id}/verify": func(f *fixture) arCall {
			it := item(f, true)
			return withToken(f, move("rectifications", "verify", "inspector", "rectification.verify", it.Version, it.ID,
				map[string]any{"accept": true}, map[string]any{"accept": false, "reason": ""}, arChange{"status", "responded", "closed"}))
		},
		"POST /api/v1/problems": func(f *fixture) arCall {
			body := map[string]any{"category": "funding", "title": "资金缺口", "ask": "请协调", "unit_ids": []int64{f.Other.ID}}
			bad := map[string]any{"category": "funding", "title": "资金缺口", "ask": "请协调", "unit_ids": []int64{f.Own.ID}}
			return arCall{method: "POST", path: "/api/v1/problems", token: f.token("reporter"), json: body, status: 201,
				action: "problem.raise", objectType: "problem", actor: "reporter", objectID: arCreatedID,
				changes: []arChange{{"status", arAbsent, "raised"}}, invalid: bad}
		},
		"POST /api/v1/problems/{id}/triage": func(f *fixture) arCall {
			p, err := f.Srv.Problems.Raise(apAs(f.Users[access.Reporter]), problems.Input{Category: "land", Title: "用地", Ask: "请协调", UnitIDs: []int64{f.Other.ID}})
			if err != nil {
				f.t.Fatal(err)
			}
			return withToken(f, move("problems", "triage", "coordinator", "problem.triage", p.Version, p.ID,
				map[string]any{"accept": true, "handling_unit_id": f.Other.ID, "due_on": day(20)},
				map[string]any{"accept": true, "handling_unit_id": f.Other.ID, "due_on": day(-2)}, arChange{"status", "raised", "assigned"}))
		},
		"POST /api/v1/problems/{id}/reassign": func(f *fixture) arCall {
			p := problem(f, false)
			return withToken(f, move("problems", "reassign", "coordinator", "problem.reassign", p.Version, p.ID,
				map[string]any{"handling_unit_id": f.Other.ID, "due_on": day(20), "reason": "由他单位承办"},
				map[string]any{"handling_unit_id": f.Other.ID, "due_on": day(20), "reason": ""}, arChange{"handling_unit_id", f.Own.ID, f.Other.ID}))
		},
		"POST /api/v1/problems/{id}/escalate": func(f *fixture) arCall {
			p := problem(f, false)
			return withToken(f, move("problems", "escalate", "coordinator", "problem.escalate", p.Version, p.ID,
				map[string]any{"reason": "意见不一", "meeting_ref": "2026-联席会议"}, map[string]any{"reason": ""}, arChange{"escalated", false, true}))
		},
		"POST /api/v1/problems/{id}/respond": func(f *fixture) arCall {
			p := problem(f, false)
			return withToken(f, move("problems", "respond", "reporter", "problem.respond", p.Version, p.ID,
				map[string]any{"response": "已协调"}, map[string]any{"response": ""}, arChange{"status", "assigned", "responded"}))
		},
		"POST /api/v1/problems/{id}/confirm": func(f *fixture) arCall {
			p := problem(f, true)
			return withToken(f, move("problems", "confirm", "reporter", "problem.confirm", p.Version, p.ID,
				map[string]any{"solved": true}, map[string]any{"solved": false, "note": ""}, arChange{"status", "responded", "solved"}))
		},
		"POST /api/v1/problems/{id}/evidence": upload(func(f *fixture) string {
			return fmt.Sprintf("/api/v1/problems/%d/evidence", problem(f, false).ID)
		}, "reporter"),
	}
	// The pages' forms: the same moves, posted as a browser does.
	page := func(f *fixture, login, path string, values url.Values, action, objectType string, id func(result) string, invalid url.Values, changes ...arChange) arCall {
		sess := pmLogin(f, login)
		return arCall{method: "POST", path: path, form: values, ui: &sess, status: 303, action: action, objectType: objectType, actor: login,
			objectID: id, changes: changes, invalid: invalid}
	}
	ver := func(v int) string { return fmt.Sprint(v) }
	roundForm := func(f *fixture, title string) url.Values {
		return url.Values{"title": {title}, "unit_ids": {fmt.Sprint(f.Own.ID)}, "inspector_ids": {fmt.Sprint(f.Users[access.Inspector].ID)},
			"starts_on": {day(0)}, "ends_on": {day(10)}}
	}
	for key, c := range map[string]func(f *fixture) arCall{
		"POST /inspections": func(f *fixture) arCall {
			bad := roundForm(f, "无范围")
			bad.Del("unit_ids")
			return page(f, "inspector", "/inspections", roundForm(f, "界面检查"), "inspection.create", "inspection", arLocationID, bad,
				arChange{"title", arAbsent, "界面检查"})
		},
		"POST /inspections/{id}/status": func(f *fixture) arCall {
			r := isRound(f, "界面待开始")
			return page(f, "inspector", fmt.Sprintf("/inspections/%d/status", r.ID), url.Values{"version": {ver(r.Version)}, "status": {"in_progress"}},
				"inspection.status", "inspection", arID(r.ID), url.Values{"version": {ver(r.Version)}, "status": {"finished"}},
				arChange{"status", "planned", "in_progress"})
		},
		"POST /inspections/{id}/correction": func(f *fixture) arCall {
			r, err := f.Srv.Inspect.SetRoundStatus(insp(f), started(f).ID, inspect.Finished, 2)
			if err != nil {
				f.t.Fatal(err)
			}
			values := url.Values{"version": {ver(r.Version)}, "title": {"界面更正"}, "starts_on": {day(0)}, "ends_on": {day(10)}, "reason": {"名称有误"}}
			bad := url.Values{"version": {ver(r.Version)}, "title": {"界面更正"}, "starts_on": {day(0)}, "ends_on": {day(10)}}
			return page(f, "coordinator", fmt.Sprintf("/inspections/%d/correction", r.ID), values, "inspection.correct", "inspection", arID(r.ID), bad,
				arChange{"revision", 1, 2})
		},
		"POST /inspections/{id}/findings": func(f *fixture) arCall {
			r := started(f)
			values := url.Values{"unit_id": {fmt.Sprint(f.Own.ID)}, "severity": {"minor"}, "description": {"界面发现"}}
			bad := url.Values{"unit_id": {fmt.Sprint(f.Own.ID)}, "severity": {"fatal"}, "description": {"界面发现"}}
			return page(f, "inspector", fmt.Sprintf("/inspections/%d/findings", r.ID), values, "finding.create", "finding", uiMaxID(f, "findings"), bad,
				arChange{"description", arAbsent, "界面发现"})
		},
		"POST /inspections/{id}/rectifications": func(f *fixture) arCall {
			r := started(f)
			fd, err := f.Srv.Inspect.AddFinding(insp(f), r.ID, inspect.FindingInput{UnitID: f.Own.ID, Severity: inspect.Minor, Description: "x"})
			if err != nil {
				f.t.Fatal(err)
			}
			values := url.Values{"finding_id": {fmt.Sprint(fd.ID)}, "requirement": {"界面整改"}, "due_on": {day(20)}}
			bad := url.Values{"finding_id": {fmt.Sprint(fd.ID)}, "requirement": {"界面整改"}, "due_on": {day(-20)}}
			return page(f, "inspector", fmt.Sprintf("/inspections/%d/rectifications", r.ID), values, "rectification.create", "rectification",
				uiMaxID(f, "rectifications"), bad, arChange{"requirement", arAbsent, "界面整改"})
		},
		"POST /rectifications/{id}/respond": func(f *fixture) arCall {
			it := item(f, false)
			if _, err := f.Srv.Inspect.AddEvidence(apAs(f.Users[access.Reporter]), "rectification", it.ID, "整改报告.pdf", apPDF); err != nil {
				f.t.Fatal(err)
			}
			return page(f, "reporter", fmt.Sprintf("/rectifications/%d/respond", it.ID), url.Values{"version": {ver(it.Version)}, "response": {"已整改"}},
				"rectification.respond", "rectification", arID(it.ID), url.Values{"version": {ver(it.Version)}}, arChange{"status", "open", "responded"})
		},
		"POST /rectifications/{id}/verify": func(f *fixture) arCall {
			it := item(f, true)
			return page(f, "inspector", fmt.Sprintf("/rectifications/%d/verify", it.ID), url.Values{"version": {ver(it.Version)}, "verdict": {"return"}, "reason": {"缺签字页"}},
				"rectification.verify", "rectification", arID(it.ID), url.Values{"version": {ver(it.Version)}, "verdict": {"return"}},
				arChange{"status", "responded", "returned"})
		},
		"POST /problems": func(f *fixture) arCall {
			values := url.Values{"category": {"policy"}, "title": {"界面问题"}, "ask": {"请协调"}, "unit_ids": {fmt.Sprint(f.Other.ID)}}
			bad := url.Values{"category": {"policy"}, "title": {"界面问题"}, "ask": {"请协调"}}
			return page(f, "unit-leader", "/problems", values, "problem.raise", "problem", arLocationID, bad, arChange{"title", arAbsent, "界面问题"})
		},
		"POST /problems/{id}/triage": func(f *fixture) arCall {
			p, err := f.Srv.Problems.Raise(apAs(f.Users[access.Reporter]), problems.Input{Category: "land", Title: "用地", Ask: "请协调", UnitIDs: []int64{f.Other.ID}})
			if err != nil {
				f.t.Fatal(err)
			}
			return page(f, "coordinator", fmt.Sprintf("/problems/%d/triage", p.ID), url.Values{"version": {ver(p.Version)}, "verdict": {"reject"}, "reason": {"非跨单位问题"}},
				"problem.triage", "problem", arID(p.ID), url.Values{"version": {ver(p.Version)}, "verdict": {"reject"}}, arChange{"status", "raised", "rejected"})
		},
		"POST /problems/{id}/reassign": func(f *fixture) arCall {
			p := problem(f, false)
			values := url.Values{"version": {ver(p.Version)}, "handling_unit_id": {fmt.Sprint(f.Other.ID)}, "due_on": {day(9)}, "reason": {"改由他单位"}}
			bad := url.Values{"version": {ver(p.Version)}, "handling_unit_id": {fmt.Sprint(f.Other.ID)}, "due_on": {day(9)}}
			return page(f, "coordinator", fmt.Sprintf("/problems/%d/reassign", p.ID), values, "problem.reassign", "problem", arID(p.ID), bad,
				arChange{"handling_unit_id", f.Own.ID, f.Other.ID})
		},
		"POST /problems/{id}/escalate": func(f *fixture) arCall {
			p := problem(f, false)
			return page(f, "coordinator", fmt.Sprintf("/problems/%d/escalate", p.ID), url.Values{"version": {ver(p.Version)}, "reason": {"意见不一"}},
				"problem.escalate", "problem", arID(p.ID), url.Values{"version": {ver(p.Version)}}, arChange{"escalated", false, true})
		},
		"POST /problems/{id}/respond": func(f *fixture) arCall {
			p := problem(f, false)
			return page(f, "unit-leader", fmt.Sprintf("/problems/%d/respond", p.ID), url.Values{"version": {ver(p.Version)}, "response": {"已协调"}},
				"problem.respond", "problem", arID(p.ID), url.Values{"version": {ver(p.Version)}}, arChange{"status", "assigned", "responded"})
		},
		"POST /problems/{id}/confirm": func(f *fixture) arCall {
			p := problem(f, true)
			return page(f, "reporter", fmt.Sprintf("/problems/%d/confirm", p.ID), url.Values{"version": {ver(p.Version)}, "verdict": {"unsolved"}, "note": {"未落实"}},
				"problem.confirm", "problem", arID(p.ID), url.Values{"version": {ver(p.Version)}, "verdict": {"unsolved"}}, arChange{"status", "responded", "assigned"})
		},
	} {
		cases[key] = c
	}
	return cases
}
