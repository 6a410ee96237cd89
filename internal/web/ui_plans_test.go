package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
	"concord/internal/plans"
)

// uiGet fetches a page as a signed-in user of s, in Simplified Chinese.
func uiGet(f *fixture, s pmSession, path string) result {
	f.t.Helper()
	return f.do("GET", path, "", nil, map[string]string{"Cookie": "concord_session=" + s.token + "; concord_lang=zh-Hans"})
}

// uiPost sends a form as a signed-in user of s: url-encoded, or multipart
// when body is a string from uiMultipart.
func uiPost(f *fixture, s pmSession, path string, body any) result {
	f.t.Helper()
	h := map[string]string{"Cookie": "concord_session=" + s.token + "; concord_lang=zh-Hans", "X-CSRF-Token": s.csrf}
	switch b := body.(type) {
	case url.Values:
		body, h["Content-Type"] = b.Encode(), "application/x-www-form-urlencoded"
	case string:
		h["Content-Type"] = "multipart/form-data; boundary=" + uiBoundary
	}
	return f.do("POST", path, "", body, h)
}

func zh(key string, args ...any) string { return i18n.T("zh-Hans", key, args...) }

// wantIn fails unless the page holds every one of wants.
func wantIn(t *testing.T, what string, res result, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(res.Body, w) {
			t.Errorf("%s: page lacks %q", what, w)
		}
	}
}

