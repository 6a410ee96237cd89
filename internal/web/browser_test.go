package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
)

// The browser tests drive Debian's Chromium through the DevTools protocol.
// Without a browser they skip, unless CONCORD_REQUIRE_BROWSER=1 (as in CI).

const (
	browserBudget = 60 * time.Second // the whole journey
	stepTimeout   = 15 * time.Second // one action, so a hang fails the test
)

// chromiumPath finds the browser: CONCORD_CHROMIUM, /usr/bin/chromium or
// chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	var tried []string
	if p := os.Getenv("CONCORD_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		tried = append(tried, p)
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	tried = append(tried, "/usr/bin/chromium")
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	tried = append(tried, "chromium on PATH")
	msg := "browser tests need Chromium (apt-get install -y chromium, or set CONCORD_CHROMIUM); not found: " + strings.Join(tried, ", ")
	if os.Getenv("CONCORD_REQUIRE_BROWSER") == "1" {
		t.Fatal("CONCORD_REQUIRE_BROWSER=1 but " + msg)
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium tab pointed at a test server, collecting
// console errors, uncaught exceptions and CSP violations as it goes.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	messages []string // everything the pages said, shown when the test fails
	problems []string
	expected []string // substrings of browser log errors that a step expects
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile, err := os.MkdirTemp("", "concord-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// A browser set to Chinese, as most of Concord's users have.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(profile),
	}
	// The whole run has a deadline: when it passes, the browser is closed
	// and every pending action fails.
	runCtx, runCancel := context.WithTimeout(context.Background(), browserBudget)
	allocCtx, allocCancel := chromedp.NewExecAllocator(runCtx, opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		allocCancel()
		runCancel()
		os.RemoveAll(profile)
	})
	b := &browser{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	if err := chromedp.Listen(ctx, b.watch); err != nil {
		t.Fatal(err)
	}
	return b
}

// watch runs in the tab's event loop: it must return fast and run nothing.
func (b *browser) watch(ev any) {
	var msg, problem string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if a.Value != nil {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		text := strings.Join(parts, " ")
		msg = "console." + string(e.Type) + ": " + text
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert || cspMessage(text) {
			problem = "console." + string(e.Type) + ": " + text
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		problem = "exception: " + d.Text
		if d.Exception != nil {
			problem += " " + d.Exception.Description
		}
		problem += fmt.Sprintf(" at %s:%d", d.URL, d.LineNumber+1)
		msg = problem
	case *log.EventEntryAdded:
		msg = fmt.Sprintf("log (%s, %s): %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
		if e.Entry.Level == log.EntryLevelError || cspMessage(e.Entry.Text) {
			problem = fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	}
	if msg == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.messages = append(b.messages, msg)
	if problem == "" {
		return
	}
	for _, x := range b.expected {
		if strings.Contains(problem, x) {
			return
		}
	}
	b.problems = append(b.problems, problem)
}

func cspMessage(s string) bool {
	return strings.Contains(s, "Refused to") || strings.Contains(s, "Content Security Policy") || strings.Contains(s, "Content-Security-Policy")
}

// expect lets the browser log an error containing s (an expected 4xx page).
func (b *browser) expect(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, s)
}

// fail stops the test, saying where the browser was.
func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
	if shot, e := chromedp.Run(ctx, chromedp.CaptureScreenshot()); e == nil {
		p := filepath.Join(b.t.TempDir(), "failure.png")
		os.WriteFile(p, shot, 0o644)
		b.t.Logf("screenshot of the failure: %s", p)
	}
	b.t.Fatalf("%s: %v\nat %s\npage text:\n%s", what, err, loc, text)
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

// load runs steps that cause a navigation and waits for the new page,
// checking the HTTP status of its document.
func (b *browser) load(what string, status int64, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.fail(what, err)
	}
	if res == nil {
		b.fail(what, fmt.Errorf("no document response"))
	}
	if res.Status != status {
		b.fail(what, fmt.Errorf("status %d, want %d (%s)", res.Status, status, res.URL))
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.load("open "+path, 200, chromedp.Navigate(b.base+path))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail("evaluate "+expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("timed out waiting for %s", expr)
			}
			b.fail(what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText.trim()`, sel))
}

func (b *browser) path() *url.URL {
	b.t.Helper()
	u, err := url.Parse(eval[string](b, `location.href`))
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

func (b *browser) lang() string { return eval[string](b, `document.documentElement.lang`) }

// setValue sets a field as a user would, firing input and change.
func (b *browser) setValue(sel, value string) {
	b.t.Helper()
	b.do("set "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) throw new Error("no element %s");
		el.value = %q;
		if (el.value !== %q) throw new Error("value not accepted by %s");
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, sel, sel, value, value, sel)))
}

func (b *browser) login(user string) {
	b.t.Helper()
	b.open("/login")
	b.do("fill the sign-in form",
		chromedp.SendKeys(chromedp.ID("login"), user),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	)
	b.load("sign in as "+user, 200, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	if p := b.path().Path; p != "/" {
		b.fail("sign in as "+user, fmt.Errorf("landed on %s, want /", p))
	}
	if got := b.text(".tools .me"); got != user {
		b.fail("sign in as "+user, fmt.Errorf("header shows %q", got))
	}
}

func (b *browser) logout() {
	b.t.Helper()
	b.load("sign out", 200, chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)))
	if p := b.path().Path; p != "/login" {
		b.fail("sign out", fmt.Errorf("landed on %s, want /login", p))
	}
}

// switchLanguage picks lang in the header's selector; app.js submits the
// form on change.
func (b *browser) switchLanguage(lang string) {
	b.t.Helper()
	b.load("switch language to "+lang, 200, b.setValueAction("#lang-select", lang))
	if got := b.lang(); got != lang {
		b.fail("switch language", fmt.Errorf(`html lang=%q, want %q`, got, lang))
	}
}

func (b *browser) setValueAction(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		el.value = %q;
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, sel, value))
}

var idInPath = regexp.MustCompile(`^/(units|users)/(\d+)$`)

func TestBrowserJourney(t *testing.T) {
	chromiumPath(t) // skip before building a fixture
	start := time.Now()
	f := newFixture(t, db.SQLite)
	b := newBrowser(t, f.HTTP.URL)
	T := func(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

	// The sign-in page, in Simplified Chinese for a Chinese browser.
	b.open("/login")
	if got := b.lang(); got != "zh-Hans" {
		t.Fatalf(`login page: html lang=%q, want zh-Hans`, got)
	}
	if got, want := b.text(`form[action="/login"] button`), T("zh-Hans", "action.login"); got != want {
		t.Errorf("login button %q, want %q", got, want)
	}

	// The system administrator signs in and switches to English.
	b.login("sys-admin")
	if got := b.lang(); got != "zh-Hans" {
		t.Fatalf(`home: html lang=%q, want zh-Hans`, got)
	}
	if !eval[bool](b, `getComputedStyle(document.querySelector(".lang button.nojs")).display === "none"`) {
		t.Error("the language form's submit button shows although JavaScript runs")
	}
	b.switchLanguage("en")
	if p := b.path().Path; p != "/" {
		t.Errorf("after switching language: at %s, want /", p)
	}
	if nav := b.text("header nav"); !strings.Contains(nav, T("en", "nav.units")) {
		t.Errorf("English nav %q lacks %q", nav, T("en", "nav.units"))
	}

	// A unit form with no code: the page comes back (422) with the field's
	// error in English and the other values kept.
	b.open("/units")
	b.setValue("#create-zh_hans", "西安市")
	b.expect("status of 422")
	b.load("submit a unit without a code", 422, chromedp.Click(chromedp.CSS(`form[action="/units"] button[type=submit]`)))
	if got, want := b.text("#create-code-err .field-error"), T("en", "error.required"); got != want {
		t.Errorf("code error %q, want %q", got, want)
	}
	if got := b.lang(); got != "en" {
		t.Errorf(`error page: html lang=%q, want en`, got)
	}
	if !eval[bool](b, `Math.abs(document.querySelector("#create-code-err .field-error").getBoundingClientRect().left - document.querySelector("#create-code").getBoundingClientRect().left) < 2`) {
		t.Error("the code's error is not under its field")
	}
	if got := eval[string](b, `document.querySelector("#create-zh_hans").value`); got != "西安市" {
		t.Errorf("the form lost the Chinese name: %q", got)
	}

	// Now a valid unit: code, three names, a kind.
	b.do("fill the unit form", chromedp.SendKeys(chromedp.ID("create-code"), "xian"))
	b.setValue("#create-zh_hant", "西安市")
	b.setValue("#create-en", "Xi'an")
	b.setValue("#create-kind", "department")
	b.load("create a unit", 200, chromedp.Click(chromedp.CSS(`form[action="/units"] button[type=submit]`)))
	u := b.path()
	m := idInPath.FindStringSubmatch(u.Path)
	if m == nil || m[1] != "units" || u.Query().Get("flash") != "flash.saved" {
		t.Fatalf("after creating a unit: at %s", u)
	}
	unitID := m[2]
	if got, want := b.text(".flash"), T("en", "flash.saved"); got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if got := b.text("main h1"); got != "Xi'an" {
		t.Errorf("unit page title %q", got)
	}
	if facts := b.text(".facts"); !strings.Contains(facts, T("en", "unit.kind.department")) || !strings.Contains(facts, "xian") {
		t.Errorf("unit facts %q", facts)
	}
	b.logout()

	// The security administrator adds a user to the new unit.
	b.login("sec-admin")
	b.open("/users")
	b.do("fill the user form",
		chromedp.SendKeys(chromedp.ID("u-login"), "zhang.wei"),
		chromedp.SendKeys(chromedp.ID("u-email"), "zhang.wei@example.cn"),
		chromedp.SendKeys(chromedp.ID("u-pw"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/users"] input[name=roles][value=reporter]`)),
	)
	b.setValue("#u-name", "张伟")
	b.setValue("#u-unit", unitID)
	b.load("create a user", 200, chromedp.Click(chromedp.CSS(`form[method=post][action="/users"] button[type=submit]`)))
	u = b.path()
	m = idInPath.FindStringSubmatch(u.Path)
	if m == nil || m[1] != "users" {
		t.Fatalf("after creating a user: at %s", u)
	}
	userID := m[2]
	if facts := b.text(".facts"); !strings.Contains(facts, "zhang.wei") || !strings.Contains(facts, "Xi'an") || !strings.Contains(facts, T("en", "role.reporter")) {
		t.Errorf("user facts %q", facts)
	}
	b.logout()

	// The audit administrator finds both changes on the audit trail.
	b.login("audit-admin")
	b.open("/audit")
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.concordMark = 1`))
	b.do("filter by action", chromedp.SendKeys(chromedp.ID("f-action"), "unit.create"))
	b.do("search", chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	unitLink := fmt.Sprintf(`#results a[href="/history/unit/%s"]`, unitID)
	b.waitFor("the filtered audit trail", fmt.Sprintf(`location.search.includes("action=unit.create") && document.querySelector(%q)`, unitLink))
	if !eval[bool](b, `window.concordMark === 1`) {
		t.Error("the audit filter reloaded the page instead of swapping the results (htmx)")
	}
	if eval[int](b, `document.querySelectorAll("#results").length`) != 1 {
		t.Error("htmx swap nested the results")
	}
	actions := eval[[]string](b, `[...document.querySelectorAll("#results tbody td code")].map(e => e.textContent)`)
	if len(actions) == 0 {
		t.Error("no audit rows")
	}
	for _, a := range actions {
		if a != "unit.create" {
			t.Errorf("filtered audit trail shows %q", a)
		}
	}
	if row := eval[string](b, fmt.Sprintf(`document.querySelector(%q).closest("tr").innerText`, unitLink)); !strings.Contains(row, "sys-admin") {
		t.Errorf("audit row %q lacks the actor", row)
	}
	// The object's history.
	b.load("open the unit's history", 200, chromedp.Click(chromedp.CSS(unitLink)))
	if p := b.path().Path; p != "/history/unit/"+unitID {
		t.Fatalf("history link led to %s", p)
	}
	hist := b.text(".timeline")
	for _, want := range []string{"unit.create", "sys-admin", "xian", "Xi'an"} {
		if !strings.Contains(hist, want) {
			t.Errorf("unit history lacks %q:\n%s", want, hist)
		}
	}
	// The filter also works as a plain GET: the new user.
	b.open("/audit?action=user.create")
	userLink := fmt.Sprintf(`#results a[href="/history/user/%s"]`, userID)
	if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q)`, userLink)) {
		t.Errorf("no user.create row for user %s", userID)
	} else if row := eval[string](b, fmt.Sprintf(`document.querySelector(%q).closest("tr").innerText`, userLink)); !strings.Contains(row, "sec-admin") {
		t.Errorf("audit row %q lacks the actor", row)
	}
	b.logout()

	// The coordinator's dashboard, back in Simplified Chinese, with its chart.
	b.login("coordinator")
	b.switchLanguage("zh-Hans")
	if nav := b.text("header nav"); !strings.Contains(nav, T("zh-Hans", "nav.units")) {
		t.Errorf("Chinese nav %q lacks %q", nav, T("zh-Hans", "nav.units"))
	}
	b.waitFor("the units chart", `document.querySelector("div[data-chart] svg path")`)
	time.Sleep(1200 * time.Millisecond) // let the chart's opening animation finish
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // PNG
	cancel()
	if err != nil {
		b.fail("screenshot", err)
	}
	paths := []string{filepath.Join(t.TempDir(), "dashboard.png")}
	if p := os.Getenv("CONCORD_SCREENSHOT"); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Error(err)
		}
		t.Logf("dashboard screenshot: %s", p)
	}

	b.checkClean()
	t.Logf("browser journey took %s", time.Since(start).Round(time.Millisecond))
}

// checkClean lets late events arrive, then insists the pages ran clean:
// no console errors, exceptions or CSP violations. The console is logged
// when the test failed or CONCORD_BROWSER_DEBUG is set.
func (b *browser) checkClean() {
	b.t.Helper()
	time.Sleep(100 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("browser reported: %s", p)
	}
	if b.t.Failed() || os.Getenv("CONCORD_BROWSER_DEBUG") != "" {
		b.t.Logf("browser console and log:\n%s", strings.Join(b.messages, "\n"))
	}
}

// lightCounts reads the dashboard's tiles: tasks per light.
func (b *browser) lightCounts(planID string) map[string]int {
	b.t.Helper()
	b.open("/?plan_id=" + planID)
	return eval[map[string]int](b, `Object.fromEntries([...document.querySelectorAll(".tile")].map(e => [e.dataset.light, +e.querySelector(".num").textContent]))`)
}

// closedByMonth reads the table behind the dashboard's chart of tasks
// closed each month.
func (b *browser) closedByMonth() map[string]string {
	b.t.Helper()
	return eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll("#closed-chart-table tbody tr")].map(r => [r.cells[0].textContent, r.cells[1].textContent]))`)
}

