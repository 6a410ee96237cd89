package web_test

import "concord/internal/meetings"

// The request bodies of the meetings API, for TestOpenAPI's RequestBodies
// check (oaRequestBodies in openapi_test.go).
func init() {
	for id, body := range map[string]any{
		"createMeeting":    meetings.Input{},
		"updateMeeting":    meetings.Input{},
		"setMeetingStatus": oaFields{"status": nil},                              // web.meetingStatusBody
		"correctMeeting":   oaFields{"meeting": meetings.Input{}, "reason": nil}, // web.correctionBody
		"createDecision":   meetings.DecisionInput{},
		"updateDecision":   meetings.DecisionInput{},
		"assignDecision":   meetings.TaskSpec{},
		"createCommittee":  meetings.CommitteeInput{},
		"updateCommittee":  meetings.CommitteeInput{},
		"createAgreement":  meetings.AgreementInput{},
		"updateAgreement":  meetings.AgreementInput{},
	} {
		oaRequestBodies[id] = body
	}
}
