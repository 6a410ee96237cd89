package web

import (
	"net/http"

	"concord/internal/access"
)

// inspectAPIRoutes are the JSON endpoints of inspections, rectification and
// the problem list. Where a rule reaches only the user's own unit, the
// route's Scope names the unit concerned; the service checks again.
func (s *Server) inspectAPIRoutes(api func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/inspections", access.ViewInspections, nil, s.apiInspections),
		api("POST", "/inspections", access.EditInspections, nil, s.apiCreateInspection),
		api("GET", "/inspections/{id}", access.ViewInspections, nil, s.apiInspection),
		api("PUT", "/inspections/{id}", access.EditInspections, nil, s.apiUpdateInspection),
		api("PUT", "/inspections/{id}/status", access.EditInspections, nil, s.apiSetInspectionStatus),
		api("POST", "/inspections/{id}/correction", access.EditInspections, nil, s.apiCorrectInspection),
		api("GET", "/inspections/{id}/revisions", access.ViewInspections, nil, s.apiInspectionRevisions),
		api("GET", "/inspections/{id}/findings", access.ViewInspections, nil, s.apiFindings),
		api("POST", "/inspections/{id}/findings", access.EditInspections, nil, s.apiAddFinding),
		api("GET", "/findings/{id}/evidence", access.ViewInspections, nil, s.apiInspectEvidence("finding")),
		api("POST", "/findings/{id}/evidence", access.EditInspections, nil, s.apiAddInspectEvidence("finding")),
		api("GET", "/inspection-files/{id}", access.ViewInspections, nil, s.apiInspectionFile),

		api("GET", "/rectifications", access.ViewInspections, nil, s.apiRectifications),
		api("POST", "/rectifications", access.EditInspections, nil, s.apiOpenRectification),
		api("GET", "/rectifications/{id}", access.ViewInspections, nil, s.apiRectification),
		api("GET", "/rectifications/{id}/timeline", access.ViewInspections, nil, s.apiRectificationTimeline),
		api("GET", "/rectifications/{id}/evidence", access.ViewInspections, nil, s.apiInspectEvidence("rectification")),
		api("POST", "/rectifications/{id}/evidence", access.RespondRectification, rectificationOwner, s.apiAddInspectEvidence("rectification")),
		api("POST", "/rectifications/{id}/respond", access.RespondRectification, rectificationOwner, s.apiRespondRectification),
		api("POST", "/rectifications/{id}/verify", access.EditInspections, nil, s.apiVerifyRectification),

		api("GET", "/problems", access.ViewProblems, nil, s.apiProblems),
		api("POST", "/problems", access.RaiseProblem, ownUnit, s.apiRaiseProblem),
		api("GET", "/problems/{id}", access.ViewProblems, nil, s.apiProblem),
		api("GET", "/problems/{id}/timeline", access.ViewProblems, nil, s.apiProblemTimeline),
		api("POST", "/problems/{id}/triage", access.TriageProblem, nil, s.apiTriageProblem),
		api("POST", "/problems/{id}/reassign", access.TriageProblem, nil, s.apiReassignProblem),
		api("POST", "/problems/{id}/escalate", access.TriageProblem, nil, s.apiEscalateProblem),
		api("POST", "/problems/{id}/respond", access.RespondProblem, problemHandler, s.apiRespondProblem),
		api("POST", "/problems/{id}/confirm", access.RaiseProblem, problemRaiser, s.apiConfirmProblem),
		api("GET", "/problems/{id}/evidence", access.ViewProblems, nil, s.apiProblemEvidence),
		api("POST", "/problems/{id}/evidence", access.RespondProblem, problemParty, s.apiAddProblemEvidence),
		api("GET", "/problem-files/{id}", access.ViewProblems, nil, s.apiProblemFile),
	}
}

func rectificationOwner(s *Server, r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	return s.Inspect.Owner(r.Context(), id)
}

func problemRaiser(s *Server, r *http.Request) (int64, error) {
	raiser, _, err := problemUnits(s, r)
	return raiser, err
}

func problemHandler(s *Server, r *http.Request) (int64, error) {
	_, handler, err := problemUnits(s, r)
	return handler, err
}

// problemParty is the user's own unit when it raised or handles the
// problem, otherwise the handling unit: both parties may add evidence.
func problemParty(s *Server, r *http.Request) (int64, error) {
	raiser, handler, err := problemUnits(s, r)
	if own := actorOf(r).UnitID; err == nil && own == raiser {
		return own, nil
	}
	return handler, err
}

func problemUnits(s *Server, r *http.Request) (raiser, handler int64, err error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	return s.Problems.Parties(r.Context(), id)
}

// inspectUIRoutes are the pages of inspections, rectification and the
// problem list and their forms; files download through the API routes.
func (s *Server) inspectUIRoutes(ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		ui("GET", "/inspections", access.ViewInspections, nil, s.showPage(s.inspectionsPage)),
		ui("POST", "/inspections", access.EditInspections, nil, s.submitCreateInspection),
		ui("GET", "/inspections/{id}", access.ViewInspections, nil, s.showPage(s.inspectionPage)),
		ui("POST", "/inspections/{id}/status", access.EditInspections, nil, s.roundAction("status", s.moveRound)),
		ui("POST", "/inspections/{id}/correction", access.EditInspections, nil, s.roundAction("correct", s.correctRound)),
		ui("POST", "/inspections/{id}/findings", access.EditInspections, nil, s.roundAction("finding", s.addFinding)),
		ui("POST", "/inspections/{id}/rectifications", access.EditInspections, nil, s.roundAction("rectify", s.openRectification)),
		ui("GET", "/rectifications", access.ViewInspections, nil, s.showPage(s.rectificationsPage)),
		ui("GET", "/rectifications/{id}", access.ViewInspections, nil, s.showPage(s.rectificationPage)),
		ui("POST", "/rectifications/{id}/respond", access.RespondRectification, rectificationOwner, s.rectAction("respond", s.respondRectification)),
		ui("POST", "/rectifications/{id}/verify", access.EditInspections, nil, s.rectAction("verify", s.verifyRectification)),
		ui("GET", "/problems", access.ViewProblems, nil, s.showPage(s.problemsPage)),
		ui("POST", "/problems", access.RaiseProblem, ownUnit, s.submitRaiseProblem),
		ui("GET", "/problems/{id}", access.ViewProblems, nil, s.showPage(s.problemPage)),
		ui("POST", "/problems/{id}/triage", access.TriageProblem, nil, s.problemAction("triage", s.triageProblem)),
		ui("POST", "/problems/{id}/reassign", access.TriageProblem, nil, s.problemAction("reassign", s.reassignProblem)),
		ui("POST", "/problems/{id}/escalate", access.TriageProblem, nil, s.problemAction("escalate", s.escalateProblem)),
		ui("POST", "/problems/{id}/respond", access.RespondProblem, problemHandler, s.problemAction("respond", s.respondProblem)),
		ui("POST", "/problems/{id}/confirm", access.RaiseProblem, problemRaiser, s.problemAction("confirm", s.confirmProblem)),
	}
}