func TestPlanFormsComeBackWithTheirErrors(t *testing.T) {
	f := newFixture(t, db.SQLite)
	coord := pmLogin(f, "coordinator")
	today := clock.Today(clock.System)

	// A task with a milestone that cannot be read and a date that is not one.
	form := url.Values{"goal_id": {fmt.Sprint(f.Goal.ID)}, "code": {"T-9"}, "title": {"保留的标题"}, "lead_unit_id": {fmt.Sprint(f.Own.ID)},
		"starts_on": {"2026-02-30"}, "due_on": {today.AddDays(30).String()}, "cycle": {"monthly"}, "milestones": {"下个月 | 完成方案"}}
	res := uiPost(f, coord, fmt.Sprintf("/plans/%d/tasks", f.Plan.ID), form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad task: status %d", res.StatusCode)
	}
	wantIn(t, "bad task", res, `id="task-milestones"`, `value="保留的标题"`, zh("error.date"),
		zh("plans.ui.error.milestone", "下个月 | 完成方案"), `value="2026-02-30" required aria-describedby="task-starts_on-err" aria-invalid="true"`)

	// The service's own rule: the plan is in force, so a change needs its reason.
	form.Set("starts_on", today.String())
	form.Set("milestones", today.AddDays(3).String()+" | 完成方案")
	res = uiPost(f, coord, fmt.Sprintf("/plans/%d/tasks", f.Plan.ID), form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("task without a revision note: status %d", res.StatusCode)
	}
	wantIn(t, "task without a revision note", res, `id="task-revision_reason"`, `aria-describedby="task-revision_reason-err" aria-invalid="true"`)

	// Someone else closed the task first: 409 and the page as it is now.
	res = uiPost(f, coord, fmt.Sprintf("/tasks/%d/cancel", f.TaskOwn.ID), url.Values{"version": {fmt.Sprint(f.TaskOwn.Version + 3)}, "reason": {"重复"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale cancel: status %d", res.StatusCode)
	}
	wantIn(t, "stale cancel", res, zh("error.stale_version"), fmt.Sprintf(`name="version" value="%d"`, f.TaskOwn.Version))

	// A refused filter shows its error beside the field.
	res = uiGet(f, coord, "/tasks?due_from=2026-13-01")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad filter: status %d", res.StatusCode)
	}
	wantIn(t, "bad filter", res, `id="filter-due_from-err"><span class="field-error" role="alert">`+zh("error.date"))
}

func TestReportEvidenceUploadAndDownload(t *testing.T) {
	f := newFixture(t, db.SQLite)
	reporter, peer := pmLogin(f, "reporter"), pmLogin(f, "peer")
	path := fmt.Sprintf("/reports/%d", f.ReportOwn.ID)
	fields := url.Values{"version": {fmt.Sprint(f.ReportOwn.Version)}, "percent": {"20"}, "narrative": {"起草中"}, "action": {"save"}}

	// A file of a type not accepted comes back beside the file field.
	res := uiPost(f, reporter, path, uiMultipart(fields, "setup.exe", "MZ"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("exe upload: status %d", res.StatusCode)
	}
	wantIn(t, "exe upload", res, `aria-describedby="report-file-hint report-file-err" aria-invalid="true"`, zh("error.attachment.type", ".exe"), "起草中")

	// Another unit may not write this report.
	if res := uiPost(f, peer, path, uiMultipart(fields, "进展.txt", "x")); res.StatusCode != http.StatusForbidden {
		t.Errorf("peer writes another unit's report: status %d", res.StatusCode)
	}

	res = uiPost(f, reporter, path, uiMultipart(fields, "进展说明.txt", "方案已起草。"))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), path+"?flash=") {
		t.Fatalf("save with evidence: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	page := uiGet(f, reporter, path)
	wantIn(t, "saved report", page, "进展说明.txt", zh("report.state.draft"), "起草中")
	var id int64
	if err := f.DB.R.QueryRow(`SELECT id FROM attachments WHERE owner_type = 'report' AND owner_id = $1`, f.ReportOwn.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "saved report", page, fmt.Sprintf(`href="/attachments/%d"`, id))
	// Anyone who may see plans downloads it, as a download.
	file := uiGet(f, pmLogin(f, "viewer"), fmt.Sprintf("/attachments/%d", id))
	if file.StatusCode != 200 || file.Body != "方案已起草。" || !strings.HasPrefix(file.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("download: %d %q %s", file.StatusCode, file.Body, file.Header.Get("Content-Type"))
	}
	if cd := file.Header.Get("Content-Disposition"); cd != "attachment; filename*=UTF-8''"+url.PathEscape("进展说明.txt") {
		t.Errorf("download disposition %q", cd)
	}
}

func TestTaskAndReportExports(t *testing.T) {
	f := newFixture(t, db.SQLite)
	s := pmLogin(f, "viewer")
	res := uiGet(f, s, "/tasks/export?format=csv&light=yellow&sort=due")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Body, "\xEF\xBB\xBF") {
		t.Fatalf("tasks CSV: %d %q", res.StatusCode, res.Body[:min(len(res.Body), 40)])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\xEF\xBB\xBF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != zh("plans.ui.col.plan") || rows[0][4] != zh("plans.ui.col.lead_unit") {
		t.Fatalf("tasks CSV: %q", rows)
	}
	if got := rows[1][1:5]; got[0] != "T-1" || got[3] != "本单位" || rows[1][8] != zh("light.yellow") {
		t.Errorf("tasks CSV row %q", rows[1])
	}
	var n int
	f.DB.R.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'export' AND object_type = 'tasks'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d export rows on the audit trail, want 1", n)
	}

	res = uiGet(f, s, "/reports/export?format=xlsx&show=missing")
	if res.StatusCode != 200 {
		t.Fatalf("reports XLSX: %d", res.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := x.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	// The tasks began 40 days ago: each unit's first monthly report is overdue.
	if len(sheet) < 2 || sheet[0][0] != zh("plans.ui.col.task_code") {
		t.Fatalf("reports XLSX: %q", sheet)
	}
	for _, row := range sheet[1:] {
		if row[7] != zh("plans.ui.timely.missing") {
			t.Errorf("missing reports export a report that is %q", row[7])
		}
	}
	if res := uiGet(f, s, "/reports/export?format=pdf"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown export format: %d", res.StatusCode)
	}
}

func TestSavedViews(t *testing.T) {
	f := newFixture(t, db.SQLite)
	viewer, other := pmLogin(f, "viewer"), pmLogin(f, "inspector")
	res := uiPost(f, viewer, "/views", url.Values{"page": {"tasks"}, "name": {"预警任务"}, "query": {"light=yellow&sort=due"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tasks?light=yellow&sort=due&flash=flash.saved" {
		t.Fatalf("save view: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	page := uiGet(f, viewer, "/tasks?light=yellow&sort=due")
	wantIn(t, "tasks with a saved view", page, `href="/tasks?light=yellow&amp;sort=due" aria-current="true">预警任务</a>`,
		`href="/tasks/export?light=yellow&amp;sort=due&amp;format=csv"`)
	if strings.Contains(uiGet(f, other, "/tasks").Body, "预警任务") {
		t.Error("another user sees the viewer's saved view")
	}
	var id int64
	f.DB.R.QueryRow(`SELECT id FROM saved_views WHERE name = '预警任务'`).Scan(&id)
	if res := uiPost(f, other, fmt.Sprintf("/views/%d/delete", id), url.Values{"page": {"tasks"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another user deletes the view: %d", res.StatusCode)
	}
	res = uiPost(f, viewer, fmt.Sprintf("/views/%d/delete", id), url.Values{"page": {"tasks"}})
	if res.StatusCode != http.StatusSeeOther || strings.Contains(uiGet(f, viewer, "/tasks").Body, "预警任务") {
		t.Errorf("delete view: %d", res.StatusCode)
	}
	// A view without a name comes back on its list with the error.
	res = uiPost(f, viewer, "/views", url.Values{"page": {"reports"}, "name": {""}, "query": {"show=missing"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unnamed view: %d", res.StatusCode)
	}
	wantIn(t, "unnamed view", res, `<h1>`+zh("plans.ui.page.reports")+`</h1>`, `id="view-name-err"><span class="field-error" role="alert">`+zh("error.required"))
}

// TestPagesShowWhatEachRoleMayDo: every role sees the pages, and only the
// forms it may use.
func TestPagesShowWhatEachRoleMayDo(t *testing.T) {
	f := newFixture(t, db.SQLite)
	coord, reporter, leader, admin := pmLogin(f, "coordinator"), pmLogin(f, "reporter"), pmLogin(f, "unit-leader"), pmLogin(f, "sys-admin")
	has := func(who string, s pmSession, path, marker string, want bool) {
		t.Helper()
		res := uiGet(f, s, path)
		if res.StatusCode != 200 {
			t.Fatalf("%s %s: %d", who, path, res.StatusCode)
		}
		if got := strings.Contains(res.Body, marker); got != want {
			t.Errorf("%s %s: shows %q = %v, want %v", who, path, marker, got, want)
		}
	}
	taskOwn, taskOther := fmt.Sprintf("/tasks/%d", f.TaskOwn.ID), fmt.Sprintf("/tasks/%d", f.TaskOther.ID)
	reportOwn, reportOther := fmt.Sprintf("/reports/%d", f.ReportOwn.ID), fmt.Sprintf("/reports/%d", f.ReportOther.ID)
	has("coordinator", coord, "/plans", `action="/plans"`, true)
	has("reporter", reporter, "/plans", `action="/plans"`, false)
	has("coordinator", coord, taskOwn, `action="`+taskOwn+`/cancel"`, true)
	has("coordinator", coord, taskOwn, `action="`+taskOwn+`"`, true) // the edit form
	has("reporter", reporter, taskOwn, `action="`+taskOwn+`/complete"`, true)
	has("reporter", reporter, taskOther, `action="`+taskOther+`/complete"`, false)
	has("reporter", reporter, taskOwn, `action="`+taskOwn+`/cancel"`, false)
	has("unit leader", leader, taskOwn, `action="/assignments/`, true)
	has("reporter", reporter, taskOwn, `action="/assignments/`, false)
	has("reporter", reporter, reportOwn, `action="`+reportOwn+`"`, true)
	has("reporter", reporter, reportOther, `action="`+reportOther+`"`, false)
	has("coordinator", coord, reportOwn, `action="`+reportOwn+`/accept"`, false) // not submitted yet
	has("coordinator", coord, "/settings", `action="/settings"`, true)
	has("reporter", reporter, "/settings", `action="/settings"`, false)
	// The administrators keep their home page; the dashboard is for the business roles.
	has("sys admin", admin, "/", `<h1>`+zh("page.home")+`</h1>`, true)
	has("sys admin", admin, "/", `href="/workspace"`, false)
	has("reporter", reporter, "/", `<h1>`+zh("plans.ui.page.dashboard")+`</h1>`, true)
}

func TestDashboardAndSearch(t *testing.T) {
	f := newFixture(t, db.SQLite)
	s := pmLogin(f, "inspector")
	res := uiGet(f, s, "/")
	wantIn(t, "dashboard", res, `data-light="yellow"><span class="num">2</span>`, `data-chart="area-chart"`, `id="unit-chart"`,
		`data-chart="timeliness-chart"`, zh("plans.ui.dash.summary", 2, "0%", 0))
	if strings.Contains(res.Body, zh("plans.ui.sample")) {
		t.Error("real data labelled as sample data")
	}
	today := clock.Today(clock.System)
	sample, err := f.Plans.CreatePlan(uiCtx(f.Users[access.Coordinator]), plans.PlanInput{Code: "DEMO", Kind: plans.ActionPlan, Name: "示例计划",
		StartsOn: today, EndsOn: today.AddDays(100), Sample: true})
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, "dashboard of every plan", uiGet(f, s, "/"), zh("plans.ui.sample"))
	wantIn(t, "the sample plan's dashboard", uiGet(f, s, fmt.Sprintf("/?plan_id=%d", sample.ID)), zh("plans.ui.sample"), zh("plans.ui.dash.summary", 0, "0%", 0))
	if strings.Contains(uiGet(f, s, fmt.Sprintf("/?plan_id=%d", f.Plan.ID)).Body, zh("plans.ui.sample_note")) {
		t.Error("a real plan's dashboard labelled as sample data")
	}

	res = uiGet(f, s, "/search?q="+url.QueryEscape("任务 T-2"))
	wantIn(t, "search", res, fmt.Sprintf(`<a href="/tasks/%d">T-2 任务 T-2</a>`, f.TaskOther.ID), zh("plans.ui.search.hits", 1, "任务 T-2"))
}

// TestPlanPageOutlineAndEdits: the plan's tree names each task's
// co-operating units, and the plan's and its goals' edit forms save, or come
// back open with their errors.
func TestPlanPageOutlineAndEdits(t *testing.T) {
	f := newFixture(t, db.SQLite)
	coord := pmLogin(f, "coordinator")
	path := fmt.Sprintf("/plans/%d", f.Plan.ID)
	wantIn(t, "plan page", uiGet(f, coord, path), "<td>"+f.Own.Name.ZhHans+"</td>\n      <td>"+f.Other.Name.ZhHans+"</td>",
		`action="/goals/`+fmt.Sprint(f.Goal.ID)+`"`, zh("plans.ui.plan.edit"))

	goal := fmt.Sprintf("/goals/%d", f.Goal.ID)
	form := url.Values{"version": {fmt.Sprint(f.Goal.Version)}, "code": {f.Goal.Code}, "title": {""}, "area_id": {fmt.Sprint(f.Goal.AreaID)}}
	res := uiPost(f, coord, goal, form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("goal without a title: %d", res.StatusCode)
	}
	wantIn(t, "goal without a title", res, fmt.Sprintf(`id="goal-%d-title"`, f.Goal.ID), `aria-invalid="true"`)
	form.Set("title", "改写后的目标")
	if res := uiPost(f, coord, goal, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("goal edit: %d %s", res.StatusCode, res.Body)
	}
	pl := f.Plan
	edit := url.Values{"version": {fmt.Sprint(pl.Version)}, "code": {pl.Code}, "name": {"改名后的计划"}, "kind": {string(pl.Kind)},
		"starts_on": {pl.StartsOn.String()}, "ends_on": {pl.EndsOn.String()}}
	if res := uiPost(f, coord, path, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plan edit: %d %s", res.StatusCode, res.Body)
	}
	wantIn(t, "plan page after the edits", uiGet(f, coord, path), "改写后的目标", "改名后的计划")
	// The form still carries the version it was read at: a second save is stale.
	if res := uiPost(f, coord, path, edit); res.StatusCode != http.StatusConflict {
		t.Errorf("stale plan edit: %d", res.StatusCode)
	}
}

// TestTaskHistory: a task's and a report's pages link to their audit
// history, which the lead unit's leader and the office may read and another
// unit's leader may not.
func TestTaskHistory(t *testing.T) {
	f := newFixture(t, db.SQLite)
	leader, coord := pmLogin(f, "unit-leader"), pmLogin(f, "coordinator")
	task := fmt.Sprintf("/history/task/%d", f.TaskOwn.ID)
	wantIn(t, "task page", uiGet(f, leader, fmt.Sprintf("/tasks/%d", f.TaskOwn.ID)), `href="`+task+`"`)
	wantIn(t, "report page", uiGet(f, leader, fmt.Sprintf("/reports/%d", f.ReportOwn.ID)), fmt.Sprintf(`href="/history/report/%d"`, f.ReportOwn.ID))
	for _, s := range []pmSession{leader, coord} {
		if res := uiGet(f, s, task); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "task.create") && !strings.Contains(res.Body, f.TaskOwn.Code) {
			t.Errorf("%s reads the task's history: %d", s.login, res.StatusCode)
		}
	}
	if res := uiGet(f, leader, fmt.Sprintf("/history/task/%d", f.TaskOther.ID)); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader reads another unit's task history: %d", res.StatusCode)
	}
}
