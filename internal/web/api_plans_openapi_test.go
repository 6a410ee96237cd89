package web_test

import "concord/internal/plans"

// The request bodies of the plan API, for TestOpenAPI's RequestBodies check
// (oaRequestBodies in openapi_test.go).
func init() {
	for id, body := range map[string]any{
		"createPlan":       plans.PlanInput{},
		"updatePlan":       plans.PlanInput{},
		"setPlanStatus":    oaFields{"status": nil, "revision": plans.RevisionNote{}}, // web.planStatusBody
		"createGoal":       plans.GoalInput{},
		"updateGoal":       plans.GoalInput{},
		"createTask":       plans.TaskInput{},
		"updateTask":       plans.TaskInput{},
		"fileCompletion":   oaFields{"summary": nil},             // web.summaryBody
		"reopenTask":       oaFields{"reason": nil},              // web.reasonBody
		"cancelTask":       oaFields{"reason": nil},              // web.reasonBody
		"mergeTask":        oaFields{"into": nil, "reason": nil}, // web.mergeBody
		"updateAssignment": plans.AssignmentInput{},
		"chaseAssignment":  oaFields{"note": nil}, // web.noteBody
		"saveReport":       plans.ReportInput{},
		"submitReport":     plans.ReportInput{},
		"returnReport":     oaFields{"reason": nil},                          // web.reasonBody
		"saveView":         oaFields{"page": nil, "name": nil, "query": nil}, // web.viewBody
		"updateSettings":   plans.Settings{},
	} {
		oaRequestBodies[id] = body
	}
}
