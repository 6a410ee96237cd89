package web_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/i18n"
)

// The accessibility check runs axe-core (testdata/axe, test data only and
// never served by the app) over each page as a representative role sees it,
// in Simplified Chinese and in English, with the WCAG 2.0/2.1 A and AA rules.
// Violations of impact "serious" or "critical" fail the test; lesser ones
// are logged.

// axeRun runs axe on the page and keeps what the test reports.
const axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
	resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.flat(Infinity).join(" "), summary: n.failureSummary || ""}))
})))`

type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// pageFacts are the structural checks axe leaves to us.
type pageFacts struct {
	H1   int    `json:"h1"`
	Lang string `json:"lang"`
}

// checkA11y injects axe into the page shown and reports its violations and
// the page's structure, naming the page as what.
func checkA11y(b *browser, axeSrc, what, lang string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSrc)); err != nil {
		b.fail("inject axe into "+what, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("run axe on "+what, err)
	}
	for _, v := range vs {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, "    "+n.Target+"\n      "+strings.ReplaceAll(strings.TrimSpace(n.Summary), "\n", "\n      "))
		}
		msg := fmt.Sprintf("%s: axe %s (%s): %s <%s>\n%s", what, v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(nodes, "\n"))
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg)
		} else {
			b.t.Log(msg)
		}
	}
	facts := eval[pageFacts](b, `({h1: document.querySelectorAll("h1").length, lang: document.documentElement.lang})`)
	if facts.H1 != 1 {
		b.t.Errorf("%s: %d h1 elements, want exactly 1", what, facts.H1)
	}
	if facts.Lang != lang {
		b.t.Errorf("%s: html lang=%q, want %q", what, facts.Lang, lang)
	}
}

// checkFormErrors asserts that the form shown again with errors announces
// them and ties each to its field.
func checkFormErrors(b *browser, formSel, what string) {
	b.t.Helper()
	type report struct {
		Alerts   int      `json:"alerts"`
		Errors   int      `json:"errors"`
		Invalid  int      `json:"invalid"`
		Problems []string `json:"problems"`
	}
	r := eval[report](b, fmt.Sprintf(`(() => {
		const form = document.querySelector(%q);
		if (!form) return {alerts: 0, errors: 0, invalid: 0, problems: ["no form"]};
		const out = {
			alerts: [...document.querySelectorAll('[role="alert"]')].filter(e => e.textContent.trim()).length,
			errors: form.querySelectorAll(".field-error").length,
			invalid: 0, problems: []
		};
		for (const err of form.querySelectorAll(".field-error")) {
			const row = err.closest(".row, fieldset, td") || err.parentElement;
			const field = row.querySelector("input:not([type=hidden]), select, textarea");
			if (!field) { out.problems.push("no field for error " + err.textContent); continue; }
			if (field.getAttribute("aria-invalid") !== "true") out.problems.push((field.id || field.name) + " lacks aria-invalid=true");
			const desc = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean)
				.map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(" ");
			if (!desc.includes(err.textContent.trim())) out.problems.push((field.id || field.name) + " is not described by its error " + JSON.stringify(err.textContent.trim()));
		}
		out.invalid = form.querySelectorAll('[aria-invalid="true"]').length;
		return out;
	})()`, formSel))
	if r.Alerts == 0 {
		b.t.Errorf("%s: no role=alert announces the errors", what)
	}
	if r.Errors == 0 {
		b.t.Errorf("%s: no field errors shown", what)
	}
	if r.Invalid != r.Errors {
		b.t.Errorf("%s: %d fields marked aria-invalid for %d field errors", what, r.Invalid, r.Errors)
	}
	for _, p := range r.Problems {
		b.t.Errorf("%s: %s", what, p)
	}
}

// checkPager asserts that the pager and its arrows are named in the page's
// language.
func checkPager(b *browser, what, lang string) {
	b.t.Helper()
	got := eval[[]string](b, `[document.querySelector("nav.pager"), document.querySelector("nav.pager a[rel=prev]"), document.querySelector("nav.pager a[rel=next]")].map(e => e ? e.getAttribute("aria-label") || "" : "(missing)")`)
	want := []string{i18n.T(lang, "nav.pagination"), i18n.T(lang, "nav.prev_page"), i18n.T(lang, "nav.next_page")}
	if !slices.Equal(got, want) {
		b.t.Errorf("%s: pager labels %q, want %q", what, got, want)
	}
}

func TestAccessibility(t *testing.T) {
	chromiumPath(t) // skip before building a fixture
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	start := time.Now()
	f := newFixture(t, db.SQLite)
	b := newBrowser(t, f.HTTP.URL)
	langs := []string{"zh-Hans", "en"}
	// setLang shows the current page in lang (a cookie, kept across sign-ins).
	setLang := func(lang string) {
		t.Helper()
		if b.lang() != lang {
			b.switchLanguage(lang)
		}
	}
	check := func(who, path, lang string) {
		t.Helper()
		b.open(path)
		checkA11y(b, axeSrc, fmt.Sprintf("%s as %s [%s]", path, who, lang), lang)
	}

	b.open("/login")
	setLang("zh-Hans")
	check("nobody", "/login", "zh-Hans")

	// The language selector submits on a pointer's choice, but the arrow
	// keys only move through the languages (no change of context on
	// input); Enter then switches.
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.concordMark = 1`))
	b.do("arrow through the languages", chromedp.Focus(chromedp.ID("lang-select")), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	time.Sleep(200 * time.Millisecond) // a navigation would have started by now
	if !eval[bool](b, `window.concordMark === 1 && document.querySelector("#lang-select").value === "en"`) {
		t.Error("the arrow keys on the language selector left the page or did not move to English")
	}
	if !eval[bool](b, `getComputedStyle(document.querySelector(".lang button.nojs")).display !== "none"`) {
		t.Error("after a keyboard change the language form does not show its button")
	}
	b.load("press Enter on the language selector", 200, chromedp.KeyEvent(kb.Enter))
	if got := b.lang(); got != "en" {
		t.Errorf("Enter on the language selector: html lang=%q, want en", got)
	}
	check("nobody", "/login", "en")

	unit := fmt.Sprint(f.Own.ID)
	user := fmt.Sprint(f.Users[access.Reporter].ID)
	journeys := []struct {
		login string
		paths []string
	}{
		{"coordinator", []string{"/"}},
		{"sys-admin", []string{"/units", "/units/" + unit, "/areas"}},
		{"sec-admin", []string{"/users", "/users/" + user}},
		{"audit-admin", []string{"/", "/audit", "/audit?per_page=5&page=2", "/history/unit/" + unit}},
		{"viewer", []string{"/profile"}},
	}
	emptyForms := map[string]struct{ path, sel string }{
		"sys-admin": {"/units", `form[action="/units"]`},
		"sec-admin": {"/users", `form[method=post][action="/users"]`},
	}
	b.expect("status of 422")
	for _, j := range journeys {
		b.login(j.login)
		for _, lang := range langs {
			setLang(lang)
			for _, p := range j.paths {
				check(j.login, p, lang)
				if strings.Contains(p, "page=2") {
					checkPager(b, p+" ["+lang+"]", lang)
				}
			}
			// A form sent empty comes back with its errors.
			if form, ok := emptyForms[j.login]; ok {
				b.open(form.path)
				b.load("submit "+form.sel+" empty", 422, chromedp.Click(chromedp.CSS(form.sel+` button[type=submit]`)))
				what := fmt.Sprintf("%s sent empty by %s [%s]", form.sel, j.login, lang)
				checkFormErrors(b, form.sel, what)
				checkA11y(b, axeSrc, what, lang)
			}
		}
		b.logout()
	}

	time.Sleep(100 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("browser reported: %s", p)
	}
	if t.Failed() && os.Getenv("CONCORD_BROWSER_DEBUG") != "" {
		t.Logf("browser console and log:\n%s", strings.Join(b.messages, "\n"))
	}
	t.Logf("accessibility check took %s", time.Since(start).Round(time.Millisecond))
}

