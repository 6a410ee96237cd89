package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"concord/internal/clock"
	"concord/internal/db"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/plans"
	"concord/internal/problems"
)

// checkBelt checks the sample belt's meetings, committees, agreement,
// inspection and problems: every state the demo is meant to show is there.
func checkBelt(t *testing.T, d *db.DB, now time.Time, as context.Context) {
	t.Helper()
	fake := clock.NewFake(now)
	ps := &plans.Service{DB: d, Clock: fake}
	ms := &meetings.Service{DB: d, Clock: fake, Plans: ps}
	is := &inspect.Service{DB: d, Clock: fake, Plans: ps}
	pb := &problems.Service{DB: d, Clock: fake}

	list, err := ms.Meetings(as, meetings.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[meetings.Kind]meetings.Meeting{}
	for _, m := range list {
		byKind[m.Kind] = m
	}
	if len(list) != 3 {
		t.Fatalf("%d meetings, want the joint meeting, a committee's and the office's: %+v", len(list), list)
	}
	joint, err := ms.Meeting(as, byKind[meetings.KindLeaders].ID)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[meetings.Role]int{}
	for _, a := range joint.Attendees {
		roles[a.Role]++
	}
	if joint.HeldOn.String() != "2018-08-01" || joint.Status != meetings.Closed || roles[meetings.RoleHost] != 1 || roles[meetings.RoleSpeaker] < 10 ||
		!strings.Contains(joint.Minutes, "示例数据") {
		t.Errorf("joint meeting: %+v, roles %v", joint, roles)
	}
	docs, err := ms.Documents(as, joint.ID)
	if err != nil || len(docs) != 2 {
		t.Fatalf("joint meeting documents: %+v, %v", docs, err)
	}
	for _, doc := range docs {
		_, data, err := ms.DocumentContent(as, doc.ID)
		if err != nil || !strings.Contains(doc.Name, "示例") || !strings.Contains(string(data), "示例数据") || !strings.Contains(string(data), "牵头单位") {
			t.Errorf("document %s is not a labelled sample plan: %v\n%s", doc.Name, err, data)
		}
	}
	if c := byKind[meetings.KindCommittee]; c.Status != meetings.Closed || c.CommitteeID == nil {
		t.Errorf("committee meeting: %+v", c)
	}
	office := byKind[meetings.KindOffice]
	if office.Status != meetings.Planned || !office.HeldOn.After(clock.DayOf(now)) {
		t.Errorf("office meeting: %+v", office)
	}

	// The six coordination points became six decisions of the joint meeting,
	// each carried by a task in the 2018 work points or the standing plan.
	jd, err := ms.Decisions(as, meetings.DecisionFilter{MeetingID: joint.ID})
	if err != nil || len(jd) != 6 {
		t.Fatalf("joint meeting decisions: %d, %v", len(jd), err)
	}
	areas := map[int64]bool{}
	inPlan := map[string]int{}
	for _, dec := range jd {
		areas[dec.AreaID] = true
		if len(dec.TaskIDs) != 1 || dec.Status != meetings.Done {
			t.Errorf("decision %q: tasks %v, status %s", dec.Text, dec.TaskIDs, dec.Status)
			continue
		}
		task, err := ps.Task(as, dec.TaskIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		p, err := ps.Plan(as, task.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		inPlan[p.Code]++
	}
	if len(areas) != 6 || inPlan["LN-2018-WP"] != 2 || inPlan[meetings.StandingPlanCode] != 4 {
		t.Errorf("decisions in %d areas, tasks by plan %v", len(areas), inPlan)
	}

	// The office meeting's brief: every earlier decision, in every state
	// the demo shows, and the inspections' and problems' sections.
	b, err := ms.Brief(as, office.ID, "zh-Hans", is, pb)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Decisions) != 9 {
		t.Errorf("brief: %d decisions, want 9", len(b.Decisions))
	}
	for _, st := range []meetings.DecisionStatus{meetings.Done, meetings.Overdue, meetings.Unassigned} {
		if b.Totals[st] == 0 {
			t.Errorf("brief: no %s decision: %v", st, b.Totals)
		}
	}
	if b.Totals[meetings.InProgress]+b.Totals[meetings.AtRisk] != 1 {
		t.Errorf("brief: no decision under way: %v", b.Totals)
	}
	if len(b.Sections) != 3 || len(b.Sections[0].Rows) == 0 || len(b.Sections[1].Rows) != 1 || len(b.Sections[2].Rows) != 2 {
		t.Fatalf("brief sections: %+v", b.Sections)
	}
	if first := b.Sections[2].Rows[0]; !strings.Contains(first[1], "大辽河口") || first[6] == "" {
		t.Errorf("the escalated problem does not lead the brief's problems: %v", first)
	}

	cs, err := ms.Committees(as)
	if err != nil || len(cs) < 3 {
		t.Errorf("committees: %d, %v", len(cs), err)
	}
	ags, err := ms.Agreements(as, 0)
	if err != nil || len(ags) != 1 || len(ags[0].UnitIDs) != 6 || len(ags[0].TaskIDs) != 2 || ags[0].MeetingID == nil {
		t.Errorf("agreements: %+v, %v", ags, err)
	}

	// The inspection round, finished, and its three items: closed on time,
	// sent back then closed late, overdue and chased.
	rounds, err := is.Rounds(as)
	if err != nil || len(rounds) != 1 || rounds[0].Status != inspect.Finished {
		t.Fatalf("rounds: %+v, %v", rounds, err)
	}
	findings, err := is.Findings(as, rounds[0].ID)
	if err != nil || len(findings) != 3 {
		t.Fatalf("findings: %d, %v", len(findings), err)
	}
	rects, err := is.Rectifications(as, inspect.RectFilter{})
	if err != nil || len(rects) != 3 {
		t.Fatalf("rectifications: %d, %v", len(rects), err)
	}
	var onTime, late, overdue bool
	today := clock.DayOf(now)
	for _, r := range rects {
		steps, err := is.Timeline(as, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		returned := false
		for _, st := range steps {
			returned = returned || st.Kind == "returned"
		}
		switch {
		case r.Status == inspect.Closed && r.OnTime() && !returned:
			onTime = true
		case r.Status == inspect.Closed && !r.OnTime() && returned:
			late = true
		case r.Overdue(today) && r.ChaseLevel > 0:
			overdue = true
		}
	}
	if !onTime || !late || !overdue {
		t.Errorf("rectifications: on time %v, sent back and late %v, overdue and chased %v: %+v", onTime, late, overdue, rects)
	}

	// The problem list: solved from a report's help needed, rejected,
	// escalated, reopened.
	all, err := pb.List(as, problems.Filter{})
	if err != nil || len(all) != 4 {
		t.Fatalf("problems: %d, %v", len(all), err)
	}
	var solved, rejected, escalated, reopened bool
	for _, p := range all {
		solved = solved || p.Status == problems.Solved && p.ReportID != nil
		rejected = rejected || p.Status == problems.Rejected && p.RejectReason != ""
		escalated = escalated || p.Escalated && p.Status == problems.Assigned && p.ChaseLevel == 2 // 5 days past its deadline
		reopened = reopened || p.Reopened > 0 && p.Status == problems.Assigned
	}
	if !solved || !rejected || !escalated || !reopened {
		t.Errorf("problems: solved from a report %v, rejected %v, escalated %v, reopened %v", solved, rejected, escalated, reopened)
	}
}
