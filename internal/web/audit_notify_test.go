package web_test

import (
	"fmt"
	"net/url"
	"regexp"

	"concord/internal/access"
)

// arNotifyCases are arCases for notifications, webhooks and imports. An
// import's case is a dry run, which the web layer records (import.dry_run);
// a commit is recorded by the services it writes through.
func arNotifyCases() map[string]func(f *fixture) arCall {
	multipart := map[string]string{"Content-Type": ioFormType}
	hookBody := map[string]any{"name": "审计推送", "url": "https://example.org/hook", "events": []string{"task.chase"}}
	// The workbook a user downloads, to check it back in.
	workbook := func(f *fixture, path, login string) []byte {
		res := f.do("GET", path, f.token(login), nil, nil)
		if res.StatusCode != 200 {
			f.t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return []byte(res.Body)
	}
	planWorkbook := func(f *fixture) []byte {
		return workbook(f, fmt.Sprintf("/api/v1/plans/%d/workbook", f.Plan.ID), "coordinator")
	}
	reportWorkbook := func(f *fixture) []byte { return workbook(f, "/reports/workbook", "reporter") }
	maxHook := func(f *fixture) func(result) string { return uiMaxID(f, "webhooks") }
	// The fixture is shared by every case, so the number of rows varies.
	checked := []arChange{{"rows", arAbsent, arSet}, {"problems", arAbsent, 0}, {"sha256", arAbsent, arSet}}
	pageSecret := regexp.MustCompile(`id="new-secret">([0-9a-f]{64})<`)
	return map[string]func(f *fixture) arCall{
		// ---- API ----
		"POST /api/v1/notifications/read": func(f *fixture) arCall {
			ntNotify(f, f.Users[access.Reporter].ID, "审计")
			return arCall{method: "POST", path: "/api/v1/notifications/read", token: f.token("reporter"), json: map[string]any{}, status: 200,
				action: "notification.read", objectType: "user", actor: "reporter", objectID: arID(f.Users[access.Reporter].ID),
				changes: []arChange{{"marked", arAbsent, 1}},
				invalid: map[string]any{"ids": "all"}}
		},
		"POST /api/v1/webhooks": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/webhooks", token: f.token("sys-admin"), json: hookBody, status: 201,
				action: "webhook.create", objectType: "webhook", actor: "sys-admin", objectID: arCreatedID,
				changes:     []arChange{{"name", arAbsent, "审计推送"}, {"events", arAbsent, []string{"task.chase"}}, {"active", arAbsent, true}},
				secretsFrom: func(res result) []string { return []string{fmt.Sprint(res.JSON["secret"])} },
				invalid:     map[string]any{"name": "审计推送", "url": "ftp://example.org", "events": []string{"task.chase"}}}
		},
		"PUT /api/v1/webhooks/{id}": func(f *fixture) arCall {
			h := ntHook(f, "api-put")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/webhooks/%d", h.ID), token: f.token("sys-admin"), header: arIfMatch(h.Version),
				json:   map[string]any{"name": "api-put", "url": h.URL, "events": []string{"*"}, "active": false},
				status: 200, action: "webhook.update", objectType: "webhook", actor: "sys-admin", objectID: arID(h.ID),
				changes: []arChange{{"active", true, false}, {"events", []string{"report.returned"}, []string{"*"}}, {"version", h.Version, h.Version + 1}},
				invalid: map[string]any{"name": "api-put", "url": h.URL, "events": []string{"Not An Event"}}}
		},
		"DELETE /api/v1/webhooks/{id}": func(f *fixture) arCall {
			h := ntHook(f, "api-delete")
			return arCall{method: "DELETE", path: fmt.Sprintf("/api/v1/webhooks/%d", h.ID), token: f.token("sys-admin"), header: arIfMatch(h.Version),
				status: 204, action: "webhook.delete", objectType: "webhook", actor: "sys-admin", objectID: arID(h.ID),
				changes: []arChange{{"name", "api-delete", arAbsent}}}
		},
		"POST /api/v1/plans/{id}/import": func(f *fixture) arCall {
			wb := planWorkbook(f)
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/plans/%d/import", f.Plan.ID), token: f.token("coordinator"), header: multipart,
				json: ioForm(ioNote, "计划.xlsx", wb), status: 200,
				action: "import.dry_run", objectType: "plan", actor: "coordinator", objectID: arID(f.Plan.ID),
				changes: append(checked, arChange{"file", arAbsent, "计划.xlsx"}),
				secrets: []string{"联席会议调整任务", "任务 T-1"},
				invalid: ioForm(ioNote, "", nil)}
		},
		"POST /api/v1/reports/import": func(f *fixture) arCall {
			wb := reportWorkbook(f)
			return arCall{method: "POST", path: "/api/v1/reports/import", token: f.token("reporter"), header: multipart,
				json: ioForm(nil, "报告.xlsx", wb), status: 200,
				action: "import.dry_run", objectType: "unit", actor: "reporter", objectID: arID(f.Own.ID),
				changes: checked,
				invalid: ioForm(url.Values{"commit": {"perhaps"}}, "报告.xlsx", wb)}
		},

		// ---- UI ----
		"POST /notifications/read": func(f *fixture) arCall {
			s := pmLogin(f, "viewer")
			id := ntNotify(f, f.Users[access.Viewer].ID, "审计")
			return arCall{method: "POST", path: "/notifications/read", ui: &s, status: 303,
				form:   url.Values{"id": {fmt.Sprint(id)}, "back": {"/notifications?unread=1"}},
				action: "notification.read", objectType: "user", actor: "viewer", objectID: arID(f.Users[access.Viewer].ID),
				changes: []arChange{{"marked", arAbsent, 1}, {"ids", arAbsent, []int64{id}}},
				invalid: url.Values{"id": {"first"}}}
		},
		"POST /webhooks": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			return arCall{method: "POST", path: "/webhooks", ui: &s, status: 201,
				form:   url.Values{"name": {"界面推送"}, "url": {"https://example.org/ui"}, "events": {"report.help", "task.closed"}, "active": {"true"}},
				action: "webhook.create", objectType: "webhook", actor: "sys-admin", objectID: maxHook(f),
				changes: []arChange{{"name", arAbsent, "界面推送"}, {"events", arAbsent, []string{"report.help", "task.closed"}}},
				secretsFrom: func(res result) []string {
					// The page shows the secret once; it must not reach the audit trail.
					if m := pageSecret.FindStringSubmatch(res.Body); m != nil {
						return []string{m[1]}
					}
					return []string{"(no secret on the page)"}
				},
				invalid: url.Values{"name": {"界面推送"}, "url": {"example.org"}, "events": {"report.help"}}}
		},
		"POST /webhooks/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			h := ntHook(f, "ui-edit")
			form := url.Values{"version": {fmt.Sprint(h.Version)}, "name": {"ui-edit"}, "url": {h.URL}, "events": {"*"}}
			return arCall{method: "POST", path: fmt.Sprintf("/webhooks/%d", h.ID), ui: &s, status: 303, form: form,
				action: "webhook.update", objectType: "webhook", actor: "sys-admin", objectID: arID(h.ID),
				changes: []arChange{{"active", true, false}, {"events", []string{"report.returned"}, []string{"*"}}, {"version", h.Version, h.Version + 1}},
				invalid: url.Values{"version": {fmt.Sprint(h.Version)}, "name": {"ui-edit"}, "url": {h.URL}}}
		},
		"POST /webhooks/{id}/delete": func(f *fixture) arCall {
			s := pmLogin(f, "sys-admin")
			h := ntHook(f, "ui-delete")
			return arCall{method: "POST", path: fmt.Sprintf("/webhooks/%d/delete", h.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(h.Version)}},
				action: "webhook.delete", objectType: "webhook", actor: "sys-admin", objectID: arID(h.ID),
				changes: []arChange{{"name", "ui-delete", arAbsent}},
				invalid: url.Values{"version": {fmt.Sprint(h.Version + 5)}}}
		},
		"POST /plans/{id}/import": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			wb := planWorkbook(f)
			return arCall{method: "POST", path: fmt.Sprintf("/plans/%d/import", f.Plan.ID), ui: &s, header: multipart,
				json: ioForm(ioNote, "计划.xlsx", wb), status: 200,
				action: "import.dry_run", objectType: "plan", actor: "coordinator", objectID: arID(f.Plan.ID),
				changes: checked,
				invalid: ioForm(ioNote, "", nil)}
		},
		"POST /reports/import": func(f *fixture) arCall {
			s := pmLogin(f, "reporter")
			wb := reportWorkbook(f)
			return arCall{method: "POST", path: "/reports/import", ui: &s, header: multipart,
				json: ioForm(nil, "报告.xlsx", wb), status: 200,
				action: "import.dry_run", objectType: "unit", actor: "reporter", objectID: arID(f.Own.ID),
				changes: checked,
				invalid: ioForm(nil, "报告.docx", []byte("PK\x03\x04 not a workbook"))}
		},
	}
}
