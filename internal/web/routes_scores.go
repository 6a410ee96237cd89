package web

import (
	"net/http"

	"concord/internal/access"
)

// scoreRoutes are the scorecards' JSON API: scoring models, scorecards with
// their rankings and the records behind each score, and appeals.
func (s *Server) scoreRoutes(api func(string, string, access.Action, func(*Server, *http.Request) (int64, error), http.HandlerFunc) Route) []Route {
	return []Route{
		api("GET", "/score-models", access.ViewScores, nil, s.apiScoreModels),
		api("POST", "/score-models", access.ManageScores, nil, s.apiCreateScoreModel),
		api("GET", "/score-models/{id}", access.ViewScores, nil, s.apiScoreModel),
		api("PUT", "/score-models/{id}", access.ManageScores, nil, s.apiUpdateScoreModel),
		api("GET", "/scorecards", access.ViewScores, nil, s.apiScorecards),
		api("POST", "/scorecards", access.ManageScores, nil, s.apiCreateScorecard),
		api("GET", "/scorecards/{id}", access.ViewScores, nil, s.apiScorecard),
		api("GET", "/scorecards/{id}/ranking", access.ViewScores, nil, s.apiScoreRanking),
		api("GET", "/scorecards/{id}/revisions", access.ViewScores, nil, s.apiScoreRevisions),
		api("PUT", "/scorecards/{id}/manual", access.ManageScores, nil, s.apiSetManualScore),
		api("POST", "/scorecards/{id}/publication", access.ManageScores, nil, s.apiPublishScorecard),
		api("POST", "/scorecards/{id}/correction", access.ManageScores, nil, s.apiCorrectScorecard),
		api("GET", "/scorecards/{id}/units/{unit}/items/{position}", access.ViewScores, nil, s.apiScoreBreakdown),
		api("GET", "/scorecards/{id}/appeals", access.ViewScores, nil, s.apiScorecardAppeals),
		api("POST", "/scorecards/{id}/units/{unit}/appeals", access.AppealScore, unitOfAppeal, s.apiFileAppeal),
		api("GET", "/appeals", access.ViewScores, nil, s.apiPendingAppeals),
		api("GET", "/appeals/{id}", access.ViewScores, nil, s.apiAppeal),
		api("PUT", "/appeals/{id}/ruling", access.ManageScores, nil, s.apiRuleAppeal),
	}
}

// unitOfAppeal is the unit that appeals: the path names it.
func unitOfAppeal(_ *Server, r *http.Request) (int64, error) { return pathID(r, "unit") }
