package web_test

import (
	"concord/internal/inspect"
	"concord/internal/problems"
)

// The request bodies of the inspection, rectification and problem-list API,
// for TestOpenAPI's RequestBodies check (oaRequestBodies in openapi_test.go).
func init() {
	for id, body := range map[string]any{
		"createInspection":     inspect.RoundInput{},
		"updateInspection":     inspect.RoundInput{},
		"setInspectionStatus":  oaFields{"status": nil},                                                                                                                                        // web.roundStatusBody
		"correctInspection":    oaFields{"title": nil, "plan_id": nil, "area_id": nil, "unit_ids": nil, "inspector_ids": nil, "starts_on": nil, "ends_on": nil, "summary": nil, "reason": nil}, // web.correctionBody
		"addFinding":           inspect.FindingInput{},
		"openRectification":    inspect.RectInput{},
		"respondRectification": oaFields{"response": nil},              // web.responseBody
		"verifyRectification":  oaFields{"accept": nil, "reason": nil}, // web.verifyBody
		"raiseProblem":         problems.Input{},
		"triageProblem":        problems.Triage{},
		"reassignProblem":      oaFields{"handling_unit_id": nil, "due_on": nil, "reason": nil}, // web.reassignBody
		"escalateProblem":      oaFields{"reason": nil, "meeting_ref": nil},                     // web.escalateBody
		"respondProblem":       oaFields{"response": nil},                                       // web.responseBody
		"confirmProblem":       oaFields{"solved": nil, "note": nil},                            // web.confirmBody
	} {
		oaRequestBodies[id] = body
	}
}
