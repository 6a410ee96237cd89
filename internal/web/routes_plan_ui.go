package web

import (
	"net/http"

	"concord/internal/access"
)

// planUIRoutes are the pages and forms of plans, tasks and reports. The
// dashboard is the home page (GET / in routeTable, pageDashboard).
func (s *Server) planUIRoutes(ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		ui("GET", "/workspace", access.ViewPlans, nil, s.showPage(s.workspacePage)),
		ui("GET", "/plans", access.ViewPlans, nil, s.showPage(s.plansPage)),
		ui("POST", "/plans", access.EditPlans, nil, s.submitCreatePlan),
		ui("GET", "/plans/{id}", access.ViewPlans, nil, s.showPage(s.planPage)),
		ui("POST", "/plans/{id}", access.EditPlans, nil, s.submitEditPlan),
		ui("POST", "/plans/{id}/status", access.EditPlans, nil, s.submitPlanStatus),
		ui("POST", "/plans/{id}/goals", access.EditPlans, nil, s.submitCreateGoal),
		ui("POST", "/plans/{id}/tasks", access.EditPlans, nil, s.submitCreateTask),
		ui("POST", "/goals/{id}", access.EditPlans, nil, s.submitEditGoal),
		ui("GET", "/tasks", access.ViewPlans, nil, s.showPage(s.tasksPage)),
		ui("GET", "/tasks/export", access.ViewPlans, nil, s.exportTasks),
		ui("GET", "/tasks/{id}", access.ViewPlans, nil, s.showPage(s.taskPage)),
		ui("POST", "/tasks/{id}", access.EditPlans, nil, s.taskAction("edit", s.editTask)),
		ui("POST", "/tasks/{id}/complete", access.CompleteTask, ownerOf("task"), s.taskAction("complete", s.fileCompletion)),
		ui("POST", "/tasks/{id}/evidence", access.CompleteTask, ownerOf("task"), s.taskAction("complete", s.addEvidence)),
		ui("POST", "/tasks/{id}/close", access.CloseTask, nil, s.taskAction("close", byVersion(s.Plans.CloseTask))),
		ui("POST", "/tasks/{id}/reopen", access.CloseTask, nil, s.taskAction("reopen", byReason(s.Plans.ReopenTask))),
		ui("POST", "/tasks/{id}/cancel", access.CloseTask, nil, s.taskAction("cancel", byReason(s.Plans.CancelTask))),
		ui("POST", "/tasks/{id}/merge", access.CloseTask, nil, s.taskAction("merge", s.mergeTask)),
		ui("POST", "/assignments/{id}", access.EditAssignment, ownerOf("assignment"), s.assignmentAction("assignment-", s.editAssignment)),
		ui("POST", "/assignments/{id}/chase", access.ChaseTask, nil, s.assignmentAction("chase-", s.chaseAssignment)),
		ui("GET", "/reports", access.ViewPlans, nil, s.showPage(s.reportsPage)),
		ui("GET", "/reports/export", access.ViewPlans, nil, s.exportReports),
		ui("GET", "/reports/{id}", access.ViewPlans, nil, s.showPage(s.reportPage)),
		ui("POST", "/reports/{id}", access.ReportProgress, ownerOf("report"), s.reportAction("report", s.writeReport)),
		ui("POST", "/reports/{id}/approve", access.ApproveReport, ownerOf("report"), s.reportAction("approve", byVersion(s.Plans.ApproveReport))),
		ui("POST", "/reports/{id}/accept", access.ReviewReport, nil, s.reportAction("review", byVersion(s.Plans.AcceptReport))),
		ui("POST", "/reports/{id}/return", access.ReviewReport, nil, s.reportAction("review", byReason(s.Plans.ReturnReport))),
		// The unit leader sends a report back to the unit's reporter before
		// it reaches the office; the service tells this return from the office's.
		ui("POST", "/reports/{id}/send-back", access.ApproveReport, ownerOf("report"), s.reportAction("send-back", byReason(s.Plans.ReturnReport))),
		ui("GET", "/attachments/{id}", access.ViewPlans, nil, s.serveAttachment),
		ui("GET", "/search", access.ViewPlans, nil, s.showPage(s.searchPage)),
		ui("GET", "/settings", access.ViewPlans, nil, s.showPage(s.settingsPage)),
		ui("POST", "/settings", access.EditPlans, nil, s.submitSettings),
		ui("POST", "/views", access.Self, nil, s.submitSaveView),
		ui("POST", "/views/{id}/delete", access.Self, nil, s.submitDeleteView),
	}
}
