package web

import (
	"net/http"

	"concord/internal/access"
)

// planAPIRoutes are the JSON endpoints of plans, tasks and reports. Where a
// rule reaches only the user's own unit, the route's Scope names the unit
// that owns the object; the service checks the same rule again.
func (s *Server) planAPIRoutes(api func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/plans", access.ViewPlans, nil, s.apiPlans),
		api("POST", "/plans", access.EditPlans, nil, s.apiCreatePlan),
		api("GET", "/plans/{id}", access.ViewPlans, nil, s.apiPlan),
		api("PUT", "/plans/{id}", access.EditPlans, nil, s.apiUpdatePlan),
		api("PUT", "/plans/{id}/status", access.EditPlans, nil, s.apiSetPlanStatus),
		api("GET", "/plans/{id}/revisions", access.ViewPlans, nil, s.apiPlanRevisions),
		api("POST", "/plans/{id}/goals", access.EditPlans, nil, s.apiCreateGoal),
		api("GET", "/goals/{id}", access.ViewPlans, nil, s.apiGoal),
		api("PUT", "/goals/{id}", access.EditPlans, nil, s.apiUpdateGoal),

		api("GET", "/tasks", access.ViewPlans, nil, s.apiTasks),
		api("POST", "/plans/{id}/tasks", access.EditPlans, nil, s.apiCreateTask),
		api("GET", "/tasks/{id}", access.ViewPlans, nil, s.apiTask),
		api("PUT", "/tasks/{id}", access.EditPlans, nil, s.apiUpdateTask),
		api("GET", "/tasks/{id}/timeline", access.ViewPlans, nil, s.apiTaskTimeline),
		api("GET", "/tasks/{id}/reports", access.ViewPlans, nil, s.apiTaskReports),
		api("POST", "/tasks/{id}/completion", access.CompleteTask, ownerOf("task"), s.apiFileCompletion),
		api("POST", "/tasks/{id}/close", access.CloseTask, nil, s.apiCloseTask),
		api("POST", "/tasks/{id}/reopen", access.CloseTask, nil, s.apiReopenTask),
		api("POST", "/tasks/{id}/cancel", access.CloseTask, nil, s.apiCancelTask),
		api("POST", "/tasks/{id}/merge", access.CloseTask, nil, s.apiMergeTask),
		api("PUT", "/assignments/{id}", access.EditAssignment, ownerOf("assignment"), s.apiUpdateAssignment),
		api("POST", "/assignments/{id}/chase", access.ChaseTask, nil, s.apiChase),

		api("GET", "/reports", access.ViewPlans, nil, s.apiReports),
		api("GET", "/reports/{id}", access.ViewPlans, nil, s.apiReport),
		api("PUT", "/reports/{id}", access.ReportProgress, ownerOf("report"), s.apiSaveReport),
		api("POST", "/reports/{id}/submit", access.ReportProgress, ownerOf("report"), s.apiSubmitReport),
		api("POST", "/reports/{id}/approve", access.ApproveReport, ownerOf("report"), s.apiApproveReport),
		api("POST", "/reports/{id}/accept", access.ReviewReport, nil, s.apiAcceptReport),
		// The office's return. The service also lets a unit leader return a
		// report the office has not seen; that is the UI's (the route has
		// one action, and ReviewReport's reach is the office's).
		api("POST", "/reports/{id}/return", access.ReviewReport, nil, s.apiReturnReport),
		api("POST", "/reports/{id}/attachments", access.ReportProgress, ownerOf("report"), s.apiUpload("report")),
		api("POST", "/completions/{id}/attachments", access.CompleteTask, ownerOf("completion"), s.apiUpload("completion")),
		api("GET", "/attachments/{id}", access.ViewPlans, nil, s.apiAttachment),

		api("GET", "/dashboard", access.ViewDashboard, nil, s.apiDashboard),
		api("GET", "/search", access.ViewPlans, nil, s.apiSearch),
		api("GET", "/views", access.Self, nil, s.apiViews),
		api("POST", "/views", access.Self, nil, s.apiSaveView),
		api("DELETE", "/views/{id}", access.Self, nil, s.apiDeleteView),
		api("GET", "/settings", access.ViewPlans, nil, s.apiSettings),
		api("PUT", "/settings", access.EditPlans, nil, s.apiUpdateSettings),
	}
}
