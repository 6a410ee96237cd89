package web

import (
	"net/http"

	"concord/internal/access"
)

// notifyRoutes are the notification centre, the webhooks and the Excel round
// trip of plans and reports (downloads and imports), API and pages.
func (s *Server) notifyRoutes(api, ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/notifications", access.Self, nil, s.apiNotifications),
		api("GET", "/notifications/unread", access.Self, nil, s.apiUnreadCount),
		api("POST", "/notifications/read", access.Self, nil, s.apiMarkRead),
		api("GET", "/webhooks", access.ManageWebhooks, nil, s.apiWebhooks),
		api("POST", "/webhooks", access.ManageWebhooks, nil, s.apiCreateWebhook),
		api("GET", "/webhooks/{id}", access.ManageWebhooks, nil, s.apiWebhook),
		api("PUT", "/webhooks/{id}", access.ManageWebhooks, nil, s.apiUpdateWebhook),
		api("DELETE", "/webhooks/{id}", access.ManageWebhooks, nil, s.apiDeleteWebhook),
		// Downloads serve the API and the pages alike; importing needs more
		// than reading: EditPlans for a plan, ReportProgress for reports.
		api("GET", "/plan-template", access.ViewPlans, nil, s.planTemplate),
		api("GET", "/plans/{id}/workbook", access.ViewPlans, nil, s.planWorkbook),
		api("POST", "/plans/{id}/import", access.EditPlans, nil, s.apiImport(s.importPlan)),
		api("GET", "/reports/workbook", access.ReportProgress, unitFromQuery, s.reportWorkbook),
		api("POST", "/reports/import", access.ReportProgress, ownUnit, s.apiImport(s.importReports)),

		ui("GET", "/notifications", access.Self, nil, s.showPage(s.notificationsPage)),
		// Public so that the badge's poll answers a signed-out page with
		// nothing (204) rather than with the sign-in page.
		ui("GET", "/notifications/badge", access.Public, nil, s.notificationBadge),
		ui("POST", "/notifications/read", access.Self, nil, s.submitMarkRead),
		ui("GET", "/webhooks", access.ManageWebhooks, nil, s.showPage(s.webhooksPage)),
		ui("POST", "/webhooks", access.ManageWebhooks, nil, s.submitCreateWebhook),
		ui("POST", "/webhooks/{id}", access.ManageWebhooks, nil, s.submitUpdateWebhook),
		ui("POST", "/webhooks/{id}/delete", access.ManageWebhooks, nil, s.submitDeleteWebhook),
		ui("GET", "/plan-template", access.ViewPlans, nil, s.planTemplate),
		ui("GET", "/plans/{id}/workbook", access.ViewPlans, nil, s.planWorkbook),
		ui("GET", "/plans/{id}/import", access.EditPlans, nil, s.showPage(s.planImportPage)),
		ui("POST", "/plans/{id}/import", access.EditPlans, nil, s.submitImport(s.planImportPage, s.importPlan)),
		ui("GET", "/reports/workbook", access.ReportProgress, unitFromQuery, s.reportWorkbook),
		ui("GET", "/reports/import", access.ReportProgress, ownUnit, s.showPage(s.reportImportPage)),
		ui("POST", "/reports/import", access.ReportProgress, ownUnit, s.submitImport(s.reportImportPage, s.importReports)),
	}
}

// ownUnit scopes a route to the user's own unit.
func ownUnit(_ *Server, r *http.Request) (int64, error) { return actorOf(r).UnitID, nil }
