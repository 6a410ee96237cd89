package web

import (
	"context"
	"net/http"

	"concord/internal/meetings"
	"concord/internal/plans"
)

func meetingVersion(m meetings.Meeting) int     { return m.Version }
func decisionVersion(d meetings.Decision) int   { return d.Version }
func committeeVersion(c meetings.Committee) int { return c.Version }
func agreementVersion(a meetings.Agreement) int { return a.Version }
func meetingDetailVersion(m meetingDetail) int  { return m.Version }

// meetingDetail is a meeting with its decisions, documents and agreements.
type meetingDetail struct {
	meetings.Meeting
	Decisions  []meetings.Decision  `json:"decisions"`
	Documents  []meetings.Document  `json:"documents"`
	Agreements []meetings.Agreement `json:"agreements"`
}

func (s *Server) meetingDetail(ctx context.Context, id int64) (meetingDetail, error) {
	m, err := s.Meetings.Meeting(ctx, id)
	if err != nil {
		return meetingDetail{}, err
	}
	d := meetingDetail{Meeting: m}
	if d.Decisions, err = s.Meetings.Decisions(ctx, meetings.DecisionFilter{MeetingID: id}); err != nil {
		return d, err
	}
	if d.Documents, err = s.Meetings.Documents(ctx, id); err != nil {
		return d, err
	}
	d.Agreements, err = s.Meetings.Agreements(ctx, id)
	return d, err
}

func (s *Server) apiMeetings(w http.ResponseWriter, r *http.Request) {
	q := filtersOf(r)
	f := meetings.Filter{CommitteeID: q.id("committee_id"), Kind: oneOf(q, "kind", meetings.Kinds), Status: oneOf(q, "status", []meetings.Status{meetings.Planned, meetings.Held, meetings.Closed})}
	err := q.v.Err()
	var ms []meetings.Meeting
	if err == nil {
		ms, err = s.Meetings.Meetings(r.Context(), f)
	}
	respond(s, w, r, nonNil(ms), 0, err)
}

func (s *Server) apiCreateMeeting(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in meetings.Input) (meetings.Meeting, error) { return s.Meetings.CreateMeeting(r.Context(), in) },
		func(m meetings.Meeting) (string, int) { return "/api/v1/meetings/" + itoa(m.ID), m.Version })
}

func (s *Server) apiMeeting(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (meetingDetail, error) { return s.meetingDetail(r.Context(), id) }, meetingDetailVersion)
}

func (s *Server) apiUpdateMeeting(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Meetings.UpdateMeeting, meetingVersion)
}

type meetingStatusBody struct {
	Status meetings.Status `json:"status"`
}

func (s *Server) apiSetMeetingStatus(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in meetingStatusBody, v int) (meetings.Meeting, error) {
		return s.Meetings.SetStatus(r.Context(), id, in.Status, v)
	}, meetingVersion)
}

type meetingCorrection struct {
	Meeting meetings.Input `json:"meeting"`
	Reason  string         `json:"reason"`
}

func (s *Server) apiCorrectMeeting(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in meetingCorrection, v int) (meetings.Meeting, error) {
		return s.Meetings.CorrectMeeting(r.Context(), id, in.Meeting, in.Reason, v)
	}, meetingVersion)
}

func (s *Server) apiMeetingRevisions(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Meetings.Meeting, s.Meetings.Revisions)
}

func (s *Server) apiBrief(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (meetings.Brief, error) {
		return s.Meetings.Brief(r.Context(), id, langOf(r), s.BriefSections...)
	}, unversioned)
}

func (s *Server) apiCreateDecision(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in meetings.DecisionInput) (meetings.Decision, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return meetings.Decision{}, err
		}
		return s.Meetings.SaveDecision(r.Context(), id, 0, in, 0)
	}, func(d meetings.Decision) (string, int) { return "/api/v1/decisions/" + itoa(d.ID), d.Version })
}

func (s *Server) apiMeetingDocuments(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Meetings.Meeting, s.Meetings.Documents)
}

