package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"concord/internal/errs"
	"concord/internal/i18n"
	"concord/internal/meetings"
	"concord/internal/plans"
)

// ---- the list of meetings ----

type meetingsData struct {
	*directory
	Meetings   []meetings.Meeting
	Committees []option
	names      map[int64]string // committee names
}

// Committee names committee id.
func (d *meetingsData) Committee(id *int64) string {
	if id == nil {
		return ""
	}
	return d.names[*id]
}

func (s *Server) meetingsPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &meetingsData{names: map[int64]string{}}
	p := s.newPage(r, "meeting.ui.page.meetings", d)
	p.Form = f
	var err error
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	q := filtersOf(r)
	filter := meetings.Filter{CommitteeID: q.id("committee_id")}
	if err := q.v.Err(); err != nil {
		return "", p, err
	}
	if d.Meetings, err = s.Meetings.Meetings(ctx, filter); err != nil {
		return "", p, err
	}
	cs, err := s.Meetings.Committees(ctx)
	if err != nil {
		return "", p, err
	}
	for _, c := range cs {
		d.names[c.ID] = c.Name
		d.Committees = append(d.Committees, option{itoa(c.ID), c.Name})
	}
	return "meetings", p, nil
}

// Kinds are the meeting kinds to choose from.
func (p pageData) MeetingKinds() []option { return choices(p, "meeting.kind.", meetings.Kinds) }

// AttendeeRoles are the attendee roles to choose from.
func (p pageData) AttendeeRoles() []option { return choices(p, "meeting.role.", meetings.Roles) }

// CommitteeLevels are the committee levels to choose from.
func (p pageData) CommitteeLevels() []option { return choices(p, "committee.level.", meetings.Levels) }

func choices[T ~string](p pageData, prefix string, values []T) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{string(v), p.T(prefix + string(v))}
	}
	return out
}

// decisionLights colour a decision's status like the lights of its tasks.
var decisionLights = map[meetings.DecisionStatus]plans.Light{
	meetings.Overdue: plans.Red, meetings.AtRisk: plans.Yellow, meetings.InProgress: plans.Green, meetings.Unassigned: plans.NotStarted,
	meetings.Completed: plans.DoneOnTime, meetings.Done: plans.Closed, meetings.Dropped: plans.Cancelled,
}

// DecisionBadge shows a decision's status.
func (p pageData) DecisionBadge(st meetings.DecisionStatus) badge {
	return badge{Class: "light-" + string(decisionLights[st]), Text: p.T("meeting.decision.status." + string(st))}
}

// MeetingBadge shows a meeting's status.
func (p pageData) MeetingBadge(st meetings.Status) badge {
	class := map[meetings.Status]plans.Light{meetings.Planned: plans.NotStarted, meetings.Held: plans.Green, meetings.Closed: plans.Closed}[st]
	return badge{Class: "light-" + string(class), Text: p.T("meeting.status." + string(st))}
}

