package web

import (
	"context"
	"net/http"

	"concord/internal/clock"
	"concord/internal/evidence"
	"concord/internal/inspect"
	"concord/internal/problems"
)

// ---- inspection rounds and findings ----

func roundVersion(r inspect.Round) int        { return r.Version }
func rectVersion(r inspect.Rectification) int { return r.Version }
func problemVersion(p problems.Problem) int   { return p.Version }

func (s *Server) apiInspections(w http.ResponseWriter, r *http.Request) {
	rounds, err := s.Inspect.Rounds(r.Context())
	respond(s, w, r, rounds, 0, err)
}

func (s *Server) apiCreateInspection(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in inspect.RoundInput) (inspect.Round, error) { return s.Inspect.CreateRound(r.Context(), in) },
		func(x inspect.Round) (string, int) { return "/api/v1/inspections/" + itoa(x.ID), x.Version })
}

func (s *Server) apiInspection(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (inspect.Round, error) { return s.Inspect.Round(r.Context(), id) }, roundVersion)
}

func (s *Server) apiUpdateInspection(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Inspect.UpdateRound, roundVersion)
}

type roundStatusBody struct {
	Status inspect.Status `json:"status"`
}

func (s *Server) apiSetInspectionStatus(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in roundStatusBody, v int) (inspect.Round, error) {
		return s.Inspect.SetRoundStatus(r.Context(), id, in.Status, v)
	}, roundVersion)
}

// correctionBody is a finished round's corrected fields and why.
type correctionBody struct {
	inspect.RoundInput
	Reason string `json:"reason"`
}

func (s *Server) apiCorrectInspection(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in correctionBody, v int) (inspect.Round, error) {
		return s.Inspect.CorrectRound(r.Context(), id, in.RoundInput, in.Reason, v)
	}, roundVersion)
}

func (s *Server) apiInspectionRevisions(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Inspect.Round, s.Inspect.Revisions)
}

func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Inspect.Round, s.Inspect.Findings)
}

func (s *Server) apiAddFinding(w http.ResponseWriter, r *http.Request) {
	createPlain(s, w, r, func(in inspect.FindingInput) (inspect.Finding, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return inspect.Finding{}, err
		}
		return s.Inspect.AddFinding(r.Context(), id, in)
	})
}

// ---- evidence files ----

// apiInspectEvidence lists the files of the {id} finding or rectification item.
func (s *Server) apiInspectEvidence(ownerType string) http.HandlerFunc {
	parent := map[string]func(context.Context, int64) (any, error){
		"finding":       func(ctx context.Context, id int64) (any, error) { return s.Inspect.Finding(ctx, id) },
		"rectification": func(ctx context.Context, id int64) (any, error) { return s.Inspect.Rectification(ctx, id) },
	}[ownerType]
	return func(w http.ResponseWriter, r *http.Request) {
		fetchUnder(s, w, r, parent, func(ctx context.Context, id int64) ([]evidence.File, error) {
			return s.Inspect.Evidence(ctx, ownerType, id)
		})
	}
}

func (s *Server) apiAddInspectEvidence(ownerType string) http.HandlerFunc {
	return s.uploadEvidence("/api/v1/inspection-files/", func(ctx context.Context, id int64, name string, data []byte) (evidence.File, error) {
		return s.Inspect.AddEvidence(ctx, ownerType, id, name, data)
	})
}

func (s *Server) apiInspectionFile(w http.ResponseWriter, r *http.Request) {
	s.sendEvidence(w, r, s.Inspect.EvidenceContent)
}

func (s *Server) apiAddProblemEvidence(w http.ResponseWriter, r *http.Request) {
	s.uploadEvidence("/api/v1/problem-files/", s.Problems.AddEvidence)(w, r)
}

func (s *Server) apiProblemEvidence(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Problems.Problem, s.Problems.Evidence)
}

func (s *Server) apiProblemFile(w http.ResponseWriter, r *http.Request) {
	s.sendEvidence(w, r, s.Problems.EvidenceContent)
}

