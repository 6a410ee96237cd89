package web

import (
	"net/http"

	"concord/internal/access"
)

// planUIRoutes are the pages and forms of plans, tasks and reports.
func (s *Server) planUIRoutes(ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{}
}
