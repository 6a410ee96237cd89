package meetings_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"concord/internal/access"
	"concord/internal/accounts"
	"concord/internal/alliance"
	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/dbtest"
	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/meetings"
	"concord/internal/plans"
	"concord/internal/sheet/sheettest"
	"strconv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// world is a store with three cities, a coordinator, a leader per city and a
// viewer, on a fake clock starting 2018-08-01, the day of the first joint
// meeting.
type world struct {
	t       testing.TB
	DB      *db.DB
	Clock   *clock.Fake
	M       *meetings.Service
	Plans   *plans.Service
	A, B, C alliance.Unit
	Area    int64
	Coord   context.Context
	Viewer  context.Context
	Leader  map[int64]context.Context
}

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, DB: d, Clock: clock.NewFake(time.Date(2018, 8, 1, 9, 0, 0, 0, time.UTC)), Leader: map[int64]context.Context{}}
	w.Plans = &plans.Service{DB: d, Clock: w.Clock}
	w.M = &meetings.Service{DB: d, Clock: w.Clock, Plans: w.Plans}
	al := &alliance.Service{DB: d}
	acc := &accounts.Service{DB: d, Settings: accounts.DefaultSettings}
	if err := al.Init(ctx, alliance.Names{ZhHans: "辽宁沿海经济带"}); err != nil {
		t.Fatal(err)
	}
	sys := access.WithActor(ctx, &access.Actor{UserID: -1, Login: "setup", Roles: []access.Role{access.SysAdmin}})
	for _, area := range alliance.DefaultAreas {
		a, err := al.CreateArea(sys, area)
		if err != nil {
			t.Fatal(err)
		}
		if w.Area == 0 {
			w.Area = a.ID
		}
	}
	var units []alliance.Unit
	for _, n := range []struct{ code, name string }{{"dalian", "大连市"}, {"yingkou", "营口市"}, {"panjin", "盘锦市"}} {
		u, err := al.CreateUnit(sys, alliance.UnitInput{Code: n.code, Name: alliance.Names{ZhHans: n.name}, Kind: alliance.City})
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	w.A, w.B, w.C = units[0], units[1], units[2]
	user := func(login string, unit int64, role access.Role) context.Context {
		u, err := acc.Bootstrap(ctx, accounts.UserInput{Login: login, Name: login, Email: login + "@example.org", UnitID: unit, Password: "Password-2018", Roles: []access.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		return access.WithActor(ctx, &access.Actor{UserID: u.ID, Login: login, UnitID: unit, Roles: []access.Role{role}})
	}
	w.Coord = user("coord", w.A.ID, access.Coordinator)
	w.Viewer = user("viewer", w.B.ID, access.Viewer)
	for _, u := range units {
		w.Leader[u.ID] = user(u.Code+"-leader", u.ID, access.UnitLeader)
	}
	return w
}

// meeting records a leaders' meeting on day with one agenda item, and holds it.
func (w *world) meeting(title string, day clock.Date) meetings.Meeting {
	w.t.Helper()
	m, err := w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindLeaders, Title: title, HeldOn: day, Place: "盘锦", HostUnitID: w.C.ID,
		Attendees: []meetings.Attendee{{UnitID: w.C.ID, Person: "市长", Role: meetings.RoleHost}, {UnitID: w.A.ID, Person: "副市长", Role: meetings.RoleSpeaker}, {UnitID: w.B.ID, Role: meetings.RoleAttendee}},
		Agenda:    []meetings.AgendaItem{{Title: "审议三年行动计划", PresenterUnitID: w.A.ID}}})
	if err != nil {
		w.t.Fatal(err)
	}
	if m, err = w.M.SetStatus(w.Coord, m.ID, meetings.Held, m.Version); err != nil {
		w.t.Fatal(err)
	}
	return m
}

func (w *world) decide(m meetings.Meeting, text string, lead int64, due clock.Date) meetings.Decision {
	w.t.Helper()
	d, err := w.M.SaveDecision(w.Coord, m.ID, 0, meetings.DecisionInput{AgendaItemID: m.Agenda[0].ID, Text: text, AreaID: w.Area, LeadUnitID: lead, CoUnitIDs: []int64{w.C.ID}, DueOn: due}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func auditCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fields returns the names of the fields an error complains about.
func fields(err error) map[string]string {
	out := map[string]string{}
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			out[f.Field] = f.Key
		}
	}
	return out
}

func TestMeetingLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		_, err := w.M.CreateMeeting(w.Coord, meetings.Input{Kind: "party", Attendees: []meetings.Attendee{{UnitID: 999, Role: "guest"}}, Agenda: []meetings.AgendaItem{{}}})
		want := map[string]string{"kind": "error.choice", "title": "error.required", "held_on": "error.required", "host_unit_id": "error.required",
			"attendees.0.unit_id": "error.unit.unknown", "attendees.0.role": "error.choice", "agenda.0.title": "error.required"}
		if got := fields(err); len(got) != len(want) {
			t.Fatalf("fields = %v, want %v", got, want)
		} else {
			for f, k := range want {
				if got[f] != k {
					t.Errorf("field %s: %q, want %q", f, got[f], k)
				}
			}
		}
		if _, err := w.M.CreateMeeting(w.Viewer, meetings.Input{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("viewer creates a meeting: %v", err)
		}
		// A unit may send several people, but nobody comes twice.
		_, err = w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindOffice, Title: "办公室会议", HeldOn: clock.DateOf(2018, 7, 1), HostUnitID: w.A.ID,
			Attendees: []meetings.Attendee{{UnitID: w.A.ID, Person: "张主任", Role: meetings.RoleHost}, {UnitID: w.A.ID, Person: "李处长", Role: meetings.RoleSpeaker}, {UnitID: w.A.ID, Person: "张主任", Role: meetings.RoleAttendee}}})
		if got := fields(err); len(got) != 1 || got["attendees.2.unit_id"] != "error.meeting.attendee_twice" {
			t.Fatalf("attendee twice: %v", err)
		}
		m := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		if m.Status != meetings.Held || len(m.Attendees) != 3 || len(m.Agenda) != 1 {
			t.Fatalf("meeting = %+v", m)
		}
		if _, err := w.M.SetStatus(w.Coord, m.ID, meetings.Held, m.Version-1); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale version: %v", err)
		}
		// A decision names its responsible unit.
		_, err = w.M.SaveDecision(w.Coord, m.ID, 0, meetings.DecisionInput{AgendaItemID: m.Agenda[0].ID, Text: "共建港口联盟", AreaID: w.Area, DueOn: clock.DateOf(2018, 12, 31)}, 0)
		if got := fields(err)["lead_unit_id"]; got != "error.decision.no_lead" {
			t.Fatalf("decision without lead: %v", err)
		}
		_, err = w.M.SaveDecision(w.Coord, m.ID, 0, meetings.DecisionInput{AgendaItemID: 12345, Text: "x", AreaID: w.Area, LeadUnitID: w.A.ID, CoUnitIDs: []int64{w.A.ID}, DueOn: clock.DateOf(2018, 7, 1)}, 0)
		got := fields(err)
		if got["agenda_item_id"] != "error.decision.agenda_unknown" || got["co_unit_ids"] != "error.decision.co_is_lead" || got["due_on"] != "error.decision.due_before_meeting" {
			t.Fatalf("bad decision: %v", err)
		}
		dec := w.decide(m, "共建港口联盟", w.A.ID, clock.DateOf(2018, 12, 31))
		if dec.Status != meetings.Unassigned || dec.Version != 1 {
			t.Fatalf("decision = %+v", dec)
		}
		if _, err := w.M.SaveDecision(w.Coord, m.ID, dec.ID, meetings.DecisionInput{AgendaItemID: m.Agenda[0].ID, Text: "改", AreaID: w.Area, LeadUnitID: w.A.ID, DueOn: dec.DueOn}, 0); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale decision: %v", err)
		}
		// An agenda item with decisions stays.
		m, _ = w.M.Meeting(w.Coord, m.ID)
		in := meetings.Input{Kind: m.Kind, Title: m.Title, HeldOn: m.HeldOn, Place: m.Place, HostUnitID: m.HostUnitID, Attendees: m.Attendees}
		if _, err := w.M.UpdateMeeting(w.Coord, m.ID, in, m.Version); fields(err)["agenda"] != "error.meeting.agenda_has_decisions" {
			t.Fatalf("dropping a decided item: %v", err)
		}
		if _, err := w.M.SetStatus(w.Coord, m.ID, meetings.Closed, m.Version); fields(err)["minutes"] != "error.meeting.minutes_required" {
			t.Fatalf("closing without minutes: %v", err)
		}
		in.Agenda, in.Minutes = m.Agenda, "会议审议通过《三年行动计划》。"
		if m, err = w.M.UpdateMeeting(w.Coord, m.ID, in, m.Version); err != nil {
			t.Fatal(err)
		}
		if m, err = w.M.SetStatus(w.Coord, m.ID, meetings.Closed, m.Version); err != nil {
			t.Fatal(err)
		}
		// Closed is immutable: edits and new decisions are refused, a
		// correction keeps the record as it was.
		if _, err := w.M.UpdateMeeting(w.Coord, m.ID, in, m.Version); !errs.Is(err, errs.Conflict) {
			t.Fatalf("editing a closed meeting: %v", err)
		}
		if _, err := w.M.SaveDecision(w.Coord, m.ID, 0, meetings.DecisionInput{}, 0); !errs.Is(err, errs.Conflict) {
			t.Fatalf("deciding at a closed meeting: %v", err)
		}
		if _, err := w.M.AddDocument(w.Coord, m.ID, "纪要.txt", []byte("纪要")); !errs.Is(err, errs.Conflict) {
			t.Fatalf("document on a closed meeting: %v", err)
		}
		if _, err := w.M.CorrectMeeting(w.Coord, m.ID, in, "", m.Version); fields(err)["reason"] != "error.required" {
			t.Fatalf("correction without reason: %v", err)
		}
		in.Place = "盘锦市政府"
		c, err := w.M.CorrectMeeting(w.Coord, m.ID, in, "会议地点记录有误", m.Version)
		if err != nil {
			t.Fatal(err)
		}
		revs, err := w.M.Revisions(w.Viewer, m.ID)
		if err != nil || c.Revision != 1 || c.Place != "盘锦市政府" || c.Status != meetings.Closed || len(revs) != 1 || revs[0].Previous.Place != "盘锦" || revs[0].Reason != "会议地点记录有误" {
			t.Fatalf("correction: %+v, revisions %+v, %v", c, revs, err)
		}
		for action, n := range map[string]int{"meeting.create": 1, "meeting.status": 2, "meeting.update": 1, "meeting.correct": 1, "decision.create": 1} {
			if got := auditCount(t, d, action); got != n {
				t.Errorf("audit %s: %d rows, want %d", action, got, n)
			}
		}
		list, err := w.M.Meetings(w.Viewer, meetings.Filter{Status: meetings.Closed})
		if err != nil || len(list) != 1 || list[0].ID != m.ID {
			t.Fatalf("list = %v, %v", list, err)
		}
	})
}

