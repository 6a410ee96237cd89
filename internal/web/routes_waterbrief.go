package web

import (
	"net/http"

	"concord/internal/access"
)

// waterBriefRoutes are the cross-boundary table (with its CSV/XLSX export
// and the compensation scheme the office sets) and the monthly water brief
// for the environmental joint meeting: JSON API and pages.
func (s *Server) waterBriefRoutes(api, ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/water/boundary", access.ViewWater, nil, s.apiWaterBoundary),
		api("GET", "/water/boundary/export", access.ViewWater, nil, s.exportWaterBoundary),
		api("GET", "/water/boundary/scheme", access.ViewWater, nil, s.apiWaterScheme),
		api("PUT", "/water/boundary/scheme", access.ManageWater, nil, s.apiUpdateWaterScheme),
		api("GET", "/water/brief", access.ViewWater, nil, s.apiWaterBrief),
		api("GET", "/water/brief/download", access.ViewWater, nil, s.downloadWaterBrief),

		ui("GET", "/water/boundary", access.ViewWater, nil, s.showPage(s.waterBoundaryPage)),
		ui("GET", "/water/boundary/export", access.ViewWater, nil, s.exportWaterBoundary),
		ui("GET", "/water/boundary/scheme", access.ViewWater, nil, s.showPage(s.waterSchemePage)),
		ui("POST", "/water/boundary/scheme", access.ManageWater, nil, s.submitWaterScheme),
		ui("GET", "/water/brief", access.ViewWater, nil, s.showPage(s.waterBriefPage)),
		ui("GET", "/water/brief/download", access.ViewWater, nil, s.downloadWaterBrief),
	}
}
