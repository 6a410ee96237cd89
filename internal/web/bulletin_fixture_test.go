package web_test

import (
	"fmt"
	"net/url"
	"strings"

	"concord/internal/access"
	"concord/internal/alliance"
	"concord/internal/bulletin"
	"concord/internal/clock"
)

// The bulletins' rules in the permission matrix and their request bodies
// in the OpenAPI check.
func init() {
	pmRules[access.ViewBulletins] = map[access.Role]pmReach{
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	}
	pmRules[access.ManageBulletins] = map[access.Role]pmReach{access.Coordinator: pmAny}
	oaRequestBodies["createBulletin"] = bulletin.Input{}
	oaRequestBodies["updateBulletin"] = bulletin.Input{}
	oaRequestBodies["correctBulletin"] = bulletin.Correction{}
}

// blService is a bulletins service on the fixture's store.
func blService(f *fixture) *bulletin.Service {
	return &bulletin.Service{DB: f.DB, Clock: clock.System, Alliance: &alliance.Service{DB: f.DB}}
}

// blInput is a bulletin of the last month.
func blInput(title string) bulletin.Input {
	today := clock.Today(clock.System)
	return bulletin.Input{Title: title, Number: "辽沿海办督〔2026〕3号", Issuer: "协调办公室", Lang: "zh-Hans", PeriodFrom: today.AddDays(-30), PeriodTo: today,
		Notes: "大连市建立任务台账周调度机制。"}
}

