package demo

import (
	"errors"
	"fmt"
	"strings"

	"concord/internal/accounts"
	"concord/internal/clock"
	"concord/internal/inspect"
	"concord/internal/meetings"
	"concord/internal/plans"
	"concord/internal/problems"
)

// The belt's supervision story, played on the same clock as the plans: the
// joint meeting of 1 August 2018 as the public report describes it, its
// decisions on the six coordination points carried out as tasks, specialist
// committees, a recent committee meeting with a framework agreement, an
// inspection round with its rectification, the problem list, and the office
// meeting coming up, whose brief shows how all of it stands. Names of
// people and units at the 2018 meeting are from the public report; what
// was decided in detail, every later meeting and every figure are sample
// data (示例数据).

// sampleNote heads every generated document and minutes.
const sampleNote = "【示例数据 · sample data】由 Concord 演示数据生成，不是官方文件。"

// jointMeetingDay is the day of the six cities' joint meeting in Shenyang.
var jointMeetingDay = day(2018, 8, 1)

// decisionSpec is a decision and, unless task is nil, the task it becomes.
type decisionSpec struct {
	text, area, lead string
	co               []string
	due              clock.Date
	plan             string // "": the standing meeting-decisions plan
	task             *taskSpec
}

// sixPoints are the six coordination points of the provincial party
// secretary's speech, each a decision of the meeting.
func sixPoints() []decisionSpec {
	wp, q := "LN-2018-WP", plans.Monthly
	task := func(code, area, title, topic, lead string, co []string, due clock.Date) *taskSpec {
		return &taskSpec{code: code, area: area, title: title, topic: topic, lead: lead, co: co, starts: jointMeetingDay, due: due, cycle: q,
			deliverables: topic + "工作方案和落实情况报告", plot: plot{pace: 1}}
	}
	return []decisionSpec{
		{text: "抓好规划协同：科学界定沿海六市差异化协同发展的目标任务，把推动规划落实作为重中之重任务来抓。", area: "planning", lead: "ln-drc",
			co: []string{"dalian", "yingkou"}, due: day(2018, 12, 31), plan: wp,
			task: closedOnTime(task("2018-JM-01", "planning", "界定六市差异化协同发展目标任务", "差异化协同发展目标任务", "ln-drc", []string{"dalian", "yingkou"}, day(2018, 12, 31)))},
		{text: "抓好产业协同：围绕“一带五基地”建设完善产业协同发展机制，大连发挥龙头作用，优化沿海经济带产业布局。", area: "industry", lead: "dalian",
			co: []string{"yingkou", "jinzhou"}, due: day(2019, 6, 30),
			task: closedOnTime(task("D-2018-IND", "industry", "完善“一带五基地”产业协同发展机制", "产业协同发展机制", "dalian", []string{"yingkou", "jinzhou"}, day(2019, 6, 30)))},
		{text: "抓好创新协同：共享创新平台、加强联合攻关、开展战略联盟、共建人才高地。", area: "innovation", lead: "jinzhou",
			co: []string{"dalian"}, due: day(2019, 12, 31),
			task: lateClose(task("D-2018-INO", "innovation", "共享创新平台，开展联合攻关", "创新平台共享和联合攻关", "jinzhou", []string{"dalian"}, day(2019, 12, 31)))},
		{text: "抓好改革协同：构建沿海六市统一公平有序的市场环境，降低产业转移和承接成本。", area: "reform", lead: "ln-commerce",
			co: []string{"yingkou"}, due: day(2019, 6, 30),
			task: closedOnTime(task("D-2018-REF", "reform", "构建统一公平有序的市场环境", "统一市场环境", "ln-commerce", []string{"yingkou"}, day(2019, 6, 30)))},
		{text: "抓好政策协同：共同制定促进资源合理配置和流动、抱团发展的政策措施，避免无序竞争。", area: "policy", lead: "ln-drc",
			co: []string{"panjin", "huludao"}, due: day(2019, 12, 31),
			task: closedOnTime(task("D-2018-POL", "policy", "共同制定抱团发展政策措施", "抱团发展政策措施", "ln-drc", []string{"panjin", "huludao"}, day(2019, 12, 31)))},
		{text: "抓好环境协同：研究建立沿海六市环保工作联席会议机制，推进陆上水域和近海海域共管共治。", area: "environment", lead: "dalian-eco",
			co: []string{"panjin", "yingkou"}, due: day(2018, 12, 31), plan: wp,
			task: closedOnTime(task("2018-JM-02", "environment", "研究建立六市环保工作联席会议机制", "环保工作联席会议机制", "dalian-eco", []string{"panjin", "yingkou"}, day(2018, 12, 31)))},
	}
}

