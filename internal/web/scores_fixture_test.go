package web_test

import (
	"fmt"
	"net/url"
	"strings"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/scores"
)

// The scorecards' rules in the permission matrix, and the request bodies of
// their API for TestOpenAPI.
func init() {
	pmRules[access.ViewScores] = map[access.Role]pmReach{
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	}
	pmRules[access.ManageScores] = map[access.Role]pmReach{access.Coordinator: pmAny}
	pmRules[access.AppealScore] = map[access.Role]pmReach{access.Reporter: pmOwn, access.UnitLeader: pmOwn}
	for id, body := range map[string]any{
		"createScoreModel": scores.ModelInput{},
		"updateScoreModel": scores.ModelInput{},
		"createScorecard":  scores.ScorecardInput{},
		"setManualScore":   scores.ManualInput{},
		"correctScorecard": oaFields{"reason": nil},                  // web.reasonBody
		"fileAppeal":       oaFields{"position": nil, "reason": nil}, // web.appealBody
		"ruleAppeal":       scores.Ruling{},
	} {
		oaRequestBodies[id] = body
	}
}

// scModelInput is a model of one computed and one manual item.
func scModelInput(name string) scores.ModelInput {
	return scores.ModelInput{Name: name, Total: 100, AppealDays: 10, Items: []scores.Item{
		{Kind: scores.TaskOnTime, Label: "任务按期完成", Weight: 80, Cap: 40},
		{Kind: scores.Manual, Label: "领导评价", Weight: 20, Cap: 20},
	}}
}

