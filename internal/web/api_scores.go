package web

import (
	"net/http"
	"strconv"

	"concord/internal/errs"
	"concord/internal/scores"
)

func scoreModelVersion(m scores.Model) int         { return m.Version }
func scorecardVersion(c scores.Scorecard) int      { return c.Version }
func appealVersion(a scores.Appeal) int            { return a.Version }
func scorecardResultVersion(c scorecardResult) int { return c.Version }

// scorecardResult is a scorecard with every unit's line, best first.
type scorecardResult struct {
	scores.Scorecard
	Units []scores.UnitCard `json:"units"`
}

func (s *Server) apiScoreModels(w http.ResponseWriter, r *http.Request) {
	ms, err := s.Scores.Models(r.Context())
	respond(s, w, r, ms, 0, err)
}

func (s *Server) apiCreateScoreModel(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in scores.ModelInput) (scores.Model, error) { return s.Scores.CreateModel(r.Context(), in) },
		func(m scores.Model) (string, int) { return "/api/v1/score-models/" + itoa(m.ID), m.Version })
}

func (s *Server) apiScoreModel(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (scores.Model, error) { return s.Scores.Model(r.Context(), id) }, scoreModelVersion)
}

func (s *Server) apiUpdateScoreModel(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Scores.UpdateModel, scoreModelVersion)
}

func (s *Server) apiScorecards(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Scores.Scorecards(r.Context())
	respond(s, w, r, cs, 0, err)
}

func (s *Server) apiCreateScorecard(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in scores.ScorecardInput) (scores.Scorecard, error) {
		return s.Scores.CreateScorecard(r.Context(), in)
	},
		func(c scores.Scorecard) (string, int) { return "/api/v1/scorecards/" + itoa(c.ID), c.Version })
}

func (s *Server) apiScorecard(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (scorecardResult, error) {
		c, units, err := s.Scores.Results(r.Context(), id)
		return scorecardResult{c, units}, err
	}, scorecardResultVersion)
}

func (s *Server) apiScoreRanking(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) ([]scores.Standing, error) { return s.Scores.Ranking(r.Context(), id) }, unversioned)
}

func (s *Server) apiScoreRevisions(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Scores.Scorecard, s.Scores.Revisions)
}

func (s *Server) apiSetManualScore(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Scores.SetManual, scorecardVersion)
}

func (s *Server) apiPublishScorecard(w http.ResponseWriter, r *http.Request) {
	moveBy(s, w, r, s.Scores.Publish, scorecardVersion)
}

func (s *Server) apiCorrectScorecard(w http.ResponseWriter, r *http.Request) {
	updateReason(s, w, r, s.Scores.Correct, scorecardVersion)
}

func (s *Server) apiScoreBreakdown(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (scores.Breakdown, error) {
		unit, err := pathID(r, "unit")
		if err != nil {
			return scores.Breakdown{}, err
		}
		position, err := strconv.Atoi(r.PathValue("position"))
		if err != nil {
			return scores.Breakdown{}, errs.New(errs.NotFound, "error.not_found", "score_item")
		}
		return s.Scores.Breakdown(r.Context(), id, unit, position)
	}, unversioned)
}

func (s *Server) apiScorecardAppeals(w http.ResponseWriter, r *http.Request) {
	fetchUnder(s, w, r, s.Scores.Scorecard, s.Scores.Appeals)
}

// appealBody is what a unit writes: the unit comes from the path.
type appealBody struct {
	Position int    `json:"position"`
	Reason   string `json:"reason"`
}

func (s *Server) apiFileAppeal(w http.ResponseWriter, r *http.Request) {
	create(s, w, r, func(in appealBody) (scores.Appeal, error) {
		id, err := pathID(r, "id")
		var unit int64
		if err == nil {
			unit, err = pathID(r, "unit")
		}
		if err != nil {
			return scores.Appeal{}, err
		}
		return s.Scores.FileAppeal(r.Context(), id, scores.AppealInput{UnitID: unit, Position: in.Position, Reason: in.Reason})
	}, func(a scores.Appeal) (string, int) { return "/api/v1/appeals/" + itoa(a.ID), a.Version })
}

func (s *Server) apiPendingAppeals(w http.ResponseWriter, r *http.Request) {
	as, err := s.Scores.Appeals(r.Context(), 0)
	respond(s, w, r, as, 0, err)
}

func (s *Server) apiAppeal(w http.ResponseWriter, r *http.Request) {
	fetch(s, w, r, func(id int64) (scores.Appeal, error) { return s.Scores.Appeal(r.Context(), id) }, appealVersion)
}

func (s *Server) apiRuleAppeal(w http.ResponseWriter, r *http.Request) {
	updateBy(s, w, r, s.Scores.Rule, appealVersion)
}
