package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/problems"
)

// TestDashboardSupervision: the dashboard shows the decisions by status
// with the overdue one listed, the open rectification items by unit and
// the open problems, each counted once.
func TestDashboardSupervision(t *testing.T) {
	f := newFixture(t, db.SQLite)
	coord := uiCtx(f.Users[access.Coordinator])
	today := clock.Today(clock.System)
	m, err := f.Srv.Meetings.CreateMeeting(coord, meetings.Input{Kind: meetings.KindOffice, Title: "协调办公室会议", HeldOn: today.AddDays(-30), HostUnitID: f.Own.ID,
		Agenda: []meetings.AgendaItem{{Title: "港口协同"}}})
	if err == nil {
		m, err = f.Srv.Meetings.SetStatus(coord, m.ID, meetings.Held, m.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	var area int64
	if err := f.DB.R.QueryRow(`SELECT min(id) FROM areas`).Scan(&area); err != nil {
		t.Fatal(err)
	}
	decide := func(text string, due clock.Date) meetings.Decision {
		d, err := f.Srv.Meetings.SaveDecision(coord, m.ID, 0, meetings.DecisionInput{AgendaItemID: m.Agenda[0].ID, Text: text, AreaID: area, LeadUnitID: f.Other.ID, DueOn: due}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	late := decide("打通港口集疏运通道", today.AddDays(-5))
	decide("研究港口协同发展机制", today.AddDays(30))
	if _, err := f.Srv.Meetings.AssignTask(coord, late.ID, meetings.TaskSpec{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Plans.Daily(context.Background(), today); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Srv.Inspect.OpenRectification(coord, inspect.RectInput{SourceKind: "inspection", SourceRef: "现场检查", UnitID: f.Other.ID, Requirement: "补齐台账", DueOn: today}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Srv.Problems.Raise(uiCtx(f.Users[access.Reporter]), problems.Input{Category: "policy", Title: "政策互认", Ask: "请协调", UnitIDs: []int64{f.Other.ID}}); err != nil {
		t.Fatal(err)
	}

	// No scorecard published yet: the block says so.
	res := uiGet(f, pmLogin(f, "inspector"), "/")
	wantIn(t, "dashboard", res, zh("supervision.dash.no_scorecard"))
	card := scCard(f, "本月考核", true)

	res = uiGet(f, pmLogin(f, "inspector"), "/")
	wantIn(t, "dashboard", res, `data-chart="dash-ranking-chart"`, fmt.Sprintf(`<a href="/scorecards/%d">本月考核</a>`, card.ID),
		zh("supervision.dash.scorecard_period", card.StartsOn, card.EndsOn, 1))
	wantIn(t, "dashboard", res, `data-chart="decision-chart"`, `data-chart="rect-chart"`,
		zh("supervision.dash.decisions_summary", 2, 1), zh("supervision.dash.problems_summary", 1, 0), zh("supervision.dash.rects_summary", 1, 0),
		fmt.Sprintf(`<a href="/meetings/%d">打通港口集疏运通道</a>`, m.ID), `href="/problems?status=raised"><span class="num">1</span>`,
		zh("meeting.decision.status.overdue"), zh("meeting.decision.status.unassigned"), zh("supervision.dash.in_time"))

	// The same figures through the API.
	api := f.do("GET", "/api/v1/dashboard/supervision", f.token("viewer"), nil, nil)
	var got struct {
		Decisions struct {
			Total   int            `json:"total"`
			Totals  map[string]int `json:"totals"`
			Overdue []struct {
				ID int64 `json:"id"`
			} `json:"overdue"`
		} `json:"decisions"`
		Rects struct {
			Open   int `json:"open"`
			ByUnit []struct {
				UnitID int64 `json:"unit_id"`
			} `json:"by_unit"`
		} `json:"rectifications"`
		Problems struct {
			Open     int            `json:"open"`
			ByStatus map[string]int `json:"by_status"`
		} `json:"problems"`
		Scorecard *struct {
			Scorecard struct {
				ID int64 `json:"id"`
			} `json:"scorecard"`
			Ranking []struct {
				Rank   int   `json:"rank"`
				UnitID int64 `json:"unit_id"`
			} `json:"ranking"`
		} `json:"scorecard"`
	}
	if err := json.Unmarshal([]byte(api.Body), &got); err != nil || api.StatusCode != http.StatusOK {
		t.Fatalf("GET supervision: %d %s %v", api.StatusCode, api.Body, err)
	}
	if got.Decisions.Total != 2 || got.Decisions.Totals["overdue"] != 1 || len(got.Decisions.Overdue) != 1 || got.Decisions.Overdue[0].ID != late.ID ||
		got.Rects.Open != 1 || len(got.Rects.ByUnit) != 1 || got.Rects.ByUnit[0].UnitID != f.Other.ID || got.Problems.Open != 1 || got.Problems.ByStatus["raised"] != 1 {
		t.Errorf("supervision = %+v", got)
	}
	if got.Scorecard == nil || got.Scorecard.Scorecard.ID != card.ID || len(got.Scorecard.Ranking) == 0 || got.Scorecard.Ranking[0].Rank != 1 {
		t.Errorf("current scorecard = %+v", got.Scorecard)
	}
}

// TestBriefSupervisionSections: with the inspections and the problem list
// wired in as in the app, the brief page carries their sections.
func TestBriefSupervisionSections(t *testing.T) {
	f := newFixture(t, db.SQLite)
	f.Srv.BriefSections = []meetings.SectionProvider{f.Srv.Inspect, f.Srv.Problems}
	coord := uiCtx(f.Users[access.Coordinator])
	today := clock.Today(clock.System)
	m, err := f.Srv.Meetings.CreateMeeting(coord, meetings.Input{Kind: meetings.KindOffice, Title: "协调办公室会议", HeldOn: today.AddDays(7), HostUnitID: f.Own.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Srv.Inspect.OpenRectification(coord, inspect.RectInput{SourceKind: "inspection", SourceRef: "现场检查", UnitID: f.Other.ID, Requirement: "补齐台账", DueOn: today}); err != nil {
		t.Fatal(err)
	}
	res := uiGet(f, pmLogin(f, "viewer"), fmt.Sprintf("/meetings/%d/brief", m.ID))
	wantIn(t, "brief", res, zh("inspect.brief.s_units"), "<td>他单位</td><td>0</td><td>1</td><td>0</td><td>1</td><td>0</td>",
		zh("inspect.brief.s_overdue"), zh("problems.brief.s_problems"), "<p>"+zh("meeting.brief.none")+"</p>")
}

// TestSupervisionFollowsChanges: the dashboard's supervision block is
// drawn once for everyone; a change made through this instance shows at the
// next visit, one made by another instance within the 10 seconds the plans
// dashboard may lag too.
func TestSupervisionFollowsChanges(t *testing.T) {
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) { supervisionFollowsChanges(t, e) })
	}
}

func supervisionFollowsChanges(t *testing.T, e db.Engine) {
	f := newFixture(t, e)
	fake := clock.NewFake(time.Now())
	f.Plans.Clock = fake
	s := pmLogin(f, "inspector")
	open := func(n int) string { return zh("supervision.dash.problems_summary", n, 0) }
	wantIn(t, "no problem", uiGet(f, s, "/"), open(0))

	raise := func(svc *problems.Service) {
		t.Helper()
		if _, err := svc.Raise(uiCtx(f.Users[access.Reporter]), problems.Input{Category: "policy", Title: "政策互认", Ask: "请协调", UnitIDs: []int64{f.Other.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	raise(f.Srv.Problems)
	wantIn(t, "raised here", uiGet(f, s, "/"), open(1))

	raise(&problems.Service{DB: f.DB, Clock: clock.System, Plans: f.Plans})
	wantIn(t, "raised elsewhere, within the window", uiGet(f, s, "/"), open(1))
	fake.Advance(10 * time.Second)
	wantIn(t, "raised elsewhere, after the window", uiGet(f, s, "/"), open(2))
}