// meetingInput reads a meeting's form: the agenda one item a line, the
// attending units (the host unit hosts, the others attend). When the form
// edits meeting was, an agenda line that keeps an item's title keeps the item
// (and its decisions), and a unit that stays keeps its person and role.
func meetingInput(f *formIn, was meetings.Meeting) meetings.Input {
	in := meetings.Input{Kind: meetings.Kind(f.text("kind")), Title: f.text("title"), HeldOn: f.date("held_on"), Place: f.text("place"),
		HostUnitID: f.id("host_unit_id"), Minutes: f.text("minutes")}
	if id := f.id("committee_id"); id != 0 {
		in.CommitteeID = &id
	}
	for _, line := range strings.Split(f.vals.Get("agenda"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		item := meetings.AgendaItem{Title: line}
		for _, old := range was.Agenda {
			if old.Title == line {
				item = old
			}
		}
		in.Agenda = append(in.Agenda, item)
	}
	attendee := func(unit int64, role meetings.Role) meetings.Attendee {
		for _, a := range was.Attendees {
			if a.UnitID == unit && (role != meetings.RoleHost || a.Role == meetings.RoleHost) {
				return a
			}
		}
		return meetings.Attendee{UnitID: unit, Role: role}
	}
	if in.HostUnitID != 0 {
		in.Attendees = append(in.Attendees, attendee(in.HostUnitID, meetings.RoleHost))
	}
	for _, u := range f.ids("unit_ids") {
		if u != in.HostUnitID {
			in.Attendees = append(in.Attendees, attendee(u, meetings.RoleAttendee))
		}
	}
	return in
}

// editMeeting replaces the meeting's record from its edit form; its minutes
// are the minutes form's.
func (s *Server) editMeeting(r *http.Request, f *formIn, id int64) error {
	was, err := s.Meetings.Meeting(r.Context(), id)
	if err != nil {
		return err
	}
	in, version := meetingInput(f, was), f.version()
	in.Minutes = was.Minutes
	if err := f.err(); err != nil {
		return err
	}
	_, err = s.Meetings.UpdateMeeting(r.Context(), id, in, version)
	return err
}

// addAgreement records an agreement signed at the meeting.
func (s *Server) addAgreement(r *http.Request, f *formIn, id int64) error {
	in := meetings.AgreementInput{MeetingID: &id, Title: f.text("title"), SignedOn: f.date("signed_on"), Scope: f.text("scope"),
		UnitIDs: f.ids("unit_ids"), TaskIDs: f.ids("task_ids")}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Meetings.SaveAgreement(r.Context(), 0, in, 0)
	return err
}

func (s *Server) submitCreateMeeting(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := meetingInput(f, meetings.Meeting{})
	err := f.err()
	var m meetings.Meeting
	if err == nil {
		m, err = s.Meetings.CreateMeeting(r.Context(), in)
	}
	s.finish(w, r, err, "meeting", s.meetingsPage, "/meetings/"+itoa(m.ID))
}

// ---- one meeting ----

type meetingData struct {
	*directory
	Meeting    meetings.Meeting
	Committee  string
	Items      []agendaNode
	Documents  []meetings.Document
	Agreements []meetings.Agreement
	Revisions  []meetings.Revision
	Goals      []option // the goals of plans in force, for a decision's task
	Agenda     []option
	Committees []option
}

type agendaNode struct {
	meetings.AgendaItem
	Decisions []decisionNode
}

type decisionNode struct {
	meetings.Decision
	Tasks []plans.Task
}

// Decided reports whether the meeting takes decisions now.
func (d *meetingData) Decided() bool { return d.Meeting.Status == meetings.Held }

func (s *Server) meetingPage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &meetingData{}
	p := s.newPage(r, "meeting.ui.page.meeting", d)
	p.Form = f
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	detail, err := s.meetingDetail(ctx, id)
	if err != nil {
		return "", p, err
	}
	d.Meeting, d.Documents, d.Agreements = detail.Meeting, detail.Documents, detail.Agreements
	p.Title = d.Meeting.Title
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	if c := d.Meeting.CommitteeID; c != nil {
		cm, err := s.Meetings.Committee(ctx, *c)
		if err != nil {
			return "", p, err
		}
		d.Committee = cm.Name
	}
	byItem := map[int64][]decisionNode{}
	for _, dec := range detail.Decisions {
		n := decisionNode{Decision: dec}
		for _, t := range dec.TaskIDs {
			task, err := s.Plans.Task(ctx, t)
			if err != nil {
				return "", p, err
			}
			n.Tasks = append(n.Tasks, task)
		}
		byItem[dec.AgendaItemID] = append(byItem[dec.AgendaItemID], n)
	}
	for _, it := range d.Meeting.Agenda {
		d.Items = append(d.Items, agendaNode{it, byItem[it.ID]})
		d.Agenda = append(d.Agenda, option{itoa(it.ID), it.Title})
	}
	if d.Revisions, err = s.Meetings.Revisions(ctx, id); err != nil {
		return "", p, err
	}
	if p.Can("meeting.manage") {
		cs, err := s.Meetings.Committees(ctx)
		if err != nil {
			return "", p, err
		}
		for _, c := range cs {
			d.Committees = append(d.Committees, option{itoa(c.ID), c.Name})
		}
		ps, err := s.Plans.Plans(ctx)
		if err != nil {
			return "", p, err
		}
		for _, pl := range ps {
			if pl.Status != plans.InForce || pl.Code == meetings.StandingPlanCode {
				continue
			}
			goals, err := s.Plans.Goals(ctx, pl.ID)
			if err != nil {
				return "", p, err
			}
			for _, g := range goals {
				d.Goals = append(d.Goals, option{itoa(g.ID), pl.Code + " / " + g.Code + " " + g.Title})
			}
		}
	}
	return "meeting", p, nil
}