// apiUploadDocument stores a file on the {id} meeting; the service checks it
// as it checks evidence files.
func (s *Server) apiUploadDocument(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var name string
	var data []byte
	if err == nil {
		name, data, err = uploadedFile(w, r)
	}
	var d meetings.Document
	if err == nil {
		d, err = s.Meetings.AddDocument(r.Context(), id, name, data)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/meeting-documents/"+itoa(d.ID))
	writeJSON(w, http.StatusCreated, d)
}

// apiMeetingDocument sends a meeting's file as a download, like evidence.
func (s *Server) apiMeetingDocument(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var d meetings.Document
	var data []byte
	if err == nil {
		d, data, err = s.Meetings.DocumentContent(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sendDownload(w, d.Name, d.ContentType, data)
}

func (s *Server) apiDecisions(w http.ResponseWriter, r *http.Request) {
	q := filtersOf(r)
	f := meetings.DecisionFilter{MeetingID: q.id("meeting_id"), LeadUnitID: q.id("lead_unit_id"), AreaID: q.id("area_id"),
		HeldBefore: q.date("held_before"), CommitteeID: q.id("committee_id"), Status: oneOf(q, "status", meetings.DecisionStatuses)}
	err := q.v.Err()
	var ds []meetings.Decision
	if err == nil {
		ds, err = s.Meetings.Decisions(r.Context(), f)
	}
	respond(s, w, r, nonNil(ds), 0, err)
}

func (s *Server) apiDecision(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (meetings.Decision, error) { return s.Meetings.Decision(r.Context(), id) }, decisionVersion)
}

func (s *Server) apiUpdateDecision(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in meetings.DecisionInput, v int) (meetings.Decision, error) {
		d, err := s.Meetings.Decision(r.Context(), id)
		if err != nil {
			return meetings.Decision{}, err
		}
		return s.Meetings.SaveDecision(r.Context(), d.MeetingID, id, in, v)
	}, decisionVersion)
}

func (s *Server) apiAssignDecision(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in meetings.TaskSpec) (plans.Task, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return plans.Task{}, err
		}
		return s.Meetings.AssignTask(r.Context(), id, in)
	}, func(t plans.Task) (string, int) { return "/api/v1/tasks/" + itoa(t.ID), t.Version })
}

func (s *Server) apiDecisionTrace(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (meetings.Trace, error) { return s.Meetings.Trace(r.Context(), id) }, unversioned)
}

func (s *Server) apiCommittees(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Meetings.Committees(r.Context())
	respond(s, w, r, cs, 0, err)
}

func (s *Server) apiCreateCommittee(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in meetings.CommitteeInput) (meetings.Committee, error) {
		return s.Meetings.SaveCommittee(r.Context(), 0, in, 0)
	}, func(c meetings.Committee) (string, int) { return "/api/v1/committees/" + itoa(c.ID), c.Version })
}

func (s *Server) apiCommittee(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (meetings.Committee, error) { return s.Meetings.Committee(r.Context(), id) }, committeeVersion)
}

func (s *Server) apiUpdateCommittee(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Meetings.SaveCommittee, committeeVersion)
}

func (s *Server) apiAgreements(w http.ResponseWriter, r *http.Request) {
	q := filtersOf(r)
	meeting := q.id("meeting_id")
	err := q.v.Err()
	var as []meetings.Agreement
	if err == nil {
		as, err = s.Meetings.Agreements(r.Context(), meeting)
	}
	respond(s, w, r, as, 0, err)
}

func (s *Server) apiCreateAgreement(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in meetings.AgreementInput) (meetings.Agreement, error) {
		return s.Meetings.SaveAgreement(r.Context(), 0, in, 0)
	}, func(a meetings.Agreement) (string, int) { return "/api/v1/agreements/" + itoa(a.ID), a.Version })
}

func (s *Server) apiAgreement(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (meetings.Agreement, error) { return s.Meetings.Agreement(r.Context(), id) }, agreementVersion)
}

func (s *Server) apiUpdateAgreement(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Meetings.SaveAgreement, agreementVersion)
}