// lateClose: the completion is filed three weeks after the due date and
// closed two weeks later.
func lateClose(t *taskSpec) *taskSpec {
	t.plot.pace, t.plot.done = 0.95, true
	t.plot.outcome = append(t.plot.outcome, outcome{kind: "file", on: t.due.AddDays(20)}, outcome{kind: "close", on: t.due.AddDays(35)})
	return t
}

// jointMeeting is the 2018 meeting's record: those who spoke and presided
// as the report names them, and its agenda.
func (s *story) jointMeeting() meetings.Input {
	u := s.units
	who := func(unit, person string, role meetings.Role) meetings.Attendee {
		return meetings.Attendee{UnitID: u[unit], Person: person, Role: role}
	}
	speakers := []meetings.Attendee{
		who("dalian", "省委常委、大连市委书记 谭作钧（主持）", meetings.RoleHost),
		who("ln-leaders", "省委书记、省人大常委会主任 陈求发", meetings.RoleSpeaker),
		who("ln-leaders", "省委副书记、省长 唐一军", meetings.RoleSpeaker),
		who("ln-leaders", "省委常委、秘书长 刘焕鑫", meetings.RoleAttendee),
		who("ln-leaders", "副省长 陈绿平", meetings.RoleAttendee),
		who("ln-drc", "主要负责同志（通报沿海经济带发展情况）", meetings.RoleSpeaker),
		who("dalian", "市长 谭成旭（说明行动计划和工作要点）", meetings.RoleSpeaker),
	}
	for _, c := range []string{"dandong", "jinzhou", "yingkou", "panjin", "huludao", "ln-transport", "ln-commerce"} {
		speakers = append(speakers, who(c, "主要负责同志", meetings.RoleSpeaker))
	}
	return meetings.Input{Kind: meetings.KindLeaders, Title: "辽宁沿海经济带六城市书记市长联席会议", HeldOn: jointMeetingDay, Place: "沈阳",
		HostUnitID: u["dalian"], Attendees: speakers, Agenda: []meetings.AgendaItem{
			{Title: "通报辽宁沿海经济带发展情况", PresenterUnitID: u["ln-drc"]},
			{Title: "说明《辽宁沿海经济带六城市协同发展行动计划（2018—2020年）》和《2018年工作要点》", PresenterUnitID: u["dalian"]},
			{Title: "沿海六市和省交通运输厅、省商务厅发言"},
			{Title: "省委书记、省长讲话，部署规划、产业、创新、改革、政策、环境六个协同", PresenterUnitID: u["ln-leaders"]},
		}}
}

// planDocument is a sample plan as the text presented at the meeting,
// made from the plan itself.
func planDocument(p planSpec) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\n%s\n", sampleNote, strings.TrimSuffix(p.name, "（示例数据）"), p.desc)
	numerals := []string{"一", "二", "三", "四", "五", "六"}
	for i, g := range p.goals {
		fmt.Fprintf(&b, "\n%s、%s\n", numerals[i%len(numerals)], g.title)
		n := 0
		for _, t := range p.tasks {
			if t.area != g.area {
				continue
			}
			n++
			var co []string
			for _, c := range t.co {
				co = append(co, unitName(c))
			}
			fmt.Fprintf(&b, "  %d. %s。牵头单位：%s；配合单位：%s；完成时限：%s。\n", n, t.title, unitName(t.lead), strings.Join(co, "、"), t.due)
		}
	}
	return []byte(b.String())
}

func unitName(code string) string {
	for _, u := range units {
		if u.code == code {
			return u.name.ZhHans
		}
	}
	return code
}

