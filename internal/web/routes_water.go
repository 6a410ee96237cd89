package web

import (
	"net/http"

	"concord/internal/access"
)

// waterRoutes are water quality's JSON API and pages. The automatic
// stations' push is open on the route table: its handler authenticates the
// station's push token (no session, so no CSRF), limits the rate per
// address and the body's size.
func (s *Server) waterRoutes(api, ui func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/water/stations", access.ViewWater, nil, s.apiWaterStations),
		api("POST", "/water/stations", access.ManageWater, nil, s.apiCreateWaterStation),
		api("GET", "/water/stations/file", access.ViewWater, nil, s.downloadWaterStations),
		api("POST", "/water/stations/file", access.ManageWater, nil, s.apiImportWaterStations),
		api("GET", "/water/stations/{id}", access.ViewWater, nil, s.apiWaterStation),
		api("PUT", "/water/stations/{id}", access.ManageWater, nil, s.apiUpdateWaterStation),
		api("GET", "/water/stations/{id}/assessment", access.ViewWater, nil, s.apiWaterStationAssessment),
		api("GET", "/water/stations/{id}/series", access.ViewWater, nil, s.apiWaterSeries),
		api("GET", "/water/stations/{id}/tokens", access.ManageWater, nil, s.apiWaterTokens),
		api("POST", "/water/stations/{id}/tokens", access.ManageWater, nil, s.apiCreateWaterToken),
		api("DELETE", "/water/tokens/{id}", access.ManageWater, nil, s.apiRevokeWaterToken),
		api("POST", "/water/imports", access.ManageWater, nil, s.apiStartWaterImport),
		api("GET", "/water/imports/{id}", access.ManageWater, nil, s.apiWaterImport),
		api("GET", "/water/suspects", access.ViewWater, nil, s.apiWaterSuspects),
		api("GET", "/water/assessment", access.ViewWater, nil, s.apiWaterAssessment),
		api("GET", "/water/matrix", access.ViewWater, nil, s.apiWaterMatrix),
		api("GET", "/water/grades", access.ViewWater, nil, s.apiWaterGrades),
		api("GET", "/water/ranking", access.ViewWater, nil, s.apiWaterRanking),
		api("POST", "/water/push", access.Public, nil, s.apiWaterPush),

		ui("GET", "/water", access.ViewWater, nil, s.showPage(s.waterPage)),
		ui("GET", "/water/grades/export", access.ViewWater, nil, s.exportWaterGrades()),
		ui("GET", "/water/ranking/export", access.ViewWater, nil, s.exportWaterRanking()),
		ui("GET", "/water/stations", access.ViewWater, nil, s.showPage(s.waterStationsPage)),
		ui("POST", "/water/stations", access.ManageWater, nil, s.submitCreateWaterStation),
		ui("GET", "/water/stations/file", access.ViewWater, nil, s.downloadWaterStations),
		ui("POST", "/water/stations/file", access.ManageWater, nil, s.submitImportWaterStations),
		ui("GET", "/water/stations/{id}", access.ViewWater, nil, s.showPage(s.waterStationPage)),
		ui("POST", "/water/stations/{id}", access.ManageWater, nil, s.objectAction("/water/stations/", s.waterStationPage, "station", s.updateWaterStation)),
		ui("POST", "/water/stations/{id}/tokens", access.ManageWater, nil, s.submitCreateWaterToken),
		ui("POST", "/water/tokens/{id}/revoke", access.ManageWater, nil, s.submitRevokeWaterToken),
		ui("GET", "/water/imports", access.ManageWater, nil, s.showPage(s.waterImportsPage)),
		ui("POST", "/water/imports", access.ManageWater, nil, s.submitWaterImport),
		ui("GET", "/water/imports/{id}", access.ManageWater, nil, s.showPage(s.waterImportsPage)),
		ui("GET", "/water/suspects", access.ViewWater, nil, s.showPage(s.waterSuspectsPage)),
		ui("GET", "/water/suspects/export", access.ViewWater, nil, s.exportWaterSuspects()),
		ui("GET", "/water/assessment", access.ViewWater, nil, s.showPage(s.waterAssessmentPage)),
		ui("GET", "/water/assessment/export", access.ViewWater, nil, s.exportWaterAssessment()),
		ui("GET", "/water/matrix", access.ViewWater, nil, s.showPage(s.waterMatrixPage)),
		ui("GET", "/water/matrix/export", access.ViewWater, nil, s.exportWaterMatrix()),
	}
}
