package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/i18n"
)

// uiIn fetches a page as s in lang and fails on a missing catalogue key.
func uiIn(t *testing.T, f *fixture, s pmSession, lang, path string) result {
	t.Helper()
	res := f.do("GET", path, "", nil, map[string]string{"Cookie": "concord_session=" + s.token + "; concord_lang=" + lang})
	if i := strings.Index(res.Body, i18n.Missing); i >= 0 {
		t.Errorf("%s [%s]: missing text near %q", path, lang, res.Body[i:min(len(res.Body), i+60)])
	}
	return res
}

// uiUpload posts a multipart form as s in lang, failing on a missing text.
func uiUpload(t *testing.T, f *fixture, s pmSession, lang, path, body string) result {
	t.Helper()
	res := f.do("POST", path, "", body, map[string]string{"Cookie": "concord_session=" + s.token + "; concord_lang=" + lang,
		"X-CSRF-Token": s.csrf, "Content-Type": ioFormType})
	if i := strings.Index(res.Body, i18n.Missing); i >= 0 {
		t.Errorf("POST %s [%s]: missing text near %q", path, lang, res.Body[i:min(len(res.Body), i+60)])
	}
	return res
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestNotificationCentrePage(t *testing.T) {
	f := newFixture(t, db.SQLite)
	reporter, viewer := pmLogin(f, "reporter"), pmLogin(f, "viewer")
	first := ntNotify(f, f.Users[access.Reporter].ID, "数据不全")
	ntNotify(f, f.Users[access.Reporter].ID, "口径不一")
	ntNotify(f, f.Users[access.Viewer].ID, "别人的通知")

	for _, lang := range i18n.Languages {
		res := uiIn(t, f, reporter, lang, "/notifications")
		text := i18n.T(lang, "notice.report.returned", "T-1", "任务 T-1", "2026-03-31", "数据不全")
		wantIn(t, "notifications ["+lang+"]", res, text, fmt.Sprintf(`<a href="/reports/%d"><strong>`, f.ReportOwn.ID),
			i18n.T(lang, "notifyui.unread"), i18n.T(lang, "notifyui.mark_all"), i18n.T(lang, "notifyui.unread_count", 2))
		if strings.Contains(res.Body, "别人的通知") {
			t.Errorf("[%s] someone else's notification is listed", lang)
		}
	}

	// Marking one read comes back to the list it was marked on.
	res := uiPost(f, reporter, "/notifications/read", url.Values{"id": {fmt.Sprint(first)}, "back": {"/notifications?unread=1"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/notifications?unread=1&flash=flash.marked_read" {
		t.Fatalf("mark read: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res = uiGet(f, reporter, res.Header.Get("Location"))
	wantIn(t, "unread list", res, "口径不一", zh("flash.marked_read"))
	if strings.Contains(res.Body, "数据不全") {
		t.Error("the unread list holds a read notification")
	}

	// The badge: the count as a fragment, nothing when all is read, and no
	// answer at all for a page signed out.
	badge := func(s pmSession) result {
		h := map[string]string{}
		if s.token != "" {
			h["Cookie"] = "concord_session=" + s.token
		}
		return f.do("GET", "/notifications/badge", "", nil, h)
	}
	res = badge(reporter)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Body, `<span class="tag">1<span class="visually-hidden"> `+zh("notifyui.badge")) || strings.Contains(res.Body, "<html") {
		t.Errorf("badge: %d %q", res.StatusCode, res.Body)
	}
	// Someone else's id marks nothing of theirs; "all" marks all of one's own.
	uiPost(f, reporter, "/notifications/read", url.Values{"id": {fmt.Sprint(first + 2)}})
	if res := badge(viewer); !strings.HasPrefix(res.Body, `<span class="tag">1<`) {
		t.Errorf("viewer's badge after the reporter marked their id: %q", res.Body)
	}
	uiPost(f, reporter, "/notifications/read", url.Values{"all": {"true"}})
	if res := badge(reporter); res.StatusCode != 200 || res.Body != "" {
		t.Errorf("badge with nothing unread: %d %q", res.StatusCode, res.Body)
	}
	if res := badge(pmSession{}); res.StatusCode != http.StatusNoContent || res.Body != "" {
		t.Errorf("badge signed out: %d %q", res.StatusCode, res.Body)
	}
	if res := uiPost(f, reporter, "/notifications/read", url.Values{"id": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad id: %d", res.StatusCode)
	}
}

func TestWebhooksPage(t *testing.T) {
	f := newFixture(t, db.SQLite)
	sys := pmLogin(f, "sys-admin")
	if res := uiGet(f, pmLogin(f, "coordinator"), "/webhooks"); res.StatusCode != http.StatusForbidden {
		t.Errorf("coordinator: %d", res.StatusCode)
	}
	for _, lang := range i18n.Languages {
		res := uiIn(t, f, sys, lang, "/webhooks")
		wantIn(t, "webhooks ["+lang+"]", res, i18n.T(lang, "notifyui.hook.none"), i18n.T(lang, "notifyui.verify.title"), `name="events" value="task.chase"`)
	}

	// A refused form keeps what was typed and shows why beside the field.
	bad := url.Values{"name": {"数据中心推送"}, "url": {"hooks.example.org"}, "events": {"task.chase"}, "active": {"true"}}
	res := uiPost(f, sys, "/webhooks", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad url: %d", res.StatusCode)
	}
	wantIn(t, "bad url", res, `value="数据中心推送"`, `value="hooks.example.org" required aria-describedby="create-url-hint create-url-err" aria-invalid="true"`,
		zh("error.webhook.url"), `value="task.chase" checked`)
	res = uiPost(f, sys, "/webhooks", url.Values{"name": {"数据中心推送"}, "url": {"https://hooks.example.org/c"}})
	wantIn(t, "no events", res, `aria-describedby="create-events-err" aria-invalid="true"`, zh("error.webhook.events"))

	// Made: the secret is shown once, with how to check the signature.
	bad.Set("url", "https://hooks.example.org/concord")
	res = uiPost(f, sys, "/webhooks", bad)
	m := regexp.MustCompile(`id="new-secret">([0-9a-f]{64})<`).FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("create: %d", res.StatusCode)
	}
	wantIn(t, "created", res, zh("notifyui.hook.created", "数据中心推送"), zh("notifyui.verify.2"))
	h := ntHook(f, "数据中心推送")
	page := uiGet(f, sys, "/webhooks")
	wantIn(t, "list", page, "数据中心推送", "https://hooks.example.org/concord", zh("notifyui.event.task.chase"), fmt.Sprintf(`action="/webhooks/%d"`, h.ID))
	if strings.Contains(page.Body, m[1]) {
		t.Error("the secret is shown again")
	}

	// Turned off (the box unticked), then a stale form, then deleted.
	path := fmt.Sprintf("/webhooks/%d", h.ID)
	edit := url.Values{"version": {"1"}, "name": {"数据中心推送"}, "url": {h.URL}, "events": {"*"}}
	if res := uiPost(f, sys, path, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn off: %d", res.StatusCode)
	}
	if h = ntHook(f, "数据中心推送"); h.Active || h.Version != 2 || h.Events[0] != "*" {
		t.Errorf("after the edit: %+v", h)
	}
	res = uiPost(f, sys, path, edit)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit: %d", res.StatusCode)
	}
	wantIn(t, "stale edit", res, zh("error.stale_version"), `<details open>`)
	if res := uiPost(f, sys, path+"/delete", url.Values{"version": {"1"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale delete: %d", res.StatusCode)
	}
	if res := uiPost(f, sys, path+"/delete", url.Values{"version": {"2"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/webhooks?flash=flash.deleted" {
		t.Errorf("delete: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if page := uiGet(f, sys, "/webhooks"); strings.Contains(page.Body, "数据中心推送") {
		i := strings.Index(page.Body, "数据中心推送")
		t.Errorf("the deleted webhook is still listed: %s", page.Body[max(0, i-300):i+100])
	}
}

// TestImportPages: the pages check a workbook, show every change and every
// problem at its cell in the user's language, and import only the very file
// checked, when it is chosen again.
func TestImportPages(t *testing.T) {
	f := newFixture(t, db.SQLite)
	coord := pmLogin(f, "coordinator")
	page := fmt.Sprintf("/plans/%d/import", f.Plan.ID)
	wb := []byte(f.do("GET", fmt.Sprintf("/plans/%d/workbook", f.Plan.ID), f.token("coordinator"), nil, nil).Body)
	book := ioOpen(t, wb, "zh-Hans", "planio.sheet.tasks")
	book.set(book.row("code", "T-1"), "title", "任务 T-1（调整）")
	r3 := book.copyRow(book.row("code", "T-2"))
	book.set(r3, "code", "T-3")
	book.set(r3, "title", "新增任务")
	edited := book.bytes()

	for _, lang := range i18n.Languages {
		res := uiIn(t, f, coord, lang, page)
		wantIn(t, "import page ["+lang+"]", res, `type="file" required accept=".xlsx,.csv`, fmt.Sprintf(`href="/plans/%d/workbook"`, f.Plan.ID),
			`href="/plan-template"`, i18n.T(lang, "planio.ui.revision"), `hx-boost="true"`)
		// The check, in every language.
		res = uiUpload(t, f, coord, lang, page, ioForm(ioNote, "计划.xlsx", edited))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("check [%s]: %d", lang, res.StatusCode)
		}
		wantIn(t, "check ["+lang+"]", res, i18n.T(lang, "planio.ui.row.update"), i18n.T(lang, "planio.ui.row.create"), "T-3",
			"<del>任务 T-1</del> → <ins>任务 T-1（调整）</ins>", `name="sha256" value="`+sum(edited)+`"`, `value="联席会议调整任务"`,
			i18n.T(lang, "planio.ui.count.create", 1), i18n.T(lang, "planio.ui.confirm_hint", "计划.xlsx"))
	}
	if n := ioCount(f, `SELECT count(*) FROM tasks WHERE code = 'T-3'`); n != 0 {
		t.Fatal("the check wrote")
	}
	// Without JavaScript the form carries its CSRF token as a field.
	noJS := url.Values{"csrf": {coord.csrf}, "reason": ioNote["reason"], "approved_by": ioNote["approved_by"]}
	res := f.do("POST", page, "", ioForm(noJS, "计划.xlsx", edited), map[string]string{"Cookie": "concord_session=" + coord.token, "Content-Type": ioFormType})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `name="sha256" value="`+sum(edited)+`"`) {
		t.Errorf("the check without JavaScript: %d", res.StatusCode)
	}
	delete(noJS, "csrf")
	if res := f.do("POST", page, "", ioForm(noJS, "计划.xlsx", edited), map[string]string{"Cookie": "concord_session=" + coord.token, "Content-Type": ioFormType}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the check without a CSRF token: %d", res.StatusCode)
	}

	// Without the revision note: the note's fields say so.
	res = uiUpload(t, f, coord, "zh-Hans", page, ioForm(nil, "计划.xlsx", edited))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no note: %d", res.StatusCode)
	}
	wantIn(t, "no note", res, `aria-describedby="upload-reason-err" aria-invalid="true"`, zh("error.required"))
	if strings.Contains(res.Body, `name="commit"`) {
		t.Error("a file with problems can be confirmed")
	}

	// A wrong unit: located and worded, in Traditional Chinese too.
	bad := ioOpen(t, edited, "zh-Hans", "planio.sheet.tasks")
	bad.set(r3, "lead_unit", "本单")
	res = uiUpload(t, f, coord, "zh-Hant", page, ioForm(ioNote, "计划.xlsx", bad.bytes()))
	ref := fmt.Sprintf("任务!%s%d", bad.col("lead_unit"), r3)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad unit: %d", res.StatusCode)
	}
	wantIn(t, "bad unit", res, "<code>"+ref+"</code>", i18n.T("zh-Hant", "error.sheet.unknown_unit_suggest", "本单", "本单位"),
		i18n.T("zh-Hant", "error.sheet.problems", 1))

	// Not a workbook: beside the file field.
	res = uiUpload(t, f, coord, "en", page, ioForm(ioNote, "plan.pdf", []byte("%PDF-1.4")))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a PDF: %d", res.StatusCode)
	}
	wantIn(t, "a PDF", res, `aria-describedby="upload-file-hint upload-file-err" aria-invalid="true"`, i18n.T("en", "error.sheet.pdf"))

	// A confirmation with another file checks that file and imports nothing.
	confirm := url.Values{"commit": {"1"}, "sha256": {sum(edited)}, "reason": ioNote["reason"], "approved_by": ioNote["approved_by"]}
	res = uiUpload(t, f, coord, "zh-Hans", page, ioForm(confirm, "计划.xlsx", wb))
	if res.StatusCode != http.StatusConflict || ioCount(f, `SELECT count(*) FROM tasks WHERE code = 'T-3'`) != 0 {
		t.Fatalf("other file: %d", res.StatusCode)
	}
	wantIn(t, "other file", res, zh("planio.ui.other_file"), `name="sha256" value="`+sum(wb)+`"`)

	// The same file: imported, on to the plan.
	res = uiUpload(t, f, coord, "zh-Hans", page, ioForm(confirm, "计划.xlsx", edited))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/plans/%d?flash=flash.imported", f.Plan.ID) {
		t.Fatalf("import: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if ioCount(f, `SELECT count(*) FROM tasks WHERE code = 'T-3'`) != 1 {
		t.Error("the import wrote nothing")
	}
	if res := uiUpload(t, f, pmLogin(f, "viewer"), "zh-Hans", page, ioForm(confirm, "计划.xlsx", edited)); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", res.StatusCode)
	}

	// A unit's reports, the same way.
	rep := pmLogin(f, "reporter")
	res = uiIn(t, f, rep, "zh-Hans", "/reports/import")
	wantIn(t, "report import page", res, `href="/reports/workbook"`)
	if strings.Contains(res.Body, zh("planio.ui.revision")) {
		t.Error("the report import asks for a revision note")
	}
	rb := ioOpen(t, []byte(f.do("GET", "/reports/workbook", rep.token, nil, nil).Body), "zh-Hans", "planio.sheet.reports")
	rb.keepOnly(rb.row("report_id", fmt.Sprint(f.ReportOwn.ID)))
	rb.set(2, "percent", 40)
	rb.set(2, "narrative", "已完成调研")
	filled := rb.bytes()
	for _, lang := range i18n.Languages {
		res = uiUpload(t, f, rep, lang, "/reports/import", ioForm(nil, "报告.xlsx", filled))
		wantIn(t, "report check ["+lang+"]", res, i18n.T(lang, "planio.ui.row.save"), fmt.Sprintf(`<a href="/reports/%d">%d</a>`, f.ReportOwn.ID, f.ReportOwn.ID))
	}
	res = uiUpload(t, f, rep, "zh-Hans", "/reports/import", ioForm(url.Values{"commit": {"1"}, "sha256": {sum(filled)}}, "报告.xlsx", filled))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reports/import?flash=flash.imported" {
		t.Fatalf("report import: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	wantIn(t, "after the report import", uiGet(f, rep, "/reports/import?flash=flash.imported"), zh("flash.imported"))
}

// TestBrowserImportAndNotifyPages: in Chromium, a plan workbook goes through
// the import page (check, choose again, import) by htmx with its CSRF
// header; the notification, webhook and import pages pass axe in Chinese
// and English.
func TestBrowserImportAndNotifyPages(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	f := newFixture(t, db.SQLite)
	ntNotify(f, f.Users[access.Coordinator].ID, "请补充佐证材料")
	ntHook(f, "督办平台")

	wb := []byte(f.do("GET", fmt.Sprintf("/plans/%d/workbook", f.Plan.ID), f.token("coordinator"), nil, nil).Body)
	book := ioOpen(t, wb, "zh-Hans", "planio.sheet.tasks")
	r3 := book.copyRow(book.row("code", "T-2"))
	book.set(r3, "code", "T-3")
	book.set(r3, "title", "浏览器导入的任务")
	file := filepath.Join(t.TempDir(), "任务.xlsx")
	if err := os.WriteFile(file, book.bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/plans/%d/import", f.Plan.ID)

	b := newBrowser(t, f.HTTP.URL)
	b.expect("status of 422")
	b.login("coordinator")
	b.open(page)
	b.setValue("#upload-reason", "联席会议调整任务")
	b.setValue("#upload-approved_by", "协调办公室")
	b.do("choose the workbook", chromedp.SetUploadFiles(`#upload-file`, []string{file}))
	b.submitBoosted("check the workbook", `form[action="`+page+`"] button[type=submit]`, `document.querySelector("#confirm-file")`)
	if got := b.text("#result-h"); got != zh("planio.ui.result", "任务.xlsx") {
		t.Errorf("result heading %q", got)
	}
	if !strings.Contains(b.text("table.list"), "T-3") {
		t.Error("the check does not list T-3")
	}
	checkA11y(b, axeSrc, "the import check [zh-Hans]", "zh-Hans")
	b.do("choose the workbook again", chromedp.SetUploadFiles(`#confirm-file`, []string{file}))
	b.submitBoosted("import it", `section[aria-labelledby=confirm-h] button[type=submit]`, `location.pathname === "/plans/`+fmt.Sprint(f.Plan.ID)+`"`)
	b.waitFor("the flash", `document.querySelector(".flash") && document.querySelector(".flash").textContent.includes(`+fmt.Sprintf("%q", zh("flash.imported"))+`)`)
	if n := ioCount(f, `SELECT count(*) FROM tasks WHERE code = 'T-3'`); n != 1 {
		t.Errorf("%d tasks T-3 after the import in the browser", n)
	}

	for _, lang := range []string{"zh-Hans", "en"} {
		if b.lang() != lang {
			b.switchLanguage(lang)
		}
		for _, p := range []string{"/notifications", page} {
			b.open(p)
			checkA11y(b, axeSrc, p+" as coordinator ["+lang+"]", lang)
		}
	}
	b.logout()
	b.login("reporter")
	b.open("/reports/import")
	checkA11y(b, axeSrc, "/reports/import as reporter ["+b.lang()+"]", b.lang())
	b.logout()
	b.login("sys-admin")
	for _, lang := range []string{"en", "zh-Hans"} {
		if b.lang() != lang {
			b.switchLanguage(lang)
		}
		b.open("/webhooks")
		checkA11y(b, axeSrc, "/webhooks ["+lang+"]", lang)
	}
	// A form refused comes back with its errors tied to their fields.
	b.do("open the create form", chromedp.Click(chromedp.CSS(`form[action="/webhooks"] button[type=submit]`)))
	b.waitFor("the refused form", `document.querySelector("#create-name[aria-invalid=true]")`)
	checkFormErrors(b, `form[action="/webhooks"]`, "the webhook form sent empty")
	checkA11y(b, axeSrc, "the webhook form sent empty", "zh-Hans")
	b.checkClean()
}