func TestDecisionTaskTraceability(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		dec := w.decide(m, "建立沿海六市港口协同发展机制", w.A.ID, clock.DateOf(2018, 12, 31))
		if _, err := w.M.AssignTask(w.Viewer, dec.ID, meetings.TaskSpec{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("viewer assigns: %v", err)
		}
		task, err := w.M.AssignTask(w.Coord, dec.ID, meetings.TaskSpec{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.Plans.Plan(w.Coord, task.PlanID)
		if err != nil || p.Code != meetings.StandingPlanCode || p.Status != plans.InForce {
			t.Fatalf("standing plan = %+v, %v", p, err)
		}
		if task.LeadUnitID != w.A.ID || task.DueOn != clock.DateOf(2018, 12, 31) || task.Code != "D"+itoa(dec.ID)+"-1" {
			t.Fatalf("task = %+v", task)
		}
		as, err := w.Plans.Assignments(w.Coord, task.ID)
		if err != nil || len(as) != 2 {
			t.Fatalf("assignments = %+v, %v", as, err)
		}
		// A second task reuses the standing plan and its goal.
		second, err := w.M.AssignTask(w.Coord, dec.ID, meetings.TaskSpec{Title: "编制港口协同方案", LeadUnitID: w.B.ID, CoUnitIDs: []int64{}})
		if err != nil || second.PlanID != task.PlanID || second.GoalID != task.GoalID || second.LeadUnitID != w.B.ID {
			t.Fatalf("second task = %+v, %v", second, err)
		}
		// A chosen plan needs a goal.
		if _, err := w.M.AssignTask(w.Coord, dec.ID, meetings.TaskSpec{PlanID: task.PlanID}); fields(err)["goal_id"] != "error.required" {
			t.Fatalf("plan without goal: %v", err)
		}
		// A task that plans refuses leaves no link behind.
		if _, err := w.M.AssignTask(w.Coord, dec.ID, meetings.TaskSpec{Code: task.Code}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate code: %v", err)
		}
		got, err := w.M.Decision(w.Viewer, dec.ID)
		if err != nil || len(got.TaskIDs) != 2 || got.Status != meetings.InProgress {
			t.Fatalf("decision = %+v, %v", got, err)
		}
		if ds, err := w.M.DecisionsOfTask(w.Viewer, task.ID); err != nil || len(ds) != 1 || ds[0].ID != dec.ID {
			t.Fatalf("decisions of task = %v, %v", ds, err)
		}
		// The lead units finish and the office closes both tasks.
		for _, tk := range []plans.Task{task, second} {
			filed, _, err := w.Plans.FileCompletion(w.Leader[tk.LeadUnitID], tk.ID, "已完成", tk.Version)
			if err != nil {
				t.Fatal(err)
			}
			if tk.ID == task.ID {
				if got, _ := w.M.Decision(w.Viewer, dec.ID); got.Status != meetings.InProgress {
					t.Fatalf("one task filed: %s", got.Status)
				}
			}
			if _, err := w.Plans.CloseTask(w.Coord, tk.ID, filed.Version); err != nil {
				t.Fatal(err)
			}
		}
		tr, err := w.M.Trace(w.Viewer, dec.ID)
		if err != nil || tr.Decision.Status != meetings.Done || len(tr.Tasks) != 2 || len(tr.Tasks[0].Completions) != 1 || tr.Tasks[0].Task.Status != plans.TaskClosed {
			t.Fatalf("trace = %+v, %v", tr, err)
		}
		var origins int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'task.create' AND after_json LIKE $1`, "%\"origin\":\"decision:"+itoa(dec.ID)+"\"%").Scan(&origins); err != nil || origins != 2 {
			t.Fatalf("task.create rows naming the decision = %d, %v", origins, err)
		}
	})
}

func TestDerive(t *testing.T) {
	for _, c := range []struct {
		lights []plans.Light
		want   meetings.DecisionStatus
	}{
		{nil, meetings.Unassigned},
		{[]plans.Light{plans.Green, plans.NotStarted}, meetings.InProgress},
		{[]plans.Light{plans.Green, plans.Yellow}, meetings.AtRisk},
		{[]plans.Light{plans.Red, plans.Yellow, plans.Closed}, meetings.Overdue},
		{[]plans.Light{plans.Closed, plans.DoneLate}, meetings.Completed},
		{[]plans.Light{plans.Closed, plans.Cancelled}, meetings.Done},
		{[]plans.Light{plans.Cancelled}, meetings.Dropped},
	} {
		if got := meetings.Derive(c.lights); got != c.want {
			t.Errorf("Derive(%v) = %s, want %s", c.lights, got, c.want)
		}
	}
}

func TestCommitteesAndAgreements(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		_, err := w.M.SaveCommittee(w.Coord, 0, meetings.CommitteeInput{Code: "港口 委员会", Level: "top", UnitIDs: []int64{w.A.ID, w.A.ID}}, 0)
		got := fields(err)
		if got["code"] != "error.code_format" || got["name"] != "error.required" || got["level"] != "error.choice" || got["unit_ids"] != "error.meeting.unit_twice" {
			t.Fatalf("bad committee: %v", err)
		}
		c, err := w.M.SaveCommittee(w.Coord, 0, meetings.CommitteeInput{Code: "PORT", Name: "港口物流专业委员会", Level: meetings.LevelCoordination, UnitIDs: []int64{w.B.ID, w.A.ID}}, 0)
		if err != nil || len(c.UnitIDs) != 2 {
			t.Fatalf("committee = %+v, %v", c, err)
		}
		if _, err := w.M.SaveCommittee(w.Coord, 0, meetings.CommitteeInput{Code: "PORT", Name: "x", Level: meetings.LevelExecution}, 0); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate code: %v", err)
		}
		if _, err := w.M.SaveCommittee(w.Coord, c.ID, meetings.CommitteeInput{Code: "PORT", Name: "改", Level: meetings.LevelExecution}, c.Version+1); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale committee: %v", err)
		}
		// A committee meeting names its committee.
		_, err = w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindCommittee, Title: "港口委员会第一次会议", HeldOn: clock.DateOf(2018, 9, 1), HostUnitID: w.A.ID})
		if fields(err)["committee_id"] != "error.required" {
			t.Fatalf("committee meeting without committee: %v", err)
		}
		cm, err := w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindCommittee, Title: "港口委员会第一次会议", HeldOn: clock.DateOf(2018, 9, 1), HostUnitID: w.A.ID, CommitteeID: &c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if list, err := w.M.Meetings(w.Viewer, meetings.Filter{CommitteeID: c.ID}); err != nil || len(list) != 1 || list[0].ID != cm.ID {
			t.Fatalf("committee meetings = %v, %v", list, err)
		}
		// The committee's tasks are those of its meetings' decisions.
		other := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		w.decide(other, "不属于委员会的事项", w.A.ID, clock.DateOf(2018, 12, 31))
		cm.Agenda = []meetings.AgendaItem{{Title: "港口航线"}}
		cm, err = w.M.UpdateMeeting(w.Coord, cm.ID, meetings.Input{Kind: cm.Kind, Title: cm.Title, HeldOn: cm.HeldOn, HostUnitID: cm.HostUnitID, CommitteeID: cm.CommitteeID, Agenda: cm.Agenda}, cm.Version)
		if err == nil {
			cm, err = w.M.SetStatus(w.Coord, cm.ID, meetings.Held, cm.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		dec := w.decide(cm, "开通环渤海集装箱航线", w.B.ID, clock.DateOf(2018, 12, 31))
		if _, err := w.M.AssignTask(w.Coord, dec.ID, meetings.TaskSpec{}); err != nil {
			t.Fatal(err)
		}
		if list, err := w.M.Decisions(w.Viewer, meetings.DecisionFilter{CommitteeID: c.ID}); err != nil || len(list) != 1 || list[0].ID != dec.ID || len(list[0].TaskIDs) != 1 {
			t.Fatalf("committee decisions = %+v, %v", list, err)
		}
		_, err = w.M.SaveAgreement(w.Coord, 0, meetings.AgreementInput{Title: "港口合作框架协议", UnitIDs: []int64{w.A.ID}, TaskIDs: []int64{777}}, 0)
		got = fields(err)
		if got["signed_on"] != "error.required" || got["unit_ids"] != "error.agreement.parties" || got["task_ids"] != "error.agreement.task_unknown" {
			t.Fatalf("bad agreement: %v", err)
		}
		a, err := w.M.SaveAgreement(w.Coord, 0, meetings.AgreementInput{MeetingID: &cm.ID, Title: "港口合作框架协议", SignedOn: clock.DateOf(2018, 9, 1), Scope: "集装箱航线", UnitIDs: []int64{w.A.ID, w.B.ID}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if list, err := w.M.Agreements(w.Viewer, cm.ID); err != nil || len(list) != 1 || list[0].ID != a.ID || len(list[0].UnitIDs) != 2 {
			t.Fatalf("agreements = %+v, %v", list, err)
		}
		if _, err := w.M.SaveAgreement(w.Coord, a.ID, meetings.AgreementInput{Title: "改", SignedOn: a.SignedOn, UnitIDs: a.UnitIDs}, a.Version+1); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale agreement: %v", err)
		}
		for action, n := range map[string]int{"committee.create": 1, "agreement.create": 1} {
			if got := auditCount(t, d, action); got != n {
				t.Errorf("audit %s: %d rows, want %d", action, got, n)
			}
		}
	})
}

func TestDocuments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		if _, err := w.M.AddDocument(w.Coord, m.ID, "计划.exe", []byte("MZ")); !errs.Is(err, errs.Unsupported) {
			t.Fatalf("exe: %v", err)
		}
		if _, err := w.M.AddDocument(w.Coord, m.ID, "计划.pdf", []byte("plain text")); !errs.Is(err, errs.Unsupported) {
			t.Fatalf("text as pdf: %v", err)
		}
		doc, err := w.M.AddDocument(w.Coord, m.ID, "三年行动计划.txt", []byte("辽宁沿海经济带三年行动计划"))
		if err != nil {
			t.Fatal(err)
		}
		list, err := w.M.Documents(w.Viewer, m.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("documents = %v, %v", list, err)
		}
		got, data, err := w.M.DocumentContent(w.Viewer, doc.ID)
		if err != nil || got.Name != "三年行动计划.txt" || string(data) != "辽宁沿海经济带三年行动计划" {
			t.Fatalf("content = %+v %q %v", got, data, err)
		}
		if n := auditCount(t, d, "meeting.document"); n != 1 {
			t.Fatalf("audit rows = %d", n)
		}
	})
}

// staticProvider is a section provider standing in for the problem list.
type staticProvider struct{}

func (staticProvider) BriefSections(_ context.Context, s meetings.Scope) ([]meetings.Section, error) {
	return []meetings.Section{{Title: "六、提请会议协调的问题", Head: []string{"问题", "截至"}, Rows: [][]string{{"港口集疏运通道不畅", s.Before.String()}}}}, nil
}

func TestBriefGolden(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		first := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		port := w.decide(first, "建立港口协同发展机制", w.A.ID, clock.DateOf(2018, 10, 31))
		w.decide(first, "编制沿海经济带环境协同方案", w.B.ID, clock.DateOf(2018, 12, 31))
		task, err := w.M.AssignTask(w.Coord, port.ID, meetings.TaskSpec{})
		if err != nil {
			t.Fatal(err)
		}
		w.Clock.Set(time.Date(2018, 11, 15, 9, 0, 0, 0, time.UTC))
		if err := w.Plans.Daily(context.Background(), clock.DateOf(2018, 11, 15)); err != nil {
			t.Fatal(err)
		}
		next, err := w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindOffice, Title: "第二次联席会议", HeldOn: clock.DateOf(2018, 11, 20), HostUnitID: w.A.ID})
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.M.Brief(w.Viewer, next.ID, "zh-Hans", staticProvider{})
		if err != nil {
			t.Fatal(err)
		}
		// A meeting the same day, recorded later, counts the next one as earlier.
		later, err := w.M.CreateMeeting(w.Coord, meetings.Input{Kind: meetings.KindLeaders, Title: "第二次联席会议（下午）", HeldOn: next.HeldOn, HostUnitID: w.A.ID})
		if err != nil {
			t.Fatal(err)
		}
		if next, err = w.M.SetStatus(w.Coord, next.ID, meetings.Held, next.Version); err != nil {
			t.Fatal(err)
		}
		next.Agenda = []meetings.AgendaItem{{Title: "研究下一步工作"}}
		if next, err = w.M.UpdateMeeting(w.Coord, next.ID, meetings.Input{Kind: next.Kind, Title: next.Title, HeldOn: next.HeldOn, HostUnitID: next.HostUnitID, Agenda: next.Agenda}, next.Version); err != nil {
			t.Fatal(err)
		}
		w.decide(next, "当天上午的议定事项", w.B.ID, clock.DateOf(2018, 12, 31))
		if lb, err := w.M.Brief(w.Viewer, later.ID, "zh-Hans"); err != nil || len(lb.Decisions) != 3 {
			t.Fatalf("the afternoon's brief: %d decisions, %v", len(lb.Decisions), err)
		}
		if len(b.Decisions) != 2 || b.Totals[meetings.Overdue] != 1 || b.Totals[meetings.Unassigned] != 1 || b.Decisions[0].Tasks[0].Code != task.Code {
			t.Fatalf("brief = %+v", b)
		}
		var buf bytes.Buffer
		if err := b.HTML(&buf, func(key string, args ...any) string { return i18n.T("zh-Hans", key, args...) }); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "brief.golden"), meetings.Text(buf.String()))
		var x bytes.Buffer
		if err := b.XLSX(&x, func(key string, args ...any) string { return i18n.T("zh-Hans", key, args...) }); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "brief-xlsx.golden"), sheettest.Cells(t, x.Bytes()))
		var page bytes.Buffer
		if err := b.Page(&page, func(key string, args ...any) string { return i18n.T("zh-Hans", key, args...) }); err != nil {
			t.Fatal(err)
		}
		if p := page.String(); !strings.HasPrefix(p, "<!DOCTYPE html>") || !strings.Contains(p, `<html lang="zh-Hans">`) || !strings.Contains(p, "size: A4") ||
			!strings.Contains(p, "<title>联席会议议定事项落实情况汇报 · 第二次联席会议</title>") || !strings.Contains(meetings.Text(p), meetings.Text(buf.String())) {
			t.Errorf("the page:\n%s", p)
		}
	})
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (rerun with -update after checking):\n%s", path, got)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestConcurrentEdits sends two edits of one meeting made against the same
// version at once: one is written, the other gets the conflict with the
// meeting as it now is, and the audit trail has one row.
func TestConcurrentEdits(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		before := auditCount(t, d, "meeting.update")
		results := make(chan error, 2)
		for _, place := range []string{"大连", "营口"} {
			go func() {
				in := meetings.Input{Kind: m.Kind, Title: m.Title, HeldOn: m.HeldOn, Place: place, HostUnitID: m.HostUnitID, Attendees: m.Attendees, Agenda: m.Agenda}
				_, err := w.M.UpdateMeeting(w.Coord, m.ID, in, m.Version)
				results <- err
			}()
		}
		var ok, stale int
		for range 2 {
			switch err := <-results; {
			case err == nil:
				ok++
			case errs.Is(err, errs.Conflict):
				if e, _ := errs.As(err); e.Current == nil {
					t.Error("the conflict carries no current meeting")
				}
				stale++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || stale != 1 || auditCount(t, d, "meeting.update")-before != 1 {
			t.Fatalf("ok %d, stale %d, audit rows %d", ok, stale, auditCount(t, d, "meeting.update")-before)
		}
	})
}

// scopes records what a brief asks its providers.
type scopes []meetings.Scope

func (s *scopes) BriefSections(_ context.Context, sc meetings.Scope) ([]meetings.Section, error) {
	*s = append(*s, sc)
	return []meetings.Section{{Title: "六、空", Head: []string{"问题"}}}, nil
}

// TestBriefScope: a provider is asked about the days from the previous
// meeting (none for the first) to the day before this one; a section with
// no rows says so.
func TestBriefScope(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		first := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		second := w.meeting("第二次联席会议", clock.DateOf(2018, 11, 20))
		third := w.meeting("第二次联席会议（下午）", clock.DateOf(2018, 11, 20))
		var got scopes
		for _, m := range []meetings.Meeting{first, second, third} {
			b, err := w.M.Brief(w.Viewer, m.ID, "zh-Hans", &got)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := b.HTML(&buf, func(key string, args ...any) string { return i18n.T("zh-Hans", key, args...) }); err != nil {
				t.Fatal(err)
			}
			if text := meetings.Text(buf.String()); !strings.Contains(text, "六、空\n无\n") {
				t.Errorf("an empty section reads:\n%s", text)
			}
		}
		want := []string{"0001-01-01…2018-07-31", "2018-08-01…2018-11-19", "2018-11-20…2018-11-19"}
		for i, sc := range got {
			since := "0001-01-01"
			if !sc.Since.IsZero() {
				since = sc.Since.String()
			}
			if s := since + "…" + sc.Before.String(); i >= len(want) || s != want[i] || sc.Lang != "zh-Hans" {
				t.Errorf("scope %d = %s %+v, want %s", i, s, sc, want[i])
			}
		}
		if len(got) != 3 {
			t.Errorf("%d scopes", len(got))
		}
	})
}

// TestOverview counts decisions by status for the dashboard and lists the
// overdue ones, as many as asked for.
func TestOverview(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		first := w.meeting("第一次联席会议", clock.DateOf(2018, 8, 1))
		port := w.decide(first, "建立港口协同发展机制", w.A.ID, clock.DateOf(2018, 10, 31))
		w.decide(first, "编制沿海经济带环境协同方案", w.B.ID, clock.DateOf(2018, 12, 31))
		if _, err := w.M.AssignTask(w.Coord, port.ID, meetings.TaskSpec{}); err != nil {
			t.Fatal(err)
		}
		w.Clock.Set(time.Date(2018, 11, 15, 9, 0, 0, 0, time.UTC))
		if err := w.Plans.Daily(context.Background(), clock.DateOf(2018, 11, 15)); err != nil {
			t.Fatal(err)
		}
		o, err := w.M.Overview(w.Viewer, 10)
		if err != nil {
			t.Fatal(err)
		}
		if o.Total != 2 || o.Totals[meetings.Overdue] != 1 || o.Totals[meetings.Unassigned] != 1 || len(o.Overdue) != 1 || o.Overdue[0].ID != port.ID {
			t.Errorf("overview = %+v", o)
		}
		if o, err = w.M.Overview(w.Viewer, 0); err != nil || o.Total != 2 || len(o.Overdue) != 0 {
			t.Errorf("overview listing none = %+v, %v", o, err)
		}
	})
}