// beltStory schedules the supervision story.
func (s *story) beltStory(users map[string]accounts.User) {
	s.at(day(2018, 7, 20), 10, s.holdJointMeeting)
	s.at(day(2019, 3, 15), 10, s.formCommittees)
	s.committeeMeeting()
	s.inspection(users["inspector"].ID)
	s.problemList()
	s.supervision()
	office := meetings.Input{Kind: meetings.KindOffice, Title: "沿海经济带协调办公室工作会议（示例）", HeldOn: s.today.AddDays(7), Place: "沈阳",
		HostUnitID: s.units["belt-office"], Attendees: []meetings.Attendee{
			{UnitID: s.units["belt-office"], Person: "协调办公室负责同志（示例）", Role: meetings.RoleHost},
			{UnitID: s.units["ln-drc"], Person: "省发展改革委有关处室（示例）", Role: meetings.RoleSpeaker},
		},
		Agenda: []meetings.AgendaItem{{Title: "听取联席会议议定事项落实情况汇报"}, {Title: "研究提请会议协调的问题"}}}
	s.at(s.today.AddDays(-3), 10, func() error {
		_, err := s.meet.CreateMeeting(s.coord(), office)
		return err
	})
}

// holdJointMeeting records the 2018 meeting as planned, and schedules its
// holding, decisions and closing.
func (s *story) holdJointMeeting() error {
	m, err := s.meet.CreateMeeting(s.coord(), s.jointMeeting())
	if err != nil {
		return err
	}
	s.at(jointMeetingDay, 8, s.standingPlan)
	s.at(jointMeetingDay, 9, func() error {
		if m, err = s.meet.SetStatus(s.coord(), m.ID, meetings.Held, m.Version); err != nil {
			return err
		}
		for _, p := range threeYearPlan() {
			name := strings.TrimSuffix(p.name, "（示例数据）") + "（示例）.txt"
			if _, err := s.meet.AddDocument(s.coord(), m.ID, name, planDocument(p)); err != nil {
				return err
			}
		}
		return nil
	})
	s.at(jointMeetingDay, 12, func() error {
		for _, d := range sixPoints() {
			if err := s.decide(m, len(m.Agenda)-1, d); err != nil {
				return err
			}
		}
		return nil
	})
	s.at(jointMeetingDay.AddDays(2), 10, func() error {
		minutes := sampleNote + "\n根据2018年8月2日《辽宁日报》公开报道整理。会议研究部署沿海经济带下步工作，" +
			"要求抓好规划、产业、创新、改革、政策、环境六个协同，形成议定事项六项，交由牵头单位会同配合单位落实。"
		return s.closeMeeting(m.ID, minutes)
	})
	return nil
}

// closeMeeting writes a held meeting's minutes and closes it.
func (s *story) closeMeeting(id int64, minutes string) error {
	m, err := s.meet.Meeting(s.coord(), id)
	if err != nil {
		return err
	}
	in := meetings.Input{Kind: m.Kind, Title: m.Title, HeldOn: m.HeldOn, Place: m.Place, HostUnitID: m.HostUnitID, CommitteeID: m.CommitteeID,
		Minutes: minutes, Attendees: m.Attendees, Agenda: m.Agenda}
	if m, err = s.meet.UpdateMeeting(s.coord(), id, in, m.Version); err != nil {
		return err
	}
	_, err = s.meet.SetStatus(s.coord(), id, meetings.Closed, m.Version)
	return err
}

// standingPlan puts the standing plan for meeting decisions in force ahead
// of the first decision, as sample data like every other plan.
func (s *story) standingPlan() error {
	p, err := s.svc.CreatePlan(s.coord(), plans.PlanInput{Code: meetings.StandingPlanCode, Kind: plans.ActionPlan, Name: "联席会议议定事项（示例数据）",
		Description: "联席会议议定事项转化的任务。示例数据，非官方数据。", StartsOn: day(2000, 1, 1), EndsOn: day(2099, 12, 31), Sample: true})
	if err != nil {
		return err
	}
	_, err = s.svc.SetPlanStatus(s.coord(), p.ID, plans.InForce, plans.RevisionNote{Reason: "联席会议议定事项", ApprovedBy: "联席会议"}, p.Version)
	return err
}