// submitBoosted presses a button of a form that posts through htmx (forms
// with files) and waits for the page that comes back to show done.
func (b *browser) submitBoosted(what, button, done string) {
	b.t.Helper()
	b.do(what, chromedp.Click(chromedp.CSS(button)))
	b.waitFor(what, done)
}

// TestBrowserSupervisionCycle walks a task through the whole supervision
// cycle in the browser: the coordinator plans and assigns it, the units of
// two cities report, one report is returned and resubmitted, both are
// accepted, the lead unit files its completion report with evidence and the
// coordinator verifies and closes the task; the dashboard follows each step.
func TestBrowserSupervisionCycle(t *testing.T) {
	chromiumPath(t)
	start := time.Now()
	f := newFixture(t, db.SQLite)
	b := newBrowser(t, f.HTTP.URL)
	today := clock.Today(clock.System)
	own, other := fmt.Sprint(f.Own.ID), fmt.Sprint(f.Other.ID)
	wantLights := func(step, plan string, want map[string]int) {
		t.Helper()
		got := b.lightCounts(plan)
		for light, n := range want {
			if got[light] != n {
				t.Errorf("%s: dashboard shows %d %s, want %d (all: %v)", step, got[light], light, n, got)
			}
		}
	}

	// The coordinator drafts a plan, a goal and a task led by city A (Own)
	// with city B (Other) co-operating, reporting once at the due date.
	b.login("coordinator")
	b.open("/plans")
	b.setValue("#plan-code", "JJJ-2026")
	b.setValue("#plan-name", "城市群协同行动计划")
	b.setValue("#plan-starts_on", today.AddDays(-30).String())
	b.setValue("#plan-ends_on", today.AddDays(365).String())
	b.load("create the plan", 200, chromedp.Click(chromedp.CSS(`form[action="/plans"] button[type=submit]`)))
	planPath := b.path().Path
	plan := strings.TrimPrefix(planPath, "/plans/")
	if !regexp.MustCompile(`^/plans/\d+$`).MatchString(planPath) {
		t.Fatalf("after creating the plan: at %s", planPath)
	}
	b.setValue("#goal-code", "G-1")
	b.setValue("#goal-title", "共建产业园区")
	b.setValue("#goal-area_id", eval[string](b, `document.querySelector("#goal-area_id option:nth-child(2)").value`))
	b.load("add the goal", 200, chromedp.Click(chromedp.CSS(`form[action$="/goals"] button[type=submit]`)))
	b.setValue("#task-goal_id", eval[string](b, `document.querySelector("#task-goal_id option:nth-child(2)").value`))
	b.setValue("#task-code", "T-1")
	b.setValue("#task-title", "编制园区共建方案")
	b.setValue("#task-lead_unit_id", own)
	b.setValue("#task-co_unit_ids", other)
	b.setValue("#task-starts_on", today.AddDays(-5).String())
	b.setValue("#task-due_on", today.AddDays(5).String())
	b.setValue("#task-cycle", "custom")
	b.setValue("#task-report_dates", today.AddDays(5).String())
	b.setValue("#task-milestones", today.AddDays(2).String()+" | 完成选址")
	b.load("assign the task", 200, chromedp.Click(chromedp.CSS(`form[action$="/tasks"] button[type=submit]`)))
	taskPath := b.path().Path
	if !regexp.MustCompile(`^/tasks/\d+$`).MatchString(taskPath) {
		t.Fatalf("after assigning the task: at %s", taskPath)
	}
	if units := b.text(".facts"); !strings.Contains(units, "本单位") || !strings.Contains(units, "他单位") {
		t.Errorf("task facts lack its units: %q", units)
	}
	// The plan is put in force on the joint meeting's decision.
	b.open(planPath)
	b.setValue("#status-approved_by", "第三次联席会议")
	b.load("put the plan in force", 200, chromedp.Click(chromedp.CSS(`form[action$="/status"] button[type=submit]`)))
	if !eval[bool](b, `!!document.querySelector(".facts .badge.plan_status-in_force")`) {
		t.Errorf("the plan is not shown in force")
	}
	b.waitFor("the timeline chart", `document.querySelector("div[data-chart=gantt-chart] svg")`)
	// Half the time gone and nothing reported: the task is at risk.
	wantLights("assigned", plan, map[string]int{"yellow": 1, "green": 0, "closed": 0})
	b.logout()

	// The reporter of each city submits its report from the workspace.
	report := map[string]string{}
	for _, c := range []struct{ login, unit string }{{"reporter", own}, {"peer", other}} {
		b.login(c.login)
		b.open("/workspace")
		link := fmt.Sprintf(`tr:has(a[href=%q]) a[href^="/reports/"]`, taskPath)
		if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q)`, link)) {
			b.fail(c.login+" finds the report due", fmt.Errorf("no report of %s in the workspace", taskPath))
		}
		b.load(c.login+" opens the report", 200, chromedp.Click(chromedp.CSS(link)))
		report[c.unit] = b.path().Path
		b.setValue("#report-percent", "50")
		b.setValue("#report-self_status", "on_track")
		b.setValue("#report-narrative", "已完成园区选址比选。")
		b.submitBoosted(c.login+" submits the report", `button[name=action][value=submit]`, `document.querySelector(".badge.state-submitted") && document.querySelector(".flash")`)
		b.logout()
	}

	// The coordinator returns city A's report with a reason.
	const reason = "请补充选址比选的用地数据。"
	b.login("coordinator")
	b.open("/workspace")
	for _, p := range report {
		if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q)`, fmt.Sprintf("#review a[href=%q]", p))) {
			t.Errorf("the review queue lacks %s", p)
		}
	}
	b.open(report[own])
	b.setValue("#review-reason", reason)
	b.load("return the report", 200, chromedp.Click(chromedp.CSS(`form[action$="/return"] button[type=submit]`)))
	if got := b.text("#return-reason"); got != reason {
		t.Errorf("return reason shown as %q", got)
	}
	wantLights("returned", plan, map[string]int{"yellow": 1})
	b.logout()

	// The reporter sees why and resubmits.
	b.login("reporter")
	b.open("/workspace")
	if got := b.text("#returned"); !strings.Contains(got, reason) {
		t.Errorf("the workspace's returned reports do not say why: %q", got)
	}
	b.load("open the returned report", 200, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#returned a[href=%q]`, report[own]))))
	if got := b.text("#return-reason"); got != reason {
		t.Errorf("the returned report shows the reason as %q", got)
	}
	b.setValue("#report-narrative", "已完成园区选址比选，用地数据见附表。")
	b.submitBoosted("resubmit the report", `button[name=action][value=submit]`, `document.querySelector(".badge.state-submitted")`)
	b.logout()

	// The coordinator accepts both reports.
	b.login("coordinator")
	for unit, p := range report {
		b.open(p)
		b.load("accept the report of unit "+unit, 200, chromedp.Click(chromedp.CSS(`form[action$="/accept"] button[type=submit]`)))
		if !eval[bool](b, `!!document.querySelector(".facts .badge.state-accepted")`) {
			t.Errorf("report %s not shown accepted", p)
		}
	}
	b.open(taskPath)
	if got := b.text(".why"); !strings.Contains(got, "50%") {
		t.Errorf("the task's light does not show its progress: %q", got)
	}
	wantLights("reports accepted", plan, map[string]int{"yellow": 1})
	b.logout()

	// The lead unit files its completion report with evidence.
	evidence := filepath.Join(t.TempDir(), "验收材料.txt")
	if err := os.WriteFile(evidence, []byte("园区共建方案已印发。"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.login("reporter")
	b.open(taskPath)
	b.setValue("#complete-summary", "园区共建方案已经两地政府审议通过并印发。")
	b.do("attach the evidence", chromedp.SetUploadFiles(`#complete-file`, []string{evidence}))
	b.submitBoosted("file the completion report", `form[action$="/complete"] button[type=submit]`, `document.querySelector(".why .badge.light-done_on_time")`)
	if !eval[bool](b, `[...document.querySelectorAll(".completion a[href^='/attachments/']")].some(a => a.textContent === "验收材料.txt")`) {
		t.Error("the completion report does not list its evidence")
	}
	wantLights("completion filed", plan, map[string]int{"yellow": 0, "done_on_time": 1})
	b.logout()

	// The coordinator verifies and closes the task (销号).
	b.login("coordinator")
	b.open(taskPath)
	b.load("verify and close", 200, chromedp.Click(chromedp.CSS(`form[action$="/close"] button[type=submit]`)))
	if !eval[bool](b, `!!document.querySelector(".why .badge.light-closed")`) {
		t.Error("the task is not shown closed")
	}
	wantLights("closed", plan, map[string]int{"done_on_time": 0, "closed": 1})
	if got := b.closedByMonth(); got[today.Month()] != "1" {
		t.Errorf("closed per month: %v, want 1 in %s", got, today.Month())
	}
	b.waitFor("the closed-per-month chart", `document.querySelector("div[data-chart=closed-chart] svg path")`)

	b.checkClean()
	t.Logf("supervision cycle took %s", time.Since(start).Round(time.Millisecond))
}