// Values are the meeting's fields as its edit form starts.
func (d *meetingData) Values() url.Values {
	m := d.Meeting
	v := url.Values{"kind": {string(m.Kind)}, "title": {m.Title}, "held_on": {m.HeldOn.String()}, "place": {m.Place},
		"host_unit_id": {itoa(m.HostUnitID)}}
	if m.CommitteeID != nil {
		v.Set("committee_id", itoa(*m.CommitteeID))
	}
	var agenda []string
	for _, it := range m.Agenda {
		agenda = append(agenda, it.Title)
	}
	v.Set("agenda", strings.Join(agenda, "\n"))
	for _, a := range m.Attendees {
		if a.UnitID != m.HostUnitID {
			v.Add("unit_ids", itoa(a.UnitID))
		}
	}
	return v
}

// Tasks are the tasks of the meeting's decisions, for an agreement to name.
func (d *meetingData) Tasks() []option {
	var out []option
	for _, it := range d.Items {
		for _, dec := range it.Decisions {
			for _, t := range dec.Tasks {
				out = append(out, option{itoa(t.ID), t.Code + " " + t.Title})
			}
		}
	}
	return out
}

// meetingAction runs a post on the {id} meeting and comes back to its page.
func (s *Server) meetingAction(formID string, apply func(r *http.Request, f *formIn, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := readForm(w, r)
		id, err := pathID(r, "id")
		if err == nil {
			err = apply(r, f, id)
		}
		s.finish(w, r, err, formID, s.meetingPage, "/meetings/"+itoa(id))
	}
}

func (s *Server) setMeetingStatus(r *http.Request, f *formIn, id int64) error {
	to, version := meetings.Status(f.text("status")), f.version()
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Meetings.SetStatus(r.Context(), id, to, version)
	return err
}

// saveMinutes keeps the meeting as it is but for its minutes: a closed
// meeting's minutes change by a correction with a reason.
func (s *Server) saveMinutes(r *http.Request, f *formIn, id int64) error {
	version, minutes, reason := f.version(), f.text("minutes"), f.text("reason")
	if err := f.err(); err != nil {
		return err
	}
	m, err := s.Meetings.Meeting(r.Context(), id)
	if err != nil {
		return err
	}
	in := meetings.Input{Kind: m.Kind, Title: m.Title, HeldOn: m.HeldOn, Place: m.Place, HostUnitID: m.HostUnitID, CommitteeID: m.CommitteeID,
		Minutes: minutes, Attendees: m.Attendees, Agenda: m.Agenda}
	if m.Status == meetings.Closed {
		_, err = s.Meetings.CorrectMeeting(r.Context(), id, in, reason, version)
	} else {
		_, err = s.Meetings.UpdateMeeting(r.Context(), id, in, version)
	}
	return err
}

func (s *Server) addDecision(r *http.Request, f *formIn, id int64) error {
	in := meetings.DecisionInput{AgendaItemID: f.id("agenda_item_id"), Text: f.text("text"), AreaID: f.id("area_id"),
		LeadUnitID: f.id("lead_unit_id"), CoUnitIDs: f.ids("co_unit_ids"), DueOn: f.date("due_on")}
	if err := f.err(); err != nil {
		return err
	}
	_, err := s.Meetings.SaveDecision(r.Context(), id, 0, in, 0)
	return err
}