// decide records decision d on agenda item n of meeting m and, when it has
// one, turns it into its task, whose reports the story then plays.
func (s *story) decide(m meetings.Meeting, n int, d decisionSpec) error {
	in := meetings.DecisionInput{AgendaItemID: m.Agenda[n].ID, Text: d.text, AreaID: s.areas[d.area], LeadUnitID: s.units[d.lead], DueOn: d.due}
	for _, c := range d.co {
		in.CoUnitIDs = append(in.CoUnitIDs, s.units[c])
	}
	dec, err := s.meet.SaveDecision(s.coord(), m.ID, 0, in, 0)
	if err != nil || d.task == nil {
		return err
	}
	t := d.task
	spec := meetings.TaskSpec{Code: t.code, Title: t.title, StartsOn: t.starts, DueOn: t.due}
	if d.plan != "" {
		p, err := s.svc.PlanByCode(s.coord(), d.plan)
		if err != nil {
			return err
		}
		goals, err := s.svc.Goals(s.coord(), p.ID)
		if err != nil {
			return err
		}
		for _, g := range goals {
			if g.AreaID == in.AreaID {
				spec.PlanID, spec.GoalID = p.ID, g.ID
			}
		}
	}
	task, err := s.meet.AssignTask(s.coord(), dec.ID, spec)
	if err != nil {
		return fmt.Errorf("task of decision %q: %w", t.code, err)
	}
	t.id = task.ID
	s.tasks[task.ID] = t
	for _, o := range t.plot.outcome {
		s.at(o.on, 11, func() error { return s.conclude(t, o) })
	}
	return s.discover()
}

// committees are four of the belt's thirteen specialist committees.
var committees = []struct {
	code, name, theme string
	level             meetings.Level
	units             []string
}{
	{"PORT", "港口和航运专业委员会", "港口资源整合、东北亚国际航运中心和集疏运体系建设（示例数据）", meetings.LevelCoordination,
		[]string{"ln-transport", "dalian", "yingkou", "jinzhou", "dandong", "panjin", "huludao"}},
	{"INDUSTRY", "产业协作专业委员会", "临港产业、石化产业链协同，防止重复建设和同质竞争（示例数据）", meetings.LevelCoordination,
		[]string{"ln-drc", "dalian", "yingkou", "panjin", "jinzhou"}},
	{"ENV", "生态环境专业委员会", "陆上水域和近海海域共管共治，海洋生态保护修复（示例数据）", meetings.LevelExecution,
		[]string{"dalian-eco", "dandong", "jinzhou", "yingkou", "panjin", "huludao"}},
	{"INNOVATION", "科技创新专业委员会", "创新平台共享、联合攻关和人才互认（示例数据）", meetings.LevelExecution,
		[]string{"dalian", "jinzhou", "huludao"}},
}

func (s *story) formCommittees() error {
	for _, c := range committees {
		in := meetings.CommitteeInput{Code: c.code, Name: c.name, Theme: c.theme, Level: c.level}
		for _, u := range c.units {
			in.UnitIDs = append(in.UnitIDs, s.units[u])
		}
		if _, err := s.meet.SaveCommittee(s.coord(), 0, in, 0); err != nil {
			return fmt.Errorf("committee %s: %w", c.code, err)
		}
	}
	return nil
}