// uploadEvidence stores the multipart body's file on the {id} owner with
// add; the service checks the file and whether the owner takes files now.
func (s *Server) uploadEvidence(files string, add func(context.Context, int64, string, []byte) (evidence.File, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		var name string
		var data []byte
		if err == nil {
			name, data, err = uploadedFile(w, r)
		}
		var f evidence.File
		if err == nil {
			f, err = add(r.Context(), id, name, data)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		w.Header().Set("Location", files+itoa(f.ID))
		writeJSON(w, http.StatusCreated, f)
	}
}

// sendEvidence sends the {id} file as a download, like apiAttachment.
func (s *Server) sendEvidence(w http.ResponseWriter, r *http.Request, content func(context.Context, int64) (evidence.File, []byte, error)) {
	id, err := pathID(r, "id")
	var f evidence.File
	var data []byte
	if err == nil {
		f, data, err = content(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sendDownload(w, f.Name, f.ContentType, data)
}

// ---- rectification ----

func rectFilter(r *http.Request) (inspect.RectFilter, error) {
	q := filtersOf(r)
	f := inspect.RectFilter{
		UnitID:     q.id("unit_id"),
		Status:     oneOf(q, "status", []inspect.RectStatus{inspect.Open, inspect.Responded, inspect.Returned, inspect.Closed}),
		OpenOnly:   q.flag("open"),
		SourceKind: q.Get("source_kind"),
		SourceRef:  q.Get("source_ref"),
		DueFrom:    q.date("due_from"),
		DueTo:      q.date("due_to"),
	}
	return f, q.v.Err()
}

func (s *Server) apiRectifications(w http.ResponseWriter, r *http.Request) {
	f, err := rectFilter(r)
	var items []inspect.Rectification
	if err == nil {
		items, err = s.Inspect.Rectifications(r.Context(), f)
	}
	respond(s, w, r, nonNil(items), 0, err)
}

func (s *Server) apiOpenRectification(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in inspect.RectInput) (inspect.Rectification, error) {
		return s.Inspect.OpenRectification(r.Context(), in)
	},
		func(x inspect.Rectification) (string, int) { return "/api/v1/rectifications/" + itoa(x.ID), x.Version })
}

func (s *Server) apiRectification(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (inspect.Rectification, error) { return s.Inspect.Rectification(r.Context(), id) }, rectVersion)
}

func (s *Server) apiRectificationTimeline(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Inspect.Rectification, s.Inspect.Timeline)
}

type responseBody struct {
	Response string `json:"response"`
}

func (s *Server) apiRespondRectification(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in responseBody, v int) (inspect.Rectification, error) {
		return s.Inspect.Respond(r.Context(), id, in.Response, v)
	}, rectVersion)
}

type verifyBody struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason"`
}

func (s *Server) apiVerifyRectification(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in verifyBody, v int) (inspect.Rectification, error) {
		return s.Inspect.Verify(r.Context(), id, in.Accept, in.Reason, v)
	}, rectVersion)
}

// ---- the problem list ----

func problemFilter(r *http.Request) (problems.Filter, error) {
	q := filtersOf(r)
	f := problems.Filter{
		Status:         oneOf(q, "status", []problems.Status{problems.Raised, problems.Rejected, problems.Assigned, problems.Responded, problems.Solved}),
		OpenOnly:       q.flag("open"),
		UnitID:         q.id("unit_id"),
		HandlingUnitID: q.id("handling_unit_id"),
		RaisedByUnitID: q.id("raised_by_unit_id"),
		Escalated:      q.flag("escalated"),
		SolvedFrom:     q.date("solved_from"),
		SolvedTo:       q.date("solved_to"),
	}
	return f, q.v.Err()
}

func (s *Server) apiProblems(w http.ResponseWriter, r *http.Request) {
	f, err := problemFilter(r)
	var items []problems.Problem
	if err == nil {
		items, err = s.Problems.List(r.Context(), f)
	}
	respond(s, w, r, nonNil(items), 0, err)
}

func (s *Server) apiRaiseProblem(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in problems.Input) (problems.Problem, error) { return s.Problems.Raise(r.Context(), in) },
		func(p problems.Problem) (string, int) { return "/api/v1/problems/" + itoa(p.ID), p.Version })
}

func (s *Server) apiProblem(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (problems.Problem, error) { return s.Problems.Problem(r.Context(), id) }, problemVersion)
}

func (s *Server) apiProblemTimeline(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Problems.Problem, s.Problems.Timeline)
}

func (s *Server) apiTriageProblem(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Problems.TriageProblem, problemVersion)
}

type reassignBody struct {
	HandlingUnitID int64      `json:"handling_unit_id"`
	DueOn          clock.Date `json:"due_on"`
	Reason         string     `json:"reason"`
}

func (s *Server) apiReassignProblem(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in reassignBody, v int) (problems.Problem, error) {
		return s.Problems.Reassign(r.Context(), id, in.HandlingUnitID, in.DueOn, in.Reason, v)
	}, problemVersion)
}

type escalateBody struct {
	Reason     string `json:"reason"`
	MeetingRef string `json:"meeting_ref"`
}

func (s *Server) apiEscalateProblem(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in escalateBody, v int) (problems.Problem, error) {
		return s.Problems.Escalate(r.Context(), id, in.Reason, in.MeetingRef, v)
	}, problemVersion)
}

func (s *Server) apiRespondProblem(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in responseBody, v int) (problems.Problem, error) {
		return s.Problems.Respond(r.Context(), id, in.Response, v)
	}, problemVersion)
}

type confirmBody struct {
	Solved bool   `json:"solved"`
	Note   string `json:"note"`
}

func (s *Server) apiConfirmProblem(w http.ResponseWriter, r *http.Request) {
	update(s, w, r, func(id int64, in confirmBody, v int) (problems.Problem, error) {
		return s.Problems.Confirm(r.Context(), id, in.Solved, in.Note, v)
	}, problemVersion)
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
