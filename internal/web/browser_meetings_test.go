package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"concord/internal/clock"
	"concord/internal/db"
)

// TestBrowserMeetingJourney follows a decision in the browser: the office
// records a joint meeting, holds it, records a decision and turns it into a
// task; the lead city's reporter finds the task in the workspace and files
// its completion report; the office closes the task, and the next meeting's
// brief shows the decision closed. The meeting pages pass axe on the way.
func TestBrowserMeetingJourney(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	start := time.Now()
	f := newFixture(t, db.SQLite)
	b := newBrowser(t, f.HTTP.URL)
	b.expect("status of 422")
	today := clock.Today(clock.System)
	own, other := fmt.Sprint(f.Own.ID), fmt.Sprint(f.Other.ID)
	openAll := chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`)
	const decision = "建立沿海港口协同发展机制"

	b.login("coordinator")
	b.open("/meetings")
	// Sent empty, the form comes back with its errors beside the fields.
	b.load("submit the meeting form empty", 422, chromedp.Click(chromedp.CSS(`form[action="/meetings"] button[type=submit]`)))
	checkFormErrors(b, `form[action="/meetings"]`, "the meeting form sent empty")
	checkA11y(b, axeSrc, "the meeting form sent empty", "zh-Hans")
	meeting := func(title string, day clock.Date) string {
		b.open("/meetings")
		b.setValue("#meeting-title", title)
		b.setValue("#meeting-held_on", day.String())
		b.setValue("#meeting-place", "盘锦")
		b.setValue("#meeting-host_unit_id", own)
		b.setValue("#meeting-agenda", "审议三年行动计划\n通报督查情况")
		b.setValue("#meeting-unit_ids", other)
		b.load("record "+title, 200, chromedp.Click(chromedp.CSS(`form[action="/meetings"] button[type=submit]`)))
		p := b.path().Path
		if !regexp.MustCompile(`^/meetings/\d+$`).MatchString(p) {
			t.Fatalf("after recording %s: at %s", title, p)
		}
		return p
	}
	first := meeting("第一次联席会议", today.AddDays(-1))
	b.load("hold the meeting", 200, chromedp.Click(chromedp.CSS(`form[action$="/status"] button[type=submit]`)))
	b.do("open the forms", openAll)
	b.setValue("#decision-agenda_item_id", eval[string](b, `document.querySelector("#decision-agenda_item_id option:nth-child(2)").value`))
	b.setValue("#decision-text", decision)
	b.setValue("#decision-area_id", eval[string](b, `document.querySelector("#decision-area_id option:nth-child(2)").value`))
	b.setValue("#decision-co_unit_ids", other)
	b.setValue("#decision-due_on", today.AddDays(30).String())
	// Without a lead unit the decision is refused, the field named.
	b.load("record the decision without a lead unit", 422, chromedp.Click(chromedp.CSS(`form[action$="/decisions"] button[type=submit]`)))
	if got := b.text("#decision-lead_unit_id-err"); !strings.Contains(got, "牵头") {
		t.Errorf("the lead unit's error says %q", got)
	}
	b.setValue("#decision-lead_unit_id", own)
	b.load("record the decision", 200, chromedp.Click(chromedp.CSS(`form[action$="/decisions"] button[type=submit]`)))
	if got := b.text("tr[id^=decision-]"); !strings.Contains(got, decision) || !strings.Contains(got, "待交办") {
		t.Errorf("the decision row says %q", got)
	}
	b.do("open the forms", openAll)
	b.load("turn the decision into a task", 200, chromedp.Click(chromedp.CSS(`form[action^="/decisions/"] button[type=submit]`)))
	taskLink := eval[string](b, `(document.querySelector("tr[id^=decision-] a[href^='/tasks/']") || {}).getAttribute?.("href") || ""`)
	if !regexp.MustCompile(`^/tasks/\d+$`).MatchString(taskLink) {
		t.Fatalf("the decision shows no task link (%q)", taskLink)
	}
	checkA11y(b, axeSrc, "the meeting page", "zh-Hans")
	b.logout()

	// The lead city's reporter finds the task and files its completion report.
	b.login("reporter")
	b.open("/workspace")
	if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q)`, fmt.Sprintf("a[href=%q]", taskLink))) {
		t.Fatalf("the decision's task %s is not in the lead unit's workspace", taskLink)
	}
	evidence := filepath.Join(t.TempDir(), "机制文件.txt")
	if err := os.WriteFile(evidence, []byte("港口协同发展机制已建立。"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(taskLink)
	if got := b.text(`.facts a[href^="/meetings/"]`); got != decision {
		t.Errorf("the task page names its decision as %q", got)
	}
	b.setValue("#complete-summary", "港口协同发展机制已经建立并运行。")
	b.do("attach the evidence", chromedp.SetUploadFiles(`#complete-file`, []string{evidence}))
	b.submitBoosted("file the completion report", `form[action$="/complete"] button[type=submit]`, `document.querySelector(".why .badge.light-done_on_time")`)
	b.logout()

	// The office closes the task; the next meeting's brief shows it closed.
	b.login("coordinator")
	b.open(taskLink)
	b.load("verify and close", 200, chromedp.Click(chromedp.CSS(`form[action$="/close"] button[type=submit]`)))
	b.open(first)
	if got := b.text("tr[id^=decision-]"); !strings.Contains(got, "已销号") {
		t.Errorf("after closing, the decision row says %q", got)
	}
	next := meeting("第二次联席会议", today)
	b.open(next + "/brief")
	brief := b.text(".brief")
	for _, want := range []string{"联席会议议定事项落实情况汇报", "第二次联席会议", decision, "已销号", "本单位"} {
		if !strings.Contains(brief, want) {
			t.Errorf("the brief lacks %q: %s", want, brief)
		}
	}
	checkA11y(b, axeSrc, "the brief", "zh-Hans")
	b.open("/committees")
	checkA11y(b, axeSrc, "the committees", "zh-Hans")
	b.checkClean()
	t.Logf("meeting journey took %s", time.Since(start).Round(time.Millisecond))
}