// scCard makes a model and a scorecard of this month, published when asked.
func scCard(f *fixture, title string, publish bool) scores.Scorecard {
	f.t.Helper()
	s, ctx := f.Srv.Scores, apCoordinator(f)
	m, err := s.CreateModel(ctx, scModelInput(title))
	if err != nil {
		f.t.Fatal(err)
	}
	first := clock.DateOf(clock.Today(clock.System).Time().Year(), clock.Today(clock.System).Time().Month(), 1)
	c, err := s.CreateScorecard(ctx, scores.ScorecardInput{ModelID: m.ID, Title: title, PeriodKind: scores.Month, StartsOn: first})
	if err == nil && publish {
		c, err = s.Publish(ctx, c.ID, c.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// scAppeal is a pending appeal of the own unit on a published scorecard.
func scAppeal(f *fixture, c scores.Scorecard) scores.Appeal {
	f.t.Helper()
	a, err := f.Srv.Scores.FileAppeal(apAs(f.Users[access.Reporter]), c.ID, scores.AppealInput{UnitID: f.Own.ID, Position: 1, Reason: "任务延期经会议同意"})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// scSample is the fixture's published scorecard and its appeal, made the
// first time.
func scSample(f *fixture) (scores.Scorecard, scores.Appeal) {
	f.t.Helper()
	var appeal int64
	f.DB.R.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM score_appeals`).Scan(&appeal)
	if appeal != 0 {
		a, err := f.Srv.Scores.Appeal(apCoordinator(f), appeal)
		var c scores.Scorecard
		if err == nil {
			c, err = f.Srv.Scores.Scorecard(apCoordinator(f), a.ScorecardID)
		}
		if err != nil {
			f.t.Fatal(err)
		}
		return c, a
	}
	c := scCard(f, "矩阵考核", true)
	return c, scAppeal(f, c)
}

// scTargets fills in the scorecards' path parameters, or returns nil when
// the path is none of theirs. An appeal is made for a unit named in the path.
func scTargets(f *fixture, p string) []pmTarget {
	if !strings.Contains(p, "/score-models/{id}") && !strings.Contains(p, "/scorecards/{id}") && !strings.Contains(p, "/appeals/{id}") {
		return nil
	}
	c, a := scSample(f)
	fill := func(unit int64, pos string) string {
		return strings.NewReplacer("/score-models/{id}", fmt.Sprintf("/score-models/%d", c.ModelID), "/scorecards/{id}", fmt.Sprintf("/scorecards/%d", c.ID),
			"/appeals/{id}", fmt.Sprintf("/appeals/%d", a.ID), "{unit}", fmt.Sprint(unit), "{position}", pos).Replace(p)
	}
	if strings.HasSuffix(p, "/units/{unit}/appeals") {
		return []pmTarget{{path: fill(f.Own.ID, ""), unit: "own"}, {path: fill(f.Other.ID, ""), unit: "other"}}
	}
	return []pmTarget{{path: fill(f.Own.ID, "1")}}
}

// arScoreCases are arCases for the scorecards' JSON routes; each makes its
// own objects.
func arScoreCases() map[string]func(f *fixture) arCall {
	coord := func(f *fixture) string { return f.token("coordinator") }
	return map[string]func(f *fixture) arCall{
		"POST /api/v1/score-models": func(f *fixture) arCall {
			bad := scModelInput("审计模型")
			bad.Total = 90
			return arCall{method: "POST", path: "/api/v1/score-models", token: coord(f), json: scModelInput("审计模型"), status: 201,
				action: "score_model.create", objectType: "score_model", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"name", arAbsent, "审计模型"}, {"total", arAbsent, 100}}, invalid: bad}
		},
		"PUT /api/v1/score-models/{id}": func(f *fixture) arCall {
			m, err := f.Srv.Scores.CreateModel(apCoordinator(f), scModelInput("审计模型（改）"))
			if err != nil {
				f.t.Fatal(err)
			}
			in := scModelInput("审计模型（已改）")
			in.AppealDays = 5
			bad := in
			bad.Items = nil
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/score-models/%d", m.ID), token: coord(f), header: arIfMatch(m.Version), json: in, status: 200,
				action: "score_model.update", objectType: "score_model", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"appeal_days", 10, 5}, {"version", m.Version, m.Version + 1}}, invalid: bad}
		},
		"POST /api/v1/scorecards": func(f *fixture) arCall {
			m, err := f.Srv.Scores.CreateModel(apCoordinator(f), scModelInput("审计考核模型"))
			if err != nil {
				f.t.Fatal(err)
			}
			body := map[string]any{"model_id": m.ID, "title": "审计考核", "period_kind": "year", "starts_on": "2026-01-01"}
			return arCall{method: "POST", path: "/api/v1/scorecards", token: coord(f), json: body, status: 201,
				action: "scorecard.create", objectType: "scorecard", actor: "coordinator", objectID: arCreatedID,
				changes: []arChange{{"title", arAbsent, "审计考核"}, {"ends_on", arAbsent, "2026-12-31"}},
				invalid: map[string]any{"model_id": m.ID, "title": "审计考核", "period_kind": "week", "starts_on": "2026-01-01"}}
		},
		"PUT /api/v1/scorecards/{id}/manual": func(f *fixture) arCall {
			c := scCard(f, "审计人工评分", false)
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/scorecards/%d/manual", c.ID), token: coord(f), header: arIfMatch(c.Version),
				json: map[string]any{"unit_id": f.Own.ID, "position": 2, "points": 18, "note": "配合积极"}, status: 200,
				action: "scorecard.manual", objectType: "scorecard", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"version", c.Version, c.Version + 1}},
				invalid: map[string]any{"unit_id": f.Own.ID, "position": 2, "points": 21}}
		},
		"POST /api/v1/scorecards/{id}/publication": func(f *fixture) arCall {
			c := scCard(f, "审计发布", false)
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/scorecards/%d/publication", c.ID), token: coord(f), header: arIfMatch(c.Version), status: 200,
				action: "scorecard.publish", objectType: "scorecard", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"status", "draft", "published"}, {"revision", 0, 1}}}
		},
		"POST /api/v1/scorecards/{id}/correction": func(f *fixture) arCall {
			c := scCard(f, "审计更正", true)
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/scorecards/%d/correction", c.ID), token: coord(f), header: arIfMatch(c.Version),
				json: map[string]string{"reason": "补录数据"}, status: 200,
				action: "scorecard.correct", objectType: "scorecard", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"revision", 1, 2}}, invalid: map[string]string{"reason": " "}}
		},
		"POST /api/v1/scorecards/{id}/units/{unit}/appeals": func(f *fixture) arCall {
			c := scCard(f, "审计申诉", true)
			return arCall{method: "POST", path: fmt.Sprintf("/api/v1/scorecards/%d/units/%d/appeals", c.ID, f.Own.ID), token: f.token("reporter"),
				json: map[string]any{"position": 1, "reason": "任务延期经会议同意"}, status: 201,
				action: "score_appeal.file", objectType: "score_appeal", actor: "reporter", objectID: arCreatedID,
				changes: []arChange{{"status", arAbsent, "pending"}, {"position", arAbsent, 1}}, invalid: map[string]any{"position": 1, "reason": ""}}
		},
		"PUT /api/v1/appeals/{id}/ruling": func(f *fixture) arCall {
			a := scAppeal(f, scCard(f, "审计裁定", true))
			return arCall{method: "PUT", path: fmt.Sprintf("/api/v1/appeals/%d/ruling", a.ID), token: coord(f), header: arIfMatch(a.Version),
				json: map[string]any{"uphold": true, "points": 70, "reason": "会议纪要可证"}, status: 200,
				action: "score_appeal.rule", objectType: "score_appeal", actor: "coordinator", objectID: arID(a.ID),
				changes: []arChange{{"status", "pending", "upheld"}, {"points", arAbsent, 70}}, invalid: map[string]any{"uphold": false}}
		},
		// ---- pages ----
		"POST /scorecards": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, err := f.Srv.Scores.CreateModel(apCoordinator(f), scModelInput("界面考核模型"))
			if err != nil {
				f.t.Fatal(err)
			}
			form := url.Values{"model_id": {fmt.Sprint(m.ID)}, "title": {"界面考核"}, "period_kind": {"quarter"}, "starts_on": {"2026-04-01"}}
			return arCall{method: "POST", path: "/scorecards", ui: &s, form: form, status: 303,
				action: "scorecard.create", objectType: "scorecard", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"title", arAbsent, "界面考核"}, {"ends_on", arAbsent, "2026-06-30"}},
				invalid: url.Values{"model_id": {fmt.Sprint(m.ID)}, "title": {"界面考核"}, "period_kind": {"quarter"}, "starts_on": {"2026-05-01"}}}
		},
		"POST /score-models": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			form := url.Values{"name": {"界面模型"}, "total": {"100"}, "appeal_days": {"7"},
				"items[0].kind": {"task_on_time"}, "items[0].label": {"任务"}, "items[0].weight": {"60"}, "items[0].cap": {"30"},
				"items[1].kind": {"manual"}, "items[1].label": {"领导评价"}, "items[1].weight": {"40"}, "items[1].cap": {"20"},
				"items[2].kind": {""}, "items[2].label": {""}, "items[2].weight": {""}, "items[2].cap": {""}}
			bad := url.Values{"name": {"界面模型"}, "total": {"100"}, "appeal_days": {"7"},
				"items[0].kind": {"task_on_time"}, "items[0].label": {"任务"}, "items[0].weight": {"60"}, "items[0].cap": {"30"}}
			return arCall{method: "POST", path: "/score-models", ui: &s, form: form, status: 303,
				action: "score_model.create", objectType: "score_model", actor: "coordinator", objectID: arLocationID,
				changes: []arChange{{"name", arAbsent, "界面模型"}, {"items", arAbsent, arSet}}, invalid: bad}
		},
		"POST /score-models/{id}": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			m, err := f.Srv.Scores.CreateModel(apCoordinator(f), scModelInput("界面模型（改）"))
			if err != nil {
				f.t.Fatal(err)
			}
			form := url.Values{"version": {fmt.Sprint(m.Version)}, "name": {"界面模型（已改）"}, "total": {"100"}, "appeal_days": {"7"},
				"items[0].kind": {"report_on_time"}, "items[0].label": {"报送及时"}, "items[0].weight": {"100"}, "items[0].cap": {"50"}}
			return arCall{method: "POST", path: fmt.Sprintf("/score-models/%d", m.ID), ui: &s, form: form, status: 303,
				action: "score_model.update", objectType: "score_model", actor: "coordinator", objectID: arID(m.ID),
				changes: []arChange{{"name", "界面模型（改）", "界面模型（已改）"}, {"appeal_days", 10, 7}},
				invalid: url.Values{"version": {fmt.Sprint(m.Version)}, "name": {"x"}, "total": {"100"}, "appeal_days": {"7"},
					"items[0].kind": {"report_on_time"}, "items[0].label": {"报送及时"}, "items[0].weight": {"90"}, "items[0].cap": {"50"}}}
		},
		"POST /scorecards/{id}/manual": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			c := scCard(f, "界面人工评分", false)
			form := url.Values{"version": {fmt.Sprint(c.Version)}, "unit_id": {fmt.Sprint(f.Own.ID)}, "position": {"2"}, "points": {"15"}}
			return arCall{method: "POST", path: fmt.Sprintf("/scorecards/%d/manual", c.ID), ui: &s, form: form, status: 303,
				action: "scorecard.manual", objectType: "scorecard", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"version", c.Version, c.Version + 1}},
				invalid: url.Values{"version": {fmt.Sprint(c.Version)}, "unit_id": {fmt.Sprint(f.Own.ID)}, "position": {"1"}, "points": {"15"}}}
		},
		"POST /scorecards/{id}/publish": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			c := scCard(f, "界面发布", false)
			return arCall{method: "POST", path: fmt.Sprintf("/scorecards/%d/publish", c.ID), ui: &s, form: url.Values{"version": {fmt.Sprint(c.Version)}}, status: 303,
				action: "scorecard.publish", objectType: "scorecard", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"status", "draft", "published"}}, invalid: url.Values{"version": {"x"}}}
		},
		"POST /scorecards/{id}/correct": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			c := scCard(f, "界面更正", true)
			return arCall{method: "POST", path: fmt.Sprintf("/scorecards/%d/correct", c.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(c.Version)}, "reason": {"补录数据"}},
				action: "scorecard.correct", objectType: "scorecard", actor: "coordinator", objectID: arID(c.ID),
				changes: []arChange{{"revision", 1, 2}}, invalid: url.Values{"version": {fmt.Sprint(c.Version)}, "reason": {""}}}
		},
		"POST /scorecards/{id}/units/{unit}/appeals": func(f *fixture) arCall {
			s := pmLogin(f, "unit-leader")
			c := scCard(f, "界面申诉", true)
			return arCall{method: "POST", path: fmt.Sprintf("/scorecards/%d/units/%d/appeals", c.ID, f.Own.ID), ui: &s, status: 303,
				form:   url.Values{"position": {"1"}, "reason": {"任务延期经会议同意"}},
				action: "score_appeal.file", objectType: "score_appeal", actor: "unit-leader", objectID: arCreatedAppeal(f, c.ID),
				changes: []arChange{{"status", arAbsent, "pending"}}, invalid: url.Values{"position": {"1"}, "reason": {""}}}
		},
		"POST /appeals/{id}/ruling": func(f *fixture) arCall {
			s := pmLogin(f, "coordinator")
			a := scAppeal(f, scCard(f, "界面裁定", true))
			return arCall{method: "POST", path: fmt.Sprintf("/appeals/%d/ruling", a.ID), ui: &s, status: 303,
				form:   url.Values{"version": {fmt.Sprint(a.Version)}, "verdict": {"reject"}, "reason": {"证据不足"}},
				action: "score_appeal.rule", objectType: "score_appeal", actor: "coordinator", objectID: arID(a.ID),
				changes: []arChange{{"status", "pending", "rejected"}, {"ruling", "", "证据不足"}},
				invalid: url.Values{"version": {fmt.Sprint(a.Version)}, "verdict": {"reject"}, "reason": {""}}}
		},
	}
}

// arCreatedAppeal is the id of the appeal filed on scorecard c: the page
// goes back to the scorecard, not to the appeal.
func arCreatedAppeal(f *fixture, c int64) func(result) string {
	return func(result) string {
		var id int64
		f.DB.R.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM score_appeals WHERE scorecard_id = $1`, c).Scan(&id)
		return fmt.Sprint(id)
	}
}

// scPages are the scorecards' pages, for the test of every page in every
// language: the list, the models, a draft and a published scorecard with
// an appeal upheld and one pending, and one score's records.
func scPages(f *fixture) []string {
	f.t.Helper()
	c, a := scSample(f)
	points := 60.0
	if _, err := f.Srv.Scores.Rule(apCoordinator(f), a.ID, scores.Ruling{Uphold: true, Points: &points, Reason: "会议纪要可证"}, a.Version); err != nil {
		f.t.Fatal(err)
	}
	scAppeal(f, c)
	draft := scCard(f, "草稿考核", false)
	return []string{"/scorecards", "/score-models", fmt.Sprintf("/score-models/%d", c.ModelID), fmt.Sprintf("/scorecards/%d", c.ID),
		fmt.Sprintf("/scorecards/%d", draft.ID), fmt.Sprintf("/scorecards/%d/units/%d/items/1", c.ID, f.Own.ID),
		fmt.Sprintf("/scorecards/%d/units/%d/items/2", c.ID, f.Other.ID)}
}