// committeeMeeting is the environment committee's meeting 75 days back:
// three decisions (one on track, one overdue, one not yet assigned) and the
// marine framework agreement its six cities sign.
func (s *story) committeeMeeting() {
	held := s.today.AddDays(-75)
	var m meetings.Meeting
	task := func(code, title, topic, lead string, co []string, due clock.Date, p plot) *taskSpec {
		return &taskSpec{code: code, area: "environment", title: title, topic: topic, lead: lead, co: co, starts: held, due: due,
			cycle: plans.Monthly, deliverables: topic + "工作台账和阶段成果材料", plot: p}
	}
	decisions := []decisionSpec{
		{text: "建立辽东湾入海河流断面水质信息共享机制，按月互通监测数据。", area: "environment", lead: "panjin", co: []string{"yingkou"}, due: s.today.AddDays(60),
			task: task("D-ENV-SHARE", "建立入海河流断面水质信息共享机制", "水质信息共享", "panjin", []string{"yingkou"}, s.today.AddDays(60), plot{pace: 1.1})},
		{text: "联合开展大辽河口近岸海域污染溯源排查，形成排查报告。", area: "environment", lead: "yingkou", co: []string{"panjin"}, due: s.today.AddDays(-10),
			task: task("D-ENV-TRACE", "大辽河口近岸海域污染溯源排查", "污染溯源排查", "yingkou", []string{"panjin"}, s.today.AddDays(-10), plot{pace: 0.8})},
		{text: "研究制定海洋生态修复补偿办法，提交下次会议审议。", area: "environment", lead: "huludao", co: []string{"jinzhou"}, due: s.today.AddDays(120)},
	}
	s.at(held.AddDays(-10), 10, func() error {
		c, err := s.committee("ENV")
		if err != nil {
			return err
		}
		u := s.units
		in := meetings.Input{Kind: meetings.KindCommittee, Title: "生态环境专业委员会全体会议（示例）", HeldOn: held, Place: "盘锦", HostUnitID: u["panjin"], CommitteeID: &c.ID,
			Attendees: []meetings.Attendee{
				{UnitID: u["panjin"], Person: "分管副市长（示例）", Role: meetings.RoleHost},
				{UnitID: u["yingkou"], Person: "分管副市长（示例）", Role: meetings.RoleSpeaker},
				{UnitID: u["dalian-eco"], Person: "局长（示例）", Role: meetings.RoleSpeaker},
				{UnitID: u["dandong"], Person: "生态环境局负责同志（示例）", Role: meetings.RoleAttendee},
				{UnitID: u["jinzhou"], Person: "生态环境局负责同志（示例）", Role: meetings.RoleAttendee},
				{UnitID: u["huludao"], Person: "生态环境局负责同志（示例）", Role: meetings.RoleAttendee},
			},
			Agenda: []meetings.AgendaItem{{Title: "审议辽东湾陆海统筹治理工作安排", PresenterUnitID: u["panjin"]}, {Title: "签署海洋环境保护、监测与治理合作框架协议"}}}
		m, err = s.meet.CreateMeeting(s.coord(), in)
		return err
	})
	s.at(held, 9, func() error {
		var err error
		m, err = s.meet.SetStatus(s.coord(), m.ID, meetings.Held, m.Version)
		return err
	})
	s.at(held, 11, func() error {
		for _, d := range decisions {
			if err := s.decide(m, 0, d); err != nil {
				return err
			}
		}
		return nil
	})
	s.at(held, 15, func() error {
		in := meetings.AgreementInput{MeetingID: &m.ID, Title: "海洋环境保护、监测与治理合作框架协议", SignedOn: held,
			Scope: "六市共同开展近岸海域监测、入海河流治理和海洋生态修复，信息共享、联防联控。（示例数据，协议文本非官方）"}
		for _, c := range []string{"dalian", "dandong", "jinzhou", "yingkou", "panjin", "huludao"} {
			in.UnitIDs = append(in.UnitIDs, s.units[c])
		}
		for _, d := range decisions {
			if d.task != nil {
				in.TaskIDs = append(in.TaskIDs, d.task.id)
			}
		}
		_, err := s.meet.SaveAgreement(s.coord(), 0, in, 0)
		return err
	})
	s.at(held.AddDays(2), 10, func() error {
		return s.closeMeeting(m.ID, sampleNote+"\n会议审议辽东湾陆海统筹治理工作安排，形成议定事项三项，六市签署海洋环境保护、监测与治理合作框架协议。")
	})
}

func (s *story) committee(code string) (meetings.Committee, error) {
	list, err := s.meet.Committees(s.coord())
	for _, c := range list {
		if c.Code == code {
			return c, err
		}
	}
	if err == nil {
		err = errors.New("no committee " + code)
	}
	return meetings.Committee{}, err
}

// currentTask is the id of task n of area in the current work points.
func (s *story) currentTask(area string, n int) int64 {
	code := fmt.Sprintf("%d-%s-%02d", workYear(s.today), areaCodes[area], n)
	for id, t := range s.tasks {
		if t.code == code {
			return id
		}
	}
	return 0
}

// rectStep is a step of a rectification item's plot.
type rectStep struct {
	on     clock.Date
	kind   string // respond, accept, return
	reason string
}