func (s *Server) addDocument(r *http.Request, f *formIn, id int64) error {
	if err := f.err(); err != nil {
		return err
	}
	files := f.files["file"]
	if len(files) == 0 {
		var v errs.Validation
		v.Add("file", "error.required")
		return v.Err()
	}
	for _, fh := range files {
		data, err := readUpload(fh)
		if err == nil {
			_, err = s.Meetings.AddDocument(r.Context(), id, fh.Filename, data)
		}
		if e, ok := errs.As(err); ok && (e.Kind == errs.TooLarge || e.Kind == errs.Unsupported) {
			err = &errs.Error{Kind: errs.Invalid, Key: "error.validation", Fields: []errs.Field{{Field: "file", Key: e.Key, Args: e.Args}}}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// submitAssignDecision turns the {id} decision into a task and comes back to
// its meeting's page.
func (s *Server) submitAssignDecision(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	id, err := pathID(r, "id")
	var dec meetings.Decision
	if err == nil {
		dec, err = s.Meetings.Decision(r.Context(), id)
	}
	formID := "assign-" + itoa(id)
	if err == nil {
		spec := meetings.TaskSpec{GoalID: f.id("goal_id"), Title: f.text("title"), DueOn: f.date("due_on")}
		if err = f.err(); err == nil && spec.GoalID != 0 {
			var g plans.Goal
			g, err = s.Plans.Goal(r.Context(), spec.GoalID)
			spec.PlanID = g.PlanID
		}
		if err == nil {
			_, err = s.Meetings.AssignTask(r.Context(), id, spec)
		}
	}
	r.SetPathValue("id", itoa(dec.MeetingID))
	s.finish(w, r, err, formID, s.meetingPage, "/meetings/"+itoa(dec.MeetingID))
}

// ---- the brief ----

type briefData struct {
	Meeting meetings.Meeting
	Body    template.HTML
}

func (s *Server) briefPage(r *http.Request, f form) (string, pageData, error) {
	d := &briefData{}
	p := s.newPage(r, "meeting.ui.page.brief", d)
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	b, err := s.Meetings.Brief(r.Context(), id, p.Lang, s.BriefSections...)
	if err != nil {
		return "", p, err
	}
	var buf bytes.Buffer
	if err := b.HTML(&buf, func(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }); err != nil {
		return "", p, err
	}
	// The brief's HTML comes from its own template, which escapes every value.
	d.Meeting, d.Body = b.Meeting, template.HTML(buf.String())
	p.Title = p.T("meeting.ui.brief_of", b.Meeting.Title)
	return "meeting_brief", p, nil
}

// ---- committees ----

type committeesData struct {
	*directory
	Committees []meetings.Committee
}

func (s *Server) committeesPage(r *http.Request, f form) (string, pageData, error) {
	d := &committeesData{}
	p := s.newPage(r, "meeting.ui.page.committees", d)
	p.Form = f
	var err error
	if d.directory, err = s.directory(r.Context(), p.Lang); err != nil {
		return "", p, err
	}
	d.Committees, err = s.Meetings.Committees(r.Context())
	return "committees", p, err
}

func (s *Server) submitCreateCommittee(w http.ResponseWriter, r *http.Request) {
	f := readForm(w, r)
	in := meetings.CommitteeInput{Code: f.text("code"), Name: f.text("name"), Theme: f.text("theme"), Level: meetings.Level(f.text("level")), UnitIDs: f.ids("unit_ids")}
	err := f.err()
	var c meetings.Committee
	if err == nil {
		c, err = s.Meetings.SaveCommittee(r.Context(), 0, in, 0)
	}
	s.finish(w, r, err, "committee", s.committeesPage, "/committees/"+itoa(c.ID))
}

type committeeData struct {
	*directory
	Committee meetings.Committee
	Meetings  []meetings.Meeting
	Decisions []meetings.Decision // of the committee's meetings
}

func (s *Server) committeePage(r *http.Request, f form) (string, pageData, error) {
	ctx := r.Context()
	d := &committeeData{}
	p := s.newPage(r, "meeting.ui.page.committee", d)
	id, err := pathID(r, "id")
	if err != nil {
		return "", p, err
	}
	if d.Committee, err = s.Meetings.Committee(ctx, id); err != nil {
		return "", p, err
	}
	p.Title = d.Committee.Name
	if d.directory, err = s.directory(ctx, p.Lang); err != nil {
		return "", p, err
	}
	if d.Meetings, err = s.Meetings.Meetings(ctx, meetings.Filter{CommitteeID: id}); err != nil {
		return "", p, err
	}
	d.Decisions, err = s.Meetings.Decisions(ctx, meetings.DecisionFilter{CommitteeID: id})
	return "committee", p, err
}

// serveMeetingDocument sends a meeting's file for download.
func (s *Server) serveMeetingDocument(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var d meetings.Document
	var data []byte
	if err == nil {
		d, data, err = s.Meetings.DocumentContent(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendDownload(w, d.Name, d.ContentType, data)
}
