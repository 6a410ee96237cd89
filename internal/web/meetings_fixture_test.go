package web_test

import (
	"fmt"
	"strings"

	"concord/internal/access"
	"concord/internal/clock"
	"concord/internal/meetings"
)

// The meetings' rules in the permission matrix.
func init() {
	pmRules[access.ViewMeetings] = map[access.Role]pmReach{
		access.Coordinator: pmAny, access.UnitLeader: pmAny, access.Reporter: pmAny, access.Inspector: pmAny, access.Viewer: pmAny,
	}
	pmRules[access.ManageMeetings] = map[access.Role]pmReach{access.Coordinator: pmAny}
}

// mtService is a meetings service on the fixture's store.
func mtService(f *fixture) *meetings.Service {
	return &meetings.Service{DB: f.DB, Clock: clock.System, Plans: f.Plans}
}

// mtHeld records a held meeting with one agenda item, made by the office,
// led by the own unit, and one decision on it.
func mtHeld(f *fixture, title string) (meetings.Meeting, meetings.Decision) {
	f.t.Helper()
	s, ctx := mtService(f), apCoordinator(f)
	today := clock.Today(clock.System)
	m, err := s.CreateMeeting(ctx, meetings.Input{Kind: meetings.KindLeaders, Title: title, HeldOn: today, Place: "盘锦", HostUnitID: f.Own.ID,
		Attendees: []meetings.Attendee{{UnitID: f.Own.ID, Person: "市长", Role: meetings.RoleHost}, {UnitID: f.Other.ID, Role: meetings.RoleSpeaker}},
		Agenda:    []meetings.AgendaItem{{Title: "审议行动计划", PresenterUnitID: f.Own.ID}}})
	if err != nil {
		f.t.Fatal(err)
	}
	if m, err = s.SetStatus(ctx, m.ID, meetings.Held, m.Version); err != nil {
		f.t.Fatal(err)
	}
	d, err := s.SaveDecision(ctx, m.ID, 0, meetings.DecisionInput{AgendaItemID: m.Agenda[0].ID, Text: "建立港口协同机制", AreaID: f.Goal.AreaID,
		LeadUnitID: f.Own.ID, CoUnitIDs: []int64{f.Other.ID}, DueOn: today.AddDays(60)}, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return m, d
}

// mtObjects are one object of each kind the meetings routes address, made
// once per fixture.
type mtObjects struct {
	meeting, decision, document, committee, agreement int64
}

// mtSample finds the fixture's sample meetings objects, making them the first
// time.
func mtSample(f *fixture) mtObjects {
	f.t.Helper()
	var o mtObjects
	f.DB.R.QueryRow(`SELECT COALESCE(MIN(m.id), 0), COALESCE(MIN(d.id), 0) FROM meetings m JOIN decisions d ON d.meeting_id = m.id`).Scan(&o.meeting, &o.decision)
	f.DB.R.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM meeting_documents`).Scan(&o.document)
	f.DB.R.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM committees`).Scan(&o.committee)
	f.DB.R.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM agreements`).Scan(&o.agreement)
	if o.meeting != 0 && o.document != 0 && o.committee != 0 && o.agreement != 0 {
		return o
	}
	s, ctx := mtService(f), apCoordinator(f)
	m, d := mtHeld(f, "矩阵会议")
	doc, err := s.AddDocument(ctx, m.ID, "材料.pdf", apPDF)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := s.SaveCommittee(ctx, 0, meetings.CommitteeInput{Code: "MATRIX", Name: "矩阵委员会", Level: meetings.LevelExecution, UnitIDs: []int64{f.Own.ID}}, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := s.SaveAgreement(ctx, 0, meetings.AgreementInput{MeetingID: &m.ID, Title: "矩阵协议", SignedOn: m.HeldOn, UnitIDs: []int64{f.Own.ID, f.Other.ID}}, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return mtObjects{m.ID, d.ID, doc.ID, c.ID, a.ID}
}

// mtMatrixID is the sample object for a meetings route's {id}, or 0 when the
// path is not one of the meetings routes.
func mtMatrixID(f *fixture, path string) int64 {
	for prefix, pick := range map[string]func(mtObjects) int64{
		"/meetings/{id}":          func(o mtObjects) int64 { return o.meeting },
		"/decisions/{id}":         func(o mtObjects) int64 { return o.decision },
		"/meeting-documents/{id}": func(o mtObjects) int64 { return o.document },
		"/committees/{id}":        func(o mtObjects) int64 { return o.committee },
		"/agreements/{id}":        func(o mtObjects) int64 { return o.agreement },
	} {
		if strings.Contains(path, prefix) {
			return pick(mtSample(f))
		}
	}
	return 0
}

// mtPages are the meetings' pages, for the test of every page in every
// language: a held meeting with a decision turned into a task, a closed and
// corrected one, a committee, and the brief.
func mtPages(f *fixture) []string {
	f.t.Helper()
	s, ctx := mtService(f), apCoordinator(f)
	o := mtSample(f)
	if _, err := s.AssignTask(ctx, o.decision, meetings.TaskSpec{}); err != nil {
		f.t.Fatal(err)
	}
	m, _ := mtHeld(f, "已归档会议")
	in := meetings.Input{Kind: m.Kind, Title: m.Title, HeldOn: m.HeldOn, Place: m.Place, HostUnitID: m.HostUnitID, Attendees: m.Attendees, Agenda: m.Agenda, Minutes: "纪要"}
	m, err := s.UpdateMeeting(ctx, m.ID, in, m.Version)
	if err == nil {
		m, err = s.SetStatus(ctx, m.ID, meetings.Closed, m.Version)
	}
	if err == nil {
		in.Place = "营口"
		_, err = s.CorrectMeeting(ctx, m.ID, in, "地点有误", m.Version)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return []string{"/meetings", fmt.Sprintf("/meetings?committee_id=%d", o.committee), fmt.Sprintf("/meetings/%d", o.meeting), fmt.Sprintf("/meetings/%d", m.ID),
		fmt.Sprintf("/meetings/%d/brief", m.ID), "/committees", fmt.Sprintf("/committees/%d", o.committee)}
}