// inspection is a round on the current work points 55 to 40 days back with
// three findings: one rectified on time, one sent back then closed late,
// one overdue and chased.
func (s *story) inspection(inspector int64) {
	on := s.today.AddDays
	var round inspect.Round
	findings := []struct {
		unit, area string
		n          int
		severity   inspect.Severity
		text, ask  string
		due        clock.Date
		steps      []rectStep
	}{
		{"yingkou", "industry", 1, inspect.Major, "临港产业集群重点项目调度台账与报送的进展数据不一致（示例）", "核实项目调度台账，更正进展数据并建立月度核对制度", on(-30),
			[]rectStep{{on: on(-36), kind: "respond"}, {on: on(-34), kind: "accept"}}},
		{"jinzhou", "planning", 1, inspect.Minor, "港口集疏运规划衔接任务的配合单位进展报告逾期未报（示例）", "补报逾期进展报告，明确报送责任人", on(-25),
			[]rectStep{{on: on(-28), kind: "respond"}, {on: on(-26), kind: "return", reason: "证明材料只有情况说明，缺少补报的进展报告，请补充"},
				{on: on(-20), kind: "respond"}, {on: on(-18), kind: "accept"}}},
		{"huludao", "innovation", 2, inspect.Serious, "产业技术创新联盟联合攻关任务长期未报送进展，配合责任未落实（示例）", "落实配合单位责任，补报进展并提交联合攻关工作计划", on(-12), nil},
	}
	s.at(on(-55), 10, func() error {
		var units []int64
		for _, f := range findings {
			units = append(units, s.units[f.unit])
		}
		t, err := s.svc.Task(s.coord(), s.currentTask("industry", 1))
		if err != nil {
			return err
		}
		round, err = s.insp.CreateRound(s.as["inspector"], inspect.RoundInput{Title: "年度工作要点落实情况专项督查（示例）", PlanID: &t.PlanID, UnitIDs: units,
			Inspectors: []int64{inspector}, StartsOn: on(-50), EndsOn: on(-40), Summary: "示例数据：抽查临港产业、港口集疏运和创新联盟三项任务的落实情况。"})
		return err
	})
	s.at(on(-50), 9, func() error {
		var err error
		round, err = s.insp.SetRoundStatus(s.as["inspector"], round.ID, inspect.InProgress, round.Version)
		return err
	})
	for _, f := range findings {
		s.at(on(-48), 15, func() error {
			task := s.currentTask(f.area, f.n)
			fd, err := s.insp.AddFinding(s.as["inspector"], round.ID, inspect.FindingInput{UnitID: s.units[f.unit], Severity: f.severity, Description: f.text, TaskID: &task})
			if err != nil {
				return err
			}
			r, err := s.insp.OpenRectification(s.as["inspector"], inspect.RectInput{SourceKind: inspect.SourceFinding, SourceRef: fmt.Sprint(fd.ID), Requirement: f.ask, DueOn: f.due})
			if err != nil {
				return err
			}
			for i, st := range f.steps {
				s.at(st.on, 10, func() error { return s.rectify(r.ID, f.unit, i, st) })
			}
			return nil
		})
	}
	s.at(on(-40), 17, func() error {
		r, err := s.insp.Round(s.as["inspector"], round.ID)
		if err == nil {
			_, err = s.insp.SetRoundStatus(s.as["inspector"], r.ID, inspect.Finished, r.Version)
		}
		return err
	})
	// The daily chase of overdue items, from the day they are opened.
	for d := on(-47); d.Before(s.today); d = d.AddDays(1) {
		s.at(d, 2, func() error { return s.insp.ChaseOverdue(s.coord(), d) })
	}
}

// rectify plays step i of a rectification item: the unit's response with
// its evidence, or the inspector's verdict.
func (s *story) rectify(id int64, unit string, i int, st rectStep) error {
	r, err := s.insp.Rectification(s.coord(), id)
	if err != nil {
		return err
	}
	switch st.kind {
	case "respond":
		file := fmt.Sprintf("整改材料-%d（示例）.txt", i+1)
		if _, err := s.insp.AddEvidence(s.reporter(unit), "rectification", id, file, []byte(sampleNote+"\n整改情况说明和补报材料清单。")); err != nil {
			return err
		}
		_, err = s.insp.Respond(s.reporter(unit), id, "已按要求整改，补充材料见附件。（示例）", r.Version)
	case "accept", "return":
		_, err = s.insp.Verify(s.as["inspector"], id, st.kind == "accept", st.reason, r.Version)
	}
	return err
}

