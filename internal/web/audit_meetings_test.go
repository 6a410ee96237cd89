package web_test

import (
	"fmt"
	"net/url"

	"concord/internal/clock"
	"concord/internal/meetings"
)

// arMeetingCases are arCases for the meetings' JSON routes and pages. Each
// case makes its own meeting, so the cases do not depend on each other.
func arMeetingCases() map[string]func(f *fixture) arCall {
	today := clock.Today(clock.System)
	meetingBody := func(f *fixture, title string) map[string]any {
		return map[string]any{"kind": "office", "title": title, "held_on": today, "place": "大连", "host_unit_id": f.Own.ID}
	}
	decisionBody := func(f *fixture, m meetings.Meeting, text string) map[string]any {
		return map[string]any{"agenda_item_id": m.Agenda[0].ID, "text": text, "area_id": f.Goal.AreaID, "lead_unit_id": f.Own.ID, "due_on": today.AddDays(30)}
	}
	closed := func(f *fixture, title string) meetings.Meeting {
		s, ctx := mtService(f), apCoordinator(f)
		m, _ := mtHeld(f, title)
		in := meetings.Input{Kind: m.Kind, Title: m.Title, HeldOn: m.HeldOn, Place: m.Place, HostUnitID: m.HostUnitID, Attendees: m.Attendees, Agenda: m.Agenda, Minutes: "纪要"}
		m, err := s.UpdateMeeting(ctx, m.ID, in, m.Version)
		if err == nil {
			m, err = s.SetStatus(ctx, m.ID, meetings.Closed, m.Version)
		}
		if err != nil {
			f.t.Fatal(err)
		}
		return m
	}
	return map[string]func(f *fixture) arCall{
		"POST /api/v1/meetings": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/meetings", token: f.token("coordinator"), json: meetingBody(f, "审计会议"), status: 201,
				action: "meeting.create", objectType: "meeting", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"title", arAbsent, "审计会议"}, {"status", arAbsent, "planned"}}, invalid: meetingBody(f, "")}
		},
		"PUT /api/v1/meetings/{id}": func(f *fixture) arCall {
			m, _ := mtHeld(f, "审计会议（改）")
			body := meetingBody(f, "审计会议（已改）")
			body["agenda"] = []map[string]any{{"id": m.Agenda[0].ID, "title": m.Agenda[0].Title}}
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/meetings/%d", m.ID), token: f.token("coordinator"), header: arIfMatch(m.Version),
				json: body, status: 200, action: "meeting.update", objectType: "meeting", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"title", "审计会议（改）", "审计会议（已改）"}, {"version", m.Version, m.Version + 1}}, invalid: meetingBody(f, "")}
		},
		"PUT /api/v1/meetings/{id}/status": func(f *fixture) arCall {
			m, err := mtService(f).CreateMeeting(apCoordinator(f), meetings.Input{Kind: meetings.KindOffice, Title: "审计状态", HeldOn: today, HostUnitID: f.Own.ID})
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/meetings/%d/status", m.ID), token: f.token("coordinator"), header: arIfMatch(m.Version),
				json: map[string]string{"status": "held"}, status: 200, action: "meeting.status", objectType: "meeting", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"status", "planned", "held"}}, invalid: map[string]string{"status": "adjourned"}}
		},
		"POST /api/v1/meetings/{id}/correction": func(f *fixture) arCall {
			m := closed(f, "审计更正")
			body := meetingBody(f, "审计更正")
			body["minutes"] = "纪要"
			body["agenda"] = []map[string]any{{"id": m.Agenda[0].ID, "title": m.Agenda[0].Title}}
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/correction", m.ID), token: f.token("coordinator"), header: arIfMatch(m.Version),
				json: map[string]any{"meeting": body, "reason": "地点有误"}, status: 200, action: "meeting.correct", objectType: "meeting", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"place", "盘锦", "大连"}, {"revision", 0, 1}}, invalid: map[string]any{"meeting": body}}
		},
		"POST /api/v1/meetings/{id}/decisions": func(f *fixture) arCall {
			m, _ := mtHeld(f, "审计决定")
			invalid := decisionBody(f, m, "共建港口联盟")
			delete(invalid, "lead_unit_id")
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/decisions", m.ID), token: f.token("coordinator"),
				json: decisionBody(f, m, "共建港口联盟"), status: 201, action: "decision.create", objectType: "decision", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"text", arAbsent, "共建港口联盟"}, {"lead_unit_id", arAbsent, f.Own.ID}}, invalid: invalid}
		},
		"POST /api/v1/meetings/{id}/documents": func(f *fixture) arCall {
			m, _ := mtHeld(f, "审计材料")
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), token: f.token("coordinator"), json: apForm("汇报材料.pdf", apPDF),
				header: map[string]string{"Content-Type": apFormType}, status: 201, action: "meeting.document", objectType: "meeting_document", actor: "coordinator",
				objectID: arCreatedID, changes: []arChange{{"name", arAbsent, "汇报材料.pdf"}, {"size", arAbsent, len(apPDF)}}, invalid: apForm("汇报材料.exe", []byte("MZ"))}
		},
		"PUT /api/v1/decisions/{id}": func(f *fixture) arCall {
			m, d := mtHeld(f, "审计改决定")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/decisions/%d", d.ID), token: f.token("coordinator"), header: arIfMatch(d.Version),
				json: decisionBody(f, m, "建立港口协同发展机制"), status: 200, action: "decision.update", objectType: "decision", actor: "coordinator", objectID: arID(d.ID),
				changes: []arChange{{"text", "建立港口协同机制", "建立港口协同发展机制"}, {"version", d.Version, d.Version + 1}}, invalid: decisionBody(f, m, "")}
		},
		"POST /api/v1/decisions/{id}/tasks": func(f *fixture) arCall {
			_, d := mtHeld(f, "审计交办")
			// The standing plan exists before the call, so the call writes the task only.
			if _, err := mtService(f).AssignTask(apCoordinator(f), d.ID, meetings.TaskSpec{}); err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/decisions/%d/tasks", d.ID), token: f.token("coordinator"),
				json: map[string]any{"title": "编制港口协同方案"}, status: 201, action: "task.create", objectType: "task", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"title", arAbsent, "编制港口协同方案"}, {"origin", arAbsent, fmt.Sprintf("decision:%d", d.ID)}, {"lead_unit_id", arAbsent, f.Own.ID}},
				invalid: map[string]any{"plan_id": f.Plan.ID}}
		},
		"POST /api/v1/committees": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/committees", token: f.token("coordinator"),
				json: map[string]any{"code": "AR-C", "name": "港口物流专业委员会", "level": "coordination", "unit_ids": []int64{f.Own.ID}}, status: 201,
				action: "committee.create", objectType: "committee", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"code", arAbsent, "AR-C"}, {"level", arAbsent, "coordination"}}, invalid: map[string]any{"code": "AR-C", "name": "x", "level": "top"}}
		},
		"PUT /api/v1/committees/{id}": func(f *fixture) arCall {
			c, err := mtService(f).SaveCommittee(apCoordinator(f), 0, meetings.CommitteeInput{Code: "AR-CU", Name: "旅游委员会", Level: meetings.LevelExecution}, 0)
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/committees/%d", c.ID), token: f.token("coordinator"), header: arIfMatch(c.Version),
				json: map[string]any{"code": "AR-CU", "name": "文化旅游委员会", "level": "execution"}, status: 200,
				action: "committee.update", objectType: "committee", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"name", "旅游委员会", "文化旅游委员会"}, {"version", c.Version, c.Version + 1}}, invalid: map[string]any{"code": "AR-CU", "name": "", "level": "execution"}}
		},
		"POST /api/v1/agreements": func(f *fixture) arCall {
			body := map[string]any{"title": "港口合作框架协议", "signed_on": today, "unit_ids": []int64{f.Own.ID, f.Other.ID}, "task_ids": []int64{f.TaskOwn.ID}}
			return arCall{method: "POST", path: "/api/v1/agreements", token: f.token("coordinator"), json: body, status: 201,
				action: "agreement.create", objectType: "agreement", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"title", arAbsent, "港口合作框架协议"}, {"task_ids", arAbsent, []int64{f.TaskOwn.ID}}},
				invalid: map[string]any{"title": "港口合作框架协议", "signed_on": today, "unit_ids": []int64{f.Own.ID}}}
		},
		"PUT /api/v1/agreements/{id}": func(f *fixture) arCall {
			a, err := mtService(f).SaveAgreement(apCoordinator(f), 0, meetings.AgreementInput{Title: "旅游合作协议", SignedOn: today, UnitIDs: []int64{f.Own.ID, f.Other.ID}}, 0)
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/agreements/%d", a.ID), token: f.token("coordinator"), header: arIfMatch(a.Version),
				json: map[string]any{"title": "旅游合作框架协议", "signed_on": today, "unit_ids": []int64{f.Own.ID, f.Other.ID}}, status: 200,
				action: "agreement.update", objectType: "agreement", actor: "coordinator", objectID: arID(a.ID),
				changes: []arChange{{"title", "旅游合作协议", "旅游合作框架协议"}, {"version", a.Version, a.Version + 1}},
				invalid: map[string]any{"title": "", "signed_on": today, "unit_ids": []int64{f.Own.ID, f.Other.ID}}}
		},

		// ---- the pages' forms ----
		"POST /meetings": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			form := url.Values{"kind": {"leaders"}, "title": {"界面会议"}, "held_on": {today.String()}, "host_unit_id": {fmt.Sprint(f.Own.ID)},
				"unit_ids": {fmt.Sprint(f.Other.ID)}, "agenda": {"审议行动计划\n通报督查情况"}}
			return arCall{method: "POST", path: "/meetings", ui: &s, form: form, status: 303,
				action: "meeting.create", objectType: "meeting", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"title", arAbsent, "界面会议"}, {"attendees", arAbsent, arSet}, {"agenda", arAbsent, arSet}},
				invalid: url.Values{"kind": {"leaders"}, "title": {"界面会议"}}}
		},
		"POST /meetings/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, _ := mtHeld(f, "界面修改")
			form := url.Values{"version": {fmt.Sprint(m.Version)}, "kind": {"leaders"}, "title": {"界面修改（改）"}, "held_on": {today.String()},
				"place": {"营口"}, "host_unit_id": {fmt.Sprint(f.Own.ID)}, "unit_ids": {fmt.Sprint(f.Other.ID)}, "agenda": {m.Agenda[0].Title + "\n新增议程"}}
			invalid := url.Values{"version": {fmt.Sprint(m.Version)}, "kind": {"leaders"}, "title": {"界面修改（改）"}, "held_on": {today.String()},
				"host_unit_id": {fmt.Sprint(f.Own.ID)}, "agenda": {"换掉全部议程"}}
			return arCall{method: "POST", path: fmt.Sprintf("/meetings/%d", m.ID), ui: &s, form: form, status: 303,
				action: "meeting.update", objectType: "meeting", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"title", "界面修改", "界面修改（改）"}, {"place", "盘锦", "营口"}, {"version", m.Version, m.Version + 1}}, invalid: invalid}
		},
		"POST /meetings/{id}/agreements": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, _ := mtHeld(f, "界面协议")
			form := url.Values{"title": {"港口合作框架协议"}, "signed_on": {today.String()}, "unit_ids": {fmt.Sprint(f.Own.ID), fmt.Sprint(f.Other.ID)}}
			return arCall{method: "POST", path: fmt.Sprintf("/meetings/%d/agreements", m.ID), ui: &s, form: form, status: 303,
				action: "agreement.create", objectType: "agreement", actor: "coordinator", objectID: uiMaxID(f, "agreements"),
				changes: []arChange{{"meeting_id", arAbsent, m.ID}, {"unit_ids", arAbsent, []int64{f.Own.ID, f.Other.ID}}},
				invalid: url.Values{"title": {"港口合作框架协议"}, "signed_on": {today.String()}, "unit_ids": {fmt.Sprint(f.Own.ID)}}}
		},
		"POST /meetings/{id}/status": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, err := mtService(f).CreateMeeting(apCoordinator(f), meetings.Input{Kind: meetings.KindOffice, Title: "界面状态", HeldOn: today, HostUnitID: f.Own.ID})
			if err != nil {
				f.t.Fatal(err)
			}
			return arCall{method: "POST", path: fmt.Sprintf("/meetings/%d/status", m.ID), ui: &s, status: 303,
				form:   url.Values{"status": {"held"}, "version": {fmt.Sprint(m.Version)}},
				action: "meeting.status", objectType: "meeting", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"status", "planned", "held"}}, invalid: url.Values{"status": {"held"}, "version": {"x"}}}
		},
		"POST /meetings/{id}/minutes": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m := closed(f, "界面更正")
			return arCall{method: "POST", path: fmt.Sprintf("/meetings/%d/minutes", m.ID), ui: &s, status: 303,
				form:   url.Values{"minutes": {"会议审议通过三年行动计划。"}, "reason": {"补全纪要"}, "version": {fmt.Sprint(m.Version)}},
				action: "meeting.correct", objectType: "meeting", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"minutes", "纪要", "会议审议通过三年行动计划。"}, {"revision", 0, 1}},
				invalid: url.Values{"minutes": {"会议审议通过三年行动计划。"}, "version": {fmt.Sprint(m.Version)}}}
		},
		"POST /meetings/{id}/decisions": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, _ := mtHeld(f, "界面决定")
			form := url.Values{"agenda_item_id": {fmt.Sprint(m.Agenda[0].ID)}, "text": {"共建港口联盟"}, "area_id": {fmt.Sprint(f.Goal.AreaID)},
				"lead_unit_id": {fmt.Sprint(f.Own.ID)}, "co_unit_ids": {fmt.Sprint(f.Other.ID)}, "due_on": {today.AddDays(30).String()}}
			invalid := url.Values{"agenda_item_id": {fmt.Sprint(m.Agenda[0].ID)}, "text": {"共建港口联盟"}, "area_id": {fmt.Sprint(f.Goal.AreaID)}, "due_on": {today.String()}}
			return arCall{method: "POST", path: fmt.Sprintf("/meetings/%d/decisions", m.ID), ui: &s, form: form, status: 303,
				action: "decision.create", objectType: "decision", actor: "coordinator", objectID: uiMaxID(f, "decisions"),
				changes: []arChange{{"text", arAbsent, "共建港口联盟"}, {"co_unit_ids", arAbsent, []int64{f.Other.ID}}}, invalid: invalid}
		},
		"POST /meetings/{id}/documents": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, _ := mtHeld(f, "界面材料")
			return arCall{method: "POST", path: fmt.Sprintf("/meetings/%d/documents", m.ID), ui: &s, status: 303,
				json: uiMultipart(nil, "汇报提纲.txt", "一、总体情况"), header: map[string]string{"Content-Type": "multipart/form-data; boundary=" + uiBoundary},
				action: "meeting.document", objectType: "meeting_document", actor: "coordinator", objectID: uiMaxID(f, "meeting_documents"),
				changes: []arChange{{"name", arAbsent, "汇报提纲.txt"}}, invalid: uiMultipart(nil, "setup.exe", "MZ")}
		},
		"POST /decisions/{id}/tasks": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			_, d := mtHeld(f, "界面交办")
			return arCall{method: "POST", path: fmt.Sprintf("/decisions/%d/tasks", d.ID), ui: &s, status: 303,
				form:   url.Values{"goal_id": {fmt.Sprint(f.Goal.ID)}, "title": {"编制港口协同方案"}},
				action: "task.create", objectType: "task", actor: "coordinator", objectID: uiMaxID(f, "tasks"),
				changes: []arChange{{"plan_id", arAbsent, f.Plan.ID}, {"origin", arAbsent, fmt.Sprintf("decision:%d", d.ID)}},
				invalid: url.Values{"goal_id": {fmt.Sprint(f.Goal.ID)}, "due_on": {"someday"}}}
		},
		"POST /committees": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			return arCall{method: "POST", path: "/committees", ui: &s, status: 303,
				form:   url.Values{"code": {"UI-C"}, "name": {"科技创新专业委员会"}, "level": {"decision"}, "unit_ids": {fmt.Sprint(f.Own.ID), fmt.Sprint(f.Other.ID)}},
				action: "committee.create", objectType: "committee", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"name", arAbsent, "科技创新专业委员会"}, {"unit_ids", arAbsent, []int64{f.Own.ID, f.Other.ID}}},
				invalid: url.Values{"code": {"UI-C"}, "name": {"科技创新专业委员会"}}}
		},
	}
}
