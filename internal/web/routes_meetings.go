package web

import (
	"net/http"

	"concord/internal/access"
)

// meetingRoutes are the joint meetings, their decisions and documents, the
// specialist committees and the agreements: the JSON API and the pages.
func (s *Server) meetingRoutes(api, ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/meetings", access.ViewMeetings, nil, s.apiMeetings),
		api("POST", "/meetings", access.ManageMeetings, nil, s.apiCreateMeeting),
		api("GET", "/meetings/{id}", access.ViewMeetings, nil, s.apiMeeting),
		api("PUT", "/meetings/{id}", access.ManageMeetings, nil, s.apiUpdateMeeting),
		api("PUT", "/meetings/{id}/status", access.ManageMeetings, nil, s.apiSetMeetingStatus),
		api("POST", "/meetings/{id}/correction", access.ManageMeetings, nil, s.apiCorrectMeeting),
		api("GET", "/meetings/{id}/revisions", access.ViewMeetings, nil, s.apiMeetingRevisions),
		api("GET", "/meetings/{id}/brief", access.ViewMeetings, nil, s.apiBrief),
		api("POST", "/meetings/{id}/decisions", access.ManageMeetings, nil, s.apiCreateDecision),
		api("GET", "/meetings/{id}/documents", access.ViewMeetings, nil, s.apiMeetingDocuments),
		api("POST", "/meetings/{id}/documents", access.ManageMeetings, nil, s.apiUploadDocument),
		api("GET", "/meeting-documents/{id}", access.ViewMeetings, nil, s.apiMeetingDocument),
		api("GET", "/decisions", access.ViewMeetings, nil, s.apiDecisions),
		api("GET", "/decisions/{id}", access.ViewMeetings, nil, s.apiDecision),
		api("PUT", "/decisions/{id}", access.ManageMeetings, nil, s.apiUpdateDecision),
		api("POST", "/decisions/{id}/tasks", access.ManageMeetings, nil, s.apiAssignDecision),
		api("GET", "/decisions/{id}/trace", access.ViewMeetings, nil, s.apiDecisionTrace),
		api("GET", "/committees", access.ViewMeetings, nil, s.apiCommittees),
		api("POST", "/committees", access.ManageMeetings, nil, s.apiCreateCommittee),
		api("GET", "/committees/{id}", access.ViewMeetings, nil, s.apiCommittee),
		api("PUT", "/committees/{id}", access.ManageMeetings, nil, s.apiUpdateCommittee),
		api("GET", "/agreements", access.ViewMeetings, nil, s.apiAgreements),
		api("POST", "/agreements", access.ManageMeetings, nil, s.apiCreateAgreement),
		api("GET", "/agreements/{id}", access.ViewMeetings, nil, s.apiAgreement),
		api("PUT", "/agreements/{id}", access.ManageMeetings, nil, s.apiUpdateAgreement),

		ui("GET", "/meetings", access.ViewMeetings, nil, s.showPage(s.meetingsPage)),
		ui("POST", "/meetings", access.ManageMeetings, nil, s.submitCreateMeeting),
		ui("GET", "/meetings/{id}", access.ViewMeetings, nil, s.showPage(s.meetingPage)),
		ui("POST", "/meetings/{id}", access.ManageMeetings, nil, s.meetingAction("edit", s.editMeeting)),
		ui("POST", "/meetings/{id}/agreements", access.ManageMeetings, nil, s.meetingAction("agreement", s.addAgreement)),
		ui("POST", "/meetings/{id}/status", access.ManageMeetings, nil, s.meetingAction("status", s.setMeetingStatus)),
		ui("POST", "/meetings/{id}/minutes", access.ManageMeetings, nil, s.meetingAction("minutes", s.saveMinutes)),
		ui("POST", "/meetings/{id}/decisions", access.ManageMeetings, nil, s.meetingAction("decision", s.addDecision)),
		ui("POST", "/meetings/{id}/documents", access.ManageMeetings, nil, s.meetingAction("document", s.addDocument)),
		ui("GET", "/meetings/{id}/brief", access.ViewMeetings, nil, s.showPage(s.briefPage)),
		ui("GET", "/meeting-documents/{id}", access.ViewMeetings, nil, s.serveMeetingDocument),
		ui("POST", "/decisions/{id}/tasks", access.ManageMeetings, nil, s.submitAssignDecision),
		ui("GET", "/committees", access.ViewMeetings, nil, s.showPage(s.committeesPage)),
		ui("POST", "/committees", access.ManageMeetings, nil, s.submitCreateCommittee),
		ui("GET", "/committees/{id}", access.ViewMeetings, nil, s.showPage(s.committeePage)),
	}
}