// problemList raises four problems: one from a report's help needed,
// solved and confirmed; one rejected; one escalated to the office meeting;
// one reopened by its raiser.
func (s *story) problemList() {
	on := s.today.AddDays
	var helped, rejected, escalated, reopened problems.Problem
	raise := func(p *problems.Problem, unit string, in problems.Input) func() error {
		return func() error {
			var err error
			*p, err = s.probs.Raise(s.reporter(unit), in)
			return err
		}
	}
	triage := func(p *problems.Problem, t problems.Triage) func() error {
		return func() error {
			return s.problemStep(p, func(v int) (problems.Problem, error) { return s.probs.TriageProblem(s.coord(), p.ID, t, v) })
		}
	}
	respond := func(p *problems.Problem, unit, text string) func() error {
		return func() error {
			return s.problemStep(p, func(v int) (problems.Problem, error) { return s.probs.Respond(s.reporter(unit), p.ID, text, v) })
		}
	}
	confirm := func(p *problems.Problem, unit string, solved bool, note string) func() error {
		return func() error {
			return s.problemStep(p, func(v int) (problems.Problem, error) { return s.probs.Confirm(s.reporter(unit), p.ID, solved, note, v) })
		}
	}
	s.at(on(-60), 10, func() error {
		var report int64
		err := s.svc.DB.R.QueryRowContext(s.coord(), `SELECT id FROM reports WHERE unit_id = $1 AND help_needed <> '' AND state IN ('submitted','accepted') ORDER BY id DESC LIMIT 1`,
			s.units["panjin"]).Scan(&report)
		if err != nil {
			return fmt.Errorf("a report of Panjin asking for help: %w", err)
		}
		return raise(&helped, "panjin", problems.Input{Category: "land", Title: "石化产业链协同项目用地指标和专项资金未落实（示例）",
			Description: "石化产业链上下游协同项目进度滞后，用地指标和配套资金尚未落实。", Ask: "请省发展改革委协调用地指标和专项资金",
			UnitIDs: []int64{s.units["ln-drc"], s.units["dalian"]}, ReportID: &report})()
	})
	s.at(on(-58), 10, triage(&helped, problems.Triage{Accept: true, HandlingUnitID: s.units["ln-drc"], DueOn: on(-30)}))
	s.at(on(-40), 10, respond(&helped, "ln-drc", "已协调下达用地指标，专项资金列入省级预算安排。（示例）"))
	s.at(on(-38), 10, confirm(&helped, "panjin", true, "已落实，问题解决。"))

	s.at(on(-52), 10, raise(&rejected, "dandong", problems.Input{Category: "policy", Title: "建议将本市全部在建项目列入沿海经济带重点项目（示例）",
		Ask: "请将本市在建项目整体列入重点项目清单", UnitIDs: []int64{s.units["ln-drc"]}}))
	s.at(on(-50), 10, triage(&rejected, problems.Triage{Reason: "重点项目按统一标准逐项遴选，不宜整体列入；请按项目申报。"}))

	s.at(on(-30), 10, raise(&escalated, "yingkou", problems.Input{Category: "environment", Title: "大辽河口跨界断面水质考核数据口径不一致（示例）",
		Description: "营口、盘锦两市对大辽河口跨界断面的监测频次和考核数据口径不一致。", Ask: "请协调统一跨界断面监测和考核口径",
		UnitIDs: []int64{s.units["panjin"], s.units["dalian-eco"]}}))
	s.at(on(-28), 10, triage(&escalated, problems.Triage{Accept: true, HandlingUnitID: s.units["panjin"], DueOn: on(-5)}))
	s.at(on(-2), 10, func() error {
		return s.problemStep(&escalated, func(v int) (problems.Problem, error) {
			return s.probs.Escalate(s.coord(), escalated.ID, "涉及跨市考核口径，须提请会议协调确定", "沿海经济带协调办公室工作会议（示例）", v)
		})
	})

	s.at(on(-45), 10, raise(&reopened, "huludao", problems.Input{Category: "infrastructure", Title: "葫芦岛至锦州港口集疏运通道衔接不畅（示例）",
		Ask: "请协调打通港口集疏运通道衔接段", UnitIDs: []int64{s.units["jinzhou"], s.units["ln-transport"]}}))
	s.at(on(-43), 10, triage(&reopened, problems.Triage{Accept: true, HandlingUnitID: s.units["ln-transport"], DueOn: on(20)}))
	s.at(on(-20), 10, respond(&reopened, "ln-transport", "已将衔接段纳入年度建设计划。（示例）"))
	s.at(on(-15), 10, confirm(&reopened, "huludao", false, "衔接段工程尚未开工，问题没有解决。"))
}

// problemStep applies change to p at its current version and keeps the
// result.
func (s *story) problemStep(p *problems.Problem, change func(version int) (problems.Problem, error)) error {
	cur, err := s.probs.Problem(s.coord(), p.ID)
	if err != nil {
		return err
	}
	*p, err = change(cur.Version)
	return err
}