// TestAccessibilityOfSupervisionPages runs axe over the supervision pages as
// the coordinator and as a reporter sees them, in Simplified Chinese and in
// English, and over the plan and report forms sent back with their errors.
func TestAccessibilityOfSupervisionPages(t *testing.T) {
	chromiumPath(t)
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axeSrc := string(src)
	f := newFixture(t, db.SQLite)
	journeys := []struct {
		login string
		paths []string
	}{
		{"coordinator", []string{fmt.Sprintf("/?plan_id=%d", f.Plan.ID), "/workspace", "/plans", fmt.Sprintf("/plans/%d", f.Plan.ID),
			"/tasks", fmt.Sprintf("/tasks/%d", f.TaskOwn.ID), "/reports?show=missing", fmt.Sprintf("/reports/%d", f.ReportOther.ID),
			"/search?q=T-1", "/settings"}},
		{"reporter", []string{"/workspace", fmt.Sprintf("/tasks/%d", f.TaskOwn.ID), fmt.Sprintf("/reports/%d", f.ReportOwn.ID)}},
	}
	for _, lang := range []string{"zh-Hans", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t, f.HTTP.URL)
			b.expect("status of 422")
			for _, j := range journeys {
				b.login(j.login)
				if b.lang() != lang {
					b.switchLanguage(lang)
				}
				for _, p := range j.paths {
					b.open(p)
					checkA11y(b, axeSrc, fmt.Sprintf("%s as %s [%s]", p, j.login, lang), lang)
				}
				b.logout()
			}
			// Forms sent empty come back with their errors: a plan (a plain
			// post) and a report (a post with files, through htmx).
			b.login("coordinator")
			b.open("/plans")
			b.load("submit the plan form empty", 422, chromedp.Click(chromedp.CSS(`form[action="/plans"] button[type=submit]`)))
			checkFormErrors(b, `form[action="/plans"]`, "the plan form sent empty ["+lang+"]")
			checkA11y(b, axeSrc, "the plan form sent empty ["+lang+"]", lang)
			b.logout()
			b.login("reporter")
			report := fmt.Sprintf(`form[action="/reports/%d"]`, f.ReportOwn.ID)
			b.open(fmt.Sprintf("/reports/%d", f.ReportOwn.ID))
			b.do("submit the report empty", chromedp.Click(chromedp.CSS(report+` button[value=submit]`)))
			// The page comes back with the keyboard on the first field in error.
			b.waitFor("the report's errors", `document.activeElement === document.querySelector("#report-percent[aria-invalid=true]")`)
			checkFormErrors(b, report, "the report form sent empty ["+lang+"]")
			checkA11y(b, axeSrc, "the report form sent empty ["+lang+"]", lang)
			b.logout()
			b.checkClean()
		})
	}
}
