package web

import (
	"net/http"

	"concord/internal/access"
)

// planAPIRoutes are the JSON endpoints of plans, tasks and reports.
func (s *Server) planAPIRoutes(api func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{}
}
