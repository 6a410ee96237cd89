package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/i18n"
	"concord/internal/inspect"
	"concord/internal/problems"
)

// isPost posts a form as login and insists on the status.
func isPost(t *testing.T, f *fixture, login, path string, body any, contentType string, want int) result {
	t.Helper()
	s := pmLogin(f, login)
	h := map[string]string{"Cookie": "concord_session=" + s.token, "X-CSRF-Token": s.csrf, "Content-Type": contentType}
	if v, ok := body.(url.Values); ok {
		body, h["Content-Type"] = v.Encode(), "application/x-www-form-urlencoded"
	}
	res := f.do("POST", path, "", body, h)
	if res.StatusCode != want {
		t.Fatalf("POST %s as %s: %d, want %d: %s", path, login, res.StatusCode, want, pmSnippet(res.Body))
	}
	return res
}

// TestRectificationForms: the unit's response without evidence comes back
// with the error beside the file field; with a file it goes through, and
// the inspector's send-back needs a reason.
func TestRectificationForms(t *testing.T) {
	f := newFixture(t, db.SQLite)
	it := isObjects(f).RectOwn
	path := fmt.Sprintf("/rectifications/%d", it.ID)
	res := isPost(t, f, "reporter", path+"/respond", url.Values{"version": {fmt.Sprint(it.Version)}, "response": {"已整改"}}, "", 422)
	if want := i18n.T("zh-Hans", "error.rectification.no_evidence"); !strings.Contains(res.Body, want) {
		t.Fatalf("no evidence: the page does not say %q", want)
	}
	body := uiMultipart(url.Values{"version": {fmt.Sprint(it.Version)}, "response": {"已补齐台账"}}, "台账.pdf", string(apPDF))
	isPost(t, f, "reporter", path+"/respond", body, "multipart/form-data; boundary="+uiBoundary, 303)
	it, err := f.Srv.Inspect.Rectification(apAs(f.Users[access.Viewer]), it.ID)
	if err != nil || it.Status != inspect.Responded {
		t.Fatalf("after the form: %+v %v", it, err)
	}
	isPost(t, f, "inspector", path+"/verify", url.Values{"version": {fmt.Sprint(it.Version)}, "verdict": {"return"}}, "", 422)
	isPost(t, f, "inspector", path+"/verify", url.Values{"version": {fmt.Sprint(it.Version)}, "verdict": {"accept"}}, "", 303)
	page := f.do("GET", path, f.token("viewer"), nil, nil)
	if !strings.Contains(page.Body, "台账.pdf") || !strings.Contains(page.Body, i18n.T("zh-Hans", "rectification.status.closed")) {
		t.Fatalf("the item's page does not show its file and closure: %s", pmSnippet(page.Body))
	}
	// A bad filter is answered on the list page.
	if res := f.do("GET", "/rectifications?status=lost", f.token("viewer"), nil, nil); res.StatusCode != 422 {
		t.Fatalf("bad filter: %d", res.StatusCode)
	}
}

// TestProblemForms: a problem raised on the list page, triaged, answered
// and confirmed through the problem page's forms.
func TestProblemForms(t *testing.T) {
	f := newFixture(t, db.SQLite)
	raise := url.Values{"category": {"funding"}, "title": {"港口资金"}, "ask": {"请协调资金"}, "unit_ids": {fmt.Sprint(f.Other.ID)}}
	res := isPost(t, f, "reporter", "/problems", raise, "", 303)
	path, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	viewer := apAs(f.Users[access.Viewer])
	get := func() problems.Problem {
		t.Helper()
		var id int64
		fmt.Sscanf(path, "/problems/%d", &id)
		p, err := f.Srv.Problems.Problem(viewer, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	v := func() string { return fmt.Sprint(get().Version) }
	due := clock.Today(clock.System).AddDays(10).String()
	isPost(t, f, "coordinator", path+"/triage", url.Values{"version": {v()}, "verdict": {"accept"}, "due_on": {due}}, "", 422)
	isPost(t, f, "coordinator", path+"/triage", url.Values{"version": {v()}, "verdict": {"accept"}, "handling_unit_id": {fmt.Sprint(f.Other.ID)}, "due_on": {due}}, "", 303)
	// The handling unit sees it in its workspace, then answers.
	if ws := f.do("GET", "/workspace", f.token("peer"), nil, nil); !strings.Contains(ws.Body, "港口资金") {
		t.Fatalf("the handling unit's workspace does not list the problem")
	}
	isPost(t, f, "peer", path+"/respond", url.Values{"version": {v()}, "response": {"已安排资金"}}, "", 303)
	isPost(t, f, "reporter", path+"/confirm", url.Values{"version": {v()}, "verdict": {"unsolved"}}, "", 422)
	isPost(t, f, "reporter", path+"/confirm", url.Values{"version": {v()}, "verdict": {"solved"}}, "", 303)
	if p := get(); p.Status != problems.Solved {
		t.Fatalf("after confirmation: %s", p.Status)
	}
}
