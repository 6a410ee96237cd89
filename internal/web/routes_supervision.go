package web

import (
	"net/http"

	"concord/internal/access"
)

// supervisionRoutes serve the dashboard's supervision figures: meeting
// decisions, rectification and the problem list across the alliance.
func (s *Server) supervisionRoutes(api func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/dashboard/supervision", access.ViewDashboard, nil, s.apiSupervision),
	}
}
