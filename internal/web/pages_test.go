package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/db"
	"concord/internal/i18n"
)

// TestPagesInEveryLanguage renders every page for every role in all three
// languages and fails on a missing catalogue key or a broken page.
func TestPagesInEveryLanguage(t *testing.T) {
	f := newFixture(t, db.SQLite)
	reporter := f.Users[access.Reporter]
	paths := []string{"/", "/units", fmt.Sprintf("/units/%d", f.Own.ID), "/areas", "/users",
		fmt.Sprintf("/users/%d", reporter.ID), "/audit", fmt.Sprintf("/history/unit/%d", f.Own.ID),
		fmt.Sprintf("/history/user/%d", reporter.ID), "/profile", "/no-such-page",
		// The supervision cycle's pages.
		fmt.Sprintf("/?plan_id=%d", f.Plan.ID), "/workspace", "/plans", fmt.Sprintf("/plans/%d", f.Plan.ID),
		"/tasks", "/tasks?light=yellow&sort=due", fmt.Sprintf("/tasks/%d", f.TaskOwn.ID), fmt.Sprintf("/tasks/%d", f.TaskOther.ID),
		"/reports", "/reports?show=missing", fmt.Sprintf("/reports/%d", f.ReportOwn.ID), fmt.Sprintf("/reports/%d", f.ReportOther.ID),
		"/search?q=" + url.QueryEscape("任务"), "/settings",
		// Notifications, webhooks and the Excel imports.
		"/notifications", "/notifications?unread=1", "/webhooks", fmt.Sprintf("/plans/%d/import", f.Plan.ID), "/reports/import"}
	paths = append(paths, isPagePaths(f)...) // inspections, rectification, the problem list
	paths = append(paths, mtPages(f)...)
	paths = append(paths, scPages(f)...)
	paths = append(paths, blPages(f)...)
	paths = append(paths, wbPages(f)...)
	paths = append(paths, wtPages(f)...)
	rendered := 0
	for _, role := range access.Roles {
		login := strings.ReplaceAll(string(role), "_", "-")
		tok := f.token(login)
		for _, lang := range i18n.Languages {
			for _, p := range paths {
				res := f.do("GET", p, "", nil, map[string]string{"Cookie": "concord_session=" + tok + "; concord_lang=" + lang})
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s %s: status %d", role, lang, p, res.StatusCode)
				}
				if strings.Contains(res.Body, i18n.Missing) {
					i := strings.Index(res.Body, i18n.Missing)
					t.Errorf("%s %s %s: missing text near %q", role, lang, p, res.Body[i:min(len(res.Body), i+60)])
				}
				if !strings.Contains(res.Body, `<html lang="`+lang+`"`) {
					t.Errorf("%s %s %s: page not in %s", role, lang, p, lang)
				}
				rendered++
			}
		}
	}
	// Signed out, the login page too.
	for _, lang := range i18n.Languages {
		res := f.do("GET", "/login", "", nil, map[string]string{"Cookie": "concord_lang=" + lang})
		if res.StatusCode != 200 || strings.Contains(res.Body, i18n.Missing) {
			t.Errorf("login %s: %d", lang, res.StatusCode)
		}
	}
	if rendered == 0 {
		t.Fatal("rendered nothing")
	}
}

func TestSignedOutUIRedirectsToLogin(t *testing.T) {
	f := newFixture(t, db.SQLite)
	res := f.do("GET", "/units", "", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Funits" {
		t.Fatalf("got %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := f.do("GET", "/api/v1/units", "", nil, nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("API: got %d", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, db.SQLite)
	res := f.do("GET", "/login", "", nil, nil)
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline'; img") && strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP: %q", csp)
	}
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "X-Request-ID"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if strings.Contains(res.Body, "<script>") || strings.Contains(res.Body, "onclick=") {
		t.Error("inline script in the login page")
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/static/app.css", "/static/vendor/htmx-2.0.11.min.js", "/static/vendor/echarts-5.6.0.min.js"} {
		if res := f.do("GET", p, "", nil, nil); res.StatusCode != 200 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}