// blDraft drafts a bulletin through the service, as the office.
func blDraft(f *fixture, title string) bulletin.Bulletin {
	f.t.Helper()
	b, err := blService(f).Create(apCoordinator(f), blInput(title))
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// blPublished drafts and publishes a bulletin.
func blPublished(f *fixture, title string) bulletin.Bulletin {
	f.t.Helper()
	b := blDraft(f, title)
	b, err := blService(f).Publish(apCoordinator(f), b.ID, b.Version)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// blMatrixID is the sample bulletin for a bulletins route's {id}, made the
// first time; 0 when the path is not a bulletin's.
func blMatrixID(f *fixture, path string) int64 {
	if !strings.Contains(path, "/bulletins/{id}") {
		return 0
	}
	var id int64
	f.DB.R.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM bulletins`).Scan(&id)
	if id == 0 {
		id = blDraft(f, "矩阵通报").ID
	}
	return id
}

// blPages are the bulletins' pages, for the test of every page in every
// language: the list, a draft, and a published bulletin with a correction.
func blPages(f *fixture) []string {
	f.t.Helper()
	draft := blDraft(f, "草稿通报")
	b := blPublished(f, "已发布通报")
	c := bulletin.Correction{Title: b.Title, Number: "辽沿海办督〔2026〕4号", Issuer: b.Issuer, Notes: b.Notes, Reason: "文号有误"}
	if _, err := blService(f).Correct(apCoordinator(f), b.ID, c, b.Version); err != nil {
		f.t.Fatal(err)
	}
	return []string{"/bulletins", fmt.Sprintf("/bulletins/%d", draft.ID), fmt.Sprintf("/bulletins/%d", b.ID)}
}

// arBulletinCases are arCases for the bulletins' JSON routes and pages;
// each case makes its own bulletin.
func arBulletinCases() map[string]func(f *fixture) arCall {
	body := func(title string) map[string]any {
		in := blInput(title)
		return map[string]any{"title": in.Title, "number": in.Number, "issuer": in.Issuer, "lang": in.Lang, "period_from": in.PeriodFrom, "period_to": in.PeriodTo, "notes": in.Notes}
	}
	form := func(title string, version int) url.Values {
		in := blInput(title)
		v := url.Values{"title": {in.Title}, "number": {in.Number}, "issuer": {in.Issuer}, "lang": {in.Lang},
			"period_from": {in.PeriodFrom.String()}, "period_to": {in.PeriodTo.String()}, "notes": {in.Notes}}
		if version > 0 {
			v.Set("version", fmt.Sprint(version))
		}
		return v
	}
	bad := func(title string) map[string]any {
		b := body(title)
		b["period_to"] = clock.DateOf(2000, 1, 1)
		return b
	}
	badForm := func(title string, version int) url.Values {
		v := form(title, version)
		v.Set("period_to", "2000-01-01")
		return v
	}
	correction := func(b bulletin.Bulletin, reason string) map[string]any {
		return map[string]any{"title": b.Title, "number": "辽沿海办督〔2026〕9号", "issuer": b.Issuer, "notes": b.Notes, "reason": reason}
	}
	return map[string]func(f *fixture) arCall{
		"POST /api/v1/bulletins": func(f *fixture) arCall {
			return arCall{method: "POST", path: "/api/v1/bulletins", token: f.token("coordinator"), json: body("审计通报"), status: 201,
				action: "bulletin.create", objectType: "bulletin", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"title", arAbsent, "审计通报"}, {"status", arAbsent, "draft"}}, invalid: bad("审计通报")}
		},
		"PUT /api/v1/bulletins/{id}": func(f *fixture) arCall {
			b := blDraft(f, "审计修改")
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/bulletins/%d", b.ID), token: f.token("coordinator"), header: arIfMatch(b.Version),
				json: body("审计修改（改）"), status: 200, action: "bulletin.update", objectType: "bulletin", actor: "coordinator", objectID: arID(b.ID),
				changes: []arChange{{"title", "审计修改", "审计修改（改）"}, {"version", b.Version, b.Version + 1}}, invalid: bad("审计修改（改）")}
		},
		"POST /api/v1/bulletins/{id}/publish": func(f *fixture) arCall {
			b := blDraft(f, "审计发布")
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/bulletins/%d/publish", b.ID), token: f.token("coordinator"), header: arIfMatch(b.Version),
				status: 200, action: "bulletin.publish", objectType: "bulletin", actor: "coordinator", objectID: arID(b.ID),
				changes: []arChange{{"status", "draft", "published"}, {"document", arAbsent, arSet}}}
		},
		"POST /api/v1/bulletins/{id}/correction": func(f *fixture) arCall {
			b := blPublished(f, "审计更正")
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/bulletins/%d/correction", b.ID), token: f.token("coordinator"), header: arIfMatch(b.Version),
				json: correction(b, "文号有误"), status: 200, action: "bulletin.correct", objectType: "bulletin", actor: "coordinator", objectID: arID(b.ID),
				changes: []arChange{{"number", "辽沿海办督〔2026〕3号", "辽沿海办督〔2026〕9号"}, {"revision", 0, 1}}, invalid: correction(b, "")}
		},
		"POST /bulletins": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			return arCall{method: "POST", path: "/bulletins", ui: &s, form: form("界面通报", 0), status: 303,
				action: "bulletin.create", objectType: "bulletin", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"title", arAbsent, "界面通报"}}, invalid: badForm("界面通报", 0)}
		},
		"POST /bulletins/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			b := blDraft(f, "界面修改")
			return arCall{method: "POST", path: fmt.Sprintf("/bulletins/%d", b.ID), ui: &s, form: form("界面修改（改）", b.Version), status: 303,
				action: "bulletin.update", objectType: "bulletin", actor: "coordinator", objectID: arID(b.ID),
				changes: []arChange{{"title", "界面修改", "界面修改（改）"}}, invalid: badForm("界面修改（改）", b.Version)}
		},
		"POST /bulletins/{id}/publish": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			b := blDraft(f, "界面发布")
			return arCall{method: "POST", path: fmt.Sprintf("/bulletins/%d/publish", b.ID), ui: &s, form: url.Values{"version": {fmt.Sprint(b.Version)}}, status: 303,
				action: "bulletin.publish", objectType: "bulletin", actor: "coordinator", objectID: arID(b.ID),
				changes: []arChange{{"status", "draft", "published"}}, invalid: url.Values{"version": {"x"}}}
		},
		"POST /bulletins/{id}/correction": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			b := blPublished(f, "界面更正")
			v := url.Values{"version": {fmt.Sprint(b.Version)}, "title": {b.Title}, "number": {"辽沿海办督〔2026〕9号"}, "issuer": {b.Issuer}, "notes": {b.Notes}, "reason": {"文号有误"}}
			invalid := url.Values{"version": {fmt.Sprint(b.Version)}, "title": {b.Title}, "issuer": {b.Issuer}}
			return arCall{method: "POST", path: fmt.Sprintf("/bulletins/%d/correction", b.ID), ui: &s, form: v, status: 303,
				action: "bulletin.correct", objectType: "bulletin", actor: "coordinator", objectID: arID(b.ID),
				changes: []arChange{{"number", "辽沿海办督〔2026〕3号", "辽沿海办督〔2026〕9号"}, {"revision", 0, 1}}, invalid: invalid}
		},
	}
}
